// Time bounds that stretch under sanitizers: scripts/sanitize sets ERPBRIDGE_TEST_TIME_SCALE
// (ASan 3, TSan 5), so an elapsed-time check still catches a missing timeout or a serial
// loop without failing on an instrumented, loaded machine.
#pragma once

#include <chrono>
#include <cstdlib>
#include <thread>

namespace erpbridge::test_support {

inline double time_scale() {
  static const double scale = [] {
    const char* text = std::getenv("ERPBRIDGE_TEST_TIME_SCALE");
    const double value = text ? std::atof(text) : 1.0;
    return value >= 1.0 ? value : 1.0;
  }();
  return scale;
}

/// `duration` times time_scale().
template <typename Rep, typename Period>
std::chrono::milliseconds scaled(std::chrono::duration<Rep, Period> duration) {
  return std::chrono::milliseconds(static_cast<long long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(duration).count() * time_scale()));
}

/// Waits until `condition` holds, checking every millisecond, for at most `limit`: a latch
/// on an observable fact (the server received the request), instead of a sleep that hopes
/// the fact happened. True if it held in time.
template <typename Condition, typename Rep, typename Period>
bool wait_until(Condition condition, std::chrono::duration<Rep, Period> limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace erpbridge::test_support
