// RapidJSON's Reader over a text in pieces (json::ChunkSource), in situ: the input stream of
// every decode, whether the text is held whole (one piece) or arrives while a reply
// downloads. RapidJSON does the grammar, the escapes, the numbers and the errors; this stream
// only moves between pieces and lets RapidJSON unescape each string where it lies.
//
// RapidJSON's own in-situ stream needs a NUL after the text and scans with aligned 16-byte
// loads that read past it; this one knows where each piece ends, never reads past it, and
// scans strings and whitespace with loads that stop at the end.
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <rapidjson/reader.h>

#include <cstddef>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "json/chunks.hpp"

namespace erpbridge::json {

/// How far a stream has read, in bytes from the start of the whole text, for a decoder that
/// sizes its arrays by it. It reads the stream's own fields, so it follows them as they move.
struct ReadPosition {
  char* const* position;
  char* const* piece_begin;
  const std::size_t* piece_offset;
  std::size_t offset() const {
    return *piece_offset + static_cast<std::size_t>(*position - *piece_begin);
  }
};

/// A RapidJSON input stream over the pieces of a ChunkSource, for kParseInsituFlag. As with a
/// NUL-terminated string, a NUL byte reads as the end of the text; at_end() tells the two
/// apart. Every piece but the last must end right after a string (see ChunkSource): the
/// stream moves on only from a piece that ends in a quote and never from inside a string, so
/// a piece cut elsewhere reads as the end of the text and the Reader reports what it cut
/// short, instead of reading a string or number across pieces.
class PieceStream {
 public:
  using Ch = char;

  explicit PieceStream(ChunkSource& pieces) : more_(&pieces) {}

  Ch Peek() { return current_ != end_ || next_piece() ? *current_ : '\0'; }
  Ch Take() { return current_ != end_ || next_piece() ? *current_++ : '\0'; }
  std::size_t Tell() const { return base_ + static_cast<std::size_t>(current_ - begin_); }

  // In situ: a string's unescaped text is written over its JSON, from where it starts.
  // RapidJSON asks for where a string starts just after its opening quote, and for where a
  // number starts just after the number (it copies its own streams for the number, so theirs
  // have not moved yet; copying this one costs more than the walk back over the number's
  // characters, which a cut never separates from it).
  Ch* PutBegin() {
    if (current_ != begin_ && current_[-1] == '"') return written_ = current_;
    char* start = current_;
    while (start != begin_ && is_number_character(start[-1])) --start;
    return start;
  }
  void Put(Ch c) { *written_++ = c; }
  void Flush() {}
  std::size_t PutEnd(Ch* begin) {
    const auto length = static_cast<std::size_t>(written_ - begin);
    written_ = nullptr;
    string_end_ = current_;  // just past the closing quote (which the string's NUL overwrote)
    return length;
  }

  /// Whether nothing is left after where the stream stands (it stands at a NUL byte too).
  bool at_end() { return current_ == end_ && (more_ == nullptr || !advance()); }

  ReadPosition read_position() const { return {&current_, &begin_, &base_}; }

  /// RapidJSON's SkipWhitespace, a piece at a time rather than a Peek() per byte.
  void skip_whitespace() {
    for (;;) {
      while (current_ != end_) {
        const char c = *current_;
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
        ++current_;
      }
      if (!next_piece()) return;
    }
  }

  /// RapidJSON's ScanCopyUnescapedString: moves over (and, after an escape, copies back) the
  /// plain run of a string, up to its first quote, backslash or control character.
  void copy_plain_run() {
    char* const stop = find_string_stop(current_);
    const auto length = static_cast<std::size_t>(stop - current_);
    if (written_ != current_) std::memmove(written_, current_, length);
    written_ += length;
    current_ = stop;
  }

 private:
  static bool is_number_character(char c) {
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
  }

  // Moves on to the next non-empty piece; false at the end of the text, inside a string, or
  // from a piece that does not end with a string. Rare: kept out of the Reader's loops, where
  // inlined into every Peek() and Take() it made the decode 5-10% slower.
  [[gnu::noinline]] bool next_piece() {
    if (more_ == nullptr || written_ != nullptr) return false;
    if (end_ != begin_ && string_end_ != end_) return false;
    return advance();
  }

  bool advance() {
    char* begin = nullptr;
    char* end = nullptr;
    while (more_->next(begin, end)) {
      base_ += static_cast<std::size_t>(end_ - begin_);
      begin_ = current_ = begin;  // an empty piece too: the one before may be released
      end_ = end;
      if (begin != end) return true;
    }
    more_ = nullptr;
    return false;
  }

  // The first byte at or after `from` in this piece that is '"', '\\' or below 0x20; end_ if
  // none.
  char* find_string_stop(char* from) const {
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
    for (; from != end_; ++from) {
      const auto c = static_cast<unsigned char>(*from);
      if (c == '"' || c == '\\' || c < 0x20) return from;
    }
    return end_;
  }

  char* begin_ = nullptr;  // the piece being read
  char* current_ = nullptr;
  char* end_ = nullptr;
  char* written_ = nullptr;     // inside a string: where its unescaped text goes on
  char* string_end_ = nullptr;  // where the last string read ended
  std::size_t base_ = 0;        // where the piece starts in the whole text
  ChunkSource* more_;           // the pieces still to come; null once they have ended
};

}  // namespace erpbridge::json

RAPIDJSON_NAMESPACE_BEGIN

template <>
inline void SkipWhitespace(erpbridge::json::PieceStream& stream) {
  stream.skip_whitespace();
}

// The Reader's hook for scanning a string's plain run in bulk, which it provides only for its
// own string streams. (An explicit specialization of a member template may name a private
// member: access is not checked in it.)
template <>
template <>
inline void GenericReader<UTF8<>, UTF8<>, CrtAllocator>::ScanCopyUnescapedString(
    erpbridge::json::PieceStream& in, erpbridge::json::PieceStream& out) {
  RAPIDJSON_ASSERT(&in == &out);
  (void)out;
  in.copy_plain_run();
}

RAPIDJSON_NAMESPACE_END
