// A consumer built with pkg-config alone (no CMake): erpbridge-ctc and what it requires.
#include <cstdio>

#include "erpbridge/ctc/client.hpp"

int main() {
  erpbridge::ctc::Options options;
  options.base_url = "http://127.0.0.1:1";  // nothing listens: a clean transport error
  options.key = erpbridge::make_static_token("pkgconfig-consumer-key");
  options.retry.max_attempts = 1;
  erpbridge::ctc::Client client(options);
  auto from = erpbridge::DateTime::parse("2020-05-27 00:00:00").value();
  auto receipts = client.query_receipts({erpbridge::ctc::Direction::In, from, from});
  if (receipts.ok() || receipts.error().code != erpbridge::ErrorCode::Transport) {
    std::fprintf(stderr, "pkg-config consumer: expected a transport error\n");
    return 1;
  }
  std::printf("pkg-config consumer: %s\n", receipts.error().to_string().c_str());
  return 0;
}
