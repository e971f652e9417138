// What the typed-call benchmarks share: per-call latency percentiles and the calling
// thread's CPU time per call, reported as Google Benchmark counters; the paired timing loop;
// and the bare reused libcurl handle that is their baseline.
#pragma once

#include <benchmark/benchmark.h>
#include <curl/curl.h>
#include <dirent.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
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

// One side's per-call latencies and the calling thread's CPU time per call.
class Samples {
 public:
  void add(Clock::duration elapsed, double cpu_seconds) {
    micros_.push_back(std::chrono::duration<double, std::micro>(elapsed).count());
    cpu_seconds_ += cpu_seconds;
  }
  // Sorts what was added and reports it as counters named `prefix` + p50_us, p99_us and
  // cpu_us_per_call.
  void report(benchmark::State& state, const std::string& prefix) {
    if (micros_.empty()) return;
    std::sort(micros_.begin(), micros_.end());
    state.counters[prefix + "p50_us"] = p50();
    state.counters[prefix + "p99_us"] = at(0.99);
    state.counters[prefix + "cpu_us_per_call"] = cpu_us_per_call();
  }
  bool empty() const { return micros_.empty(); }
  double p50() const { return at(0.50); }
  double cpu_us_per_call() const {
    return cpu_seconds_ * 1e6 / static_cast<double>(std::max<std::size_t>(micros_.size(), 1));
  }

 private:
  double at(double q) const { return micros_[static_cast<std::size_t>(q * (micros_.size() - 1))]; }
  std::vector<double> micros_;
  double cpu_seconds_ = 0;
};

// libcurl's write callback for the bare baselines: appends to a std::string.
inline std::size_t append(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// Every thread of this process: visit(thread id, whether it is the calling thread).
template <typename Visit>
void for_each_thread(Visit visit) {
  const auto calling = static_cast<pid_t>(syscall(SYS_gettid));
  DIR* tasks = opendir("/proc/self/task");
  if (tasks == nullptr) return;
  while (const dirent* entry = readdir(tasks)) {
    if (entry->d_name[0] == '.') continue;
    const auto thread = static_cast<pid_t>(std::atoi(entry->d_name));
    visit(thread, thread == calling);
  }
  closedir(tasks);
}

// A file of a thread of this process under /proc/self/task/<thread>/.
inline std::ifstream thread_file(pid_t thread, const char* name) {
  return std::ifstream("/proc/self/task/" + std::to_string(thread) + "/" + name);
}

// Whether a thread is one of the SDK's own: the I/O thread, the worker pool, the timer
// thread, all named "erpbridge-*".
inline bool is_sdk_thread(pid_t thread) {
  std::ifstream comm = thread_file(thread, "comm");
  std::string name;
  std::getline(comm, name);
  return name.rfind("erpbridge-", 0) == 0;
}

// Voluntary context switches of the calling thread and the SDK's own threads: each is one
// sleep that a wake-up ended (a handoff from another thread, or data from the network).
inline unsigned long long client_sleeps() {
  unsigned long long total = 0;
  for_each_thread([&](pid_t thread, bool calling) {
    if (!calling && !is_sdk_thread(thread)) return;
    std::ifstream status = thread_file(thread, "status");
    const std::string key = "voluntary_ctxt_switches:";
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind(key, 0) == 0) total += std::strtoull(line.c_str() + key.size(), nullptr, 10);
    }
  });
  return total;
}

// CPU time of the SDK's own threads, from the kernel's per-thread run time in nanoseconds.
inline double sdk_threads_cpu_seconds() {
  double seconds = 0;
  for_each_thread([&](pid_t thread, bool) {
    if (!is_sdk_thread(thread)) return;
    std::ifstream schedstat = thread_file(thread, "schedstat");
    unsigned long long run_ns = 0;
    schedstat >> run_ns;
    seconds += static_cast<double>(run_ns) * 1e-9;
  });
  return seconds;
}

// CPU time by thread, in seconds: "calling" for the calling thread, each SDK thread by its
// name ("erpbridge-io", "erpbridge-done", ...); the other threads (the server's) are left out.
inline std::map<std::string, double> client_cpu_by_thread() {
  std::map<std::string, double> seconds;
  for_each_thread([&](pid_t thread, bool calling) {
    std::string name = "calling";
    if (!calling) {
      std::ifstream comm = thread_file(thread, "comm");
      std::getline(comm, name);
      if (name.rfind("erpbridge-", 0) != 0) return;
    }
    std::ifstream schedstat = thread_file(thread, "schedstat");
    unsigned long long run_ns = 0;
    schedstat >> run_ns;
    seconds[name] += static_cast<double>(run_ns) * 1e-9;
  });
  return seconds;
}

// The first two CPUs of `allowed` (-1 for one it lacks).
inline void first_two_cpus(const cpu_set_t& allowed, int& first, int& second) {
  first = -1;
  second = -1;
  for (int cpu = 0; cpu < CPU_SETSIZE && second < 0; ++cpu) {
    if (!CPU_ISSET(cpu, &allowed)) continue;
    (first < 0 ? first : second) = cpu;
  }
}

// While it lives, the client runs on the first CPU this process may use (the calling thread
// and the SDK's own threads, named "erpbridge-*") and every other thread of the process (the
// emulator server's) on the second, as a client and a server on two machines would: with the
// scheduler free to place them, a call's client CPU depended on whether the server's thread woke on
// the same core or the other one (an inter-processor wake-up costs this VM microseconds), and the
// same pair of calls measured 0.90x-1.39x run to run. Threads started meanwhile inherit their
// creator's CPU. Does nothing on one CPU.
class SplitCores {
 public:
  SplitCores() {
    if (sched_getaffinity(0, sizeof original_, &original_) != 0 || CPU_COUNT(&original_) < 2) {
      return;
    }
    int first = -1;
    int second = -1;
    first_two_cpus(original_, first, second);
    cpu_set_t client;
    CPU_ZERO(&client);
    CPU_SET(first, &client);
    cpu_set_t others;
    CPU_ZERO(&others);
    CPU_SET(second, &others);
    for_each_thread([&](pid_t thread, bool calling) {
      const bool ours = calling || is_sdk_thread(thread);
      sched_setaffinity(thread, sizeof(cpu_set_t), ours ? &client : &others);
    });
    active_ = true;
  }
  ~SplitCores() {
    if (!active_) return;
    for_each_thread(
        [&](pid_t thread, bool) { sched_setaffinity(thread, sizeof(cpu_set_t), &original_); });
  }
  SplitCores(const SplitCores&) = delete;
  SplitCores& operator=(const SplitCores&) = delete;

 private:
  cpu_set_t original_{};
  bool active_ = false;
};

// For the call and receiver benchmarks (->Apply(call_repetitions)):
// ERPBRIDGE_BENCH_CALL_REPETITIONS repetitions where set (scripts/bench asks for 31), else
// --benchmark_repetitions. A repetition is 1,000 pairs of calls of 30-100 us (or one
// 100k-receipt fetch, or half a second of pushes), and a median of 11 of them still moved a
// ratio by +-4% (the SQLite receiver's by +-6%) run to run, where targets sit within 10% of
// a baseline.
inline void call_repetitions(benchmark::internal::Benchmark* benchmark) {
  const char* wanted = std::getenv("ERPBRIDGE_BENCH_CALL_REPETITIONS");
  const int repetitions = wanted != nullptr ? std::atoi(wanted) : 0;
  if (repetitions > 0) benchmark->Repetitions(repetitions);
}

// A typed-call benchmark (->Apply(typed_call)): 1,000 iterations a repetition (a pair of calls
// each in the paired benchmarks), in microseconds, with the call benchmarks' repetitions.
inline void typed_call(benchmark::internal::Benchmark* run) {
  run->Iterations(1000)->Unit(benchmark::kMicrosecond);
  call_repetitions(run);
}

// Times one `call()` into `samples` and judges its result with `is_right` outside the timed
// part.
template <typename Call, typename IsRight>
void time_call(benchmark::State& state, Call& call, IsRight& is_right, Samples& samples) {
  const double cpu_start = thread_cpu_seconds();
  const auto start = Clock::now();
  auto result = call();
  const auto elapsed = Clock::now() - start;
  samples.add(elapsed, thread_cpu_seconds() - cpu_start);
  if (!is_right(result)) state.SkipWithError("wrong reply");
  benchmark::DoNotOptimize(result);
}

// Times `call()` once per iteration; reports the Samples counters.
template <typename Call, typename IsRight>
void time_calls(benchmark::State& state, Call call, IsRight is_right) {
  const SplitCores split;
  Samples samples;
  for (auto _ : state) time_call(state, call, is_right, samples);
  samples.report(state, "");
}

// Times a typed call through the SDK and the same request through its baseline call by call,
// in turn (which goes first alternates), each iteration one of each: both sides see the same
// spells of a busy host, so their ratio in a repetition holds still where the medians of two
// benchmarks run seconds apart moved 5-10% run to run. Judges each result with its `is_right`
// outside the timed part. Reports the SDK's p50_us, p99_us and cpu_us_per_call, the same with
// a bare_ prefix for the baseline, their ratios (p50_ratio, cpu_ratio), and the connections
// `server` accepted meanwhile (each side makes its connection in one untimed call before the
// loop, so 0 is expected).
template <typename SdkCall, typename SdkRight, typename BareCall, typename BareRight>
void time_paired_calls(benchmark::State& state, const testing::EmulatorServer& server,
                       SdkCall sdk_call, SdkRight sdk_right, BareCall bare_call,
                       BareRight bare_right) {
  if (!sdk_right(sdk_call()) || !bare_right(bare_call())) {
    state.SkipWithError("wrong reply to a first, untimed call");
    return;
  }
  const std::size_t connections_before = server.accepted_connections();
  const SplitCores split;
  Samples sdk;
  Samples bare;
  bool sdk_first = true;
  for (auto _ : state) {
    if (sdk_first) {
      time_call(state, sdk_call, sdk_right, sdk);
      time_call(state, bare_call, bare_right, bare);
    } else {
      time_call(state, bare_call, bare_right, bare);
      time_call(state, sdk_call, sdk_right, sdk);
    }
    sdk_first = !sdk_first;
  }
  if (sdk.empty() || bare.empty()) return;  // skipped with an error
  sdk.report(state, "");
  bare.report(state, "bare_");
  state.counters["p50_ratio"] = sdk.p50() / bare.p50();
  state.counters["cpu_ratio"] = sdk.cpu_us_per_call() / bare.cpu_us_per_call();
  state.counters["tcp_connections"] =
      static_cast<double>(server.accepted_connections() - connections_before);
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

  // Replies go to `buffer` from now on (one kept by the caller across handles).
  void reply_into(std::string& buffer) {
    reply_to_ = &buffer;
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, reply_to_);
  }

  // The reply body, or nullptr when the transfer failed.
  const std::string* perform() {
    reply_to_->clear();
    return curl_easy_perform(easy_) == CURLE_OK ? reply_to_ : nullptr;
  }

 private:
  CURL* easy_ = curl_easy_init();
  curl_slist* list_ = nullptr;
  std::string url_;
  std::string body_;
  std::string reply_;
  std::string* reply_to_ = &reply_;
};

}  // namespace erpbridge::bench
