// What tests may observe of a cached token provider, so they wait on a fact instead of
// sleeping for it.
#pragma once

#include <cstddef>

#include "erpbridge/core/token.hpp"

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {
namespace internal {

/// Callers of `provider` (one from make_cached_token) now waiting for another caller's
/// fetch to finish; 0 for any other provider.
std::size_t callers_waiting_for_fetch(TokenProvider& provider);

}  // namespace internal
}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
