#include "erpbridge/prometheus/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>
#include <map>
#include <string>

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {
namespace prometheus {
namespace {

using Labels = std::map<std::string, std::string>;

// Label values are snake case, as Prometheus conventions have them.
const char* outcome_label(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidArgument:
      return "invalid_argument";
    case ErrorCode::Unauthenticated:
      return "unauthenticated";
    case ErrorCode::NotFound:
      return "not_found";
    case ErrorCode::FailedPrecondition:
      return "failed_precondition";
    case ErrorCode::Unimplemented:
      return "unimplemented";
    case ErrorCode::Transport:
      return "transport";
    case ErrorCode::Timeout:
      return "timeout";
    case ErrorCode::Http:
      return "http";
    case ErrorCode::Api:
      return "api";
    case ErrorCode::Decode:
      return "decode";
    case ErrorCode::Cancelled:
      return "cancelled";
    case ErrorCode::Internal:
      return "internal";
  }
  return "unknown";
}

std::string try_result(const TryEvent& event) {
  if (event.ok) {
    const int hundreds = event.http_status / 100;
    if (hundreds >= 1 && hundreds <= 5) return std::to_string(hundreds) + "xx";
    return "other";
  }
  if (event.error == ErrorCode::Timeout) return "timeout";
  if (event.error == ErrorCode::Cancelled) return "cancelled";
  return "transport";
}

const char* retry_label(RetryReason reason) {
  switch (reason) {
    case RetryReason::Transport:
      return "transport";
    case RetryReason::Timeout:
      return "timeout";
    case RetryReason::HttpStatus:
      return "http_status";
    case RetryReason::None:
      break;
  }
  return "none";
}

double seconds(std::chrono::microseconds duration) {
  return static_cast<double>(duration.count()) / 1e6;
}

class PrometheusObserver final : public CallObserver {
 public:
  explicit PrometheusObserver(std::shared_ptr<::prometheus::Registry> registry)
      : registry_(std::move(registry)),
        calls_(::prometheus::BuildCounter()
                   .Name("erpbridge_client_calls_total")
                   .Help("Calls to a vendor API that ended, by outcome")
                   .Register(*registry_)),
        call_duration_(::prometheus::BuildHistogram()
                           .Name("erpbridge_client_call_duration_seconds")
                           .Help("Whole calls, retries and decoding included")
                           .Register(*registry_)),
        tries_(::prometheus::BuildCounter()
                   .Name("erpbridge_client_tries_total")
                   .Help("Tries sent, by HTTP status class or failure")
                   .Register(*registry_)),
        try_duration_(::prometheus::BuildHistogram()
                          .Name("erpbridge_client_try_duration_seconds")
                          .Help("One try's transfer, from hand-over to its end")
                          .Register(*registry_)),
        first_byte_(::prometheus::BuildHistogram()
                        .Name("erpbridge_client_first_byte_seconds")
                        .Help("Time to the first byte of an answered try")
                        .Register(*registry_)),
        retries_(::prometheus::BuildCounter()
                     .Name("erpbridge_client_retries_total")
                     .Help("Tries followed by another, by reason")
                     .Register(*registry_)),
        outcome_unknown_(::prometheus::BuildCounter()
                             .Name("erpbridge_client_outcome_unknown_total")
                             .Help("Failed calls whose write may have been applied")
                             .Register(*registry_)),
        token_refreshes_(::prometheus::BuildCounter()
                             .Name("erpbridge_client_token_refreshes_total")
                             .Help("Calls sent again with a fresh token after a refusal")
                             .Register(*registry_)) {}

  void on_try(const TryEvent& event) override {
    const Labels where = labels(event.family, event.endpoint);
    Labels with_result = where;
    with_result.emplace("result", try_result(event));
    tries_.Add(with_result).Increment();
    try_duration_.Add(where, duration_buckets()).Observe(seconds(event.timings.total));
    if (event.ok && event.timings.first_byte.count() > 0) {
      first_byte_.Add(where, duration_buckets()).Observe(seconds(event.timings.first_byte));
    }
    if (event.retry != RetryReason::None) {
      Labels with_reason = where;
      with_reason.emplace("reason", retry_label(event.retry));
      retries_.Add(with_reason).Increment();
    }
  }

  void on_call(const CallEvent& event) override {
    const Labels where = labels(event.family, event.endpoint);
    Labels with_outcome = where;
    with_outcome.emplace("outcome", event.ok ? "ok" : outcome_label(event.error));
    calls_.Add(with_outcome).Increment();
    call_duration_.Add(where, duration_buckets()).Observe(seconds(event.duration));
    if (!event.ok && event.outcome_unknown) outcome_unknown_.Add(where).Increment();
    if (event.token_refreshed) token_refreshes_.Add(where).Increment();
  }

 private:
  static Labels labels(std::string_view family, std::string_view endpoint) {
    return {{"family", std::string(family)}, {"endpoint", std::string(endpoint)}};
  }

  std::shared_ptr<::prometheus::Registry> registry_;
  ::prometheus::Family<::prometheus::Counter>& calls_;
  ::prometheus::Family<::prometheus::Histogram>& call_duration_;
  ::prometheus::Family<::prometheus::Counter>& tries_;
  ::prometheus::Family<::prometheus::Histogram>& try_duration_;
  ::prometheus::Family<::prometheus::Histogram>& first_byte_;
  ::prometheus::Family<::prometheus::Counter>& retries_;
  ::prometheus::Family<::prometheus::Counter>& outcome_unknown_;
  ::prometheus::Family<::prometheus::Counter>& token_refreshes_;
};

}  // namespace

const std::vector<double>& duration_buckets() {
  // From a loopback call (a millisecond) to a slow vendor's minute.
  static const std::vector<double> buckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                              0.5,   1,      2.5,   5,    10,    30,   60};
  return buckets;
}

std::shared_ptr<CallObserver> make_observer(std::shared_ptr<::prometheus::Registry> registry) {
  if (!registry) registry = std::make_shared<::prometheus::Registry>();
  return std::make_shared<PrometheusObserver>(std::move(registry));
}

}  // namespace prometheus
}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
