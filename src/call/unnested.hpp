// One step that starts the next of many calls, run without nesting. Completing a future runs
// its continuations on the completing thread, so a continuation that starts the next queued
// call, whose future is ready at once (its deadline passed, the transport closed, a mock
// answered), would complete it inside itself: N queued calls nested N deep and overflowed
// the I/O thread's stack (found at 10,000 calls whose deadline passed while they queued).
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <functional>

namespace erpbridge::internal {

/// Runs `step` now, unless this thread is already inside a step run here: then `step` runs
/// when that one returns, after the steps queued before it, on the same thread. The stack
/// holds one step at a time. If steps throw, every queued step still runs, and the first
/// exception is rethrown to the outermost caller.
void run_unnested(std::function<void()> step);

}  // namespace erpbridge::internal
