// The JSON engine's encoder: one generic writer for every described type, with strings
// written by the SDK's own Writer::Text (escaped in one pass, malformed UTF-8 replaced).
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "json/schema.hpp"

namespace erpbridge::json {

/// RapidJSON's Writer with strings written by the SDK itself (Text()): one pass that escapes
/// what JSON requires and replaces malformed UTF-8 with U+FFFD, so every output is valid
/// JSON whatever a caller put in a string. (RapidJSON 1.1.0's own SSE2 path leaves 0x1A..0x1F
/// unescaped and copies malformed UTF-8 as it is.)
class Writer : public rapidjson::Writer<rapidjson::StringBuffer> {
 public:
  using Base = rapidjson::Writer<rapidjson::StringBuffer>;
  using Base::Base;

  /// `size` bytes at `text` as a JSON string (a value, or a key where one is due).
  void Text(const char* text, std::size_t size);
};

/// Writes `text` as a JSON string; malformed UTF-8 becomes U+FFFD, so the output stays JSON.
void write_string(Writer& out, const std::string& text);

/// `text` as a JSON string, UTF-8 checked (see Writer::Text).
inline void write_utf8_string(Writer& out, std::string_view text) {
  out.Text(text.data(), text.size());
}

/// RawJson text: as it is when it is exactly one JSON value, else as a string (text set by a
/// caller may be anything, and the document must stay valid); empty is null.
void write_raw(Writer& out, const std::string& text);

/// Writes `value` (described by `codec`) to `out`.
void encode_value(const void* value, const Codec* codec, const FieldFlags& flags, Writer& out);

template <typename T>
void encode_to(const T& value, Writer& out) {
  encode_value(&value, codec_of<T>(), FieldFlags{}, out);
}

/// `value` (described by `codec`) as JSON text.
std::string encode_value_to_string(const void* value, const Codec* codec);

template <typename T>
std::string encode(const T& value) {
  return encode_value_to_string(&value, codec_of<T>());
}

}  // namespace erpbridge::json
