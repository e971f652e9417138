// Well-formed UTF-8 as Unicode defines it, checked fast: the decoder refuses anything else,
// and the encoder's Writer::Text replaces it.
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <cstddef>

namespace erpbridge::json {

// Well-formed UTF-8 as Unicode defines it (table 3-7): no overlong forms, no surrogates,
// nothing above U+10FFFF. Checked here rather than by RapidJSON's per-character
// kParseValidateEncodingFlag: ASCII, most of every payload, is skipped eight bytes at a time.
// The length of the well-formed multi-byte UTF-8 sequence at `p` (lead byte >= 0x80), or 0.
inline std::size_t sequence_length(const unsigned char* p, const unsigned char* end) {
  const unsigned char lead = *p;
  if ((lead & 0xF0) == 0xE0) {  // three bytes: Chinese text, the common case here
    if (end - p < 3) return 0;
    const unsigned char low = lead == 0xE0 ? 0xA0 : 0x80;   // overlong
    const unsigned char high = lead == 0xED ? 0x9F : 0xBF;  // surrogates
    return p[1] < low || p[1] > high || (p[2] & 0xC0) != 0x80 ? 0 : 3;
  }
  if (lead >= 0xC2 && lead <= 0xDF) return end - p < 2 || (p[1] & 0xC0) != 0x80 ? 0 : 2;
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (end - p < 4) return 0;
    const unsigned char low = lead == 0xF0 ? 0x90 : 0x80;   // overlong
    const unsigned char high = lead == 0xF4 ? 0x8F : 0xBF;  // above U+10FFFF
    const bool bad = p[1] < low || p[1] > high || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80;
    return bad ? 0 : 4;
  }
  return 0;
}

/// Whether `size` bytes at `text` are well-formed UTF-8.
bool valid_utf8(const char* text, std::size_t size);

}  // namespace erpbridge::json
