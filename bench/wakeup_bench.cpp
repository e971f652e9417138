// The floor under any handoff between two threads on this machine: one thread wakes another,
// which wakes it back. An async call hands work from the caller to the I/O thread and its
// result back, so its CPU per call can never drop below this machine's wake-up cost times
// the handoffs it makes (the async rows report those as client-thread sleeps per call).
//   range(0): 0 = eventfd (what the I/O loop sleeps on), 1 = mutex + condition variable
//             (a futex: what Future::get() sleeps on)
//   range(1): 0 = both threads on one core (where SplitCores places the client's threads),
//             1 = on two cores
// Counters: wall and CPU (both threads) per wake-up; one iteration is two wake-ups.
#include <benchmark/benchmark.h>
#include <pthread.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "call_samples.hpp"

namespace {

void pin(pthread_t thread, int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(thread, sizeof set, &set);
}

// One side of a ping-pong: wait() until woken, wake() the other side.
class EventfdChannel {
 public:
  EventfdChannel() : fd_(eventfd(0, EFD_CLOEXEC)) {}
  ~EventfdChannel() { close(fd_); }
  bool ok() const { return fd_ >= 0; }
  void wake() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t written = write(fd_, &one, sizeof one);
  }
  void wait() {
    std::uint64_t count = 0;
    [[maybe_unused]] const ssize_t got = read(fd_, &count, sizeof count);
  }

 private:
  int fd_;
};

class CondvarChannel {
 public:
  bool ok() const { return true; }
  void wake() {
    {
      std::lock_guard<std::mutex> guard(mutex_);
      ++posted_;
    }
    changed_.notify_one();
  }
  void wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return posted_ > taken_; });
    ++taken_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::uint64_t posted_ = 0;
  std::uint64_t taken_ = 0;
};

template <typename Channel>
void ping_pong(benchmark::State& state) {
  cpu_set_t original;
  if (sched_getaffinity(0, sizeof original, &original) != 0) {
    state.SkipWithError("no CPU affinity");
    return;
  }
  int first = 0;
  int second = 0;
  erpbridge::bench::first_two_cpus(original, first, second);
  if (second < 0) second = first;  // one CPU: "two cores" runs on that one
  const int partner_cpu = state.range(1) == 0 ? first : second;
  Channel ping;
  Channel pong;
  if (!ping.ok() || !pong.ok()) {
    state.SkipWithError("no eventfd");
    return;
  }
  pin(pthread_self(), first);
  std::atomic<bool> stop{false};
  double partner_cpu_seconds = 0;
  std::thread partner([&] {
    pin(pthread_self(), partner_cpu);
    const double started = erpbridge::bench::thread_cpu_seconds();
    for (;;) {
      ping.wait();
      if (stop.load(std::memory_order_relaxed)) break;
      pong.wake();
    }
    partner_cpu_seconds = erpbridge::bench::thread_cpu_seconds() - started;
  });
  // One round trip first, so that the partner is pinned and asleep when timing starts.
  ping.wake();
  pong.wait();
  const double cpu_start = erpbridge::bench::thread_cpu_seconds();
  const auto start = std::chrono::steady_clock::now();
  std::int64_t rounds = 0;
  for (auto _ : state) {
    ping.wake();
    pong.wait();
    ++rounds;
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double own_cpu = erpbridge::bench::thread_cpu_seconds() - cpu_start;
  stop = true;
  ping.wake();
  partner.join();
  sched_setaffinity(0, sizeof original, &original);
  if (rounds == 0) return;
  const double wakeups = 2.0 * static_cast<double>(rounds);
  state.counters["us_per_wakeup"] = elapsed * 1e6 / wakeups;
  state.counters["cpu_us_per_wakeup"] = (own_cpu + partner_cpu_seconds) * 1e6 / wakeups;
}

void BM_Wakeup_PingPong(benchmark::State& state) {
  if (state.range(0) == 0) {
    ping_pong<EventfdChannel>(state);
  } else {
    ping_pong<CondvarChannel>(state);
  }
}

}  // namespace

BENCHMARK(BM_Wakeup_PingPong)
    ->ArgsProduct({{0, 1}, {0, 1}})
    ->ArgNames({"condvar", "two_cores"})
    ->Iterations(100000)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
