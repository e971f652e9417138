#include "payloads.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "aftersales/codec.hpp"
#include "ctc/codec.hpp"
#include "erpbridge/testing/ctc_emulator.hpp"
#include "erpbridge/testing/kingdee_emulator.hpp"
#include "testing/wire_samples.hpp"

namespace erpbridge::bench {

std::string ctc_receipts_reply(std::size_t count, bool escape_unicode) {
  auto receipts = testing::CtcEmulator::generate(ctc::Direction::In,
                                                 DateTime::parse("2020-03-01 00:00:00").value(),
                                                 count, std::chrono::seconds(60));
  std::string json =
      testing::wire_samples::ctc_receipts_reply("0", "", receipts, ctc::Direction::In);
  if (!escape_unicode) return json;
  // Re-write the same document with ASCII output (\uXXXX for every non-ASCII character).
  rapidjson::Document document;
  document.Parse(json.c_str(), json.size());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<>, rapidjson::ASCII<>> writer(buffer);
  document.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string kingdee_bill_reply(std::size_t lines) {
  rapidjson::Document document;
  document.Parse(testing::kingdee_spec_sample());
  rapidjson::Value& materials = document["data"]["material_entity"];
  rapidjson::Value first(materials[0], document.GetAllocator());
  materials.Clear();
  for (std::size_t i = 0; i < lines; ++i) {
    rapidjson::Value line(first, document.GetAllocator());
    const std::string id = std::to_string(1900000000000000000ULL + i);
    line["id"].SetString(id.c_str(), static_cast<rapidjson::SizeType>(id.size()),
                         document.GetAllocator());
    line["seq"].SetInt64(static_cast<std::int64_t>(i + 1));
    materials.PushBack(line, document.GetAllocator());
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  document.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string aftersales_orders_reply(std::size_t count) {
  static const aftersales::Status kStatuses[] = {
      aftersales::Status::Waiting, aftersales::Status::ServiceApproving,
      aftersales::Status::ManagerReviewing, aftersales::Status::Created};
  std::vector<aftersales::Order> orders;
  orders.reserve(count);
  const DateTime start = DateTime::parse("2023-03-01 08:00:00").value();
  for (std::size_t i = 0; i < count; ++i) {
    aftersales::Order order;
    order.id = static_cast<std::int64_t>(100000 + i);
    order.serial_number = "SH" + std::to_string(202303010000000 + i);
    order.charge_number = "KK" + std::to_string(202303010000000 + i);
    order.type = "质量异常";
    order.customer_name = "供应商" + std::to_string(i % 97);
    order.status = kStatuses[i % 4];
    order.workflow_status = aftersales::WorkflowStatus::InProgress;
    order.created_at = start + std::chrono::seconds(60 * i);
    order.updated_at = start + std::chrono::seconds(60 * i + 30);
    order.accuser_name = "原告" + std::to_string(i % 13);
    order.creator_name = "张三";
    order.saler = "李四";
    order.remark = "滤芯漏水，客户要求换货";
    order.reason = "来料不良";
    for (int p = 0; p < 2; ++p) {
      aftersales::AbnormalProduct product;
      product.id = static_cast<std::int64_t>(i * 2 + static_cast<std::size_t>(p));
      product.sku_code = "SKU" + std::to_string(30000 + (i + static_cast<std::size_t>(p)) % 500);
      product.remark = "外观破损";
      order.abnormal_products.push_back(std::move(product));
    }
    aftersales::Track track;
    track.id = static_cast<std::int64_t>(i);
    track.remark = "已联系供应商";
    order.tracks.push_back(std::move(track));
    orders.push_back(std::move(order));
  }
  return testing::wire_samples::aftersales_orders_reply(0, "ok", orders);
}

wms::EntryConfirmation entry_order(std::size_t lines) {
  wms::EntryConfirmation order;
  order.order.ref_id = "Other";
  order.order.entry_code = "RK230302000001";
  order.order.entry_date = Date::parse("2023-03-02").value();
  order.order.owner_code = "OWNER";
  order.order.order_type = wms::OrderType::Purchase;
  order.order.department = "00000000";
  order.order.supplier_code = "SUP01";
  order.order.supplier_name = "厂商SUP01";
  order.order.operate_time = DateTime::parse("2023-03-02 11:25:13").value();
  order.order.operator_code = "ADMIN";
  order.order.total_order_lines = static_cast<std::int64_t>(lines);
  for (std::size_t i = 1; i <= lines; ++i) {
    wms::OrderLine line;
    line.entry_code = order.order.entry_code;
    line.entry_code_itm = static_cast<std::int64_t>(i);
    line.item_code = "P" + std::to_string(100000 + i);
    line.item_name = "净水器滤芯" + std::to_string(i) + "号";
    line.warehouse_code = "A" + std::to_string(i % 7);
    line.qty = Decimal::parse(std::to_string(i % 50 + 1) + ".5").value();
    line.qty1 = Decimal::parse("0.0").value();
    line.request_id = "TI";
    line.request_code = "TI3301" + std::to_string(i);
    line.request_itm = std::to_string(i);
    line.source_bilid = "PO";
    line.source_bilno = "PO3301" + std::to_string(i);
    line.source_bilitm = "1";
    order.lines.push_back(std::move(line));
  }
  return order;
}

}  // namespace erpbridge::bench
