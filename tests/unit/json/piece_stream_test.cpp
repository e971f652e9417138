// RapidJSON's Reader in situ over json::PieceStream (a text in pieces, as a streamed reply
// arrives, cut after closing quotes) against the same Reader over the text held whole in
// RapidJSON's own in-situ stream: for every input and every way of cutting it, the same events,
// the same verdict, the same error code at the same offset and the same stopping point.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "json/chunks.hpp"
#include "support/pieces_oracle.hpp"

using erpbridge::test_support::closing_quotes;
using erpbridge::test_support::differs_in_pieces;
using erpbridge::test_support::printable;

namespace {

// Returns 1 if reading `text` cut after every `every`-th closing quote differs from reading
// it whole, for a few values of `every`.
int compare_every(const std::string& text) {
  const std::vector<std::size_t> quotes = closing_quotes(text);
  for (std::size_t every : {1, 2, 3, 7}) {
    std::vector<std::size_t> cuts;
    for (std::size_t i = every - 1; i < quotes.size(); i += every) cuts.push_back(quotes[i]);
    const std::string difference = differs_in_pieces(text, cuts);
    if (!difference.empty()) {
      UNSCOPED_INFO(difference);
      return 1;
    }
  }
  return 0;
}

// Returns 1 if reading `text` cut after a few closing quotes picked at random (some twice: an
// empty piece) differs.
int compare_random_cuts(const std::string& text, std::mt19937& random) {
  const std::vector<std::size_t> quotes = closing_quotes(text);
  std::vector<std::size_t> cuts;
  const std::size_t count = quotes.empty() ? 0 : random() % 6;
  for (std::size_t i = 0; i < count; ++i) cuts.push_back(quotes[random() % quotes.size()]);
  std::sort(cuts.begin(), cuts.end());
  const std::string difference = differs_in_pieces(text, cuts);
  if (difference.empty()) return 0;
  UNSCOPED_INFO(difference);
  return 1;
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

TEST_CASE("PieceStream reads hand-written cases in pieces exactly as the whole text") {
  int differences = 0;
  for (const std::string& text : hand_written_cases()) differences += compare_every(text);
  CHECK(differences == 0);
}

TEST_CASE("PieceStream reads the fuzz corpus in pieces exactly as the whole text") {
  const std::vector<std::string> texts = corpus_files();
  REQUIRE(texts.size() > 20);
  int differences = 0;
  for (const std::string& text : texts) differences += compare_every(text);
  CHECK(differences == 0);
}

TEST_CASE("PieceStream reads mutated inputs in random pieces exactly as the whole text") {
  std::vector<std::string> seeds = corpus_files();
  for (const std::string& text : hand_written_cases()) seeds.push_back(text);
  seeds.push_back(R"({"a\"b":"c\\","d":["e\"",1.5,"\u4e2d\ud83d\ude00",true],"f":""})");
  std::mt19937 random(20261122);
  int differences = 0;
  for (int round = 0; round < 40000 && differences < 5; ++round) {
    const std::string& seed = seeds[random() % seeds.size()];
    // Long seeds are cut to a window so that edits fall near where parsing happens.
    const std::string text = mutate(seed.size() > 600 ? seed.substr(0, 600) : seed, random);
    differences += compare_random_cuts(text, random);
  }
  CHECK(differences == 0);
}

TEST_CASE("PieceStream: empty pieces, a number after a cut, and a NUL between pieces") {
  const std::string text = R"({"name":"\u4e2d文","amount":-12.5e3,"ok":true,"none":null})";
  int differences = 0;
  for (std::size_t at : closing_quotes(text)) {
    differences += differs_in_pieces(text, {at}).empty() ? 0 : 1;
    differences += differs_in_pieces(text, {at, at}).empty() ? 0 : 1;
  }
  CHECK(differences == 0);
  // A NUL ends the text for the Reader, and the stream says text is left after it.
  const std::string with_nul = std::string("{\"a\":\"b\"}") + '\0' + "{}";
  const auto pieces = erpbridge::test_support::in_pieces(with_nul, {8});
  CHECK(pieces.ok);
  CHECK(pieces.stopped_at == 9);
  CHECK(pieces.rest);
  CHECK(differs_in_pieces(with_nul, {8}).empty());
}

TEST_CASE("PieceStream will not carry a string into the next piece: it reports it unterminated") {
  // A producer that cut inside a string broke ChunkSource's rule; the stream must not write
  // the string's unescaped text across two pieces (the first may be gone already).
  const std::string text = R"(["abc\ndef","x"])";
  for (std::size_t at = 2; at < 11; ++at) {
    const auto outcome = erpbridge::test_support::in_pieces(text, {at});
    CHECK_FALSE(outcome.ok);
    if (text[at - 1] == '\\') {  // cut inside the escape: the escape is what is cut short
      CHECK(outcome.code == rapidjson::kParseErrorStringEscapeInvalid);
      CHECK(outcome.offset == at - 1);
    } else {
      CHECK(outcome.code == rapidjson::kParseErrorStringMissQuotationMark);
      CHECK(outcome.offset == at);
    }
  }
}

TEST_CASE("PieceStream will not read a number or a literal across pieces") {
  using erpbridge::test_support::in_given_pieces;
  // A piece that does not end in a quote ends the text for the Reader: what it cut short is
  // refused, never read on from the next piece (and never from a released one).
  const auto split_number = in_given_pieces({"[1", "2]"});
  CHECK_FALSE(split_number.ok);
  CHECK(split_number.code == rapidjson::kParseErrorArrayMissCommaOrSquareBracket);
  CHECK(split_number.offset == 2);
  CHECK(split_number.events == "[\nnumber 1\n");
  const auto number_at_end = in_given_pieces({"[12", "]"});
  CHECK_FALSE(number_at_end.ok);
  CHECK(number_at_end.offset == 3);
  CHECK_FALSE(in_given_pieces({"[tr", "ue]"}).ok);
  // Text after a number that ended its piece is text left over, not more of the number.
  const auto two_roots = in_given_pieces({"12", "34"});
  CHECK(two_roots.ok);
  CHECK(two_roots.events == "number 12\n");
  CHECK(two_roots.rest);
  // A root number, then empty pieces: the whole text.
  const auto root_number = in_given_pieces({"123", "", ""});
  CHECK(root_number.ok);
  CHECK(root_number.events == "number 123\n");
  CHECK_FALSE(root_number.rest);
  const auto string_then_empty = in_given_pieces({"[\"a\"", "", ",-0.5e1]"});
  CHECK(string_then_empty.ok);
  CHECK(string_then_empty.events == "[\nstring a\nnumber -0.5e1\n] 2\n");
}

TEST_CASE("PieceStream stops where the handler does, as over the whole text") {
  const std::string text = "{\"a\":[1,\"x\",null,true,{\"b\":\"\\u4e2d\"}],\"c\":{},\"d\":[]}";
  const std::vector<std::size_t> cuts = closing_quotes(text);
  int differences = 0;
  for (int calls = 0; calls < 20; ++calls) {
    differences += differs_in_pieces(text, cuts, calls).empty() ? 0 : 1;
  }
  CHECK(differences == 0);
}

TEST_CASE("JsonCutter cuts right after the quotes that close strings, whatever the blocks") {
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
