// The outcome of an asynchronous call: Future<T> completes once with a Result<T>. Wait for it
// (get, wait_for), chain a continuation (then), or cancel it. Every async method of the SDK
// returns one.
#pragma once

#include "erpbridge/core/export.hpp"
#include "erpbridge/version.hpp"

#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "erpbridge/core/result.hpp"

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {

/// Runs a continuation somewhere: on a thread pool, an event loop's queue (asio::post), ...
using Executor = std::function<void(std::function<void()> work)>;

template <typename T>
class Future;
template <typename T>
class Promise;

namespace detail {

/// What a Future and its Promise share.
template <typename T>
struct FutureState {
  std::mutex mutex;
  std::condition_variable completed_cv;
  std::optional<Result<T>> result;
  bool taken = false;                           // get() moved the result out
  std::function<void(Result<T>)> continuation;  // then(), at most one
  std::function<void()> canceller;              // set by the producer
  bool cancel_requested = false;

  // The first completion wins; later ones are dropped. The continuation, if any, runs on
  // the completing thread, outside the lock.
  bool complete(Result<T> outcome) {
    std::function<void(Result<T>)> next;
    {
      std::lock_guard<std::mutex> guard(mutex);
      if (result.has_value() || taken) return false;
      canceller = nullptr;  // nothing left to cancel
      if (continuation) {
        next = std::move(continuation);
        continuation = nullptr;
        taken = true;
      } else {
        result.emplace(std::move(outcome));
      }
    }
    completed_cv.notify_all();
    if (next) next(std::move(outcome));
    return true;
  }
};

/// Shared by the copies of one Promise: when the last goes without completing the future,
/// the future completes with Cancelled instead of leaving get() waiting for ever.
template <typename T>
struct Producer {
  std::shared_ptr<FutureState<T>> state;
  explicit Producer(std::shared_ptr<FutureState<T>> s) : state(std::move(s)) {}
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;
  ~Producer() {
    state->complete(make_error(ErrorCode::Cancelled,
                               "the producer went away: its Promise was destroyed unfulfilled"));
  }
};

/// `next(outcome)`, or an Internal error naming the exception it threw: a continuation's
/// exception completes its own future, never unwinds into the completing thread.
template <typename F, typename T>
auto run_continuation(F& next, Result<T> outcome) -> decltype(next(std::move(outcome))) {
  using R = decltype(next(std::move(outcome)));
  try {
    return next(std::move(outcome));
  } catch (const std::exception& exception) {
    return R(
        make_error(ErrorCode::Internal, std::string("a continuation threw: ") + exception.what()));
  } catch (...) {
    return R(make_error(ErrorCode::Internal, "a continuation threw a non-standard exception"));
  }
}

}  // namespace detail

/// The result of an asynchronous call, available once. Cheap to copy; copies share the
/// result, of which get() hands out one (the first get() takes it). Thread-safe.
template <typename T>
class Future {
 public:
  /// A future that never completes (default-constructed; valid() is false).
  Future() = default;

  /// Whether this future belongs to a call.
  bool valid() const noexcept { return state_ != nullptr; }

  /// Whether the result is there.
  bool ready() const {
    if (!state_) return false;
    std::lock_guard<std::mutex> guard(state_->mutex);
    return state_->result.has_value() || state_->taken;
  }

  /// Waits up to `timeout` for the result; whether it is there.
  template <typename Rep, typename Period>
  bool wait_for(std::chrono::duration<Rep, Period> timeout) const {
    if (!state_) return false;
    std::unique_lock<std::mutex> lock(state_->mutex);
    return state_->completed_cv.wait_for(
        lock, timeout, [&] { return state_->result.has_value() || state_->taken; });
  }

  /// Waits for the result and takes it. A second get() (or a get() after then()) is a
  /// FailedPrecondition error rather than a wait that never ends.
  Result<T> get() {
    if (!state_) return make_error(ErrorCode::FailedPrecondition, "get() on an empty Future");
    std::unique_lock<std::mutex> lock(state_->mutex);
    state_->completed_cv.wait(lock, [&] { return state_->result.has_value() || state_->taken; });
    if (!state_->result.has_value()) {
      return make_error(ErrorCode::FailedPrecondition,
                        "the result was taken already (by get() or then())");
    }
    Result<T> out = std::move(*state_->result);
    state_->result.reset();
    state_->taken = true;
    return out;
  }

  /// Asks the call to stop. A pending call completes promptly with Cancelled (a write that
  /// may already have reached the server says so: Error::outcome_unknown); a completed one
  /// is left as it is.
  void cancel() {
    if (!state_) return;
    std::function<void()> canceller;
    {
      std::lock_guard<std::mutex> guard(state_->mutex);
      if (state_->result.has_value() || state_->taken) return;
      state_->cancel_requested = true;
      canceller = state_->canceller;
    }
    if (canceller) {
      canceller();
    } else {
      state_->complete(make_error(ErrorCode::Cancelled, "cancelled before it started"));
    }
  }

  /// Chains `next`, called with this future's `Result<T>` and returning a `Result<U>`: the
  /// returned `Future<U>` completes with what it returns. `next` runs on the thread that
  /// completes this future (a completion thread of the client, for SDK calls; the caller's, if this
  /// one is complete already) and must not block it. Takes the result (get() afterwards is
  /// an error). Cancelling the returned future cancels this one.
  template <typename F, typename R = std::invoke_result_t<F, Result<T>>>
  Future<typename R::value_type> then(F next) {
    return then_on(Executor(), std::move(next));
  }

  /// The same, with `next` run by `executor` instead of the completing thread.
  template <typename F, typename R = std::invoke_result_t<F, Result<T>>>
  Future<typename R::value_type> then(Executor executor, F next) {
    return then_on(std::move(executor), std::move(next));
  }

 private:
  template <typename U>
  friend class Promise;
  template <typename U>
  friend class Future;
  explicit Future(std::shared_ptr<detail::FutureState<T>> state) : state_(std::move(state)) {}

  template <typename F, typename R = std::invoke_result_t<F, Result<T>>>
  Future<typename R::value_type> then_on(Executor executor, F next) {
    using U = typename R::value_type;
    auto downstream = std::make_shared<detail::FutureState<U>>();
    if (!state_) {
      downstream->complete(make_error(ErrorCode::FailedPrecondition, "then() on an empty Future"));
      return Future<U>(downstream);
    }
    auto upstream = state_;
    downstream->canceller = [upstream] { Future<T>(upstream).cancel(); };
    auto run = [downstream, executor, next = std::move(next)](Result<T> outcome) mutable {
      if (!executor) {
        downstream->complete(detail::run_continuation(next, std::move(outcome)));
        return;
      }
      auto shared = std::make_shared<Result<T>>(std::move(outcome));
      executor([downstream, next = std::move(next), shared]() mutable {
        downstream->complete(detail::run_continuation(next, std::move(*shared)));
      });
    };
    std::optional<Result<T>> ready;
    {
      std::lock_guard<std::mutex> guard(state_->mutex);
      if (state_->taken && !state_->result.has_value()) {
        ready.emplace(make_error(ErrorCode::FailedPrecondition,
                                 "the result was taken already (by get() or then())"));
      } else if (state_->result.has_value()) {
        ready.emplace(std::move(*state_->result));
        state_->result.reset();
        state_->taken = true;
      } else {
        state_->continuation = std::move(run);
      }
    }
    if (ready) run(std::move(*ready));
    return Future<U>(downstream);
  }

  std::shared_ptr<detail::FutureState<T>> state_;
};

/// The producing side of a Future: completes it once, and learns of cancellation. For
/// Connection subclasses and tests that make their own futures.
///
/// Copies share the future. When the last copy is destroyed without completing it, the
/// future completes with Cancelled ("the producer went away"): a dropped promise never
/// leaves get() waiting.
template <typename T>
class Promise {
 public:
  Promise()
      : state_(std::make_shared<detail::FutureState<T>>()),
        producer_(std::make_shared<detail::Producer<T>>(state_)) {}

  /// The future this promise completes.
  Future<T> future() const { return Future<T>(state_); }

  /// Completes the future with `outcome`; false if it was complete already (cancelled).
  bool complete(Result<T> outcome) const { return state_->complete(std::move(outcome)); }

  /// Sets what Future::cancel() runs: it must make the call finish promptly (completing the
  /// future with Cancelled, directly or through the call's own path). Runs at once if
  /// cancellation was requested already.
  void on_cancel(std::function<void()> canceller) const {
    bool now = false;
    {
      std::lock_guard<std::mutex> guard(state_->mutex);
      if (state_->result.has_value() || state_->taken) return;
      if (state_->cancel_requested) {
        now = true;
      } else {
        state_->canceller = canceller;
      }
    }
    if (now) canceller();
  }

  /// Whether cancel() was called on the future.
  bool cancel_requested() const {
    std::lock_guard<std::mutex> guard(state_->mutex);
    return state_->cancel_requested;
  }

 private:
  std::shared_ptr<detail::FutureState<T>> state_;
  std::shared_ptr<detail::Producer<T>> producer_;  // the last copy's end completes the future
};

/// Runs `work` on a process-wide worker pool, for an application's blocking work. The pool
/// grows with demand up to a bound; further work queues. Its threads are never joined; the
/// SDK's own objects use BackgroundThreads of their own, joined when they end.
ERPBRIDGE_CORE_EXPORT void run_on_worker_pool(std::function<void()> work);

/// Runs `task` once `delay` has passed, on a process-wide timer thread (never joined);
/// `task` must be quick (it may hand longer work to the worker pool).
ERPBRIDGE_CORE_EXPORT void run_after(std::chrono::milliseconds delay, std::function<void()> task);

/// A future complete already with `outcome`.
template <typename T>
Future<T> ready_future(Result<T> outcome) {
  Promise<T> promise;
  promise.complete(std::move(outcome));
  return promise.future();
}

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
