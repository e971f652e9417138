// The threads an object starts for its own background work, and joins when it ends.
#pragma once

#include "erpbridge/core/export.hpp"
#include "erpbridge/version.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {

/// Worker threads (up to 64, started on demand; further work queues) and one timer thread,
/// named erpbridge-work and erpbridge-timer, owned by one object: what an HttpTransport's
/// default send_async() and schedule() and a Connection's default async methods run on.
/// No thread starts before the first use. The destructor runs the work queued already,
/// drops timers not yet due, and joins every thread; called from one of its own threads
/// (a task that let go of the owner's last reference), it does not wait for that thread,
/// which ends when its task returns.
class ERPBRIDGE_CORE_EXPORT BackgroundThreads {
 public:
  BackgroundThreads() noexcept;
  ~BackgroundThreads();
  BackgroundThreads(const BackgroundThreads&) = delete;
  BackgroundThreads& operator=(const BackgroundThreads&) = delete;

  /// Runs `work` on a worker thread.
  void run(std::function<void()> work);
  /// Runs `task` on the timer thread once `delay` has passed; `task` must be quick (it may
  /// hand longer work to run()).
  void run_after(std::chrono::milliseconds delay, std::function<void()> task);

 private:
  struct Threads;
  Threads& threads();  // created on first use

  std::mutex mutex_;
  std::unique_ptr<Threads> threads_;
};

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
