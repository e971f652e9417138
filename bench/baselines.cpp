#include "baselines.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdlib>
#include <string_view>

namespace erpbridge::bench {

std::vector<ctc::Receipt> receipts_from_dom(const char* text, std::size_t size) {
  rapidjson::Document document;
  document.Parse(text, size);
  std::vector<ctc::Receipt> receipts;
  const auto& data = document["data"];
  receipts.reserve(data.Size());
  for (const auto& item : data.GetArray()) {
    ctc::Receipt r;
    r.number.assign(item["in_number"].GetString(), item["in_number"].GetStringLength());
    r.type = Labeled<ctc::ReceiptType>::from_label(item["intype"].GetString());
    r.total_amount = item["amount"].GetInt64();
    r.amount_of_money = Decimal::parse(item["amount_of_money"].GetString()).value();
    r.status = Labeled<ctc::ReceiptStatus>::from_label(item["status"].GetString());
    r.work_order_number = item["number"].GetString();
    r.creator = item["inputuser"].GetString();
    r.created_at = DateTime::parse(item["inputtime"].GetString()).value();
    for (const auto& part : item["parts_details"].GetArray()) {
      r.parts.push_back({part["yunmi_code"].GetString(), part["amount"].GetInt64()});
    }
    receipts.push_back(std::move(r));
  }
  return receipts;
}

namespace {

using Object = rapidjson::Value::ConstObject;

std::string_view text_of(const rapidjson::Value& value) {
  return value.IsString() ? std::string_view(value.GetString(), value.GetStringLength())
                          : std::string_view();
}

// Field tables: how a user avoids writing fifty near-identical lines per struct.
template <typename S>
struct Fields {
  std::vector<std::pair<const char*, std::string S::*>> texts;
  std::vector<std::pair<const char*, std::optional<Decimal> S::*>> decimals;
  std::vector<std::pair<const char*, std::optional<Timestamp> S::*>> times;
  std::vector<std::pair<const char*, std::optional<std::int64_t> S::*>> integers;
  std::vector<std::pair<const char*, std::optional<std::string> S::*>> optional_texts;

  void copy(Object object, S& out) const {
    for (const auto& [key, member] : texts) {
      auto it = object.FindMember(key);
      if (it == object.MemberEnd()) continue;
      std::string_view value = text_of(it->value);
      if (value != "null") (out.*member).assign(value.data(), value.size());
    }
    for (const auto& [key, member] : optional_texts) {
      auto it = object.FindMember(key);
      if (it == object.MemberEnd()) continue;
      std::string_view value = text_of(it->value);
      if (!value.empty() && value != "null") (out.*member).emplace(value);
    }
    for (const auto& [key, member] : decimals) {
      auto it = object.FindMember(key);
      if (it == object.MemberEnd() || text_of(it->value).empty()) continue;
      out.*member = Decimal::parse(text_of(it->value)).value();
    }
    for (const auto& [key, member] : times) {
      auto it = object.FindMember(key);
      if (it == object.MemberEnd() || text_of(it->value).empty()) continue;
      auto parsed = Timestamp::parse(text_of(it->value));
      if (parsed.ok()) out.*member = *parsed;
    }
    for (const auto& [key, member] : integers) {
      auto it = object.FindMember(key);
      if (it == object.MemberEnd() || text_of(it->value).empty()) continue;
      out.*member = std::strtoll(it->value.GetString(), nullptr, 10);
    }
  }
};

const Fields<kingdee::MaterialLine>& line_fields() {
  using L = kingdee::MaterialLine;
  static const Fields<L> fields{{{"id", &L::id},
                                 {"mxoc_picker_id", &L::picker_id},
                                 {"mxoc_picker_number", &L::picker_number},
                                 {"mxoc_picker_name", &L::picker_name},
                                 {"materialid_id", &L::material_id},
                                 {"materialid_number", &L::material_number},
                                 {"materialid_name", &L::material_name},
                                 {"materialid_model", &L::material_model},
                                 {"unit_id", &L::unit_id},
                                 {"unit_number", &L::unit_number},
                                 {"unit_name", &L::unit_name},
                                 {"stockid_id", &L::stock_id},
                                 {"stockid_number", &L::stock_number},
                                 {"stockid_name", &L::stock_name},
                                 {"spid_id", &L::location_id},
                                 {"spid_number", &L::location_number},
                                 {"spid_name", &L::location_name},
                                 {"mxoc_remark", &L::remark},
                                 {"mxoc_projectnumber", &L::project_number},
                                 {"mxoc_projectname", &L::project_name},
                                 {"mxoc_taskseq", &L::task_seq},
                                 {"mxoc_taskname", &L::task_name},
                                 {"mxoc_personliable", &L::person_liable},
                                 {"mxoc_servicebillno", &L::service_bill_number},
                                 {"barcode", &L::barcode},
                                 {"mxoc_budgetcontrolmode", &L::budget_control_mode},
                                 {"srcbillno", &L::source_bill_number},
                                 {"srcbilltypeid_id", &L::source_bill_type_id},
                                 {"srcbilltypeid_number", &L::source_bill_type_number},
                                 {"srcbilltypeid_name", &L::source_bill_type_name},
                                 {"srcinterid", &L::source_inter_id},
                                 {"srcentryid", &L::source_entry_id},
                                 {"mxoc_sourceid", &L::source_id},
                                 {"mxoc_sourceentryid", &L::source_entry_ref}},
                                {{"qty", &L::qty},
                                 {"unitcost", &L::unit_cost},
                                 {"mxoc_usablebudgetqty", &L::usable_budget_qty},
                                 {"mxoc_budgetunitprice", &L::budget_unit_price},
                                 {"mxoc_totalbudgetamount", &L::total_budget_amount},
                                 {"mxoc_usablebudgetamount", &L::usable_budget_amount},
                                 {"mxoc_retiredqty", &L::retired_qty},
                                 {"cost", &L::cost},
                                 {"mxoc_generalbudgetqty", &L::general_budget_qty}},
                                {{"src_billdate", &L::source_bill_date}},
                                {{"seq", &L::seq}},
                                {{"kfdate", &L::production_date},
                                 {"kftype", &L::shelf_life_unit},
                                 {"kfperiod", &L::shelf_life},
                                 {"validdate", &L::expiry_date}}};
  return fields;
}

const Fields<kingdee::SparePartsBill>& bill_fields() {
  using B = kingdee::SparePartsBill;
  static const Fields<B> fields{{{"id", &B::id},
                                 {"billno", &B::bill_number},
                                 {"billstatus", &B::bill_status},
                                 {"mxoc_billtype", &B::business_type},
                                 {"billtypeid_id", &B::bill_type_id},
                                 {"billtypeid_number", &B::bill_type_number},
                                 {"billtypeid_name", &B::bill_type_name},
                                 {"customerid_id", &B::customer_id},
                                 {"customerid_number", &B::customer_number},
                                 {"customerid_name", &B::customer_name},
                                 {"customerid_addr", &B::customer_address},
                                 {"creatorid_id", &B::creator_id},
                                 {"creatorid_number", &B::creator_number},
                                 {"creatorid_name", &B::creator_name},
                                 {"creatorid_phone", &B::creator_phone},
                                 {"currencyid_id", &B::currency_id},
                                 {"currencyid_number", &B::currency_number},
                                 {"currencyid_name", &B::currency_name},
                                 {"remark", &B::remark},
                                 {"billsource", &B::bill_source}},
                                {{"totalamount", &B::total_amount},
                                 {"totalamountfor", &B::total_amount_foreign},
                                 {"totalsettleamount", &B::total_settle_amount},
                                 {"totalunsettleamount", &B::total_unsettle_amount},
                                 {"invoicedamount", &B::invoiced_amount},
                                 {"uninvoiceamount", &B::uninvoiced_amount},
                                 {"exchangerate", &B::exchange_rate}},
                                {{"billdate", &B::bill_date},
                                 {"createtime", &B::created_at},
                                 {"audittime", &B::audited_at},
                                 {"modifytime", &B::modified_at}},
                                {},
                                {}};
  return fields;
}

}  // namespace

kingdee::SparePartsBill kingdee_bill_from_dom(const char* text, std::size_t size) {
  rapidjson::Document document;
  document.Parse<rapidjson::kParseNumbersAsStringsFlag>(text, size);
  const rapidjson::Value& data_value = document["data"];
  const auto data = data_value.GetObject();
  kingdee::SparePartsBill bill;
  bill_fields().copy(data, bill);
  if (auto labels = data.FindMember("mullabel"); labels != data.MemberEnd()) {
    for (const auto& item : labels->value.GetArray()) {
      kingdee::BillLabel label;
      label.id = text_of(item["id"]);
      label.number = text_of(item["number"]);
      label.name = text_of(item["name"]);
      bill.labels.push_back(std::move(label));
    }
  }
  const auto& materials = data["material_entity"];
  bill.materials.reserve(materials.Size());
  for (const auto& item : materials.GetArray()) {
    kingdee::MaterialLine line;
    line_fields().copy(item.GetObject(), line);
    bill.materials.push_back(std::move(line));
  }
  return bill;
}

namespace {

std::int64_t int64_of(const rapidjson::Value& value) {
  return value.IsInt64() ? value.GetInt64() : 0;
}

std::optional<Timestamp> time_of(const rapidjson::Value& value) {
  if (!value.IsString() || value.GetStringLength() == 0) return std::nullopt;
  Result<Timestamp> parsed = Timestamp::parse(value.GetString());
  if (!parsed.ok()) return std::nullopt;
  return *parsed;
}

// One order object; a member may be missing or null, as in a real reply.
aftersales::Order order_from_dom(const rapidjson::Value& item) {
  static const rapidjson::Value kNull;
  auto member = [&](const char* key) -> const rapidjson::Value& {
    auto it = item.FindMember(key);
    return it == item.MemberEnd() ? kNull : it->value;
  };
  auto text = [&](const char* key) { return std::string(text_of(member(key))); };
  aftersales::Order o;
  o.id = int64_of(member("id"));
  o.serial_number = text("serial_number");
  o.charge_number = text("charge_number");
  o.type = text("type");
  o.customer_name = text("customer_name");
  o.status = Labeled<aftersales::Status>::from_label(text_of(member("status")));
  o.workflow_status =
      Labeled<aftersales::WorkflowStatus>::from_label(text_of(member("workflow_status")));
  o.created_at = time_of(member("created_at"));
  o.updated_at = time_of(member("updated_at"));
  o.accuser_name = text("accuser_name");
  o.creator_name = text("creator_name");
  o.saler = text("saler");
  o.remark = text("remark");
  o.reason = text("reason");
  if (const auto& products = member("abnormal_products"); products.IsArray()) {
    for (const auto& p : products.GetArray()) {
      aftersales::AbnormalProduct product;
      product.id = int64_of(p["id"]);
      product.sku_code = std::string(text_of(p["skuCode"]));
      product.remark = std::string(text_of(p["remark"]));
      o.abnormal_products.push_back(std::move(product));
    }
  }
  if (const auto& tracks = member("tracks"); tracks.IsArray()) {
    for (const auto& t : tracks.GetArray()) {
      o.tracks.push_back({int64_of(t["id"]), std::string(text_of(t["remark"]))});
    }
  }
  return o;
}

}  // namespace

std::vector<aftersales::Order> orders_from_dom(const char* text, std::size_t size) {
  rapidjson::Document document;
  document.Parse(text, size);
  const auto& data = document["data"];
  std::vector<aftersales::Order> orders;
  orders.reserve(data.Size());
  for (const auto& item : data.GetArray()) orders.push_back(order_from_dom(item));
  return orders;
}

std::optional<aftersales::Order> order_reply_from_dom(const char* text, std::size_t size) {
  rapidjson::Document document;
  document.Parse(text, size);
  if (!document.IsObject()) return std::nullopt;
  auto data = document.FindMember("data");
  if (data == document.MemberEnd()) return std::nullopt;
  if (data->value.IsObject()) return order_from_dom(data->value);
  if (data->value.IsArray() && !data->value.Empty()) return order_from_dom(data->value[0]);
  return std::nullopt;
}

wms::PushReply wms_reply_from_dom(const char* text, std::size_t size) {
  rapidjson::Document document;
  document.Parse<rapidjson::kParseNumbersAsStringsFlag>(text, size);
  wms::PushReply reply;
  if (!document.IsObject()) return reply;
  for (const auto& [key, member] :
       {std::pair{"code", &wms::PushReply::code}, std::pair{"message", &wms::PushReply::message},
        std::pair{"bil_id", &wms::PushReply::bil_id},
        std::pair{"bil_no", &wms::PushReply::bil_no}}) {
    auto it = document.FindMember(key);
    if (it != document.MemberEnd()) reply.*member = std::string(text_of(it->value));
  }
  return reply;
}

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void string(Writer& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}
void raw(Writer& w, const char* key, const std::string& json) {
  w.Key(key);
  w.RawValue(json.data(), json.size(), rapidjson::kObjectType);
}
template <typename T>
void optional_text(Writer& w, const char* key, const std::optional<T>& value) {
  w.Key(key);
  if (!value) {
    w.Null();
    return;
  }
  std::string text = value->to_string();
  w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}
void optional_int(Writer& w, const char* key, const std::optional<std::int64_t>& value) {
  w.Key(key);
  if (value) {
    w.Int64(*value);
  } else {
    w.Null();
  }
}
void decimal(Writer& w, const char* key, const std::optional<erpbridge::Decimal>& value) {
  w.Key(key);
  if (!value) {
    w.Null();
    return;
  }
  std::string text = value->to_string();
  w.RawValue(text.data(), text.size(), rapidjson::kNumberType);
}

}  // namespace

// By hand: RapidJSON's Writer straight from the structs, producing the SDK's exact output.
std::string entry_order_with_writer(const wms::EntryConfirmation& confirmation) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  const auto& o = confirmation.order;
  w.StartObject();
  w.Key("entry_order");
  w.StartObject();
  string(w, "ref_id", o.ref_id);
  string(w, "entry_code", o.entry_code);
  optional_text(w, "entry_date", o.entry_date);
  string(w, "owner_code", o.owner_code);
  string(w, "order_type", o.order_type.label());
  string(w, "department", o.department);
  string(w, "bill_type", o.bill_type);
  string(w, "supplier_code", o.supplier_code);
  string(w, "supplier_name", o.supplier_name);
  optional_text(w, "operate_time", o.operate_time);
  string(w, "operator_code", o.operator_code);
  w.Key("last_modified_date");
  if (o.last_modified_date) {
    w.String(o.last_modified_date->data(),
             static_cast<rapidjson::SizeType>(o.last_modified_date->size()));
  } else {
    w.Null();
  }
  string(w, "remark", o.remark);
  optional_int(w, "total_order_lines", o.total_order_lines);
  raw(w, "extend_props", o.extend_props.text);
  w.EndObject();
  w.Key("order_lines");
  w.StartArray();
  for (const auto& l : confirmation.lines) {
    w.StartObject();
    string(w, "entry_code", l.entry_code);
    optional_int(w, "entry_code_itm", l.entry_code_itm);
    string(w, "item_code", l.item_code);
    string(w, "item_name", l.item_name);
    string(w, "sku_property", l.sku_property);
    string(w, "batch_code", l.batch_code);
    string(w, "warehouse_code", l.warehouse_code);
    decimal(w, "qty", l.qty);
    decimal(w, "qty1", l.qty1);
    string(w, "rem", l.rem);
    string(w, "request_id", l.request_id);
    string(w, "request_code", l.request_code);
    string(w, "request_itm", l.request_itm);
    string(w, "source_bilid", l.source_bilid);
    string(w, "source_bilno", l.source_bilno);
    string(w, "source_bilitm", l.source_bilitm);
    raw(w, "extend_props", l.extend_props.text);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace erpbridge::bench
