// The WMS push client: a cheap, copyable value over a Connection.
#pragma once

#include "erpbridge/version.hpp"
#include "erpbridge/wms/export.hpp"

#include <memory>

#include "erpbridge/wms/connection.hpp"

namespace erpbridge::wms {

/// WMS push calls. Copies share one connection; safe to use from several threads.
class ERPBRIDGE_WMS_EXPORT Client {
 public:
  /// A client over any connection (make_connection's, or your mock).
  explicit Client(std::shared_ptr<Connection> connection);
  /// A client over make_connection(options).
  explicit Client(Options options);

  /// See Connection::push.
  Result<PushReply> push(const EntryConfirmation& confirmation) const;
  /// The async form of push(): returns at once with a Future.
  Future<PushReply> push_async(const EntryConfirmation& confirmation) const;

  /// A copy of this client whose calls apply `options` over the client's settings:
  /// `client.with(options).call(...)` makes one call idempotent or not, or gives it its own
  /// timeouts or retry policy (see CallOptions). Copies share the connection.
  Client with(const CallOptions& options) const;

  /// The connection the client calls.
  const std::shared_ptr<Connection>& connection() const noexcept { return connection_; }

 private:
  std::shared_ptr<Connection> connection_;
  CallOptions call_options_;  // applied around every call (see with())
};

}  // namespace erpbridge::wms
