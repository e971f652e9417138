#include "metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <string>
#include <utility>
#include <vector>

namespace erpbridge::cli {
namespace {

// One bucket set for every status: from a cached duplicate (~1 ms) to a slow ERP handler.
const prometheus::Histogram::BucketBoundaries kDurationBuckets = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

// Each outcome of ReceiverStats and its label.
const std::vector<std::pair<const char*, std::size_t wms::ReceiverStats::*>> kOutcomes = {
    {"accepted", &wms::ReceiverStats::delivered},
    {"duplicate", &wms::ReceiverStats::duplicates},
    {"conflict", &wms::ReceiverStats::conflicts},
    {"rejected", &wms::ReceiverStats::rejected},
    {"failed", &wms::ReceiverStats::failed},
    {"busy", &wms::ReceiverStats::busy},
    {"store_unavailable", &wms::ReceiverStats::unavailable},
    {"draining", &wms::ReceiverStats::drained},
};

}  // namespace

ServeMetrics::ServeMetrics(const wms::Receiver& receiver)
    : receiver_(receiver), registry_(std::make_shared<prometheus::Registry>()) {
  pushes_ = &prometheus::BuildCounter()
                 .Name("erpbridge_receiver_pushes_total")
                 .Help("Pushes of CreateEntryConfirmation answered, by outcome.")
                 .Register(*registry_);
  // Every outcome is present from the start (at 0), so a rate over it never lacks a series.
  for (const auto& [label, field] : kOutcomes) pushes_->Add({{"outcome", label}});
  durations_ = &prometheus::BuildHistogram()
                    .Name("erpbridge_receiver_push_duration_seconds")
                    .Help("Time from a push's body read to its answer, by HTTP status.")
                    .Register(*registry_);
  in_flight_ = &prometheus::BuildGauge()
                    .Name("erpbridge_receiver_pushes_in_flight")
                    .Help("Pushes being handled now.")
                    .Register(*registry_)
                    .Add({});
  ready_ = &prometheus::BuildGauge()
                .Name("erpbridge_receiver_ready")
                .Help("1 while the receiver takes pushes and its store answers, else 0.")
                .Register(*registry_)
                .Add({});
  draining_ = &prometheus::BuildGauge()
                   .Name("erpbridge_receiver_draining")
                   .Help("1 once the receiver is stopping and turns pushes away, else 0.")
                   .Register(*registry_)
                   .Add({});
}

ServeMetrics::~ServeMetrics() = default;

void ServeMetrics::push_started() {
  in_flight_->Increment();
}

void ServeMetrics::push_finished(int http_status, std::chrono::steady_clock::duration took) {
  in_flight_->Decrement();
  durations_->Add({{"status", std::to_string(http_status)}}, kDurationBuckets)
      .Observe(std::chrono::duration<double>(took).count());
}

std::string ServeMetrics::scrape() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    const wms::ReceiverStats now = receiver_.stats();
    for (const auto& [label, field] : kOutcomes) {
      const std::size_t grown = now.*field - counted_.*field;
      if (grown > 0) pushes_->Add({{"outcome", label}}).Increment(static_cast<double>(grown));
    }
    counted_ = now;
    ready_->Set(receiver_.ready().ok() ? 1 : 0);
    draining_->Set(receiver_.draining() ? 1 : 0);
  }
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace erpbridge::cli
