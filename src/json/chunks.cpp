#include "json/chunks.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace erpbridge::json {

std::size_t JsonCutter::last_cut(const char* data, std::size_t size) {
  const char* position = data;
  const char* const end = data + size;
  std::size_t cut = std::string::npos;
  if (escaped_ && position < end) {  // the escaped byte that the last block did not hold
    ++position;
    escaped_ = false;
  }
  while (position < end) {
    const char* slow_end = end;
#if defined(__SSE2__)
    if (end - position >= 16) {
      // Quotes are dense in JSON (every few bytes) and backslashes rare: 16 bytes without a
      // backslash are settled from their quote mask alone. Quotes alternate between opening
      // and closing, so the last closing quote is the last or the second-to-last quote.
      const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(position));
      const __m128i backslash = _mm_set1_epi8('\\');
      if (_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, backslash)) == 0) {
        auto quotes =
            static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('"'))));
        if (quotes != 0) {
          const int count = __builtin_popcount(quotes);
          const bool last_closes = in_string_ != ((count - 1) % 2 == 1);
          if (!last_closes) quotes &= ~(1u << (31 - __builtin_clz(quotes)));
          if (quotes != 0) {
            cut = static_cast<std::size_t>(position - data) + 32 -
                  static_cast<std::size_t>(__builtin_clz(quotes));
          }
          in_string_ = in_string_ != (count % 2 == 1);
        }
        position += 16;
        continue;
      }
      slow_end = position + 16;  // a backslash: these 16 bytes one at a time
    }
#endif
    while (position < slow_end) {
      const char c = *position;
      if (c == '\\' && in_string_) {
        if (position + 1 == end) {
          escaped_ = true;
          return cut;
        }
        position += 2;  // may step one past slow_end: the escaped byte is settled
      } else if (c == '"') {
        in_string_ = !in_string_;
        ++position;
        if (!in_string_) cut = static_cast<std::size_t>(position - data);
      } else {
        ++position;
      }
    }
  }
  return cut;
}

}  // namespace erpbridge::json
