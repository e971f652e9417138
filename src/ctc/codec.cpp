#include "ctc/codec.hpp"

#include <algorithm>

#include "core/executor.hpp"

namespace erpbridge::ctc::wire {
namespace {

bool mentions(const std::string& text, const char* word) {
  return text.find(word) != std::string::npos;
}

// res != 0: "2 无数据" is an empty result; "1 签名无效" is Unauthenticated; others Api.
Result<std::vector<Receipt>> vendor_failure(const std::string& res, const std::string& msg,
                                            const char* context) {
  if (res == "2" || mentions(msg, "无数据")) return std::vector<Receipt>{};
  Error error;
  error.code =
      res == "1" || mentions(msg, "签名无效") ? ErrorCode::Unauthenticated : ErrorCode::Api;
  error.http_status = 200;
  error.vendor_code = res;
  error.vendor_message = msg;
  error.message = std::string(context) + " failed: res " + res + (msg.empty() ? "" : " " + msg);
  return error;
}

bool is_success(const std::string& res) {
  return res == "0";
}

}  // namespace

std::string encode_query(const std::string& key, const ReceiptQuery& query) {
  QueryRequest request{key, QueryData{to_string(query.direction), query.start, query.end}};
  return json::encode(request);
}

Result<std::vector<Receipt>> decode_receipts(const HttpResponse& response, Direction direction) {
  if (response.status != 200) return internal::error_from_status(response, "CTC receipt_parts");
  ReceiptsReply reply;
  Result<void> decoded = json::decode(response.body, reply);
  if (!decoded.ok()) {
    // A failure reply may carry a `data` of another shape: report the vendor's answer.
    ReplyHeader header;
    if (json::decode(response.body, header).ok() && !is_success(header.res)) {
      return vendor_failure(header.res, header.msg, "CTC receipt_parts");
    }
    Error error = std::move(decoded).error();
    error.message = "CTC receipt_parts reply: " + error.message;
    error.http_status = response.status;
    return error;
  }
  if (!is_success(reply.res)) return vendor_failure(reply.res, reply.msg, "CTC receipt_parts");
  for (Receipt& receipt : reply.data) receipt.direction = direction;
  return std::move(reply.data);
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

Result<std::string> decode_call_reply(const HttpResponse& response, const std::string& path) {
  const std::string context = "CTC " + path;
  if (response.status != 200) return internal::error_from_status(response, context);
  CallReply reply;
  Result<void> decoded = json::decode(response.body, reply);
  if (!decoded.ok()) {
    Error error = std::move(decoded).error();
    error.message = context + " reply: " + error.message;
    return error;
  }
  if (!is_success(reply.res)) {
    Result<std::vector<Receipt>> failure = vendor_failure(reply.res, reply.msg, context.c_str());
    if (failure.ok()) return std::string("[]");  // 无数据: nothing to return
    return std::move(failure).error();
  }
  return reply.data.empty() ? std::string("null") : reply.data.text;
}

std::string encode_receipts_reply(const std::string& res, const std::string& msg,
                                  const std::vector<Receipt>& receipts, Direction direction) {
  if (direction == Direction::In) return json::encode(ReceiptsReply{res, msg, receipts});
  return json::encode(OutReceiptsReply{res, msg, as_out(receipts)});
}

std::vector<OutReceipt> as_out(const std::vector<Receipt>& receipts) {
  std::vector<OutReceipt> out;
  out.reserve(receipts.size());
  for (const Receipt& receipt : receipts) out.push_back(OutReceipt{receipt});
  return out;
}

}  // namespace erpbridge::ctc::wire

namespace erpbridge::ctc {

std::string to_json(const std::vector<Receipt>& receipts) {
  const bool all_out = !receipts.empty() &&
                       std::all_of(receipts.begin(), receipts.end(), [](const Receipt& receipt) {
                         return receipt.direction == Direction::Out;
                       });
  if (!all_out) return json::encode(receipts);
  return json::encode(wire::as_out(receipts));
}

}  // namespace erpbridge::ctc
