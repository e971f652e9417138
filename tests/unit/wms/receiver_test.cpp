#include <catch2/catch.hpp>

#include <atomic>
#include <set>
#include <thread>

#include "data/wms_sample.hpp"
#include "erpbridge/wms/receiver.hpp"

using erpbridge::ErrorCode;
using erpbridge::HttpHeaders;
using erpbridge::Result;
using erpbridge::test_data::kWmsRequestSample;
using namespace erpbridge::wms;

namespace {

const HttpHeaders kAuthorized = {{"Content-Type", "application/json"}, {"authorization", "t0k"}};

struct Counting {
  std::atomic<int> calls{0};
  EntryHandler handler() {
    return [this](const EntryConfirmation& order) -> Result<PushReply> {
      int n = ++calls;
      return PushReply{"0", "新增成功", "PC",
                       "PC-" + order.order.entry_code + "-" + std::to_string(n)};
    };
  }
};

PushReply reply_of(const ReceiverReply& reply) {
  return parse_push_reply(reply.body).value();
}

}  // namespace

TEST_CASE("Receiver: missing or wrong token is 401 with a JSON reply") {
  Counting app;
  Receiver receiver(app.handler(), expect_token("t0k"));
  auto missing = receiver.handle({{"Content-Type", "application/json"}}, kWmsRequestSample);
  CHECK(missing.http_status == 401);
  CHECK(reply_of(missing).code == "401");
  auto wrong = receiver.handle({{"Authorization", "t0K"}}, kWmsRequestSample);
  CHECK(wrong.http_status == 401);
  CHECK_FALSE(reply_of(wrong).succeeded());
  CHECK(app.calls == 0);
  CHECK(receiver.stats().rejected == 2);
}

TEST_CASE("Receiver: an oversized body is 413") {
  Counting app;
  ReceiverOptions options;
  options.max_body_bytes = 100;
  Receiver receiver(app.handler(), expect_token("t0k"), make_memory_store(), options);
  auto reply = receiver.handle(kAuthorized, kWmsRequestSample);
  CHECK(reply.http_status == 413);
  CHECK(reply_of(reply).code == "413");
  CHECK(app.calls == 0);
}

TEST_CASE("Receiver: invalid JSON or rule violations are 400 listing them") {
  Counting app;
  Receiver receiver(app.handler(), expect_token("t0k"));
  auto garbage = receiver.handle(kAuthorized, "{\"entry_order\":");
  CHECK(garbage.http_status == 400);
  CHECK(reply_of(garbage).message.find("invalid JSON") != std::string::npos);

  std::string broken = kWmsRequestSample;
  broken.replace(broken.find("\"P001\""), 6, "\"\"");  // item_code required
  broken.replace(broken.find("\"order_type\": \"01\""), 18, "\"order_type\": \"99\"");
  auto invalid = receiver.handle(kAuthorized, broken);
  CHECK(invalid.http_status == 400);
  PushReply reply = reply_of(invalid);
  CHECK(reply.code == "400");
  CHECK(reply.message.find("2 violations") != std::string::npos);
  CHECK(reply.message.find("order_lines[0].item_code: is required") != std::string::npos);
  CHECK(reply.message.find("entry_order.order_type: must be one of 01..11") != std::string::npos);
  CHECK(app.calls == 0);
}

TEST_CASE("Receiver: a new entry_code is delivered once; a repeat gets the stored reply") {
  Counting app;
  Receiver receiver(app.handler(), expect_token("t0k"));
  auto first = receiver.handle(kAuthorized, kWmsRequestSample);
  REQUIRE(first.http_status == 200);
  CHECK(reply_of(first).bil_no == "PC-RK230302000001-1");

  // The same order with other spacing, key order and the table's spelling of the count.
  std::string same =
      R"({"order_lines":[{"entry_code_itm":1,"entry_code":"RK230302000001","item_code":"P001",
    "item_name":"P001货品P","sku_property":"","batch_code":"","warehouse_code":"A","qty":100.0,"qty1":0.0,
    "rem":"","request_id":"TI","request_code":"TI33010001","request_itm":"1","source_bilid":"PO",
    "source_bilno":"PO33010001","source_bilitm":"1","extend_props":{}}],
    "entry_order":{"ref_id":"Other","entry_code":"RK230302000001","entry_date":"2023-03-02","owner_code":"OWNER",
    "order_type":"01","department":"00000000","bill_type":"","supplier_code":"SUP01","supplier_name":"厂商SUP01",
    "operate_time":"2023-03-02 11:25:13","operator_code":"ADMIN","remark":"","totalorderlines":1,"extend_props":{}}})";
  auto repeat = receiver.handle(kAuthorized, same);
  CHECK(repeat.http_status == 200);
  CHECK(repeat.body == first.body);
  CHECK(app.calls == 1);
  CHECK(receiver.stats().duplicates == 1);
}

TEST_CASE("Receiver: a reused entry_code with different content is 409") {
  Counting app;
  Receiver receiver(app.handler(), expect_token("t0k"));
  REQUIRE(receiver.handle(kAuthorized, kWmsRequestSample).http_status == 200);
  std::string changed = kWmsRequestSample;
  changed.replace(changed.find("100.0"), 5, "120.0");
  auto conflict = receiver.handle(kAuthorized, changed);
  CHECK(conflict.http_status == 409);
  CHECK(reply_of(conflict).code == "409");
  CHECK(app.calls == 1);
  CHECK(receiver.stats().conflicts == 1);
}

TEST_CASE("Receiver: 16 concurrent pushes of one new entry_code call the handler once") {
  std::atomic<int> calls{0};
  Receiver receiver(
      [&](const EntryConfirmation&) -> Result<PushReply> {
        ++calls;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // keep the others waiting
        return PushReply{"0", "新增成功", "PC", "PC230301001"};
      },
      expect_token("t0k"));
  std::vector<ReceiverReply> replies(16);
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      replies[static_cast<std::size_t>(i)] = receiver.handle(kAuthorized, kWmsRequestSample);
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(calls == 1);
  std::set<std::string> bil_numbers;
  for (const auto& reply : replies) {
    CHECK(reply.http_status == 200);
    bil_numbers.insert(reply_of(reply).bil_no);
  }
  CHECK(bil_numbers == std::set<std::string>{"PC230301001"});
  CHECK(receiver.stats().delivered == 1);
  CHECK(receiver.stats().duplicates == 15);
}

TEST_CASE("Receiver: a handler failure is not stored; the retry is delivered once") {
  std::atomic<int> calls{0};
  Receiver receiver(
      [&](const EntryConfirmation&) -> Result<PushReply> {
        if (++calls == 1) return erpbridge::make_error(ErrorCode::Transport, "database down");
        return PushReply{"0", "新增成功", "PC", "PC230301002"};
      },
      expect_token("t0k"));
  auto failed = receiver.handle(kAuthorized, kWmsRequestSample);
  CHECK(failed.http_status == 500);
  CHECK_FALSE(reply_of(failed).succeeded());
  CHECK(reply_of(failed).message.find("database down") != std::string::npos);
  auto retried = receiver.handle(kAuthorized, kWmsRequestSample);
  CHECK(retried.http_status == 200);
  CHECK(reply_of(retried).bil_no == "PC230301002");
  auto again = receiver.handle(kAuthorized, kWmsRequestSample);
  CHECK(reply_of(again).bil_no == "PC230301002");
  CHECK(calls == 2);
  CHECK(receiver.stats().delivered == 1);
  CHECK(receiver.stats().failed == 1);
}

TEST_CASE("Receiver: an application refusal (code != 0) is passed on and not stored") {
  std::atomic<int> calls{0};
  Receiver receiver(
      [&](const EntryConfirmation&) -> Result<PushReply> {
        ++calls;
        return PushReply{"E1", "仓库未开账", "", ""};
      },
      expect_token("t0k"));
  auto refused = receiver.handle(kAuthorized, kWmsRequestSample);
  CHECK(refused.http_status == 200);
  CHECK(reply_of(refused).code == "E1");
  receiver.handle(kAuthorized, kWmsRequestSample);
  CHECK(calls == 2);
}
