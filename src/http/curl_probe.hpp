// Test hooks of the libcurl transport: make its body callback meet an exception, so a test
// sees that nothing unwinds through libcurl and the call fails with an error instead; and
// read the I/O thread's epoll bookkeeping.
#pragma once

#include "erpbridge/version.hpp"

#include "erpbridge/core/http.hpp"

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {
namespace internal {

/// The next `count` body writes of any curl transport throw std::bad_alloc inside the
/// callback (as an allocation of the reply's buffer would).
void fail_next_body_writes(int count);

/// How many sockets the async I/O thread of `transport` (from make_curl_transport) counts as
/// in its epoll set that the set does not hold: each would leave the next socket given its
/// number unwatched. 0 without an I/O thread; -1 for another transport.
int stale_epoll_watches(HttpTransport& transport);

}  // namespace internal
}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
