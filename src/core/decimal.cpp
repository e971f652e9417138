#include "erpbridge/core/decimal.hpp"

#include <algorithm>
#include <limits>

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {
namespace {

// The magnitude's arithmetic type. The header stores it as two words so that users'
// -Wpedantic builds never see __int128.
__extension__ using u128 = unsigned __int128;

constexpr int kWordBits = 64;
constexpr u128 kU128Max = ~static_cast<u128>(0);

// 10^0 .. 10^38. 10^38 still fits in 128 bits (2^128 is about 3.4 * 10^38), 10^39 does not.
struct PowersOfTen {
  u128 value[Decimal::kMaxDigits + 1];
};
constexpr PowersOfTen make_powers_of_ten() {
  PowersOfTen powers{};
  powers.value[0] = 1;
  for (int i = 1; i <= Decimal::kMaxDigits; ++i) powers.value[i] = powers.value[i - 1] * 10;
  return powers;
}
constexpr PowersOfTen kPowersOfTen = make_powers_of_ten();
static_assert(kPowersOfTen.value[Decimal::kMaxDigits] /
                      kPowersOfTen.value[Decimal::kMaxDigits - 1] ==
                  10,
              "10^kMaxDigits must fit in 128 bits");
static_assert(Decimal::kMaxScale <= Decimal::kMaxDigits,
              "scale differences index the powers of ten");

// The largest magnitude: 38 nines.
constexpr u128 kMaxMagnitude = kPowersOfTen.value[Decimal::kMaxDigits] - 1;

// 10^19, the largest power of ten below 2^64: printing splits the magnitude at it.
constexpr std::uint64_t kTenToThe19 = 10000000000000000000ULL;

u128 join_words(std::uint64_t high, std::uint64_t low) {
  return (static_cast<u128>(high) << kWordBits) | low;
}

void split_words(u128 value, std::uint64_t& high, std::uint64_t& low) {
  high = static_cast<std::uint64_t>(value >> kWordBits);
  low = static_cast<std::uint64_t>(value);
}

// magnitude * 10^exponent into `scaled`; false if that does not fit in 128 bits (callers that
// need kMaxDigits check the limit themselves).
bool scale_up(u128 magnitude, int exponent, u128& scaled) {
  if (magnitude == 0) {
    scaled = 0;
    return true;
  }
  if (exponent > Decimal::kMaxDigits) return false;  // 10^39 alone exceeds 128 bits
  const u128 factor = kPowersOfTen.value[exponent];
  if (magnitude > kU128Max / factor) return false;
  scaled = magnitude * factor;
  return true;
}

std::string digits_of(u128 value) {
  if (value <= std::numeric_limits<std::uint64_t>::max()) {
    return std::to_string(static_cast<std::uint64_t>(value));
  }
  // One 128-bit division: below 10^38 the quotient by 10^19 fits in 64 bits.
  std::string digits = std::to_string(static_cast<std::uint64_t>(value / kTenToThe19));
  const std::string low = std::to_string(static_cast<std::uint64_t>(value % kTenToThe19));
  digits.append(19 - low.size(), '0');
  digits += low;
  return digits;
}

Error invalid(std::string_view text, const std::string& rule) {
  return make_error(ErrorCode::InvalidArgument,
                    "invalid decimal \"" + std::string(text) + "\": " + rule);
}

}  // namespace

Result<Decimal> Decimal::parse(std::string_view text) {
  if (text.empty()) return invalid(text, "empty text");
  std::size_t pos = 0;
  bool negative = false;
  if (text[0] == '-') {
    negative = true;
    pos = 1;
  }
  u128 magnitude = 0;
  int significant = 0;
  int int_digits = 0;
  int scale = 0;
  bool seen_point = false;
  for (; pos < text.size(); ++pos) {
    char c = text[pos];
    if (c == '.') {
      if (seen_point) return invalid(text, "more than one decimal point");
      if (int_digits == 0) return invalid(text, "no digit before the decimal point");
      seen_point = true;
      continue;
    }
    if (c == 'e' || c == 'E') break;  // the exponent, read below
    if (c < '0' || c > '9') {
      return invalid(text, "only digits, one '.', a leading '-' and an exponent are allowed");
    }
    if (seen_point) {
      if (++scale > kMaxScale) {
        return invalid(text, "more than " + std::to_string(kMaxScale) + " digits after the point");
      }
    } else {
      ++int_digits;
    }
    if (magnitude != 0 || c != '0') ++significant;
    if (significant > kMaxDigits) {
      return invalid(text, "more than " + std::to_string(kMaxDigits) + " significant digits");
    }
    // At most kMaxDigits significant digits, so this stays below 10^38.
    magnitude = magnitude * 10 + static_cast<unsigned>(c - '0');
  }
  if (int_digits == 0) return invalid(text, "no digits");
  if (seen_point && scale == 0) return invalid(text, "no digit after the decimal point");
  if (pos < text.size()) {
    // "1.0E+2", "1e-4": the value is converted exactly to plain digits. The result keeps the
    // mantissa's digits: 1.0E+2 is 100, 1.50E+1 is 15.0, 1e-4 is 0.0001.
    ++pos;  // the 'e'
    bool exponent_negative = false;
    if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
      exponent_negative = text[pos] == '-';
      ++pos;
    }
    if (pos == text.size()) return invalid(text, "no digit in the exponent");
    int exponent = 0;
    for (; pos < text.size(); ++pos) {
      const char c = text[pos];
      if (c < '0' || c > '9') return invalid(text, "only digits are allowed in the exponent");
      if (exponent > 1000) continue;  // out of range anyway; keep reading to check the text
      exponent = exponent * 10 + (c - '0');
    }
    if (exponent_negative) exponent = -exponent;
    const int new_scale = scale - exponent;
    if (new_scale > kMaxScale) {
      return invalid(
          text, "out of range: more than " + std::to_string(kMaxScale) + " digits after the point");
    }
    if (new_scale < 0) {
      u128 shifted = 0;
      if (!scale_up(magnitude, -new_scale, shifted) || shifted > kMaxMagnitude) {
        return invalid(
            text, "out of range: more than " + std::to_string(kMaxDigits) + " significant digits");
      }
      magnitude = shifted;
      scale = 0;
    } else {
      scale = new_scale;
    }
  }
  Decimal result;
  split_words(magnitude, result.magnitude_high_, result.magnitude_low_);
  result.scale_ = static_cast<std::uint8_t>(scale);
  result.negative_ = negative;
  return result;
}

Decimal Decimal::from_integer(std::int64_t value) {
  Decimal result;
  result.negative_ = value < 0;
  // Negate in unsigned arithmetic so INT64_MIN does not overflow.
  result.magnitude_low_ =
      value < 0 ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
  return result;
}

std::int64_t Decimal::unscaled() const noexcept {
  if (!unscaled_fits_int64()) {
    return negative_ ? std::numeric_limits<std::int64_t>::min()
                     : std::numeric_limits<std::int64_t>::max();
  }
  // Fits, so the magnitude is in the low word; negating in unsigned arithmetic keeps
  // INT64_MIN (magnitude 2^63) defined.
  return static_cast<std::int64_t>(negative_ ? 0 - magnitude_low_ : magnitude_low_);
}

bool Decimal::unscaled_fits_int64() const noexcept {
  constexpr std::uint64_t kInt64Max =
      static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (magnitude_high_ != 0) return false;
  return negative_ ? magnitude_low_ <= kInt64Max + 1 : magnitude_low_ <= kInt64Max;
}

std::string Decimal::unscaled_digits() const {
  std::string digits = digits_of(join_words(magnitude_high_, magnitude_low_));
  if (is_negative()) digits.insert(0, 1, '-');
  return digits;
}

std::string Decimal::to_string() const {
  std::string digits = digits_of(join_words(magnitude_high_, magnitude_low_));
  if (digits.size() <= scale_) digits.insert(0, scale_ + 1 - digits.size(), '0');
  if (scale_ > 0) digits.insert(digits.size() - scale_, 1, '.');
  if (negative_) digits.insert(0, 1, '-');
  return digits;
}

Result<Decimal> Decimal::add_signed(const Decimal& other, bool other_negative, char symbol) const {
  const int scale = std::max<int>(scale_, other.scale_);
  // Aligned to the common scale, a magnitude may exceed 38 digits (or even 128 bits) while the
  // result still fits, e.g. 10^37 - 9999999999999999999999999999999999999.9 = 0.1: the checks
  // below are on the result, except where the result cannot fit.
  u128 mine = 0;
  u128 theirs = 0;
  const bool mine_fits =
      scale_up(join_words(magnitude_high_, magnitude_low_), scale - scale_, mine);
  const bool theirs_fits = scale_up(join_words(other.magnitude_high_, other.magnitude_low_),
                                    scale - other.scale_, theirs);
  u128 magnitude = 0;
  bool negative = false;
  // Only the operand with the smaller scale is scaled up, and the other one is below 10^38:
  // an operand beyond 128 bits (about 3.4 * 10^38) leaves a result beyond 10^38 either way.
  bool overflow = !mine_fits || !theirs_fits;
  if (!overflow) {
    if (negative_ == other_negative) {
      overflow = mine > kMaxMagnitude || theirs > kMaxMagnitude - mine;
      magnitude = mine + theirs;
      negative = negative_;
    } else if (mine >= theirs) {
      magnitude = mine - theirs;
      negative = negative_;
    } else {
      magnitude = theirs - mine;
      negative = other_negative;
    }
    overflow = overflow || magnitude > kMaxMagnitude;
  }
  if (overflow) {
    return make_error(ErrorCode::InvalidArgument,
                      "decimal " + to_string() + " " + symbol + " " + other.to_string() +
                          " exceeds " + std::to_string(kMaxDigits) + " significant digits");
  }
  Decimal result;
  split_words(magnitude, result.magnitude_high_, result.magnitude_low_);
  result.scale_ = static_cast<std::uint8_t>(scale);
  result.negative_ = negative && magnitude != 0;  // 3.5 + -3.5 is "0.0", not "-0.0"
  return result;
}

Result<Decimal> Decimal::add(const Decimal& other) const {
  return add_signed(other, other.negative_, '+');
}

Result<Decimal> Decimal::subtract(const Decimal& other) const {
  return add_signed(other, !other.negative_, '-');
}

Result<Decimal> Decimal::rescale(int new_scale) const {
  if (new_scale < scale_ || new_scale > kMaxScale) {
    return make_error(ErrorCode::InvalidArgument, "cannot rescale decimal " + to_string() +
                                                      " to scale " + std::to_string(new_scale) +
                                                      ": only a larger scale up to " +
                                                      std::to_string(kMaxScale) + " is exact");
  }
  u128 magnitude = 0;
  if (!scale_up(join_words(magnitude_high_, magnitude_low_), new_scale - scale_, magnitude) ||
      magnitude > kMaxMagnitude) {
    return make_error(ErrorCode::InvalidArgument,
                      "cannot rescale decimal " + to_string() + " to scale " +
                          std::to_string(new_scale) + ": it would exceed " +
                          std::to_string(kMaxDigits) + " significant digits");
  }
  Decimal result;
  split_words(magnitude, result.magnitude_high_, result.magnitude_low_);
  result.scale_ = static_cast<std::uint8_t>(new_scale);
  result.negative_ = negative_;  // a negative zero keeps its sign: "-0.0" is "-0.000"
  return result;
}

int Decimal::compare(const Decimal& other) const noexcept {
  const bool mine_negative = is_negative();
  if (mine_negative != other.is_negative()) return mine_negative ? -1 : 1;
  const int scale = std::max<int>(scale_, other.scale_);
  u128 mine = 0;
  u128 theirs = 0;
  // Only the operand with the smaller scale is scaled up, and the other one is below 10^38:
  // one that no longer fits in 128 bits is the larger magnitude.
  int magnitude_order = 0;
  if (!scale_up(join_words(magnitude_high_, magnitude_low_), scale - scale_, mine)) {
    magnitude_order = 1;
  } else if (!scale_up(join_words(other.magnitude_high_, other.magnitude_low_),
                       scale - other.scale_, theirs)) {
    magnitude_order = -1;
  } else {
    magnitude_order = mine < theirs ? -1 : (mine > theirs ? 1 : 0);
  }
  return mine_negative ? -magnitude_order : magnitude_order;
}

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
