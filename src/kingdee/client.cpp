#include "erpbridge/kingdee/client.hpp"

namespace erpbridge::kingdee {

Client::Client(std::shared_ptr<Connection> connection) : connection_(std::move(connection)) {}
Client::Client(Options options) : connection_(make_connection(std::move(options))) {}

Client Client::with(const CallOptions& options) const {
  Client copy = *this;
  copy.call_options_ = call_options_.overridden_by(options);
  return copy;
}

Result<SparePartsBill> Client::push_spare_parts(const std::string& entry_pk) const {
  CallOptionsScope scope(call_options_);
  return connection_->push_spare_parts(entry_pk);
}

Result<std::string> Client::call(const std::string& path, const std::string& body_json) const {
  CallOptionsScope scope(call_options_);
  return connection_->call(path, body_json);
}

Future<SparePartsBill> Client::push_spare_parts_async(const std::string& entry_pk) const {
  CallOptionsScope scope(call_options_);
  return connection_->push_spare_parts_async(entry_pk);
}

Future<std::string> Client::call_async(const std::string& path,
                                       const std::string& body_json) const {
  CallOptionsScope scope(call_options_);
  return connection_->call_async(path, body_json);
}

}  // namespace erpbridge::kingdee
