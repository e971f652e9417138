#include <catch2/catch.hpp>

#include "erpbridge/core/datetime.hpp"

using erpbridge::Date;
using erpbridge::DateTime;
using erpbridge::ErrorCode;
using erpbridge::Result;
using namespace std::chrono_literals;

namespace {
DateTime at(const char* text) {
  return DateTime::parse(text).value();
}
}  // namespace

TEST_CASE("DateTime parses and formats the vendors' wall-clock text") {
  DateTime t = at("2020-05-27 20:40:23");
  CHECK(t.date().year() == 2020);
  CHECK(t.date().month() == 5);
  CHECK(t.date().day() == 27);
  CHECK(t.hour() == 20);
  CHECK(t.minute() == 40);
  CHECK(t.second() == 23);
  CHECK(t.to_string() == "2020-05-27 20:40:23");
  CHECK(Date::parse("2023-03-02")->to_string() == "2023-03-02");
}

TEST_CASE("Leap years and impossible dates") {
  CHECK(Date::parse("2024-02-29").ok());
  CHECK(Date::parse("2000-02-29").ok());
  for (const char* text : {"2023-02-29", "1900-02-29", "2023-04-31", "2023-13-01", "2023-00-10",
                           "2023-01-00", "2023-1-01", "20230101", "", "2023-01-01 "}) {
    INFO(text);
    Result<Date> parsed = Date::parse(text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == ErrorCode::InvalidArgument);
    CHECK(parsed.error().message.find(text) != std::string::npos);
  }
  for (const char* text : {"2023-02-29 10:00:00", "2023-01-01 24:00:00", "2023-01-01 23:60:00",
                           "2023-01-01 23:59:60", "2023-01-01T10:00:00", "2023-01-01 10:00"}) {
    INFO(text);
    CHECK_FALSE(DateTime::parse(text).ok());
  }
  CHECK(DateTime::parse("2024-02-29 23:59:59").ok());
  CHECK(Date::parse("2023-02-29").error().message.find("does not exist") != std::string::npos);
}

TEST_CASE("DateTime arithmetic crosses month and year ends") {
  CHECK((at("2023-12-31 23:59:59") + 1s).to_string() == "2024-01-01 00:00:00");
  CHECK((at("2024-02-28 12:00:00") + 24h).to_string() == "2024-02-29 12:00:00");
  CHECK((at("2023-02-28 12:00:00") + 24h).to_string() == "2023-03-01 12:00:00");
  CHECK((at("2024-01-01 00:00:00") - 1s).to_string() == "2023-12-31 23:59:59");
  CHECK((at("2020-05-20 20:40:23") + std::chrono::hours(24 * 7)).to_string() ==
        "2020-05-27 20:40:23");
  CHECK(at("2020-05-27 20:49:12") - at("2020-05-20 20:40:23") ==
        std::chrono::seconds(7 * 86400 + 8 * 60 + 49));
  CHECK(Date::parse("2023-12-31")->plus_days(1).to_string() == "2024-01-01");
  CHECK(Date::parse("2024-03-01")->plus_days(-1).to_string() == "2024-02-29");
  CHECK((at("1969-12-31 23:59:59") + 1s).to_string() == "1970-01-01 00:00:00");
  CHECK(at("0001-01-01 00:00:00").to_string() == "0001-01-01 00:00:00");
  CHECK(at("9999-12-31 23:59:59").to_string() == "9999-12-31 23:59:59");
  // Past four digits of year the text simply grows.
  CHECK((at("9999-12-31 23:59:59") + 1s).to_string() == "10000-01-01 00:00:00");
  CHECK(Date::parse("9999-12-31")->plus_days(1).to_string() == "10000-01-01");
}

TEST_CASE("DateTime compares in time order") {
  CHECK(at("2020-05-27 20:40:23") < at("2020-05-27 20:49:12"));
  CHECK(at("2020-05-27 20:40:23") == at("2020-05-27 20:40:23"));
  CHECK(at("2021-01-01 00:00:00") > at("2020-12-31 23:59:59"));
  CHECK(Date::parse("2023-03-02").value() < Date::parse("2023-03-10").value());
  CHECK(DateTime::start_of(Date::parse("2023-03-02").value()).to_string() == "2023-03-02 00:00:00");
  CHECK_FALSE(DateTime::from_parts(2023, 2, 29, 0, 0, 0).ok());
  CHECK(DateTime::from_parts(2023, 3, 1, 23, 59, 59)->to_string() == "2023-03-01 23:59:59");
}

TEST_CASE("Timestamp reads the time forms servers send and writes back the text received") {
  using erpbridge::Timestamp;
  struct Case {
    const char* text;
    const char* wall_clock;
    int nanoseconds;
    std::optional<int> offset;
    bool time_of_day;
  };
  // Expected values written by hand: the wall clock as sent, never shifted by the offset.
  const Case cases[] = {
      {"2023-03-06 15:06:04", "2023-03-06 15:06:04", 0, std::nullopt, true},
      {"2023-03-06T15:06:04", "2023-03-06 15:06:04", 0, std::nullopt, true},
      {"2023-03-06T15:06:04.5", "2023-03-06 15:06:04", 500000000, std::nullopt, true},
      {"2023-03-06 15:06:04.123456789", "2023-03-06 15:06:04", 123456789, std::nullopt, true},
      {"2023-03-06T15:06:04Z", "2023-03-06 15:06:04", 0, 0, true},
      {"2023-03-06T15:06:04.250+08:00", "2023-03-06 15:06:04", 250000000, 480, true},
      {"2023-03-06T23:59:59-05:30", "2023-03-06 23:59:59", 0, -330, true},
      {"2023-03-06", "2023-03-06 00:00:00", 0, std::nullopt, false},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto parsed = Timestamp::parse(c.text);
    REQUIRE(parsed.ok());
    CHECK(parsed->to_string() == c.text);
    CHECK(parsed->wall_clock().to_string() == c.wall_clock);
    CHECK(parsed->nanoseconds() == c.nanoseconds);
    CHECK(parsed->utc_offset_minutes() == c.offset);
    CHECK(parsed->has_time_of_day() == c.time_of_day);
  }
  for (const char* bad :
       {"", "2023-3-6", "2023-03-06 15:6", "2023-03-06X15:06:04", "2023-03-06 15:06:4",
        "2023-03-06T15:06:04.", "2023-03-06T15:06:04+8", "2023-02-29", "2023-03-06T24:00:00",
        "2023-03-06T15:06:04.1234567890", "yesterday", "2023-03-06T15:06:04+08:00x"}) {
    INFO(bad);
    auto parsed = Timestamp::parse(bad);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == erpbridge::ErrorCode::InvalidArgument);
  }
  // Minutes only: read as :00, written back as received.
  auto minutes = Timestamp::parse("2023-03-06 15:06");
  REQUIRE(minutes.ok());
  CHECK(minutes->wall_clock().to_string() == "2023-03-06 15:06:00");
  CHECK(minutes->to_string() == "2023-03-06 15:06");
  auto minutes_zone = Timestamp::parse("2023-03-06T15:06+08:00");
  REQUIRE(minutes_zone.ok());
  CHECK(minutes_zone->utc_offset_minutes() == std::optional<int>(480));
  const auto time = erpbridge::DateTime::parse("2020-05-27 20:40:23").value();
  CHECK(Timestamp(time).to_string() == "2020-05-27 20:40:23");
  CHECK(Timestamp(time.date()).to_string() == "2020-05-27");
  CHECK(Timestamp::parse("2020-05-27T20:40:23Z").value() == Timestamp(time));
  CHECK(Timestamp::parse("2020-05-27T20:40:23.1").value() > Timestamp(time));
}
