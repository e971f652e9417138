#include <catch2/catch.hpp>

#include <random>
#include <string>

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

TEST_CASE("Windows: at most 7 x 24 h each, sharing their boundary second") {
  // The document's own example request is 7 days and 8 minutes: the SDK's windows never
  // are (a strict server refuses them), so it is two windows here.
  auto example = split_windows(Direction::In, at("2020-05-20 20:40:23"), at("2020-05-27 20:49:12"));
  REQUIRE(example->size() == 2);
  CHECK((*example)[0].start == at("2020-05-20 20:40:23"));
  CHECK((*example)[0].end == at("2020-05-27 20:40:23"));
  CHECK((*example)[1].start == at("2020-05-27 20:40:23"));
  CHECK((*example)[1].end == at("2020-05-27 20:49:12"));
  auto one_second_more =
      split_windows(Direction::Out, at("2020-05-20 00:00:00"), at("2020-05-27 00:00:01"));
  REQUIRE(one_second_more->size() == 2);
  CHECK((*one_second_more)[0].end == at("2020-05-27 00:00:00"));
  CHECK((*one_second_more)[1].start == at("2020-05-27 00:00:00"));
  CHECK((*one_second_more)[1].end == at("2020-05-27 00:00:01"));
  CHECK((*one_second_more)[1].direction == Direction::Out);
}

TEST_CASE("Windows: 19 and 90 days, hand-counted") {
  // 19 days: 7 + 7 + 5 days.
  auto nineteen =
      split_windows(Direction::In, at("2026-11-01 08:30:00"), at("2026-11-20 08:30:00"));
  REQUIRE(nineteen->size() == 3);
  CHECK((*nineteen)[0].end == at("2026-11-08 08:30:00"));
  CHECK((*nineteen)[1].start == at("2026-11-08 08:30:00"));
  CHECK((*nineteen)[1].end == at("2026-11-15 08:30:00"));
  CHECK((*nineteen)[2].start == at("2026-11-15 08:30:00"));
  CHECK((*nineteen)[2].end == at("2026-11-20 08:30:00"));

  // 90 days from 2020-03-01: 12 windows of 7 days and one of 6 days.
  const DateTime from = at("2020-03-01 00:00:00");
  const DateTime to = at("2020-05-30 00:00:00");
  auto windows = split_windows(Direction::In, from, to);
  REQUIRE(windows->size() == 13);
  CHECK(windows->front().start == from);
  CHECK(windows->front().end == at("2020-03-08 00:00:00"));
  CHECK((*windows)[11].end == at("2020-05-24 00:00:00"));
  CHECK(windows->back().start == at("2020-05-24 00:00:00"));
  CHECK(windows->back().end == to);
  for (std::size_t i = 0; i < windows->size(); ++i) {
    INFO(i);
    CHECK(validate((*windows)[i]).ok());
    CHECK((*windows)[i].end - (*windows)[i].start <= std::chrono::seconds(604800));
    if (i > 0) CHECK((*windows)[i].start == (*windows)[i - 1].end);  // shared second, no gap
  }
}

TEST_CASE("Windows: start == end is one window, end < start is InvalidArgument") {
  auto single = split_windows(Direction::In, at("2020-05-20 10:00:00"), at("2020-05-20 10:00:00"));
  REQUIRE(single->size() == 1);
  auto backwards =
      split_windows(Direction::In, at("2020-05-21 00:00:00"), at("2020-05-20 00:00:00"));
  REQUIRE_FALSE(backwards.ok());
  CHECK(backwards.error().code == ErrorCode::InvalidArgument);
  CHECK(backwards.error().message.find("2020-05-21 00:00:00") != std::string::npos);
  CHECK(backwards.error().message.find("2020-05-20 00:00:00") != std::string::npos);
}

TEST_CASE("One query: 7 calendar days, more, or backwards, is InvalidArgument naming both") {
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

namespace {
// Seconds since 1970 of "YYYY-MM-DD HH:MM:SS", counted here (not with the SDK's DateTime):
// the oracle for the 7 x 24 h rule.
long long seconds_of(const std::string& text) {
  const int y = std::stoi(text.substr(0, 4)), m = std::stoi(text.substr(5, 2));
  const int d = std::stoi(text.substr(8, 2));
  const int hh = std::stoi(text.substr(11, 2)), mm = std::stoi(text.substr(14, 2));
  const int ss = std::stoi(text.substr(17, 2));
  static const int kDaysBefore[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  long long days = 0;
  for (int year = 1970; year < y; ++year) {
    days += (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 366 : 365;
  }
  days += kDaysBefore[m - 1] + d - 1;
  if (m > 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ++days;
  return days * 86400 + hh * 3600 + mm * 60 + ss;
}
}  // namespace

TEST_CASE("Windows: 2,000 random ranges, each window within 7 x 24 h by our own count") {
  std::mt19937 random(20261206);
  const DateTime origin = at("2019-12-25 00:00:00");
  for (int run = 0; run < 2000; ++run) {
    const DateTime from = origin + std::chrono::seconds(random() % (400LL * 86400));
    const DateTime to = from + std::chrono::seconds(random() % (120LL * 86400));
    auto windows = split_windows(Direction::In, from, to);
    REQUIRE(windows.ok());
    INFO(from.to_string() << " .. " << to.to_string());
    REQUIRE_FALSE(windows->empty());
    CHECK(windows->front().start == from);
    CHECK(windows->back().end == to);
    for (std::size_t i = 0; i < windows->size(); ++i) {
      const long long span =
          seconds_of((*windows)[i].end.to_string()) - seconds_of((*windows)[i].start.to_string());
      CHECK(span >= 0);
      CHECK(span <= 604800);
      if (i > 0) CHECK((*windows)[i].start == (*windows)[i - 1].end);
      if (i + 1 < windows->size()) CHECK(span == 604800);  // no more windows than needed
    }
  }
}
