// China local wall-clock dates and times as the vendors write them. No time zones.
#pragma once

#include "erpbridge/core/export.hpp"
#include "erpbridge/version.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "erpbridge/core/result.hpp"

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {

/// A calendar date "YYYY-MM-DD" (years 1..9999).
class ERPBRIDGE_CORE_EXPORT Date {
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
class ERPBRIDGE_CORE_EXPORT DateTime {
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

/// A time as a server writes it where its document fixes no format (after-service order
/// times, Kingdee bill dates). Accepts "YYYY-MM-DD HH:MM:SS", a 'T' instead of the space,
/// fractional seconds (up to 9 digits), a trailing 'Z' or "±HH:MM" offset, and a date alone.
/// The wall-clock value is kept as sent (no zone conversion: "…10:00:00+08:00" and
/// "…10:00:00Z" both read 10:00:00), and the text is re-encoded exactly as received.
class ERPBRIDGE_CORE_EXPORT Timestamp {
 public:
  /// 1970-01-01 00:00:00 (cheap: decoders make one before reading into it).
  Timestamp() = default;
  /// `time`, written "YYYY-MM-DD HH:MM:SS".
  Timestamp(const DateTime& time);  // NOLINT implicit: a DateTime is a Timestamp
  /// `date` alone, written "YYYY-MM-DD".
  Timestamp(const Date& date);  // NOLINT implicit: a Date is a Timestamp
  /// Parses any of the forms above; InvalidArgument naming the text and the rule otherwise.
  static Result<Timestamp> parse(std::string_view text);

  /// The wall-clock time to the second (midnight for a date alone).
  const DateTime& wall_clock() const noexcept { return wall_clock_; }
  /// The calendar date.
  Date date() const noexcept { return wall_clock_.date(); }
  /// Whether a time of day was written (false for a date alone).
  bool has_time_of_day() const noexcept { return has_time_of_day_; }
  /// The fraction of the second, in nanoseconds (0 when none was written).
  std::int32_t nanoseconds() const noexcept { return nanoseconds_; }
  /// The offset from UTC as written, in minutes ("Z" is 0); none when no zone was written.
  std::optional<int> utc_offset_minutes() const noexcept {
    return has_offset_ ? std::optional<int>(offset_minutes_) : std::nullopt;
  }
  /// The text as received (or as built from a DateTime or Date).
  const std::string& to_string() const noexcept { return text_.empty() ? epoch_text() : text_; }

  ///@{
  /// Wall-clock order, to the nanosecond; the written offset is not applied.
  friend bool operator==(const Timestamp& a, const Timestamp& b) noexcept {
    return a.wall_clock_ == b.wall_clock_ && a.nanoseconds_ == b.nanoseconds_;
  }
  friend bool operator!=(const Timestamp& a, const Timestamp& b) noexcept { return !(a == b); }
  friend bool operator<(const Timestamp& a, const Timestamp& b) noexcept {
    return a.wall_clock_ < b.wall_clock_ ||
           (a.wall_clock_ == b.wall_clock_ && a.nanoseconds_ < b.nanoseconds_);
  }
  friend bool operator>(const Timestamp& a, const Timestamp& b) noexcept { return b < a; }
  friend bool operator<=(const Timestamp& a, const Timestamp& b) noexcept { return !(b < a); }
  friend bool operator>=(const Timestamp& a, const Timestamp& b) noexcept { return !(a < b); }
  ///@}

 private:
  static const std::string& epoch_text() noexcept;  // the default's text

  DateTime wall_clock_;
  std::int32_t nanoseconds_ = 0;
  std::int16_t offset_minutes_ = 0;
  bool has_offset_ = false;
  bool has_time_of_day_ = true;
  std::string text_;  // empty only in a default-constructed Timestamp
};

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
