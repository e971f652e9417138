// What the typed-call benchmarks share: per-call latency percentiles and the calling
// thread's CPU time per call, reported as Google Benchmark counters; the timing loop; and
// the bare reused libcurl handle that is their baseline.
#pragma once

#include <benchmark/benchmark.h>
#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <ctime>
#include <string>
#include <vector>

#include "erpbridge/testing/emulator_server.hpp"

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

// Times `call()` once per iteration and judges its result with `is_right` outside the timed
// part. Reports the Samples counters and the connections `server` accepted meanwhile (a
// fixture's setup may have made one of its own before).
template <typename Call, typename IsRight>
void time_calls(benchmark::State& state, const testing::EmulatorServer& server, Call call,
                IsRight is_right) {
  const std::size_t connections_before = server.accepted_connections();
  Samples samples;
  for (auto _ : state) {
    const auto start = Clock::now();
    auto result = call();
    samples.add(Clock::now() - start);
    if (!is_right(result)) state.SkipWithError("wrong reply");
    benchmark::DoNotOptimize(result);
  }
  samples.report(state, server.accepted_connections() - connections_before);
}

// A bare easy handle, reused for every call: the baseline.
class BareHandle {
 public:
  BareHandle(const std::string& url, const char* method, const std::string& body,
             const std::vector<std::string>& headers)
      : url_(url), body_(body) {
    for (const std::string& header : headers) list_ = curl_slist_append(list_, header.c_str());
    curl_easy_setopt(easy_, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, list_);
    curl_easy_setopt(easy_, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, body_.c_str());
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_.size()));
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, append);
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, &reply_);
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
  }
  ~BareHandle() {
    curl_slist_free_all(list_);
    curl_easy_cleanup(easy_);
  }
  BareHandle(const BareHandle&) = delete;
  BareHandle& operator=(const BareHandle&) = delete;

  // Replaces the request body (the next perform() sends it).
  void set_body(std::string body) {
    body_ = std::move(body);
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, body_.c_str());
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_.size()));
  }

  // The reply body, or nullptr when the transfer failed.
  const std::string* perform() {
    reply_.clear();
    return curl_easy_perform(easy_) == CURLE_OK ? &reply_ : nullptr;
  }

 private:
  CURL* easy_ = curl_easy_init();
  curl_slist* list_ = nullptr;
  std::string url_;
  std::string body_;
  std::string reply_;
};

}  // namespace erpbridge::bench
