// Lower-case hexadecimal text of bytes (digests, signatures).
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <cstddef>
#include <string>

namespace erpbridge::internal {

inline std::string to_hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    hex += kHex[bytes[i] >> 4];
    hex += kHex[bytes[i] & 15];
  }
  return hex;
}

}  // namespace erpbridge::internal
