// Blocking work as a Future: how a Connection's default async methods run its blocking ones.
#pragma once

#include "erpbridge/core/export.hpp"
#include "erpbridge/version.hpp"

#include <memory>
#include <utility>

#include "erpbridge/core/background.hpp"
#include "erpbridge/core/future.hpp"
#include "erpbridge/core/options.hpp"

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {

/// A future of `blocking()` (a callable returning Result<T>) run on a worker thread of
/// `threads`, under the calling thread's CallOptionsScope. Cancelling the future completes
/// it with Cancelled at once; the blocking call still runs to its end and its result is
/// dropped.
template <typename T, typename F>
Future<T> run_in_background(BackgroundThreads& threads, F blocking) {
  Promise<T> promise;
  promise.on_cancel([promise] {
    promise.complete(make_error(ErrorCode::Cancelled, "cancelled while it was running"));
  });
  threads.run(
      [promise, options = CallOptionsScope::current(), blocking = std::move(blocking)]() mutable {
        if (promise.cancel_requested()) return;
        CallOptionsScope scope(options);
        promise.complete(blocking());
      });
  return promise.future();
}

/// run_in_background() of `call(*object)` on the object's own `threads`, keeping `object`
/// alive meanwhile when a shared_ptr owns it (as clients own their connections); one that
/// is not must outlive the future.
template <typename T, typename Object, typename F>
Future<T> run_in_background_on(Object* object, BackgroundThreads& threads, F call) {
  std::shared_ptr<Object> keep = std::static_pointer_cast<Object>(object->weak_from_this().lock());
  return run_in_background<T>(threads,
                              [object, keep = std::move(keep), call = std::move(call)]() mutable {
                                Result<T> result = call(*object);
                                // Let go before the future completes: the caller, once it has the
                                // result, then holds the last reference, and the object is
                                // destroyed on its thread, not on this worker.
                                keep.reset();
                                return result;
                              });
}

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
