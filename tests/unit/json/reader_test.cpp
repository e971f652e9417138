// FastReader against RapidJSON's own Reader: for every input, the same events, the same
// verdict, the same error code at the same offset and the same stopping point.
#include <rapidjson/reader.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "json/chunks.hpp"
#include "json/reader.hpp"
#include "support/reader_oracle.hpp"

using erpbridge::test_support::differs_from_rapidjson;
using erpbridge::test_support::differs_in_pieces;
using erpbridge::test_support::printable;
using erpbridge::test_support::Recorder;

namespace {

// Returns how many inputs differed (and reports them).
int compare(const std::string& text, int calls_left = -1) {
  const std::string difference = differs_from_rapidjson(text, calls_left);
  if (!difference.empty()) UNSCOPED_INFO(difference);
  return difference.empty() ? 0 : 1;
}

// Returns 1 if reading `text` in pieces cut after every `every`-th double quote (wherever it
// is: opening or closing a string, escaped or not) differs from reading it whole.
int compare_pieces(const std::string& text) {
  for (int every : {1, 2, 3, 7}) {
    std::vector<std::size_t> cuts;
    int quotes = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '"' && ++quotes % every == 0) cuts.push_back(i + 1);
    }
    const std::string difference = differs_in_pieces(text, cuts);
    if (!difference.empty()) {
      UNSCOPED_INFO(difference);
      return 1;
    }
  }
  return 0;
}

const std::vector<std::string>& hand_written_cases() {
  static const std::vector<std::string> cases = {
      "",
      " ",
      "\t\r\n ",
      "{}",
      "[]",
      " {} ",
      "{} x",
      "{}{}",
      "[1,2,3]",
      "[1,]",
      "[,1]",
      "{,}",
      "{\"a\":1,}",
      "{\"a\" 1}",
      "{\"a\":}",
      "{\"a\":1 \"b\":2}",
      "{1:2}",
      "[1 2]",
      "[",
      "{",
      "{\"a\"",
      "{\"a\":",
      "[1",
      "null",
      "nul",
      "nulx",
      "true",
      "tru",
      "false",
      "fals",
      "falsey",
      "0",
      "-0",
      "01",
      "-01",
      "1.",
      "1.5",
      "-1.5e3",
      ".5",
      "-",
      "-a",
      "+1",
      "1e",
      "1e+",
      "1e-",
      "1E5",
      "1e400",
      "-1e309",
      "1.5e308",
      "1e308",
      "1e-400",
      "0.0000001e310",
      "12345678901234567890",
      "123456789012345678901234567890",
      "-9223372036854775809",
      "18446744073709551616",
      "1e99999999999999",
      "1e-99999999999999",
      std::string(400, '9'),
      "[" + std::string(320, '9') + ".5e1]",
      "\"\"",
      "\"abc\"",
      "\"abc",
      "\"a\\\"b\"",
      "\"\\\\\"",
      "\"\\/\\b\\f\\n\\r\\t\"",
      "\"\\x\"",
      "\"\\u0041\"",
      "\"\\u00e9\\u4e2d\"",
      "\"\\u004\"",
      "\"\\u00G1\"",
      "\"\\ud83d\\ude00\"",
      "\"\\ud83d\"",
      "\"\\ud83dx\"",
      "\"\\ud83d\\u0041\"",
      "\"\\ude00\"",
      "\"\\u0000\"",
      "\"a\tb\"",
      "\"a\nb\"",
      std::string("\"a\0b\"", 5),
      std::string("{\"a\":1}\0junk", 12),
      std::string("\0", 1),
      std::string(" \0 {}", 5),
      "\"仓库名称\"",
      "{\"仓库\":\"中文\"}",
      "\"\xff\xfe\"",
      "\"0123456789abcdefghij\\n0123456789abcdef\"",
      "\"" + std::string(100, 'x') + "\"",
      "\"" + std::string(100, 'x') + "\\u4e2d" + std::string(40, 'y') + "\"",
      "{\"k\":[{\"a\":null,\"b\":true,\"c\":false,\"d\":\"x\",\"e\":-1.25}]}",
      "[[[[[[[[[[]]]]]]]]]]",
      "[[[[[[[[[[]]]]]]]]]",
      "\"\\",
      "\"\\u",
      "\"\\ud83d\\",
      "{\"a\":1}   ",
      "  [ 1 , 2 ]  ",
      "[\"\\u00\"]",
      "[1e5x]",
      "[1.e5]",
      "[-]",
      "[--1]",
      "[0x10]",
      "[Infinity]",
      "[NaN]",
      "[1,2,]",
      "{\"a\":1,\"a\":2}"};
  return cases;
}

std::vector<std::string> corpus_files() {
  std::vector<std::string> texts;
  for (const char* folder : {"corpus", "regressions"}) {
    const std::filesystem::path root = std::filesystem::path(ERPBRIDGE_FUZZ_DIR) / folder;
    if (!std::filesystem::exists(root)) continue;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      texts.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
  return texts;
}

// Small edits that tend to land on the parser's error paths.
std::string mutate(const std::string& text, std::mt19937& random) {
  static const std::string alphabet = "{}[]\":,\\u0123456789abefnrtlsE+-. \t\n\x01\xe4";
  std::string out = text;
  const int edits = 1 + static_cast<int>(random() % 3);
  for (int i = 0; i < edits; ++i) {
    const std::size_t at = out.empty() ? 0 : random() % (out.size() + 1);
    const char c = random() % 16 == 0 ? '\0' : alphabet[random() % alphabet.size()];
    switch (random() % 4) {
      case 0:  // insert
        out.insert(out.begin() + static_cast<std::ptrdiff_t>(at), c);
        break;
      case 1:  // replace
        if (at < out.size()) out[at] = c;
        break;
      case 2:  // delete
        if (at < out.size()) out.erase(at, 1);
        break;
      default:  // truncate
        out.resize(at);
        break;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("FastReader agrees with RapidJSON on hand-written cases") {
  int differences = 0;
  for (const std::string& text : hand_written_cases()) differences += compare(text);
  CHECK(differences == 0);
}

TEST_CASE("FastReader agrees with RapidJSON on the fuzz corpus") {
  const std::vector<std::string> texts = corpus_files();
  REQUIRE(texts.size() > 20);
  int differences = 0;
  for (const std::string& text : texts) differences += compare(text);
  CHECK(differences == 0);
}

TEST_CASE("FastReader agrees with RapidJSON on mutated inputs") {
  std::vector<std::string> seeds = corpus_files();
  for (const std::string& text : hand_written_cases()) seeds.push_back(text);
  std::mt19937 random(20261122);
  int differences = 0;
  for (int round = 0; round < 40000 && differences < 5; ++round) {
    const std::string& seed = seeds[random() % seeds.size()];
    // Long seeds are cut to a window so that edits fall near where parsing happens.
    std::string text = seed.size() > 600 ? seed.substr(0, 600) : seed;
    differences += compare(mutate(text, random));
  }
  CHECK(differences == 0);
}

TEST_CASE("FastReader reads a text in pieces cut after quotes exactly as it reads it whole") {
  std::vector<std::string> texts = corpus_files();
  for (const std::string& text : hand_written_cases()) texts.push_back(text);
  texts.push_back(R"({"a\"b":"c\\","d":["e\"",1.5,"\u4e2d\ud83d\ude00",true],"f":"")");
  int differences = 0;
  for (const std::string& text : texts) differences += compare_pieces(text);
  std::mt19937 random(20261130);
  for (int round = 0; round < 20000 && differences < 5; ++round) {
    const std::string& seed = texts[random() % texts.size()];
    std::string text = seed.size() > 600 ? seed.substr(0, 600) : seed;
    differences += compare_pieces(mutate(text, random));
  }
  CHECK(differences == 0);
}

TEST_CASE("JsonCutter cuts right after the quotes that close strings, whatever the blocks") {
  // The closing quotes, found one character at a time.
  auto closing_quotes = [](const std::string& text) {
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
  };
  std::vector<std::string> texts = corpus_files();
  texts.push_back(R"({"a\\":"\"","b":"\\\"x","c":["","\\",1]})");
  std::mt19937 random(7);
  int differences = 0;
  for (const std::string& text : texts) {
    const std::vector<std::size_t> expected = closing_quotes(text);
    for (int round = 0; round < 4; ++round) {
      erpbridge::json::JsonCutter cutter;
      std::size_t start = 0;
      while (start < text.size()) {
        const std::size_t size = std::min<std::size_t>(text.size() - start, 1 + random() % 40);
        const std::size_t cut = cutter.last_cut(text.data() + start, size);
        std::size_t want = std::string::npos;
        for (std::size_t at : expected) {
          if (at > start && at <= start + size) want = at - start;
        }
        if (cut != want) {
          UNSCOPED_INFO("input: " << printable(text) << "\nblock at " << start << " size " << size
                                  << ": cut " << cut << ", expected " << want);
          ++differences;
          break;
        }
        start += size;
      }
    }
  }
  CHECK(differences == 0);
}

TEST_CASE("FastReader refuses nesting deeper than its bound itself, whole or in pieces") {
  using Reader = erpbridge::json::FastReader<Recorder>;
  const auto bound = static_cast<std::size_t>(Reader::kMaxDepth);
  // At the bound: accepted, as RapidJSON accepts it.
  CHECK(differs_from_rapidjson(std::string(bound, '[') + std::string(bound, ']')).empty());
  // One level more: refused at the bracket that goes too deep, without asking RapidJSON.
  const std::string deeper = std::string(bound + 1, '[') + std::string(bound + 1, ']');
  const auto outcome = erpbridge::test_support::with_fast_reader(deeper);
  CHECK_FALSE(outcome.ok);
  CHECK(outcome.too_deep);
  CHECK(outcome.offset == bound);
  CHECK(differs_from_rapidjson(deeper).empty());
  CHECK(differs_in_pieces(deeper, {100, 513, 700}).empty());
  // A million levels: refused just the same, the stack never deeper than the bound.
  CHECK(erpbridge::test_support::with_fast_reader(std::string(1000000, '[')).too_deep);
}

TEST_CASE("FastReader stops when the handler does, as RapidJSON does") {
  const std::string text = "{\"a\":[1,\"x\",null,true,{\"b\":\"\\u4e2d\"}],\"c\":{},\"d\":[]}";
  int differences = 0;
  for (int calls = 0; calls < 20; ++calls) differences += compare(text, calls);
  CHECK(differences == 0);
}

TEST_CASE("FastReader never reads past the end of its input") {
  // Each text sits at the very end of a heap block of its own size: under ASan a read one byte
  // past it is reported.
  for (const std::string& text : hand_written_cases()) {
    std::unique_ptr<char[]> exact(new char[text.size()]);
    std::memcpy(exact.get(), text.data(), text.size());
    Recorder recorder;
    erpbridge::json::FastReader<Recorder> reader(exact.get(), text.size());
    reader.parse(recorder);
    CHECK(reader.offset() <= text.size());
  }
}
