// A typed CTC call on loopback through the SDK client against a bare, reused libcurl easy
// handle doing the same request with a hand-written parse; and the 90-day query (13
// windows, 100 ms server latency each) at concurrency 1, 4 and 8 against one 7-day window.
#include <benchmark/benchmark.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "baselines.hpp"
#include "call_samples.hpp"
#include "erpbridge/ctc/client.hpp"
#include "erpbridge/testing/ctc_emulator.hpp"
#include "erpbridge/testing/emulator_server.hpp"
#include "erpbridge/testing/mock_transport.hpp"
#include "payloads.hpp"
#include "support/threads.hpp"

namespace {

using namespace erpbridge;
using bench::BareHandle;
using bench::time_calls;
using bench::time_paired_calls;
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

// Options for a client of `base_url` with the benchmark's key.
ctc::Options client_options(const std::string& base_url) {
  ctc::Options options;
  options.base_url = base_url;
  options.key = make_static_token(kKey);
  return options;
}

// The typed form of kBody: the spec's sample window.
ctc::ReceiptQuery sample_query() {
  return {ctc::Direction::In, DateTime::parse("2020-05-21 00:00:00").value(),
          DateTime::parse("2020-05-27 20:49:12").value()};
}

// The SDK (one ctc::Client, typed query, streaming decode) and, call by call in turn, by hand:
// one libcurl easy handle reused for every call, RapidJSON DOM into the structs.
void BM_Paired_CtcQuery(benchmark::State& state) {
  Server server;
  ctc::Client client(client_options(server.server->base_url()));
  const ctc::ReceiptQuery query = sample_query();
  BareHandle handle(server.server->base_url() + "/doscall/oa/api/receipt_parts/", "POST", kBody,
                    {"Content-Type: application/json"});
  time_paired_calls(
      state, *server.server, [&] { return client.query_receipts(query); },
      [](const Result<std::vector<ctc::Receipt>>& receipts) {
        return receipts.ok() && receipts->size() == 2;
      },
      [&] {
        const std::string* reply = handle.perform();
        return reply != nullptr ? bench::receipts_from_dom(reply->data(), reply->size())
                                : std::vector<ctc::Receipt>();
      },
      [](const std::vector<ctc::Receipt>& receipts) { return receipts.size() == 2; });
}

// Counts events, as the cheapest real observer would.
class CountingObserver : public CallObserver {
 public:
  void on_try(const TryEvent&) override { tries.fetch_add(1, std::memory_order_relaxed); }
  void on_call(const CallEvent&) override { calls.fetch_add(1, std::memory_order_relaxed); }
  std::atomic<long> tries{0};
  std::atomic<long> calls{0};
};

// The typed call with an observer installed against the same call without one, call by call
// in turn: what the hook costs (its clocks, the events), not what an observer does with them.
void BM_Paired_CtcQueryObserved(benchmark::State& state) {
  Server server;
  auto counter = std::make_shared<CountingObserver>();
  ctc::Options observed_options = client_options(server.server->base_url());
  observed_options.observer = counter;
  ctc::Client observed(observed_options);
  ctc::Client plain(client_options(server.server->base_url()));
  const ctc::ReceiptQuery query = sample_query();
  auto right = [](const Result<std::vector<ctc::Receipt>>& receipts) {
    return receipts.ok() && receipts->size() == 2;
  };
  time_paired_calls(
      state, *server.server, [&] { return observed.query_receipts(query); }, right,
      [&] { return plain.query_receipts(query); }, right);
  if (counter->calls.load() == 0 || counter->tries.load() != counter->calls.load()) {
    state.SkipWithError("the observer did not see one try per call");
  }
}

// The SDK's typed call alone, 1,000 in a row: the blocking call the async rows compare with.
void BM_Sdk_CtcQuery(benchmark::State& state) {
  Server server;
  ctc::Client client(client_options(server.server->base_url()));
  const ctc::ReceiptQuery query = sample_query();
  const unsigned long long sleeps_start = bench::client_sleeps();
  time_calls(
      state, [&] { return client.query_receipts(query); },
      [](const Result<std::vector<ctc::Receipt>>& receipts) {
        return receipts.ok() && receipts->size() == 2;
      });
  if (state.iterations() > 0) {
    state.counters["sleeps_per_call"] = static_cast<double>(bench::client_sleeps() - sleeps_start) /
                                        static_cast<double>(state.iterations());
  }
}

// 90 days in 7-day windows with `range(0)` windows in flight, 100 ms per request; range(0)
// == 0 is the single 7-day window it is compared with.
void BM_Sdk_Ctc90Days(benchmark::State& state) {
  Server server;
  const DateTime from = DateTime::parse("2020-03-01 00:00:00").value();
  server.ctc.add_receipts(
      testing::CtcEmulator::generate(ctc::Direction::In, from, 90 * 4, std::chrono::hours(6)));
  server.emulator->set_global_latency(std::chrono::milliseconds(100));
  ctc::Options options = client_options(server.server->base_url());
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

// 10,000 typed CTC queries per iteration, all issued at once through one client with
// `in_flight` in flight on its one I/O thread, each checked; the server answers at once
// (range(0) == 0) or after range(0) ms, so that most calls in flight are waiting. Client CPU
// per call counts the calling thread and the client's threads, and is also given thread by
// thread; connections are those the server accepted meanwhile.
void ctc_query_async(benchmark::State& state, std::size_t in_flight) {
  constexpr std::size_t kCalls = 10000;
  Server server;
  ctc::Options options = client_options(server.server->base_url());
  options.max_in_flight = in_flight;
  server.emulator->set_global_latency(std::chrono::milliseconds(state.range(0)));
  ctc::Client client(options);
  const ctc::ReceiptQuery query = sample_query();
  if (!client.query_receipts_async(query).get().ok()) state.SkipWithError("warm-up failed");
  const std::size_t connections_before = server.server->accepted_connections();
  const bench::SplitCores split;  // placed as its baseline, the blocking call, is
  const unsigned long long sleeps_start = bench::client_sleeps();
  const std::map<std::string, double> threads_start = bench::client_cpu_by_thread();
  const double cpu_start = bench::thread_cpu_seconds() + bench::sdk_threads_cpu_seconds();
  const auto start = bench::Clock::now();
  std::size_t calls = 0;
  std::vector<Future<std::vector<ctc::Receipt>>> futures;
  futures.reserve(kCalls);
  for (auto _ : state) {
    futures.clear();
    for (std::size_t i = 0; i < kCalls; ++i) futures.push_back(client.query_receipts_async(query));
    for (auto& future : futures) {
      auto receipts = future.get();
      if (!receipts.ok() || receipts->size() != 2) {
        state.SkipWithError("wrong reply");
        break;
      }
    }
    calls += kCalls;
  }
  const double cpu = bench::thread_cpu_seconds() + bench::sdk_threads_cpu_seconds() - cpu_start;
  const double elapsed = std::chrono::duration<double>(bench::Clock::now() - start).count();
  const std::map<std::string, double> threads_end = bench::client_cpu_by_thread();
  if (calls == 0) return;
  const auto per_call = [&](double seconds) { return seconds * 1e6 / static_cast<double>(calls); };
  state.counters["cpu_us_per_call"] = per_call(cpu);
  // By thread: the calling thread builds and queues the requests and waits; the I/O thread
  // moves the bytes; the completion thread decodes the replies and completes the futures.
  for (const char* thread : {"calling", "erpbridge-io", "erpbridge-done"}) {
    const auto end = threads_end.find(thread);
    const auto begun = threads_start.find(thread);
    const double seconds = (end != threads_end.end() ? end->second : 0.0) -
                           (begun != threads_start.end() ? begun->second : 0.0);
    state.counters[std::string(thread) + "_us_per_call"] = per_call(seconds);
  }
  state.counters["sleeps_per_call"] =
      static_cast<double>(bench::client_sleeps() - sleeps_start) / static_cast<double>(calls);
  state.counters["calls_per_s"] = static_cast<double>(calls) / elapsed;
  state.counters["tcp_connections"] =
      static_cast<double>(server.server->accepted_connections() - connections_before);
}

void BM_Sdk_CtcQueryAsync256(benchmark::State& state) {
  ctc_query_async(state, 256);
}
// The same with 16 in flight: how the cost per call grows with the connections in use.
void BM_Sdk_CtcQueryAsync16(benchmark::State& state) {
  ctc_query_async(state, 16);
}

// The 100k-receipt reply (36 MB) served for every receipts query. At full loopback speed
// by a bare cpp-httplib server that sends it from memory without copying it (a real server
// is on another machine: its work should not be the client's bottleneck here); at a limited
// rate by the emulator's bandwidth knob.
class BigReplyServer {
 public:
  // Answers every receipts query with the 100k reply, or with the 11,000-receipt one (4 MB).
  explicit BigReplyServer(std::uint64_t bytes_per_second, bool four_megabytes = false) {
    const std::string& payload = four_megabytes ? four_megabyte_reply() : big_reply();
    if (bytes_per_second != 0) {
      auto emulator = std::make_shared<testing::Emulator>();
      emulator->route(HttpMethod::Post, "/doscall/oa/api/receipt_parts/",
                      [&payload](const testing::EmulatorRequest&) {
                        return testing::json_response(200, payload);
                      });
      emulator->set_global_bandwidth(bytes_per_second);
      emulator_server_ = testing::EmulatorServer::start(emulator).value();
      base_url_ = emulator_server_->base_url();
      return;
    }
    server_.Post("/doscall/oa/api/receipt_parts/", [&payload](const httplib::Request&,
                                                              httplib::Response& response) {
      response.set_content_provider(
          payload.size(), "application/json",
          [&payload](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
            return sink.write(payload.data() + offset, std::min<std::size_t>(length, 1u << 20));
          });
    });
    server_.set_tcp_nodelay(true);
    const int port = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    base_url_ = "http://127.0.0.1:" + std::to_string(port);
  }
  ~BigReplyServer() {
    if (thread_.joinable()) {
      server_.stop();
      thread_.join();
    }
  }
  static const std::string& big_reply() {
    static const std::string reply = bench::ctc_receipts_reply(100000, false);
    return reply;
  }
  static const std::string& four_megabyte_reply() {
    static const std::string reply = bench::ctc_receipts_reply(11000, false);
    return reply;
  }
  BigReplyServer(const BigReplyServer&) = delete;
  BigReplyServer& operator=(const BigReplyServer&) = delete;
  const std::string& base_url() const { return base_url_; }

 private:
  std::unique_ptr<testing::EmulatorServer> emulator_server_;
  httplib::Server server_;
  std::thread thread_;
  std::string base_url_;
};

// By hand: the bare download of the 100k reply into a buffer, nothing decoded.
void BM_BareCurl_Download100k(benchmark::State& state) {
  BigReplyServer server(static_cast<std::uint64_t>(state.range(0)));
  BareHandle handle(server.base_url() + "/doscall/oa/api/receipt_parts/", "POST", kBody,
                    {"Content-Type: application/json"});
  // The bytes go into a buffer that is big enough and faulted in once, for every
  // repetition: a buffer grown afresh each time cost 26 ms or 125 ms a download, depending
  // on what ran before it in the process (a page fault costs this VM microseconds), and a
  // bare download that a hand-tuned client would make costs neither.
  static std::string kept;
  if (kept.capacity() < BigReplyServer::big_reply().size()) {
    kept.resize(BigReplyServer::big_reply().size());
    kept.clear();
  }
  handle.reply_into(kept);
  for (auto _ : state) {
    const std::string* reply = handle.perform();
    if (reply == nullptr || reply->size() < 30000000) state.SkipWithError("download failed");
    benchmark::DoNotOptimize(reply);
  }
}

// A client for a BigReplyServer: room for its 36 MB reply and a minute to fetch it.
ctc::Options big_reply_options(const BigReplyServer& server) {
  ctc::Options options = client_options(server.base_url());
  options.max_response_bytes = 256u << 20;
  options.request_timeout = std::chrono::minutes(1);
  options.overall_deadline = std::chrono::minutes(1);
  return options;
}

// The loopback server of the 100k reply and one client of it, kept for every repetition, as
// a service keeps its client: each repetition is a run of its own, and a client made anew
// for each started its decoder thread anew, which glibc gave whichever arena was free, with
// that arena's heaps to fault in. In one full run, list_receipts' decoder then took from 90
// to 450 ms of CPU for the same reply (median 125 ms), the blocking fetch's up to 335 ms.
struct LoopbackBigReply {
  BigReplyServer server{0};
  ctc::Client client{big_reply_options(server)};
  static LoopbackBigReply& kept() {
    static LoopbackBigReply rig;
    return rig;
  }
};

// The SDK: one typed query returning the 100k receipts, fetched and decoded.
void BM_Sdk_Fetch100k(benchmark::State& state) {
  std::unique_ptr<BigReplyServer> paced;
  std::unique_ptr<ctc::Client> paced_client;
  const ctc::Client* used = &LoopbackBigReply::kept().client;
  if (state.range(0) != 0) {  // over a paced link: seconds a fetch, made afresh
    paced = std::make_unique<BigReplyServer>(static_cast<std::uint64_t>(state.range(0)));
    paced_client = std::make_unique<ctc::Client>(big_reply_options(*paced));
    used = paced_client.get();
  }
  const ctc::Client& client = *used;
  const ctc::ReceiptQuery query = sample_query();
  for (auto _ : state) {
    auto receipts = client.query_receipts(query);
    if (!receipts.ok() || receipts->size() != 100000) state.SkipWithError("fetch failed");
    benchmark::DoNotOptimize(receipts);
  }
}

// The same 100k receipts through list_receipts: one window (under 7 days), run as an async
// call underneath and decoded while it downloads, like the blocking query above.
void BM_Sdk_ListReceipts100k(benchmark::State& state) {
  const ctc::Client& client = LoopbackBigReply::kept().client;
  const ctc::ReceiptQuery query = sample_query();
  double io = 0, decoders = 0, completions = 0;
  for (auto _ : state) {
    const auto before = test_support::thread_cpu();
    auto receipts = client.list_receipts(query.direction, query.start, query.end);
    const auto after = test_support::thread_cpu();
    io += 1e-6 * static_cast<double>(test_support::cpu_between(before, after, "erpbridge-io"));
    decoders +=
        1e-6 * static_cast<double>(test_support::cpu_between(before, after, "erpbridge-dec"));
    completions +=
        1e-6 * static_cast<double>(test_support::cpu_between(before, after, "erpbridge-done"));
    if (!receipts.ok() || receipts->size() != 100000) state.SkipWithError("list failed");
    benchmark::DoNotOptimize(receipts);
  }
  const double calls = static_cast<double>(state.iterations());
  state.counters["io_cpu_ms"] = io / calls;
  state.counters["decoder_cpu_ms"] = decoders / calls;
  state.counters["completion_cpu_ms"] = completions / calls;
}

// list_receipts over four 7-day windows at once, each answered with a 4 MB reply (the same
// 11,000 receipts, kept once): every window is decoded while it downloads. Counters: the CPU
// per window of the I/O thread, which only moves the bytes and cuts them into pieces, and
// of the decoder threads, which parse them.
void BM_Sdk_ListReceipts4x4MB(benchmark::State& state) {
  BigReplyServer server(0, /*four_megabytes=*/true);
  ctc::Client client(big_reply_options(server));
  const DateTime from = DateTime::parse("2020-03-01 00:00:00").value();
  const DateTime to = from + std::chrono::hours(24 * 28) - std::chrono::seconds(1);
  double io_seconds = 0;
  double decoder_seconds = 0;
  std::size_t windows = 0;
  for (auto _ : state) {
    const auto before = test_support::thread_cpu();
    auto receipts = client.list_receipts(ctc::Direction::In, from, to);
    const auto after = test_support::thread_cpu();
    io_seconds +=
        1e-9 * static_cast<double>(test_support::cpu_between(before, after, "erpbridge-io"));
    decoder_seconds +=
        1e-9 * static_cast<double>(test_support::cpu_between(before, after, "erpbridge-dec"));
    windows += 4;
    if (!receipts.ok() || receipts->size() != 11000) state.SkipWithError("list failed");
    benchmark::DoNotOptimize(receipts);
  }
  if (windows == 0) return;
  state.counters["io_cpu_ms_per_window"] = io_seconds * 1e3 / static_cast<double>(windows);
  state.counters["decoder_cpu_ms_per_window"] =
      decoder_seconds * 1e3 / static_cast<double>(windows);
}

BENCHMARK(BM_Paired_CtcQuery)->Apply(bench::typed_call);
BENCHMARK(BM_Paired_CtcQueryObserved)->Apply(bench::typed_call);
// Loopback at full speed, and a 100 Mbit/s link (12.5 MB/s). On loopback one fetch is a
// repetition of 80 ms whose three threads share two cores: these take the typed calls'
// repetitions too (a median of 11 put the fetch at 1.03-1.10x its target's baseline).
BENCHMARK(BM_BareCurl_Download100k)
    ->Arg(0)
    ->Iterations(1)
    ->Apply(bench::call_repetitions)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BareCurl_Download100k)
    ->Arg(12500000)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Sdk_Fetch100k)
    ->Arg(0)
    ->Iterations(1)
    ->Apply(bench::call_repetitions)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Sdk_Fetch100k)
    ->Arg(12500000)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Sdk_ListReceipts100k)
    ->Iterations(1)
    ->Apply(bench::call_repetitions)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Sdk_ListReceipts4x4MB)->Iterations(3)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Sdk_CtcQueryAsync256)
    ->Arg(0)
    ->Arg(20)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Sdk_CtcQueryAsync16)
    ->Arg(0)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Sdk_CtcQuery)->Apply(bench::typed_call);
BENCHMARK(BM_Sdk_Ctc90Days)
    ->Arg(0)
    ->Arg(1)
    ->Arg(4)
    ->Arg(8)
    ->Iterations(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
