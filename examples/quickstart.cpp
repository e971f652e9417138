// quickstart: one call per API family against a running erpbridge-emulator.
//   quickstart <base_url>          e.g. quickstart http://127.0.0.1:8080
#include <cstdio>
#include <string>

#include "erpbridge/aftersales/client.hpp"
#include "erpbridge/ctc/client.hpp"
#include "erpbridge/kingdee/client.hpp"
#include "erpbridge/wms/client.hpp"

namespace {

int fail(const char* what, const erpbridge::Error& error) {
  std::fprintf(stderr, "quickstart: %s: %s\n", what, error.to_string().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: quickstart <base_url>\n");
    return 2;
  }
  const std::string base_url = argv[1];

  // CTC: warehouse receipts over 90 days; the client splits the range into windows of at most
  // 7 x 24 h and fetches them concurrently. Money stays an exact Decimal.
  erpbridge::ctc::Options ctc_options;
  ctc_options.base_url = base_url;
  ctc_options.key = erpbridge::make_static_token("erpbridge-demo-key");
  erpbridge::ctc::Client ctc(ctc_options);
  auto from = erpbridge::DateTime::parse("2020-03-01 00:00:00").value();
  auto receipts =
      ctc.list_receipts(erpbridge::ctc::Direction::In, from, from + std::chrono::hours(24 * 90));
  if (!receipts.ok()) return fail("ctc", receipts.error());
  erpbridge::Decimal total;
  for (const auto& receipt : *receipts) total = total.add(receipt.amount_of_money).value();
  const auto& last = receipts->back();
  std::printf("ctc: %zu in-receipts over 90 days, worth %s; last %s %s %s at %s\n",
              receipts->size(), total.to_string().c_str(), last.number.c_str(),
              last.type.label().c_str(), last.amount_of_money.to_string().c_str(),
              last.created_at.to_string().c_str());

  // WMS: push an entry order to a CreateEntryConfirmation receiver. Quantities are exact;
  // the order is validated against the spec's table before it is sent.
  erpbridge::wms::EntryConfirmation entry;
  entry.order.ref_id = "WMS";
  entry.order.entry_code = "RK-QUICKSTART-0001";
  entry.order.entry_date = erpbridge::Date::parse("2023-03-02").value();
  entry.order.owner_code = "OWNER";
  entry.order.order_type = erpbridge::wms::OrderType::Purchase;
  entry.order.operate_time = erpbridge::DateTime::parse("2023-03-02 11:25:13").value();
  entry.order.operator_code = "ADMIN";
  entry.order.total_order_lines = 1;
  erpbridge::wms::OrderLine line;
  line.entry_code = entry.order.entry_code;
  line.entry_code_itm = 1;
  line.item_code = "P001";
  line.item_name = "P001货品P";
  line.warehouse_code = "A";
  line.qty = erpbridge::Decimal::parse("100.0").value();
  line.request_code = "TI33010001";
  line.request_itm = "1";
  entry.lines.push_back(line);
  erpbridge::wms::Options wms_options;
  wms_options.base_url = base_url;
  wms_options.token = erpbridge::make_static_token("erpbridge-demo-token");
  auto pushed = erpbridge::wms::Client(wms_options).push(entry);
  if (!pushed.ok()) return fail("wms", pushed.error());
  std::printf("wms: pushed %s (%s x %s), receiver answered bil_id %s bil_no %s\n",
              entry.order.entry_code.c_str(), line.item_code.c_str(), line.qty->to_string().c_str(),
              pushed->bil_id.c_str(), pushed->bil_no.c_str());

  // Kingdee: the gateway token is fetched with the app key and secret (the call signed with
  // the open platform's client id and secret), cached and refreshed; the push itself is
  // never retried blindly, since it creates a bill.
  erpbridge::kingdee::GatewayAuth auth;
  auth.client.base_url = base_url;
  auth.api = {"erpbridge-demo-client", "erpbridge-demo-client-secret"};
  auth.app_key = "erpbridge-demo-app";
  auth.app_secret = "erpbridge-demo-secret";
  erpbridge::kingdee::Options kingdee_options;
  kingdee_options.base_url = base_url;
  kingdee_options.token = erpbridge::kingdee::make_gateway_token(auth);
  kingdee_options.group_name = "demo-group";
  kingdee_options.account_id = "1406720347851475968";
  kingdee_options.router_addr = "demo-router";
  auto bill = erpbridge::kingdee::Client(kingdee_options).push_spare_parts("1634800180022794240");
  if (!bill.ok()) return fail("kingdee", bill.error());
  std::printf("kingdee: bill %s for %s, %zu material line(s), qty %s, %zu unnamed fields kept\n",
              bill->bill_number.c_str(), bill->customer_name.c_str(), bill->materials.size(),
              bill->materials.at(0).qty->to_string().c_str(), bill->extras.size());

  // After-service: create an order and submit it; a submission is checked locally (only an
  // in_progress / waitting order) before it is sent.
  erpbridge::aftersales::Options aftersales_options;
  aftersales_options.base_url = base_url;
  erpbridge::aftersales::Client aftersales(aftersales_options);
  auto order = aftersales.create_order(
      {"质量异常", "华东精密制造", "南方电机厂", "张三", "破损", "外箱破损"});
  if (!order.ok()) return fail("aftersales", order.error());
  auto submitted = aftersales.submit_order(*order, "提交审核", "张三");
  if (!submitted.ok()) return fail("aftersales", submitted.error());
  std::printf("aftersales: order %s %s -> %s\n", submitted->serial_number.c_str(),
              order->status.label().c_str(), submitted->status.label().c_str());
  return 0;
}
