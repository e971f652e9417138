// decode_reply(): a reply's fields are read leniently (a misfit is a note, never a failure)
// except the ones declared strict; and what the engine refuses to describe or to write.
#include <catch2/catch.hpp>
#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <random>

#include "json/engine.hpp"

namespace lenient_sample {

struct Item {
  std::string code;
  std::int64_t amount = 0;
  erpbridge::JsonExtras extras;
};

struct Reply {
  std::string status;  // strict: decides the outcome
  std::optional<std::int64_t> id;
  erpbridge::Decimal money;
  std::optional<erpbridge::Decimal> qty;
  std::optional<erpbridge::Timestamp> at;
  std::optional<bool> paid;
  std::vector<Item> items;
  std::optional<Item> main;
  std::string note;
};

struct Picker {
  std::string id;
  std::string number;
  std::string name;
  erpbridge::JsonExtras extras;
};

struct Numbers {
  std::string code;
};

}  // namespace lenient_sample

namespace erpbridge::json {

template <>
struct Schema<lenient_sample::Item> {
  static void describe(StructBuilder<lenient_sample::Item>& s) {
    s.field("code", &lenient_sample::Item::code);
    s.field("amount", &lenient_sample::Item::amount);
    s.extras(&lenient_sample::Item::extras);
  }
};

template <>
struct Schema<lenient_sample::Reply> {
  static void describe(StructBuilder<lenient_sample::Reply>& s) {
    using R = lenient_sample::Reply;
    s.field("status", &R::status).required().strict().number_or_string();
    s.field("id", &R::id);
    s.field("money", &R::money);
    s.field("qty", &R::qty);
    s.field("at", &R::at);
    s.field("paid", &R::paid);
    s.field("items", &R::items);
    s.field("main", &R::main);
    s.field("note", &R::note);
  }
};

template <>
struct Schema<lenient_sample::Picker> {
  static void describe(StructBuilder<lenient_sample::Picker>& s) {
    using P = lenient_sample::Picker;
    s.field("picker_id", &P::id).alias("picker.id");
    s.field("picker_number", &P::number).alias("picker.number");
    s.field("picker_name", &P::name).group_scalar("picker");
    s.extras(&P::extras);
  }
};

template <>
struct Schema<lenient_sample::Numbers> {
  static void describe(StructBuilder<lenient_sample::Numbers>& s) {
    s.field("code", &lenient_sample::Numbers::code).as_number();
  }
};

}  // namespace erpbridge::json

using erpbridge::DecodeNotes;
using erpbridge::ErrorCode;
using erpbridge::json::decode;
using erpbridge::json::decode_reply;
using erpbridge::json::encode;
using lenient_sample::Reply;

namespace {

Reply reply_of(const char* text, DecodeNotes& notes) {
  Reply reply;
  auto decoded = decode_reply(text, reply, notes);
  INFO(text);
  REQUIRE(decoded.ok());
  return reply;
}

}  // namespace

TEST_CASE("decode_reply: a field that does not fit is a note, the member stays empty") {
  DecodeNotes notes;
  Reply reply = reply_of(
      R"({"status":0,"id":"AS-7","money":"12.50","qty":"many","at":"yesterday","paid":"maybe",)"
      R"("items":[{"code":"a","amount":1},"junk",{"code":"c","amount":{"n":3}}],)"
      R"("main":[1,2],"note":{"text":"x"}})",
      notes);
  CHECK(reply.status == "0");
  CHECK_FALSE(reply.id.has_value());
  CHECK(reply.money.to_string() == "12.50");
  CHECK_FALSE(reply.qty.has_value());
  CHECK_FALSE(reply.at.has_value());
  CHECK_FALSE(reply.paid.has_value());
  // The element that is not an object is dropped; the later one keeps its position's data.
  REQUIRE(reply.items.size() == 2);
  CHECK(reply.items[0].code == "a");
  CHECK(reply.items[1].code == "c");
  CHECK(reply.items[1].amount == 0);
  CHECK_FALSE(reply.main.has_value());
  CHECK(reply.note.empty());

  // Path, problem and raw value of each, in arrival order (written by hand).
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"id", R"("AS-7")"},    {"qty", R"("many")"},        {"at", R"("yesterday")"},
      {"paid", R"("maybe")"}, {"items[1]", R"("junk")"},   {"items[2].amount", R"({"n":3})"},
      {"main", "[1,2]"},      {"note", R"({"text":"x"})"},
  };
  REQUIRE(notes.size() == expected.size());
  for (std::size_t i = 0; i < notes.size(); ++i) {
    INFO(notes[i].to_string());
    CHECK(notes[i].path == expected[i].first);
    CHECK(notes[i].raw == expected[i].second);
    CHECK_FALSE(notes[i].problem.empty());
  }
  CHECK(notes[0].to_string() == R"(id: expected integer, got "AS-7" (received "AS-7"))");
}

TEST_CASE("decode_reply: numbers and strings stand for each other where the text fits") {
  DecodeNotes notes;
  Reply reply = reply_of(
      R"({"status":"0","id":"42","money":7,"qty":"1.0E+2","items":[{"code":17,"amount":"5"}],)"
      R"("paid":"是","note":3.5})",
      notes);
  CHECK(notes.empty());
  CHECK(reply.id == 42);
  CHECK(reply.money.to_string() == "7");
  CHECK(reply.qty->to_string() == "100");
  CHECK(reply.items[0].code == "17");
  CHECK(reply.items[0].amount == 5);
  CHECK(reply.paid == true);
  CHECK(reply.note == "3.5");
  // The same text decoded strictly fails on the first misfit.
  CHECK_FALSE(decode<Reply>(R"({"status":0,"id":"42x"})").ok());
}

TEST_CASE("decode_reply: booleans accept the spellings of 是否 fields") {
  for (const char* yes : {"true", "1", R"("1")", R"("true")", R"("是")"}) {
    DecodeNotes notes;
    INFO(yes);
    Reply reply = reply_of((std::string(R"({"status":0,"paid":)") + yes + "}").c_str(), notes);
    CHECK(reply.paid == true);
    CHECK(notes.empty());
  }
  for (const char* no : {"false", "0", R"("0")", R"("false")", R"("否")"}) {
    DecodeNotes notes;
    INFO(no);
    Reply reply = reply_of((std::string(R"({"status":0,"paid":)") + no + "}").c_str(), notes);
    CHECK(reply.paid == false);
    CHECK(notes.empty());
  }
}

TEST_CASE("decode_reply: the strict success code, its presence and the syntax still fail") {
  DecodeNotes notes;
  Reply reply;
  auto object_code = decode_reply(R"({"status":{"code":0}})", reply, notes);
  REQUIRE_FALSE(object_code.ok());
  CHECK(object_code.error().message == "status: expected string, got object");
  auto missing = decode_reply(R"({"id":1})", reply, notes);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == "status: missing required field");
  auto broken = decode_reply(R"({"status":0,"id":)", reply, notes);
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().code == ErrorCode::Decode);
  auto not_object = decode_reply(R"([{"status":0}])", reply, notes);
  CHECK_FALSE(not_object.ok());
}

TEST_CASE("A scalar or an object under a group key: group_scalar and the group's extras") {
  auto scalar = decode<lenient_sample::Picker>(R"({"picker":"张三"})");
  REQUIRE(scalar.ok());
  CHECK(scalar->name == "张三");
  CHECK(scalar->extras.empty());
  auto object =
      decode<lenient_sample::Picker>(R"({"picker":{"id":"9","number":"ZY1","mobile":"x"}})");
  REQUIRE(object.ok());
  CHECK(object->id == "9");
  CHECK(object->number == "ZY1");
  // An unknown key inside the group is kept under its dotted name: nothing is lost.
  REQUIRE(object->extras.size() == 1);
  CHECK(object->extras[0].first == "picker.mobile");
  CHECK(object->extras[0].second.text == R"("x")");
}

namespace ambiguous {
struct Flat {
  std::string a;
  std::string b;
};
struct Twice {
  std::string a;
  std::string b;
};
struct Orphan {
  std::string a;
};
}  // namespace ambiguous

template <>
struct erpbridge::json::Schema<ambiguous::Flat> {
  static void describe(StructBuilder<ambiguous::Flat>& s) {
    s.field("a_id", &ambiguous::Flat::a).alias("picker.id");
    s.field("a_name", &ambiguous::Flat::b).alias("picker");  // also the group key above
  }
};
template <>
struct erpbridge::json::Schema<ambiguous::Twice> {
  static void describe(StructBuilder<ambiguous::Twice>& s) {
    s.field("a", &ambiguous::Twice::a);
    s.field("b", &ambiguous::Twice::b).alias("a");
  }
};
template <>
struct erpbridge::json::Schema<ambiguous::Orphan> {
  static void describe(StructBuilder<ambiguous::Orphan>& s) {
    s.field("a", &ambiguous::Orphan::a).group_scalar("nowhere");
  }
};

TEST_CASE("Struct descriptions the decoder could not follow are refused when built") {
  auto flat = erpbridge::json::describe<ambiguous::Flat>();
  REQUIRE_FALSE(flat.ok());
  CHECK(flat.error().message.find("\"picker\" is both a plain key and the group key") !=
        std::string::npos);
  auto twice = erpbridge::json::describe<ambiguous::Twice>();
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().message.find("key \"a\" is declared twice") != std::string::npos);
  auto orphan = erpbridge::json::describe<ambiguous::Orphan>();
  REQUIRE_FALSE(orphan.ok());
  CHECK(orphan.error().message.find("names no group") != std::string::npos);

  // A required field beyond what the required mask tracks.
  erpbridge::json::StructDesc wide;
  std::vector<std::string> keys;
  for (int i = 0; i < 70; ++i) keys.push_back("k" + std::to_string(i));
  for (int i = 0; i < 70; ++i) {
    erpbridge::json::FieldDesc field;
    field.key = keys[static_cast<std::size_t>(i)];
    field.codec = &erpbridge::json::kStringCodec;
    field.flags.required = i == 69;
    wide.fields.push_back(field);
  }
  auto refused = erpbridge::json::finish_desc(wide);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("only the first 64 can be required") != std::string::npos);
}

TEST_CASE("Strings declared as numbers are written bare only when JSON allows it") {
  // RFC 8259 section 6, by hand.
  for (const char* good : {"0", "-0", "1", "10", "1.5", "-1.25", "1e5", "1E+5", "2.5e-3", "0.0"}) {
    INFO(good);
    CHECK(erpbridge::json::is_json_number(good));
  }
  for (const char* bad : {"01", "00", "+1", ".5", "5.", "1e", "1e+", "-", "", "0x1", "1 ", "NaN",
                          "inf", "1.5.2", "--1", "1e5.0"}) {
    INFO(bad);
    CHECK_FALSE(erpbridge::json::is_json_number(bad));
  }
  CHECK(encode(lenient_sample::Numbers{"0"}) == R"({"code":0})");
  CHECK(encode(lenient_sample::Numbers{"01"}) == R"({"code":"01"})");
  CHECK(encode(lenient_sample::Numbers{"1e5"}) == R"({"code":1e5})");
  CHECK(encode(lenient_sample::Numbers{"inf"}) == R"({"code":"inf"})");
}

TEST_CASE("Control characters 0x1A..0x1F are escaped wherever they fall in a string") {
  // RapidJSON 1.1.0's SSE2 scan leaves 0x1A..0x1F unescaped in 16-byte blocks.
  for (int prefix = 0; prefix < 40; ++prefix) {
    INFO(prefix);
    lenient_sample::Item item;
    item.code = std::string(static_cast<std::size_t>(prefix), 'a') + "\x1a\x1f" + "tail";
    const std::string text = encode(item);
    CHECK(text.find("\\u001A\\u001Ftail") != std::string::npos);
    auto again = decode<lenient_sample::Item>(text);
    REQUIRE(again.ok());
    CHECK(again->code == item.code);
  }
  // Kept as an unknown value, escaped text stays valid JSON too.
  auto kept = decode<lenient_sample::Item>(R"({"note":{"k\u001f":"0123456789abcdef\u001e"}})");
  REQUIRE(kept.ok());
  REQUIRE(kept->extras.size() == 1);
  CHECK(kept->extras[0].second.text == R"({"k\u001F":"0123456789abcdef\u001E"})");
}

TEST_CASE("Encoded text is always valid JSON: raw values and malformed UTF-8 are repaired") {
  lenient_sample::Item item;
  const std::string replacement = "\xEF\xBF\xBD";                // U+FFFD
  item.code = std::string("a\xff") + "\xfe" + "b" + "\xe4\xb8";  // bad bytes, a cut character
  item.extras.push_back({"props", erpbridge::RawJson{"{not json"}});
  item.extras.push_back({"ok", erpbridge::RawJson{R"({"k":[1,2]})"}});
  item.extras.push_back({"nul", erpbridge::RawJson{std::string("1\0 2", 4)}});
  const std::string text = encode(item);
  CHECK(text == R"({"code":"a)" + replacement + replacement + "b" + replacement + replacement +
                    R"(","amount":0,"props":"{not json","ok":{"k":[1,2]},"nul":"1\u0000 2"})");
  CHECK(decode<lenient_sample::Item>(text).ok());
}
