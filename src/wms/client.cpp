#include "erpbridge/wms/client.hpp"

namespace erpbridge::wms {

Client::Client(Options options) : ClientBase(make_connection(std::move(options))) {}

Result<PushReply> Client::push(const EntryConfirmation& confirmation) const {
  return forward(&Connection::push, confirmation);
}

Future<PushReply> Client::push_async(const EntryConfirmation& confirmation) const {
  return forward(&Connection::push_async, confirmation);
}

}  // namespace erpbridge::wms
