// quickstart: talks to a running erpbridge-emulator.
//   quickstart <base_url>          e.g. quickstart http://127.0.0.1:8080
// Shows the core every family client is built on: exact decimals, wall-clock times, and a
// pooled HTTP transport with errors as values.
#include <cstdio>
#include <string>

#include "erpbridge/core/datetime.hpp"
#include "erpbridge/core/decimal.hpp"
#include "erpbridge/core/options.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: quickstart <base_url>\n");
    return 2;
  }
  const std::string base_url = argv[1];

  // Money stays exact: "1310.00" + "393.00" is "1703.00", never 1702.9999.
  auto total = erpbridge::Decimal::parse("1310.00")->add(*erpbridge::Decimal::parse("393.00"));
  std::printf("receipts total: %s\n", total->to_string().c_str());

  // A CTC query may span at most 7 days; DateTime arithmetic is exact wall-clock.
  auto start = erpbridge::DateTime::parse("2020-05-20 20:40:23").value();
  std::printf("7-day window: %s .. %s\n", start.to_string().c_str(),
              (start + std::chrono::hours(24 * 7)).to_string().c_str());

  erpbridge::ClientOptions options;
  options.base_url = base_url;
  auto transport = erpbridge::make_curl_transport(options);
  erpbridge::HttpRequest request;
  request.url = base_url + "/_emulator/health";
  auto response = transport->send(request);
  if (!response.ok()) {
    std::fprintf(stderr, "quickstart: %s\n", response.error().to_string().c_str());
    return 1;
  }
  std::printf("emulator health: HTTP %d %s\n", response->status, response->body.c_str());
  return response->status == 200 ? 0 : 1;
}
