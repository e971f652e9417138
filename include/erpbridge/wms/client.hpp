// The WMS push client: a cheap, copyable value over a Connection.
#pragma once

#include "erpbridge/version.hpp"
#include "erpbridge/wms/export.hpp"

#include <memory>

#include "erpbridge/core/client_base.hpp"
#include "erpbridge/wms/connection.hpp"

namespace erpbridge::wms {

/// WMS push calls. Copies share one connection; safe to use from several threads.
class ERPBRIDGE_WMS_EXPORT Client : public ClientBase<Client, Connection> {
 public:
  using ClientBase::ClientBase;
  /// A client over make_connection(options).
  explicit Client(Options options);

  /// See Connection::push.
  Result<PushReply> push(const EntryConfirmation& confirmation) const;
  /// The async form of push(): returns at once with a Future.
  Future<PushReply> push_async(const EntryConfirmation& confirmation) const;
};

}  // namespace erpbridge::wms
