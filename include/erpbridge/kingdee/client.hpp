// The Kingdee client: a cheap, copyable value over a Connection.
#pragma once

#include "erpbridge/kingdee/export.hpp"
#include "erpbridge/version.hpp"

#include <memory>
#include <string>

#include "erpbridge/kingdee/connection.hpp"

namespace erpbridge::kingdee {

/// Kingdee gateway calls. Copies share one connection; safe to use from several threads.
class ERPBRIDGE_KINGDEE_EXPORT Client {
 public:
  /// A client over any connection (make_connection's, or your mock).
  explicit Client(std::shared_ptr<Connection> connection);
  /// A client over make_connection(options).
  explicit Client(Options options);

  /// See Connection::push_spare_parts.
  Result<SparePartsBill> push_spare_parts(const std::string& entry_pk) const;
  /// See Connection::call.
  Result<std::string> call(const std::string& path, const std::string& body_json) const;

  ///@{
  /// The async forms: each returns at once with a Future.
  Future<SparePartsBill> push_spare_parts_async(const std::string& entry_pk) const;
  Future<std::string> call_async(const std::string& path, const std::string& body_json) const;
  ///@}

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

}  // namespace erpbridge::kingdee
