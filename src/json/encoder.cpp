#include "json/encoder.hpp"

#include <rapidjson/reader.h>

#include <cstdint>
#include <cstring>

#include "json/scalars.hpp"
#include "json/utf8.hpp"

namespace erpbridge::json {
namespace {

// RawJson text is written as it is only when it is one JSON value: text set by a caller may
// be anything, and the document must stay valid. Otherwise it is written as a string.
bool is_one_json_value(const std::string& text) {
  if (text == "{}" || text == "[]" || text == "null") return true;
  // UTF-8 checked here, not by RapidJSON's kParseValidateEncodingFlag: its check reads the
  // continuation bytes of a character cut off at the end past the terminating NUL.
  if (!valid_utf8(text.data(), text.size())) return false;
  rapidjson::Reader reader;
  rapidjson::BaseReaderHandler<> ignore;
  rapidjson::StringStream stream(text.c_str());
  const bool parsed = !reader.Parse(stream, ignore).IsError();
  return parsed && stream.Tell() == text.size();  // an embedded NUL would stop it early
}

}  // namespace

void write_raw(Writer& out, const std::string& text) {
  if (text.empty()) {
    out.Null();
  } else if (is_one_json_value(text)) {
    out.RawValue(text.data(), text.size(), rapidjson::kObjectType);
  } else {
    write_utf8_string(out, text);
  }
}

void Writer::Text(const char* text, std::size_t size) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
  static constexpr char kHex[] = "0123456789ABCDEF";
  // A chunk of eight bytes that are copied as they are: ASCII, no control character, no
  // quote, no backslash.
  auto plain = [](std::uint64_t x) {
    auto has_zero = [](std::uint64_t y) { return (y - kOnes) & ~y & kHighs; };
    const std::uint64_t below_space = (x - 0x20 * kOnes) & ~x & kHighs;  // exact for ASCII
    return ((x & kHighs) | below_space | has_zero(x ^ (0x22 * kOnes)) |
            has_zero(x ^ (0x5C * kOnes))) == 0;
  };
  Prefix(rapidjson::kStringType);
  rapidjson::StringBuffer& out = *os_;
  const std::size_t most = 2 + size * 6;  // every byte a \u00XX escape
  char* const start = out.Push(most);
  char* dst = start;
  *dst++ = '"';
  const auto* p = reinterpret_cast<const unsigned char*>(text);
  const auto* end = p + size;
  while (p < end) {
    while (end - p >= 8) {
      std::uint64_t chunk;
      std::memcpy(&chunk, p, sizeof chunk);
      if (!plain(chunk)) break;
      std::memcpy(dst, p, 8);
      dst += 8;
      p += 8;
    }
    if (p == end) break;
    const unsigned char c = *p;
    if (c >= 0x80) {
      const std::size_t length = sequence_length(p, end);
      if (length == 0) {  // malformed: U+FFFD
        std::memcpy(dst, "\xEF\xBF\xBD", 3);
        dst += 3;
        ++p;
      } else {
        std::memcpy(dst, p, length);
        dst += length;
        p += length;
      }
      continue;
    }
    ++p;
    if (c >= 0x20 && c != '"' && c != '\\') {
      *dst++ = static_cast<char>(c);
      continue;
    }
    *dst++ = '\\';
    switch (c) {
      case '"':
      case '\\':
        *dst++ = static_cast<char>(c);
        break;
      case '\b':
        *dst++ = 'b';
        break;
      case '\f':
        *dst++ = 'f';
        break;
      case '\n':
        *dst++ = 'n';
        break;
      case '\r':
        *dst++ = 'r';
        break;
      case '\t':
        *dst++ = 't';
        break;
      default:
        *dst++ = 'u';
        *dst++ = '0';
        *dst++ = '0';
        *dst++ = kHex[c >> 4];
        *dst++ = kHex[c & 15];
    }
  }
  *dst++ = '"';
  out.Pop(most - static_cast<std::size_t>(dst - start));
  EndValue(true);
}

void write_string(Writer& out, const std::string& text) {
  write_utf8_string(out, text);
}

std::string encode_value_to_string(const void* value, const Codec* codec) {
  // Each thread keeps its buffer and writer (with its level stack), so an encode allocates
  // only the string it returns; a buffer grown past kKeptBytes is let go afterwards.
  struct Scratch {
    rapidjson::StringBuffer buffer;
    Writer writer{buffer};
    bool in_use = false;
  };
  static thread_local Scratch scratch;
  constexpr std::size_t kKeptBytes = 1u << 20;
  if (scratch.in_use) {  // an encode inside an encode: a buffer of its own
    rapidjson::StringBuffer buffer;
    Writer writer(buffer);
    encode_value(value, codec, FieldFlags{}, writer);
    return std::string(buffer.GetString(), buffer.GetSize());
  }
  scratch.in_use = true;
  scratch.buffer.Clear();
  scratch.writer.Reset(scratch.buffer);
  encode_value(value, codec, FieldFlags{}, scratch.writer);
  std::string text(scratch.buffer.GetString(), scratch.buffer.GetSize());
  if (scratch.buffer.GetSize() > kKeptBytes) {
    scratch.buffer.Clear();
    scratch.buffer.ShrinkToFit();
  }
  scratch.in_use = false;
  return text;
}

void encode_value(const void* value, const Codec* codec, const FieldFlags& flags, Writer& out) {
  switch (codec->kind) {
    case Codec::Kind::Scalar:
      codec->encode_scalar(value, flags, out);
      return;
    case Codec::Kind::Raw:
      write_raw(out, static_cast<const RawJson*>(value)->text);
      return;
    case Codec::Kind::Optional: {
      const void* inner = codec->get(value);
      if (inner == nullptr) {
        out.Null();
      } else {
        encode_value(inner, codec->inner, flags, out);
      }
      return;
    }
    case Codec::Kind::Array: {
      out.StartArray();
      const std::size_t n = codec->size(value);
      for (std::size_t i = 0; i < n; ++i)
        encode_value(codec->at(value, i), codec->inner, flags, out);
      out.EndArray();
      return;
    }
    case Codec::Kind::Struct: {
      const StructDesc& desc = *codec->desc();
      out.StartObject();
      for (const FieldDesc& field : desc.fields) {
        const void* member = field.get(value);
        if (field.codec == &kStringCodec && !field.flags.as_number) {  // most fields: inline
          out.Key(field.key.data(), static_cast<rapidjson::SizeType>(field.key.size()));
          write_utf8_string(out, *static_cast<const std::string*>(member));
          continue;
        }
        if (field.codec->kind == Codec::Kind::Optional && field.codec->get(member) == nullptr &&
            !field.flags.null_if_absent) {
          continue;
        }
        out.Key(field.key.data(), static_cast<rapidjson::SizeType>(field.key.size()));
        encode_value(member, field.codec, field.flags, out);
      }
      if (desc.extras != nullptr) {
        for (const auto& [key, raw] : *desc.extras(const_cast<void*>(value))) {
          write_utf8_string(out, key);  // a key is a string: the same repair applies
          write_raw(out, raw.text);
        }
      }
      out.EndObject();
      return;
    }
  }
}

}  // namespace erpbridge::json
