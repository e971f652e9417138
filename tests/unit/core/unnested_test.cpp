// Long queues of calls that end at once must not deepen the completing thread's stack. A
// future's continuations run on the thread that completes it, so each composer that starts
// the next call from a continuation (the executor's waiting calls, SlidingRun, the page
// collector) nested one level per call when the calls were ready at once: 10,000 queued CTC
// calls whose deadline passed overflowed the I/O thread's stack. Each test here measures the
// stack span the calls reached (the addresses of a local in the innermost function) and
// fails on a span that grows with the number of calls.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "call/sliding_run.hpp"
#include "call/unnested.hpp"
#include "erpbridge/aftersales/client.hpp"
#include "erpbridge/aftersales/connection.hpp"
#include "erpbridge/core/future.hpp"
#include "erpbridge/core/http.hpp"

using erpbridge::ErrorCode;
using erpbridge::Future;
using erpbridge::HttpRequest;
using erpbridge::HttpResponse;
using erpbridge::Promise;
using erpbridge::Result;
using erpbridge::internal::run_unnested;
using erpbridge::internal::SlidingRun;

namespace {

// 2,000 calls nested one level each reach megabytes of stack; unnested they stay within a
// few kilobytes of where the first began. 256 KiB leaves room for sanitizers' larger frames.
constexpr std::uintptr_t kFlatSpan = 256 * 1024;

// The lowest and highest stack addresses seen (stacks grow down on x86-64 and arm64).
class StackSpan {
 public:
  void note() {
    volatile char here = 0;
    const auto address = reinterpret_cast<std::uintptr_t>(&here);
    std::lock_guard<std::mutex> guard(mutex_);
    lowest_ = std::min(lowest_, address);
    highest_ = std::max(highest_, address);
  }
  std::uintptr_t span() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return highest_ - lowest_;
  }

 private:
  mutable std::mutex mutex_;
  std::uintptr_t lowest_ = UINTPTR_MAX;
  std::uintptr_t highest_ = 0;
};

// Holds the first request until the test answers it; answers every later one at once
// (status 400: final, never retried), as a transport that has closed or a mock does.
class HoldFirstTransport : public erpbridge::HttpTransport {
 public:
  Result<HttpResponse> send(const HttpRequest&) override {
    return erpbridge::make_error(ErrorCode::Internal, "not used");
  }
  Future<HttpResponse> send_async(HttpRequest) override {
    span.note();
    std::lock_guard<std::mutex> guard(mutex_);
    if (++requests_ == 1) return first_.future();
    return erpbridge::ready_future<HttpResponse>(refused());
  }
  void answer_first() { first_.complete(refused()); }
  int requests() {
    std::lock_guard<std::mutex> guard(mutex_);
    return requests_;
  }
  StackSpan span;

 private:
  static HttpResponse refused() {
    HttpResponse response;
    response.status = 400;
    response.body = R"({"status":400,"message":"refused"})";
    return response;
  }
  std::mutex mutex_;
  Promise<HttpResponse> first_;
  int requests_ = 0;
};

// Serves list_products_async from memory, each page ready at once: one product a page.
class ReadyPagesConnection : public erpbridge::aftersales::Connection {
 public:
  explicit ReadyPagesConnection(int pages) : pages_(pages) {}
  Future<erpbridge::Page<erpbridge::aftersales::Product>> list_products_async(
      const erpbridge::aftersales::PageRequest& request) override {
    span.note();
    erpbridge::Page<erpbridge::aftersales::Product> page;
    page.total = pages_;
    if (request.page >= 1 && request.page <= pages_) {
      erpbridge::aftersales::Product product;
      product.id = request.page;
      page.items.push_back(product);
    }
    return erpbridge::ready_future<erpbridge::Page<erpbridge::aftersales::Product>>(
        std::move(page));
  }
  StackSpan span;

 private:
  int pages_;
};

}  // namespace

TEST_CASE("Unnested steps: a step started inside another runs after it, in order") {
  std::vector<std::string> order;
  run_unnested([&] {
    order.push_back("outer begins");
    run_unnested([&] {
      order.push_back("first queued");
      run_unnested([&] { order.push_back("queued by the first"); });
    });
    run_unnested([&] { order.push_back("second queued"); });
    order.push_back("outer ends");
  });
  CHECK(order == std::vector<std::string>{"outer begins", "outer ends", "first queued",
                                          "second queued", "queued by the first"});
  // Nothing is left behind: a step run afterwards runs at once.
  bool ran = false;
  run_unnested([&] { ran = true; });
  CHECK(ran);
}

TEST_CASE(
    "Unnested steps: a throwing step does not stop the queue, its exception reaches the "
    "outermost caller") {
  std::vector<int> ran;
  auto throwing_run = [&] {
    run_unnested([&] {
      run_unnested([&] {
        ran.push_back(1);
        throw std::runtime_error("first");
      });
      run_unnested([&] {
        ran.push_back(2);
        throw std::logic_error("second");
      });
      run_unnested([&] { ran.push_back(3); });
    });
  };
  CHECK_THROWS_WITH(throwing_run(), "first");
  CHECK(ran == std::vector<int>{1, 2, 3});
  bool after = false;
  run_unnested([&] { after = true; });
  CHECK(after);
}

TEST_CASE("Unnested steps: 2,000 waiting calls that end at once keep the executor's stack flat") {
  auto transport = std::make_shared<HoldFirstTransport>();
  erpbridge::ClientOptions options;
  options.base_url = "http://hold.invalid";
  options.transport = transport;
  options.max_in_flight = 1;  // every later call waits for the first
  erpbridge::aftersales::Client client(options);
  constexpr int kCalls = 2000;
  std::vector<Future<std::vector<erpbridge::aftersales::RankEntry>>> calls;
  calls.reserve(kCalls);
  for (int i = 0; i < kCalls; ++i) {
    calls.push_back(client.rank_async(erpbridge::aftersales::Rank::DutyParty));
  }
  REQUIRE(transport->requests() == 1);
  transport->answer_first();  // the rest start, and end, from this thread
  for (auto& call : calls) {
    const auto outcome = call.get();
    REQUIRE_FALSE(outcome.ok());
    CHECK(outcome.error().code != ErrorCode::Cancelled);
  }
  CHECK(transport->requests() == kCalls);
  CHECK(transport->span.span() < kFlatSpan);
}

TEST_CASE("Unnested steps: a SlidingRun of 2,000 calls ready at once keeps the stack flat") {
  StackSpan span;
  constexpr std::size_t kCalls = 2000;
  auto run = SlidingRun<int>::run(kCalls, 4, /*stop_at_failure=*/false, [&](std::size_t index) {
    span.note();
    return erpbridge::ready_future<int>(static_cast<int>(index));
  });
  const auto outcome = run.get();
  REQUIRE(outcome.ok());
  REQUIRE(outcome->results.size() == kCalls);
  for (std::size_t i = 0; i < kCalls; ++i) {
    REQUIRE(outcome->results[i].ok());
    CHECK(*outcome->results[i] == static_cast<int>(i));
  }
  CHECK(span.span() < kFlatSpan);
}

TEST_CASE("Unnested steps: 2,000 pages ready at once keep the page collector's stack flat") {
  constexpr int kPages = 2000;
  auto connection = std::make_shared<ReadyPagesConnection>(kPages);
  erpbridge::aftersales::Client client(connection);
  const auto products = client.all_products_async(1).get();
  REQUIRE(products.ok());
  REQUIRE(products->size() == static_cast<std::size_t>(kPages));
  for (int i = 0; i < kPages; ++i)
    CHECK((*products)[static_cast<std::size_t>(i)].id == std::int64_t{i + 1});
  CHECK(connection->span.span() < kFlatSpan);
}
