// Where a paged list ends: PageStop over hand-written page sequences.
#include <catch2/catch.hpp>

#include <vector>

#include "erpbridge/core/pagination.hpp"

using erpbridge::Page;
using erpbridge::PageStop;
using erpbridge::PaginatedRange;
using erpbridge::Result;

namespace {
// How many pages of the given sizes are read before PageStop says the list ended.
std::size_t pages_read(const std::vector<std::size_t>& sizes,
                       std::optional<std::int64_t> total = std::nullopt) {
  PageStop stop;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    if (stop.last_page(sizes[i], total)) return i + 1;
  }
  return sizes.size() + 1;  // would ask for another
}
}  // namespace

TEST_CASE("PageStop: an empty page, a stated total, a page shorter than the largest seen") {
  CHECK(pages_read({0}) == 1);
  CHECK(pages_read({20, 20, 5}) == 3);
  CHECK(pages_read({20, 20, 0}) == 3);
  // A server that caps pages at 7 when 20 were asked: never stops at the first short page.
  CHECK(pages_read({7, 7, 7, 2}) == 4);
  CHECK(pages_read({7, 7, 7, 7, 0}) == 5);
  // A page as long as the largest seen does not end the list.
  CHECK(pages_read({5, 5, 5}) == 4);
  // A stated total ends it as soon as it is reached.
  CHECK(pages_read({20, 20, 20}, 40) == 2);
  CHECK(pages_read({7, 7}, 14) == 2);
  // A page that grew (a server that changed its cap) is the new largest.
  CHECK(pages_read({5, 10, 10, 9}) == 4);
}

TEST_CASE("PageStop: a page's elements that failed to decode still count") {
  PageStop stop;
  Page<int> first{{1, 2, 3, 4, 5}, std::nullopt, 0};
  CHECK_FALSE(stop.last_page(first));
  // Five sent, two of them unreadable: as long as the largest page, so not the last.
  Page<int> partly{{6, 7, 8}, std::nullopt, 5};
  CHECK_FALSE(stop.last_page(partly));
  Page<int> short_one{{9}, std::nullopt, 0};
  CHECK(stop.last_page(short_one));
}

TEST_CASE("PaginatedRange reads past a first page shorter than per_page") {
  // 23 items served 10 a page whatever per_page (50) asks.
  int loads = 0;
  PaginatedRange<int> range(
      [&loads](int page) -> Result<Page<int>> {
        ++loads;
        Page<int> out;
        for (int i = (page - 1) * 10; i < std::min(page * 10, 23); ++i) out.items.push_back(i);
        return out;
      },
      1, 50);
  std::vector<int> seen;
  for (const Result<int>& item : range) {
    REQUIRE(item.ok());
    seen.push_back(*item);
  }
  CHECK(seen.size() == 23);
  CHECK(seen.back() == 22);
  CHECK(loads == 3);
}

TEST_CASE("PaginatedRange: a page whose every element failed to decode does not end the list") {
  int loads = 0;
  PaginatedRange<int> range(
      [&loads](int page) -> Result<Page<int>> {
        ++loads;
        if (page == 1) return Page<int>{{1, 2, 3}, std::nullopt, 0};
        if (page == 2) {  // three sent, none readable: a note each
          Result<Page<int>> bad(Page<int>{{}, std::nullopt, 3});
          bad.add_notes({erpbridge::DecodeNote{"data[0]", "expected object, got string", "\"x\""}});
          return bad;
        }
        if (page == 3) return Page<int>{{7}, std::nullopt, 0};
        return Page<int>{};
      },
      1, 3);
  std::vector<int> seen;
  bool noted = false;
  for (const Result<int>& item : range) {
    REQUIRE(item.ok());
    seen.push_back(*item);
    if (*item == 7) noted = !item.notes().empty();  // page 2's note rides on page 3's item
  }
  CHECK(seen == std::vector<int>{1, 2, 3, 7});
  CHECK(noted);
  CHECK(loads == 3);  // page 3 is shorter than the largest page (3): the end
}
