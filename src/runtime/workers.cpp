// The SDK's worker pool and timer thread: process-wide, started on first use, never torn
// down (a thread joined during static destruction could still be needed by another static's
// destructor; the threads idle on a condition variable instead).
#include "erpbridge/core/future.hpp"

#include "runtime/thread_pool.hpp"

#include <pthread.h>

#include <condition_variable>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {
namespace {

using Clock = std::chrono::steady_clock;

class TimerThread {
 public:
  void run_after(std::chrono::milliseconds delay, std::function<void()> task) {
    {
      std::lock_guard<std::mutex> guard(mutex_);
      if (!started_) {
        started_ = true;
        std::thread([this] { serve(); }).detach();
      }
      timers_.push(Timer{Clock::now() + delay, sequence_++, std::move(task)});
    }
    changed_.notify_one();
  }

 private:
  struct Timer {
    Clock::time_point at;
    unsigned long long sequence;  // equal times run in the order they were set
    std::function<void()> task;
    bool operator>(const Timer& other) const {
      return at != other.at ? at > other.at : sequence > other.sequence;
    }
  };

  void serve() {
    pthread_setname_np(pthread_self(), "erpbridge-timer");
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      if (timers_.empty()) {
        changed_.wait(lock);
        continue;
      }
      const Clock::time_point next = timers_.top().at;
      if (Clock::now() < next) {
        changed_.wait_until(lock, next);
        continue;
      }
      std::function<void()> task = std::move(const_cast<Timer&>(timers_.top()).task);
      timers_.pop();
      lock.unlock();
      task();
      task = nullptr;
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  unsigned long long sequence_ = 0;
  bool started_ = false;
};

// A new thread when every one is busy, up to 64; beyond that, work queues.
internal::ThreadPool& workers() {
  static auto* pool = new internal::ThreadPool("erpbridge-work", 64);  // never destroyed
  return *pool;
}

TimerThread& timers() {
  static TimerThread* thread = new TimerThread();
  return *thread;
}

}  // namespace

void run_on_worker_pool(std::function<void()> work) {
  workers().run(std::move(work));
}

void run_after(std::chrono::milliseconds delay, std::function<void()> task) {
  timers().run_after(delay, std::move(task));
}

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
