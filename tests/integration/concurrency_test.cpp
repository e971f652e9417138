// Many threads sharing one client of each family, and the WMS receiver under concurrent
// duplicate pushes. Run under TSan by the sanitizer job.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <thread>

#include "erpbridge/testing/wms_emulator.hpp"
#include "support/families.hpp"
#include "support/start_line.hpp"
#include "support/timing.hpp"

using erpbridge::ClientOptions;
using erpbridge::test_support::Caller;
using erpbridge::test_support::FamilyServer;
using erpbridge::test_support::sample_entry;
using namespace std::chrono_literals;

namespace {

constexpr int kThreads = 8;

// kThreads threads make calls_per_thread() calls each through one shared client.
// 2,000 each; under a sanitizer (which stretches the time scale) 500: ThreadSanitizer sees a
// race between the threads' calls as well in the first hundred as in the two-thousandth, and
// the four of these took three minutes of the TSan run.
int calls_per_thread() {
  return erpbridge::test_support::time_scale() > 1 ? 500 : 2000;
}

void hammer(std::size_t index) {
  const int kCallsPerThread = calls_per_thread();
  FamilyServer server;
  const auto family = server.main_calls().at(index);
  ClientOptions options;
  options.base_url = server.server->base_url();
  const Caller call = family.connect(options);

  std::atomic<int> succeeded{0};
  std::atomic<int> failed{0};
  std::mutex first_error_mutex;
  std::string first_error;
  erpbridge::test_support::StartLine start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      for (int i = 0; i < kCallsPerThread; ++i) {
        if (auto error = call()) {
          ++failed;
          std::lock_guard<std::mutex> guard(first_error_mutex);
          if (first_error.empty()) first_error = error->to_string();
        } else {
          ++succeeded;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  INFO(family.name << ": " << first_error);
  CHECK(failed == 0);
  CHECK(succeeded == kThreads * kCallsPerThread);
  CHECK(server.emulator->request_count(family.path) >=
        static_cast<std::size_t>(kThreads * kCallsPerThread));
  CHECK(server.emulator->max_concurrent_requests() >= 2);  // the threads' calls overlapped
  // Connections are pooled, not opened per call.
  CHECK(server.server->accepted_connections() <= 4u * kThreads);
}

}  // namespace

TEST_CASE("Concurrency: 8 threads x 2000 (500 sanitized) CTC queries through one client") {
  hammer(0);
}
TEST_CASE("Concurrency: 8 threads x 2000 (500 sanitized) WMS pushes through one client") {
  hammer(1);
}
TEST_CASE("Concurrency: 8 threads x 2000 (500 sanitized) Kingdee push-downs through one client") {
  hammer(2);
}
TEST_CASE("Concurrency: 8 threads x 2000 (500 sanitized) after-service lists through one client") {
  hammer(3);
}

TEST_CASE("Concurrency: WMS receiver delivers each of 8 threads' mixed pushes exactly once") {
  const std::string token = "receiver-token";
  auto emulator = std::make_shared<erpbridge::testing::Emulator>();
  erpbridge::testing::WmsEmulator wms(token);
  wms.install(*emulator);
  auto server = erpbridge::testing::EmulatorServer::start(emulator).value();

  erpbridge::wms::Options options;
  options.base_url = server->base_url();
  options.token = erpbridge::make_static_token(token);
  erpbridge::wms::Client client(options);

  // Every thread pushes the same 300 orders in its own order: each is new to one of them
  // and a duplicate to the seven others, often at the same moment.
  constexpr int kOrders = 300;
  std::vector<erpbridge::wms::EntryConfirmation> orders;
  for (int i = 0; i < kOrders; ++i) orders.push_back(sample_entry("DUP-" + std::to_string(i)));
  std::atomic<int> failed{0};
  erpbridge::test_support::StartLine start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      std::vector<int> sequence(kOrders);
      for (int i = 0; i < kOrders; ++i) sequence[i] = i;
      std::shuffle(sequence.begin(), sequence.end(), std::mt19937(t));
      for (int i : sequence) {
        auto reply = client.push(orders[i]);
        if (!reply.ok() || !reply->succeeded()) ++failed;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failed == 0);

  CHECK(emulator->max_concurrent_requests() >= 2);  // duplicates really met
  std::map<std::string, int> deliveries;
  for (const auto& order : wms.delivered()) ++deliveries[order.order.entry_code];
  CHECK(deliveries.size() == static_cast<std::size_t>(kOrders));
  for (const auto& [code, count] : deliveries) {
    INFO(code);
    CHECK(count == 1);
  }
}
