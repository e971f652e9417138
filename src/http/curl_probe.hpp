// A test hook of the libcurl transport: make its body callback meet an exception, so a test
// sees that nothing unwinds through libcurl and the call fails with an error instead.
#pragma once

#include "erpbridge/version.hpp"

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {
namespace internal {

/// The next `count` body writes of any curl transport throw std::bad_alloc inside the
/// callback (as an allocation of the reply's buffer would).
void fail_next_body_writes(int count);

}  // namespace internal
}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
