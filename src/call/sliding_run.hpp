// Many async calls with a bound on how many are in flight: the next starts as one ends. What
// CTC's list_receipts (stop at the first failure) and query_receipts_batch (every result)
// are built on.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "call/unnested.hpp"
#include "erpbridge/core/future.hpp"

namespace erpbridge::internal {

template <typename T>
struct SlidingOutcome {
  std::vector<Result<T>> results;     // in index order; calls never started are Cancelled
  std::optional<std::size_t> failed;  // with stop_at_failure: the call that failed
};

template <typename T>
class SlidingRun : public std::enable_shared_from_this<SlidingRun<T>> {
 public:
  using Start = std::function<Future<T>(std::size_t index)>;
  /// Called after successful calls with how many have succeeded: one call at a time, with
  /// counts that only grow, and never after the run's future has completed (a call that ends
  /// on one thread may reach its report after a later one's: its count is then left out).
  using Progress = std::function<void(std::size_t succeeded, std::size_t count)>;

  /// Starts `count` calls through `start`, at most `concurrency` at once. With
  /// `stop_at_failure`, the first failure cancels the calls in flight and starts no more.
  /// Cancelling the returned future cancels the calls in flight.
  static Future<SlidingOutcome<T>> run(std::size_t count, std::size_t concurrency,
                                       bool stop_at_failure, Start start, Progress progress = {}) {
    auto self = std::shared_ptr<SlidingRun>(
        new SlidingRun(count, concurrency, stop_at_failure, std::move(start), std::move(progress)));
    Future<SlidingOutcome<T>> future = self->promise_.future();
    std::weak_ptr<SlidingRun> weak = self;
    self->promise_.on_cancel([weak] {
      if (auto pending = weak.lock()) pending->cancel();
    });
    if (count == 0) {
      self->settle_now(SlidingOutcome<T>{});
    } else {
      self->launch();
    }
    return future;
  }

 private:
  SlidingRun(std::size_t count, std::size_t concurrency, bool stop_at_failure, Start start,
             Progress progress)
      : start_(std::move(start)),
        progress_(std::move(progress)),
        count_(count),
        concurrency_(concurrency == 0 ? 1 : concurrency),
        stop_at_failure_(stop_at_failure),
        in_flight_(count) {
    outcome_.results.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      outcome_.results.emplace_back(make_error(ErrorCode::Cancelled, "not started"));
    }
  }

  void launch() {
    for (;;) {
      std::size_t index = 0;
      {
        std::lock_guard<std::mutex> guard(mutex_);
        if (ended_ || next_ >= count_ || next_ - finished_ >= concurrency_) return;
        index = next_++;
        ++starting_;
      }
      Future<T> call = start_(index);
      bool too_late = false;
      std::optional<Result<SlidingOutcome<T>>> owed;
      {
        std::lock_guard<std::mutex> guard(mutex_);
        --starting_;
        too_late = ended_;  // another call failed, or the run was cancelled, meanwhile
        if (!too_late) in_flight_[index] = call;
        // The run ended while this thread was in start_: ending it is left to the last starter.
        if (too_late && starting_ == 0 && due_) owed.swap(due_);
      }
      if (too_late) {
        call.cancel();
        if (owed) settle_now(std::move(*owed));
        return;
      }
      auto self = this->shared_from_this();
      (void)call.then([self, index](Result<T> result) -> Result<void> {
        self->finish(index, std::move(result));
        return ok();
      });
    }
  }

  void finish(std::size_t index, Result<T> result) {
    std::vector<Future<T>> to_cancel;
    std::size_t succeeded = 0;
    bool complete = false;
    {
      std::lock_guard<std::mutex> guard(mutex_);
      if (ended_) return;
      in_flight_[index] = Future<T>();
      ++finished_;
      const bool failed = !result.ok();
      if (!failed) succeeded = ++succeeded_;
      outcome_.results[index] = std::move(result);
      if (failed && stop_at_failure_) {
        outcome_.failed = index;
        to_cancel.swap(in_flight_);
        ended_ = true;
        complete = true;
      } else if (finished_ == count_) {
        ended_ = true;
        complete = true;
      }
    }
    for (auto& pending : to_cancel) pending.cancel();
    report(succeeded, complete);
    if (complete) {
      settle(std::move(outcome_));  // ended_: nothing touches outcome_ any more
      return;
    }
    // A call whose future is ready at once ends inside launch(): unnested, the stack stays
    // one call deep however many calls there are.
    run_unnested([self = this->shared_from_this()] { self->launch(); });
  }

  void cancel() {
    std::vector<Future<T>> to_cancel;
    {
      std::lock_guard<std::mutex> guard(mutex_);
      if (ended_) return;
      ended_ = true;
      to_cancel.swap(in_flight_);
    }
    for (auto& pending : to_cancel) pending.cancel();
    report(0, /*closing=*/true);
    settle(make_error(ErrorCode::Cancelled, "cancelled"));
  }

  // Completes the run, once it has ended (ended_), when no thread is inside start_ any more.
  void settle(Result<SlidingOutcome<T>> result) {
    {
      std::lock_guard<std::mutex> guard(mutex_);
      if (starting_ > 0) {  // that thread settles when start_ returns
        due_ = std::move(result);
        return;
      }
    }
    settle_now(std::move(result));
  }

  // start_ holds what the calls need (a client's connection, say): it goes before the caller
  // can see the outcome. Were it released after, by the thread that ended the run, that
  // thread (a completion thread of the client) could hold the last reference and destroy
  // the client there, after its owner's get() returned and while the owner went on as if
  // the client were gone: its events not yet delivered, its threads not yet joined.
  void settle_now(Result<SlidingOutcome<T>> result) {
    Start released = std::move(start_);
    start_ = nullptr;
    released = nullptr;
    promise_.complete(std::move(result));
  }

  // Hands progress_ a count of successes (0: none to tell). Calls end on several threads and
  // report after leaving mutex_, so without this a user's callback could run twice at once,
  // with a count below one already told, or after the caller's get() returned. `closing`
  // comes from the call that ends the run, before it completes the future: nothing is told
  // after it.
  // Recursive: a callback may cancel the run, which closes the reports from within one.
  void report(std::size_t succeeded, bool closing) {
    std::lock_guard<std::recursive_mutex> guard(progress_mutex_);
    if (progress_closed_) return;
    if (progress_ && succeeded > reported_) {
      reported_ = succeeded;
      progress_(succeeded, count_);
    }
    if (closing) progress_closed_ = true;
  }

  Start start_;  // released when the run is settled (settle_now)
  const Progress progress_;
  const std::size_t count_;
  const std::size_t concurrency_;
  const bool stop_at_failure_;
  Promise<SlidingOutcome<T>> promise_;

  std::mutex mutex_;  // guards what follows
  std::size_t next_ = 0;
  std::size_t finished_ = 0;
  std::size_t succeeded_ = 0;
  bool ended_ = false;
  std::size_t starting_ = 0;                      // threads inside start_
  std::optional<Result<SlidingOutcome<T>>> due_;  // the outcome, while a thread is in start_
  std::vector<Future<T>> in_flight_;              // by index, for cancellation
  SlidingOutcome<T> outcome_;

  std::recursive_mutex progress_mutex_;  // guards what follows; held while progress_ runs
  std::size_t reported_ = 0;
  bool progress_closed_ = false;
};

}  // namespace erpbridge::internal
