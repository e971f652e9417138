#include "json/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace erpbridge::json {

bool valid_utf8(const char* text, std::size_t size) {
  const auto* p = reinterpret_cast<const unsigned char*>(text);
  const auto* end = p + size;
  while (p < end) {
    while (end - p >= 8) {
      std::uint64_t chunk;
      std::memcpy(&chunk, p, sizeof chunk);
      if ((chunk & 0x8080808080808080ULL) != 0) break;
      p += 8;
    }
    if (p == end) break;
    if (*p < 0x80) {
      ++p;
      continue;
    }
    const std::size_t length = sequence_length(p, end);
    if (length == 0) return false;
    p += length;
  }
  return true;
}

}  // namespace erpbridge::json
