// ctc_receipts: lists CTC warehouse receipts over any time range.
//   ctc_receipts <base_url> <key> <in|out> "<from>" "<to>"
// Times are "YYYY-MM-DD HH:MM:SS". Ranges over 7 days are split into windows and fetched
// concurrently. Prints one line per receipt, then its part lines.
#include <cstdio>
#include <string>

#include "erpbridge/ctc/client.hpp"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: ctc_receipts <base_url> <key> <in|out> \"<from>\" \"<to>\"\n");
    return 2;
  }
  const std::string direction_text = argv[3];
  if (direction_text != "in" && direction_text != "out") {
    std::fprintf(stderr, "ctc_receipts: direction must be in or out, not '%s'\n", argv[3]);
    return 2;
  }
  auto from = erpbridge::DateTime::parse(argv[4]);
  auto to = erpbridge::DateTime::parse(argv[5]);
  if (!from.ok() || !to.ok()) {
    std::fprintf(stderr, "ctc_receipts: %s\n",
                 (from.ok() ? to.error() : from.error()).to_string().c_str());
    return 2;
  }

  erpbridge::ctc::Options options;
  options.base_url = argv[1];
  options.key = erpbridge::make_static_token(argv[2]);
  erpbridge::ctc::Client client(options);

  const auto direction =
      direction_text == "in" ? erpbridge::ctc::Direction::In : erpbridge::ctc::Direction::Out;
  auto receipts = client.list_receipts(direction, *from, *to);
  if (!receipts.ok()) {
    std::fprintf(stderr, "ctc_receipts: %s\n", receipts.error().to_string().c_str());
    return 1;
  }
  for (const auto& receipt : *receipts) {
    std::printf("%s %s %s %s %s\n", receipt.number.c_str(), receipt.type.label().c_str(),
                receipt.status.label().c_str(), receipt.amount_of_money.to_string().c_str(),
                receipt.created_at.to_string().c_str());
    for (const auto& part : receipt.parts) {
      std::printf("  %s x %lld\n", part.yunmi_code.c_str(), static_cast<long long>(part.amount));
    }
  }
  std::printf("%zu receipts\n", receipts->size());
  return 0;
}
