// quickstart: one call per API family against a running erpbridge-emulator.
//   quickstart <base_url>          e.g. quickstart http://127.0.0.1:8080
#include <cstdio>
#include <string>

#include "erpbridge/ctc/client.hpp"

namespace {

int fail(const char* what, const erpbridge::Error& error) {
  std::fprintf(stderr, "quickstart: %s: %s\n", what, error.to_string().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: quickstart <base_url>\n");
    return 2;
  }
  const std::string base_url = argv[1];

  // CTC: warehouse receipts over 90 days; the client splits the range into 7-day windows
  // and fetches them concurrently. Money stays an exact Decimal.
  erpbridge::ctc::Options ctc_options;
  ctc_options.base_url = base_url;
  ctc_options.key = "erpbridge-demo-key";
  erpbridge::ctc::Client ctc(ctc_options);
  auto from = erpbridge::DateTime::parse("2020-03-01 00:00:00").value();
  auto receipts =
      ctc.list_receipts(erpbridge::ctc::Direction::In, from, from + std::chrono::hours(24 * 90));
  if (!receipts.ok()) return fail("ctc", receipts.error());
  erpbridge::Decimal total;
  for (const auto& receipt : *receipts) total = total.add(receipt.amount_of_money).value();
  const auto& last = receipts->back();
  std::printf("ctc: %zu in-receipts over 90 days, worth %s; last %s %s %s at %s\n",
              receipts->size(), total.to_string().c_str(), last.number.c_str(),
              last.type.label().c_str(), last.amount_of_money.to_string().c_str(),
              last.created_at.to_string().c_str());
  return 0;
}
