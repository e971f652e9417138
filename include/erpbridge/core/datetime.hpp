// China local wall-clock dates and times as the vendors write them. No time zones.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "erpbridge/core/result.hpp"

namespace erpbridge {

/// A calendar date "YYYY-MM-DD" (years 1..9999).
class Date {
 public:
  /// 1970-01-01.
  Date() = default;
  /// Parses exactly "YYYY-MM-DD"; impossible dates (2023-02-29) are InvalidArgument.
  static Result<Date> parse(std::string_view text);
  /// Builds a date from parts; InvalidArgument when it does not exist.
  static Result<Date> from_parts(int year, int month, int day);

  ///@{
  /// The year (1..9999), month (1..12) and day of the month.
  int year() const noexcept { return year_; }
  int month() const noexcept { return month_; }
  int day() const noexcept { return day_; }
  ///@}

  /// "YYYY-MM-DD".
  std::string to_string() const;
  /// Days since 1970-01-01 (negative before).
  std::int64_t days_since_epoch() const noexcept;
  /// The date `days` after 1970-01-01.
  static Date from_days_since_epoch(std::int64_t days) noexcept;

  /// The date `days` later (earlier when negative).
  Date plus_days(std::int64_t days) const noexcept;

  ///@{
  /// Calendar order.
  friend bool operator==(const Date& a, const Date& b) noexcept { return a.key() == b.key(); }
  friend bool operator!=(const Date& a, const Date& b) noexcept { return a.key() != b.key(); }
  friend bool operator<(const Date& a, const Date& b) noexcept { return a.key() < b.key(); }
  friend bool operator>(const Date& a, const Date& b) noexcept { return a.key() > b.key(); }
  friend bool operator<=(const Date& a, const Date& b) noexcept { return a.key() <= b.key(); }
  friend bool operator>=(const Date& a, const Date& b) noexcept { return a.key() >= b.key(); }
  ///@}

 private:
  Date(int y, int m, int d) : year_(y), month_(m), day_(d) {}
  int key() const noexcept { return year_ * 10000 + month_ * 100 + day_; }

  int year_ = 1970;
  int month_ = 1;
  int day_ = 1;
};

/// A wall-clock time "YYYY-MM-DD HH:MM:SS" in China local time, to the second.
class DateTime {
 public:
  /// 1970-01-01 00:00:00.
  DateTime() = default;
  /// Parses exactly "YYYY-MM-DD HH:MM:SS"; 24:00:00, 2023-02-29 ... are InvalidArgument.
  static Result<DateTime> parse(std::string_view text);
  /// Builds a time from parts; InvalidArgument when it does not exist.
  static Result<DateTime> from_parts(int year, int month, int day, int hour, int minute,
                                     int second);
  /// Midnight at the start of `date`.
  static DateTime start_of(const Date& date) noexcept;

  ///@{
  /// The calendar date, and the hour (0..23), minute and second (0..59) of the day.
  Date date() const noexcept { return date_; }
  int hour() const noexcept { return seconds_of_day_ / 3600; }
  int minute() const noexcept { return seconds_of_day_ / 60 % 60; }
  int second() const noexcept { return seconds_of_day_ % 60; }
  ///@}

  /// "YYYY-MM-DD HH:MM:SS".
  std::string to_string() const;
  /// Seconds since 1970-01-01 00:00:00 of the same wall clock (no zone applied).
  std::int64_t seconds_since_epoch() const noexcept;
  /// The time `seconds` after 1970-01-01 00:00:00 of the same wall clock.
  static DateTime from_seconds_since_epoch(std::int64_t seconds) noexcept;

  ///@{
  /// Wall-clock arithmetic in seconds, across month and year ends.
  friend DateTime operator+(const DateTime& t, std::chrono::seconds d) noexcept {
    return from_seconds_since_epoch(t.seconds_since_epoch() + d.count());
  }
  friend DateTime operator-(const DateTime& t, std::chrono::seconds d) noexcept {
    return from_seconds_since_epoch(t.seconds_since_epoch() - d.count());
  }
  friend std::chrono::seconds operator-(const DateTime& a, const DateTime& b) noexcept {
    return std::chrono::seconds(a.seconds_since_epoch() - b.seconds_since_epoch());
  }
  ///@}

  ///@{
  /// Time order.
  friend bool operator==(const DateTime& a, const DateTime& b) noexcept {
    return a.seconds_since_epoch() == b.seconds_since_epoch();
  }
  friend bool operator!=(const DateTime& a, const DateTime& b) noexcept { return !(a == b); }
  friend bool operator<(const DateTime& a, const DateTime& b) noexcept {
    return a.seconds_since_epoch() < b.seconds_since_epoch();
  }
  friend bool operator>(const DateTime& a, const DateTime& b) noexcept { return b < a; }
  friend bool operator<=(const DateTime& a, const DateTime& b) noexcept { return !(b < a); }
  friend bool operator>=(const DateTime& a, const DateTime& b) noexcept { return !(a < b); }
  ///@}

 private:
  DateTime(Date date, int seconds_of_day) : date_(date), seconds_of_day_(seconds_of_day) {}

  Date date_;
  int seconds_of_day_ = 0;
};

}  // namespace erpbridge
