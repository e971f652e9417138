// A wall clock the test moves by hand: a lease runs out when the test says so, not when a
// loaded machine gets round to the next statement.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>

namespace erpbridge::test_support {

class ManualClock {
 public:
  // Starts at the real time, so durations computed against the real clock stay sane.
  ManualClock() : state_(std::make_shared<State>()) {
    state_->now = std::chrono::system_clock::now();
  }

  std::chrono::system_clock::time_point now() const {
    std::lock_guard<std::mutex> guard(state_->mutex);
    return state_->now;
  }
  template <typename Rep, typename Period>
  void advance(std::chrono::duration<Rep, Period> by) {
    std::lock_guard<std::mutex> guard(state_->mutex);
    state_->now += std::chrono::duration_cast<std::chrono::system_clock::duration>(by);
  }
  // The clock as the SDK takes it; it shares this clock's state (copies stay in step).
  std::function<std::chrono::system_clock::time_point()> function() const {
    auto state = state_;
    return [state] {
      std::lock_guard<std::mutex> guard(state->mutex);
      return state->now;
    };
  }

 private:
  struct State {
    std::mutex mutex;
    std::chrono::system_clock::time_point now;
  };
  std::shared_ptr<State> state_;
};

}  // namespace erpbridge::test_support
