// `wms serve`'s /metrics: what the receiver did and how long pushes took, in the Prometheus
// text format, kept in a prometheus-cpp registry (Debian's prometheus-cpp-dev, its core
// library). No label carries an entry code, a token or a store address.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "erpbridge/wms/receiver.hpp"

namespace prometheus {
class Registry;
class Gauge;
class Counter;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace erpbridge::cli {

class ServeMetrics {
 public:
  /// Metrics of `receiver`, which must outlive this object.
  explicit ServeMetrics(const wms::Receiver& receiver);
  ~ServeMetrics();
  ServeMetrics(const ServeMetrics&) = delete;
  ServeMetrics& operator=(const ServeMetrics&) = delete;

  /// Around each push: counts it in flight while it is handled, then records how long it took
  /// under its HTTP status.
  void push_started();
  void push_finished(int http_status, std::chrono::steady_clock::duration took);

  /// The exposition (text format 0.0.4): the receiver's counters brought up to date first.
  std::string scrape();

 private:
  const wms::Receiver& receiver_;
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* pushes_;
  prometheus::Family<prometheus::Histogram>* durations_;
  prometheus::Gauge* in_flight_;
  prometheus::Gauge* ready_;
  prometheus::Gauge* draining_;
  std::mutex mutex_;            // one scrape at a time brings the counters up to date
  wms::ReceiverStats counted_;  // what the counters hold so far
};

}  // namespace erpbridge::cli
