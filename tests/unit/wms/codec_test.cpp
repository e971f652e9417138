#include <catch2/catch.hpp>

#include "data/wms_sample.hpp"
#include "erpbridge/wms/types.hpp"

using erpbridge::ErrorCode;
using erpbridge::test_data::kWmsReplySample;
using erpbridge::test_data::kWmsRequestSample;
using namespace erpbridge::wms;

namespace {
// The sample with the whitespace between tokens removed (none of its strings has a quote).
std::string compact(const std::string& text) {
  std::string out;
  bool in_string = false;
  for (char c : text) {
    if (c == '"') in_string = !in_string;
    if (in_string || (c != ' ' && c != '\n')) out += c;
  }
  return out;
}
}  // namespace

TEST_CASE("WMS: the spec's request sample decodes field by field") {
  auto decoded = parse_entry_confirmation(kWmsRequestSample);
  REQUIRE(decoded.ok());
  const EntryOrder& o = decoded->order;
  CHECK(o.ref_id == "Other");
  CHECK(o.entry_code == "RK230302000001");
  REQUIRE(o.entry_date.has_value());
  CHECK(o.entry_date->to_string() == "2023-03-02");
  CHECK(o.owner_code == "OWNER");
  CHECK(o.order_type == OrderType::Purchase);
  CHECK(o.order_type.label() == "01");
  CHECK(std::string(description(o.order_type.value())) == "进货入库");
  CHECK(o.department == "00000000");
  CHECK(o.bill_type.empty());
  CHECK(o.supplier_code == "SUP01");
  CHECK(o.supplier_name == "厂商SUP01");
  REQUIRE(o.operate_time.has_value());
  CHECK(o.operate_time->to_string() == "2023-03-02 11:25:13");
  CHECK(o.operator_code == "ADMIN");
  CHECK_FALSE(o.last_modified_date.has_value());
  CHECK(o.remark.empty());
  CHECK(o.total_order_lines == std::optional<std::int64_t>(1));
  CHECK(o.extend_props.text == "{}");

  REQUIRE(decoded->lines.size() == 1);
  const OrderLine& l = decoded->lines[0];
  CHECK(l.entry_code == "RK230302000001");
  CHECK(l.entry_code_itm == std::optional<std::int64_t>(1));
  CHECK(l.item_code == "P001");
  CHECK(l.item_name == "P001货品P");
  CHECK(l.sku_property.empty());
  CHECK(l.batch_code.empty());
  CHECK(l.warehouse_code == "A");
  REQUIRE(l.qty.has_value());
  CHECK(l.qty->to_string() == "100.0");
  REQUIRE(l.qty1.has_value());
  CHECK(l.qty1->to_string() == "0.0");
  CHECK(l.rem.empty());
  CHECK(l.request_id == "TI");
  CHECK(l.request_code == "TI33010001");
  CHECK(l.request_itm == "1");
  CHECK(l.source_bilid == "PO");
  CHECK(l.source_bilno == "PO33010001");
  CHECK(l.source_bilitm == "1");
  CHECK(l.extend_props.text == "{}");
  CHECK(validate(*decoded).empty());
}

TEST_CASE("WMS: the sample re-encodes to equal JSON, in the example's key order") {
  auto decoded = parse_entry_confirmation(kWmsRequestSample);
  REQUIRE(decoded.ok());
  CHECK(to_json(*decoded) == compact(kWmsRequestSample));
}

TEST_CASE("WMS: the table's spelling totalorderlines decodes too") {
  std::string table_spelling = kWmsRequestSample;
  table_spelling.replace(table_spelling.find("total_order_lines"), 17, "totalorderlines");
  auto decoded = parse_entry_confirmation(table_spelling);
  REQUIRE(decoded.ok());
  CHECK(decoded->order.total_order_lines == std::optional<std::int64_t>(1));
  CHECK(to_json(*decoded) == compact(kWmsRequestSample));  // encodes the example's spelling
}

TEST_CASE("WMS: the reply sample decodes, code may be a number or a string") {
  auto reply = parse_push_reply(kWmsReplySample);
  REQUIRE(reply.ok());
  CHECK(reply->code == "0");
  CHECK(reply->succeeded());
  CHECK(reply->message == "新增成功");
  CHECK(reply->bil_id == "PC");
  CHECK(reply->bil_no == "PC230301001");
  CHECK(to_json(*reply) == compact(kWmsReplySample));
  auto as_string =
      parse_push_reply(R"({"code":"E12","message":"库存不足","bil_id":"","bil_no":""})");
  REQUIRE(as_string.ok());
  CHECK(as_string->code == "E12");
  CHECK_FALSE(as_string->succeeded());
  CHECK(parse_push_reply(R"({"code":"0"})")->succeeded());
}

TEST_CASE("WMS: malformed bodies are Decode errors naming the path") {
  auto wrong = parse_entry_confirmation(
      R"({"entry_order":{"entry_code":"X"},"order_lines":[{"qty":"lots"}]})");
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().code == ErrorCode::Decode);
  CHECK(wrong.error().message.rfind("order_lines[0].qty: invalid decimal \"lots\"", 0) == 0);
  CHECK(parse_entry_confirmation(R"({"order_lines":[]})").error().message ==
        "entry_order: missing required field");
  CHECK(parse_entry_confirmation("{").error().code == ErrorCode::Decode);
}
