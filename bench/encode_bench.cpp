// Encoding a 1,000-line WMS entry order: the SDK against RapidJSON's Writer used directly
// (the floor), a DOM built then written, and nlohmann::json.
#include <benchmark/benchmark.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <nlohmann/json.hpp>

#include "aftersales/codec.hpp"
#include "baselines.hpp"
#include "payloads.hpp"

namespace {

using erpbridge::wms::EntryConfirmation;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

const EntryConfirmation& order() {
  static const EntryConfirmation value = erpbridge::bench::entry_order(1000);
  return value;
}

// By hand: a RapidJSON DOM built from the structs, then written.
std::string write_via_dom(const EntryConfirmation& confirmation) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  auto str = [&](const std::string& s) { return rapidjson::Value(s.c_str(), a); };
  auto opt = [&](const auto& value) {
    return value ? rapidjson::Value(value->to_string().c_str(), a) : rapidjson::Value();
  };
  const auto& o = confirmation.order;
  rapidjson::Value header(rapidjson::kObjectType);
  header.AddMember("ref_id", str(o.ref_id), a);
  header.AddMember("entry_code", str(o.entry_code), a);
  header.AddMember("entry_date", opt(o.entry_date), a);
  header.AddMember("owner_code", str(o.owner_code), a);
  header.AddMember("order_type", str(o.order_type.label()), a);
  header.AddMember("department", str(o.department), a);
  header.AddMember("bill_type", str(o.bill_type), a);
  header.AddMember("supplier_code", str(o.supplier_code), a);
  header.AddMember("supplier_name", str(o.supplier_name), a);
  header.AddMember("operate_time", opt(o.operate_time), a);
  header.AddMember("operator_code", str(o.operator_code), a);
  header.AddMember("last_modified_date", rapidjson::Value(), a);
  header.AddMember("remark", str(o.remark), a);
  header.AddMember("total_order_lines", rapidjson::Value(*o.total_order_lines), a);
  header.AddMember("extend_props", rapidjson::Value(rapidjson::kObjectType), a);
  d.AddMember("entry_order", header, a);
  rapidjson::Value lines(rapidjson::kArrayType);
  for (const auto& l : confirmation.lines) {
    rapidjson::Value line(rapidjson::kObjectType);
    line.AddMember("entry_code", str(l.entry_code), a);
    line.AddMember("entry_code_itm", rapidjson::Value(*l.entry_code_itm), a);
    line.AddMember("item_code", str(l.item_code), a);
    line.AddMember("item_name", str(l.item_name), a);
    line.AddMember("sku_property", str(l.sku_property), a);
    line.AddMember("batch_code", str(l.batch_code), a);
    line.AddMember("warehouse_code", str(l.warehouse_code), a);
    // A DOM has no exact decimal: the quantity becomes a double.
    line.AddMember("qty", rapidjson::Value(std::stod(l.qty->to_string())), a);
    line.AddMember("qty1", rapidjson::Value(std::stod(l.qty1->to_string())), a);
    line.AddMember("rem", str(l.rem), a);
    line.AddMember("request_id", str(l.request_id), a);
    line.AddMember("request_code", str(l.request_code), a);
    line.AddMember("request_itm", str(l.request_itm), a);
    line.AddMember("source_bilid", str(l.source_bilid), a);
    line.AddMember("source_bilno", str(l.source_bilno), a);
    line.AddMember("source_bilitm", str(l.source_bilitm), a);
    line.AddMember("extend_props", rapidjson::Value(rapidjson::kObjectType), a);
    lines.PushBack(line, a);
  }
  d.AddMember("order_lines", lines, a);
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  d.Accept(w);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// By hand: nlohmann::json built from the structs, then dumped.
std::string write_via_nlohmann(const EntryConfirmation& confirmation) {
  auto opt = [](const auto& value) {
    return value ? nlohmann::json(value->to_string()) : nlohmann::json(nullptr);
  };
  const auto& o = confirmation.order;
  nlohmann::json header = {{"ref_id", o.ref_id},
                           {"entry_code", o.entry_code},
                           {"entry_date", opt(o.entry_date)},
                           {"owner_code", o.owner_code},
                           {"order_type", o.order_type.label()},
                           {"department", o.department},
                           {"bill_type", o.bill_type},
                           {"supplier_code", o.supplier_code},
                           {"supplier_name", o.supplier_name},
                           {"operate_time", opt(o.operate_time)},
                           {"operator_code", o.operator_code},
                           {"last_modified_date", nullptr},
                           {"remark", o.remark},
                           {"total_order_lines", *o.total_order_lines},
                           {"extend_props", nlohmann::json::object()}};
  nlohmann::json lines = nlohmann::json::array();
  for (const auto& l : confirmation.lines) {
    lines.push_back({{"entry_code", l.entry_code},
                     {"entry_code_itm", *l.entry_code_itm},
                     {"item_code", l.item_code},
                     {"item_name", l.item_name},
                     {"sku_property", l.sku_property},
                     {"batch_code", l.batch_code},
                     {"warehouse_code", l.warehouse_code},
                     {"qty", std::stod(l.qty->to_string())},
                     {"qty1", std::stod(l.qty1->to_string())},
                     {"rem", l.rem},
                     {"request_id", l.request_id},
                     {"request_code", l.request_code},
                     {"request_itm", l.request_itm},
                     {"source_bilid", l.source_bilid},
                     {"source_bilno", l.source_bilno},
                     {"source_bilitm", l.source_bilitm},
                     {"extend_props", nlohmann::json::object()}});
  }
  return nlohmann::json{{"entry_order", header}, {"order_lines", lines}}.dump();
}

template <std::string (*Encode)(const EntryConfirmation&)>
void run(benchmark::State& state) {
  const EntryConfirmation& value = order();
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string json = Encode(value);
    bytes = json.size();
    benchmark::DoNotOptimize(json);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}

std::string sdk(const EntryConfirmation& value) {
  return erpbridge::wms::to_json(value);
}

void BM_Sdk_EncodeEntryOrder(benchmark::State& state) {
  // The baseline must produce exactly what the SDK does, or the comparison means nothing.
  if (erpbridge::bench::entry_order_with_writer(order()) != sdk(order()))
    state.SkipWithError("baseline output differs");
  run<sdk>(state);
}
void BM_RapidJsonWriter_EncodeEntryOrder(benchmark::State& state) {
  run<erpbridge::bench::entry_order_with_writer>(state);
}
void BM_RapidJsonDom_EncodeEntryOrder(benchmark::State& state) {
  run<write_via_dom>(state);
}
void BM_Nlohmann_EncodeEntryOrder(benchmark::State& state) {
  run<write_via_nlohmann>(state);
}

BENCHMARK(BM_RapidJsonWriter_EncodeEntryOrder)->Unit(benchmark::kMicrosecond)->MinTime(0.5);
BENCHMARK(BM_Sdk_EncodeEntryOrder)->Unit(benchmark::kMicrosecond)->MinTime(0.5);
BENCHMARK(BM_RapidJsonDom_EncodeEntryOrder)->Unit(benchmark::kMicrosecond)->MinTime(0.5);
BENCHMARK(BM_Nlohmann_EncodeEntryOrder)->Unit(benchmark::kMicrosecond)->MinTime(0.5);

}  // namespace

// ---- the after-service create request (six required strings) ----
namespace {

erpbridge::aftersales::NewOrder new_order() {
  erpbridge::aftersales::NewOrder order;
  order.type = "质量异常";
  order.customer_name = "供应商A";
  order.accuser_name = "原告供应商001";
  order.creator_name = "张三";
  order.reason = "来料不良";
  order.remark = "滤芯漏水，客户要求换货";
  return order;
}

std::string new_order_by_hand(const erpbridge::aftersales::NewOrder& order) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  auto field = [&writer](const char* key, const std::string& value) {
    writer.Key(key);
    writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  };
  writer.StartObject();
  field("type", order.type);
  field("customer_name", order.customer_name);
  field("accuser_name", order.accuser_name);
  field("creator_name", order.creator_name);
  field("reason", order.reason);
  field("remark", order.remark);
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

void BM_Sdk_EncodeNewOrder(benchmark::State& state) {
  const auto order = new_order();
  if (erpbridge::json::encode(order) != new_order_by_hand(order)) {
    state.SkipWithError("the SDK and the baseline write different JSON");
  }
  for (auto _ : state) benchmark::DoNotOptimize(erpbridge::json::encode(order));
}
void BM_RapidJsonWriter_EncodeNewOrder(benchmark::State& state) {
  const auto order = new_order();
  for (auto _ : state) benchmark::DoNotOptimize(new_order_by_hand(order));
}

}  // namespace

BENCHMARK(BM_RapidJsonWriter_EncodeNewOrder)->MinTime(0.5);
BENCHMARK(BM_Sdk_EncodeNewOrder)->MinTime(0.5);
