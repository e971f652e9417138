#include "erpbridge/wms/client.hpp"

namespace erpbridge::wms {

Client::Client(std::shared_ptr<Connection> connection) : connection_(std::move(connection)) {}
Client::Client(Options options) : connection_(make_connection(std::move(options))) {}

Client Client::with(const CallOptions& options) const {
  Client copy = *this;
  copy.call_options_ = call_options_.overridden_by(options);
  return copy;
}

Result<PushReply> Client::push(const EntryConfirmation& confirmation) const {
  CallOptionsScope scope(call_options_);
  return connection_->push(confirmation);
}

Future<PushReply> Client::push_async(const EntryConfirmation& confirmation) const {
  CallOptionsScope scope(call_options_);
  return connection_->push_async(confirmation);
}

}  // namespace erpbridge::wms
