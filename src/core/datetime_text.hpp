// Dates and date-times as text in a caller's buffer. Date::to_string and DateTime::to_string
// are made of these, and the JSON encoder writes times with them directly: a date-time's 19
// characters are past std::string's inline capacity, so a string would cost an allocation
// per time field of every request.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdio>

#include "erpbridge/core/datetime.hpp"

namespace erpbridge::internal {

// `width` decimal digits of 0 <= value < 10^width, zero-padded (snprintf costs more than a
// typed call's own work).
inline void put_digits(char* out, int value, int width) noexcept {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

/// `date` as "YYYY-MM-DD" (a year past four digits as printf's %04d has it); its length.
inline std::size_t date_text(const Date& date, char (&out)[32]) noexcept {
  if (date.year() < 0 || date.year() > 9999) {
    const int written =
        std::snprintf(out, sizeof out, "%04d-%02d-%02d", date.year(), date.month(), date.day());
    // What fitted (a valid month and day make at most 17 characters of any int year).
    return written <= 0 ? 0 : std::min(static_cast<std::size_t>(written), sizeof out - 1);
  }
  put_digits(out, date.year(), 4);
  out[4] = '-';
  put_digits(out + 5, date.month(), 2);
  out[7] = '-';
  put_digits(out + 8, date.day(), 2);
  return 10;
}

/// `time` as "YYYY-MM-DD HH:MM:SS"; its length.
inline std::size_t date_time_text(const DateTime& time, char (&out)[48]) noexcept {
  char date[32];
  const std::size_t length = date_text(time.date(), date);
  for (std::size_t i = 0; i < length; ++i) out[i] = date[i];
  char* clock = out + length;
  clock[0] = ' ';
  put_digits(clock + 1, time.hour(), 2);
  clock[3] = ':';
  put_digits(clock + 4, time.minute(), 2);
  clock[6] = ':';
  put_digits(clock + 7, time.second(), 2);
  return length + 9;
}

}  // namespace erpbridge::internal
