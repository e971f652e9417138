// One thread that runs tasks when their time comes: the timers of a transport's or
// connection's default schedule() (BackgroundThreads) and the process-wide run_after(). The
// thread starts with the first timer and is joined by close().
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <pthread.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace erpbridge::internal {

class TimerThread {
 public:
  explicit TimerThread(std::string name) : state_(std::make_shared<State>()) {
    state_->name = std::move(name);
    if (state_->name.size() > 15) state_->name.resize(15);
  }
  ~TimerThread() { close(); }
  TimerThread(const TimerThread&) = delete;
  TimerThread& operator=(const TimerThread&) = delete;

  /// Runs `task` on the timer thread once `delay` has passed. After close(), `task` is
  /// dropped unrun (what it captured is released on the calling thread).
  void run_after(std::chrono::milliseconds delay, std::function<void()> task) {
    // Held here: once queued, the task may run and destroy this timer's owner before the
    // notify below.
    const std::shared_ptr<State> state = state_;
    {
      std::lock_guard<std::mutex> guard(state->mutex);
      if (state->closed) return;
      if (!state->thread.joinable()) {
        state->thread = std::thread([state] { serve(*state); });
      }
      state->timers.push(
          Timer{Clock::now() + delay, state->sequence++, std::make_shared<Task>(std::move(task))});
    }
    state->changed.notify_one();
  }

  /// Stops the thread and joins it (a task of its own that closes it is not waited for: its
  /// thread ends once the task returns). Timers not yet due are dropped unrun.
  void close() {
    std::thread thread;
    std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> dropped;
    {
      std::lock_guard<std::mutex> guard(state_->mutex);
      if (state_->closed) return;
      state_->closed = true;
      thread = std::move(state_->thread);
      dropped.swap(state_->timers);
    }
    state_->changed.notify_all();
    if (!thread.joinable()) return;
    if (thread.get_id() == std::this_thread::get_id()) {
      thread.detach();
    } else {
      thread.join();
    }
  }

 private:
  using Clock = std::chrono::steady_clock;
  using Task = std::function<void()>;
  struct Timer {
    Clock::time_point at;
    unsigned long long sequence;  // equal times run in the order they were set
    std::shared_ptr<Task> task;
    bool operator>(const Timer& other) const {
      return at != other.at ? at > other.at : sequence > other.sequence;
    }
  };
  struct State {
    std::string name;
    std::mutex mutex;
    std::condition_variable changed;
    std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers;
    unsigned long long sequence = 0;
    std::thread thread;
    bool closed = false;
  };

  static void serve(State& state) {
    pthread_setname_np(pthread_self(), state.name.c_str());
    std::unique_lock<std::mutex> lock(state.mutex);
    while (!state.closed) {
      if (state.timers.empty()) {
        state.changed.wait(lock);
        continue;
      }
      const Clock::time_point next = state.timers.top().at;
      if (Clock::now() < next) {
        state.changed.wait_until(lock, next);
        continue;
      }
      std::shared_ptr<Task> task = state.timers.top().task;
      state.timers.pop();
      lock.unlock();
      try {
        (*task)();
      } catch (...) {  // a task completes its own future with its errors; this thread goes on
      }
      task.reset();  // its captures go before the lock is taken again
      lock.lock();
    }
  }

  std::shared_ptr<State> state_;
};

}  // namespace erpbridge::internal
