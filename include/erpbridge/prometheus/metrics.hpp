// erpbridge::prometheus: the events of every call (ClientOptions::observer) as Prometheus
// counters and histograms, kept in a prometheus-cpp registry the application owns and
// exposes (Debian's prometheus-cpp-dev, its core library).
#pragma once

#include <memory>
#include <vector>

#include "erpbridge/core/observer.hpp"
#include "erpbridge/prometheus/export.hpp"
#include "erpbridge/version.hpp"

namespace prometheus {
class Registry;  // prometheus-cpp's; include <prometheus/registry.h> to make one
}  // namespace prometheus

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {
namespace prometheus {

/// An observer for ClientOptions::observer that registers these families on `registry`
/// (names and labels are stable; no label ever carries a URL, an id or a secret):
///
/// - `erpbridge_client_calls_total{family,endpoint,outcome}`: calls ended; outcome "ok" or
///   the ErrorCode in snake case ("timeout", "unauthenticated", ...).
/// - `erpbridge_client_call_duration_seconds{family,endpoint}`: histogram of whole calls,
///   retries and decoding included.
/// - `erpbridge_client_tries_total{family,endpoint,result}`: tries; result "2xx", "3xx",
///   "4xx", "5xx", or for a try without a reply "timeout", "transport", "cancelled".
/// - `erpbridge_client_try_duration_seconds{family,endpoint}`: histogram of one try's total
///   transfer time.
/// - `erpbridge_client_first_byte_seconds{family,endpoint}`: histogram of the time to the
///   first byte of an answered try (the server's share of a slow call).
/// - `erpbridge_client_retries_total{family,endpoint,reason}`: tries followed by another;
///   reason "transport", "timeout" or "http_status".
/// - `erpbridge_client_outcome_unknown_total{family,endpoint}`: calls whose write may have
///   been applied although they failed.
/// - `erpbridge_client_token_refreshes_total{family,endpoint}`: calls re-sent with a fresh
///   token after a refusal.
///
/// Share one observer between clients (it is thread-safe); the registry is kept alive by it.
ERPBRIDGE_PROMETHEUS_EXPORT std::shared_ptr<CallObserver> make_observer(
    std::shared_ptr<::prometheus::Registry> registry);

/// The histogram bucket bounds, in seconds, of the duration histograms above.
ERPBRIDGE_PROMETHEUS_EXPORT const std::vector<double>& duration_buckets();

}  // namespace prometheus
}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
