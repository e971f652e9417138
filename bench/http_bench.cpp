// A typed CTC call on loopback through the SDK client against a bare, reused libcurl easy
// handle doing the same request with a hand-written parse; and the 90-day query (13
// windows, 100 ms server latency each) at concurrency 1, 4 and 8 against one 7-day window.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "baselines.hpp"
#include "call_samples.hpp"
#include "erpbridge/ctc/client.hpp"
#include "erpbridge/testing/ctc_emulator.hpp"
#include "erpbridge/testing/emulator_server.hpp"

namespace {

using namespace erpbridge;
using bench::BareHandle;
using bench::time_calls;
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

// By hand: one libcurl easy handle reused for every call, RapidJSON DOM into the structs.
void BM_BareCurl_CtcQuery(benchmark::State& state) {
  Server server;
  BareHandle handle(server.server->base_url() + "/doscall/oa/api/receipt_parts/", "POST", kBody,
                    {"Content-Type: application/json"});
  time_calls(
      state, *server.server,
      [&] {
        const std::string* reply = handle.perform();
        return reply != nullptr ? bench::receipts_from_dom(reply->data(), reply->size())
                                : std::vector<ctc::Receipt>();
      },
      [](const std::vector<ctc::Receipt>& receipts) { return receipts.size() == 2; });
}

// The SDK: one ctc::Client, typed query, streaming decode.
void BM_Sdk_CtcQuery(benchmark::State& state) {
  Server server;
  ctc::Options options;
  options.base_url = server.server->base_url();
  options.key = make_static_token(kKey);
  ctc::Client client(options);
  const ctc::ReceiptQuery query{ctc::Direction::In, DateTime::parse("2020-05-21 00:00:00").value(),
                                DateTime::parse("2020-05-27 20:49:12").value()};
  time_calls(
      state, *server.server, [&] { return client.query_receipts(query); },
      [](const Result<std::vector<ctc::Receipt>>& receipts) {
        return receipts.ok() && receipts->size() == 2;
      });
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
  options.key = make_static_token(kKey);
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
