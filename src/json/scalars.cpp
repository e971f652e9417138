#include "json/scalars.hpp"

#include "core/datetime_text.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "json/utf8.hpp"

namespace erpbridge::json {

bool is_json_number(std::string_view text) noexcept {
  // number = [ minus ] int [ frac ] [ exp ]; int = zero / ( digit1-9 *DIGIT )
  std::size_t i = 0;
  const std::size_t n = text.size();
  auto digit = [&](std::size_t at) { return at < n && text[at] >= '0' && text[at] <= '9'; };
  if (i < n && text[i] == '-') ++i;
  if (!digit(i)) return false;
  if (text[i] == '0') {
    ++i;
  } else {
    while (digit(i)) ++i;
  }
  if (i < n && text[i] == '.') {
    ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < n && (text[i] == '+' || text[i] == '-')) ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  return i == n;
}

bool parse_integer(std::string_view text, long long min, long long max, long long& out,
                   std::string& problem) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  auto [stop, error] = std::from_chars(begin, end, out);
  if (error == std::errc::result_out_of_range ||
      (error == std::errc() && stop == end && (out < min || out > max))) {
    problem = "integer " + std::string(text) + " is out of range";
    return false;
  }
  if (error != std::errc() || stop != end || text.empty()) {
    problem = "expected integer, got \"" + std::string(text.substr(0, 40)) + "\"";
    return false;
  }
  return true;
}

namespace {

Codec make_string_codec() {
  Codec c{Codec::Kind::Scalar, "string"};
  c.decode_scalar = [](void* target, const Scalar& value, const FieldFlags& flags,
                       std::string& problem) {
    if (value.kind == Scalar::Kind::String ||
        (flags.number_or_string && value.kind == Scalar::Kind::Number)) {
      static_cast<std::string*>(target)->assign(value.text.data(), value.text.size());
      return true;
    }
    problem = expected("string", value);
    return false;
  };
  c.encode_scalar = [](const void* value, const FieldFlags& flags, Writer& out) {
    const auto& text = *static_cast<const std::string*>(value);
    if (flags.as_number && is_json_number(text)) {
      out.RawValue(text.data(), text.size(), rapidjson::kNumberType);
    } else {
      write_utf8_string(out, text);
    }
  };
  return c;
}

Codec make_bool_codec() {
  Codec c{Codec::Kind::Scalar, "boolean"};
  c.decode_scalar = [](void* target, const Scalar& value, const FieldFlags& flags,
                       std::string& problem) {
    bool* out = static_cast<bool*>(target);
    if (value.kind == Scalar::Kind::Bool) {
      *out = value.boolean;
      return true;
    }
    if (flags.number_or_string &&
        (value.kind == Scalar::Kind::String || value.kind == Scalar::Kind::Number)) {
      // The spellings servers use where a document says only "whether" (是否开票).
      const std::string_view text = value.text;
      if (text == "true" || text == "True" || text == "TRUE" || text == "1" || text == "是") {
        *out = true;
        return true;
      }
      if (text == "false" || text == "False" || text == "FALSE" || text == "0" || text == "否") {
        *out = false;
        return true;
      }
    }
    problem = expected("boolean", value);
    return false;
  };
  c.encode_scalar = [](const void* value, const FieldFlags&, Writer& out) {
    out.Bool(*static_cast<const bool*>(value));
  };
  return c;
}

Codec make_double_codec() {
  Codec c{Codec::Kind::Scalar, "number"};
  c.decode_scalar = [](void* target, const Scalar& value, const FieldFlags& flags,
                       std::string& problem) {
    if (value.kind != Scalar::Kind::Number &&
        !(flags.number_or_string && value.kind == Scalar::Kind::String)) {
      problem = expected("number", value);
      return false;
    }
    double parsed = 0;
    const char* end = value.text.data() + value.text.size();
    auto [stop, error] = std::from_chars(value.text.data(), end, parsed);
    if (error != std::errc() || stop != end) {
      problem = "expected number, got \"" + std::string(value.text.substr(0, 40)) + "\"";
      return false;
    }
    *static_cast<double*>(target) = parsed;
    return true;
  };
  c.encode_scalar = [](const void* value, const FieldFlags&, Writer& out) {
    const double number = *static_cast<const double*>(value);
    if (std::isfinite(number)) {
      out.Double(number);
    } else {
      out.Null();  // JSON has no NaN or infinity
    }
  };
  return c;
}

Codec make_decimal_codec() {
  Codec c{Codec::Kind::Scalar, "decimal"};
  c.decode_scalar = [](void* target, const Scalar& value, const FieldFlags&, std::string& problem) {
    if (value.kind != Scalar::Kind::String && value.kind != Scalar::Kind::Number) {
      problem = expected("decimal", value);
      return false;
    }
    Result<Decimal> parsed = Decimal::parse(value.text);
    if (!parsed.ok()) {
      problem = parsed.error().message;
      return false;
    }
    *static_cast<Decimal*>(target) = *parsed;
    return true;
  };
  c.encode_scalar = [](const void* value, const FieldFlags& flags, Writer& out) {
    std::string text = static_cast<const Decimal*>(value)->to_string();
    if (flags.as_number) {
      out.RawValue(text.data(), text.size(), rapidjson::kNumberType);
    } else {
      write_utf8_string(out, text);
    }
  };
  return c;
}

// A Date or DateTime read from a reply in another time form (a 'T', fractions, a zone,
// minutes only): the wall clock as written, no zone conversion, and a note with the text.
template <typename T>
bool read_loose_time(T* out, const Scalar& value, std::string& problem) {
  Result<Timestamp> loose = Timestamp::parse(value.text);
  if (!loose.ok()) return false;
  if constexpr (std::is_same<T, Date>::value) {
    *out = loose->date();
    problem = "not YYYY-MM-DD: read as the date " + out->to_string();
  } else {
    *out = loose->wall_clock();
    problem = "not YYYY-MM-DD HH:MM:SS: read as the wall-clock time " + out->to_string() +
              " (fraction and zone as received in the raw text)";
  }
  return true;
}

template <typename T>
Codec make_time_codec(const char* name) {
  Codec c{Codec::Kind::Scalar, name};
  c.decode_scalar = [](void* target, const Scalar& value, const FieldFlags& flags,
                       std::string& problem) {
    if (value.kind != Scalar::Kind::String) {
      problem = expected(std::is_same<T, Date>::value       ? "date"
                         : std::is_same<T, DateTime>::value ? "date-time"
                                                            : "timestamp",
                         value);
      return false;
    }
    Result<T> parsed = T::parse(value.text);
    if (!parsed.ok()) {
      if constexpr (!std::is_same<T, Timestamp>::value) {
        if (flags.tolerant && read_loose_time(static_cast<T*>(target), value, problem)) {
          return true;
        }
      }
      problem = parsed.error().message;
      return false;
    }
    *static_cast<T*>(target) = std::move(*parsed);
    return true;
  };
  c.encode_scalar = [](const void* value, const FieldFlags&, Writer& out) {
    const T& time = *static_cast<const T*>(value);
    if constexpr (std::is_same<T, Timestamp>::value) {
      write_utf8_string(out, time.to_string());  // its text as received: no string made
    } else if constexpr (std::is_same<T, Date>::value) {
      char text[32];
      out.Text(text, internal::date_text(time, text));
    } else {
      char text[48];
      out.Text(text, internal::date_time_text(time, text));
    }
  };
  return c;
}

}  // namespace

const Codec kStringCodec = make_string_codec();
const Codec kBoolCodec = make_bool_codec();
const Codec kDoubleCodec = make_double_codec();
const Codec kDecimalCodec = make_decimal_codec();
const Codec kDateCodec = make_time_codec<Date>("date");
const Codec kDateTimeCodec = make_time_codec<DateTime>("date-time");
const Codec kTimestampCodec = make_time_codec<Timestamp>("timestamp");
const Codec kRawCodec = Codec{Codec::Kind::Raw, "JSON value"};

}  // namespace erpbridge::json
