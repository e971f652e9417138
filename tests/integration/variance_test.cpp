// Vendor variance over real HTTP: every family against its emulator in variance mode, which
// answers with the shapes the documents allow but their samples do not show. Each rule of
// docs (DESIGN.md "strict where it decides, lenient everywhere else") has a case; a write
// the server accepted must come back as a success, its decode notes naming the field.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <mutex>

#include "erpbridge/testing/mock_transport.hpp"
#include "erpbridge/wms/receiver.hpp"
#include "support/families.hpp"

using erpbridge::ClientOptions;
using erpbridge::DateTime;
using erpbridge::DecodeNotes;
using erpbridge::ErrorCode;
using erpbridge::HttpMethod;
using erpbridge::LogLevel;
using erpbridge::test_support::FamilyServer;
using erpbridge::test_support::sample_entry;
using erpbridge::testing::Fault;
using namespace std::chrono_literals;
namespace aftersales = erpbridge::aftersales;
namespace ctc = erpbridge::ctc;
namespace kingdee = erpbridge::kingdee;
namespace wms = erpbridge::wms;

namespace {

const char* kOrders = "/api/v1/afterservice/orders";
const char* kKingdeePush = "/app/mxoc_0001_mxoc_pq/pq_orderexe_push_backup";

struct Logged {
  std::mutex mutex;
  std::vector<std::pair<LogLevel, std::string>> lines;
};

struct VarianceServer : FamilyServer {
  std::shared_ptr<Logged> logged = std::make_shared<Logged>();

  ClientOptions options() const {
    ClientOptions options;
    options.base_url = server->base_url();
    options.retry.initial_backoff = 5ms;
    auto sink = logged;
    options.log_level = LogLevel::Warning;
    options.log_sink = [sink](LogLevel level, std::string_view line) {
      std::lock_guard<std::mutex> guard(sink->mutex);
      sink->lines.emplace_back(level, std::string(line));
    };
    return options;
  }

  bool warned(const std::string& text) const {
    std::lock_guard<std::mutex> guard(logged->mutex);
    for (const auto& [level, line] : logged->lines) {
      if (level == LogLevel::Warning && line.find(text) != std::string::npos) return true;
    }
    return false;
  }
};

const erpbridge::DecodeNote* note_at(const DecodeNotes& notes, const std::string& path) {
  for (const auto& note : notes) {
    if (note.path == path) return &note;
  }
  return nullptr;
}

kingdee::Client kingdee_client(const VarianceServer& server) {
  kingdee::GatewayAuth auth;
  auth.client.base_url = server.server->base_url();
  auth.app_key = server.settings.kingdee_app_key;
  auth.app_secret = server.settings.kingdee_app_secret;
  auth.api = {server.settings.kingdee_client_id, server.settings.kingdee_client_secret};
  kingdee::Options options;
  static_cast<ClientOptions&>(options) = server.options();
  options.token = kingdee::make_gateway_token(auth);
  options.group_name = "erp-group";
  options.account_id = "1406720347851475968";
  options.router_addr = "gw-router-1";
  return kingdee::Client(options);
}

aftersales::NewOrder new_order() {
  return aftersales::NewOrder{"质量异常", "供应商A", "供应商B", "张三", "破损", "外箱破损"};
}

}  // namespace

TEST_CASE("Variance: a Kingdee bill whose string fields carry other forms is still a success") {
  VarianceServer server;
  server.emulator->set_variance(kKingdeePush);
  auto bill = kingdee_client(server).push_spare_parts("1634800180022794240");
  // Rule 1: the bill was created, so the call succeeds and its id and number come back.
  REQUIRE(bill.ok());
  CHECK(bill->id == "1700000000000000001");
  CHECK(bill->bill_number == "BJLL-20230306-0001");
  // Rule 3: a date alone and an ISO time with fraction and offset, written back as received.
  REQUIRE(bill->bill_date.has_value());
  CHECK(bill->bill_date->to_string() == "2023-03-06");
  CHECK_FALSE(bill->bill_date->has_time_of_day());
  CHECK(bill->created_at->to_string() == "2023-03-06T15:06:04.123+08:00");
  CHECK(bill->created_at->wall_clock().to_string() == "2023-03-06 15:06:04");
  REQUIRE(bill->materials.size() == 1);
  const kingdee::MaterialLine& line = bill->materials[0];
  // Rule 4: "1.0E+2" is exactly 100.
  REQUIRE(line.qty.has_value());
  CHECK(line.qty->to_string() == "100");
  // Rule 7: mxoc_picker as an object with id/number/name.
  CHECK(line.picker_id == "1615869513507556352");
  CHECK(line.picker_number == "ZY00364");
  CHECK(line.picker_name == "示例用户");
  // kfperiod is text (the document types it string): "12个月" is kept as sent, no note.
  CHECK(line.shelf_life == std::optional<std::string>("12个月"));
  CHECK(note_at(bill.notes(), "data.material_entity[0].kfperiod") == nullptr);
}

TEST_CASE("Variance: a write whose success code cannot be read says its outcome is unknown") {
  VarianceServer server;
  Fault garbled_status;
  garbled_status.body = R"({"status":{"code":0},"message":"ok","data":[{"id":9}]})";
  server.emulator->set_fault(kOrders, garbled_status, HttpMethod::Post);
  aftersales::Client client(server.options());
  const std::size_t before = server.emulator->request_count(kOrders);
  auto created = client.create_order(new_order());
  REQUIRE_FALSE(created.ok());
  CHECK(created.error().code == ErrorCode::Decode);
  CHECK(created.error().outcome_unknown);
  CHECK(created.error().to_string().find("may have been applied") != std::string::npos);
  CHECK(server.emulator->request_count(kOrders) - before == 1);  // never repeated

  Fault no_success;
  no_success.body = R"({"reachPlugin":true,"data":{"id":"1"}})";
  server.emulator->set_fault(kKingdeePush, no_success);
  auto bill = kingdee_client(server).push_spare_parts("1634800180022794240");
  REQUIRE_FALSE(bill.ok());
  CHECK(bill.error().code == ErrorCode::Decode);
  CHECK(bill.error().outcome_unknown);
}

TEST_CASE("Variance: after-service writes answered with an empty data succeed with what is known") {
  VarianceServer server;
  aftersales::Client client(server.options());
  // An order made in the normal mode, then every write route switched to variance.
  auto order = client.create_order(new_order());
  REQUIRE(order.ok());
  REQUIRE(order->id > 0);
  auto stored =
      client.connection()->add_abnormal_products(order->id, {{std::nullopt, "SKU-0", "原始", {}}});
  REQUIRE(stored.ok());
  REQUIRE(stored->at(0).id.has_value());
  const std::int64_t product_id = *stored->at(0).id;
  server.emulator->set_variance("*", true, HttpMethod::Post);
  server.emulator->set_variance("*", true, HttpMethod::Put);
  server.emulator->set_variance("*", true, HttpMethod::Delete);

  // create: the fields sent, the id unset, a note on data.id.
  auto created = client.create_order(new_order());
  REQUIRE(created.ok());
  CHECK(created->id == 0);
  CHECK(created->customer_name == "供应商A");
  CHECK(created->remark == "外箱破损");
  REQUIRE(note_at(created.notes(), "data.id") != nullptr);
  CHECK(note_at(created.notes(), "data.id")->problem.find("find_created") != std::string::npos);
  CHECK(server.warned("after-service create order"));

  // update: the order's id and the fields sent.
  aftersales::OrderUpdate update;
  update.saler = "李四";
  auto updated = client.update_order(order->id, update);
  REQUIRE(updated.ok());
  CHECK(updated->id == order->id);
  CHECK(updated->saler == "李四");
  REQUIRE(note_at(updated.notes(), "data") != nullptr);

  // The workflow steps: the status each step leads to (from the document: waiting ->
  // service_approving -> service_approved, reject back to service_approving).
  auto submitted = client.submit_order(*order, "提交", "张三");
  REQUIRE(submitted.ok());
  CHECK(submitted->status.label() == "service_approving");
  CHECK(submitted->id == order->id);
  REQUIRE(note_at(submitted.notes(), "data") != nullptr);
  auto approved = client.done_order(*submitted, "同意", "专员");
  REQUIRE(approved.ok());
  CHECK(approved->status.label() == "service_approved");
  auto back = client.reject_order(*approved, "退回", "负责人");
  REQUIRE(back.ok());
  CHECK(back->status.label() == "service_approving");

  // The server did move it: read back in the normal mode.
  server.emulator->set_variance("*", false);
  aftersales::ListFilter filter;
  filter.per_page = 100;
  bool found = false;
  for (const auto& item : client.all_orders(filter)) {
    REQUIRE(item.ok());
    if (item->id == order->id) {
      found = true;
      CHECK(item->status.label() == "service_approving");
      CHECK(item->saler == "李四");
    }
  }
  CHECK(found);
  server.emulator->set_variance("*", true, HttpMethod::Post);
  server.emulator->set_variance("*", true, HttpMethod::Put);

  // Abnormal products and the duty report: what was sent.
  auto connection = client.connection();
  auto products = connection->add_abnormal_products(
      order->id, {{std::nullopt, "SKU-1", "划痕", {}}, {std::nullopt, "SKU-2", "缺件", {}}});
  REQUIRE(products.ok());
  REQUIRE(products->size() == 2);
  CHECK((*products)[1].sku_code == "SKU-2");
  CHECK_FALSE((*products)[0].id.has_value());
  REQUIRE(note_at(products.notes(), "data") != nullptr);
  auto product = connection->update_abnormal_product(order->id, product_id,
                                                     {std::nullopt, "SKU-1", "已修复", {}});
  REQUIRE(product.ok());
  CHECK(product->id == product_id);
  CHECK(product->remark == "已修复");
  aftersales::DutyReport report;
  report.abnormal_type = "包装";
  report.duty_to = "物流公司";
  report.duty_date = "2023-03-05";
  auto duty = connection->update_duty_report(order->id, report);
  REQUIRE(duty.ok());
  CHECK(duty->duty_to == "物流公司");
  REQUIRE(note_at(duty.notes(), "data") != nullptr);
}

TEST_CASE("Variance: after-service lists without status, ISO times, 是/否, string ids, extras") {
  VarianceServer server;
  server.emulator->set_variance("*", true, HttpMethod::Get);
  aftersales::Client client(server.options());
  aftersales::ListFilter filter;
  filter.per_page = 5;
  int seen = 0;
  for (const auto& order : client.all_orders(filter)) {
    // Rule 2: the list envelope has no status.
    REQUIRE(order.ok());
    CHECK(order.notes().empty());
    // Ids arrive as strings ("7"): they fit an integer.
    CHECK(order->id > 0);
    // Rule 3: ISO times with a fraction and an offset, kept as sent.
    REQUIRE(order->created_at.has_value());
    const std::string& text = order->created_at->to_string();
    CHECK(text.size() == 29);
    CHECK(text[10] == 'T');
    CHECK(text.substr(19) == ".250+08:00");
    CHECK(order->created_at->nanoseconds() == 250000000);
    CHECK(order->created_at->utc_offset_minutes() == 480);
    // Rule 6: 是否开票 as "是"/"否".
    REQUIRE(order->deductions.size() == 1);
    REQUIRE(order->deductions[0].has_receipt.has_value());
    CHECK(*order->deductions[0].has_receipt == ((order->id - 1) % 2 == 0));
    ++seen;
  }
  CHECK(seen == 12);

  // Rule 7: journals and rank rows keep keys the document does not name.
  int journals = 0;
  for (const auto& journal : client.all_journals(1, 3)) {
    REQUIRE(journal.ok());
    REQUIRE(journal->extras.size() == 1);
    CHECK(journal->extras[0].first == "operator_id");
    ++journals;
  }
  CHECK(journals >= 1);
  server.emulator->set_variance("*", false, HttpMethod::Get);
  aftersales::DutyReport report;
  report.abnormal_type = "包装";
  report.duty_to = "物流公司";
  REQUIRE(client.connection()->update_duty_report(1, report).ok());
  server.emulator->set_variance("*", true, HttpMethod::Get);
  auto rank = client.connection()->rank(aftersales::Rank::AbnormalType);
  REQUIRE(rank.ok());
  REQUIRE(rank->size() == 1);
  CHECK(rank->at(0).name == "包装");
  REQUIRE(rank->at(0).extras.size() == 1);
  CHECK(rank->at(0).extras[0].first == "share");
}

TEST_CASE("Variance: CTC's own example request, res as text, 无数据 as msg 2") {
  VarianceServer server;
  server.emulator->set_variance("/doscall/oa/api/receipt_parts/");
  ctc::Options options;
  static_cast<ClientOptions&>(options) = server.options();
  options.key = erpbridge::make_static_token(server.settings.ctc_key);
  ctc::Client client(options);
  // The document's example range, 2020-05-20 20:40:23 .. 2020-05-27 20:49:12, is 7 days and
  // 8 minutes: list_receipts sends it as two windows of at most 7 x 24 h, which the
  // emulator's strict reading accepts.
  auto receipts =
      client.list_receipts(ctc::Direction::In, DateTime::parse("2020-05-20 20:40:23").value(),
                           DateTime::parse("2020-05-27 20:49:12").value());
  REQUIRE(receipts.ok());
  CHECK(receipts.notes().empty());  // "res":"0", counts as strings: all fit
  // The document's sample receipt is among them, its counts sent as strings.
  const ctc::Receipt* sample = nullptr;
  for (const auto& receipt : *receipts) {
    if (receipt.number == "CK1590583223368861321") sample = &receipt;
  }
  REQUIRE(sample != nullptr);
  CHECK(sample->total_amount == 10);
  CHECK(sample->parts.at(0).amount == 10);
  CHECK(sample->amount_of_money.to_string() == "1310.00");
  // 无数据 given only as msg "2" (res -1): an empty list, not an error.
  auto none =
      client.query_receipts({ctc::Direction::In, DateTime::parse("2021-01-01 00:00:00").value(),
                             DateTime::parse("2021-01-02 00:00:00").value()});
  REQUIRE(none.ok());
  CHECK(none->empty());
  // A longer range is still split: 90 days, every window accepted by the emulator's own rule.
  auto long_range =
      client.list_receipts(ctc::Direction::In, DateTime::parse("2020-03-01 00:00:00").value(),
                           DateTime::parse("2020-05-30 00:00:00").value());
  REQUIRE(long_range.ok());
  CHECK(long_range->size() == 361);
}

TEST_CASE("Variance: a WMS reply with code as text and a numeric bil_id is a success") {
  VarianceServer server;
  server.emulator->set_variance("/CreateEntryConfirmation");
  wms::Options options;
  static_cast<ClientOptions&>(options) = server.options();
  options.token = erpbridge::make_static_token(server.settings.wms_token);
  wms::Client client(options);
  auto reply = client.push(sample_entry());
  REQUIRE(reply.ok());
  CHECK(reply->code == "0");
  CHECK(reply->bil_id == "1");
  CHECK(reply->bil_no == "PC000001");
  CHECK(reply.notes().empty());
}

TEST_CASE("Variance: the WMS receiver writes valid JSON for any code and takes a date-time") {
  // Rule 8: a handler refusing with code "01" must not produce {"code":01}.
  wms::Receiver refusing(
      [](const wms::EntryConfirmation&) -> erpbridge::Result<wms::PushReply> {
        return wms::PushReply{"01", "库存冻结", "", ""};
      },
      wms::expect_token("receiver-token-1"));
  auto order = sample_entry("RK-VARIANCE-1");
  auto body = wms::to_json(order);
  auto reply = refusing.handle({{"Authorization", "receiver-token-1"}}, body);
  rapidjson::Document parsed;
  parsed.Parse(reply.body.c_str());
  REQUIRE_FALSE(parsed.HasParseError());
  CHECK(std::string(parsed["code"].GetString()) == "01");

  // Rule 3: entry_date with a time of day (the table's Datatime) is accepted.
  wms::Receiver accepting(
      [](const wms::EntryConfirmation& received) -> erpbridge::Result<wms::PushReply> {
        return wms::PushReply{"0", received.order.entry_date->to_string(), "B1", "B0001"};
      },
      wms::expect_token("receiver-token-1"));
  std::string with_time = body;
  const std::string date = "\"entry_date\":\"2023-03-02\"";
  REQUIRE(with_time.find(date) != std::string::npos);
  with_time.replace(with_time.find(date), date.size(), "\"entry_date\":\"2023-03-02 08:30:00\"");
  auto accepted = accepting.handle({{"Authorization", "receiver-token-1"}}, with_time);
  CHECK(accepted.http_status == 200);
  CHECK(accepted.body.find("2023-03-02 08:30:00") != std::string::npos);
}
