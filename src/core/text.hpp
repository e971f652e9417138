// Small text helpers shared inside the library.
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <algorithm>
#include <cctype>
#include <string_view>

namespace erpbridge::internal {

/// ASCII case-insensitive equality, as HTTP header names compare.
inline bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace erpbridge::internal
