// The async forms of every call, over real HTTP on loopback against the family emulators:
// results equal to the blocking forms', cancellation (during a try, during a backoff, by
// destroying the client), the bound on calls in flight, and mocks that only know blocking
// calls. Expected values come from the emulators' seeded data and the spec samples.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "erpbridge/core/async.hpp"
#include "erpbridge/testing/mock_transport.hpp"
#include "support/families.hpp"
#include "support/timing.hpp"

using namespace erpbridge;
using erpbridge::test_support::FamilyServer;
using erpbridge::test_support::sample_entry;
using erpbridge::test_support::scaled;
using erpbridge::testing::Fault;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

DateTime at(const char* text) {
  return DateTime::parse(text).value();
}

ctc::Client ctc_client(const FamilyServer& server, ClientOptions base = {}) {
  ctc::Options options;
  static_cast<ClientOptions&>(options) = base;
  options.base_url = server.server->base_url();
  options.key = make_static_token(server.settings.ctc_key);
  return ctc::Client(options);
}

kingdee::Client kingdee_client(const FamilyServer& server, ClientOptions base = {}) {
  kingdee::Options options;
  static_cast<ClientOptions&>(options) = base;
  options.base_url = server.server->base_url();
  kingdee::GatewayAuth auth;
  auth.client.base_url = server.server->base_url();
  auth.app_key = server.settings.kingdee_app_key;
  auth.app_secret = server.settings.kingdee_app_secret;
  auth.api = {server.settings.kingdee_client_id, server.settings.kingdee_client_secret};
  options.token = kingdee::make_gateway_token(auth);
  options.group_name = "erp-group";
  options.account_id = "1406720347851475968";
  options.router_addr = "gw-router-1";
  return kingdee::Client(options);
}

wms::Client wms_client(const FamilyServer& server, ClientOptions base = {}) {
  wms::Options options;
  static_cast<ClientOptions&>(options) = base;
  options.base_url = server.server->base_url();
  options.token = make_static_token(server.settings.wms_token);
  return wms::Client(options);
}

aftersales::Client aftersales_client(const FamilyServer& server, ClientOptions base = {}) {
  base.base_url = server.server->base_url();
  return aftersales::Client(base);
}

template <typename T>
Result<T> settled(Future<T> future, std::chrono::milliseconds limit = 10s) {
  REQUIRE(future.wait_for(scaled(limit)));
  return future.get();
}

}  // namespace

TEST_CASE(
    "Async CTC: query_receipts_async, list_receipts_async, query_receipts_batch_async and "
    "call_async agree with the blocking calls") {
  FamilyServer server;
  const ctc::Client client = ctc_client(server);
  const ctc::ReceiptQuery query{ctc::Direction::In, at("2020-05-21 00:00:00"),
                                at("2020-05-27 20:49:12")};
  auto async = settled(client.query_receipts_async(query));
  REQUIRE(async.ok());
  // Expected from the seeding, counted by hand: receipts every 6 h at 02:00, 08:00, 14:00 and
  // 20:00 on 05-21 .. 05-27 (28), and the document's two in-samples at 20:40:23 and 20:49:12.
  REQUIRE(async->size() == 30);
  CHECK(async->front().created_at == at("2020-05-21 02:00:00"));
  CHECK((*async)[28].number == "CK1590583223368861321");
  CHECK((*async)[28].amount_of_money.to_string() == "1310.00");
  CHECK(async->back().number == "RK1590583752235274571");
  CHECK(async->back().created_at == at("2020-05-27 20:49:12"));

  // 90 days: 13 windows of at most 7 x 24 h, at most 4 in flight, progress after every 4
  // and at the end.
  std::vector<std::pair<std::size_t, std::size_t>> progress;
  std::mutex progress_mutex;
  ctc::ListOptions options;
  options.concurrency = 4;
  options.progress = [&](std::size_t done, std::size_t total) {
    std::lock_guard<std::mutex> guard(progress_mutex);
    progress.emplace_back(done, total);
  };
  auto listed = settled(client.list_receipts_async(ctc::Direction::In, at("2020-03-01 00:00:00"),
                                                   at("2020-05-30 00:00:00"), options));
  REQUIRE(listed.ok());
  auto listed_blocking = client.list_receipts(ctc::Direction::In, at("2020-03-01 00:00:00"),
                                              at("2020-05-30 00:00:00"));
  REQUIRE(listed_blocking.ok());
  CHECK(*listed == *listed_blocking);
  CHECK(progress ==
        std::vector<std::pair<std::size_t, std::size_t>>{{4, 13}, {8, 13}, {12, 13}, {13, 13}});
  for (std::size_t i = 1; i < listed->size(); ++i) {
    CHECK((*listed)[i - 1].created_at <= (*listed)[i].created_at);
  }
  CHECK(server.emulator->max_concurrent_requests() <= 4);

  // A failing window fails the call, naming it.
  Fault refused_window;
  refused_window.status = 400;
  refused_window.times = 1;
  server.emulator->set_fault("/doscall/oa/api/receipt_parts/", refused_window, HttpMethod::Post);
  auto failed = settled(client.list_receipts_async(ctc::Direction::In, at("2020-03-01 00:00:00"),
                                                   at("2020-05-30 00:00:00")));
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().message.find("window ") == 0);
  server.emulator->clear_faults();

  // A batch: every result in query order, a bad query failing alone.
  const std::vector<ctc::ReceiptQuery> batch = {
      query,
      {ctc::Direction::Out, at("2020-05-27 00:00:00"), at("2020-05-28 00:00:00")},
      {ctc::Direction::In, at("2020-03-01 00:00:00"), at("2020-03-20 00:00:00")},  // > 7 days
      query};
  auto batched = settled(client.query_receipts_batch_async(batch, 2));
  REQUIRE(batched.ok());
  auto batched_blocking = client.query_receipts_batch(batch, 2);
  REQUIRE(batched->size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    REQUIRE((*batched)[i].ok() == batched_blocking[i].ok());
    if (batched_blocking[i].ok()) CHECK(*(*batched)[i] == *batched_blocking[i]);
  }
  CHECK((*batched)[2].error().code == ErrorCode::InvalidArgument);
  CHECK(*(*batched)[0] == *async);
  CHECK_FALSE((*batched)[1]->empty());

  // The generic signed call, against a route that answers with literal data.
  server.emulator->route(HttpMethod::Post, "/doscall/oa/api/workorder_remark/",
                         [](const erpbridge::testing::EmulatorRequest& request) {
                           const bool has_key =
                               request.body.find("\"key\":\"erpbridge-demo-key\"") !=
                               std::string::npos;
                           return erpbridge::testing::json_response(
                               200, has_key ? R"({"res":0,"msg":"","data":{"remarked":"WX1"}})"
                                            : R"({"res":1,"msg":"签名无效"})");
                         });
  auto remark = settled(
      client.call_async("/doscall/oa/api/workorder_remark/", R"({"number":"WX1","remark":"x"})"));
  REQUIRE(remark.ok());
  CHECK(*remark == R"({"remarked":"WX1"})");
  // Bad input is refused before anything is sent, as a ready future.
  auto refused = client.query_receipts_async(
      {ctc::Direction::In, at("2020-03-01 00:00:00"), at("2020-03-20 00:00:00")});
  CHECK(refused.ready());
  CHECK(refused.get().error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("Async WMS and Kingdee: push_async, push_spare_parts_async and call_async") {
  FamilyServer server;
  const wms::Client wms = wms_client(server);
  auto pushed = settled(wms.push_async(sample_entry("RK-ASYNC-1")));
  REQUIRE(pushed.ok());
  CHECK_FALSE(pushed->bil_no.empty());
  // A repeat gets the same reply; then() chains on the I/O thread.
  auto bill = settled(wms.push_async(sample_entry("RK-ASYNC-1")).then([](Result<wms::PushReply> r) {
    return r.ok() ? Result<std::string>(r->bil_no) : Result<std::string>(r.error());
  }));
  REQUIRE(bill.ok());
  CHECK(*bill == pushed->bil_no);

  const kingdee::Client kingdee = kingdee_client(server);
  auto spare = settled(kingdee.push_spare_parts_async("1634800180022794240"));
  auto spare_blocking = kingdee.push_spare_parts("1634800180022794240");
  REQUIRE(spare.ok());
  REQUIRE(spare_blocking.ok());
  CHECK(spare->bill_number.rfind("BJLL-20230306-", 0) == 0);  // each push makes a new bill
  CHECK(spare->bill_number != spare_blocking->bill_number);
  CHECK(spare->customer_name == spare_blocking->customer_name);
  CHECK(spare->materials.size() == spare_blocking->materials.size());
  auto unknown = settled(kingdee.push_spare_parts_async("42"));
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().vendor_code == "bos.billnotexist");
  auto other = settled(kingdee.call_async("/app/none", "{}"));
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().code == kingdee.call("/app/none", "{}").error().code);
}

TEST_CASE("Async after-service: every Client method walks an order through the emulator") {
  FamilyServer server;
  const aftersales::Client client = aftersales_client(server);
  const aftersales::NewOrder order{"质量异常", "供应商A", "供应商B", "张三", "破损", "外箱破损"};
  auto created = settled(client.create_order_async(order));
  REQUIRE(created.ok());
  CHECK(created->status == aftersales::Status::Waiting);

  aftersales::OrderUpdate update;
  update.remark = "补充说明";
  auto updated = settled(client.update_order_async(created->id, update));
  REQUIRE(updated.ok());
  CHECK(updated->remark == "补充说明");

  auto submitted = settled(client.submit_order_async(*updated, "提交", "张三"));
  REQUIRE(submitted.ok());
  CHECK(submitted->status == aftersales::Status::ServiceApproving);
  auto approved = settled(client.done_order_async(*submitted, "同意", "专员"));
  REQUIRE(approved.ok());
  CHECK(approved->status == aftersales::Status::ServiceApproved);
  auto back = settled(client.reject_order_async(*approved, "退回", "负责人"));
  REQUIRE(back.ok());
  CHECK(back->status == aftersales::Status::ServiceApproving);
  // What the document restricts (submit only at in_progress / waitting, delete likewise) is
  // refused locally, as ready futures.
  auto refused = client.submit_order_async(*back, "", "x");
  CHECK(refused.ready());
  CHECK(refused.get().error().code == ErrorCode::FailedPrecondition);
  CHECK(client.delete_order_async(*back).get().error().code == ErrorCode::FailedPrecondition);

  auto page = settled(client.list_journals_async(created->id, aftersales::PageRequest{1, 2}));
  REQUIRE(page.ok());
  CHECK(page->items.size() == 2);
  auto journal = settled(client.all_journals_async(created->id, 2));
  REQUIRE(journal.ok());
  CHECK(journal->size() == 5);  // create, update, submit, done, reject

  auto added = settled(client.add_abnormal_products_async(
      created->id, {{std::nullopt, "SKU-1", "划痕", {}}, {std::nullopt, "SKU-2", "缺件", {}}}));
  REQUIRE(added.ok());
  REQUIRE(added->size() == 2);
  auto product = settled(client.update_abnormal_product_async(
      created->id, *(*added)[1].id, {std::nullopt, "SKU-2B", "缺两件", {}}));
  REQUIRE(product.ok());
  CHECK(product->sku_code == "SKU-2B");
  CHECK(settled(client.delete_abnormal_product_async(created->id, *(*added)[0].id)).ok());
  aftersales::DutyReport report;
  report.abnormal_type = "包装";
  report.abnormal_reason = "运输";
  report.publishment = "罚款";
  report.duty_to = "物流公司";
  report.compensation = Decimal::parse("12.50").value();
  report.duty_date = "2023-03-05";
  auto duty = settled(client.update_duty_report_async(created->id, report));
  REQUIRE(duty.ok());
  CHECK(duty->compensation->to_string() == "12.50");
  auto ranks = settled(client.rank_async(aftersales::Rank::AbnormalType));
  REQUIRE(ranks.ok());
  REQUIRE(ranks->size() == 1);
  CHECK(ranks->front().name == "包装");

  aftersales::ListFilter filter;
  filter.per_page = 1;
  auto first_page = settled(client.list_orders_async(filter));
  REQUIRE(first_page.ok());
  CHECK(first_page->items.size() == 1);
  auto other = settled(client.create_order_async(order));
  REQUIRE(other.ok());
  auto all = settled(client.all_orders_async(filter));
  REQUIRE(all.ok());
  std::size_t blocking_count = 0;
  for (const auto& item : client.all_orders(filter)) blocking_count += item.ok() ? 1 : 0;
  CHECK(all->size() == blocking_count);  // one page request after another, every page
  CHECK(all->back().id == other->id);
  CHECK(settled(client.delete_order_async(*other)).ok());
  CHECK(settled(client.all_orders_async(filter))->size() == blocking_count - 1);

  server.emulator->clear_faults();
  auto products = settled(client.all_products_async(3));
  auto products_blocking = client.list_products(aftersales::PageRequest{1, 100});
  REQUIRE(products.ok());
  REQUIRE(products_blocking.ok());
  CHECK(products->size() == products_blocking->items.size());
  auto matches = settled(client.list_products_async(aftersales::PageRequest{1, 2}));
  REQUIRE(matches.ok());
  auto users = settled(client.match_supplier_users_async("x", aftersales::PageRequest{}));
  REQUIRE(users.ok());
}

TEST_CASE("Async cancellation: a call waiting on a slow server ends at once, not at its answer") {
  FamilyServer server;
  Fault slow;
  slow.latency = 2s;
  server.emulator->set_fault("/CreateEntryConfirmation", slow, HttpMethod::Post);
  server.emulator->set_fault("/app/mxoc_0001_mxoc_pq/pq_orderexe_push_backup", slow,
                             HttpMethod::Post);
  const wms::Client wms = wms_client(server);
  auto pending = wms.push_async(sample_entry());
  // On the wire: the server has it and holds its answer for 2 s.
  REQUIRE(erpbridge::test_support::wait_until(
      [&] { return server.emulator->request_count("/CreateEntryConfirmation") >= 1; }, scaled(2s)));
  CHECK_FALSE(pending.ready());
  const auto start = Clock::now();
  pending.cancel();
  // The answer is 2 s (the slow server) or 5 s (the backoff) away: well before either.
  REQUIRE(pending.wait_for(scaled(1s)));
  CHECK(Clock::now() - start < scaled(1s));
  auto cancelled = pending.get();
  REQUIRE_FALSE(cancelled.ok());
  CHECK(cancelled.error().code == ErrorCode::Cancelled);
  CHECK_FALSE(cancelled.error().outcome_unknown);  // a push is safe to repeat

  // A write that went out may have been applied: the error says so.
  const kingdee::Client kingdee = kingdee_client(server);
  auto write = kingdee.push_spare_parts_async("1634800180022794240");
  // The server has received the push (after the token call): it may apply it.
  REQUIRE(erpbridge::test_support::wait_until(
      [&] {
        return server.emulator->request_count("/app/mxoc_0001_mxoc_pq/pq_orderexe_push_backup") >=
               1;
      },
      scaled(2s)));
  write.cancel();
  auto cancelled_write = settled(write, 1s);
  REQUIRE_FALSE(cancelled_write.ok());
  CHECK(cancelled_write.error().code == ErrorCode::Cancelled);
  CHECK(cancelled_write.error().outcome_unknown);
}

TEST_CASE("Async cancellation: a call cancelled during its backoff ends at once") {
  FamilyServer server;
  Fault busy;
  busy.status = 503;
  busy.retry_after = 5;  // a five-second wait before the next try
  server.emulator->set_fault("/doscall/oa/api/receipt_parts/", busy, HttpMethod::Post);
  ClientOptions base;
  base.retry.max_backoff = 10s;
  // The client logs the 503 once it has it: from then on the call waits for its retry.
  std::atomic<int> replies_503{0};
  base.log_sink = [&](erpbridge::LogLevel, std::string_view line) {
    if (line.rfind("response 503 ", 0) == 0) ++replies_503;
  };
  const ctc::Client client = ctc_client(server, base);
  auto pending = client.query_receipts_async(
      {ctc::Direction::In, at("2020-05-21 00:00:00"), at("2020-05-27 20:49:12")});
  REQUIRE(erpbridge::test_support::wait_until([&] { return replies_503 == 1; }, scaled(2s)));
  CHECK_FALSE(pending.ready());
  const auto start = Clock::now();
  pending.cancel();
  // The answer is 2 s (the slow server) or 5 s (the backoff) away: well before either.
  REQUIRE(pending.wait_for(scaled(1s)));
  CHECK(Clock::now() - start < scaled(1s));
  CHECK(pending.get().error().code == ErrorCode::Cancelled);
  // One try only: the cancel ended the wait for the second.
  CHECK(server.emulator->request_count("/doscall/oa/api/receipt_parts/") == 1);
}

TEST_CASE("Async: destroying a client completes its 100 pending calls with Cancelled") {
  FamilyServer server;
  Fault slow;
  slow.latency = 2s;
  server.emulator->set_fault("/CreateEntryConfirmation", slow, HttpMethod::Post);
  std::vector<Future<wms::PushReply>> pending;
  {
    ClientOptions base;
    base.max_in_flight = 16;  // 16 on the wire, 84 queued: both kinds must end
    const wms::Client client = wms_client(server, base);
    for (int i = 0; i < 100; ++i) pending.push_back(client.push_async(sample_entry()));
    // 16 on the wire (the server has them), the rest queued in the client.
    REQUIRE(erpbridge::test_support::wait_until(
        [&] { return server.emulator->request_count("/CreateEntryConfirmation") >= 16; },
        scaled(2s)));
  }
  const auto start = Clock::now();
  std::size_t cancelled = 0;
  for (auto& future : pending) {
    REQUIRE(future.wait_for(scaled(1s)));
    auto result = future.get();
    if (!result.ok() && result.error().code == ErrorCode::Cancelled) ++cancelled;
  }
  CHECK(cancelled == 100);
  CHECK(Clock::now() - start < scaled(1s));
}

// The I/O thread sleeps in epoll until a socket or a caller wakes it, and a caller wakes it
// only when the queue was empty. Calls queued from several threads while the calls in
// flight wait on a slow server (so no socket stirs) must still all go out at once, not at
// the loop's next timeout a second later. (Without the wake-up every call here fails.)
TEST_CASE("Async: calls queued from several threads while the others wait all start at once") {
  FamilyServer server;
  Fault slow;
  slow.latency = 300ms;
  server.emulator->set_fault("/CreateEntryConfirmation", slow, HttpMethod::Post);
  ClientOptions base;
  base.max_in_flight = 64;
  const wms::Client client = wms_client(server, base);
  {
    // Connections made first: the calls below go out on kept ones, with no connect to stir
    // the loop.
    std::vector<Future<wms::PushReply>> warm;
    for (int i = 0; i < 16; ++i) warm.push_back(client.push_async(sample_entry()));
    for (auto& future : warm) REQUIRE(future.get().ok());
  }
  constexpr int kThreads = 4;
  constexpr int kCallsEach = 4;
  for (int round = 0; round < 5; ++round) {
    std::vector<Future<Clock::duration>> took;
    std::mutex mutex;
    std::vector<std::thread> callers;
    for (int t = 0; t < kThreads; ++t) {
      callers.emplace_back([&] {
        for (int i = 0; i < kCallsEach; ++i) {
          const auto sent = Clock::now();
          auto done = client.push_async(sample_entry()).then([sent](Result<wms::PushReply> reply) {
            return reply.ok() ? Result<Clock::duration>(Clock::now() - sent)
                              : Result<Clock::duration>(reply.error());
          });
          std::lock_guard<std::mutex> guard(mutex);
          took.push_back(std::move(done));
        }
      });
    }
    for (auto& caller : callers) caller.join();
    for (auto& future : took) {
      Result<Clock::duration> elapsed = future.get();
      REQUIRE(elapsed.ok());
      // 300 ms at the server; a call left in the queue waited a second more.
      CHECK(*elapsed < 300ms + scaled(600ms));
    }
  }
}

TEST_CASE("Async: at most max_in_flight calls of a client are in flight, the rest queue") {
  FamilyServer server;
  Fault slow;
  slow.latency = 100ms;
  server.emulator->set_fault("/api/v1/afterservice/all-products", slow, HttpMethod::Get);
  ClientOptions base;
  base.max_in_flight = 4;
  const aftersales::Client client = aftersales_client(server, base);
  std::vector<Future<Page<aftersales::Product>>> calls;
  for (int i = 0; i < 20; ++i) {
    calls.push_back(client.list_products_async(aftersales::PageRequest{1, 5}));
  }
  for (auto& call : calls) CHECK(settled(call).ok());
  CHECK(server.emulator->max_concurrent_requests() <= 4);
  CHECK(server.emulator->max_concurrent_requests() >= 2);  // they did overlap
  CHECK(server.server->accepted_connections() <= 4);
}

TEST_CASE("Async: a mock Connection with blocking methods only serves async calls") {
  class OnlyBlocking : public ctc::Connection {
   public:
    Result<std::vector<ctc::Receipt>> query_receipts(const ctc::ReceiptQuery& query) override {
      {
        // list_receipts runs its windows on several workers at once.
        std::lock_guard<std::mutex> lock(mutex);
        calls_on.insert(std::this_thread::get_id());
      }
      ctc::Receipt receipt;
      receipt.number = "MOCK-" + query.start.to_string();
      receipt.created_at = query.start;
      return std::vector<ctc::Receipt>{receipt};
    }
    bool called_on(std::thread::id thread) {
      std::lock_guard<std::mutex> lock(mutex);
      return calls_on.count(thread) != 0;
    }

   private:
    std::mutex mutex;
    std::set<std::thread::id> calls_on;
  };
  auto mock = std::make_shared<OnlyBlocking>();
  ctc::Client client(mock);
  auto one = settled(client.query_receipts_async(
      {ctc::Direction::In, at("2020-05-21 00:00:00"), at("2020-05-27 00:00:00")}));
  REQUIRE(one.ok());
  CHECK(one->front().number == "MOCK-2020-05-21 00:00:00");
  CHECK_FALSE(mock->called_on(std::this_thread::get_id()));  // run off the caller's thread
  // list_receipts goes through the async path: 3 windows, merged in order.
  auto listed = client.list_receipts(ctc::Direction::In, at("2020-05-01 00:00:00"),
                                     at("2020-05-20 00:00:00"));
  REQUIRE(listed.ok());
  CHECK(listed->size() == 3);
  auto batch = settled(client.query_receipts_batch_async(
      {{ctc::Direction::In, at("2020-05-01 00:00:00"), at("2020-05-02 00:00:00")},
       {ctc::Direction::In, at("2020-05-03 00:00:00"), at("2020-05-04 00:00:00")}},
      1));
  REQUIRE(batch.ok());
  REQUIRE(batch->size() == 2);
  CHECK((*batch)[1]->front().number == "MOCK-2020-05-03 00:00:00");
  // Unimplemented methods stay Unimplemented, asynchronously too.
  CHECK(settled(client.call_async("/x", "{}")).error().code == ErrorCode::Unimplemented);
}

TEST_CASE("Async: a transport with send() alone (MockTransport) serves async calls") {
  auto transport = std::make_shared<testing::MockTransport>();
  transport->expect(
      HttpMethod::Post, "/CreateEntryConfirmation",
      HttpResponse{200, {}, R"({"code":0,"message":"ok","bil_id":"PC","bil_no":"PC9"})"});
  wms::Options options;
  options.base_url = "http://mock";
  options.token = make_static_token("mock-token-123");
  options.transport = transport;
  auto reply = settled(wms::Client(options).push_async(sample_entry()));
  REQUIRE(reply.ok());
  CHECK(reply->bil_no == "PC9");
  CHECK(transport->requests().size() == 1);
}

TEST_CASE("Future: get once, then(), then() on an executor, wait_for, cancel after the end") {
  Promise<int> promise;
  Future<int> future = promise.future();
  CHECK_FALSE(future.ready());
  CHECK_FALSE(future.wait_for(10ms));
  std::atomic<bool> ran_on_executor{false};
  Executor executor = [&](std::function<void()> work) {
    ran_on_executor = true;
    std::thread(std::move(work)).join();
  };
  Future<std::string> chained = future.then(executor, [](Result<int> value) {
    return value.ok() ? Result<std::string>(std::to_string(*value * 2))
                      : Result<std::string>(value.error());
  });
  CHECK(promise.complete(21));
  CHECK_FALSE(promise.complete(22));  // the first completion wins
  CHECK(chained.get().value() == "42");
  CHECK(ran_on_executor);
  CHECK(future.get().error().code == ErrorCode::FailedPrecondition);  // then() took it

  Future<int> done = ready_future<int>(7);
  done.cancel();  // complete already: unchanged
  CHECK(done.get().value() == 7);
  CHECK(done.get().error().code == ErrorCode::FailedPrecondition);  // got once already

  Promise<void> cancelled;
  std::atomic<bool> hook{false};
  cancelled.on_cancel([&] {
    hook = true;
    cancelled.complete(make_error(ErrorCode::Cancelled, "stop"));
  });
  Future<void> waiting = cancelled.future();
  waiting.cancel();
  CHECK(hook);
  CHECK(waiting.get().error().code == ErrorCode::Cancelled);
  CHECK(Future<int>().get().error().code == ErrorCode::FailedPrecondition);
}
