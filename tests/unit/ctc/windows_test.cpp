#include <catch2/catch.hpp>

#include "erpbridge/ctc/types.hpp"

using erpbridge::DateTime;
using erpbridge::ErrorCode;
using namespace erpbridge::ctc;
using namespace std::chrono_literals;

namespace {
DateTime at(const char* text) {
  return DateTime::parse(text).value();
}
}  // namespace

TEST_CASE("Windows: exactly 7 days is one window") {
  auto windows = split_windows(Direction::In, at("2020-05-20 20:40:23"), at("2020-05-27 20:40:23"));
  REQUIRE(windows.ok());
  REQUIRE(windows->size() == 1);
  CHECK((*windows)[0].start == at("2020-05-20 20:40:23"));
  CHECK((*windows)[0].end == at("2020-05-27 20:40:23"));
  CHECK(validate((*windows)[0]).ok());
}

TEST_CASE("Windows: up to the 7th calendar day's last second is one window, then two") {
  // The document's own example: 7 days and 8 minutes, one request.
  auto example = split_windows(Direction::In, at("2020-05-20 20:40:23"), at("2020-05-27 20:49:12"));
  REQUIRE(example->size() == 1);
  auto last_second =
      split_windows(Direction::In, at("2020-05-20 00:00:00"), at("2020-05-27 23:59:59"));
  REQUIRE(last_second->size() == 1);
  auto windows =
      split_windows(Direction::Out, at("2020-05-20 20:40:23"), at("2020-05-28 00:00:00"));
  REQUIRE(windows->size() == 2);
  CHECK((*windows)[0].end == at("2020-05-27 23:59:59"));
  CHECK((*windows)[1].start == at("2020-05-28 00:00:00"));
  CHECK((*windows)[1].end == at("2020-05-28 00:00:00"));
  CHECK((*windows)[1].direction == Direction::Out);
}

TEST_CASE("Windows: 90 days is 12 contiguous windows of at most 7 calendar days") {
  const DateTime from = at("2020-03-01 00:00:00");
  const DateTime to = from + 90 * 24h;  // 2020-05-30 00:00:00
  auto windows = split_windows(Direction::In, from, to);
  // 8 dates a window: 03-01..03-08, 03-09..03-16, ... the 12th holds 05-28..05-30.
  REQUIRE(windows->size() == 12);
  CHECK(windows->front().start == from);
  CHECK(windows->front().end == at("2020-03-08 23:59:59"));
  CHECK(windows->back().start == at("2020-05-28 00:00:00"));
  CHECK(windows->back().end == to);
  for (std::size_t i = 0; i < windows->size(); ++i) {
    INFO(i);
    CHECK(validate((*windows)[i]).ok());
    CHECK((*windows)[i].end - (*windows)[i].start < 8 * 24h);
    if (i > 0) CHECK((*windows)[i].start == (*windows)[i - 1].end + 1s);  // no gap, no overlap
  }
}

TEST_CASE("Windows: start == end is one window; end < start is InvalidArgument") {
  auto single = split_windows(Direction::In, at("2020-05-20 10:00:00"), at("2020-05-20 10:00:00"));
  REQUIRE(single->size() == 1);
  auto backwards =
      split_windows(Direction::In, at("2020-05-21 00:00:00"), at("2020-05-20 00:00:00"));
  REQUIRE_FALSE(backwards.ok());
  CHECK(backwards.error().code == ErrorCode::InvalidArgument);
  CHECK(backwards.error().message.find("2020-05-21 00:00:00") != std::string::npos);
  CHECK(backwards.error().message.find("2020-05-20 00:00:00") != std::string::npos);
}

TEST_CASE("One query: 7 calendar days; more, or backwards, is InvalidArgument naming both") {
  // The document's example request is sent unchanged.
  CHECK(validate({Direction::In, at("2020-05-20 20:40:23"), at("2020-05-27 20:49:12")}).ok());
  CHECK(validate({Direction::In, at("2020-05-20 00:00:00"), at("2020-05-27 23:59:59")}).ok());
  ReceiptQuery too_long{Direction::In, at("2020-05-20 23:59:59"), at("2020-05-28 00:00:00")};
  auto result = validate(too_long);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::InvalidArgument);
  CHECK(result.error().message.find("inputtime_s 2020-05-20 23:59:59") != std::string::npos);
  CHECK(result.error().message.find("inputtime_e 2020-05-28 00:00:00") != std::string::npos);
  ReceiptQuery backwards{Direction::In, at("2020-05-20 00:00:01"), at("2020-05-20 00:00:00")};
  CHECK(validate(backwards).error().code == ErrorCode::InvalidArgument);
}
