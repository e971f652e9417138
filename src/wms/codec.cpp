#include "wms/codec.hpp"

namespace erpbridge::wms {

std::string to_json(const EntryConfirmation& confirmation) {
  return json::encode(confirmation);
}

Result<EntryConfirmation> parse_entry_confirmation(std::string_view text) {
  return json::decode<EntryConfirmation>(text);
}

std::string to_json(const PushReply& reply) {
  return json::encode(reply);
}

Result<PushReply> parse_push_reply(std::string_view text) {
  return json::decode<PushReply>(text);
}

}  // namespace erpbridge::wms
