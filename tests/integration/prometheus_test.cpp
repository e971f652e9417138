// erpbridge::prometheus over real calls: the registry scraped after 100 calls and read back
// with a text-format reader of our own (not prometheus-cpp's), each counter and histogram
// bucket checked by value against counts written here by hand.
#include <catch2/catch.hpp>

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <chrono>
#include <vector>

#include "erpbridge/prometheus/metrics.hpp"
#include "support/families.hpp"
#include "support/prometheus_text.hpp"

using erpbridge::CallOptions;
using erpbridge::CallOptionsScope;
using erpbridge::ClientOptions;
using erpbridge::test_support::FamilyServer;
using erpbridge::test_support::read_prometheus_text;
using erpbridge::testing::Fault;
using namespace std::chrono_literals;

namespace {

std::string scrape(prometheus::Registry& registry) {
  return prometheus::TextSerializer().Serialize(registry.Collect());
}

}  // namespace

TEST_CASE("Prometheus: 100 CTC calls scraped, every counter and bucket by value") {
  FamilyServer server;
  const auto calls = server.main_calls();
  const auto& ctc = calls.at(0);
  REQUIRE(ctc.name == "CTC query_receipts");
  auto registry = std::make_shared<prometheus::Registry>();
  ClientOptions options;
  options.base_url = server.server->base_url();
  options.observer = erpbridge::prometheus::make_observer(registry);
  CallOptions fast;
  erpbridge::RetryPolicy policy;
  policy.initial_backoff = 2ms;
  policy.max_backoff = 4ms;
  fast.retry = policy;
  CallOptionsScope scope(fast);

  auto blocking = ctc.connect(options);
  // 65 plain calls, 20 answered 503 once (then retried into success), 5 refused with 400
  // (not retried: InvalidArgument).
  for (int i = 0; i < 65; ++i) REQUIRE_FALSE(blocking().has_value());
  for (int i = 0; i < 20; ++i) {
    Fault once;
    once.status = 503;
    once.times = 1;
    server.emulator->set_fault(ctc.path, once);
    REQUIRE_FALSE(blocking().has_value());
  }
  server.emulator->clear_faults();
  for (int i = 0; i < 5; ++i) {
    Fault refused;
    refused.status = 400;
    refused.times = 1;
    server.emulator->set_fault(ctc.path, refused);
    auto error = blocking();
    REQUIRE(error.has_value());
    CHECK(error->code == erpbridge::ErrorCode::InvalidArgument);
  }
  server.emulator->clear_faults();
  // 10 slow ones at once, async: each takes 0.6 s, so lands above the 0.5 s bucket.
  Fault slow;
  slow.latency = 600ms;
  server.emulator->set_fault(ctc.path, slow);
  {
    std::vector<erpbridge::test_support::PendingCall> slow_calls;
    for (int i = 0; i < 10; ++i) slow_calls.push_back(ctc.start_async(options));
    for (auto& call : slow_calls) REQUIRE_FALSE(call.wait().has_value());
  }
  server.emulator->clear_faults();
  // Async events arrive on the client's event thread: the clients above are gone, and a
  // client joins its event thread when it goes.
  blocking = nullptr;

  const auto text = read_prometheus_text(scrape(*registry));
  INFO(scrape(*registry));
  REQUIRE(text.violations.empty());
  const std::string where = R"(endpoint="receipt_parts",family="ctc")";
  CHECK(text.types.at("erpbridge_client_calls_total") == "counter");
  CHECK(text.types.at("erpbridge_client_call_duration_seconds") == "histogram");
  CHECK(text.value("erpbridge_client_calls_total", where + R"(,outcome="ok")") == 95);
  CHECK(text.value("erpbridge_client_calls_total", where + R"(,outcome="invalid_argument")") == 5);
  CHECK(text.value("erpbridge_client_tries_total", where + R"(,result="2xx")") == 95);
  CHECK(text.value("erpbridge_client_tries_total", where + R"(,result="4xx")") == 5);
  CHECK(text.value("erpbridge_client_tries_total", where + R"(,result="5xx")") == 20);
  CHECK(text.value("erpbridge_client_retries_total", where + R"(,reason="http_status")") == 20);
  // Nothing failed with an unknown outcome and no token was refused: no such series.
  CHECK(std::isnan(text.value("erpbridge_client_outcome_unknown_total", where)));
  CHECK(std::isnan(text.value("erpbridge_client_token_refreshes_total", where)));
  // The call histogram: 90 fast calls at or below 0.5 s, the 10 slow ones above it and at or
  // below 2.5 s.
  const std::string duration = "erpbridge_client_call_duration_seconds";
  CHECK(text.value(duration + "_count", where) == 100);
  CHECK(text.value(duration + "_bucket", where + R"(,le="0.5")") == 90);
  CHECK(text.value(duration + "_bucket", where + R"(,le="1")") == 100);
  CHECK(text.value(duration + "_bucket", where + R"(,le="+Inf")") == 100);
  CHECK(text.value(duration + "_sum", where) > 10 * 0.6);
  CHECK(text.value(duration + "_sum", where) < 100 * 0.5);
  // The try histogram counts every try: 100 calls and 20 retries.
  CHECK(text.value("erpbridge_client_try_duration_seconds_count", where) == 120);
  CHECK(text.value("erpbridge_client_first_byte_seconds_count", where) == 120);
}

TEST_CASE("Prometheus: hand-made events land in the series their labels name") {
  auto registry = std::make_shared<prometheus::Registry>();
  auto observer = erpbridge::prometheus::make_observer(registry);
  erpbridge::CallEvent call;
  call.family = "kingdee";
  call.endpoint = "push_spare_parts";
  call.ok = false;
  call.error = erpbridge::ErrorCode::Timeout;
  call.outcome_unknown = true;
  call.token_refreshed = true;
  call.duration = 3000ms;  // between the 2.5 and 5 s bounds
  observer->on_call(call);
  erpbridge::TryEvent attempt;
  attempt.family = "kingdee";
  attempt.endpoint = "push_spare_parts";
  attempt.ok = false;
  attempt.error = erpbridge::ErrorCode::Transport;
  attempt.retry = erpbridge::RetryReason::Transport;
  attempt.timings.total = 7ms;  // between 0.005 and 0.01
  observer->on_try(attempt);

  const auto text = read_prometheus_text(scrape(*registry));
  REQUIRE(text.violations.empty());
  const std::string where = R"(endpoint="push_spare_parts",family="kingdee")";
  CHECK(text.value("erpbridge_client_calls_total", where + R"(,outcome="timeout")") == 1);
  CHECK(text.value("erpbridge_client_outcome_unknown_total", where) == 1);
  CHECK(text.value("erpbridge_client_token_refreshes_total", where) == 1);
  CHECK(text.value("erpbridge_client_call_duration_seconds_bucket", where + R"(,le="2.5")") == 0);
  CHECK(text.value("erpbridge_client_call_duration_seconds_bucket", where + R"(,le="5")") == 1);
  CHECK(text.value("erpbridge_client_tries_total", where + R"(,result="transport")") == 1);
  CHECK(text.value("erpbridge_client_retries_total", where + R"(,reason="transport")") == 1);
  CHECK(text.value("erpbridge_client_try_duration_seconds_bucket", where + R"(,le="0.005")") == 0);
  CHECK(text.value("erpbridge_client_try_duration_seconds_bucket", where + R"(,le="0.01")") == 1);
  // No first byte for a try without a reply.
  CHECK(std::isnan(text.value("erpbridge_client_first_byte_seconds_count", where)));
}
