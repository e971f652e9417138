// Uses the installed headers and libraries; exits non-zero if anything is off.
#include <cstdio>

#include "erpbridge/core/datetime.hpp"
#include "erpbridge/core/decimal.hpp"
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
  std::printf("erpbridge consumer: %s at %s, emulator says %s\n", amount->to_string().c_str(),
              when->to_string().c_str(), response->body.c_str());
  return 0;
}
