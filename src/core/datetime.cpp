#include "erpbridge/core/datetime.hpp"

#include "core/datetime_text.hpp"

#include <cstdio>

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {
namespace {

bool is_leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

// Days from civil, after Howard Hinnant's public-domain algorithm.
std::int64_t civil_to_days(int y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void days_to_civil(std::int64_t z, int& y, int& m, int& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(yoe + era * 400 + (m <= 2));
}

// Reads exactly `width` digits at `pos`; false if any is not a digit.
bool read_digits(std::string_view text, std::size_t pos, int width, int& out) {
  out = 0;
  for (int i = 0; i < width; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

Error invalid(const char* what, std::string_view text, const std::string& rule) {
  return make_error(ErrorCode::InvalidArgument,
                    std::string("invalid ") + what + " \"" + std::string(text) + "\": " + rule);
}

std::string check_date_parts(int year, int month, int day) {
  if (year < 1 || year > 9999) return "year must be 0001..9999";
  if (month < 1 || month > 12) return "month must be 01..12";
  if (day < 1 || day > days_in_month(year, month)) {
    return "day " + std::to_string(day) + " does not exist in " + std::to_string(year) + "-" +
           (month < 10 ? "0" : "") + std::to_string(month);
  }
  return std::string();
}

std::string check_time_parts(int hour, int minute, int second) {
  if (hour < 0 || hour > 23) return "hour must be 00..23";
  if (minute < 0 || minute > 59) return "minute must be 00..59";
  if (second < 0 || second > 59) return "second must be 00..59";
  return std::string();
}

bool parse_date_fields(std::string_view text, int& y, int& m, int& d) {
  return text.size() >= 10 && read_digits(text, 0, 4, y) && text[4] == '-' &&
         read_digits(text, 5, 2, m) && text[7] == '-' && read_digits(text, 8, 2, d);
}

}  // namespace

Result<Date> Date::parse(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || !parse_date_fields(text, y, m, d)) {
    return invalid("date", text, "expected YYYY-MM-DD");
  }
  std::string rule = check_date_parts(y, m, d);
  if (!rule.empty()) return invalid("date", text, rule);
  return Date(y, m, d);
}

Result<Date> Date::from_parts(int year, int month, int day) {
  std::string rule = check_date_parts(year, month, day);
  if (!rule.empty()) {
    return make_error(ErrorCode::InvalidArgument, "invalid date: " + rule);
  }
  return Date(year, month, day);
}

std::string Date::to_string() const {
  char text[32];
  return std::string(text, internal::date_text(*this, text));
}

std::int64_t Date::days_since_epoch() const noexcept {
  return civil_to_days(year_, month_, day_);
}

Date Date::from_days_since_epoch(std::int64_t days) noexcept {
  int y = 0, m = 0, d = 0;
  days_to_civil(days, y, m, d);
  return Date(y, m, d);
}

Date Date::plus_days(std::int64_t days) const noexcept {
  return from_days_since_epoch(days_since_epoch() + days);
}

Result<DateTime> DateTime::parse(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (text.size() != 19 || !parse_date_fields(text, y, mo, d) || text[10] != ' ' ||
      !read_digits(text, 11, 2, h) || text[13] != ':' || !read_digits(text, 14, 2, mi) ||
      text[16] != ':' || !read_digits(text, 17, 2, s)) {
    return invalid("date-time", text, "expected YYYY-MM-DD HH:MM:SS");
  }
  std::string rule = check_date_parts(y, mo, d);
  if (rule.empty()) rule = check_time_parts(h, mi, s);
  if (!rule.empty()) return invalid("date-time", text, rule);
  return DateTime(Date::from_parts(y, mo, d).value(), h * 3600 + mi * 60 + s);
}

Result<DateTime> DateTime::from_parts(int year, int month, int day, int hour, int minute,
                                      int second) {
  std::string rule = check_date_parts(year, month, day);
  if (rule.empty()) rule = check_time_parts(hour, minute, second);
  if (!rule.empty()) return make_error(ErrorCode::InvalidArgument, "invalid date-time: " + rule);
  return DateTime(Date::from_parts(year, month, day).value(), hour * 3600 + minute * 60 + second);
}

DateTime DateTime::start_of(const Date& date) noexcept {
  return DateTime(date, 0);
}

std::string DateTime::to_string() const {
  char text[48];
  return std::string(text, internal::date_time_text(*this, text));
}

std::int64_t DateTime::seconds_since_epoch() const noexcept {
  return date_.days_since_epoch() * 86400 + seconds_of_day_;
}

DateTime DateTime::from_seconds_since_epoch(std::int64_t seconds) noexcept {
  std::int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
  return DateTime(Date::from_days_since_epoch(days), static_cast<int>(seconds - days * 86400));
}

Timestamp::Timestamp(const DateTime& time) : wall_clock_(time), text_(time.to_string()) {}

const std::string& Timestamp::epoch_text() noexcept {
  static const std::string* text = new std::string("1970-01-01 00:00:00");
  return *text;
}

Timestamp::Timestamp(const Date& date)
    : wall_clock_(DateTime::start_of(date)), has_time_of_day_(false), text_(date.to_string()) {}

Result<Timestamp> Timestamp::parse(std::string_view text) {
  auto refuse = [&](const std::string& rule) { return invalid("timestamp", text, rule); };
  int y = 0, mo = 0, d = 0;
  if (text.size() < 10 || !parse_date_fields(text, y, mo, d)) {
    return refuse("expected YYYY-MM-DD, optionally with a time HH:MM:SS");
  }
  std::string rule = check_date_parts(y, mo, d);
  if (!rule.empty()) return refuse(rule);
  Timestamp result;
  result.text_.assign(text.data(), text.size());
  const Date date = Date::from_parts(y, mo, d).value();
  if (text.size() == 10) {
    result.wall_clock_ = DateTime::start_of(date);
    result.has_time_of_day_ = false;
    return result;
  }
  int h = 0, mi = 0, sec = 0;
  const char separator = text[10];
  if ((separator != ' ' && separator != 'T' && separator != 't') || text.size() < 16 ||
      !read_digits(text, 11, 2, h) || text[13] != ':' || !read_digits(text, 14, 2, mi)) {
    return refuse("expected YYYY-MM-DD HH:MM:SS (or 'T' between date and time)");
  }
  // Seconds may be left out ("2023-03-02 11:25"): minutes-only times read as :00.
  std::size_t pos = 16;
  if (pos < text.size() && text[pos] == ':') {
    if (text.size() < 19 || !read_digits(text, 17, 2, sec)) {
      return refuse("expected YYYY-MM-DD HH:MM:SS (or 'T' between date and time)");
    }
    pos = 19;
  }
  rule = check_time_parts(h, mi, sec);
  if (!rule.empty()) return refuse(rule);
  if (pos == 19 && pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    ++pos;
    int digits = 0;
    std::int32_t nanos = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (++digits > 9) return refuse("more than 9 digits of fractional seconds");
      nanos = nanos * 10 + (text[pos] - '0');
      ++pos;
    }
    if (digits == 0) return refuse("no digit after the decimal point of the seconds");
    for (int i = digits; i < 9; ++i) nanos *= 10;
    result.nanoseconds_ = nanos;
  }
  if (pos < text.size()) {
    const char zone = text[pos];
    if ((zone == 'Z' || zone == 'z') && pos + 1 == text.size()) {
      result.has_offset_ = true;
    } else if ((zone == '+' || zone == '-') && pos + 6 == text.size() && text[pos + 3] == ':') {
      int oh = 0, om = 0;
      if (!read_digits(text, pos + 1, 2, oh) || !read_digits(text, pos + 4, 2, om) || oh > 23 ||
          om > 59) {
        return refuse("the UTC offset must be ±HH:MM");
      }
      result.has_offset_ = true;
      result.offset_minutes_ = static_cast<std::int16_t>((zone == '-' ? -1 : 1) * (oh * 60 + om));
    } else {
      return refuse("unexpected text after the time (a zone is 'Z' or ±HH:MM)");
    }
  }
  result.wall_clock_ = DateTime::from_parts(y, mo, d, h, mi, sec).value();
  return result;
}

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
