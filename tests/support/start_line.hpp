// Releases a group of threads at once, so that the overlap a concurrency test claims really
// happens rather than depending on how fast threads are created.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace erpbridge::test_support {

/// Each of `count` threads calls arrive_and_wait(); none leaves before all have arrived.
class StartLine {
 public:
  explicit StartLine(std::size_t count) : waiting_(count) {}

  void arrive_and_wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    if (--waiting_ == 0) {
      all_arrived_.notify_all();
      return;
    }
    all_arrived_.wait(lock, [this] { return waiting_ == 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable all_arrived_;
  std::size_t waiting_;
};

}  // namespace erpbridge::test_support
