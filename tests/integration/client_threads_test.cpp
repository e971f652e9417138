// A client's threads are its own: async replies are decoded and continuations run on its
// completion threads (or the application's executor), never on the I/O thread, and a client
// destroyed with calls pending completes every one of them and joins every thread it started.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "erpbridge/aftersales/client.hpp"
#include "erpbridge/ctc/client.hpp"
#include "support/families.hpp"
#include "support/threads.hpp"
#include "support/timing.hpp"

using namespace std::chrono_literals;
using erpbridge::ErrorCode;
using erpbridge::Future;
using erpbridge::Result;
using erpbridge::ctc::Receipt;
using erpbridge::test_support::FamilyServer;

namespace {

const char* const kReceiptsPath = "/doscall/oa/api/receipt_parts/";

// The SDK's threads alive in this process, sorted by name: every one is named "erpbridge-..."
// (the test program's own threads are named after it, "erpbridge_integ..."). Process-wide
// pools started by an earlier test of the same run may be among them: tests compare.
std::vector<std::string> sdk_threads() {
  std::vector<std::string> names;
  for (std::string& name : erpbridge::test_support::thread_names()) {
    if (name.rfind("erpbridge-", 0) == 0) names.push_back(std::move(name));
  }
  return names;
}

// sdk_threads() once it equals `expected` (or 50 ms have passed): for a check right after
// the client's threads were joined (see thread_names_settled).
std::vector<std::string> sdk_threads_after_joins(const std::vector<std::string>& expected) {
  std::vector<std::string> names;
  (void)erpbridge::test_support::thread_names_settled([&](const std::vector<std::string>&) {
    names = sdk_threads();
    return names == expected;
  });
  return names;
}

std::string this_thread_name() {
  std::ifstream comm("/proc/thread-self/comm");
  std::string name;
  std::getline(comm, name);
  return name;
}

erpbridge::ctc::ReceiptQuery window_from(const char* start) {
  const auto from = erpbridge::DateTime::parse(start).value();
  return {erpbridge::ctc::Direction::In, from, from + std::chrono::hours(24)};
}

erpbridge::ctc::Options ctc_options(const FamilyServer& server) {
  erpbridge::ctc::Options options;
  options.base_url = server.server->base_url();
  options.key = erpbridge::make_static_token(server.settings.ctc_key);
  return options;
}

}  // namespace

TEST_CASE("Client threads: async replies are decoded and continued on a completion thread") {
  FamilyServer server;
  erpbridge::ctc::Client client(ctc_options(server));
  std::string continued_on;
  auto receipts = client.query_receipts_async(window_from("2020-03-01 00:00:00"))
                      .then([&](Result<std::vector<Receipt>> result) -> Result<std::size_t> {
                        continued_on = this_thread_name();
                        if (!result.ok()) return std::move(result).error();
                        return result->size();
                      })
                      .get();
  REQUIRE(receipts.ok());
  CHECK(continued_on == "erpbridge-done");  // not erpbridge-io, whose transfers would wait
}

TEST_CASE("Client threads: an application's completion executor runs the decode and continuation") {
  FamilyServer server;
  std::mutex mutex;
  std::condition_variable handed;
  std::deque<std::function<void()>> work;
  const std::vector<std::string> before = sdk_threads();
  erpbridge::ctc::Options options = ctc_options(server);
  options.completion_executor = [&](std::function<void()> task) {
    {
      std::lock_guard<std::mutex> guard(mutex);
      work.push_back(std::move(task));
    }
    handed.notify_one();
  };
  {
    erpbridge::ctc::Client client(options);
    std::thread::id continued_on;
    auto future = client.query_receipts_async(window_from("2020-03-01 00:00:00"))
                      .then([&](Result<std::vector<Receipt>> result) -> Result<std::size_t> {
                        continued_on = std::this_thread::get_id();
                        if (!result.ok()) return std::move(result).error();
                        return result->size();
                      });
    // This thread is the application's executor: it runs what the client hands it.
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    while (!future.ready() && std::chrono::steady_clock::now() < give_up) {
      std::unique_lock<std::mutex> lock(mutex);
      handed.wait_for(lock, 50ms, [&] { return !work.empty(); });
      while (!work.empty()) {
        std::function<void()> task = std::move(work.front());
        work.pop_front();
        lock.unlock();
        task();
        lock.lock();
      }
    }
    REQUIRE(future.ready());
    auto result = future.get();
    REQUIRE(result.ok());
    CHECK(continued_on == std::this_thread::get_id());
    std::vector<std::string> with_client = before;
    with_client.push_back("erpbridge-io");  // and no completion thread
    std::sort(with_client.begin(), with_client.end());
    CHECK(sdk_threads() == with_client);
  }
  CHECK(sdk_threads_after_joins(before) == before);
}

TEST_CASE(
    "Client threads: destroyed with 200 calls pending, completions busy and queued, a client "
    "returns within 1 s, completes every call and leaves no thread") {
  FamilyServer server;
  const std::vector<std::string> before = sdk_threads();
  // Half the windows are answered at once, half only after 5 s (by their start date).
  erpbridge::testing::Fault slow;
  slow.latency = 5s;
  slow.body_contains = "2020-04-01";
  server.emulator->set_fault(kReceiptsPath, slow, erpbridge::HttpMethod::Post);

  erpbridge::ctc::Options options = ctc_options(server);
  options.max_in_flight = 64;  // past 64 slow ones, calls wait their turn unsent
  options.completion_threads = 1;
  constexpr int kCalls = 200;
  std::atomic<int> continued{0};
  std::atomic<int> succeeded{0};
  std::atomic<int> cancelled{0};
  std::atomic<int> slow_succeeded{0};
  std::atomic<int> other{0};
  std::atomic<bool> holding{false};
  std::vector<Future<bool>> futures;
  std::chrono::steady_clock::duration destruction{};
  {
    auto client = std::make_unique<erpbridge::ctc::Client>(options);
    for (int i = 0; i < kCalls; ++i) {
      const bool is_slow = i % 2 == 1;
      auto call = client->query_receipts_async(
          window_from(is_slow ? "2020-04-01 00:00:00" : "2020-03-01 00:00:00"));
      futures.push_back(
          call.then([&, is_slow](Result<std::vector<Receipt>> result) -> Result<bool> {
            // The first to complete holds the one completion thread a while: the replies behind
            // it queue their decodes and continuations.
            if (!holding.exchange(true)) std::this_thread::sleep_for(300ms);
            if (result.ok()) {
              ++succeeded;
              if (is_slow) ++slow_succeeded;
            } else if (result.error().code == ErrorCode::Cancelled) {
              ++cancelled;
            } else {
              ++other;
            }
            ++continued;
            return result.ok();
          }));
    }
    // Until the completion thread is held and the slots have filled with slow calls: each
    // fast reply frees its slot for the next call, so 64 fast and 64 slow ones get sent,
    // and the 72 after them wait unsent.
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    while ((!holding || server.emulator->request_count(kReceiptsPath) < 128) &&
           std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(5ms);
    }
    REQUIRE(holding.load());
    CHECK(continued.load() < kCalls);  // still pending: queued, in flight or waiting unsent
    const auto started = std::chrono::steady_clock::now();
    client.reset();
    destruction = std::chrono::steady_clock::now() - started;
  }
  INFO("destroyed in " << std::chrono::duration_cast<std::chrono::milliseconds>(destruction).count()
                       << " ms");
  CHECK(destruction < erpbridge::test_support::scaled(1s));
  // Every continuation ran during the destruction: nothing is left to wait for.
  CHECK(continued.load() == kCalls);
  for (auto& future : futures) CHECK(future.ready());
  CHECK(succeeded.load() + cancelled.load() == kCalls);
  CHECK(other.load() == 0);
  CHECK(slow_succeeded.load() == 0);  // each slow one ended Cancelled, 5 s early
  CHECK(succeeded.load() > 0);
  CHECK(sdk_threads_after_joins(before) == before);  // every thread the client started is gone
  server.emulator->cut_latency_waits();
  server.emulator->clear_faults();
}

namespace {

struct CallCounter : erpbridge::CallObserver {
  std::atomic<int> calls{0};
  void on_try(const erpbridge::TryEvent&) override {}
  void on_call(const erpbridge::CallEvent&) override { ++calls; }
};

// Runs a call composed of several vendor calls (`compose`) to its end, then destroys the
// client on this thread while the caller's continuation still holds the thread that
// completed it. The client must end there and then: every event delivered (as many as the
// server counted requests on `path`) and every thread it started joined. A part of the
// composition that held the client past the outcome would make that completion thread
// the client's last owner instead, and the client would end later, somewhere else.
template <typename Client, typename T, typename Options>
void check_destroyed_by_its_owner(Options options, const FamilyServer& server,
                                  const std::string& path,
                                  const std::function<Future<T>(const Client&)>& compose) {
  auto counter = std::make_shared<CallCounter>();
  options.observer = counter;
  const std::vector<std::string> before = sdk_threads();
  const std::size_t requests_before = server.emulator->request_count(path);
  auto client = std::make_unique<Client>(options);
  std::promise<void> continued;
  Future<bool> outcome = compose(*client).then([&](Result<T> result) -> Result<bool> {
    const bool succeeded = result.ok();
    continued.set_value();
    std::this_thread::sleep_for(100ms);  // still on the thread that completed the call
    return succeeded;
  });
  REQUIRE(continued.get_future().wait_for(erpbridge::test_support::scaled(10s)) ==
          std::future_status::ready);
  client.reset();
  const int requests = static_cast<int>(server.emulator->request_count(path) - requests_before);
  CHECK(requests >= 2);
  CHECK(counter->calls.load() == requests);
  CHECK(sdk_threads_after_joins(before) == before);
  REQUIRE(outcome.ready());
  CHECK(outcome.get().value());
}

}  // namespace

TEST_CASE(
    "Client threads: a client destroyed right after its composed call completes ends on the "
    "thread that destroyed it (list_receipts, receipt batch, all_orders)") {
  FamilyServer server;
  SECTION("CTC list_receipts: two windows") {
    check_destroyed_by_its_owner<erpbridge::ctc::Client, std::vector<Receipt>>(
        ctc_options(server), server, kReceiptsPath, [](const erpbridge::ctc::Client& client) {
          const auto from = erpbridge::DateTime::parse("2020-03-01 00:00:00").value();
          return client.list_receipts_async(erpbridge::ctc::Direction::In, from,
                                            from + std::chrono::hours(24 * 14));
        });
  }
  SECTION("CTC query_receipts_batch: three windows") {
    using Batch = std::vector<Result<std::vector<Receipt>>>;
    check_destroyed_by_its_owner<erpbridge::ctc::Client, Batch>(
        ctc_options(server), server, kReceiptsPath, [](const erpbridge::ctc::Client& client) {
          return client.query_receipts_batch_async(
              {window_from("2020-03-01 00:00:00"), window_from("2020-03-02 00:00:00"),
               window_from("2020-03-03 00:00:00")},
              2);
        });
  }
  SECTION("After-service all_orders: one order per page") {
    erpbridge::aftersales::Options options;
    options.base_url = server.server->base_url();
    {
      erpbridge::aftersales::Client creator(options);
      for (int i = 0; i < 3; ++i) {
        REQUIRE(
            creator
                .create_order({"质量问题", "深圳供应商", "广州供应商", "张三", "破损", "外箱破损"})
                .ok());
      }
    }
    erpbridge::aftersales::ListFilter filter;
    filter.per_page = 1;
    check_destroyed_by_its_owner<erpbridge::aftersales::Client,
                                 std::vector<erpbridge::aftersales::Order>>(
        options, server, "/api/v1/afterservice/orders",
        [filter](const erpbridge::aftersales::Client& client) {
          return client.all_orders_async(filter);
        });
  }
}

TEST_CASE(
    "Client threads: a mock connection's default async call lets go of it before the caller "
    "sees the result") {
  struct Mock : erpbridge::ctc::Connection {
    std::thread::id* destroyed_on;
    explicit Mock(std::thread::id* where) : destroyed_on(where) {}
    ~Mock() override { *destroyed_on = std::this_thread::get_id(); }
    Result<std::vector<Receipt>> query_receipts(const erpbridge::ctc::ReceiptQuery&) override {
      return std::vector<Receipt>{};
    }
  };
  std::thread::id destroyed_on;
  auto client = std::make_unique<erpbridge::ctc::Client>(std::make_shared<Mock>(&destroyed_on));
  std::promise<void> continued;
  // Continued inline on the worker thread that ran the blocking call, and held there.
  Future<bool> outcome = client->query_receipts_async(window_from("2020-03-01 00:00:00"))
                             .then([&](Result<std::vector<Receipt>> result) -> Result<bool> {
                               continued.set_value();
                               std::this_thread::sleep_for(100ms);
                               return result.ok();
                             });
  REQUIRE(continued.get_future().wait_for(10s) == std::future_status::ready);
  client.reset();
  CHECK(destroyed_on == std::this_thread::get_id());
  CHECK(outcome.get().value());
}

TEST_CASE(
    "Client threads: a transport that only sends, and a connection that only blocks, run async "
    "calls and retry waits on threads of their own, joined when they end") {
  const std::vector<std::string> before = sdk_threads();
  auto used = [](const std::string& name) {
    const std::vector<std::string> now = sdk_threads();
    return std::find(now.begin(), now.end(), name) != now.end();
  };
  SECTION("an HttpTransport with send() alone, answering 503 then 204") {
    struct SendOnly : erpbridge::HttpTransport {
      std::atomic<int> sent{0};
      Result<erpbridge::HttpResponse> send(const erpbridge::HttpRequest&) override {
        erpbridge::HttpResponse response;
        response.status = sent++ == 0 ? 503 : 204;
        return response;
      }
    };
    auto transport = std::make_shared<SendOnly>();
    erpbridge::ClientOptions options;
    options.base_url = "http://send-only.invalid";
    options.transport = transport;
    options.retry.initial_backoff = 1ms;
    {
      erpbridge::aftersales::Client client(options);
      // A list is a read: its 503 is retried after a wait on the transport's timer thread.
      auto orders = client.list_orders_async({}).get();
      CHECK(transport->sent.load() == 2);
      CHECK(used("erpbridge-work"));
      CHECK(used("erpbridge-timer"));
      (void)orders;
    }
    options.transport.reset();
    transport.reset();  // the last reference: its threads are joined
  }
  SECTION("a Connection with blocking methods alone") {
    struct BlockingOnly : erpbridge::ctc::Connection {
      Result<std::vector<Receipt>> query_receipts(const erpbridge::ctc::ReceiptQuery&) override {
        return std::vector<Receipt>{};
      }
    };
    {
      erpbridge::ctc::Client client(std::make_shared<BlockingOnly>());
      REQUIRE(client.query_receipts_async(window_from("2020-03-01 00:00:00")).get().ok());
      CHECK(used("erpbridge-work"));
    }
  }
  CHECK(sdk_threads_after_joins(before) == before);
}
