#include <catch2/catch.hpp>

#include "data/kingdee_sample.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <set>

#include "erpbridge/testing/kingdee_emulator.hpp"
#include "kingdee/codec.hpp"

using erpbridge::test_data::kKingdeeBillSample;
using namespace erpbridge::kingdee;

namespace {

wire::BillEnvelope sample_envelope() {
  return erpbridge::json::decode<wire::BillEnvelope>(kKingdeeBillSample).value();
}

std::string compact(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return buffer.GetString();
}

// Every key of `object` not in `named` must be in `extras` with the same value.
void check_extras(const rapidjson::Value& object, const std::set<std::string>& named,
                  const erpbridge::JsonExtras& extras) {
  std::size_t unnamed = 0;
  for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
    const std::string key = it->name.GetString();
    if (named.count(key) != 0) continue;
    ++unnamed;
    INFO(key);
    auto found = std::find_if(extras.begin(), extras.end(),
                              [&](const auto& extra) { return extra.first == key; });
    REQUIRE(found != extras.end());
    CHECK(found->second.text == compact(it->value));
  }
  CHECK(extras.size() == unnamed);
}

const std::set<std::string> kNamedBillKeys = {"id",
                                              "billno",
                                              "billstatus",
                                              "mxoc_billtype",
                                              "billdate",
                                              "billtypeid_id",
                                              "billtypeid_number",
                                              "billtypeid_name",
                                              "customerid_id",
                                              "customerid_number",
                                              "customerid_name",
                                              "customerid_addr",
                                              "creatorid_id",
                                              "creatorid_number",
                                              "creatorid_name",
                                              "creatorid_phone",
                                              "currencyid_id",
                                              "currencyid_number",
                                              "currencyid_name",
                                              "totalamount",
                                              "totalamountfor",
                                              "totalsettleamount",
                                              "totalunsettleamount",
                                              "invoicedamount",
                                              "uninvoiceamount",
                                              "exchangerate",
                                              "createtime",
                                              "audittime",
                                              "modifytime",
                                              "remark",
                                              "billsource",
                                              "mullabel",
                                              "material_entity"};

const std::set<std::string> kNamedLineKeys = {"id",
                                              "seq",
                                              "mxoc_picker_id",
                                              "mxoc_picker_number",
                                              "mxoc_picker_name",
                                              "materialid_id",
                                              "materialid_number",
                                              "materialid_name",
                                              "materialid_model",
                                              "unit_id",
                                              "unit_number",
                                              "unit_name",
                                              "stockid_id",
                                              "stockid_number",
                                              "stockid_name",
                                              "spid_id",
                                              "spid_number",
                                              "spid_name",
                                              "qty",
                                              "unitcost",
                                              "mxoc_usablebudgetqty",
                                              "mxoc_budgetunitprice",
                                              "mxoc_totalbudgetamount",
                                              "mxoc_usablebudgetamount",
                                              "mxoc_retiredqty",
                                              "mxoc_remark",
                                              "mxoc_projectnumber",
                                              "mxoc_projectname",
                                              "mxoc_taskseq",
                                              "mxoc_taskname",
                                              "mxoc_personliable",
                                              "mxoc_servicebillno",
                                              "kfdate",
                                              "kftype",
                                              "kfperiod",
                                              "barcode",
                                              "validdate",
                                              "cost",
                                              "mxoc_budgetcontrolmode",
                                              "mxoc_generalbudgetqty",
                                              "srcbillno",
                                              "srcbilltypeid_id",
                                              "srcbilltypeid_number",
                                              "srcbilltypeid_name",
                                              "srcinterid",
                                              "srcentryid",
                                              "src_billdate",
                                              "mxoc_sourceid",
                                              "mxoc_sourceentryid",
                                              "material_entity_lk"};

}  // namespace

TEST_CASE("Kingdee: the envelope and every named bill field of the spec's sample") {
  wire::BillEnvelope envelope = sample_envelope();
  CHECK(envelope.success == true);
  CHECK(envelope.reach_plugin == true);
  CHECK(envelope.error_code == "success");
  const SparePartsBill& bill = envelope.data;
  CHECK(bill.id == "0");
  CHECK(bill.bill_number == "BJLL-20230306-0001");
  CHECK(bill.bill_status == "Z");
  CHECK(bill.business_type == "1");
  CHECK(bill.bill_date->to_string() == "2023-03-06 00:00:00");
  CHECK(bill.bill_type_id == "mxoc_pq_sparepartsuse");
  CHECK(bill.bill_type_number == "mxoc_pq_sparepartsuse");
  CHECK(bill.bill_type_name == "备品备件领用");
  CHECK(bill.customer_id == "1406720347851475968");
  CHECK(bill.customer_number == "CUS0005");
  CHECK(bill.customer_name == "某某生产制造有限公司");
  CHECK(bill.customer_address == "陕西省西安市雁塔区");
  CHECK(bill.creator_id == "9861690");
  CHECK(bill.creator_number == "u17349178237");
  CHECK(bill.creator_name == "张亚楠");
  CHECK(bill.creator_phone == "17349178237");
  CHECK(bill.currency_id == "1297339258264157184");
  CHECK(bill.currency_number == "CNY");
  CHECK(bill.currency_name == "CNY");
  CHECK(bill.total_amount->to_string() == "0");
  CHECK(bill.total_amount_foreign->to_string() == "0");
  CHECK(bill.total_settle_amount->to_string() == "0");
  CHECK(bill.total_unsettle_amount->to_string() == "0");
  CHECK(bill.invoiced_amount->to_string() == "0");
  CHECK(bill.uninvoiced_amount->to_string() == "0");
  CHECK(bill.exchange_rate->to_string() == "1");
  CHECK(bill.created_at->to_string() == "2023-03-06 15:06:04");
  CHECK_FALSE(bill.audited_at.has_value());   // ""
  CHECK_FALSE(bill.modified_at.has_value());  // ""
  CHECK(bill.remark.empty());
  CHECK(bill.bill_source == "ISV");
  REQUIRE(bill.labels.size() == 1);
  CHECK(bill.labels[0].id == "48");
  CHECK(bill.labels[0].number == "48");
  CHECK(bill.labels[0].name == "复购异常");
}

TEST_CASE("Kingdee: every named material field of the spec's sample") {
  const SparePartsBill bill = sample_envelope().data;
  REQUIRE(bill.materials.size() == 1);
  const MaterialLine& line = bill.materials[0];
  CHECK(line.id == "0");
  CHECK(line.seq == std::optional<std::int64_t>(1));
  CHECK(line.picker_id == "1615869513507556352");
  CHECK(line.picker_number == "ZY00364");
  CHECK(line.picker_name == "张亚楠");
  CHECK(line.material_id == "0");
  CHECK(line.material_number.empty());
  CHECK(line.material_name.empty());
  CHECK(line.material_model.empty());
  CHECK(line.unit_id == "0");
  CHECK(line.unit_number.empty());
  CHECK(line.unit_name.empty());
  CHECK(line.stock_id == "0");
  CHECK(line.stock_name.empty());
  CHECK(line.location_id == "0");
  CHECK(line.location_name.empty());
  CHECK(line.qty->to_string() == "0.0000000000");  // scale kept
  CHECK(line.unit_cost->to_string() == "0");
  CHECK(line.usable_budget_qty->to_string() == "0");
  CHECK(line.budget_unit_price->to_string() == "0");
  CHECK(line.total_budget_amount->to_string() == "0");
  CHECK(line.usable_budget_amount->to_string() == "0");
  CHECK(line.retired_qty->to_string() == "0");
  CHECK(line.remark.empty());
  CHECK(line.project_number.empty());
  CHECK(line.project_name.empty());
  CHECK(line.task_seq.empty());
  CHECK(line.task_name.empty());
  CHECK(line.person_liable.empty());
  CHECK(line.service_bill_number == "GDZX-20230306-0001");
  CHECK_FALSE(line.production_date.has_value());
  CHECK_FALSE(line.shelf_life_unit.has_value());  // "null"
  CHECK(line.shelf_life == std::optional<std::string>("0"));
  CHECK(line.barcode.empty());
  CHECK_FALSE(line.expiry_date.has_value());
  CHECK(line.cost->to_string() == "0");
  CHECK(line.budget_control_mode.empty());
  CHECK(line.general_budget_qty->to_string() == "0");
  CHECK(line.source_bill_number == "GDZX-20230306-0001");
  CHECK(line.source_bill_type_id == "mxoc_pq_orderexecution");
  CHECK(line.source_bill_type_number == "mxoc_pq_orderexecution");
  CHECK(line.source_bill_type_name == "工单执行");
  CHECK(line.source_inter_id == "1634800180022794240");
  CHECK(line.source_entry_id == "0");
  CHECK(line.source_bill_date->to_string() == "2023-03-03 00:00:00");
  CHECK(line.source_id == "1634800180022794240");
  CHECK(line.source_entry_ref.empty());
  REQUIRE(line.links.size() == 1);
  CHECK(line.links[0].source_bill_id == "1634800180022794240");
  CHECK(line.links[0].id == "0");
  CHECK(line.links[0].source_table_id == "-1269011930093682877");
  CHECK(line.links[0].seq == "1");
  CHECK(line.links[0].source_id == "1634800180022794240");
  CHECK(line.links[0].extras.empty());
}

TEST_CASE("Kingdee: every unnamed field of the sample is kept in extras") {
  rapidjson::Document document;
  document.Parse(kKingdeeBillSample);
  REQUIRE_FALSE(document.HasParseError());
  const SparePartsBill bill = sample_envelope().data;
  check_extras(document["data"], kNamedBillKeys, bill.extras);
  check_extras(document["data"]["material_entity"][0], kNamedLineKeys, bill.materials[0].extras);
  CHECK(bill.extras.size() == 99 - kNamedBillKeys.size());
  auto payment = std::find_if(bill.extras.begin(), bill.extras.end(),
                              [](const auto& e) { return e.first == "payment_entry"; });
  REQUIRE(payment != bill.extras.end());
  CHECK(payment->second.text == "[]");
}

TEST_CASE("Kingdee: decode, encode, decode gives an equal bill") {
  const SparePartsBill bill = sample_envelope().data;
  const std::string encoded = to_json(bill);
  auto again = parse_spare_parts_bill(encoded);
  REQUIRE(again.ok());
  CHECK(to_json(*again) == encoded);
  CHECK(again->extras.size() == bill.extras.size());
  CHECK(again->materials[0].qty->to_string() == "0.0000000000");
  // Nothing unnamed is lost on the way: each extra is written back verbatim.
  CHECK(encoded.find(R"("payment_entry":[])") != std::string::npos);
  CHECK(encoded.find(R"("srcbilltypeid_enable":false)") != std::string::npos);
}

TEST_CASE("Kingdee: the table's dotted names and the sample's flattened names agree") {
  auto flattened = parse_spare_parts_bill(R"({"billno":"B1","material_entity":[{
      "materialid_number":"M-001","materialid_name":"轴承","materialid_model":"6204",
      "stockid_name":"备件库","spid_name":"A-01","unit_name":"个","mxoc_picker_name":"张亚楠",
      "qty":"2.5000000000","unitcost":"12.30"}]})");
  auto dotted = parse_spare_parts_bill(R"({"billno":"B1","material_entity":[{
      "materialid":{"number":"M-001","name":"轴承","model":"6204"},
      "stockid":{"name":"备件库"},"spid":{"name":"A-01"},"unit":"个","mxoc_picker":"张亚楠",
      "qty":2.5000000000,"unitcost":"12.30"}]})");
  REQUIRE(flattened.ok());
  REQUIRE(dotted.ok());
  CHECK(to_json(*flattened) == to_json(*dotted));
  CHECK(dotted->materials[0].material_number == "M-001");
  CHECK(dotted->materials[0].stock_name == "备件库");
  CHECK(dotted->materials[0].qty->to_string() == "2.5000000000");
}

TEST_CASE("Kingdee: \"null\" is absent, numbers may arrive as strings or numbers") {
  auto bill = parse_spare_parts_bill(
      R"({"id":123,"remark":"null","totalamount":"null","material_entity":[{"seq":"7","kfperiod":12,"kftype":"null","cost":3.50}]})");
  REQUIRE(bill.ok());
  CHECK(bill->id == "123");
  CHECK(bill->remark.empty());
  CHECK_FALSE(bill->total_amount.has_value());
  CHECK(bill->materials[0].seq == std::optional<std::int64_t>(7));
  CHECK(bill->materials[0].shelf_life == std::optional<std::string>("12"));
  CHECK_FALSE(bill->materials[0].shelf_life_unit.has_value());
  CHECK(bill->materials[0].cost->to_string() == "3.50");
  auto wrong = parse_spare_parts_bill(R"({"material_entity":[{"qty":"abc"}]})");
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().message.rfind("material_entity[0].qty: invalid decimal", 0) == 0);
}

TEST_CASE("Kingdee: app_signature matches the public vector and an independent value") {
  const std::string signature = app_signature("abc", "abc123");
  CHECK(signature.rfind("ZDljMTI3", 0) == 0);
  CHECK(signature.size() > 8);
  CHECK(signature.substr(signature.size() - 8) == "NzUyZQ==");
  // Computed independently: printf abc | openssl dgst -sha256 -hmac abc123 | base64 of hex.
  CHECK(signature ==
        "ZDljMTI3NGIyNTE1MTRkYzlkNjc1MDNhYjUzMzgzNWMyY2M4YTdjMzdmNmM3YTVlNDkxMTkzNjdiOTFjNzUyZQ==");
  CHECK(app_signature("abc", "other") != signature);
}

TEST_CASE("Kingdee: the push body encodes as the spec's example") {
  wire::PushBody body{"push", "1634800180022794240", wire::BillData{"1634800180022794240"}};
  CHECK(
      erpbridge::json::encode(body) ==
      R"({"operation":"push","entryPk":"1634800180022794240","billdata":{"id":"1634800180022794240"}})");
}
