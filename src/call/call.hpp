// One endpoint call described once, run blocking or async: the request it sends (with a
// token, if the endpoint needs one) and how its reply becomes the result. Each family's
// connection describes its endpoints this way, so both forms share every rule.
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "call/executor.hpp"
#include "call/reply.hpp"
#include "call/token_call.hpp"
#include "erpbridge/core/future.hpp"
#include "erpbridge/core/token.hpp"

namespace erpbridge::internal {

template <typename T>
struct PreparedCall {
  /// The family and endpoint, for the call's events.
  CallLabel label;
  /// The request, for `token` ("" when the endpoint has no TokenProvider).
  std::function<Result<HttpRequest>(const std::string& token)> build;
  /// The reply as the call's result (decode notes logged by the caller's executor).
  /// It may decode the body in place (the response is not used after it).
  std::function<Result<T>(HttpResponse& response)> decode;
  /// The credential: a reply saying Unauthenticated invalidates it and the call is made once
  /// more with a fresh one (TokenRefresh).
  std::shared_ptr<TokenProvider> token;
  /// Optional, for endpoints whose replies can be large: a stream for one call, blocking or
  /// async (see StreamingBody), and the result of a try whose body went to it, instead of
  /// decode(). decode_streamed() runs on the thread that takes the result, never the I/O one.
  std::function<std::shared_ptr<BodyStream>(std::shared_ptr<ThreadPool> decoders)> make_stream;
  std::function<Result<T>(BodyStream& stream, const HttpResponse& response)> decode_streamed;
};

/// `decode()`, with anything it throws turned into the call's error (decoder_threw): no
/// exception leaves a call, and a write's reply that could not be read leaves its outcome
/// unknown, whichever path (blocking or async) decoded it.
template <typename T, typename Decode>
Result<T> decode_contained(const Decode& decode, bool write) noexcept {
  try {
    return decode();
  } catch (const std::exception& exception) {
    return decoder_threw(exception.what(), write);
  } catch (...) {
    return decoder_threw("an exception of unknown type", write);
  }
}

/// Runs `call` on the calling thread.
template <typename T>
Result<T> run_call(const Executor& executor, const PreparedCall<T>& call) {
  using Clock = std::chrono::steady_clock;
  const bool observed = executor.observed();
  const Clock::time_point started = observed ? Clock::now() : Clock::time_point();
  CallRecord record;
  if (observed) record.call_id = executor.new_call_id();
  HttpMethod method = HttpMethod::Post;
  const std::shared_ptr<BodyStream> stream =
      call.make_stream ? call.make_stream(executor.decoders()) : nullptr;
  auto attempt = [&](const std::string& token) -> Result<T> {
    Result<HttpRequest> request = call.build(token);
    if (!request.ok()) return std::move(request).error();
    method = request->method;
    request->body_stream = stream;
    Result<HttpResponse> response = executor.execute(*request, call.label, &record);
    if (!response.ok()) return std::move(response).error();
    const Clock::time_point decoding = observed ? Clock::now() : Clock::time_point();
    Result<T> result = decode_contained<T>(
        [&] {
          return response->body_streamed ? call.decode_streamed(*stream, *response)
                                         : call.decode(*response);
        },
        /*write=*/!Executor::idempotent_in_scope(*request));
    if (observed) record.decode_time += Clock::now() - decoding;
    return result;
  };
  Result<T> result = call.token ? call_with_token<T>(*call.token, attempt, &record.token_refreshed)
                                : attempt(std::string());
  if (observed) {
    executor.report_call(call.label, method, result.ok() ? nullptr : &result.error(), record,
                         started, CallOptionsScope::current().traceparent.value_or(""),
                         /*async=*/false);
  }
  return result;
}

namespace detail {

template <typename T>
struct AsyncRun : std::enable_shared_from_this<AsyncRun<T>> {
  using Clock = std::chrono::steady_clock;
  PreparedCall<T> call;
  std::shared_ptr<const Executor> executor;
  CallOptions options;  // the caller's scope, for a try made from another thread
  Promise<T> promise;
  std::mutex mutex;
  Future<HttpResponse> current;  // the exchange in flight
  std::optional<TokenRefresh> refresh;
  std::shared_ptr<CallRecord> record = std::make_shared<CallRecord>();
  // Where a large reply is decoded while it downloads (PreparedCall::make_stream), for every
  // try of the call; the I/O thread only queues its pieces, pausing the transfer when the
  // decoder is behind.
  std::shared_ptr<BodyStream> stream;
  Clock::time_point started;
  HttpMethod method = HttpMethod::Post;
  std::atomic<bool> completed{false};

  void start(const std::string& token) {
    Result<HttpRequest> request = call.build(token);
    if (!request.ok()) {
      complete(std::move(request).error());
      return;
    }
    method = request->method;
    request->body_stream = stream;
    Future<HttpResponse> exchange;
    bool write = false;
    {
      CallOptionsScope scope(options);
      write = !Executor::idempotent_in_scope(*request);
      exchange = executor->execute_async(std::move(request).value(), call.label, record);
    }
    {
      std::lock_guard<std::mutex> guard(mutex);
      current = exchange;
    }
    if (promise.cancel_requested()) exchange.cancel();
    auto self = this->shared_from_this();
    // Decoded on the client's completion threads: the I/O thread only moves bytes.
    (void)exchange.then(
        executor->completions(),
        [self, token, write](Result<HttpResponse> response) -> Result<void> {
          const bool observed = self->executor->observed();
          const Clock::time_point decoding = observed ? Clock::now() : Clock::time_point();
          Result<T> result = response.ok() ? decode_contained<T>(
                                                 [&] {
                                                   // A streamed body's decoder is waited for here,
                                                   // never on the I/O thread.
                                                   return response->body_streamed
                                                              ? self->call.decode_streamed(
                                                                    *self->stream, *response)
                                                              : self->call.decode(*response);
                                                 },
                                                 write)
                                           : Result<T>(std::move(response).error());
          if (observed) self->record->decode_time += Clock::now() - decoding;
          if (self->refresh && !result.ok() && !self->promise.cancel_requested() &&
              self->refresh->again_after(result.error(), token)) {
            // The fetch of a fresh token may block: this is a completion thread, not the I/O one.
            self->record->token_refreshed = true;
            self->with_token();
            return ok();
          }
          self->complete(std::move(result));
          return ok();
        });
  }

  // The try after a refresh. A cancel that came before the fetch, or while it ran, ends the
  // call before the try is built: a write refused for its token is not sent again only to
  // be reported as possibly applied. (The first try starts before anyone holds the future,
  // so start() itself needs no such check.)
  void with_token() {
    if (ended_by_cancel()) return;
    if (!refresh) refresh.emplace(*call.token);
    Result<std::string> token = refresh->token();
    if (!token.ok()) {
      complete(std::move(token).error());
      return;
    }
    if (ended_by_cancel()) return;
    start(*token);
  }

  bool ended_by_cancel() {
    if (!promise.cancel_requested()) return false;
    complete(unsent_cancel());
    return true;
  }

  static Error unsent_cancel() {
    return make_error(ErrorCode::Cancelled, "cancelled before it was sent");
  }

  /// Reports the call's event (before the caller can see the result), then completes it.
  void complete(Result<T> result) {
    if (completed.exchange(true)) return;  // a cancel raced the outcome; the first one stands
    if (executor->observed()) {
      executor->report_call(call.label, method, result.ok() ? nullptr : &result.error(), *record,
                            started, options.traceparent.value_or(""),
                            /*async=*/true);
    }
    promise.complete(std::move(result));
  }

  void cancel() {
    Future<HttpResponse> exchange;
    {
      std::lock_guard<std::mutex> guard(mutex);
      exchange = current;
    }
    if (exchange.valid()) {
      exchange.cancel();  // completes through the exchange, with what it knows of a write
    } else {
      complete(unsent_cancel());
    }
  }
};

}  // namespace detail

/// Runs `call` asynchronously: the request goes through the executor's async path; the
/// reply is decoded on the client's completion threads (Executor::completions()), which also
/// complete the returned future. A token not cached yet is fetched on the calling thread; a
/// refresh after a refusal, on a completion thread.
template <typename T>
Future<T> run_call_async(const Executor& executor, PreparedCall<T> call) {
  auto run = std::make_shared<detail::AsyncRun<T>>();
  run->call = std::move(call);
  if (run->call.make_stream) run->stream = run->call.make_stream(executor.decoders());
  run->executor = executor.shared();
  run->options = CallOptionsScope::current();
  if (executor.observed()) {
    run->started = std::chrono::steady_clock::now();
    run->record->call_id = executor.new_call_id();
  }
  Future<T> future = run->promise.future();
  std::weak_ptr<detail::AsyncRun<T>> weak = run;
  run->promise.on_cancel([weak] {
    if (auto pending = weak.lock()) pending->cancel();
  });
  if (run->call.token) {
    run->with_token();
  } else {
    run->start(std::string());
  }
  return future;
}

}  // namespace erpbridge::internal
