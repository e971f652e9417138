// The one pool type behind the SDK's background threads: the worker pool, the streamed-reply
// decoders, and each client's completion and event threads. Threads start on demand, idle on
// a condition variable between tasks, and are joined when the pool is closed.
//
// A new thread starts whenever the queued tasks outnumber the idle threads (up to the bound):
// counting both under one lock is what keeps two tasks handed over back to back from being
// promised the same idle thread. Decoders rely on that: each stream's producer may block on a
// full queue until its own decoder runs, so a stream must never wait behind another one.
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <pthread.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace erpbridge::internal {

class ThreadPool {
  struct State;

 public:
  /// While one lives on a thread, the tasks that thread queues to pools made with
  /// `batched_wakeups` wake each pool's idle threads once, when it ends, instead of once per
  /// task. The I/O thread keeps one for each turn of its loop: a turn completes several
  /// calls, and each wake-up cost it a system call and the woken thread a sleep and a wake.
  /// The thread must not wait for such a task before the batch ends (the I/O thread waits
  /// only in epoll, after it).
  class WakeBatch {
   public:
    WakeBatch() : outer_(current()) { current() = this; }
    ~WakeBatch() {
      current() = outer_;
      for (auto& [state, tasks] : pending_) {
        if (tasks == 1) {
          state->ready.notify_one();
        } else {
          state->ready.notify_all();
        }
      }
    }
    WakeBatch(const WakeBatch&) = delete;
    WakeBatch& operator=(const WakeBatch&) = delete;

   private:
    friend class ThreadPool;
    static WakeBatch*& current() {
      static thread_local WakeBatch* batch = nullptr;
      return batch;
    }
    // Keeps `state` (its condition variable) alive until the wake-up. False if it could not
    // (out of memory): the caller wakes the pool at once instead.
    bool defer(const std::shared_ptr<State>& state) noexcept {
      for (auto& [pending, tasks] : pending_) {
        if (pending == state) {
          ++tasks;
          return true;
        }
      }
      try {
        pending_.emplace_back(state, 1);
      } catch (...) {
        return false;
      }
      return true;
    }

    WakeBatch* outer_;
    std::vector<std::pair<std::shared_ptr<State>, std::size_t>> pending_;
  };

  /// `name` shows in ps and debuggers (cut to the kernel's 15 characters); `max_threads` 0
  /// means no bound (every task gets a thread of its own when none is idle). With one
  /// thread, tasks run in the order they were queued.
  /// `batched_wakeups`: tasks queued under a WakeBatch wake the pool when the batch ends.
  ThreadPool(std::string name, std::size_t max_threads, bool batched_wakeups = false)
      : state_(std::make_shared<State>()) {
    state_->name = std::move(name);
    if (state_->name.size() > 15) state_->name.resize(15);
    state_->max_threads = max_threads;
    state_->batched_wakeups = batched_wakeups;
  }
  /// Closes it (see close()). The SDK's process-wide pools are never destroyed (a static's
  /// destructor may still queue work); a client's are.
  ~ThreadPool() { close(); }
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  /// Queues `task`. After close() it runs on the calling thread instead: a late task (of a
  /// call that outlived its client) still runs, with no thread left to run it.
  void run(std::function<void()> task) {
    if (!try_run(task)) run_contained(task);
  }

  /// Queues `task` and returns true; after close(), returns false with `task` untouched (for
  /// a caller that must not run it on its own thread: a decoder on the thread that feeds it).
  bool try_run(std::function<void()>& task) {
    // Held here: once queued, the task may run and destroy this pool's owner before the
    // notify below.
    const std::shared_ptr<State> state = state_;
    std::unique_lock<std::mutex> lock(state->mutex);
    if (state->closed) return false;
    state->tasks.push_back(std::move(task));
    const bool below_bound = state->max_threads == 0 || state->threads.size() < state->max_threads;
    if (state->tasks.size() > state->idle && below_bound) {
      state->threads.emplace_back([state] { serve(*state); });
      return true;
    }
    lock.unlock();
    WakeBatch* batch = state->batched_wakeups ? WakeBatch::current() : nullptr;
    if (batch == nullptr || !batch->defer(state)) state->ready.notify_one();
    return true;
  }

  /// Runs what is queued, then joins every thread; later tasks run on their caller's thread.
  /// Called by a task of this pool (one that dropped the pool's owner), it does not wait for
  /// that task's own thread, which ends once the queue is empty (it shares the queue, which
  /// outlives the pool).
  void close() {
    std::vector<std::thread> threads;
    {
      std::lock_guard<std::mutex> guard(state_->mutex);
      if (state_->closed) return;
      state_->closed = true;
      threads.swap(state_->threads);
    }
    state_->ready.notify_all();
    for (std::thread& thread : threads) {
      if (thread.get_id() == std::this_thread::get_id()) {
        thread.detach();
      } else {
        thread.join();
      }
    }
  }

  /// Threads running now (for tests).
  std::size_t threads() const {
    std::lock_guard<std::mutex> guard(state_->mutex);
    return state_->threads.size();
  }

 private:
  struct State {
    std::string name;
    std::size_t max_threads = 0;
    std::mutex mutex;
    std::condition_variable ready;
    std::deque<std::function<void()>> tasks;
    std::vector<std::thread> threads;
    std::size_t idle = 0;
    bool closed = false;
    bool batched_wakeups = false;
  };

  // A task completes its own future with any error it meets; one that throws anyway must not
  // end the thread (std::terminate) or leave its pool a thread short.
  static void run_contained(std::function<void()>& task) noexcept {
    try {
      task();
    } catch (...) {
    }
  }

  static void serve(State& state) {
    pthread_setname_np(pthread_self(), state.name.c_str());
    std::unique_lock<std::mutex> lock(state.mutex);
    for (;;) {
      ++state.idle;
      state.ready.wait(lock, [&] { return !state.tasks.empty() || state.closed; });
      --state.idle;
      if (state.tasks.empty()) return;  // closed, and everything queued has run
      std::function<void()> task = std::move(state.tasks.front());
      state.tasks.pop_front();
      lock.unlock();
      run_contained(task);
      task = nullptr;  // its captures go before the lock is taken again
      lock.lock();
    }
  }

  std::shared_ptr<State> state_;
};

}  // namespace erpbridge::internal
