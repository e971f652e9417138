// The JSON engine's scalar codecs: strings, booleans, numbers, exact decimals, dates and
// times, raw JSON values, integers and labelled enums, each with its lenient readings.
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

#include "erpbridge/core/datetime.hpp"
#include "erpbridge/core/decimal.hpp"
#include "erpbridge/core/labeled.hpp"
#include "erpbridge/core/raw_json.hpp"
#include "json/encoder.hpp"
#include "json/schema.hpp"

namespace erpbridge::json {

// ---- scalar codecs (defined in scalars.cpp) ----
extern const Codec kStringCodec;
extern const Codec kBoolCodec;
extern const Codec kDoubleCodec;
extern const Codec kDecimalCodec;
extern const Codec kDateCodec;
extern const Codec kDateTimeCodec;
extern const Codec kTimestampCodec;
extern const Codec kRawCodec;

/// Whether `text` is a number by the JSON grammar (RFC 8259 section 6): what may be written
/// bare in a JSON document.
bool is_json_number(std::string_view text) noexcept;

/// Parses integer text into [min, max]; false with `problem` set otherwise.
bool parse_integer(std::string_view text, long long min, long long max, long long& out,
                   std::string& problem);

template <>
struct CodecFor<std::string> {
  static const Codec* get() { return &kStringCodec; }
};
template <>
struct CodecFor<bool> {
  static const Codec* get() { return &kBoolCodec; }
};
template <>
struct CodecFor<double> {
  static const Codec* get() { return &kDoubleCodec; }
};
template <>
struct CodecFor<Decimal> {
  static const Codec* get() { return &kDecimalCodec; }
};
template <>
struct CodecFor<Date> {
  static const Codec* get() { return &kDateCodec; }
};
template <>
struct CodecFor<DateTime> {
  static const Codec* get() { return &kDateTimeCodec; }
};
template <>
struct CodecFor<Timestamp> {
  static const Codec* get() { return &kTimestampCodec; }
};
template <>
struct CodecFor<RawJson> {
  static const Codec* get() { return &kRawCodec; }
};

template <typename I>
struct CodecFor<I, std::enable_if_t<std::is_integral<I>::value && !std::is_same<I, bool>::value>> {
  static const Codec* get() {
    static const Codec codec = [] {
      Codec c{Codec::Kind::Scalar, "integer"};
      c.decode_scalar = [](void* target, const Scalar& value, const FieldFlags& flags,
                           std::string& problem) {
        if (value.kind != Scalar::Kind::Number &&
            !(flags.number_or_string && value.kind == Scalar::Kind::String)) {
          problem = std::string("expected integer, got ") + kind_name(value.kind);
          return false;
        }
        long long parsed = 0;
        if (!parse_integer(value.text, static_cast<long long>(std::numeric_limits<I>::min()),
                           static_cast<long long>(std::numeric_limits<I>::max()), parsed,
                           problem)) {
          return false;
        }
        *static_cast<I*>(target) = static_cast<I>(parsed);
        return true;
      };
      c.encode_scalar = [](const void* value, const FieldFlags&, Writer& out) {
        std::string text = std::to_string(*static_cast<const I*>(value));
        out.RawValue(text.data(), text.size(), rapidjson::kNumberType);
      };
      return c;
    }();
    return &codec;
  }
};

template <typename E>
struct CodecFor<Labeled<E>> {
  static const Codec* get() {
    static const Codec codec = [] {
      Codec c{Codec::Kind::Scalar, "label"};
      c.decode_scalar = [](void* target, const Scalar& value, const FieldFlags& flags,
                           std::string& problem) {
        if (value.kind != Scalar::Kind::String &&
            !(flags.number_or_string && value.kind == Scalar::Kind::Number)) {
          problem = std::string("expected string label, got ") + kind_name(value.kind);
          return false;
        }
        *static_cast<Labeled<E>*>(target) = Labeled<E>::from_label(value.text);
        return true;
      };
      c.encode_scalar = [](const void* value, const FieldFlags&, Writer& out) {
        write_string(out, static_cast<const Labeled<E>*>(value)->label());
      };
      return c;
    }();
    return &codec;
  }
};

}  // namespace erpbridge::json
