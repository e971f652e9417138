// The Kingdee client: a cheap, copyable value over a Connection.
#pragma once

#include "erpbridge/kingdee/export.hpp"
#include "erpbridge/version.hpp"

#include <memory>
#include <string>

#include "erpbridge/core/client_base.hpp"
#include "erpbridge/kingdee/connection.hpp"

namespace erpbridge::kingdee {

/// Kingdee gateway calls. Copies share one connection; safe to use from several threads.
class ERPBRIDGE_KINGDEE_EXPORT Client : public ClientBase<Client, Connection> {
 public:
  using ClientBase::ClientBase;
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
};

}  // namespace erpbridge::kingdee
