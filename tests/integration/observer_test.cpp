// The observer hook of every family's main call, blocking and async, over real HTTP on
// loopback: a call that succeeds, one retried once, one that times out and one cancelled,
// each checked against expectations written here by hand (not derived from the executor).
#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "erpbridge/core/observer.hpp"
#include "erpbridge/ctc/client.hpp"
#include "support/families.hpp"

using erpbridge::CallEvent;
using erpbridge::CallObserver;
using erpbridge::CallOptions;
using erpbridge::CallOptionsScope;
using erpbridge::ClientOptions;
using erpbridge::ErrorCode;
using erpbridge::HttpMethod;
using erpbridge::RetryReason;
using erpbridge::TryEvent;
using erpbridge::test_support::FamilyCall;
using erpbridge::test_support::FamilyServer;
using erpbridge::testing::Fault;
using namespace std::chrono_literals;

namespace {

// Owned copies of the events, in the order they arrived.
struct SeenTry {
  std::string family, endpoint, traceparent;
  HttpMethod method;
  int attempt, http_status;
  bool ok;
  ErrorCode error;
  bool outcome_unknown;
  RetryReason retry;
  std::chrono::milliseconds retry_delay;
  std::uint64_t bytes_sent, bytes_received;
  erpbridge::TransferTimings timings;
  std::thread::id thread;
  std::uint64_t call_id;
};
struct SeenCall {
  std::string family, endpoint, traceparent;
  int attempts, http_status;
  bool ok;
  ErrorCode error;
  bool outcome_unknown;
  std::chrono::microseconds duration, decode_time;
  std::size_t tries_before;  // try events seen before this one
  std::uint64_t call_id;
};

class Recorder : public CallObserver {
 public:
  void on_try(const TryEvent& e) override {
    std::lock_guard<std::mutex> guard(mutex_);
    tries_.push_back({std::string(e.family), std::string(e.endpoint), std::string(e.traceparent),
                      e.method, e.attempt, e.http_status, e.ok, e.error, e.outcome_unknown, e.retry,
                      e.retry_delay, e.bytes_sent, e.bytes_received, e.timings,
                      std::this_thread::get_id(), e.call_id});
  }
  void on_call(const CallEvent& e) override {
    std::lock_guard<std::mutex> guard(mutex_);
    calls_.push_back({std::string(e.family), std::string(e.endpoint), std::string(e.traceparent),
                      e.attempts, e.http_status, e.ok, e.error, e.outcome_unknown, e.duration,
                      e.decode_time, tries_.size(), e.call_id});
    arrived_.notify_all();
  }
  // Async events arrive on the client's event thread, maybe after the future completed.
  bool wait_calls(std::size_t count) {
    std::unique_lock<std::mutex> lock(mutex_);
    return arrived_.wait_for(lock, 5s, [&] { return calls_.size() >= count; });
  }
  std::vector<SeenTry> tries() {
    std::lock_guard<std::mutex> guard(mutex_);
    return tries_;
  }
  std::vector<SeenCall> calls() {
    std::lock_guard<std::mutex> guard(mutex_);
    return calls_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<SeenTry> tries_;
  std::vector<SeenCall> calls_;
};

// What each main call is, written out by hand: its family and endpoint names in events,
// whether its request has a body, whether it is a write (never retried by default).
struct Expected {
  const char* family;
  const char* endpoint;
  HttpMethod method;
  bool has_body;
  bool write;
};
const std::vector<Expected> kExpected = {
    {"ctc", "receipt_parts", HttpMethod::Post, true, false},
    {"wms", "create_entry_confirmation", HttpMethod::Post, true, false},
    {"kingdee", "push_spare_parts", HttpMethod::Post, true, true},
    {"aftersales", "list_orders", HttpMethod::Get, false, false},
    {"aftersales", "create_order", HttpMethod::Post, true, true},
};

ClientOptions observed(const FamilyServer& server, const std::shared_ptr<Recorder>& recorder) {
  ClientOptions options;
  options.base_url = server.server->base_url();
  options.observer = recorder;
  return options;
}

// A CTC client's options, observed by `recorder`.
erpbridge::ctc::Options observed_ctc(const FamilyServer& server,
                                     const std::shared_ptr<Recorder>& recorder) {
  erpbridge::ctc::Options options;
  static_cast<ClientOptions&>(options) = observed(server, recorder);
  options.key = erpbridge::make_static_token(server.settings.ctc_key);
  return options;
}

void check_names(const SeenTry& t, const Expected& e) {
  CHECK(t.family == e.family);
  CHECK(t.endpoint == e.endpoint);
  CHECK(t.method == e.method);
  CHECK((t.bytes_sent > 0) == e.has_body);
}

// The events of a call that failed with `code` in its one try; that try's event.
SeenTry check_failed_once(Recorder& recorder, const Expected& expected, ErrorCode code) {
  REQUIRE(recorder.wait_calls(1));
  const auto tries = recorder.tries();
  REQUIRE(tries.size() == 1);
  check_names(tries[0], expected);
  CHECK_FALSE(tries[0].ok);
  CHECK(tries[0].error == code);
  CHECK(tries[0].http_status == 0);
  CHECK(tries[0].retry == RetryReason::None);
  const auto done = recorder.calls();
  REQUIRE(done.size() == 1);
  CHECK_FALSE(done[0].ok);
  CHECK(done[0].error == code);
  CHECK(done[0].attempts == 1);
  CHECK(done[0].tries_before == 1);
  // A write that was sent may have been applied; a request safe to repeat has no such doubt.
  CHECK(done[0].outcome_unknown == expected.write);
  return tries[0];
}

}  // namespace

TEST_CASE("Observer: one try and one call event per successful call, every family, both ways") {
  FamilyServer server;
  const std::vector<FamilyCall> calls = server.main_calls();
  REQUIRE(calls.size() == kExpected.size());
  for (bool async : {false, true}) {
    for (std::size_t i = 0; i < calls.size(); ++i) {
      INFO(calls[i].name << (async ? " (async)" : ""));
      auto recorder = std::make_shared<Recorder>();
      {
        auto call = async ? calls[i].connect_async(observed(server, recorder))
                          : calls[i].connect(observed(server, recorder));
        const auto error = call();
        REQUIRE_FALSE(error.has_value());
      }
      REQUIRE(recorder->wait_calls(1));
      const auto tries = recorder->tries();
      const auto done = recorder->calls();
      REQUIRE(tries.size() == 1);
      REQUIRE(done.size() == 1);
      const SeenTry& t = tries[0];
      check_names(t, kExpected[i]);
      CHECK(t.attempt == 1);
      CHECK(t.ok);
      CHECK(t.http_status >= 200);
      CHECK(t.http_status <= 299);
      CHECK(t.retry == RetryReason::None);
      CHECK(t.traceparent.empty());
      // A fresh client opens its connection: every phase up to the first byte is measured.
      CHECK(t.timings.connect.count() > 0);
      CHECK(t.timings.first_byte >= t.timings.connect);
      CHECK(t.timings.total >= t.timings.first_byte);
      CHECK(t.timings.tls.count() == 0);  // plain http
      if (async) CHECK(t.thread != std::this_thread::get_id());
      if (!async) CHECK(t.thread == std::this_thread::get_id());
      const SeenCall& c = done[0];
      CHECK(c.family == kExpected[i].family);
      CHECK(c.endpoint == kExpected[i].endpoint);
      CHECK(c.ok);
      CHECK(c.attempts == 1);
      CHECK(c.tries_before == 1);
      CHECK(c.duration.count() >= t.timings.total.count());
    }
  }
}

TEST_CASE("Observer: a call retried once reports two tries, the first with its reason") {
  FamilyServer server;
  const std::vector<FamilyCall> calls = server.main_calls();
  CallOptions fast;
  fast.idempotent = true;  // the writes too, so that every family retries
  erpbridge::RetryPolicy policy;
  policy.max_attempts = 3;
  policy.initial_backoff = 5ms;
  policy.max_backoff = 20ms;
  fast.retry = policy;
  CallOptionsScope scope(fast);
  for (bool async : {false, true}) {
    for (std::size_t i = 0; i < calls.size(); ++i) {
      INFO(calls[i].name << (async ? " (async)" : ""));
      Fault once;
      once.status = 503;
      once.times = 1;
      server.emulator->clear_faults();
      server.emulator->set_fault(calls[i].path, once, calls[i].method);
      auto recorder = std::make_shared<Recorder>();
      {
        auto call = async ? calls[i].connect_async(observed(server, recorder))
                          : calls[i].connect(observed(server, recorder));
        REQUIRE_FALSE(call().has_value());
      }
      REQUIRE(recorder->wait_calls(1));
      const auto tries = recorder->tries();
      REQUIRE(tries.size() == 2);
      check_names(tries[0], kExpected[i]);
      CHECK(tries[0].attempt == 1);
      CHECK(tries[0].ok);
      CHECK(tries[0].http_status == 503);
      CHECK(tries[0].retry == RetryReason::HttpStatus);
      CHECK(tries[0].retry_delay >= 2ms);  // equal jitter: half the 5 ms base at least
      CHECK(tries[0].retry_delay <= 5ms);
      CHECK(tries[1].attempt == 2);
      CHECK(tries[1].ok);
      CHECK(tries[1].http_status < 300);
      CHECK(tries[1].retry == RetryReason::None);
      CHECK(tries[1].timings.total.count() > 0);
      const auto done = recorder->calls();
      REQUIRE(done.size() == 1);
      CHECK(done[0].ok);
      CHECK(done[0].attempts == 2);
      CHECK(done[0].tries_before == 2);
      // One number pairs the call with both its tries.
      CHECK(done[0].call_id != 0);
      CHECK(tries[0].call_id == done[0].call_id);
      CHECK(tries[1].call_id == done[0].call_id);
    }
  }
  server.emulator->clear_faults();
}

TEST_CASE("Observer: a try that times out, and the call it ends") {
  FamilyServer server;
  const std::vector<FamilyCall> calls = server.main_calls();
  CallOptions short_try;
  short_try.request_timeout = 100ms;
  erpbridge::RetryPolicy once;
  once.max_attempts = 1;
  short_try.retry = once;
  CallOptionsScope scope(short_try);
  Fault slow;
  slow.latency = 3s;
  for (bool async : {false, true}) {
    for (std::size_t i = 0; i < calls.size(); ++i) {
      INFO(calls[i].name << (async ? " (async)" : ""));
      server.emulator->clear_faults();
      server.emulator->set_fault(calls[i].path, slow, calls[i].method);
      auto recorder = std::make_shared<Recorder>();
      {
        auto call = async ? calls[i].connect_async(observed(server, recorder))
                          : calls[i].connect(observed(server, recorder));
        const auto error = call();
        REQUIRE(error.has_value());
        CHECK(error->code == ErrorCode::Timeout);
      }
      server.emulator->cut_latency_waits();
      const SeenTry timed_out = check_failed_once(*recorder, kExpected[i], ErrorCode::Timeout);
      // The request had gone out: the try says so whatever the request (the call only for
      // a write).
      CHECK(timed_out.outcome_unknown);
      CHECK(timed_out.timings.total >= 90ms);
      CHECK(timed_out.timings.total < 2s);
    }
  }
  server.emulator->clear_faults();
}

TEST_CASE("Observer: an async call cancelled during its try") {
  FamilyServer server;
  const std::vector<FamilyCall> calls = server.main_calls();
  Fault slow;
  slow.latency = 3s;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    INFO(calls[i].name);
    server.emulator->clear_faults();
    server.emulator->set_fault(calls[i].path, slow, calls[i].method);
    auto recorder = std::make_shared<Recorder>();
    const std::size_t before = server.emulator->request_count(calls[i].path);
    auto pending = calls[i].start_async(observed(server, recorder));
    // Cancelled once the server has the request.
    for (int spin = 0; spin < 200 && server.emulator->request_count(calls[i].path) == before;
         ++spin) {
      std::this_thread::sleep_for(5ms);
    }
    REQUIRE(server.emulator->request_count(calls[i].path) == before + 1);
    pending.cancel();
    const auto error = pending.wait();
    REQUIRE(error.has_value());
    CHECK(error->code == ErrorCode::Cancelled);
    server.emulator->cut_latency_waits();
    const SeenTry cancelled = check_failed_once(*recorder, kExpected[i], ErrorCode::Cancelled);
    CHECK(cancelled.outcome_unknown == kExpected[i].write);
    CHECK(cancelled.timings.total.count() > 0);
  }
  server.emulator->clear_faults();
}

TEST_CASE("Observer: a traceparent is sent as a header and carried in the events") {
  FamilyServer server;
  const std::vector<FamilyCall> calls = server.main_calls();
  const std::string traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  CallOptions traced;
  traced.traceparent = traceparent;
  CallOptionsScope scope(traced);
  Fault echo;  // the request as received, in a reply header the client does not read
  echo.headers = {{"X-Echo", "{{echo}}"}};
  for (bool async : {false, true}) {
    for (std::size_t i = 0; i < calls.size(); ++i) {
      INFO(calls[i].name << (async ? " (async)" : ""));
      auto recorder = std::make_shared<Recorder>();
      ClientOptions options = observed(server, recorder);
      std::string seen_headers;
      std::mutex seen_mutex;
      options.log_level = erpbridge::LogLevel::Debug;
      options.log_visible_headers = {"traceparent", "X-Echo"};
      options.log_sink = [&](erpbridge::LogLevel, std::string_view line) {
        std::lock_guard<std::mutex> guard(seen_mutex);
        if (line.rfind("response ", 0) == 0) seen_headers += std::string(line);
      };
      server.emulator->clear_faults();
      server.emulator->set_fault(calls[i].path, echo, calls[i].method);
      {
        auto call = async ? calls[i].connect_async(options) : calls[i].connect(options);
        REQUIRE_FALSE(call().has_value());
      }
      REQUIRE(recorder->wait_calls(1));
      {
        std::lock_guard<std::mutex> guard(seen_mutex);
        CHECK(seen_headers.find("traceparent: " + traceparent) != std::string::npos);
      }
      CHECK(recorder->tries().at(0).traceparent == traceparent);
      CHECK(recorder->calls().at(0).traceparent == traceparent);
    }
  }
  server.emulator->clear_faults();
}

TEST_CASE("Observer: a malformed traceparent fails the call before anything is sent") {
  FamilyServer server;
  const std::vector<FamilyCall> calls = server.main_calls();
  for (const char* bad : {"", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
                          "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                          "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                          "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}) {
    CallOptions traced;
    traced.traceparent = bad;
    CallOptionsScope scope(traced);
    for (const FamilyCall& family : calls) {
      for (bool async : {false, true}) {
        INFO(family.name << " with " << bad << (async ? " (async)" : ""));
        const std::size_t before = server.emulator->request_count(family.path);
        auto recorder = std::make_shared<Recorder>();
        const auto error = family.call(observed(server, recorder), async);
        REQUIRE(error.has_value());
        CHECK(error->code == ErrorCode::InvalidArgument);
        CHECK(error->message.find("traceparent") != std::string::npos);
        CHECK(server.emulator->request_count(family.path) == before);
        // The refusal is a call without tries, and the bad value is not passed on.
        REQUIRE(recorder->wait_calls(1));
        CHECK(recorder->tries().empty());
        CHECK(recorder->calls().at(0).attempts == 0);
        CHECK(recorder->calls().at(0).traceparent.empty());
      }
    }
  }
}

TEST_CASE("Observer: W3C traceparent validation, case by case") {
  CHECK(erpbridge::is_valid_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
  CHECK(erpbridge::is_valid_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"));
  CHECK_FALSE(
      erpbridge::is_valid_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"));
  CHECK_FALSE(
      erpbridge::is_valid_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g"));
  CHECK_FALSE(
      erpbridge::is_valid_traceparent("00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
  CHECK_FALSE(
      erpbridge::is_valid_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-"));
}

TEST_CASE("Observer: a CTC batch reports one call per query, each after its tries") {
  FamilyServer server;
  auto recorder = std::make_shared<Recorder>();
  erpbridge::ctc::Options options = observed_ctc(server, recorder);
  erpbridge::ctc::Client client(options);
  const auto day = erpbridge::DateTime::parse("2020-03-01 00:00:00").value();
  std::vector<erpbridge::ctc::ReceiptQuery> queries;
  for (int i = 0; i < 3; ++i) {
    queries.push_back({erpbridge::ctc::Direction::In, day + std::chrono::hours(24 * i),
                       day + std::chrono::hours(24 * (i + 1))});
  }
  const auto results = client.query_receipts_batch(queries, 2);
  REQUIRE(results.size() == 3);
  for (const auto& result : results) REQUIRE(result.ok());
  REQUIRE(recorder->wait_calls(3));
  const auto tries = recorder->tries();
  const auto done = recorder->calls();
  REQUIRE(tries.size() == 3);
  REQUIRE(done.size() == 3);
  for (const auto& t : tries) {
    CHECK(t.endpoint == "receipt_parts");
    CHECK(t.http_status == 200);
  }
  for (const auto& c : done) {
    CHECK(c.family == "ctc");
    CHECK(c.endpoint == "receipt_parts");
    CHECK(c.ok);
    CHECK(c.attempts == 1);
    CHECK(c.http_status == 200);
    CHECK(c.tries_before == 3);  // the batch's tries go out together, the calls end after
  }
  // Each query is a call of its own number, and its try carries that number.
  std::set<std::uint64_t> call_ids;
  std::set<std::uint64_t> try_ids;
  for (const auto& c : done) call_ids.insert(c.call_id);
  for (const auto& t : tries) try_ids.insert(t.call_id);
  CHECK(call_ids.size() == 3);
  CHECK(call_ids.count(0) == 0);
  CHECK(try_ids == call_ids);
}

TEST_CASE("Observer: call ids pair tries with calls when windows overlap, async") {
  FamilyServer server;
  auto recorder = std::make_shared<Recorder>();
  erpbridge::ctc::Options options = observed_ctc(server, recorder);
  options.window_concurrency = 4;
  erpbridge::ctc::Client client(options);
  const auto from = erpbridge::DateTime::parse("2020-03-01 00:00:00").value();
  // Eight 7-day windows, four in flight: their events interleave on the event thread.
  auto receipts = client.list_receipts(erpbridge::ctc::Direction::In, from,
                                       from + std::chrono::hours(24 * 7 * 8));
  REQUIRE(receipts.ok());
  REQUIRE(recorder->wait_calls(8));
  const auto tries = recorder->tries();
  const auto done = recorder->calls();
  REQUIRE(done.size() == 8);
  REQUIRE(tries.size() == 8);
  std::set<std::uint64_t> call_ids;
  for (const auto& c : done) call_ids.insert(c.call_id);
  CHECK(call_ids.size() == 8);
  CHECK(call_ids.count(0) == 0);
  // Each call's one try came before it, with its number.
  for (const auto& c : done) {
    int seen_before = 0;
    for (std::size_t k = 0; k < c.tries_before; ++k) seen_before += tries[k].call_id == c.call_id;
    CHECK(seen_before == 1);
  }
}

TEST_CASE("Observer: a client destroyed with calls pending reports each of them") {
  FamilyServer server;
  const std::vector<FamilyCall> calls = server.main_calls();
  const FamilyCall& ctc = calls.at(0);
  Fault slow;
  slow.latency = 3s;
  server.emulator->set_fault(ctc.path, slow, ctc.method);
  auto recorder = std::make_shared<Recorder>();
  erpbridge::ctc::Options options = observed_ctc(server, recorder);
  options.max_in_flight = 2;  // a third call waits, unsent
  const auto from = erpbridge::DateTime::parse("2020-03-01 00:00:00").value();
  const erpbridge::ctc::ReceiptQuery query{erpbridge::ctc::Direction::In, from,
                                           from + std::chrono::hours(24)};
  std::vector<erpbridge::Future<std::vector<erpbridge::ctc::Receipt>>> futures;
  const std::size_t before = server.emulator->request_count(ctc.path);
  {
    erpbridge::ctc::Client client(options);
    for (int i = 0; i < 3; ++i) futures.push_back(client.query_receipts_async(query));
    for (int spin = 0; spin < 400 && server.emulator->request_count(ctc.path) < before + 2;
         ++spin) {
      std::this_thread::sleep_for(5ms);
    }
    REQUIRE(server.emulator->request_count(ctc.path) == before + 2);
  }  // destroyed: its calls end Cancelled, their events delivered before it is gone
  for (auto& future : futures) CHECK(future.get().error().code == ErrorCode::Cancelled);
  const auto done = recorder->calls();  // no wait: delivered during the destruction
  REQUIRE(done.size() == 3);
  int sent = 0;
  for (const auto& c : done) {
    CHECK(c.error == ErrorCode::Cancelled);
    sent += c.attempts;
  }
  CHECK(sent == 2);
  const auto tries = recorder->tries();
  REQUIRE(tries.size() == 2);
  for (const auto& t : tries) CHECK(t.error == ErrorCode::Cancelled);
  server.emulator->cut_latency_waits();
  server.emulator->clear_faults();
}
