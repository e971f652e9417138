// A typed CTC call on loopback through the SDK client against a bare, reused libcurl easy
// handle doing the same request with a hand-written parse; and the 90-day query (13
// windows, 100 ms server latency each) at concurrency 1, 4 and 8 against one 7-day window.
#include <benchmark/benchmark.h>
#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <ctime>

#include "baselines.hpp"
#include "erpbridge/ctc/client.hpp"
#include "erpbridge/testing/ctc_emulator.hpp"
#include "erpbridge/testing/emulator_server.hpp"

namespace {

using namespace erpbridge;
using Clock = std::chrono::steady_clock;
const char* kKey = "bench-key";
const char* kBody =
    R"({"key":"bench-key","data":{"type":"in","inputtime_s":"2020-05-21 00:00:00","inputtime_e":"2020-05-27 20:49:12"}})";

// The CTC emulator with the spec's receipts on an ephemeral loopback port (TCP_NODELAY on).
struct Server {
  std::shared_ptr<testing::Emulator> emulator = std::make_shared<testing::Emulator>();
  testing::CtcEmulator ctc{kKey};
  std::unique_ptr<testing::EmulatorServer> server;
  Server() {
    ctc.install(*emulator);
    ctc.add_receipts(testing::CtcEmulator::spec_samples());
    server = testing::EmulatorServer::start(emulator).value();
  }
};

double thread_cpu_seconds() {
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

std::size_t append(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// By hand: one libcurl easy handle reused for every call, RapidJSON DOM into the structs.
void BM_BareCurl_CtcQuery(benchmark::State& state) {
  Server server;
  const std::string url = server.server->base_url() + "/doscall/oa/api/receipt_parts/";
  CURL* easy = curl_easy_init();
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  std::string body;
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, kBody);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  Samples samples;
  for (auto _ : state) {
    const auto start = Clock::now();
    body.clear();
    if (curl_easy_perform(easy) != CURLE_OK) state.SkipWithError("curl failed");
    auto receipts = bench::receipts_from_dom(body.data(), body.size());
    samples.add(Clock::now() - start);
    if (receipts.size() != 2) state.SkipWithError("wrong reply");
    benchmark::DoNotOptimize(receipts);
  }
  samples.report(state, server.server->accepted_connections());
  curl_slist_free_all(headers);
  curl_easy_cleanup(easy);
}

// The SDK: one ctc::Client, typed query, streaming decode.
void BM_Sdk_CtcQuery(benchmark::State& state) {
  Server server;
  ctc::Options options;
  options.base_url = server.server->base_url();
  options.key = kKey;
  ctc::Client client(options);
  const ctc::ReceiptQuery query{ctc::Direction::In, DateTime::parse("2020-05-21 00:00:00").value(),
                                DateTime::parse("2020-05-27 20:49:12").value()};
  Samples samples;
  for (auto _ : state) {
    const auto start = Clock::now();
    auto receipts = client.query_receipts(query);
    samples.add(Clock::now() - start);
    if (!receipts.ok() || receipts->size() != 2) state.SkipWithError("call failed");
    benchmark::DoNotOptimize(receipts);
  }
  samples.report(state, server.server->accepted_connections());
}

// 90 days in 7-day windows with `range(0)` windows in flight, 100 ms per request; range(0)
// == 0 is the single 7-day window it is compared with.
void BM_Sdk_Ctc90Days(benchmark::State& state) {
  Server server;
  const DateTime from = DateTime::parse("2020-03-01 00:00:00").value();
  server.ctc.add_receipts(
      testing::CtcEmulator::generate(ctc::Direction::In, from, 90 * 4, std::chrono::hours(6)));
  server.emulator->set_global_latency(std::chrono::milliseconds(100));
  ctc::Options options;
  options.base_url = server.server->base_url();
  options.key = kKey;
  options.window_concurrency = static_cast<std::size_t>(std::max<int64_t>(1, state.range(0)));
  ctc::Client client(options);
  const auto days = std::chrono::hours(24);
  for (auto _ : state) {
    auto receipts = state.range(0) == 0
                        ? client.query_receipts({ctc::Direction::In, from, from + 7 * days})
                        : client.list_receipts(ctc::Direction::In, from, from + 90 * days);
    if (!receipts.ok()) state.SkipWithError(receipts.error().message.c_str());
    benchmark::DoNotOptimize(receipts);
  }
}

BENCHMARK(BM_BareCurl_CtcQuery)->Iterations(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Sdk_CtcQuery)->Iterations(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Sdk_Ctc90Days)
    ->Arg(0)
    ->Arg(1)
    ->Arg(4)
    ->Arg(8)
    ->Iterations(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
