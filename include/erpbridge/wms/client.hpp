// The WMS push client: a cheap, copyable value over a Connection.
#pragma once

#include <memory>

#include "erpbridge/wms/connection.hpp"

namespace erpbridge::wms {

class Client {
 public:
  explicit Client(std::shared_ptr<Connection> connection);
  explicit Client(Options options);

  /// See Connection::push.
  Result<PushReply> push(const EntryConfirmation& confirmation) const;

  const std::shared_ptr<Connection>& connection() const noexcept { return connection_; }

 private:
  std::shared_ptr<Connection> connection_;
};

}  // namespace erpbridge::wms
