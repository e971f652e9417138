// A consumer of erpbridge::prometheus: its observer on the application's own registry.
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <cstdio>
#include <memory>

#include "erpbridge/prometheus/metrics.hpp"

int main() {
  auto registry = std::make_shared<prometheus::Registry>();
  std::shared_ptr<erpbridge::CallObserver> observer =
      erpbridge::prometheus::make_observer(registry);
  erpbridge::CallEvent call;
  call.family = "ctc";
  call.endpoint = "receipt_parts";
  call.ok = true;
  observer->on_call(call);
  const std::string text = prometheus::TextSerializer().Serialize(registry->Collect());
  const char* expected =
      "erpbridge_client_calls_total{endpoint=\"receipt_parts\",family=\"ctc\",outcome=\"ok\"} 1";
  if (text.find(expected) == std::string::npos) {
    std::fprintf(stderr, "no calls counter in:\n%s\n", text.c_str());
    return 1;
  }
  std::printf("prometheus consumer: ok\n");
  return 0;
}
