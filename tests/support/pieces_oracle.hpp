// RapidJSON's Reader in situ over a text in pieces (json::PieceStream, which every decode
// reads through) against the same Reader in situ over the text held whole in RapidJSON's own
// stream (InsituStringStream): what the piece stream's unit test and its differential fuzz
// target check. The Reader is the same on both sides, so everything is compared exactly:
// every event, the verdict, the error code and offset, and where the Reader stopped.
#pragma once

#include <rapidjson/rapidjson.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "json/chunks.hpp"
#include "json/piece_stream.hpp"

namespace erpbridge::test_support {

// Writes every event as one line, so two runs compare as strings.
struct Recorder {
  // Deeper texts stop the parse, as the decoder's own bound does: RapidJSON recurses once per
  // level, and the fuzzer's inputs could otherwise overflow the stack on both sides.
  static constexpr int kMaxDepth = 256;

  std::string events;
  int calls_left = -1;  // stops the parse after this many events when >= 0
  int depth = 0;

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
  bool StartObject() { return ++depth <= kMaxDepth && record("{"); }
  bool EndObject(rapidjson::SizeType members) {
    --depth;
    return record("} " + std::to_string(members));
  }
  bool StartArray() { return ++depth <= kMaxDepth && record("["); }
  bool EndArray(rapidjson::SizeType elements) {
    --depth;
    return record("] " + std::to_string(elements));
  }
};

struct Outcome {
  std::string events;
  bool ok = false;
  int code = 0;
  std::size_t offset = 0;
  std::size_t stopped_at = 0;
  bool rest = false;  // text left after where the Reader stopped (it stops at a NUL byte)

  bool operator==(const Outcome& other) const {
    return events == other.events && ok == other.ok && code == other.code &&
           offset == other.offset && stopped_at == other.stopped_at && rest == other.rest;
  }
  std::string describe() const {
    return "ok=" + std::to_string(ok) + " code=" + std::to_string(code) +
           " offset=" + std::to_string(offset) + " at=" + std::to_string(stopped_at) +
           (rest ? " text left" : "") + "\n" + events;
  }
};

constexpr unsigned kFlags = rapidjson::kParseInsituFlag | rapidjson::kParseNumbersAsStringsFlag;

// The text whole, in RapidJSON's own in-situ stream (a copy: it is overwritten, and ends in
// the NUL that stream needs).
inline Outcome whole(const std::string& original, int calls_left = -1) {
  std::string text = original;
  rapidjson::InsituStringStream stream(text.data());
  Recorder recorder;
  recorder.calls_left = calls_left;
  rapidjson::Reader reader;
  const rapidjson::ParseResult result = reader.Parse<kFlags>(stream, recorder);
  return {recorder.events, !result.IsError(), static_cast<int>(result.Code()),
          result.Offset(), stream.Tell(),     stream.Tell() < text.size()};
}

// A text in pieces, each in a heap block of exactly its size (under ASan a read past a
// piece's end is reported).
struct Pieces final : json::ChunkSource {
  std::vector<std::unique_ptr<char[]>> blocks;
  std::vector<std::size_t> sizes;
  std::size_t next_part = 0;

  void add(const char* data, std::size_t size) {
    blocks.emplace_back(new char[size == 0 ? 1 : size]);
    std::copy(data, data + size, blocks.back().get());
    sizes.push_back(size);
  }
  bool next(char*& begin, char*& end) override {
    if (next_part == blocks.size()) return false;
    if (next_part > 0) blocks[next_part - 1].reset();  // released, as PieceQueue does
    begin = blocks[next_part].get();
    end = begin + sizes[next_part];
    ++next_part;
    return true;
  }
};

// RapidJSON's Reader in situ over the given pieces, as they are.
inline Outcome in_given_pieces(const std::vector<std::string>& parts, int calls_left = -1) {
  Pieces pieces;
  for (const std::string& part : parts) pieces.add(part.data(), part.size());
  json::PieceStream stream(pieces);
  Recorder recorder;
  recorder.calls_left = calls_left;
  rapidjson::Reader reader;
  const rapidjson::ParseResult result = reader.Parse<kFlags>(stream, recorder);
  const std::size_t stopped_at = stream.Tell();
  return {recorder.events, !result.IsError(), static_cast<int>(result.Code()),
          result.Offset(), stopped_at,        !stream.at_end()};
}

// `text` in pieces cut at the given offsets (ascending; a repeated offset is an empty piece).
// The stream reads in situ: a cut that is not right after a string's closing quote is one
// the decoder's producers never make (see json::ChunkSource).
inline Outcome in_pieces(const std::string& text, const std::vector<std::size_t>& cuts,
                         int calls_left = -1) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t cut : cuts) {
    parts.push_back(text.substr(start, cut - start));
    start = cut;
  }
  parts.push_back(text.substr(start));
  return in_given_pieces(parts, calls_left);
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

// Where a text may be cut for the piece stream: right after each closing quote, found one
// character at a time (json::JsonCutter finds them faster; its test compares the two).
inline std::vector<std::size_t> closing_quotes(const std::string& text) {
  std::vector<std::size_t> cuts;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (in_string && text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      in_string = !in_string;
      if (!in_string) cuts.push_back(i + 1);
    }
  }
  return cuts;
}

// "" if reading `text` in pieces cut at `cuts` is exactly reading it whole, else how not.
inline std::string differs_in_pieces(const std::string& text, const std::vector<std::size_t>& cuts,
                                     int calls_left = -1) {
  const Outcome expected = whole(text, calls_left);
  const Outcome actual = in_pieces(text, cuts, calls_left);
  if (expected == actual) return {};
  std::string at;
  for (std::size_t cut : cuts) at += " " + std::to_string(cut);
  return "input: " + printable(text) + "\ncut at" + at + "\nwhole: " + expected.describe() +
         "pieces: " + actual.describe();
}

}  // namespace erpbridge::test_support
