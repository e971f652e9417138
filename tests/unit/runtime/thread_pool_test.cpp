// The one pool type behind workers and decoders: tasks handed over back to back while threads
// sit idle each get a thread (a decoder must never wait behind another stream), a bound holds,
// and a task that throws leaves its thread serving.
#include "runtime/thread_pool.hpp"

#include "erpbridge/core/background.hpp"

#include "support/threads.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using erpbridge::internal::ThreadPool;

namespace {

// Tasks that each wait until `expected` of them are running at once (or time runs out).
class Rendezvous {
 public:
  explicit Rendezvous(int expected) : expected_(expected) {}
  // True when every task met the others, false after `patience` alone.
  bool meet(std::chrono::milliseconds patience) {
    std::unique_lock<std::mutex> lock(mutex_);
    ++arrived_;
    changed_.notify_all();
    return changed_.wait_for(lock, patience, [&] { return arrived_ >= expected_; });
  }

 private:
  const int expected_;
  int arrived_ = 0;
  std::mutex mutex_;
  std::condition_variable changed_;
};

// Counts tasks that ended, and waits for a number of them.
class Finished {
 public:
  void one(bool met) {
    std::lock_guard<std::mutex> guard(mutex_);
    ++count_;
    if (!met) ++alone_;
    changed_.notify_all();
  }
  bool wait_for(int count, std::chrono::seconds patience) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, patience, [&] { return count_ >= count; });
  }
  int alone() {
    std::lock_guard<std::mutex> guard(mutex_);
    return alone_;
  }

 private:
  int count_ = 0;
  int alone_ = 0;
  std::mutex mutex_;
  std::condition_variable changed_;
};

}  // namespace

TEST_CASE("ThreadPool: tasks handed over back to back beside idle threads each get a thread") {
  // The old decoder pool counted only idle threads: two tasks handed over before an idle
  // thread woke were both promised it, and the second waited for the first to end.
  ThreadPool pool("test-pool", 0);
  int total = 0;
  for (int round = 0; round < 200; ++round) {
    const int tasks = 2 + round % 4;  // more than the idle threads some rounds, fewer others
    Rendezvous rendezvous(tasks);
    Finished finished;
    for (int i = 0; i < tasks; ++i) {
      pool.run([&] { finished.one(rendezvous.meet(5s)); });
    }
    total += tasks;
    REQUIRE(finished.wait_for(tasks, 10s));
    INFO("round " << round << ": " << tasks << " tasks");
    REQUIRE(finished.alone() == 0);  // each met all the others: none waited for a thread
  }
  // Threads were kept and reused, not one per task (a thread still on its way back to idle
  // when the next round starts may cost one more now and then).
  CHECK(pool.threads() < 50);
  CHECK(total > 600);
}

TEST_CASE("ThreadPool: a bound holds, and what is beyond it queues and runs") {
  ThreadPool pool("test-bounded", 2);
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  Finished finished;
  for (int i = 0; i < 12; ++i) {
    pool.run([&] {
      const int now = ++running;
      int seen = most.load();
      while (now > seen && !most.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::sleep_for(5ms);
      --running;
      finished.one(true);
    });
  }
  REQUIRE(finished.wait_for(12, 10s));
  CHECK(most.load() <= 2);
  CHECK(most.load() >= 1);
  CHECK(pool.threads() == 2);
}

TEST_CASE("ThreadPool: a task that throws leaves its thread serving the next") {
  ThreadPool pool("test-throws", 1);
  Finished finished;
  pool.run([] { throw std::runtime_error("a task's own failure"); });
  pool.run([] { throw 42; });
  pool.run([&] { finished.one(true); });
  REQUIRE(finished.wait_for(1, 10s));
  CHECK(pool.threads() == 1);
}

TEST_CASE("ThreadPool: destroyed, it runs what is queued and joins its threads") {
  std::atomic<int> ran{0};
  {
    ThreadPool pool("test-join", 2);
    for (int i = 0; i < 20; ++i) {
      pool.run([&] {
        std::this_thread::sleep_for(1ms);
        ++ran;
      });
    }
  }
  CHECK(ran.load() == 20);
}

TEST_CASE("ThreadPool: closed by one of its own tasks, it ends that thread without waiting on it") {
  // A continuation that drops the last reference to its client closes the client's pool
  // from a thread of that pool: it cannot join itself.
  auto pool = std::make_shared<ThreadPool>("test-self-close", 2);
  std::atomic<bool> closed{false};
  Finished finished;
  pool->run([&, keep = pool]() mutable {
    pool.reset();
    keep.reset();  // the last reference: the pool is destroyed on its own thread
    closed = true;
    finished.one(true);
  });
  REQUIRE(finished.wait_for(1, 10s));
  CHECK(closed.load());
  CHECK(pool == nullptr);
}

TEST_CASE("ThreadPool: after close, a late task runs on the thread that hands it over") {
  ThreadPool pool("test-late", 1);
  pool.close();
  CHECK(pool.threads() == 0);
  std::thread::id ran_on;
  pool.run([&] { ran_on = std::this_thread::get_id(); });
  CHECK(ran_on == std::this_thread::get_id());
  pool.run([] { throw std::runtime_error("contained"); });  // contained there too
}

TEST_CASE("ThreadPool: its threads carry the pool's name, cut to the kernel's 15 characters") {
  ThreadPool pool("erpbridge-a-long-pool-name", 1);
  Rendezvous hold(2);  // the task stays on its thread while the test reads the names
  Finished finished;
  pool.run([&] { finished.one(hold.meet(10s)); });
  std::this_thread::sleep_for(50ms);  // the thread names itself as it starts
  bool named = false;
  for (int tries = 0; tries < 100 && !named; ++tries) {
    const std::vector<std::string> names = erpbridge::test_support::thread_names();
    named = std::find(names.begin(), names.end(), "erpbridge-a-lon") != names.end();
    if (!named) std::this_thread::sleep_for(10ms);
  }
  hold.meet(0ms);
  REQUIRE(finished.wait_for(1, 10s));
  CHECK(named);
}

namespace {

// The threads named `name` alive now.
std::size_t threads_named(const std::string& name) {
  const std::vector<std::string> names = erpbridge::test_support::thread_names();
  return static_cast<std::size_t>(std::count(names.begin(), names.end(), name));
}

}  // namespace

TEST_CASE(
    "BackgroundThreads: no thread before first use, and once destroyed it has run what was "
    "queued, dropped timers not yet due and joined every thread") {
  const std::size_t workers_before = threads_named("erpbridge-work");
  const std::size_t timers_before = threads_named("erpbridge-timer");
  std::atomic<int> ran{0};
  auto sentinel = std::make_shared<int>(0);
  std::weak_ptr<int> watched = sentinel;
  Finished fired;
  {
    erpbridge::BackgroundThreads threads;
    CHECK(threads_named("erpbridge-work") == workers_before);  // nothing used yet
    for (int i = 0; i < 20; ++i) {
      threads.run([&] {
        std::this_thread::sleep_for(1ms);
        ++ran;
      });
    }
    threads.run_after(0ms, [&] { fired.one(true); });
    REQUIRE(fired.wait_for(1, 10s));
    threads.run_after(std::chrono::hours(1), [keep = std::move(sentinel)] {});
    CHECK(threads_named("erpbridge-timer") == timers_before + 1);
    CHECK(threads_named("erpbridge-work") > workers_before);
  }
  CHECK(ran.load() == 20);
  CHECK(watched.expired());  // the timer an hour away was dropped, with what it held
  (void)erpbridge::test_support::thread_names_settled([&](const std::vector<std::string>&) {
    return threads_named("erpbridge-work") == workers_before &&
           threads_named("erpbridge-timer") == timers_before;
  });
  CHECK(threads_named("erpbridge-work") == workers_before);
  CHECK(threads_named("erpbridge-timer") == timers_before);
}

TEST_CASE(
    "BackgroundThreads: destroyed by one of its own tasks, it does not wait on that "
    "thread") {
  SECTION("a worker task") {
    auto threads = std::make_shared<erpbridge::BackgroundThreads>();
    Finished finished;
    threads->run([&, keep = threads]() mutable {
      threads.reset();
      keep.reset();  // the last reference: destroyed on its own worker thread
      finished.one(true);
    });
    REQUIRE(finished.wait_for(1, 10s));
    CHECK(threads == nullptr);
  }
  SECTION("a timer task") {
    auto threads = std::make_shared<erpbridge::BackgroundThreads>();
    Finished finished;
    threads->run_after(1ms, [&, keep = threads]() mutable {
      threads.reset();
      keep.reset();  // destroyed on its own timer thread
      finished.one(true);
    });
    REQUIRE(finished.wait_for(1, 10s));
    CHECK(threads == nullptr);
  }
}

TEST_CASE("ThreadPool: tasks queued under a WakeBatch wake a batched pool once, when it ends") {
  ThreadPool pool("test-batched", 1, /*batched_wakeups=*/true);
  Finished started;
  pool.run([&] { started.one(true); });  // starts the thread, which then idles
  REQUIRE(started.wait_for(1, 10s));
  std::this_thread::sleep_for(20ms);  // back in its wait
  std::mutex mutex;
  std::vector<int> order;
  Finished finished;
  {
    ThreadPool::WakeBatch batch;
    for (int i = 0; i < 3; ++i) {
      pool.run([&, i] {
        {
          std::lock_guard<std::mutex> guard(mutex);
          order.push_back(i);
        }
        finished.one(true);
      });
    }
    std::this_thread::sleep_for(100ms);
    std::lock_guard<std::mutex> guard(mutex);
    CHECK(order.empty());  // the idle thread was not woken yet
  }
  REQUIRE(finished.wait_for(3, 10s));
  std::lock_guard<std::mutex> guard(mutex);
  CHECK(order == std::vector<int>{0, 1, 2});
}

TEST_CASE("ThreadPool: a pool without batched wake-ups is woken at once under a WakeBatch") {
  ThreadPool pool("test-unbatched", 1);
  Finished started;
  pool.run([&] { started.one(true); });
  REQUIRE(started.wait_for(1, 10s));
  std::this_thread::sleep_for(20ms);
  Finished finished;
  ThreadPool::WakeBatch batch;
  pool.run([&] { finished.one(true); });
  CHECK(finished.wait_for(1, 10s));  // while the batch still lives
}
