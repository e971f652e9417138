// Small text helpers shared inside the library.
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <algorithm>
#include <string_view>

namespace erpbridge::internal {

/// The ASCII lower case of `c`; any other byte unchanged (std::tolower follows the locale:
/// under tr_TR, 'I' is not 'i').
inline char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

/// ASCII case-insensitive equality, as HTTP header names compare.
inline bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

}  // namespace erpbridge::internal
