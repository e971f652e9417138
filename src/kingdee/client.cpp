#include "erpbridge/kingdee/client.hpp"

namespace erpbridge::kingdee {

Client::Client(Options options) : ClientBase(make_connection(std::move(options))) {}

Result<SparePartsBill> Client::push_spare_parts(const std::string& entry_pk) const {
  return forward(&Connection::push_spare_parts, entry_pk);
}

Result<std::string> Client::call(const std::string& path, const std::string& body_json) const {
  return forward(&Connection::call, path, body_json);
}

Future<SparePartsBill> Client::push_spare_parts_async(const std::string& entry_pk) const {
  return forward(&Connection::push_spare_parts_async, entry_pk);
}

Future<std::string> Client::call_async(const std::string& path,
                                       const std::string& body_json) const {
  return forward(&Connection::call_async, path, body_json);
}

}  // namespace erpbridge::kingdee
