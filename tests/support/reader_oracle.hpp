// Our JSON reader (src/json/reader.hpp) against RapidJSON's own Reader, and against itself
// reading the same text in pieces: what the reader's unit test and its differential fuzz
// target both check.
//
// Against RapidJSON, what matters is compared always: whether a text is accepted, and every
// event up to the end or the error. Error codes and offsets are compared only with the
// RapidJSON the reader was written against (1.1.0, Debian's): a newer one may word its
// refusals differently, which must not turn the tests red. Texts nested deeper than the
// reader's bound are refused by our reader alone, by design.
#pragma once

#include <rapidjson/rapidjson.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "json/chunks.hpp"
#include "json/reader.hpp"

namespace erpbridge::test_support {

constexpr bool kPinnedRapidJson =
    RAPIDJSON_MAJOR_VERSION == 1 && RAPIDJSON_MINOR_VERSION == 1 && RAPIDJSON_PATCH_VERSION == 0;

// Writes every event as one line, so two runs compare as strings.
struct Recorder {
  std::string events;
  int calls_left = -1;  // stops the parse after this many events when >= 0

  bool record(const std::string& event) {
    events += event;
    events += '\n';
    if (calls_left == 0) return false;
    if (calls_left > 0) --calls_left;
    return true;
  }
  bool Null() { return record("null"); }
  bool Bool(bool b) { return record(b ? "true" : "false"); }
  bool Int(int) { return record("int?"); }
  bool Uint(unsigned) { return record("uint?"); }
  bool Int64(std::int64_t) { return record("int64?"); }
  bool Uint64(std::uint64_t) { return record("uint64?"); }
  bool Double(double) { return record("double?"); }
  bool RawNumber(const char* text, rapidjson::SizeType length, bool) {
    return record("number " + std::string(text, length));
  }
  bool String(const char* text, rapidjson::SizeType length, bool) {
    return record("string " + std::string(text, length));
  }
  bool Key(const char* text, rapidjson::SizeType length, bool) {
    return record("key " + std::string(text, length));
  }
  bool StartObject() { return record("{"); }
  bool EndObject(rapidjson::SizeType members) { return record("} " + std::to_string(members)); }
  bool StartArray() { return record("["); }
  bool EndArray(rapidjson::SizeType elements) { return record("] " + std::to_string(elements)); }
};

// RapidJSON over a buffer that need not end in a NUL; a NUL or the end reads as '\0'.
struct BoundedStream {
  using Ch = char;
  const char* begin;
  const char* current;
  const char* end;
  Ch Peek() const { return current < end ? *current : '\0'; }
  Ch Take() { return current < end ? *current++ : '\0'; }
  std::size_t Tell() const { return static_cast<std::size_t>(current - begin); }
  Ch* PutBegin() { return nullptr; }
  void Put(Ch) {}
  void Flush() {}
  std::size_t PutEnd(Ch*) { return 0; }
};

struct Outcome {
  std::string events;
  bool ok = false;
  int code = 0;
  std::size_t offset = 0;
  std::size_t stopped_at = 0;
  bool too_deep = false;

  std::string describe() const {
    return "ok=" + std::to_string(ok) + " code=" + std::to_string(code) +
           " offset=" + std::to_string(offset) + " at=" + std::to_string(stopped_at) +
           (too_deep ? " too deep" : "") + "\n" + events;
  }
};

inline Outcome with_rapidjson(const std::string& text, int calls_left = -1) {
  BoundedStream stream{text.data(), text.data(), text.data() + text.size()};
  Recorder recorder;
  recorder.calls_left = calls_left;
  rapidjson::Reader reader;
  const rapidjson::ParseResult result =
      reader.Parse<rapidjson::kParseNumbersAsStringsFlag>(stream, recorder);
  return {recorder.events, !result.IsError(), static_cast<int>(result.Code()),
          result.Offset(), stream.Tell(),     false};
}

template <typename Reader>
Outcome outcome_of(Reader& reader, int calls_left) {
  Recorder recorder;
  recorder.calls_left = calls_left;
  const rapidjson::ParseResult result = reader.parse(recorder);
  return {recorder.events, !result.IsError(), static_cast<int>(result.Code()),
          result.Offset(), reader.offset(),   reader.too_deep()};
}

inline Outcome with_fast_reader(const std::string& text, int calls_left = -1) {
  json::FastReader<Recorder> reader(text.data(), text.size());
  return outcome_of(reader, calls_left);
}

// A text in pieces, each in a string of its own.
struct Pieces final : json::ChunkSource {
  std::vector<std::string> parts;
  std::size_t next_part = 0;
  bool next(const char*& begin, const char*& end) override {
    if (next_part == parts.size()) return false;
    const std::string& part = parts[next_part++];
    begin = part.data();
    end = part.data() + part.size();
    return true;
  }
};

// `text` read in pieces cut right after the given offsets (ascending).
inline Outcome with_pieces(const std::string& text, const std::vector<std::size_t>& cuts) {
  Pieces pieces;
  std::size_t start = 0;
  for (std::size_t cut : cuts) {
    pieces.parts.push_back(text.substr(start, cut - start));
    start = cut;
  }
  pieces.parts.push_back(text.substr(start));
  json::FastReader<Recorder> reader(nullptr, 0, &pieces);
  return outcome_of(reader, -1);
}

// The deepest nesting of `text`, strings skipped.
inline int nesting_depth(const std::string& text) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

inline std::string printable(const std::string& text) {
  std::ostringstream out;
  for (unsigned char c : text) {
    if (c >= 0x20 && c < 0x7F) {
      out << c;
    } else {
      out << "\\x" << std::hex << static_cast<int>(c) << std::dec;
    }
  }
  return out.str();
}

// "" if our reader agrees with RapidJSON on `text` (see the top of this file), else how not.
inline std::string differs_from_rapidjson(const std::string& text, int calls_left = -1) {
  const Outcome actual = with_fast_reader(text, calls_left);
  // Refused as too deep: RapidJSON has no bound (and would recurse as deep as the text).
  if (actual.too_deep) {
    if (nesting_depth(text) <= json::FastReader<Recorder>::kMaxDepth) {
      return "input: " + printable(text) + "\nrefused as too deep, but is not\n";
    }
    return {};
  }
  const Outcome expected = with_rapidjson(text, calls_left);
  bool same = expected.ok == actual.ok && expected.events == actual.events;
  if (same && kPinnedRapidJson) {
    same = expected.ok ? expected.stopped_at == actual.stopped_at
                       : expected.code == actual.code &&
                             (expected.code == rapidjson::kParseErrorTermination ||
                              expected.offset == actual.offset);
  }
  if (same) return {};
  return "input: " + printable(text) + "\nrapidjson: " + expected.describe() +
         "ours: " + actual.describe();
}

// "" if reading `text` in pieces cut after `cuts` is exactly reading it whole, else how not.
inline std::string differs_in_pieces(const std::string& text,
                                     const std::vector<std::size_t>& cuts) {
  const Outcome whole = with_fast_reader(text);
  const Outcome pieced = with_pieces(text, cuts);
  if (whole.ok == pieced.ok && whole.events == pieced.events && whole.code == pieced.code &&
      whole.offset == pieced.offset && whole.stopped_at == pieced.stopped_at &&
      whole.too_deep == pieced.too_deep) {
    return {};
  }
  std::string at;
  for (std::size_t cut : cuts) at += " " + std::to_string(cut);
  return "input: " + printable(text) + "\ncut after" + at + "\nwhole: " + whole.describe() +
         "pieces: " + pieced.describe();
}

}  // namespace erpbridge::test_support
