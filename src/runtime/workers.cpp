// Background threads: those an object owns (BackgroundThreads), and the process-wide ones
// behind run_on_worker_pool() and run_after(), which the SDK itself no longer uses: started
// on first use, never torn down (a thread joined during static destruction could still be
// needed by another static's destructor; the threads idle on a condition variable instead).
#include "erpbridge/core/background.hpp"
#include "erpbridge/core/future.hpp"

#include "runtime/thread_pool.hpp"
#include "runtime/timer_thread.hpp"

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {

// Declared in this order so that the destructor closes the timer first: a timer that fires
// while the workers are closed may still hand them work, which then runs on its own thread.
struct BackgroundThreads::Threads {
  internal::ThreadPool workers{"erpbridge-work", 64};
  internal::TimerThread timer{"erpbridge-timer"};
};

BackgroundThreads::BackgroundThreads() noexcept = default;

BackgroundThreads::~BackgroundThreads() {
  std::unique_ptr<Threads> threads;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    threads = std::move(threads_);
  }
  if (!threads) return;
  threads->timer.close();
  threads->workers.close();
}

BackgroundThreads::Threads& BackgroundThreads::threads() {
  std::lock_guard<std::mutex> guard(mutex_);
  if (!threads_) threads_ = std::make_unique<Threads>();
  return *threads_;
}

void BackgroundThreads::run(std::function<void()> work) {
  threads().workers.run(std::move(work));
}

void BackgroundThreads::run_after(std::chrono::milliseconds delay, std::function<void()> task) {
  threads().timer.run_after(delay, std::move(task));
}

namespace {

BackgroundThreads& process_threads() {
  static auto* threads = new BackgroundThreads();  // never destroyed
  return *threads;
}

}  // namespace

void run_on_worker_pool(std::function<void()> work) {
  process_threads().run(std::move(work));
}

void run_after(std::chrono::milliseconds delay, std::function<void()> task) {
  process_threads().run_after(delay, std::move(task));
}

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
