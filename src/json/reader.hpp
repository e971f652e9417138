// A JSON reader that sends the events of RapidJSON's SAX Reader (with
// kParseNumbersAsStringsFlag) to the same kind of handler. It accepts and refuses exactly
// what RapidJSON does and reports the same error codes at the same offsets
// (tests/unit/json/reader_test.cpp compares the two on thousands of inputs). It is faster
// for the decoder:
//
//  - a string without escapes reaches the handler as a pointer into the input, with no copy
//    (RapidJSON copies every string, byte by byte until a 16-byte boundary, onto its stack);
//  - strings are scanned 16 bytes at a time with unaligned loads that stop at the end of the
//    input, so it never reads past the text (RapidJSON's aligned SSE2 loads do, which the
//    sanitizers report), and the input need not end in a NUL.
//
// As in RapidJSON, a NUL byte reads as the end of the text. UTF-8 is not checked here: the
// handler does that. Each level of nesting recurses once, so the reader refuses more than
// kMaxDepth levels itself (RapidJSON's Reader has no bound): it stops as if the handler had
// (kParseErrorTermination) and too_deep() says why. The decoder's own, lower bound names
// the path.
//
// It also reads a text that arrives in pieces (ChunkSource), cut anywhere but inside a
// number, with the same events, errors and offsets as the whole text.
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include "json/chunks.hpp"

#include <rapidjson/error/error.h>
#include <rapidjson/reader.h>

#include <cstddef>
#include <cstdint>
#include <string>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace erpbridge::json {

/// How far a reader has read, in bytes from the start of the whole text, for a decoder that
/// sizes its arrays by it.
struct ReadPosition {
  const char* const* position;
  const char* const* piece_begin;
  const std::size_t* piece_offset;
  std::size_t offset() const {
    return *piece_offset + static_cast<std::size_t>(*position - *piece_begin);
  }
};

template <typename Handler>
class FastReader {
 public:
  /// Reads `text`, then the pieces of `more` if given.
  FastReader(const char* text, std::size_t size, ChunkSource* more = nullptr)
      : begin_(text), position_(text), end_(text + size), more_(more) {}

  /// Where the reader is; it stops after the root value, or at the first NUL byte or error.
  ReadPosition read_position() const { return {&position_, &begin_, &base_}; }
  std::size_t offset() const { return base_ + static_cast<std::size_t>(position_ - begin_); }

  /// Levels of nesting the reader accepts.
  static constexpr int kMaxDepth = 512;

  /// Whether the reader stopped because the text nests deeper than kMaxDepth.
  bool too_deep() const { return too_deep_; }

  /// Whether nothing is left after where the reader stopped (it stops at a NUL byte too).
  bool at_end() { return position_ == end_ && (more_ == nullptr || !next_piece()); }

  rapidjson::ParseResult parse(Handler& handler) {
    skip_whitespace();
    if (peek() == '\0') return fail(rapidjson::kParseErrorDocumentEmpty, offset());
    if (!parse_value(handler)) return result_;
    skip_whitespace();
    if (peek() != '\0') return fail(rapidjson::kParseErrorDocumentRootNotSingular, offset());
    return result_;
  }

 private:
  char peek() {
    if (position_ < end_) return *position_;
    return more_ != nullptr && next_piece() ? *position_ : '\0';
  }

  // Moves on to the next non-empty piece; false at the end of the text.
  bool next_piece() {
    const char* begin = nullptr;
    const char* end = nullptr;
    while (more_->next(begin, end)) {
      if (begin == end) continue;
      base_ += static_cast<std::size_t>(end_ - begin_);
      begin_ = position_ = begin;
      end_ = end;
      return true;
    }
    more_ = nullptr;
    return false;
  }

  bool consume(char expected) {
    if (peek() != expected) return false;
    ++position_;
    return true;
  }

  rapidjson::ParseResult fail(rapidjson::ParseErrorCode code, std::size_t at) {
    result_.Set(code, at);
    return result_;
  }
  bool failed(rapidjson::ParseErrorCode code, std::size_t at) {
    result_.Set(code, at);
    return false;
  }
  bool stopped() { return failed(rapidjson::kParseErrorTermination, offset()); }

  void skip_whitespace() {
    for (;;) {
      while (position_ < end_) {
        const char c = *position_;
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
        ++position_;
      }
      if (more_ == nullptr || !next_piece()) return;
    }
  }

  bool parse_value(Handler& handler) {
    switch (peek()) {
      case 'n':
        return parse_literal(handler, "null");
      case 't':
        return parse_literal(handler, "true");
      case 'f':
        return parse_literal(handler, "false");
      case '"':
        return parse_string(handler, false);
      case '{':
        return parse_object(handler);
      case '[':
        return parse_array(handler);
      default:
        return parse_number(handler);
    }
  }

  bool parse_literal(Handler& handler, const char* word) {
    ++position_;  // its first letter, already seen
    for (const char* rest = word + 1; *rest != '\0'; ++rest) {
      if (!consume(*rest)) return failed(rapidjson::kParseErrorValueInvalid, offset());
    }
    const bool go_on = word[0] == 'n' ? handler.Null() : handler.Bool(word[0] == 't');
    return go_on || stopped();
  }

  // One level of nesting, for as long as it lives.
  struct Level {
    int& depth;
    explicit Level(int& d) : depth(++d) {}
    ~Level() { --depth; }
    Level(const Level&) = delete;
    Level& operator=(const Level&) = delete;
  };

  bool too_deep_at(std::size_t at) {
    too_deep_ = true;
    return failed(rapidjson::kParseErrorTermination, at);
  }

  bool parse_object(Handler& handler) {
    const Level level(depth_);
    if (depth_ > kMaxDepth) return too_deep_at(offset());
    ++position_;  // '{'
    if (!handler.StartObject()) return stopped();
    skip_whitespace();
    if (consume('}')) return handler.EndObject(0) || stopped();
    for (rapidjson::SizeType members = 0;;) {
      if (peek() != '"') return failed(rapidjson::kParseErrorObjectMissName, offset());
      if (!parse_string(handler, true)) return false;
      skip_whitespace();
      if (!consume(':')) return failed(rapidjson::kParseErrorObjectMissColon, offset());
      skip_whitespace();
      if (!parse_value(handler)) return false;
      skip_whitespace();
      ++members;
      switch (peek()) {
        case ',':
          ++position_;
          skip_whitespace();
          break;
        case '}':
          ++position_;
          return handler.EndObject(members) || stopped();
        default:
          return failed(rapidjson::kParseErrorObjectMissCommaOrCurlyBracket, offset());
      }
    }
  }

  bool parse_array(Handler& handler) {
    const Level level(depth_);
    if (depth_ > kMaxDepth) return too_deep_at(offset());
    ++position_;  // '['
    if (!handler.StartArray()) return stopped();
    skip_whitespace();
    if (consume(']')) return handler.EndArray(0) || stopped();
    for (rapidjson::SizeType elements = 0;;) {
      if (!parse_value(handler)) return false;
      ++elements;
      skip_whitespace();
      if (consume(',')) {
        skip_whitespace();
      } else if (consume(']')) {
        return handler.EndArray(elements) || stopped();
      } else {
        return failed(rapidjson::kParseErrorArrayMissCommaOrSquareBracket, offset());
      }
    }
  }

  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  bool parse_number(Handler& handler) {
    const char* start = position_;
    consume('-');
    if (peek() == '0') {
      ++position_;
    } else if (peek() >= '1' && peek() <= '9') {
      const char* digits = position_;
      while (is_digit(peek())) ++position_;
      // Past 19 digits RapidJSON switches to a double and may refuse the number as too big.
      if (position_ - digits > 19) return parse_number_as_rapidjson(handler, start);
    } else {
      return failed(rapidjson::kParseErrorValueInvalid, offset());
    }
    if (consume('.')) {
      if (!is_digit(peek())) return failed(rapidjson::kParseErrorNumberMissFraction, offset());
      while (is_digit(peek())) ++position_;
    }
    // An exponent may be too big for RapidJSON; such numbers are rare, so RapidJSON decides.
    if (peek() == 'e' || peek() == 'E') return parse_number_as_rapidjson(handler, start);
    const auto length = static_cast<rapidjson::SizeType>(position_ - start);
    return handler.RawNumber(start, length, false) || stopped();
  }

  // Hands one number, from `start`, to RapidJSON itself.
  bool parse_number_as_rapidjson(Handler& handler, const char* start) {
    struct Stream {
      using Ch = char;
      const char* current;
      const char* end;
      std::size_t taken = 0;
      Ch Peek() const { return current < end ? *current : '\0'; }
      Ch Take() {
        ++taken;
        return current < end ? *current++ : '\0';
      }
      std::size_t Tell() const { return taken; }
      Ch* PutBegin() { return nullptr; }
      void Put(Ch) {}
      void Flush() {}
      std::size_t PutEnd(Ch*) { return 0; }
    };
    struct Capture : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Capture> {
      std::string text;
      bool RawNumber(const char* number, rapidjson::SizeType length, bool) {
        text.assign(number, length);
        return true;
      }
    };
    Stream stream{start, end_};
    Capture capture;
    rapidjson::Reader reader;
    const rapidjson::ParseResult result =
        reader.Parse<rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseStopWhenDoneFlag>(
            stream, capture);
    const std::size_t start_offset = base_ + static_cast<std::size_t>(start - begin_);
    if (!result) return failed(result.Code(), start_offset + result.Offset());
    position_ = start + stream.Tell();
    const auto length = static_cast<rapidjson::SizeType>(capture.text.size());
    return handler.RawNumber(capture.text.data(), length, true) || stopped();
  }

  // The first byte at or after `from` that is '"', '\\' or below 0x20; end_ if none.
  const char* find_string_stop(const char* from) const {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i below_space = _mm_set1_epi8(0x1F);
    while (end_ - from >= 16) {
      const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(from));
      const __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(bytes, below_space), below_space);
      const __m128i stops = _mm_or_si128(
          _mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)), control);
      const int mask = _mm_movemask_epi8(stops);
      if (mask != 0) return from + __builtin_ctz(static_cast<unsigned>(mask));
      from += 16;
    }
#endif
    for (; from < end_; ++from) {
      const auto c = static_cast<unsigned char>(*from);
      if (c == '"' || c == '\\' || c < 0x20) return from;
    }
    return end_;
  }

  bool deliver_string(Handler& handler, bool is_key, const char* text, std::size_t length,
                      bool copied) {
    const auto size = static_cast<rapidjson::SizeType>(length);
    const bool go_on =
        is_key ? handler.Key(text, size, copied) : handler.String(text, size, copied);
    return go_on || stopped();
  }

  bool parse_string(Handler& handler, bool is_key) {
    const char* start = ++position_;  // after the opening quote
    const char* stop = find_string_stop(start);
    if (stop < end_ && *stop == '"') {  // no escapes: the common case, and no copy
      position_ = stop + 1;
      return deliver_string(handler, is_key, start, static_cast<std::size_t>(stop - start), false);
    }
    unescaped_.assign(start, stop);
    position_ = stop;
    for (;;) {
      const char c = peek();
      if (c == '"') {
        ++position_;
        return deliver_string(handler, is_key, unescaped_.data(), unescaped_.size(), true);
      }
      if (c == '\\') {
        if (!parse_escape()) return false;
      } else if (c == '\0') {
        return failed(rapidjson::kParseErrorStringMissQuotationMark, offset());
      } else if (static_cast<unsigned char>(c) < 0x20) {  // a control character
        return failed(rapidjson::kParseErrorStringEscapeInvalid, offset());
      }  // else the string goes on in the next piece of the text
      stop = find_string_stop(position_);
      unescaped_.append(position_, stop);
      position_ = stop;
    }
  }

  bool parse_escape() {
    const std::size_t escape_offset = offset();
    ++position_;  // '\\'
    char plain = '\0';
    switch (peek()) {
      case '"':
        plain = '"';
        break;
      case '\\':
        plain = '\\';
        break;
      case '/':
        plain = '/';
        break;
      case 'b':
        plain = '\b';
        break;
      case 'f':
        plain = '\f';
        break;
      case 'n':
        plain = '\n';
        break;
      case 'r':
        plain = '\r';
        break;
      case 't':
        plain = '\t';
        break;
      case 'u':
        break;
      default:
        return failed(rapidjson::kParseErrorStringEscapeInvalid, escape_offset);
    }
    ++position_;
    if (plain != '\0') {
      unescaped_ += plain;
      return true;
    }
    unsigned code_point = 0;
    if (!parse_hex4(code_point, escape_offset)) return false;
    if (code_point >= 0xD800 && code_point <= 0xDBFF) {  // a UTF-16 surrogate pair
      if (!consume('\\') || !consume('u')) {
        return failed(rapidjson::kParseErrorStringUnicodeSurrogateInvalid, escape_offset);
      }
      unsigned low = 0;
      if (!parse_hex4(low, escape_offset)) return false;
      if (low < 0xDC00 || low > 0xDFFF) {
        return failed(rapidjson::kParseErrorStringUnicodeSurrogateInvalid, escape_offset);
      }
      code_point = (((code_point - 0xD800) << 10) | (low - 0xDC00)) + 0x10000;
    }
    append_utf8(code_point);  // a lone low surrogate too, as RapidJSON does: the handler refuses it
    return true;
  }

  bool parse_hex4(unsigned& code_point, std::size_t escape_offset) {
    for (int i = 0; i < 4; ++i) {
      const char c = peek();
      unsigned digit = 0;
      if (c >= '0' && c <= '9') {
        digit = static_cast<unsigned>(c - '0');
      } else if (c >= 'A' && c <= 'F') {
        digit = static_cast<unsigned>(c - 'A' + 10);
      } else if (c >= 'a' && c <= 'f') {
        digit = static_cast<unsigned>(c - 'a' + 10);
      } else {
        return failed(rapidjson::kParseErrorStringUnicodeEscapeInvalidHex, escape_offset);
      }
      code_point = (code_point << 4) | digit;
      ++position_;
    }
    return true;
  }

  void append_utf8(unsigned code_point) {
    if (code_point < 0x80) {
      unescaped_ += static_cast<char>(code_point);
    } else if (code_point < 0x800) {
      unescaped_ += static_cast<char>(0xC0 | (code_point >> 6));
      unescaped_ += static_cast<char>(0x80 | (code_point & 0x3F));
    } else if (code_point < 0x10000) {
      unescaped_ += static_cast<char>(0xE0 | (code_point >> 12));
      unescaped_ += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
      unescaped_ += static_cast<char>(0x80 | (code_point & 0x3F));
    } else {
      unescaped_ += static_cast<char>(0xF0 | (code_point >> 18));
      unescaped_ += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
      unescaped_ += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
      unescaped_ += static_cast<char>(0x80 | (code_point & 0x3F));
    }
  }

  const char* begin_;  // the piece being read
  const char* position_;
  const char* end_;
  std::size_t base_ = 0;  // where the piece starts in the whole text
  ChunkSource* more_;     // the pieces still to come, if any
  int depth_ = 0;
  bool too_deep_ = false;
  rapidjson::ParseResult result_;
  std::string unescaped_;  // a string with escapes, decoded; reused
};

}  // namespace erpbridge::json
