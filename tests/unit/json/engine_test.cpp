#include <catch2/catch.hpp>
#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <thread>

#include "json/engine.hpp"

namespace sample {

enum class Color { Unknown, Red, Green };

struct Part {
  std::string code;
  int amount = 0;
};

struct Everything {
  std::string name;
  std::int64_t count = 0;
  bool flag = false;
  double ratio = 0;
  erpbridge::Decimal money;
  erpbridge::Decimal qty;
  erpbridge::Date day;
  erpbridge::DateTime at;
  erpbridge::Labeled<Color> color;
  std::vector<Part> parts;
  std::optional<std::string> note;
  std::optional<erpbridge::DateTime> modified;
  erpbridge::RawJson props;
  std::optional<std::string> shelf_unit;
  std::string code;
  int total_lines = 0;
  erpbridge::JsonExtras extras;
};

struct Envelope {
  int res = 0;
  std::vector<Part> data;
};

struct Batch {
  std::vector<Part> items;
};

}  // namespace sample

template <>
struct erpbridge::LabelTraits<sample::Color> {
  static constexpr sample::Color unknown = sample::Color::Unknown;
  static constexpr erpbridge::LabelEntry<sample::Color> entries[] = {{sample::Color::Red, "红"},
                                                                     {sample::Color::Green, "绿"}};
};

namespace erpbridge::json {

template <>
struct Schema<sample::Part> {
  static void describe(StructBuilder<sample::Part>& s) {
    s.field("code", &sample::Part::code).alias("yunmi_code");
    s.field("amount", &sample::Part::amount);
  }
};

template <>
struct Schema<sample::Everything> {
  static void describe(StructBuilder<sample::Everything>& s) {
    using E = sample::Everything;
    s.field("name", &E::name).required();
    s.field("count", &E::count);
    s.field("flag", &E::flag);
    s.field("ratio", &E::ratio);
    s.field("money", &E::money);
    s.field("qty", &E::qty).as_number();
    s.field("day", &E::day);
    s.field("at", &E::at);
    s.field("color", &E::color);
    s.field("parts", &E::parts);
    s.field("note", &E::note);
    s.field("modified", &E::modified).null_if_absent();
    s.field("props", &E::props);
    s.field("shelf_unit", &E::shelf_unit).null_string_absent();
    s.field("code", &E::code).number_or_string();
    s.field("total_order_lines", &E::total_lines).alias("totalorderlines");
    s.extras(&E::extras);
  }
};

template <>
struct Schema<sample::Envelope> {
  static void describe(StructBuilder<sample::Envelope>& s) {
    s.field("res", &sample::Envelope::res).number_or_string();
    s.field("data", &sample::Envelope::data);
  }
};

template <>
struct Schema<sample::Batch> {
  static void describe(StructBuilder<sample::Batch>& s) {
    s.field("items", &sample::Batch::items).one_or_many();
  }
};

}  // namespace erpbridge::json

using erpbridge::ErrorCode;
using erpbridge::json::decode;
using erpbridge::json::encode;
using sample::Everything;

namespace {

const char* kFull = R"({
  "name": "入库单",
  "count": 9007199254740993,
  "flag": true,
  "ratio": 0.25,
  "money": "1310.00",
  "qty": 100.0,
  "day": "2023-03-02",
  "at": "2020-05-27 20:40:23",
  "color": "绿",
  "parts": [{"yunmi_code": "20.02.09.03.0063", "amount": 10}, {"code": "P2", "amount": 0}],
  "note": "备注",
  "modified": null,
  "props": {"a": [1, 2.50, "x"], "b": {}},
  "shelf_unit": "null",
  "code": 0,
  "totalorderlines": 2,
  "unknown_number": 1.50,
  "unknown_object": {"k": ["v", null, true]}
})";

const char* kFullEncoded =
    R"({"name":"入库单","count":9007199254740993,"flag":true,"ratio":0.25,"money":"1310.00",)"
    R"("qty":100.0,"day":"2023-03-02","at":"2020-05-27 20:40:23","color":"绿",)"
    R"("parts":[{"code":"20.02.09.03.0063","amount":10},{"code":"P2","amount":0}],)"
    R"("note":"备注","modified":null,"props":{"a":[1,2.50,"x"],"b":{}},"code":"0",)"
    R"("total_order_lines":2,"unknown_number":1.50,"unknown_object":{"k":["v",null,true]}})";

}  // namespace

TEST_CASE("JSON engine decodes every field kind") {
  auto decoded = decode<Everything>(kFull);
  REQUIRE(decoded.ok());
  const Everything& e = *decoded;
  CHECK(e.name == "入库单");
  CHECK(e.count == 9007199254740993LL);  // beyond double precision, kept exactly
  CHECK(e.flag);
  CHECK(e.ratio == 0.25);
  CHECK(e.money.to_string() == "1310.00");
  CHECK(e.qty.to_string() == "100.0");
  CHECK(e.day.to_string() == "2023-03-02");
  CHECK(e.at.to_string() == "2020-05-27 20:40:23");
  CHECK(e.color == sample::Color::Green);
  CHECK(e.color.label() == "绿");
  REQUIRE(e.parts.size() == 2);
  CHECK(e.parts[0].code == "20.02.09.03.0063");
  CHECK(e.parts[0].amount == 10);
  CHECK(e.parts[1].code == "P2");
  CHECK(e.note == std::optional<std::string>("备注"));
  CHECK_FALSE(e.modified.has_value());
  CHECK(e.props.text == R"({"a":[1,2.50,"x"],"b":{}})");
  CHECK_FALSE(e.shelf_unit.has_value());  // the string "null" is absent
  CHECK(e.code == "0");                   // number accepted for a string
  CHECK(e.total_lines == 2);              // alias key
  REQUIRE(e.extras.size() == 2);
  CHECK(e.extras[0].first == "unknown_number");
  CHECK(e.extras[0].second.text == "1.50");
  CHECK(e.extras[1].first == "unknown_object");
  CHECK(e.extras[1].second.text == R"({"k":["v",null,true]})");
}

TEST_CASE("JSON engine re-encodes to equal JSON and round-trips") {
  auto decoded = decode<Everything>(kFull);
  REQUIRE(decoded.ok());
  std::string encoded = encode(*decoded);
  CHECK(encoded == kFullEncoded);
  auto again = decode<Everything>(encoded);
  REQUIRE(again.ok());
  CHECK(encode(*again) == encoded);
}

TEST_CASE("JSON engine encodes whole values one after another, large or small") {
  // Each thread reuses one buffer for encoding; a large value must not leak into the next.
  std::vector<std::string> many(200000, "螺丝");
  const std::string large = encode(many);
  CHECK(large.size() == 2 + 200000 * 9 - 1);
  CHECK(large.substr(0, 10) == "[\"螺丝\",");
  auto decoded = decode<Everything>(kFull);
  REQUIRE(decoded.ok());
  CHECK(encode(*decoded) == kFullEncoded);
  CHECK(encode(std::vector<int>{1, 2}) == "[1,2]");
  std::string from_threads[2];
  std::thread first([&] { from_threads[0] = encode(*decoded); });
  std::thread second([&] { from_threads[1] = encode(many); });
  first.join();
  second.join();
  CHECK(from_threads[0] == kFullEncoded);
  CHECK(from_threads[1] == large);
}

TEST_CASE("JSON engine writes dates and date-times as their text, in any year") {
  // Four-digit years, and years before 0 and past 9999 (which no document sends, but a
  // caller's arithmetic can make), as to_string() has them.
  for (const std::int64_t days : {std::int64_t{0}, std::int64_t{19698}, std::int64_t{-719529},
                                  std::int64_t{2932897}, std::int64_t{-800000}}) {
    INFO(days);
    Everything value;
    value.day = erpbridge::Date::from_days_since_epoch(days);
    value.at = erpbridge::DateTime::from_seconds_since_epoch(days * 86400 + 3723);
    const std::string encoded = encode(value);
    CHECK(encoded.find("\"" + value.day.to_string() + "\"") != std::string::npos);
    CHECK(encoded.find("\"" + value.at.to_string() + "\"") != std::string::npos);
  }
  CHECK(erpbridge::DateTime::from_seconds_since_epoch(19698LL * 86400 + 3723).to_string() ==
        "2023-12-07 01:02:03");
  CHECK(erpbridge::Date::from_days_since_epoch(2932897).to_string() == "10000-01-01");
  CHECK(erpbridge::DateTime::from_seconds_since_epoch(2932897LL * 86400 + 3723).to_string() ==
        "10000-01-01 01:02:03");
}

TEST_CASE("JSON engine accepts a number or a numeric string where declared lenient") {
  auto as_number = decode<sample::Envelope>(R"({"res":1,"data":[]})");
  auto as_string = decode<sample::Envelope>(R"({"res":"1","data":[]})");
  REQUIRE(as_number.ok());
  REQUIRE(as_string.ok());
  CHECK(as_number->res == 1);
  CHECK(as_string->res == 1);
  // Not lenient: a string for an integer is an error.
  auto strict = decode<sample::Envelope>(R"({"res":0,"data":[{"code":"a","amount":"10"}]})");
  REQUIRE_FALSE(strict.ok());
  CHECK(strict.error().message == "data[0].amount: expected integer, got string");
}

TEST_CASE("JSON engine names the JSON path of a wrong type deep in an array") {
  auto result = decode<sample::Envelope>(
      R"({"res":0,"data":[{"amount":1},{"amount":2},{"amount":3},{"amount":"x"}]})");
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::Decode);
  CHECK(result.error().message == "data[3].amount: expected integer, got string");

  auto nested = decode<Everything>(R"({"name":"n","parts":[{"code":"a"},{"amount":1.5}]})");
  REQUIRE_FALSE(nested.ok());
  CHECK(nested.error().message == "parts[1].amount: expected integer, got \"1.5\"");

  auto object_for_scalar = decode<Everything>(R"({"name":{"x":1}})");
  CHECK(object_for_scalar.error().message == "name: expected string, got object");
  auto bad_decimal = decode<Everything>(R"({"name":"n","money":"1e99"})");
  CHECK(bad_decimal.error().message ==
        "money: invalid decimal \"1e99\": out of range: more than 38 significant digits");
  auto bad_date = decode<Everything>(R"({"name":"n","day":"2023-02-29"})");
  CHECK(bad_date.error().message.rfind("day: invalid date \"2023-02-29\"", 0) == 0);
  auto overflow = decode<Everything>(R"({"name":"n","parts":[{"amount":3000000000}]})");
  CHECK(overflow.error().message == "parts[0].amount: integer 3000000000 is out of range");
}

TEST_CASE("JSON engine reports missing required fields and malformed JSON") {
  auto missing = decode<Everything>(R"({"count":1})");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == "name: missing required field");

  auto truncated = decode<Everything>(R"({"name":"n","parts":[{"code":"a")");
  REQUIRE_FALSE(truncated.ok());
  CHECK(truncated.error().code == ErrorCode::Decode);
  CHECK(truncated.error().message.rfind("invalid JSON at offset", 0) == 0);

  CHECK(decode<Everything>("").error().message.find("empty") != std::string::npos);
  CHECK(decode<Everything>("<html></html>").error().code == ErrorCode::Decode);
  CHECK(decode<Everything>(R"({"name":"n"} {})").error().code == ErrorCode::Decode);
  CHECK(decode<Everything>("[1,2]").error().message == "(root): expected object, got array");
  CHECK(decode<Everything>("{\"name\":\"\xff\"}").error().code == ErrorCode::Decode);
}

TEST_CASE("JSON engine checks UTF-8 in every string and key it reads") {
  // Overlong, surrogate, above U+10FFFF, truncated, stray continuation byte.
  for (const char* bad : {"\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                          "\xe5\x8f", "\x80", "abcdefgh\xe5\x8f"}) {
    const std::string as_value = std::string(R"({"name":")") + bad + "\"}";
    auto value = decode<Everything>(as_value);
    REQUIRE_FALSE(value.ok());
    CHECK(value.error().message == "name: string is not valid UTF-8");
    // Unknown keys are checked too, and so are values that are only skipped.
    CHECK_FALSE(decode<Everything>(std::string("{\"") + bad + "\":1}").ok());
    CHECK_FALSE(decode<Everything>(std::string(R"({"skip":[")") + bad + "\"]}").ok());
  }
  // A lone low surrogate escape decodes to bytes that are not UTF-8.
  CHECK_FALSE(decode<Everything>(R"({"name":"\udc00"})").ok());
  auto good = decode<Everything>("{\"name\":\"采购入库 é 😀 \\u5e93\"}");
  REQUIRE(good.ok());
  CHECK(good->name == "采购入库 é 😀 库");
}

TEST_CASE("JSON engine: a NUL byte ends nothing early, whichever way the text is passed") {
  const std::string with_nul = std::string(R"({"name":"n"})") + '\0' + "{}";
  auto from_string = decode<Everything>(with_nul);
  REQUIRE_FALSE(from_string.ok());
  CHECK(from_string.error().message.rfind("invalid JSON at offset 12", 0) == 0);
  auto from_view = decode<Everything>(std::string_view(with_nul));
  REQUIRE_FALSE(from_view.ok());
  CHECK(from_view.error().message.rfind("invalid JSON at offset 12", 0) == 0);
  CHECK_FALSE(decode<Everything>(std::string("{\"name\":\"a") + '\0' + "b\"}").ok());
}

TEST_CASE("JSON engine refuses nesting deeper than 256 levels without recursing further") {
  const std::string deep =
      std::string(R"({"skip":)") + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto result = decode<Everything>(deep);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().message.find("nested deeper than 256 levels") != std::string::npos);
  const std::string fine = std::string(R"({"skip":)") + std::string(200, '[') +
                           std::string(200, ']') + R"(,"name":"n"})";
  auto shallow = decode<Everything>(fine);
  REQUIRE(shallow.ok());
  CHECK(shallow->name == "n");
}

TEST_CASE("JSON engine: a long array near the root is reserved once, and still decodes exactly") {
  // Elements of equal size whose JSON outweighs the struct: the estimate is then exact.
  const std::string padding(300, 'x');
  std::string text = R"({"res":0,"data":[)";
  for (int i = 10000; i < 15000; ++i) {
    text +=
        (i > 10000 ? "," : "") + std::string(R"({"code":")") + padding + std::to_string(i) + "\"}";
  }
  text += "]}";
  auto result = decode<sample::Envelope>(text);
  REQUIRE(result.ok());
  REQUIRE(result->data.size() == 5000);
  CHECK(result->data[4999].code == padding + "14999");
  // Grown one push at a time the capacity would be 8192; reserved from the first 64
  // elements' size, with a sixteenth to spare, it is 5,308.
  CHECK(result->data.capacity() >= 5000);
  CHECK(result->data.capacity() <= 5000 + 5000 / 16 + 10);
}

TEST_CASE("JSON engine skips unknown keys of structs without extras, however nested") {
  auto result = decode<sample::Envelope>(
      R"({"skip":{"a":[{"b":{"c":[1,2,{"d":null}]}}]},"res":0,"data":[{"code":"x","more":[[]]}]})");
  REQUIRE(result.ok());
  REQUIRE(result->data.size() == 1);
  CHECK(result->data[0].code == "x");
}

TEST_CASE("JSON engine treats null as absent and accepts one object for one_or_many") {
  auto nulls = decode<Everything>(R"({"name":"n","parts":null,"money":null,"note":null})");
  REQUIRE(nulls.ok());
  CHECK(nulls->parts.empty());
  CHECK_FALSE(nulls->note.has_value());
  auto single = decode<sample::Batch>(R"({"items":{"code":"only","amount":1}})");
  REQUIRE(single.ok());
  REQUIRE(single->items.size() == 1);
  CHECK(single->items[0].code == "only");
  auto list = decode<sample::Batch>(R"({"items":[{"code":"a"},{"code":"b"}]})");
  CHECK(list->items.size() == 2);
  CHECK_FALSE(decode<sample::Envelope>(R"({"data":{"code":"x"}})").ok());
}

TEST_CASE("JSON engine decodes a root array and encodes escapes correctly") {
  auto parts = decode<std::vector<sample::Part>>(R"([{"code":"a\"b\\c\n","amount":-5}])");
  REQUIRE(parts.ok());
  REQUIRE(parts->size() == 1);
  CHECK((*parts)[0].code == "a\"b\\c\n");
  CHECK((*parts)[0].amount == -5);
  CHECK(encode(*parts) == R"([{"code":"a\"b\\c\n","amount":-5}])");
  Everything empty;
  CHECK(encode(empty) ==
        R"({"name":"","count":0,"flag":false,"ratio":0.0,"money":"0","qty":0,"day":"1970-01-01",)"
        R"("at":"1970-01-01 00:00:00","color":"","parts":[],"modified":null,"props":null,)"
        R"("code":"","total_order_lines":0})");
}

namespace sample {
struct Line {
  std::string material_number;
  std::string material_name;
  std::string deep;
  std::optional<erpbridge::DateTime> audited;
  int seq = 0;
  erpbridge::JsonExtras extras;
};
}  // namespace sample

template <>
struct erpbridge::json::Schema<sample::Line> {
  static void describe(StructBuilder<sample::Line>& s) {
    s.field("materialid_number", &sample::Line::material_number).alias("materialid.number");
    s.field("materialid_name", &sample::Line::material_name).alias("materialid.name");
    s.field("a_b_c", &sample::Line::deep).alias("a.b.c");
    s.field("audittime", &sample::Line::audited).empty_absent();
    s.field("seq", &sample::Line::seq).number_or_string();
    s.extras(&sample::Line::extras);
  }
};

TEST_CASE("JSON engine: dotted aliases also decode the nested form") {
  auto flat = decode<sample::Line>(
      R"({"materialid_number":"M1","materialid_name":"螺丝","a_b_c":"x","seq":"2"})");
  auto nested = decode<sample::Line>(
      R"({"materialid":{"number":"M1","name":"螺丝"},"a":{"b":{"c":"x"}},"seq":2})");
  REQUIRE(flat.ok());
  REQUIRE(nested.ok());
  CHECK(encode(*flat) == encode(*nested));
  CHECK(nested->material_number == "M1");
  CHECK(nested->material_name == "螺丝");
  CHECK(nested->deep == "x");
  CHECK(nested->extras.empty());
  auto literal = decode<sample::Line>(R"({"materialid.number":"M2"})");
  CHECK(literal->material_number == "M2");
  auto wrong = decode<sample::Line>(R"({"materialid":{"number":5}})");
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().message == "materialid.number: expected string, got number");
  // A group key with a non-object value is kept like any unknown key.
  auto scalar = decode<sample::Line>(R"({"materialid":"7"})");
  REQUIRE(scalar->extras.size() == 1);
  CHECK(scalar->extras[0].first == "materialid");
}

TEST_CASE("JSON engine keeps each unknown scalar as the JSON that writes it") {
  auto line = decode<sample::Line>(
      R"({"plain":"螺丝 M3","quoted":"a\"b\\c","escaped":"\u4e2d\n","number":-1.50e2,)"
      R"("yes":true,"no":false,"none":null,"list":["x\"",{"k":"\u0041"}]})");
  REQUIRE(line.ok());
  REQUIRE(line->extras.size() == 8);
  CHECK(line->extras[0].second.text == R"("螺丝 M3")");
  CHECK(line->extras[1].second.text == R"("a\"b\\c")");
  CHECK(line->extras[2].second.text == "\"中\\n\"");
  CHECK(line->extras[3].second.text == "-1.50e2");
  CHECK(line->extras[4].second.text == "true");
  CHECK(line->extras[5].second.text == "false");
  CHECK(line->extras[6].second.text == "null");
  CHECK(line->extras[7].second.text == R"(["x\"",{"k":"A"}])");
  // Each object of an array reuses what the previous one's keys resolved to, and a change of
  // key order or of keys is still decoded right.
  auto lines = decode<std::vector<sample::Line>>(
      R"([{"seq":1,"odd":"a","materialid_name":"n1"},{"seq":2,"odd":"b","materialid_name":"n2"},)"
      R"({"materialid_name":"n3","seq":3},{"odd2":1,"seq":4,"odd":"c"}])");
  REQUIRE(lines.ok());
  REQUIRE(lines->size() == 4);
  CHECK((*lines)[1].seq == 2);
  CHECK((*lines)[1].material_name == "n2");
  CHECK((*lines)[1].extras.size() == 1);
  CHECK((*lines)[2].seq == 3);
  CHECK((*lines)[2].material_name == "n3");
  CHECK((*lines)[2].extras.empty());
  CHECK((*lines)[3].seq == 4);
  REQUIRE((*lines)[3].extras.size() == 2);
  CHECK((*lines)[3].extras[0].first == "odd2");
  CHECK((*lines)[3].extras[1].first == "odd");
  // Keys written with escapes are remembered only by their meaning.
  auto escaped = decode<std::vector<sample::Line>>(
      R"([{"se\u0071":1,"o\u0064d":"x"},{"seq":2,"odd":"y"},{"se\u0071":3,"o\u0064d":"z"}])");
  REQUIRE(escaped.ok());
  REQUIRE(escaped->size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK((*escaped)[i].seq == static_cast<int>(i) + 1);
    REQUIRE((*escaped)[i].extras.size() == 1);
    CHECK((*escaped)[i].extras[0].first == "odd");
  }
}

TEST_CASE("JSON engine: empty_absent treats \"\" as absent") {
  auto empty = decode<sample::Line>(R"({"audittime":""})");
  REQUIRE(empty.ok());
  CHECK_FALSE(empty->audited.has_value());
  auto set = decode<sample::Line>(R"({"audittime":"2023-03-06 15:06:04"})");
  CHECK(set->audited->to_string() == "2023-03-06 15:06:04");
}
