// CTC wire forms, declared once for the JSON engine, and the reply-to-Result mapping.
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <string>
#include <vector>

#include "call/body_stream.hpp"
#include "erpbridge/core/http.hpp"
#include "erpbridge/core/raw_json.hpp"
#include "erpbridge/ctc/types.hpp"
#include "json/engine.hpp"

namespace erpbridge::ctc::wire {

inline constexpr const char* kReceiptsPath = "/doscall/oa/api/receipt_parts/";

struct QueryData {
  std::string type;  // "in" or "out"
  DateTime inputtime_s;
  DateTime inputtime_e;
};

struct QueryRequest {
  std::string key;
  QueryData data;
};

/// Encodes a receipt with the out-direction keys (out_number, outtype).
struct OutReceipt : Receipt {};

/// `res` decides the outcome (strict, number or string); `msg` and `data` are read leniently.
struct ReceiptsReply {
  std::string res;
  std::string msg;
  std::vector<Receipt> data;
};

struct OutReceiptsReply {
  std::string res;
  std::string msg;
  std::vector<OutReceipt> data;
};

struct CallRequest {
  std::string key;
  RawJson data;
};

struct CallReply {
  std::string res;
  std::string msg;
  RawJson data;
};

std::string encode_query(const std::string& key, const ReceiptQuery& query);

/// Maps a receipts reply: non-2xx by status; the documented empty answers (res 2, or msg
/// exactly "2", "无数据" or "2:无数据") an empty list;
/// "1"/签名无效 Unauthenticated; other res Api; an unreadable or missing res Decode. Other
/// fields that do not fit are decode notes on the result.
Result<std::vector<Receipt>> decode_receipts(HttpResponse&& response, Direction direction);
/// The same for a reply decoded while it arrived (`response` holds its status and headers).
Result<std::vector<Receipt>> decode_receipts(internal::DecodedEnvelope<ReceiptsReply> decoded,
                                             const HttpResponse& response, Direction direction);

/// What a failed reply's res and msg say: 签名无效 (res 1, or msg starting with the code 1 or
/// naming it), 无数据 (only as documented: res 2, or msg exactly "2", "无数据" or "2:无数据"),
/// or neither.
enum class VendorReason { None, InvalidSignature, NoData };
VendorReason vendor_reason(const std::string& res, const std::string& msg);

/// {"key":…,"data":<data_json>}; InvalidArgument if data_json is not one JSON value.
Result<std::string> encode_call(const std::string& key, const std::string& data_json);

/// The `data` of a generic call's reply, as JSON text ("null" if absent, "[]" for 无数据).
/// A `write` whose reply cannot be read fails with Error::outcome_unknown.
Result<std::string> decode_call_reply(HttpResponse&& response, const std::string& path, bool write);

/// The same receipts, to be encoded with the out-direction keys.
inline std::vector<OutReceipt> as_out(const std::vector<Receipt>& receipts) {
  std::vector<OutReceipt> out;
  out.reserve(receipts.size());
  for (const Receipt& receipt : receipts) out.push_back(OutReceipt{receipt});
  return out;
}

}  // namespace erpbridge::ctc::wire

namespace erpbridge::json {

template <>
struct Schema<ctc::PartLine> {
  static void describe(StructBuilder<ctc::PartLine>& s) {
    s.field("yunmi_code", &ctc::PartLine::yunmi_code);
    s.field("amount", &ctc::PartLine::amount).number_or_string();
    s.extras(&ctc::PartLine::extras);
  }
};

/// Shared by both directions; `number_key`/`type_key` are what the encoder writes.
template <typename R>
void describe_receipt(StructBuilder<R>& s, const char* number_key, const char* number_alias,
                      const char* type_key, const char* type_alias) {
  s.field(number_key, &ctc::Receipt::number).alias(number_alias);
  s.field(type_key, &ctc::Receipt::type).alias(type_alias);
  s.field("amount", &ctc::Receipt::total_amount).number_or_string();
  s.field("amount_of_money", &ctc::Receipt::amount_of_money);
  s.field("status", &ctc::Receipt::status);
  s.field("number", &ctc::Receipt::work_order_number);
  s.field("inputuser", &ctc::Receipt::creator);
  s.field("inputtime", &ctc::Receipt::created_at);
  s.field("parts_details", &ctc::Receipt::parts);
  s.extras(&ctc::Receipt::extras);
}

template <>
struct Schema<ctc::Receipt> {
  static void describe(StructBuilder<ctc::Receipt>& s) {
    describe_receipt(s, "in_number", "out_number", "intype", "outtype");
  }
};

template <>
struct Schema<ctc::wire::OutReceipt> {
  static void describe(StructBuilder<ctc::wire::OutReceipt>& s) {
    describe_receipt(s, "out_number", "in_number", "outtype", "intype");
  }
};

template <>
struct Schema<ctc::wire::QueryData> {
  static void describe(StructBuilder<ctc::wire::QueryData>& s) {
    s.field("type", &ctc::wire::QueryData::type).required();
    s.field("inputtime_s", &ctc::wire::QueryData::inputtime_s).required();
    s.field("inputtime_e", &ctc::wire::QueryData::inputtime_e).required();
  }
};

template <>
struct Schema<ctc::wire::QueryRequest> {
  static void describe(StructBuilder<ctc::wire::QueryRequest>& s) {
    s.field("key", &ctc::wire::QueryRequest::key).required();
    s.field("data", &ctc::wire::QueryRequest::data).required();
  }
};

template <typename Reply>
void describe_reply(StructBuilder<Reply>& s) {
  s.field("res", &Reply::res).required().strict().number_or_string().as_number();
  s.field("msg", &Reply::msg).number_or_string();
  s.field("data", &Reply::data);
}

template <>
struct Schema<ctc::wire::ReceiptsReply> {
  static void describe(StructBuilder<ctc::wire::ReceiptsReply>& s) { describe_reply(s); }
};
template <>
struct Schema<ctc::wire::OutReceiptsReply> {
  static void describe(StructBuilder<ctc::wire::OutReceiptsReply>& s) { describe_reply(s); }
};
template <>
struct Schema<ctc::wire::CallReply> {
  static void describe(StructBuilder<ctc::wire::CallReply>& s) { describe_reply(s); }
};

template <>
struct Schema<ctc::wire::CallRequest> {
  static void describe(StructBuilder<ctc::wire::CallRequest>& s) {
    s.field("key", &ctc::wire::CallRequest::key);
    s.field("data", &ctc::wire::CallRequest::data);
  }
};

}  // namespace erpbridge::json
