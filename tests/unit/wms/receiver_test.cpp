#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <set>
#include <thread>
#include <type_traits>

#include "data/wms_sample.hpp"
#include "erpbridge/wms/receiver.hpp"
#include "erpbridge/wms/sqlite_store.hpp"
#include "support/files.hpp"
#include "support/manual_clock.hpp"
#include "support/timing.hpp"

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

// Opened once by the test; wait() blocks until then.
class Gate {
 public:
  void open() {
    {
      std::lock_guard<std::mutex> guard(mutex_);
      open_ = true;
    }
    opened_.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    opened_.wait(lock, [this] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable opened_;
  bool open_ = false;
};

// The memory store, counting its answers so a test can wait until duplicates are really
// waiting; it can also fail or block on request.
class CountingStore : public ClaimStore {
 public:
  Result<Claim> claim(const std::string& code, const std::string& fingerprint,
                      std::chrono::milliseconds lease) override {
    if (code == blocked_code) claim_gate.wait();
    if (fail_claims) return erpbridge::make_error(ErrorCode::Transport, "disk unavailable");
    if (claims_unanswered) return unanswered();
    Result<Claim> claim = inner_->claim(code, fingerprint, lease);
    if (claim.ok() && claim->kind == Claim::Kind::Busy) {
      std::lock_guard<std::mutex> guard(mutex_);
      ++busy_;
      changed_.notify_all();
    }
    return claim;
  }
  Result<void> complete(const std::string& token, const PushReply& reply) override {
    if (fail_completes) return erpbridge::make_error(ErrorCode::Transport, "disk full");
    ++completes;
    if (unanswered_completes > 0) {
      --unanswered_completes;
      return unanswered();
    }
    return inner_->complete(token, reply);
  }
  Result<void> release(const std::string& token) override {
    ++releases;
    return inner_->release(token);
  }
  static erpbridge::Error unanswered() {
    erpbridge::Error error =
        erpbridge::make_error(ErrorCode::Transport, "server closed the connection unexpectedly");
    error.retryable = true;
    return error;
  }
  /// Whether `count` Busy answers were given within 10 s.
  bool wait_for_busy(int count) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [&] { return busy_ >= count; });
  }

  std::atomic<bool> fail_claims{false};
  std::atomic<bool> fail_completes{false};
  std::atomic<bool> claims_unanswered{false};  // as a database that is down answers
  std::atomic<int> unanswered_completes{0};    // this many complete() calls get no answer
  std::atomic<int> completes{0};
  std::atomic<int> releases{0};
  std::string blocked_code;  // set before use: claims of it wait for claim_gate
  Gate claim_gate;

 private:
  std::shared_ptr<ClaimStore> inner_ = make_memory_store();
  std::mutex mutex_;
  std::condition_variable changed_;
  int busy_ = 0;
};

// Runs `body` on its own thread; a hang fails the test after `limit` instead of blocking the
// run (the stuck thread is left behind).
bool finishes_within(std::chrono::seconds limit, std::function<void()> body) {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> finished = done->get_future();
  std::thread([done, body = std::move(body)] {
    body();
    done->set_value();
  }).detach();
  return finished.wait_for(limit) == std::future_status::ready;
}

std::string with_entry_code(const std::string& code) {
  std::string body = kWmsRequestSample;
  for (std::size_t at = body.find("RK230302000001"); at != std::string::npos;
       at = body.find("RK230302000001", at + code.size())) {
    body.replace(at, 14, code);
  }
  return body;
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

TEST_CASE("Receiver: invalid JSON or no entry_code is 400, broken rules are notes, not refusals") {
  std::vector<EntryConfirmation> seen;
  Receiver receiver(
      [&seen](const EntryConfirmation& order) -> Result<PushReply> {
        seen.push_back(order);
        return PushReply{"0", "新增成功", "PC", "PC1"};
      },
      expect_token("t0k"));
  auto garbage = receiver.handle(kAuthorized, "{\"entry_order\":");
  CHECK(garbage.http_status == 400);
  CHECK(reply_of(garbage).message.find("invalid JSON") != std::string::npos);
  std::string anonymous = kWmsRequestSample;
  const std::string header_code = "\"entry_code\": \"RK230302000001\"";
  anonymous.replace(anonymous.find(header_code), header_code.size(), "\"entry_code\": \"\"");
  auto unknown = receiver.handle(kAuthorized, anonymous);
  CHECK(unknown.http_status == 400);
  CHECK(reply_of(unknown).message.find("no entry_order.entry_code") != std::string::npos);
  CHECK(seen.empty());

  // Rules the document's table states, broken: the order is still taken (once), and the
  // application sees each broken rule as a note.
  std::string broken = kWmsRequestSample;
  broken.replace(broken.find("\"P001\""), 6, "\"\"");  // item_code required
  broken.replace(broken.find("\"order_type\": \"01\""), 18, "\"order_type\": \"99\"");
  auto taken = receiver.handle(kAuthorized, broken);
  CHECK(taken.http_status == 200);
  CHECK(reply_of(taken).code == "0");
  REQUIRE(seen.size() == 1);
  std::set<std::string> noted;
  for (const auto& note : seen[0].notes) noted.insert(note.path + ": " + note.problem);
  CHECK(noted.count("order_lines[0].item_code: is required") == 1);
  CHECK(noted.count("entry_order.order_type: must be one of 01..11, is \"99\"") == 1);
  CHECK(receiver.handle(kAuthorized, broken).body == taken.body);  // and only once
  CHECK(seen.size() == 1);
}

TEST_CASE("Receiver: an ISO operate_time, a numeric item_code, entry_code_itm 1.0: taken once") {
  std::vector<EntryConfirmation> seen;
  Receiver receiver(
      [&seen](const EntryConfirmation& order) -> Result<PushReply> {
        seen.push_back(order);
        return PushReply{"0", "新增成功", "PC", "PC2"};
      },
      expect_token("t0k"));
  std::string loose = kWmsRequestSample;
  loose.replace(loose.find("\"2023-03-02 11:25:13\""), 21, "\"2023-03-02T11:25:13.250+08:00\"");
  loose.replace(loose.find("\"P001\","), 7, "90017,");
  loose.replace(loose.find("\"entry_code_itm\": 1"), 19, "\"entry_code_itm\": 1.0");
  for (int push = 0; push < 3; ++push) {
    auto reply = receiver.handle(kAuthorized, loose);
    CHECK(reply.http_status == 200);
    CHECK(reply_of(reply).bil_no == "PC2");
  }
  REQUIRE(seen.size() == 1);
  const EntryConfirmation& order = seen[0];
  CHECK(order.order.operate_time->to_string() == "2023-03-02 11:25:13");
  CHECK(order.lines.at(0).item_code == "90017");
  std::set<std::string> paths;
  for (const auto& note : order.notes) paths.insert(note.path);
  CHECK(paths.count("entry_order.operate_time") == 1);
  CHECK(paths.count("order_lines[0].entry_code_itm") == 1);
}

TEST_CASE("Receiver: a successful handler is final, its over-long reply is fitted, not rerun") {
  for (const char* backend : {"memory", "sqlite"}) {
    INFO(backend);
    erpbridge::test_support::TempDir directory;
    std::shared_ptr<ClaimStore> store = make_memory_store();
    if (std::string(backend) == "sqlite") store = open_sqlite_store(directory.file("c.db")).value();
    std::atomic<int> calls{0};
    Receiver receiver(
        [&calls](const EntryConfirmation&) -> Result<PushReply> {
          ++calls;  // the ERP made its document: a 19-digit id, longer than bil_id's 10
          return PushReply{"0", "新增成功", "1634800180022794240", "ERP-1634800180022794240"};
        },
        expect_token("t0k"), store);
    std::string first_body;
    for (int push = 0; push < 3; ++push) {
      auto reply = receiver.handle(kAuthorized, kWmsRequestSample);
      REQUIRE(reply.http_status == 200);
      if (push == 0) first_body = reply.body;
      CHECK(reply.body == first_body);
    }
    CHECK(calls == 1);
    PushReply stored = reply_of(receiver.handle(kAuthorized, kWmsRequestSample));
    CHECK(stored.code == "0");
    CHECK(stored.bil_id == "1634800180");  // the table's 10 characters
    CHECK(stored.bil_no == "ERP-1634800180022794240");
    CHECK(first_body.find("erpbridge_notes") != std::string::npos);
    CHECK(first_body.find("bil_id: must be at most 10 characters") != std::string::npos);
  }
}

TEST_CASE("Receiver: a new entry_code is delivered once, a repeat gets the stored reply") {
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
  // The handler holds its claim until all 15 duplicates have been told the order is in
  // flight, so the overlap the test claims really happens.
  auto store = std::make_shared<CountingStore>();
  Gate gate;
  std::atomic<int> calls{0};
  Receiver receiver(
      [&](const EntryConfirmation&) -> Result<PushReply> {
        ++calls;
        gate.wait();
        return PushReply{"0", "新增成功", "PC", "PC230301001"};
      },
      expect_token("t0k"), store);
  std::vector<ReceiverReply> replies(16);
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      replies[static_cast<std::size_t>(i)] = receiver.handle(kAuthorized, kWmsRequestSample);
    });
  }
  REQUIRE(store->wait_for_busy(15));
  gate.open();
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

TEST_CASE("Receiver: a handler failure is not stored, the retry is delivered once") {
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

TEST_CASE("Receiver: a handler that throws gets 500, and the same order again is delivered") {
  std::atomic<int> calls{0};
  auto store = std::make_shared<CountingStore>();
  Receiver receiver(
      [&](const EntryConfirmation&) -> Result<PushReply> {
        if (++calls == 1) throw std::runtime_error("lost the database connection");
        return PushReply{"0", "新增成功", "PC", "PC230301003"};
      },
      expect_token("t0k"), store);
  ReceiverReply thrown;
  ReceiverReply retried;
  // A receiver that kept the claim after the exception would park the retry: a hang fails.
  REQUIRE(finishes_within(std::chrono::seconds(10), [&] {
    thrown = receiver.handle(kAuthorized, kWmsRequestSample);
    retried = receiver.handle(kAuthorized, kWmsRequestSample);
  }));
  CHECK(thrown.http_status == 500);
  CHECK(reply_of(thrown).message.find("lost the database connection") != std::string::npos);
  CHECK(store->releases == 1);
  CHECK(retried.http_status == 200);
  CHECK(reply_of(retried).bil_no == "PC230301003");
  CHECK(calls == 2);
}

TEST_CASE("Receiver: a duplicate waits a bounded time for the original, then gets 503") {
  auto store = std::make_shared<CountingStore>();
  Gate entered;
  Gate gate;
  ReceiverOptions options;
  options.duplicate_wait = std::chrono::milliseconds(100);
  Receiver receiver(
      [&](const EntryConfirmation&) -> Result<PushReply> {
        entered.open();
        gate.wait();
        return PushReply{"0", "新增成功", "PC", "PC230301004"};
      },
      expect_token("t0k"), store, options);
  ReceiverReply original;
  std::thread first([&] { original = receiver.handle(kAuthorized, kWmsRequestSample); });
  entered.wait();  // the original holds the claim now
  ReceiverReply waited;
  REQUIRE(finishes_within(std::chrono::seconds(10),
                          [&] { waited = receiver.handle(kAuthorized, kWmsRequestSample); }));
  CHECK(waited.http_status == 503);
  REQUIRE(waited.retry_after_seconds.has_value());
  CHECK(*waited.retry_after_seconds >= 1);
  CHECK(reply_of(waited).code == "503");
  CHECK(receiver.stats().busy == 1);
  gate.open();
  first.join();
  CHECK(original.http_status == 200);
  auto later = receiver.handle(kAuthorized, kWmsRequestSample);
  CHECK(later.http_status == 200);
  CHECK(later.body == original.body);
}

TEST_CASE("Receiver: a failed original wakes its waiting duplicate, which runs the handler") {
  auto store = std::make_shared<CountingStore>();
  Gate gate;
  std::atomic<int> calls{0};
  Receiver receiver(
      [&](const EntryConfirmation&) -> Result<PushReply> {
        if (++calls == 1) {
          gate.wait();
          throw std::runtime_error("crashed mid-way");
        }
        return PushReply{"0", "新增成功", "PC", "PC230301005"};
      },
      expect_token("t0k"), store);
  ReceiverReply first_reply;
  ReceiverReply second_reply;
  bool duplicate_waited = false;
  std::thread first([&] { first_reply = receiver.handle(kAuthorized, kWmsRequestSample); });
  // The body runs on a thread of its own, where a failed REQUIRE would end the process
  // instead of the test: its verdicts are checked here, after it finished.
  REQUIRE(finishes_within(std::chrono::seconds(10), [&] {
    // The second push starts only once the first is inside the handler, so the first is
    // the original and the second the duplicate.
    while (calls.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::thread second([&] { second_reply = receiver.handle(kAuthorized, kWmsRequestSample); });
    duplicate_waited = store->wait_for_busy(1);  // the duplicate is waiting for the original
    gate.open();
    second.join();
  }));
  first.join();
  CHECK(duplicate_waited);
  CHECK(first_reply.http_status == 500);
  CHECK(second_reply.http_status == 200);
  CHECK(reply_of(second_reply).bil_no == "PC230301005");
  CHECK(calls == 2);
}

TEST_CASE("Receiver: a failing store is 500 and releases nothing it did not hold") {
  auto store = std::make_shared<CountingStore>();
  std::atomic<int> calls{0};
  Receiver receiver(
      [&](const EntryConfirmation&) -> Result<PushReply> {
        ++calls;
        return PushReply{"0", "新增成功", "PC", "PC230301006"};
      },
      expect_token("t0k"), store);
  store->fail_claims = true;
  auto unclaimed = receiver.handle(kAuthorized, kWmsRequestSample);
  CHECK(unclaimed.http_status == 500);
  CHECK(reply_of(unclaimed).message.find("disk unavailable") != std::string::npos);
  CHECK(calls == 0);
  store->fail_claims = false;
  store->fail_completes = true;
  auto uncompleted = receiver.handle(kAuthorized, kWmsRequestSample);
  CHECK(uncompleted.http_status == 500);
  CHECK(store->releases == 1);  // the claim was given back, so WMS's retry can deliver
  store->fail_completes = false;
  auto delivered = receiver.handle(kAuthorized, kWmsRequestSample);
  CHECK(delivered.http_status == 200);
  CHECK(calls == 2);
}

TEST_CASE("Receiver: a store that does not answer is 503 with Retry-After, then takes the push") {
  auto store = std::make_shared<CountingStore>();
  std::atomic<int> calls{0};
  Receiver receiver(
      [&](const EntryConfirmation&) -> Result<PushReply> {
        ++calls;
        return PushReply{"0", "新增成功", "PC", "PC230301016"};
      },
      expect_token("t0k"), store);
  store->claims_unanswered = true;
  const ReceiverReply down = receiver.handle(kAuthorized, kWmsRequestSample);
  CHECK(down.http_status == 503);
  CHECK(down.retry_after_seconds == std::optional<int>(2));
  CHECK(reply_of(down).message.find("unavailable") != std::string::npos);
  CHECK(calls == 0);
  CHECK(receiver.stats().unavailable == 1);
  CHECK(receiver.stats().failed == 0);
  store->claims_unanswered = false;
  CHECK(receiver.handle(kAuthorized, kWmsRequestSample).http_status == 200);
  CHECK(calls == 1);
}

TEST_CASE("Receiver: completion is tried again while the store does not answer, the handler once") {
  auto store = std::make_shared<CountingStore>();
  std::atomic<int> calls{0};
  ReceiverOptions options;
  options.lease = std::chrono::milliseconds(600);
  Receiver receiver(
      [&](const EntryConfirmation&) -> Result<PushReply> {
        ++calls;
        return PushReply{"0", "新增成功", "PC", "PC230301017"};
      },
      expect_token("t0k"), store, options);
  SECTION("an outage shorter than the lease: stored, 200, the handler ran once") {
    store->unanswered_completes = 3;  // 50 + 100 + 200 ms of retries
    const ReceiverReply stored = receiver.handle(kAuthorized, kWmsRequestSample);
    CHECK(stored.http_status == 200);
    CHECK(store->completes == 4);
    CHECK(calls == 1);
    CHECK(receiver.handle(kAuthorized, kWmsRequestSample).body == stored.body);
    CHECK(calls == 1);
    CHECK(store->releases == 0);
  }
  SECTION("an outage past the lease: 503, never 500, and the claim given back") {
    store->unanswered_completes = 1000;
    const ReceiverReply unsure = receiver.handle(kAuthorized, kWmsRequestSample);
    CHECK(unsure.http_status == 503);
    CHECK(unsure.retry_after_seconds.has_value());
    CHECK(store->completes > 1);
    CHECK(store->releases == 1);
  }
}

TEST_CASE("Receiver: a slow store for one entry code does not stall the others") {
  auto store = std::make_shared<CountingStore>();
  store->blocked_code = "RK-SLOW-1";
  Receiver receiver(
      [&](const EntryConfirmation& order) -> Result<PushReply> {
        return PushReply{"0", "新增成功", "PC", "PC-" + order.order.entry_code};
      },
      expect_token("t0k"), store);
  ReceiverReply slow;
  std::thread stuck([&] { slow = receiver.handle(kAuthorized, with_entry_code("RK-SLOW-1")); });
  ReceiverReply other;
  CHECK(finishes_within(std::chrono::seconds(10), [&] {
    other = receiver.handle(kAuthorized, with_entry_code("RK-FAST-2"));
  }));
  CHECK(other.http_status == 200);
  store->claim_gate.open();
  stuck.join();
  CHECK(slow.http_status == 200);
}

TEST_CASE(
    "Receiver: a claim whose holder died is taken over after its lease, with a greater fence") {
  erpbridge::test_support::ManualClock clock;
  auto store = make_memory_store(clock.function());
  // A holder in another process claims the order with a short lease, then dies.
  auto order = parse_entry_confirmation(kWmsRequestSample).value();
  auto held =
      store->claim(order.order.entry_code, fingerprint_of(order), std::chrono::milliseconds(150));
  REQUIRE(held.ok());
  REQUIRE(held->kind == Claim::Kind::Claimed);
  REQUIRE(held->fence == 1);
  std::atomic<int> calls{0};
  std::atomic<std::int64_t> fence_seen{0};
  ReceiverOptions options;
  options.duplicate_wait = std::chrono::milliseconds(10);
  Receiver receiver(
      [&](const EntryConfirmation&) -> Result<PushReply> {
        ++calls;
        fence_seen = delivery_fencing_token();
        return PushReply{"0", "新增成功", "PC", "PC230301007"};
      },
      expect_token("t0k"), store, options);
  // Within the lease: the holder may still be working, so WMS is asked to come back.
  CHECK(receiver.handle(kAuthorized, kWmsRequestSample).http_status == 503);
  clock.advance(std::chrono::milliseconds(149));
  CHECK(receiver.handle(kAuthorized, kWmsRequestSample).http_status == 503);
  CHECK(calls == 0);
  clock.advance(std::chrono::milliseconds(1));
  // After it: delivered here (the at-least-once window of a dead holder).
  auto taken = receiver.handle(kAuthorized, kWmsRequestSample);
  CHECK(taken.http_status == 200);
  CHECK(calls == 1);
  CHECK(fence_seen == 2);  // greater than the dead holder's, so its writes can be refused
  CHECK(delivery_fencing_token() == 0);  // outside a handler
  // The dead holder's token no longer completes anything.
  CHECK(store->complete(held->token, PushReply{"0", "", "X", "X"}).error().code ==
        ErrorCode::FailedPrecondition);
}

TEST_CASE("Receiver in inbox mode: each order accepted once, kept as received, numbered per day") {
  auto store = make_memory_store();
  Receiver receiver(InboxMode{}, expect_token("t0k"), store);
  auto first = receiver.handle(kAuthorized, kWmsRequestSample);
  REQUIRE(first.http_status == 200);
  const PushReply reply = reply_of(first);
  CHECK(reply.code == "0");
  CHECK(reply.bil_id == "IN");
  REQUIRE(reply.bil_no.size() == 16);  // "IN" + YYYYMMDD + six digits
  CHECK(reply.bil_no.substr(10) == "000001");
  auto again = receiver.handle(kAuthorized, kWmsRequestSample);
  CHECK(again.body == first.body);
  auto second = receiver.handle(kAuthorized, with_entry_code("RK-INBOX-2"));
  CHECK(reply_of(second).bil_no.substr(10) == "000002");

  Inbox inbox(store);
  auto entries = inbox.next(10);
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 2);
  CHECK(entries->at(0).entry_code == "RK230302000001");
  CHECK(entries->at(0).body == kWmsRequestSample);  // the JSON as received
  CHECK(entries->at(0).reply.bil_no == reply.bil_no);
  auto order = Inbox::order_of(entries->at(0));
  REQUIRE(order.ok());
  CHECK(order->lines.size() == 1);
  REQUIRE(inbox.ack(entries->at(0).id).ok());
  CHECK(receiver.stats().delivered == 2);
  CHECK(receiver.stats().duplicates == 1);
}

TEST_CASE("Receiver in inbox mode: the user's numbering, and its failure") {
  auto store = make_memory_store();
  std::atomic<int> calls{0};
  Receiver receiver(InboxMode{[&](const EntryConfirmation& order) -> Result<PushReply> {
                      if (++calls == 1) throw std::runtime_error("numbering service down");
                      return PushReply{"0", "ok", "ERP", "ERP-" + order.order.entry_code};
                    }},
                    expect_token("t0k"), store);
  auto failed = receiver.handle(kAuthorized, kWmsRequestSample);
  CHECK(failed.http_status == 500);
  CHECK(Inbox(store).next(10)->empty());
  auto accepted = receiver.handle(kAuthorized, kWmsRequestSample);
  REQUIRE(accepted.http_status == 200);
  CHECK(reply_of(accepted).bil_no == "ERP-RK230302000001");
  CHECK(Inbox(store).next(10)->size() == 1);
}

TEST_CASE("Receiver in inbox mode takes only a store that keeps an inbox, when compiling") {
  // Inbox mode completes a claim and keeps the order in one transaction of one store: a
  // store of claims alone is refused by the compiler, not answered 500 at the first push.
  STATIC_REQUIRE_FALSE(
      std::is_constructible<Receiver, InboxMode, TokenChecker, std::shared_ptr<ClaimStore>>::value);
  STATIC_REQUIRE(std::is_constructible<Receiver, InboxMode, TokenChecker,
                                       std::shared_ptr<ReceiverStore>>::value);
  STATIC_REQUIRE(std::is_constructible<Inbox, std::shared_ptr<InboxStore>>::value);
  STATIC_REQUIRE_FALSE(std::is_constructible<Inbox, std::shared_ptr<ClaimStore>>::value);
}

TEST_CASE("Receiver: draining turns new pushes away with 503 and lets the ones in progress end") {
  auto store = std::make_shared<CountingStore>();
  Gate handler_gate;
  std::atomic<int> calls{0};
  ReceiverOptions options;
  options.drain_retry_after = std::chrono::seconds(7);
  Receiver receiver(
      [&](const EntryConfirmation& order) -> Result<PushReply> {
        ++calls;
        handler_gate.wait();
        return PushReply{"0", "新增成功", "PC", "PC-" + order.order.entry_code};
      },
      expect_token("t0k"), store, options);
  REQUIRE(receiver.ready().ok());
  CHECK(receiver.wait_idle(std::chrono::milliseconds(0)));
  // One push inside its handler when the drain starts.
  ReceiverReply in_progress;
  std::thread pushing([&] { in_progress = receiver.handle(kAuthorized, kWmsRequestSample); });
  REQUIRE(
      erpbridge::test_support::wait_until([&] { return calls == 1; }, std::chrono::seconds(10)));
  receiver.drain();
  CHECK(receiver.draining());
  auto ready = receiver.ready();
  REQUIRE_FALSE(ready.ok());
  CHECK(ready.error().code == ErrorCode::FailedPrecondition);
  // A new push, even a valid new order, is not read: 503 in the document's shape.
  auto turned_away = receiver.handle(kAuthorized, with_entry_code("RK-DRAIN-2"));
  CHECK(turned_away.http_status == 503);
  CHECK(turned_away.retry_after_seconds == 7);
  CHECK(turned_away.close_connection);
  CHECK(reply_of(turned_away).code == "503");
  CHECK(calls == 1);
  // The one in progress holds the receiver busy until its handler ends, then answers 200.
  CHECK_FALSE(receiver.wait_idle(std::chrono::milliseconds(20)));  // its handler is parked
  handler_gate.open();
  CHECK(receiver.wait_idle(std::chrono::seconds(10)));
  pushing.join();
  CHECK(in_progress.http_status == 200);
  CHECK_FALSE(in_progress.close_connection);  // its connection may carry the next push
  CHECK(reply_of(in_progress).bil_no == "PC-RK230302000001");
  CHECK(receiver.stats().drained == 1);
  CHECK(receiver.stats().delivered == 1);
}

TEST_CASE("Receiver: not ready while its store does not answer") {
  struct Unreachable : CountingStore {
    Result<void> check() override {
      return erpbridge::make_error(ErrorCode::Transport, "connection refused");
    }
  };
  Receiver receiver([](const EntryConfirmation&) -> Result<PushReply> { return PushReply{}; },
                    expect_token("t0k"), std::make_shared<Unreachable>());
  auto ready = receiver.ready();
  REQUIRE_FALSE(ready.ok());
  CHECK(ready.error().code == ErrorCode::Transport);
  CHECK(ready.error().message == "claim store: connection refused");
}

TEST_CASE("Receiver: a handler running past its lease keeps its claim, the duplicate waits") {
  auto store = make_memory_store();
  Gate gate;
  std::atomic<int> calls{0};
  ReceiverOptions options;
  options.lease = std::chrono::milliseconds(900);            // renewed every 300 ms
  options.duplicate_wait = std::chrono::milliseconds(2250);  // 2.5 leases
  Receiver receiver(
      [&](const EntryConfirmation&) -> Result<PushReply> {
        ++calls;
        gate.wait();
        return PushReply{"0", "新增成功", "PC", "PC230301099"};
      },
      expect_token("t0k"), store, options);
  ReceiverReply original;
  std::thread first([&] { original = receiver.handle(kAuthorized, kWmsRequestSample); });
  REQUIRE(
      erpbridge::test_support::wait_until([&] { return calls == 1; }, std::chrono::seconds(10)));
  // Without renewal the duplicate would take the order over once the first lease ran out,
  // and run the handler a second time beside the first.
  const ReceiverReply duplicate = receiver.handle(kAuthorized, kWmsRequestSample);
  CHECK(duplicate.http_status == 503);
  CHECK(calls == 1);
  gate.open();
  first.join();
  CHECK(original.http_status == 200);
  CHECK(calls == 1);
  CHECK(receiver.handle(kAuthorized, kWmsRequestSample).body == original.body);
}

TEST_CASE("Receiver: a handler learns that its claim was lost, outside a handler nothing is") {
  struct Losing : CountingStore {
    Result<void> renew(const std::string&, std::chrono::milliseconds) override {
      return erpbridge::make_error(ErrorCode::FailedPrecondition, "the claim was taken over");
    }
  };
  ReceiverOptions options;
  options.lease = std::chrono::milliseconds(300);
  std::atomic<bool> lost_before{true};
  std::atomic<bool> lost_seen{false};
  Receiver receiver(
      [&](const EntryConfirmation&) -> Result<PushReply> {
        lost_before = delivery_claim_lost();
        lost_seen = erpbridge::test_support::wait_until([] { return delivery_claim_lost(); },
                                                        std::chrono::seconds(10));
        return PushReply{"0", "新增成功", "PC", "PC230301098"};
      },
      expect_token("t0k"), std::make_shared<Losing>(), options);
  CHECK(receiver.handle(kAuthorized, kWmsRequestSample).http_status == 200);
  CHECK_FALSE(lost_before);  // not lost when the handler starts
  CHECK(lost_seen);          // lost after the first renewal failed
  CHECK_FALSE(delivery_claim_lost());
}
