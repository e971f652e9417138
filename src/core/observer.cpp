#include "erpbridge/core/observer.hpp"

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {

const char* to_string(RetryReason reason) noexcept {
  switch (reason) {
    case RetryReason::None:
      return "None";
    case RetryReason::Transport:
      return "Transport";
    case RetryReason::Timeout:
      return "Timeout";
    case RetryReason::HttpStatus:
      return "HttpStatus";
  }
  return "None";
}

bool is_valid_traceparent(std::string_view value) noexcept {
  // W3C Trace Context, level 1: version "00" is the only one whose layout is fixed; we send
  // nothing else. Ids of all zeros are invalid; hex digits are lower-case.
  if (value.size() != 55 || value.substr(0, 3) != "00-" || value[35] != '-' || value[52] != '-') {
    return false;
  }
  auto hex = [&](std::size_t from, std::size_t count) {
    bool non_zero = false;
    for (std::size_t i = from; i < from + count; ++i) {
      const char c = value[i];
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return -1;
      if (c != '0') non_zero = true;
    }
    return non_zero ? 1 : 0;
  };
  return hex(3, 32) == 1 && hex(36, 16) == 1 && hex(53, 2) >= 0;
}

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
