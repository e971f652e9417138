#include "payloads.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "ctc/codec.hpp"
#include "erpbridge/testing/ctc_emulator.hpp"

namespace erpbridge::bench {

std::string ctc_receipts_reply(std::size_t count, bool escape_unicode) {
  auto receipts = testing::CtcEmulator::generate(ctc::Direction::In,
                                                 DateTime::parse("2020-03-01 00:00:00").value(),
                                                 count, std::chrono::seconds(60));
  std::string json = ctc::wire::encode_receipts_reply("0", "", receipts, ctc::Direction::In);
  if (!escape_unicode) return json;
  // Re-write the same document with ASCII output (\uXXXX for every non-ASCII character).
  rapidjson::Document document;
  document.Parse(json.c_str(), json.size());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<>, rapidjson::ASCII<>> writer(buffer);
  document.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
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
