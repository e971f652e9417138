// Exact decimal numbers for money and quantities. Never a double inside.
#pragma once

#include "erpbridge/core/export.hpp"
#include "erpbridge/version.hpp"

#include <cstdint>
#include <string>
#include <string_view>

#include "erpbridge/core/result.hpp"

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {

/// An exact decimal: an integer of up to 38 significant digits and a scale (digits after
/// the point, 0..38), so 100 million with 10 decimals ("100000000.0000000000", 19 digits)
/// fits. It keeps the scale it was written with, so "1310.00" prints back as "1310.00" and
/// "0.0000000000" as "0.0000000000". Nothing is ever rounded: a value out of range is an
/// InvalidArgument error.
class ERPBRIDGE_CORE_EXPORT Decimal {
 public:
  static constexpr int kMaxScale = 38;   ///< Most digits after the point.
  static constexpr int kMaxDigits = 38;  ///< Most significant digits (unscaled < 10^38).

  /// Zero with scale 0.
  Decimal() = default;

  /// Parses "-?digits(.digits)?" with an optional exponent ("1.0E+2", "1e-4"), which is
  /// converted exactly to plain digits (100 and 0.0001: the mantissa's digits are kept).
  /// Rejects signs other than a leading '-', empty text, missing digits around the point,
  /// and values needing more than 38 significant digits or 38 digits after the point, with
  /// an InvalidArgument error that quotes the text.
  static Result<Decimal> parse(std::string_view text);

  /// An integer value with scale 0.
  static Decimal from_integer(std::int64_t value);

  /// The unscaled integer: value = unscaled / 10^scale. Exact only when
  /// unscaled_fits_int64(); otherwise it saturates to INT64_MAX or INT64_MIN. Use
  /// unscaled_digits() for the exact value at any size.
  std::int64_t unscaled() const noexcept;
  /// Whether unscaled() is exact, i.e. the unscaled integer is within the range of int64.
  bool unscaled_fits_int64() const noexcept;
  /// The unscaled integer as decimal text, exact at any size ("-1310.00" gives "-131000");
  /// '-' only when is_negative(), so "-0.00" gives "0".
  std::string unscaled_digits() const;
  /// Digits after the point, as written ("1310.00" has 2).
  int scale() const noexcept { return scale_; }
  /// Below zero ("-0.00" is not).
  bool is_negative() const noexcept { return negative_ && !is_zero(); }
  /// Equal to zero at any scale.
  bool is_zero() const noexcept { return magnitude_high_ == 0 && magnitude_low_ == 0; }

  /// The text with the scale it carries; "-0.00" stays "-0.00".
  std::string to_string() const;

  /// Exact sum with the larger scale of the two; InvalidArgument if it needs more than
  /// kMaxDigits digits. A zero result is never negative.
  Result<Decimal> add(const Decimal& other) const;
  /// Exact difference with the larger scale of the two; InvalidArgument if it needs more
  /// than kMaxDigits digits. A zero result is never negative.
  Result<Decimal> subtract(const Decimal& other) const;
  /// The same value at a larger scale ("1.5" at scale 3 is "1.500"); InvalidArgument if
  /// the scale is smaller than the current one or above kMaxScale, or the digits would
  /// exceed kMaxDigits.
  Result<Decimal> rescale(int new_scale) const;

  /// Numeric comparison: 1.5 == 1.50. Returns <0, 0 or >0.
  int compare(const Decimal& other) const noexcept;
  /// Equal numerically *and* in scale, i.e. prints the same text.
  bool identical(const Decimal& other) const noexcept {
    return magnitude_high_ == other.magnitude_high_ && magnitude_low_ == other.magnitude_low_ &&
           scale_ == other.scale_ && negative_ == other.negative_;
  }

  ///@{
  /// Numeric comparison; the scale is ignored (1.5 == 1.50).
  friend bool operator==(const Decimal& a, const Decimal& b) noexcept { return a.compare(b) == 0; }
  friend bool operator!=(const Decimal& a, const Decimal& b) noexcept { return a.compare(b) != 0; }
  friend bool operator<(const Decimal& a, const Decimal& b) noexcept { return a.compare(b) < 0; }
  friend bool operator>(const Decimal& a, const Decimal& b) noexcept { return a.compare(b) > 0; }
  friend bool operator<=(const Decimal& a, const Decimal& b) noexcept { return a.compare(b) <= 0; }
  friend bool operator>=(const Decimal& a, const Decimal& b) noexcept { return a.compare(b) >= 0; }
  ///@}

 private:
  // add() and subtract(): this + (other with the sign `other_negative`); `symbol` ('+' or
  // '-') names the operation in the error.
  Result<Decimal> add_signed(const Decimal& other, bool other_negative, char symbol) const;

  // The unscaled magnitude, below 10^38, as the high and low 64 bits of a 128-bit integer
  // (two words, not __int128, so this header stays clean under -Wpedantic).
  std::uint64_t magnitude_high_ = 0;
  std::uint64_t magnitude_low_ = 0;
  std::uint8_t scale_ = 0;
  bool negative_ = false;
};

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
