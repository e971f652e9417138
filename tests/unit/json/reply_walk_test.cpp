// Lenient in what we accept, as a property of every reply: walks the declared schema of each
// endpoint's reply and, field by field, swaps the value to another JSON type, gives it another
// format, empties it, nulls it, removes it, and surrounds it with unknown keys holding nested
// objects. For every variant the call's outcome must not change, a value that does not fit
// must be named by a note (with the text as received), and nothing the server sent inside
// the payload may be lost: it is either in the decoded result (typed or in `extras`) or in a
// note. The walk reads the schemas; which fields decide the outcome is this test's own table.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "aftersales/codec.hpp"
#include "ctc/codec.hpp"
#include "data/kingdee_sample.hpp"
#include "data/wms_sample.hpp"
#include "erpbridge/wms/receiver.hpp"
#include "kingdee/codec.hpp"
#include "wms/codec.hpp"

namespace json = erpbridge::json;
using erpbridge::DecodeNotes;
using erpbridge::HttpResponse;
using erpbridge::Result;

namespace {

// What one decode of a reply gave: success or not, how many payload elements, the payload
// re-encoded by the SDK's own encoder (what a caller can get back), and the notes.
struct Outcome {
  bool ok = false;
  std::size_t elements = 0;
  std::string payload;
  DecodeNotes notes;
};

using Decode = std::function<Outcome(const std::string& body)>;

// One path step: a key of an object or an index of an array.
using Step = std::variant<std::string, std::size_t>;
using Path = std::vector<Step>;

std::string path_text(const Path& path) {
  std::string out;
  for (const Step& step : path) {
    if (const auto* key = std::get_if<std::string>(&step)) {
      if (!out.empty()) out += '.';
      out += *key;
    } else {
      out += '[' + std::to_string(std::get<std::size_t>(step)) + ']';
    }
  }
  return out;
}

std::string compact(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// The object at `path` in `doc` (made when missing), or nullptr if the way is not objects
// and arrays.
rapidjson::Value* object_at(rapidjson::Document& doc, const Path& path) {
  rapidjson::Value* at = &doc;
  auto& alloc = doc.GetAllocator();
  for (const Step& step : path) {
    if (const auto* key = std::get_if<std::string>(&step)) {
      if (!at->IsObject()) return nullptr;
      auto it = at->FindMember(key->c_str());
      if (it == at->MemberEnd()) {
        at->AddMember(rapidjson::Value(key->c_str(), alloc),
                      rapidjson::Value(rapidjson::kObjectType), alloc);
        it = at->FindMember(key->c_str());
      }
      at = &it->value;
    } else {
      if (!at->IsArray()) return nullptr;
      if (at->Empty()) at->PushBack(rapidjson::Value(rapidjson::kObjectType), alloc);
      at = &(*at)[static_cast<rapidjson::SizeType>(std::get<std::size_t>(step))];
    }
  }
  return at->IsObject() ? at : nullptr;
}

// Every scalar text (strings' contents, numbers as written) and every key of a JSON text.
struct Leaves {
  std::set<std::string> texts;
  std::set<std::string> keys;
  void collect(const rapidjson::Value& value) {
    if (value.IsObject()) {
      for (auto it = value.MemberBegin(); it != value.MemberEnd(); ++it) {
        keys.insert(it->name.GetString());
        collect(it->value);
      }
    } else if (value.IsArray()) {
      for (const auto& element : value.GetArray()) collect(element);
    } else if (value.IsString()) {
      texts.insert(std::string(value.GetString(), value.GetStringLength()));
    } else if (value.IsBool()) {
      texts.insert(value.GetBool() ? "true" : "false");
    }
  }
  bool has_number(const std::string& text) const {
    const std::optional<double> wanted = number_of(text);
    if (!wanted) return false;
    for (const std::string& leaf : texts) {
      if (number_of(leaf) == wanted) return true;
    }
    return false;
  }
  static std::optional<double> number_of(const std::string& text) {
    if (text.empty()) return std::nullopt;
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size()) return std::nullopt;
    return value;
  }
  static Leaves of(const std::string& text) {
    Leaves leaves;
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseNumbersAsStringsFlag>(text.c_str(), text.size());
    if (!doc.HasParseError()) leaves.collect(doc);
    return leaves;
  }
};

// The spellings of "yes" a reply may use where a document says only "whether".
bool boolean_spelling(const std::string& text) {
  return text == "True" || text == "是" || text == "1" || text == "true";
}

// The test's own table of one reply: the literal JSON to start from (the document's sample,
// or one written by hand from its data structure), the schema to walk, the paths that
// decide the outcome, the payload's root, and the family's reply decoder.
struct Reply {
  std::string name;
  std::string base;
  const json::StructDesc* schema;
  std::set<std::string> deciding;
  std::string payload_root;  // "data", or "" when the whole reply is the payload
  Decode decode;
};

struct Walk {
  const Reply& reply;
  Outcome expected;
  std::size_t variants = 0;

  // A variant of the base: `edit` changes the copy; the outcome must be the base's.
  void check(const std::string& what, const Path& path,
             const std::function<std::optional<std::string>(
                 rapidjson::Document&, rapidjson::Value& parent, const std::string& key)>& edit) {
    rapidjson::Document doc;
    doc.Parse(reply.base.c_str(), reply.base.size());
    REQUIRE_FALSE(doc.HasParseError());
    Path parent_path(path.begin(), path.end() - 1);
    rapidjson::Value* parent = object_at(doc, parent_path);
    if (parent == nullptr) return;
    const std::string key = std::get<std::string>(path.back());
    // The value put in place (its JSON text as sent), if any: it must not be lost.
    std::optional<std::string> placed = edit(doc, *parent, key);
    if (placed) placed = compact((*parent)[key.c_str()]);
    ++variants;
    const std::string body = compact(doc);
    const std::string where = path_text(path);
    INFO(reply.name << ": " << what << " at " << where << "\n" << body.substr(0, 600));
    Outcome got = reply.decode(body);
    REQUIRE(got.ok == expected.ok);
    const bool is_container = where == reply.payload_root;
    if (!is_container) CHECK(got.elements == expected.elements);
    if (where.rfind(reply.payload_root, 0) != 0 || is_container) return;
    if (what == "among unknown keys") {
      // Every struct of a payload keeps what the document does not name (extras).
      CHECK(Leaves::of(got.payload).keys.count("未知_70424") == 1);
      return;
    }
    if (!placed) return;
    // Nothing lost: in the result (its text, or its keys kept raw), or in a note at the field.
    for (const auto& note : got.notes) {
      if (note.path == where && note.raw == *placed) return;
      // An array's element that did not fit is noted at its own index.
      if (note.path.rfind(where + "[", 0) == 0 && note.raw == "\"70421\"") return;
    }
    Leaves leaves = Leaves::of(got.payload);
    rapidjson::Document value;
    value.Parse<rapidjson::kParseNumbersAsStringsFlag>(placed->c_str(), placed->size());
    if (value.IsString()) {
      const std::string text(value.GetString(), value.GetStringLength());
      // A number (or number as text) may come back in another spelling of the same value
      // ("70422.0" as 70422, "7.0423E+4" as 70423); a boolean as text as true.
      const bool kept = leaves.texts.count(text) == 1 || leaves.has_number(text) ||
                        (boolean_spelling(text) && leaves.texts.count("true") == 1);
      CHECK(kept);
    } else if (value.IsObject()) {
      CHECK(leaves.keys.count(value.MemberBegin()->name.GetString()) == 1);
    } else if (value.IsArray()) {
      CHECK(leaves.texts.count(value[0].GetString()) == 1);
    } else if (value.IsBool()) {
      CHECK(leaves.texts.count(value.GetBool() ? "true" : "false") == 1);
    }
  }

  // Every variant of one field.
  void vary(const Path& path, const json::FieldDesc& field) {
    const std::string where = path_text(path);
    if (reply.deciding.count(where) != 0) return;  // the outcome's own field
    auto put = [](const char* text) {
      return [text](rapidjson::Document& doc, rapidjson::Value& parent,
                    const std::string& key) -> std::optional<std::string> {
        rapidjson::Document value(&doc.GetAllocator());
        value.Parse(text);
        auto it = parent.FindMember(key.c_str());
        if (it != parent.MemberEnd()) {
          it->value.CopyFrom(value, doc.GetAllocator());
        } else {
          parent.AddMember(rapidjson::Value(key.c_str(), doc.GetAllocator()),
                           rapidjson::Value(value, doc.GetAllocator()), doc.GetAllocator());
        }
        return std::string(text);
      };
    };
    check("removed", path,
          [](rapidjson::Document&, rapidjson::Value& parent,
             const std::string& key) -> std::optional<std::string> {
            parent.RemoveMember(key.c_str());
            return std::nullopt;
          });
    const auto unplaced = [&](const char* text) {
      auto placing = put(text);
      return [placing](rapidjson::Document& doc, rapidjson::Value& parent,
                       const std::string& key) -> std::optional<std::string> {
        placing(doc, parent, key);
        return std::nullopt;
      };
    };
    check("null", path, unplaced("null"));
    check("emptied", path, unplaced("\"\""));
    // Another JSON type, each with a value found nowhere else in the reply.
    check("as a string", path, put("\"变体-70417\""));
    check("as a number", path, put("70418"));
    check("as a fraction", path, put("-704.19"));
    check("as an object", path, put("{\"变体键_70420\":{\"深\":[1,{\"x\":null}]}}"));
    check("as an array", path, put("[\"70421\",{\"y\":2}]"));
    check("as a boolean", path, put("true"));
    // Another format of the field's own type.
    const std::string type = field.codec->kind == json::Codec::Kind::Optional
                                 ? field.codec->inner->type_name
                                 : field.codec->type_name;
    if (type == "date-time" || type == "timestamp" || type == "date") {
      check("as an ISO time", path, put("\"2020-05-27T20:40:23.125+08:00\""));
      check("as minutes only", path, put("\"2020-05-27 20:40\""));
      check("as a date alone", path, put("\"2020-05-27\""));
    } else if (type == "decimal" || type == "integer") {
      check("with an exponent", path, put("7.0422E+4"));
      check("as text with an exponent", path, put("\"7.0423E+4\""));
    } else if (type == "boolean") {
      check("as text True", path, put("\"True\""));
      check("as 是", path, put("\"是\""));
      check("as 1", path, put("1"));
    }
    // Surrounded by unknown keys with nested objects: kept where the struct keeps extras.
    check("among unknown keys", path,
          [](rapidjson::Document& doc, rapidjson::Value& parent,
             const std::string&) -> std::optional<std::string> {
            auto& alloc = doc.GetAllocator();
            rapidjson::Document extra(&alloc);
            extra.Parse(R"({"未知_70424":{"层":{"层":[1,"二",{"三":null}]}}})");
            parent.AddMember("未知_70424", rapidjson::Value(extra["未知_70424"], alloc), alloc);
            return std::nullopt;
          });
  }

  // Every field of `desc` under `path`, depth first.
  void walk(const json::StructDesc* desc, const Path& path, rapidjson::Document& base) {
    rapidjson::Value* object = object_at(base, path);
    for (const json::FieldDesc& field : desc->fields) {
      // The spelling the base uses (the key or a plain alias), else the key.
      std::string key(field.key);
      if (object != nullptr && !object->HasMember(key.c_str())) {
        for (std::string_view alias : field.aliases) {
          const std::string spelled(alias);
          if (spelled.find('.') == std::string::npos && object->HasMember(spelled.c_str())) {
            key = spelled;
          }
        }
      }
      Path here = path;
      here.emplace_back(key);
      vary(here, field);
      const json::Codec* codec = field.codec;
      if (codec->kind == json::Codec::Kind::Optional) codec = codec->inner;
      if (codec->kind == json::Codec::Kind::Struct) {
        walk(codec->desc(), here, base);
      } else if (codec->kind == json::Codec::Kind::Array &&
                 codec->inner->kind == json::Codec::Kind::Struct) {
        rapidjson::Value* parent = object_at(base, path);
        if (parent == nullptr) continue;
        auto it = parent->FindMember(key.c_str());
        if (it == parent->MemberEnd() || !it->value.IsArray() || it->value.Empty()) continue;
        here.emplace_back(std::size_t{0});
        walk(codec->inner->desc(), here, base);
      }
    }
  }
};

HttpResponse ok_response(const std::string& body) {
  HttpResponse response;
  response.status = 200;
  response.body = body;
  return response;
}

template <typename T>
Outcome outcome_of(const Result<T>& result, std::size_t elements, std::string payload) {
  Outcome out;
  out.ok = result.ok();
  out.notes = result.notes();
  if (out.ok) {
    out.elements = elements;
    out.payload = std::move(payload);
  }
  return out;
}

// The document's 入库返回示例 (4.2.17), without its comments.
const char* kCtcReceipts = R"({"res":0,"msg":"","data":[
  {"in_number":"CK1590583223368861321","intype":"采购入库","amount":10,"amount_of_money":"1310.00",
   "status":"已入库","number":"CK1590583223910","inputuser":"admin","inputtime":"2020-05-27 20:40:23",
   "parts_details":[{"yunmi_code":"20.02.09.03.0063","amount":10},{"yunmi_code":"20.02.09.03.0063","amount":0}]},
  {"in_number":"RK1590583752235274571","intype":"维修入库","amount":3,"amount_of_money":"393.00",
   "status":"已结单","number":"WX2005055057034","inputuser":"余喜田","inputtime":"2020-05-27 20:49:12",
   "parts_details":[{"yunmi_code":"20.02.09.03.0063","amount":3}]}]})";

// The document's 返回JSON范例 (AI-WMS PLUS).
const char* kWmsReply = R"({"code":0,"message":"新增成功","bil_id":"PC","bil_no":"PC230301001"})";

// The after-service data structure (售后单数据结构) with values, in the {status, message,
// data} envelope the document gives.
const char* kOrders = R"({"status":0,"message":"ok","data":[{
  "id":7,"serial_number":"AS202303020001","charge_number":"KK001","type":"质量异常",
  "customer_name":"供应商A","status":"waitting","workflow_status":"in_progress",
  "summitted_at":"2023-03-02 10:00:00","created_at":"2023-03-01 09:00:00",
  "updated_at":"2023-03-02 10:00:00","accuser_name":"供应商B","creator_name":"张三","saler":"李四",
  "remark":"外箱破损","reason":"破损",
  "abnormal_products":[{"id":1,"skuCode":"SKU-1","remark":"划痕"}],
  "duty_report":{"abnormal_type":"包装","abnormal_reason":"运输","publishment":"罚款",
    "publish_to":"物流","compensation":"120.50","duty_to_id":"9","duty_to":"物流公司",
    "duty_date":"2023-03-05"},
  "tracks":[{"id":3,"remark":"已联系"}],
  "deductions":[{"id":4,"compensation":"120.50","has_receipt":true,"remark":"扣款"}]}]})";

const char* kJournals = R"({"status":0,"message":"ok","data":[{"id":1,"order_id":7,
  "operator_name":"张三","operation":"done","from_status":"waitting",
  "to_status":"service_approving","remark":"提交","created_at":"2023-03-02 10:00:00"}]})";
const char* kProducts = R"({"status":0,"data":[{"id":1,"skuCode":"SKU-1","name":"滤芯"}]})";
const char* kMatches =
    R"({"status":0,"data":[{"id":1,"supplier_name":"供应商A","user_name":"李四"}]})";
const char* kRanks =
    R"({"status":0,"data":[{"name":"物流","count":3,"total":"361.50"},{"name":"包装","count":1}]})";

std::vector<Reply> replies() {
  using namespace erpbridge;
  std::vector<Reply> out;
  out.push_back({"CTC receipts",
                 kCtcReceipts,
                 json::struct_desc<ctc::wire::ReceiptsReply>(),
                 {"res"},
                 "data",
                 [](const std::string& body) {
                   auto r = ctc::wire::decode_receipts(ok_response(body), ctc::Direction::In);
                   return outcome_of(r, r.ok() ? r->size() : 0,
                                     r.ok() ? ctc::to_json(*r) : std::string());
                 }});
  out.push_back({"WMS push reply",
                 kWmsReply,
                 json::struct_desc<wms::PushReply>(),
                 {"code"},
                 "",
                 [](const std::string& body) {
                   auto r = wms::wire::decode_push_reply(ok_response(body), "RK230302000001");
                   return outcome_of(r, 1, r.ok() ? json::encode(*r) : std::string());
                 }});
  out.push_back(
      {"Kingdee bill",
       erpbridge::test_data::kKingdeeBillSample,
       json::struct_desc<kingdee::wire::BillEnvelope>(),
       {"success"},
       "data",
       [](const std::string& body) {
         auto r = kingdee::wire::decode_bill_reply(ok_response(body), {"Kingdee push", true});
         return outcome_of(r, 1, r.ok() ? json::encode(r->data) : std::string());
       }});
  auto aftersales = [&out](const char* name, const char* base, const json::StructDesc* schema,
                           auto tag) {
    using T = decltype(tag);
    out.push_back({name, base, schema, {"status"}, "data", [](const std::string& body) {
                     auto r = aftersales::wire::decode<T>(ok_response(body), {"list", false});
                     return outcome_of(r, r.ok() ? r->data.size() : 0,
                                       r.ok() ? json::encode(r->data) : std::string());
                   }});
  };
  aftersales("After-service orders", kOrders,
             json::struct_desc<aftersales::wire::Envelope<aftersales::Order>>(),
             aftersales::Order{});
  aftersales("After-service journals", kJournals,
             json::struct_desc<aftersales::wire::Envelope<aftersales::Journal>>(),
             aftersales::Journal{});
  aftersales("After-service products", kProducts,
             json::struct_desc<aftersales::wire::Envelope<aftersales::Product>>(),
             aftersales::Product{});
  aftersales("After-service supplier matches", kMatches,
             json::struct_desc<aftersales::wire::Envelope<aftersales::SupplierUserMatch>>(),
             aftersales::SupplierUserMatch{});
  aftersales("After-service ranks", kRanks,
             json::struct_desc<aftersales::wire::Envelope<aftersales::RankEntry>>(),
             aftersales::RankEntry{});
  return out;
}

}  // namespace

TEST_CASE("Every field of every reply schema: variants never change the outcome or lose data") {
  std::map<std::string, std::size_t> tried;
  for (const Reply& reply : replies()) {
    Outcome expected = reply.decode(reply.base);
    INFO(reply.name);
    REQUIRE(expected.ok);
    REQUIRE(expected.notes.empty());  // the literal base itself fits every field
    Walk walk{reply, expected};
    rapidjson::Document base;
    base.Parse(reply.base.c_str(), reply.base.size());
    walk.walk(reply.schema, {}, base);
    tried[reply.name] = walk.variants;
    CHECK(walk.variants > 20);
  }
  std::size_t total = 0;
  for (const auto& [name, count] : tried) {
    std::printf("reply walk: %s: %zu variants\n", name.c_str(), count);
    total += count;
  }
  std::printf("reply walk: %zu variants in all\n", total);
}

TEST_CASE("Every field of the WMS push: the receiver takes the order once, noting misfits") {
  // The receiver reads pushes by the same rule: only the token, the size, JSON itself and the
  // entry_code decide; every variant of every other field is taken, once, with a note where
  // it does not fit, and nothing WMS sent is lost on the way to the handler.
  Reply push{"WMS push to the receiver",
             erpbridge::test_data::kWmsRequestSample,
             json::struct_desc<erpbridge::wms::EntryConfirmation>(),
             {"entry_order", "entry_order.entry_code", "order_lines"},
             "",
             [](const std::string& body) {
               using namespace erpbridge::wms;
               std::vector<EntryConfirmation> seen;
               Receiver receiver(
                   [&seen](const EntryConfirmation& order) -> Result<PushReply> {
                     seen.push_back(order);
                     return PushReply{"0", "新增成功", "PC", "PC000001"};
                   },
                   expect_token("t0k"));
               const erpbridge::HttpHeaders headers = {{"Authorization", "t0k"}};
               Outcome out;
               const ReceiverReply first = receiver.handle(headers, body);
               const ReceiverReply again = receiver.handle(headers, body);
               out.ok = first.http_status == 200 && again.body == first.body && seen.size() == 1;
               if (out.ok) {
                 out.elements = 1;
                 out.payload = json::encode(seen[0]);
                 out.notes = seen[0].notes;
               }
               return out;
             }};
  Outcome expected = push.decode(push.base);
  REQUIRE(expected.ok);
  REQUIRE(expected.notes.empty());
  Walk walk{push, expected};
  rapidjson::Document base;
  base.Parse(push.base.c_str(), push.base.size());
  walk.walk(push.schema, {}, base);
  std::printf("reply walk: %s: %zu variants\n", push.name.c_str(), walk.variants);
  CHECK(walk.variants > 200);
}
