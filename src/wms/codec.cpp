#include "wms/codec.hpp"

namespace erpbridge::wms::wire {

std::string encode_push(const EntryConfirmation& confirmation) {
  return json::encode(confirmation);
}

Result<PushReply> decode_push_reply(HttpResponse&& response, const std::string& entry_code) {
  const internal::CallContext call{"WMS push of " + entry_code, false};
  Result<PushReply> reply = internal::read_reply<PushReply>(response, call, [&](PushReply& r) {
    if (r.succeeded()) return internal::Verdict::success();
    return internal::Verdict::failure(
        internal::vendor_error(ErrorCode::Api, "code", r.code, r.message, response, call));
  });
  if (reply.ok()) {
    // The document says both must be returned; a reply without them still means the order
    // was taken.
    for (auto [name, value] :
         {std::pair{"bil_id", &reply->bil_id}, std::pair{"bil_no", &reply->bil_no}}) {
      if (value->empty()) {
        internal::add_note(reply, name,
                           "missing from a successful reply (the document says it must be "
                           "returned)");
      }
    }
  }
  return reply;
}

}  // namespace erpbridge::wms::wire
