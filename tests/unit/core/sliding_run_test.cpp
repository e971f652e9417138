// SlidingRun's progress reports: calls end on several threads, and a user's callback must
// still be told one count at a time, in order, and never after the run has ended.
#include "call/sliding_run.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using erpbridge::ErrorCode;
using erpbridge::Future;
using erpbridge::Promise;
using erpbridge::Result;
using erpbridge::internal::SlidingRun;

namespace {

// The calls of a run, each completed when the test says so.
struct Calls {
  std::vector<Promise<int>> promises;
  explicit Calls(std::size_t count) : promises(count) {}
  SlidingRun<int>::Start start() {
    return [this](std::size_t index) { return promises[index].future(); };
  }
};

}  // namespace

TEST_CASE("SlidingRun: progress is told one call at a time, counts in order, before the end") {
  Calls calls(2);
  std::mutex mutex;
  std::condition_variable changed;
  bool first_inside = false;
  std::vector<std::size_t> told;
  std::atomic<int> inside{0};
  std::atomic<int> most_inside{0};
  auto progress = [&](std::size_t succeeded, std::size_t count) {
    const int now = ++inside;
    if (now > most_inside) most_inside = now;
    CHECK(count == 2);
    std::unique_lock<std::mutex> lock(mutex);
    told.push_back(succeeded);
    if (succeeded == 1) {
      // A slow callback: the other call ends meanwhile, on another thread.
      first_inside = true;
      changed.notify_all();
      changed.wait_for(lock, 300ms);
    }
    --inside;
  };
  Future<erpbridge::internal::SlidingOutcome<int>> run =
      SlidingRun<int>::run(2, 2, /*stop_at_failure=*/false, calls.start(), progress);

  std::thread first([&] { calls.promises[0].complete(10); });
  {
    std::unique_lock<std::mutex> lock(mutex);
    REQUIRE(changed.wait_for(lock, 5s, [&] { return first_inside; }));
  }
  std::thread second([&] { calls.promises[1].complete(20); });
  first.join();
  second.join();

  REQUIRE(run.wait_for(5s));
  Result<erpbridge::internal::SlidingOutcome<int>> outcome = run.get();
  REQUIRE(outcome.ok());
  CHECK(*outcome->results[1] == 20);
  CHECK(most_inside == 1);  // the second report waited for the first
  std::lock_guard<std::mutex> lock(mutex);
  CHECK(told == std::vector<std::size_t>{1, 2});
}

TEST_CASE("SlidingRun: a progress callback may cancel the run, nothing is told after") {
  Calls calls(3);
  Future<erpbridge::internal::SlidingOutcome<int>> run;
  std::vector<std::size_t> told;  // the callback runs on the thread completing a call: here
  auto progress = [&](std::size_t succeeded, std::size_t) {
    told.push_back(succeeded);
    run.cancel();  // "enough": from inside the report
  };
  run = SlidingRun<int>::run(3, 1, /*stop_at_failure=*/true, calls.start(), progress);
  calls.promises[0].complete(1);
  REQUIRE(run.wait_for(1s));
  CHECK(run.get().error().code == ErrorCode::Cancelled);
  calls.promises[1].complete(2);  // never started: nothing more is told
  CHECK(told == std::vector<std::size_t>{1});
}
