// Uses the installed headers and libraries; exits non-zero if anything is off.
#include <cstdio>

#include "erpbridge/core/datetime.hpp"
#include "erpbridge/core/decimal.hpp"
#include "erpbridge/ctc/client.hpp"
#include "erpbridge/testing/ctc_emulator.hpp"
#include "erpbridge/testing/emulator.hpp"
#include "erpbridge/testing/mock_transport.hpp"

int main() {
  auto amount = erpbridge::Decimal::parse("1310.00");
  auto when = erpbridge::DateTime::parse("2020-05-27 20:40:23");
  if (!amount || amount->to_string() != "1310.00" || !when) {
    std::fprintf(stderr, "core types misbehave\n");
    return 1;
  }
  erpbridge::testing::Emulator emulator;
  emulator.route(erpbridge::HttpMethod::Get, "/ping",
                 [](const erpbridge::testing::EmulatorRequest&) {
                   return erpbridge::testing::json_response(200, "{\"pong\":true}");
                 });
  erpbridge::HttpRequest request;
  request.url = "http://127.0.0.1/ping";
  auto response = emulator.send(request);
  if (!response || response->status != 200) {
    std::fprintf(stderr, "emulator did not answer\n");
    return 1;
  }
  // A CTC client over the in-process emulator: no sockets.
  erpbridge::testing::CtcEmulator ctc("k");
  ctc.add_receipts(erpbridge::testing::CtcEmulator::spec_samples());
  auto ctc_emulator = std::make_shared<erpbridge::testing::Emulator>();
  ctc.install(*ctc_emulator);
  erpbridge::ctc::Options options;
  options.base_url = "http://ctc.invalid";
  options.key = erpbridge::make_static_token("k");
  options.transport = ctc_emulator;
  erpbridge::ctc::Client client(options);
  auto receipts =
      client.list_receipts(erpbridge::ctc::Direction::In, *when, *when + std::chrono::hours(1));
  if (!receipts || receipts->size() != 2) {
    std::fprintf(stderr, "ctc client over the emulator failed\n");
    return 1;
  }
  std::printf("erpbridge consumer: %s at %s, emulator says %s, ctc returned %zu receipts\n",
              amount->to_string().c_str(), when->to_string().c_str(), response->body.c_str(),
              receipts->size());
  return 0;
}
