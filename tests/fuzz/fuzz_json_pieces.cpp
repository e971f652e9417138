// Differential fuzzing of the streamed decode's input: the bytes cut into pieces the way a
// streamed reply is (json::JsonCutter, fed blocks of a size the first byte picks, cuts after
// the last closing quote of each block) and read in situ by RapidJSON's Reader over
// json::PieceStream, against the same Reader over the bytes whole in RapidJSON's own in-situ
// stream (tests/support/pieces_oracle.hpp compares events, verdicts, codes and offsets).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "json/chunks.hpp"
#include "support/pieces_oracle.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(bytes), size);
  const std::size_t block = 1 + (size == 0 ? 0 : bytes[0] % 64);
  std::vector<std::size_t> cuts;
  erpbridge::json::JsonCutter cutter;
  for (std::size_t at = 0; at < size; at += block) {
    const std::size_t length = size - at < block ? size - at : block;
    const std::size_t cut = cutter.last_cut(text.data() + at, length);
    if (cut != std::string::npos) cuts.push_back(at + cut);
  }
  const std::string difference = erpbridge::test_support::differs_in_pieces(text, cuts);
  if (!difference.empty()) {
    std::fprintf(stderr, "%s\n", difference.c_str());
    std::abort();
  }
  return 0;
}
