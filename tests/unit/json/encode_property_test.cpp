// Valid JSON out, always: random structs of every family, filled with hostile text (quotes,
// control characters, malformed UTF-8, numbers that JSON does not allow, raw values that
// are not JSON), are encoded and every output is parsed by RapidJSON and by our decoder.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <random>

#include "aftersales/codec.hpp"
#include "ctc/codec.hpp"
#include "kingdee/codec.hpp"
#include "wms/codec.hpp"

namespace json = erpbridge::json;

namespace {

// Text a caller might put in a field: ASCII, escapes, CJK, emoji, controls, bad bytes.
std::string hostile_text(std::mt19937& random) {
  static const char* kPieces[] = {"a",
                                  "Z",
                                  "0",
                                  "\"",
                                  "\\",
                                  "/",
                                  "\n",
                                  "\t",
                                  "\x01",
                                  "\x1f",
                                  "中",
                                  "订单",
                                  "\xf0\x9f\x98\x80",
                                  " ",
                                  "\xff",
                                  "\xc3",
                                  "\xe4\xb8",
                                  "\xed\xa0\x80",
                                  "{",
                                  "}",
                                  "[",
                                  "-",
                                  "e",
                                  ".",
                                  "01",
                                  "1e5",
                                  "null",
                                  "true",
                                  ","};
  std::string out;
  const int pieces = static_cast<int>(random() % 12);
  for (int i = 0; i < pieces; ++i) out += kPieces[random() % std::size(kPieces)];
  if (random() % 16 == 0) out.push_back('\0');
  return out;
}

std::string valid_scalar_text(const char* type, std::mt19937& random) {
  const std::string kind = type;
  if (kind == "integer") return std::to_string(static_cast<int>(random() % 200) - 100);
  if (kind == "decimal") {
    static const char* kDecimals[] = {"0",    "-0.00",  "1310.00", "0.0000000000", "999999999.99",
                                      "-3.5", "1.0E+2", "7e-3"};
    return kDecimals[random() % std::size(kDecimals)];
  }
  if (kind == "date") return "2023-03-0" + std::to_string(1 + random() % 9);
  if (kind == "date-time") return "2020-05-27 20:4" + std::to_string(random() % 10) + ":23";
  if (kind == "timestamp") {
    static const char* kTimes[] = {"2023-03-06", "2023-03-06 15:06:04", "2023-03-06T15:06:04Z",
                                   "2023-03-06T15:06:04.123456+08:00"};
    return kTimes[random() % std::size(kTimes)];
  }
  if (kind == "number") return "2.5";
  return hostile_text(random);  // strings and labels take anything
}

std::string raw_text(std::mt19937& random) {
  static const char* kRaw[] = {
      "{}",  "[1,2]",    "\"x\"", "null", "{not json",
      "1 2", "\"\xff\"", "[",     "",     "{\"k\":{\"n\":[true,false,null]}}",
      "01"};
  return kRaw[random() % std::size(kRaw)];
}

void fill(const json::Codec* codec, void* target, std::mt19937& random, int depth);

void fill_struct(const json::StructDesc& desc, void* target, std::mt19937& random, int depth) {
  for (const json::FieldDesc& field : desc.fields)
    fill(field.codec, field.get(target), random, depth);
  if (desc.extras != nullptr) {
    erpbridge::JsonExtras* extras = desc.extras(target);
    const int count = static_cast<int>(random() % 3);
    for (int i = 0; i < count; ++i) {
      extras->emplace_back(hostile_text(random), erpbridge::RawJson{raw_text(random)});
    }
  }
}

void fill(const json::Codec* codec, void* target, std::mt19937& random, int depth) {
  switch (codec->kind) {
    case json::Codec::Kind::Scalar: {
      const std::string text = valid_scalar_text(codec->type_name, random);
      json::Scalar scalar{json::Scalar::Kind::String, text, random() % 2 == 0};
      if (std::string(codec->type_name) == "boolean") scalar.kind = json::Scalar::Kind::Bool;
      json::FieldFlags flags;
      flags.number_or_string = true;
      std::string problem;
      REQUIRE(codec->decode_scalar(target, scalar, flags, problem));
      return;
    }
    case json::Codec::Kind::Raw:
      static_cast<erpbridge::RawJson*>(target)->text = raw_text(random);
      return;
    case json::Codec::Kind::Optional:
      if (random() % 3 != 0) fill(codec->inner, codec->engage(target), random, depth);
      return;
    case json::Codec::Kind::Array: {
      if (depth > 3) return;
      const int count = static_cast<int>(random() % 3);
      for (int i = 0; i < count; ++i) fill(codec->inner, codec->append(target), random, depth + 1);
      return;
    }
    case json::Codec::Kind::Struct:
      fill_struct(*codec->desc(), target, random, depth);
      return;
  }
}

bool is_utf8(const std::string& text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    const unsigned char c = *p;
    const std::size_t n = c < 0x80                   ? 1
                          : (c >= 0xC2 && c <= 0xDF) ? 2
                          : (c & 0xF0) == 0xE0       ? 3
                          : (c >= 0xF0 && c <= 0xF4) ? 4
                                                     : 0;
    if (n == 0 || static_cast<std::size_t>(end - p) < n) return false;
    for (std::size_t i = 1; i < n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
    }
    if (n == 3 && ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F))) return false;
    if (n == 4 && ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F))) return false;
    p += n;
  }
  return true;
}

template <typename T>
void check_outputs(const char* name, int rounds) {
  std::mt19937 random(20261130);
  for (int round = 0; round < rounds; ++round) {
    T value{};
    fill(json::codec_of<T>(), &value, random, 0);
    const std::string text = json::encode(value);
    INFO(name << " round " << round << ": " << text);
    REQUIRE(is_utf8(text));
    rapidjson::Document document;
    document.Parse(text.c_str(), text.size());
    INFO("parse error "
         << document.GetParseError() << " at " << document.GetErrorOffset() << " near ["
         << text.substr(document.GetErrorOffset() > 8 ? document.GetErrorOffset() - 8 : 0, 16)
         << "]");
    REQUIRE_FALSE(document.HasParseError());
    erpbridge::RawJson again;
    REQUIRE(json::decode(text, again).ok());
  }
}

}  // namespace

TEST_CASE("Every family's structs encode to valid JSON whatever their fields hold") {
  check_outputs<erpbridge::ctc::Receipt>("ctc::Receipt", 300);
  check_outputs<erpbridge::ctc::wire::OutReceipt>("ctc OutReceipt", 100);
  check_outputs<erpbridge::ctc::wire::QueryRequest>("ctc QueryRequest", 100);
  check_outputs<erpbridge::wms::EntryConfirmation>("wms::EntryConfirmation", 300);
  check_outputs<erpbridge::wms::PushReply>("wms::PushReply", 300);
  check_outputs<erpbridge::kingdee::SparePartsBill>("kingdee::SparePartsBill", 200);
  check_outputs<erpbridge::kingdee::wire::PushBody>("kingdee PushBody", 100);
  check_outputs<erpbridge::aftersales::Order>("aftersales::Order", 300);
  check_outputs<erpbridge::aftersales::NewOrder>("aftersales::NewOrder", 100);
  check_outputs<erpbridge::aftersales::OrderUpdate>("aftersales::OrderUpdate", 100);
  check_outputs<erpbridge::aftersales::wire::DutyReportPatch>("DutyReportPatch", 100);
  check_outputs<erpbridge::aftersales::wire::AbnormalProductPatch>("AbnormalProductPatch", 100);
  check_outputs<erpbridge::aftersales::wire::WorkflowAction>("WorkflowAction", 100);
  check_outputs<erpbridge::aftersales::Journal>("aftersales::Journal", 100);
  check_outputs<erpbridge::aftersales::RankEntry>("aftersales::RankEntry", 100);
  check_outputs<erpbridge::aftersales::Product>("aftersales::Product", 100);
  check_outputs<erpbridge::aftersales::SupplierUserMatch>("SupplierUserMatch", 100);
}
