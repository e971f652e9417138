// What the typed-call benchmarks measure: per-call latency percentiles and the calling
// thread's CPU time per call, reported as Google Benchmark counters.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <ctime>
#include <string>
#include <vector>

namespace erpbridge::bench {

using Clock = std::chrono::steady_clock;

inline double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Per-call latencies and the calling thread's CPU time, reported as counters.
class Samples {
 public:
  void add(Clock::duration elapsed) {
    micros_.push_back(std::chrono::duration<double, std::micro>(elapsed).count());
  }
  void report(benchmark::State& state, std::size_t connections) {
    const double cpu = thread_cpu_seconds() - cpu_start_;
    std::sort(micros_.begin(), micros_.end());
    auto at = [&](double q) { return micros_[static_cast<std::size_t>(q * (micros_.size() - 1))]; };
    if (micros_.empty()) return;
    state.counters["p50_us"] = at(0.50);
    state.counters["p99_us"] = at(0.99);
    state.counters["cpu_us_per_call"] = cpu * 1e6 / static_cast<double>(micros_.size());
    state.counters["tcp_connections"] = static_cast<double>(connections);
  }

 private:
  std::vector<double> micros_;
  double cpu_start_ = thread_cpu_seconds();
};

// libcurl's write callback for the bare baselines: appends to a std::string.
inline std::size_t append(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

}  // namespace erpbridge::bench
