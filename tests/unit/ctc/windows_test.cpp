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
constexpr std::chrono::seconds kWeek = 7 * 24h;
}  // namespace

TEST_CASE("Windows: exactly 7 days is one window") {
  auto windows = split_windows(Direction::In, at("2020-05-20 20:40:23"), at("2020-05-27 20:40:23"));
  REQUIRE(windows.ok());
  REQUIRE(windows->size() == 1);
  CHECK((*windows)[0].start == at("2020-05-20 20:40:23"));
  CHECK((*windows)[0].end == at("2020-05-27 20:40:23"));
  CHECK(validate((*windows)[0]).ok());
}

TEST_CASE("Windows: 7 days and 1 second is two") {
  auto windows =
      split_windows(Direction::Out, at("2020-05-20 00:00:00"), at("2020-05-27 00:00:01"));
  REQUIRE(windows->size() == 2);
  CHECK((*windows)[0].end == at("2020-05-27 00:00:00"));
  CHECK((*windows)[1].start == at("2020-05-27 00:00:01"));
  CHECK((*windows)[1].end == at("2020-05-27 00:00:01"));
  CHECK((*windows)[1].direction == Direction::Out);
}

TEST_CASE("Windows: 90 days is 13 contiguous windows of at most 7 days") {
  const DateTime from = at("2020-03-01 00:00:00");
  const DateTime to = from + 90 * 24h;
  auto windows = split_windows(Direction::In, from, to);
  REQUIRE(windows->size() == 13);
  CHECK(windows->front().start == from);
  CHECK(windows->back().end == to);
  for (std::size_t i = 0; i < windows->size(); ++i) {
    INFO(i);
    CHECK(validate((*windows)[i]).ok());
    CHECK((*windows)[i].end - (*windows)[i].start <= kWeek);
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

TEST_CASE("One query: over 7 days or backwards is InvalidArgument naming both times") {
  ReceiptQuery too_long{Direction::In, at("2020-05-20 00:00:00"), at("2020-05-27 00:00:01")};
  auto result = validate(too_long);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::InvalidArgument);
  CHECK(result.error().message.find("inputtime_s 2020-05-20 00:00:00") != std::string::npos);
  CHECK(result.error().message.find("inputtime_e 2020-05-27 00:00:01") != std::string::npos);
  ReceiptQuery backwards{Direction::In, at("2020-05-20 00:00:01"), at("2020-05-20 00:00:00")};
  CHECK(validate(backwards).error().code == ErrorCode::InvalidArgument);
}
