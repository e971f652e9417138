// async_calls: a few hundred calls of two families at once, without a thread per call, some
// of them cancelled, against a running erpbridge-emulator.
//   async_calls <base_url>          e.g. async_calls http://127.0.0.1:8080
// Every call returns at once with a Future; one I/O thread per client drives them all.
#include <cstdio>
#include <string>
#include <vector>

#include "erpbridge/aftersales/client.hpp"
#include "erpbridge/ctc/client.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: async_calls <base_url>\n");
    return 2;
  }
  const std::string base_url = argv[1];

  erpbridge::ctc::Options ctc_options;
  ctc_options.base_url = base_url;
  ctc_options.key = erpbridge::make_static_token("erpbridge-demo-key");
  ctc_options.max_in_flight = 32;  // calls beyond it queue inside the client
  erpbridge::ctc::Client ctc(ctc_options);

  erpbridge::aftersales::Options aftersales_options;
  aftersales_options.base_url = base_url;
  erpbridge::aftersales::Client aftersales(aftersales_options);

  // 200 CTC queries (a 6-day window each) and 200 product pages, all started at once.
  const auto first = erpbridge::DateTime::parse("2020-03-01 00:00:00").value();
  std::vector<erpbridge::Future<std::vector<erpbridge::ctc::Receipt>>> queries;
  std::vector<erpbridge::Future<erpbridge::Page<erpbridge::aftersales::Product>>> pages;
  for (int i = 0; i < 200; ++i) {
    const auto start = first + std::chrono::hours(24 * (i % 80));
    queries.push_back(ctc.query_receipts_async(
        {erpbridge::ctc::Direction::In, start, start + std::chrono::hours(24 * 6)}));
    pages.push_back(aftersales.list_products_async({1 + i % 5, 5}));
  }
  // Changed our mind about every tenth of each (the latest ones, most likely still queued):
  // cancelled, they end promptly; one that is done already stays done.
  for (std::size_t i = 9; i < queries.size(); i += 10) {
    queries[queries.size() - 1 - (i - 9)].cancel();
    pages[pages.size() - 1 - (i - 9)].cancel();
  }

  std::size_t succeeded = 0;
  std::size_t cancelled = 0;
  std::size_t receipts = 0;
  std::size_t products = 0;
  auto tally = [&](auto& futures, auto count) {
    for (auto& future : futures) {
      auto result = future.get();
      if (result.ok()) {
        ++succeeded;
        count(*result);
      } else if (result.error().code == erpbridge::ErrorCode::Cancelled) {
        ++cancelled;
      } else {
        std::fprintf(stderr, "async_calls: %s\n", result.error().to_string().c_str());
        return false;
      }
    }
    return true;
  };
  if (!tally(queries, [&](const auto& found) { receipts += found.size(); })) return 1;
  if (!tally(pages, [&](const auto& page) { products += page.items.size(); })) return 1;
  std::printf("async_calls: %zu calls, %zu succeeded, %zu cancelled; %zu receipts, %zu products\n",
              queries.size() + pages.size(), succeeded, cancelled, receipts, products);
  return 0;
}
