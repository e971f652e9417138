#include "erpbridge/core/decimal.hpp"

#include <algorithm>

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {
namespace {

__extension__ typedef __int128 Wide;

constexpr std::uint64_t kPow10[] = {1ULL,
                                    10ULL,
                                    100ULL,
                                    1000ULL,
                                    10000ULL,
                                    100000ULL,
                                    1000000ULL,
                                    10000000ULL,
                                    100000000ULL,
                                    1000000000ULL,
                                    10000000000ULL,
                                    100000000000ULL,
                                    1000000000000ULL,
                                    10000000000000ULL,
                                    100000000000000ULL,
                                    1000000000000000ULL,
                                    10000000000000000ULL,
                                    100000000000000000ULL,
                                    1000000000000000000ULL};
constexpr std::uint64_t kMagnitudeLimit = 1000000000000000000ULL;  // 10^18, exclusive

Error invalid(std::string_view text, const char* rule) {
  return make_error(ErrorCode::InvalidArgument,
                    "invalid decimal \"" + std::string(text) + "\": " + rule);
}

Wide signed_at_scale(std::uint64_t magnitude, bool negative, int from, int to) {
  Wide value = static_cast<Wide>(magnitude) * static_cast<Wide>(kPow10[to - from]);
  return negative ? -value : value;
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
  std::uint64_t magnitude = 0;
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
      if (++scale > kMaxScale) return invalid(text, "more than 18 digits after the point");
    } else {
      ++int_digits;
    }
    if (magnitude != 0 || c != '0') ++significant;
    if (significant > kMaxDigits) return invalid(text, "more than 18 significant digits");
    magnitude = magnitude * 10 + static_cast<std::uint64_t>(c - '0');
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
    if (new_scale > kMaxScale)
      return invalid(text, "out of range: more than 18 digits after the point");
    if (new_scale < 0) {
      const int shift = -new_scale;
      if (magnitude != 0 && (shift > kMaxDigits || magnitude >= kMagnitudeLimit / kPow10[shift])) {
        return invalid(text, "out of range: more than 18 significant digits");
      }
      if (magnitude != 0) magnitude *= kPow10[shift];
      scale = 0;
    } else {
      scale = new_scale;
    }
  }
  Decimal result;
  result.magnitude_ = magnitude;
  result.scale_ = static_cast<std::uint8_t>(scale);
  result.negative_ = negative;
  return result;
}

Decimal Decimal::from_integer(std::int64_t value) {
  Decimal result;
  result.negative_ = value < 0;
  // Negate in unsigned arithmetic so INT64_MIN does not overflow.
  result.magnitude_ =
      value < 0 ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
  if (result.magnitude_ >= kMagnitudeLimit) result.magnitude_ = kMagnitudeLimit - 1;
  return result;
}

std::string Decimal::to_string() const {
  std::string digits = std::to_string(magnitude_);
  if (digits.size() <= scale_) digits.insert(0, scale_ + 1 - digits.size(), '0');
  if (scale_ > 0) digits.insert(digits.size() - scale_, 1, '.');
  if (negative_) digits.insert(0, 1, '-');
  return digits;
}

namespace {
Result<Decimal> from_wide(Wide value, int scale, const char* operation) {
  Wide magnitude = value < 0 ? -value : value;
  if (magnitude >= static_cast<Wide>(kMagnitudeLimit)) {
    return make_error(ErrorCode::InvalidArgument,
                      std::string("decimal ") + operation + " overflows 18 digits");
  }
  std::string text = value < 0 ? "-" : "";
  std::string digits = std::to_string(static_cast<std::uint64_t>(magnitude));
  if (static_cast<int>(digits.size()) <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
  if (scale > 0) digits.insert(digits.size() - scale, 1, '.');
  return Decimal::parse(text + digits);
}
}  // namespace

Result<Decimal> Decimal::add(const Decimal& other) const {
  int scale = std::max<int>(scale_, other.scale_);
  Wide sum = signed_at_scale(magnitude_, negative_, scale_, scale) +
             signed_at_scale(other.magnitude_, other.negative_, other.scale_, scale);
  return from_wide(sum, scale, "sum");
}

Result<Decimal> Decimal::subtract(const Decimal& other) const {
  int scale = std::max<int>(scale_, other.scale_);
  Wide difference = signed_at_scale(magnitude_, negative_, scale_, scale) -
                    signed_at_scale(other.magnitude_, other.negative_, other.scale_, scale);
  return from_wide(difference, scale, "difference");
}

Result<Decimal> Decimal::rescale(int new_scale) const {
  if (new_scale < scale_ || new_scale > kMaxScale) {
    return make_error(ErrorCode::InvalidArgument, "cannot rescale decimal " + to_string() +
                                                      " to scale " + std::to_string(new_scale) +
                                                      ": only a larger scale up to 18 is exact");
  }
  Result<Decimal> result =
      from_wide(signed_at_scale(magnitude_, negative_, scale_, new_scale), new_scale, "rescale");
  if (result.ok() && negative_ && magnitude_ == 0) {
    return Decimal::parse("-" + result->to_string());  // keep a negative zero's sign
  }
  return result;
}

int Decimal::compare(const Decimal& other) const noexcept {
  int scale = std::max<int>(scale_, other.scale_);
  Wide a = signed_at_scale(magnitude_, negative_, scale_, scale);
  Wide b = signed_at_scale(other.magnitude_, other.negative_, other.scale_, scale);
  return a < b ? -1 : (a > b ? 1 : 0);
}

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
