#include "ctc/codec.hpp"

#include <algorithm>

#include "call/reply.hpp"

namespace erpbridge::ctc::wire {
namespace {

bool mentions(const std::string& text, const char* word) {
  return text.find(word) != std::string::npos;
}

// "1", "1:签名无效", "1 签名无效", "1：签名无效": the code CTC's table puts in msg.
bool leads_with_code(const std::string& text, char code) {
  if (text.empty() || text[0] != code) return false;
  if (text.size() == 1) return true;
  const char next = text[1];
  return next == ':' || next == ' ' || text.compare(1, 3, "：") == 0;
}

bool is_success(const std::string& res) {
  return res == "0";
}

}  // namespace

VendorReason vendor_reason(const std::string& res, const std::string& msg) {
  if (res == "1" || leads_with_code(msg, '1') || mentions(res, "签名无效") ||
      mentions(msg, "签名无效")) {
    return VendorReason::InvalidSignature;
  }
  // Only the documented empty answers: a failure whose text merely mentions 无数据 is a
  // failure, never an empty list.
  if (res == "2" || msg == "2" || msg == "无数据" || msg == "2:无数据") return VendorReason::NoData;
  return VendorReason::None;
}

namespace {

// The verdict on res: "0" succeeds; 无数据 succeeds with no receipts; 签名无效 is
// Unauthenticated; any other value an Api error.
template <typename Reply>
internal::Verdict judge(Reply& reply, const HttpResponse& response,
                        const internal::CallContext& call, bool& no_data) {
  if (is_success(reply.res)) return internal::Verdict::success();
  switch (vendor_reason(reply.res, reply.msg)) {
    case VendorReason::NoData:
      no_data = true;
      return internal::Verdict::success();
    case VendorReason::InvalidSignature:
      return internal::Verdict::failure(internal::vendor_error(
          ErrorCode::Unauthenticated, "res", reply.res, reply.msg, response, call));
    case VendorReason::None:
      break;
  }
  return internal::Verdict::failure(
      internal::vendor_error(ErrorCode::Api, "res", reply.res, reply.msg, response, call));
}

}  // namespace

std::string encode_query(const std::string& key, const ReceiptQuery& query) {
  QueryRequest request{key, QueryData{to_string(query.direction), query.start, query.end}};
  return json::encode(request);
}

Result<std::vector<Receipt>> decode_receipts(HttpResponse&& response, Direction direction) {
  internal::DecodedEnvelope<ReceiptsReply> decoded = internal::decode_body<ReceiptsReply>(response);
  return decode_receipts(std::move(decoded), response, direction);
}

Result<std::vector<Receipt>> decode_receipts(internal::DecodedEnvelope<ReceiptsReply> decoded,
                                             const HttpResponse& response, Direction direction) {
  const internal::CallContext call{"CTC receipt_parts", false};
  bool no_data = false;
  Result<ReceiptsReply> reply =
      internal::judge_reply(std::move(decoded), response, call,
                            [&](ReceiptsReply& r) { return judge(r, response, call, no_data); });
  if (!reply.ok()) return std::move(reply).error();
  if (no_data)
    return internal::with_notes_of(Result<std::vector<Receipt>>(std::vector<Receipt>{}), reply);
  // Receipts decode as In; only Out replies need a second pass over them (for 100k receipts
  // that pass alone cost 10+ ms of cache misses).
  if (direction != Direction::In) {
    for (Receipt& receipt : reply->data) receipt.direction = direction;
  }
  return internal::with_notes_of(Result<std::vector<Receipt>>(std::move(reply->data)), reply);
}

Result<std::string> encode_call(const std::string& key, const std::string& data_json) {
  CallRequest request;
  request.key = key;
  Result<void> parsed = json::decode(data_json, request.data);
  if (!parsed.ok()) {
    return make_error(ErrorCode::InvalidArgument,
                      "data_json is not valid JSON: " + parsed.error().message);
  }
  return json::encode(request);
}

Result<std::string> decode_call_reply(HttpResponse&& response, const std::string& path,
                                      bool write) {
  const internal::CallContext call{"CTC " + path, write};
  bool no_data = false;
  Result<CallReply> reply = internal::read_reply<CallReply>(
      response, call, [&](CallReply& r) { return judge(r, response, call, no_data); });
  if (!reply.ok()) return std::move(reply).error();
  if (no_data) return internal::with_notes_of(Result<std::string>(std::string("[]")), reply);
  return internal::with_notes_of(
      Result<std::string>(reply->data.empty() ? std::string("null") : reply->data.text), reply);
}

}  // namespace erpbridge::ctc::wire
