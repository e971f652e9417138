// What every claim store shares: its tokens and the error for a claim lost to a takeover.
// Header-only, so that the store components need no internal symbol of erpbridge_wms.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "erpbridge/core/result.hpp"

namespace erpbridge::wms::claims {

/// A claim's token: 128 random bits (32 hex digits) nobody can guess or collide with, then
/// the entry code it claims, so that a store finds the claim by its key alone.
inline std::string new_token(const std::string& entry_code) {
  thread_local std::mt19937_64 engine{std::random_device{}() ^
                                      (static_cast<std::uint64_t>(std::random_device{}()) << 32)};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token(32, '0');
  for (int half = 0; half < 2; ++half) {
    std::uint64_t bits = engine();
    for (int i = 0; i < 16; ++i, bits >>= 4) token[half * 16 + i] = kHex[bits & 15];
  }
  return token + entry_code;
}

/// The entry code a token of new_token() claims ("" for anything else).
inline std::string entry_code_of(const std::string& token) {
  return token.size() > 32 ? token.substr(32) : std::string();
}

/// complete() or release() with a token whose claim was taken over after its lease.
inline Error lost() {
  return make_error(ErrorCode::FailedPrecondition,
                    "the claim is no longer held (its lease ran out and was taken over)");
}

}  // namespace erpbridge::wms::claims
