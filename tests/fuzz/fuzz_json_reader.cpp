// Differential fuzzing of our JSON reader (src/json/reader.hpp): against RapidJSON's own
// Reader on the same bytes (tests/support/reader_oracle.hpp says what is compared), and
// against itself reading the bytes in the pieces a streamed reply is cut into (after
// closing quotes, found by json::JsonCutter in blocks of a size the first byte picks).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "json/chunks.hpp"
#include "support/reader_oracle.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(bytes), size);
  std::string difference = erpbridge::test_support::differs_from_rapidjson(text);
  if (difference.empty()) {
    const std::size_t block = 1 + (size == 0 ? 0 : bytes[0] % 64);
    std::vector<std::size_t> cuts;
    erpbridge::json::JsonCutter cutter;
    for (std::size_t at = 0; at < size; at += block) {
      const std::size_t length = size - at < block ? size - at : block;
      const std::size_t cut = cutter.last_cut(text.data() + at, length);
      if (cut != std::string::npos) cuts.push_back(at + cut);
    }
    difference = erpbridge::test_support::differs_in_pieces(text, cuts);
  }
  if (!difference.empty()) {
    std::fprintf(stderr, "%s\n", difference.c_str());
    std::abort();
  }
  return 0;
}
