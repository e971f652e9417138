// Core alone: exact decimals, China wall-clock times, results, the version.
#include <cstdio>
#include <string>

#include "erpbridge/core/datetime.hpp"
#include "erpbridge/core/decimal.hpp"
#include "erpbridge/core/options.hpp"
#include "erpbridge/version.hpp"

int main() {
  auto amount = erpbridge::Decimal::parse("1310.00");
  auto when = erpbridge::DateTime::parse("2020-05-27 20:40:23");
  auto bad = erpbridge::Decimal::parse("13,10");
  const std::string agent = erpbridge::ClientOptions{}.user_agent;
  if (!amount || amount->to_string() != "1310.00" || !when || bad.ok() ||
      agent != std::string("erpbridge/") + ERPBRIDGE_VERSION_STRING) {
    std::fprintf(stderr, "core consumer: core types misbehave\n");
    return 1;
  }
  std::printf("core consumer: %s at %s, user agent %s\n", amount->to_string().c_str(),
              when->to_string().c_str(), agent.c_str());
  return 0;
}
