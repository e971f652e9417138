// What every family's client is: a cheap, copyable value over a shared Connection whose calls
// run under the client's CallOptions. Written once here, so that the four clients differ
// only in their endpoints.
#pragma once

#include "erpbridge/version.hpp"

#include <memory>
#include <utility>

#include "erpbridge/core/options.hpp"

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {

/// The base of each family's Client (`Derived`) over its Connection type. Copies share the
/// connection; safe to use from several threads.
template <typename Derived, typename ConnectionType>
class ClientBase {
 public:
  /// A client over any connection (the family's make_connection(), or your mock).
  explicit ClientBase(std::shared_ptr<ConnectionType> connection)
      : connection_(std::move(connection)) {}

  /// A copy of this client whose calls apply `options` over the client's settings:
  /// `client.with(options).call(...)` makes one call idempotent or not, or gives it its own
  /// timeouts, retry policy or traceparent (see CallOptions). Copies share the connection.
  Derived with(const CallOptions& options) const {
    Derived copy = static_cast<const Derived&>(*this);
    static_cast<ClientBase&>(copy).call_options_ = call_options_.overridden_by(options);
    return copy;
  }

  /// The connection the client calls.
  const std::shared_ptr<ConnectionType>& connection() const noexcept { return connection_; }

 protected:
  /// The options with() gave this client, applied around every call.
  const CallOptions& call_options() const noexcept { return call_options_; }

  /// `(connection().*method)(args...)` under the client's call options: what most endpoints
  /// of a client are.
  template <typename Method, typename... Args>
  decltype(auto) forward(Method method, Args&&... args) const {
    CallOptionsScope scope(call_options_);
    return ((*connection_).*method)(std::forward<Args>(args)...);
  }

 private:
  std::shared_ptr<ConnectionType> connection_;
  CallOptions call_options_;  // applied around every call (see with())
};

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
