// Cancel is honest: 10,000 async writes (1,000 under a sanitizer) against a loopback server
// that records every request it receives, each cancelled at a random moment. Whatever the
// moment, a write the server saw is reported as a success or as possibly applied
// (outcome_unknown), never as cancelled before it was sent.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "erpbridge/aftersales/client.hpp"
#include "erpbridge/testing/emulator.hpp"
#include "erpbridge/testing/emulator_server.hpp"
#include "support/timing.hpp"

using namespace erpbridge;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kMarker = "cancel-honesty-";

// The ids of the writes the server received, read from the remark each one carries.
class Ledger {
 public:
  void record(const std::string& body) {
    const std::size_t at = body.find(kMarker);
    if (at == std::string::npos) return;
    std::size_t end = at + std::char_traits<char>::length(kMarker);
    long id = 0;
    while (end < body.size() && body[end] >= '0' && body[end] <= '9') {
      id = id * 10 + (body[end++] - '0');
    }
    std::lock_guard<std::mutex> guard(mutex_);
    seen_.insert(id);
  }
  std::set<long> seen() {
    std::lock_guard<std::mutex> guard(mutex_);
    return seen_;
  }

 private:
  std::mutex mutex_;
  std::set<long> seen_;
};

}  // namespace

TEST_CASE("Cancel honesty: 10,000 (1,000 sanitized) async writes cancelled at random moments") {
  const long total = erpbridge::test_support::time_scale() > 1 ? 1000 : 10000;
  auto ledger = std::make_shared<Ledger>();
  auto emulator = std::make_shared<testing::Emulator>();
  // A create answered 204 No Content: the after-service API's documented success.
  emulator->route(HttpMethod::Post, "/api/v1/afterservice/orders",
                  [ledger](const testing::EmulatorRequest& request) {
                    ledger->record(request.body);
                    HttpResponse response;
                    response.status = 204;
                    return response;
                  });
  auto server = testing::EmulatorServer::start(emulator).value();
  ClientOptions options;
  options.base_url = server->base_url();
  options.max_in_flight = 16;  // so that some calls wait their turn when cancelled
  std::vector<Result<aftersales::Order>> outcomes;
  outcomes.reserve(static_cast<std::size_t>(total));
  {
    aftersales::Client client(options);
    std::mt19937 random(20261206);
    // In rounds of 100: a third cancelled as soon as started (many still queued behind
    // max_in_flight, some being handed over), the others in a random order after a random
    // spin of 0 to 400 microseconds each (while sent, or after their answer); then all of
    // the round waited for.
    for (long round = 0; round < total / 100; ++round) {
      std::vector<Future<aftersales::Order>> futures;
      for (long k = 0; k < 100; ++k) {
        aftersales::NewOrder order{"质量问题",   "深圳供应商",
                                   "广州供应商", "张三",
                                   "破损",       kMarker + std::to_string(round * 100 + k)};
        futures.push_back(client.create_order_async(order));
        if (random() % 3 == 0) futures.back().cancel();
      }
      std::vector<std::size_t> order(futures.size());
      for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
      std::shuffle(order.begin(), order.end(), random);
      for (std::size_t k : order) {
        const auto until = Clock::now() + std::chrono::microseconds(random() % 400);
        while (Clock::now() < until) std::this_thread::yield();
        futures[k].cancel();
      }
      for (auto& future : futures) outcomes.push_back(future.get());
    }
  }
  server->stop();  // every request that reached the server has been recorded

  const std::set<long> seen = ledger->seen();
  long succeeded = 0, unknown = 0, unsent = 0;
  for (long id = 0; id < total; ++id) {
    const auto& outcome = outcomes[static_cast<std::size_t>(id)];
    if (outcome.ok()) {
      ++succeeded;
      CHECK(seen.count(id) == 1);  // answered: the server had it
      continue;
    }
    INFO("write " << id << ": " << outcome.error().to_string());
    REQUIRE(outcome.error().code == ErrorCode::Cancelled);
    if (outcome.error().outcome_unknown) {
      ++unknown;
    } else {
      ++unsent;
      CHECK(seen.count(id) == 0);  // reported as never sent: the server must not have it
    }
  }
  INFO(succeeded << " succeeded, " << unknown << " outcome unknown, " << unsent
                 << " cancelled before sending, " << seen.size() << " seen by the server");
  CHECK(succeeded + unknown + unsent == total);
  // The random moments reached both sides of the hand-over.
  CHECK(unsent > 0);
  CHECK(succeeded + unknown > 0);
}

namespace {

// A transport that holds the second request inside send_async() until the test has
// cancelled it: the moment after the executor handed the request over and before it learns
// anything back, which random timing rarely hits. The first request is answered when the
// test says so, from the test's helper thread, so that the second one is handed over there.
class GateTransport : public HttpTransport {
 public:
  Result<HttpResponse> send(const HttpRequest&) override {
    return make_error(ErrorCode::Internal, "not used");
  }
  Future<HttpResponse> send_async(HttpRequest request) override {
    std::unique_lock<std::mutex> lock(mutex_);
    if (++requests_ == 1) return first_.future();
    // The request has left: from here on, a cancel must say the write may have been applied.
    bodies_.push_back(request.body);
    second_handed_ = true;
    changed_.notify_all();
    changed_.wait_for(lock, std::chrono::seconds(5), [this] { return release_; });
    HttpResponse response;
    response.status = 204;
    return ready_future<HttpResponse>(response);
  }
  void answer_first() {
    HttpResponse response;
    response.status = 204;
    first_.complete(response);
  }
  bool wait_second_handed() {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(5), [this] { return second_handed_; });
  }
  void release() {
    std::lock_guard<std::mutex> guard(mutex_);
    release_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  Promise<HttpResponse> first_;
  int requests_ = 0;
  bool second_handed_ = false;
  bool release_ = false;
  std::vector<std::string> bodies_;
};

}  // namespace

TEST_CASE("Cancel honesty: a cancel while the transport takes the write reports it as unknown") {
  auto gate = std::make_shared<GateTransport>();
  ClientOptions options;
  options.base_url = "http://gate.invalid";
  options.transport = gate;
  options.max_in_flight = 1;  // the second call waits for the first, then starts from its end
  aftersales::Client client(options);
  const aftersales::NewOrder order{"质量问题", "深圳供应商", "广州供应商",
                                   "张三",     "破损",       "外箱破损"};
  Future<aftersales::Order> first = client.create_order_async(order);
  Future<aftersales::Order> second = client.create_order_async(order);
  std::thread answering([&] { gate->answer_first(); });  // hands the second one over
  REQUIRE(gate->wait_second_handed());
  second.cancel();  // the transport has the request and has not returned yet
  gate->release();
  answering.join();
  REQUIRE(first.get().ok());
  const Result<aftersales::Order> outcome = second.get();
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.error().code == ErrorCode::Cancelled);
  CHECK(outcome.error().outcome_unknown);
}
