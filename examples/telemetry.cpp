// telemetry: the three questions a production team asks, answered with ClientOptions::observer
// against a running erpbridge-emulator.
//   telemetry <base_url>          e.g. telemetry http://127.0.0.1:8080
//
//  1. How many calls to each vendor failed, retried or timed out, and how slow were they?
//     -> erpbridge::prometheus::make_observer on your prometheus-cpp registry.
//  2. Where did the time of one slow request go?  -> TryEvent::timings (DNS, connect, TLS,
//     first byte, total) and CallEvent::decode_time.
//  3. Which of our requests caused this vendor call?  -> CallOptions::traceparent: sent as the
//     `traceparent` header and carried in every event, so a tracer links the vendor call to
//     the span that made it. Here a toy tracer stands in for yours (OpenTelemetry's
//     SpanContext has the same trace id / span id pair).
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "erpbridge/ctc/client.hpp"
#include "erpbridge/prometheus/metrics.hpp"

namespace {

// Stands in for the application's tracer: spans with W3C ids.
struct Span {
  std::string name, trace_id, span_id, parent_id;
  std::string traceparent() const { return "00-" + trace_id + "-" + span_id + "-01"; }
};

std::string random_hex(std::size_t digits) {
  static std::mt19937_64 engine{std::random_device{}()};
  std::string hex;
  while (hex.size() < digits) {
    char piece[17];
    std::snprintf(piece, sizeof piece, "%016llx", static_cast<unsigned long long>(engine()));
    hex += piece;
  }
  return hex.substr(0, digits);
}

// The bridge: each vendor call becomes a child span of the span whose traceparent it
// carried, annotated with its tries' phase times.
class TracerBridge : public erpbridge::CallObserver {
 public:
  void on_try(const erpbridge::TryEvent& e) override {
    std::ostringstream line;
    line << "try " << e.attempt << ": "
         << (e.ok ? std::to_string(e.http_status) : std::string(to_string(e.error))) << ", connect "
         << e.timings.connect.count() << " us, first byte " << e.timings.first_byte.count()
         << " us, total " << e.timings.total.count() << " us";
    std::lock_guard<std::mutex> guard(mutex_);
    pending_[e.call_id].push_back(line.str());  // the call's tries, until it ends
  }
  void on_call(const erpbridge::CallEvent& e) override {
    std::lock_guard<std::mutex> guard(mutex_);
    const std::string parent(e.traceparent);
    Span span{std::string(e.family) + "." + std::string(e.endpoint), parent.substr(3, 32),
              random_hex(16), parent.substr(36, 16)};
    std::printf("span %s trace %s parent %s: %s in %lld us (decode %lld us)\n", span.name.c_str(),
                span.trace_id.c_str(), span.parent_id.c_str(), e.ok ? "ok" : to_string(e.error),
                static_cast<long long>(e.duration.count()),
                static_cast<long long>(e.decode_time.count()));
    for (const std::string& line : pending_[e.call_id]) std::printf("  %s\n", line.c_str());
    pending_.erase(e.call_id);
  }

 private:
  std::mutex mutex_;
  std::map<std::uint64_t, std::vector<std::string>> pending_;
};

// Both observers at once: the hook takes one, so fan out.
class Both : public erpbridge::CallObserver {
 public:
  Both(std::shared_ptr<CallObserver> a, std::shared_ptr<CallObserver> b)
      : a_(std::move(a)), b_(std::move(b)) {}
  void on_try(const erpbridge::TryEvent& e) override {
    a_->on_try(e);
    b_->on_try(e);
  }
  void on_call(const erpbridge::CallEvent& e) override {
    a_->on_call(e);
    b_->on_call(e);
  }

 private:
  std::shared_ptr<CallObserver> a_, b_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: telemetry <base_url>\n");
    return 2;
  }
  auto registry = std::make_shared<prometheus::Registry>();
  erpbridge::ctc::Options options;
  options.base_url = argv[1];
  options.key = erpbridge::make_static_token("erpbridge-demo-key");
  options.observer = std::make_shared<Both>(erpbridge::prometheus::make_observer(registry),
                                            std::make_shared<TracerBridge>());
  {
    erpbridge::ctc::Client ctc(options);
    // The application's own request, and the vendor calls it makes inside its span.
    const Span request{"GET /stock-report", random_hex(32), random_hex(16), ""};
    std::printf("span %s trace %s\n", request.name.c_str(), request.trace_id.c_str());
    erpbridge::CallOptions traced;
    traced.traceparent = request.traceparent();
    const auto from = erpbridge::DateTime::parse("2020-03-01 00:00:00").value();
    auto receipts = ctc.with(traced).list_receipts(erpbridge::ctc::Direction::In, from,
                                                   from + std::chrono::hours(24 * 14));
    if (!receipts.ok()) {
      std::fprintf(stderr, "telemetry: %s\n", receipts.error().to_string().c_str());
      return 1;
    }
  }  // the client joins its event thread: every event has been delivered
  // What /metrics of the application would serve.
  const std::string text = prometheus::TextSerializer().Serialize(registry->Collect());
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("erpbridge_client_calls_total", 0) == 0 ||
        line.rfind("erpbridge_client_call_duration_seconds_count", 0) == 0) {
      std::printf("metric %s\n", line.c_str());
    }
  }
  return 0;
}
