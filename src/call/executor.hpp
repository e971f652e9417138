// Sends requests for a family client: retries, deadlines and redacted logging in one place.
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "erpbridge/core/future.hpp"

#include "core/redact.hpp"
#include "erpbridge/core/options.hpp"

namespace erpbridge::internal {

class ThreadPool;

/// Clock, sleep and randomness for the retry loop; tests swap in instant fakes.
struct RetryEnvironment {
  std::function<std::chrono::steady_clock::time_point()> now;
  std::function<void(std::chrono::milliseconds)> sleep;
  /// Uniform in [0, 1).
  std::function<double()> random;

  static RetryEnvironment real();
};

/// Whether an HTTP status is worth repeating an idempotent request for (408, 429, 5xx but
/// 501).
bool is_retryable_status(int status) noexcept;

/// The delay before try number `attempt` + 1 (attempt counts from 1): exponential with
/// "equal jitter", so each delay lies in [base/2, base] and the bases grow.
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int attempt, double random01);

/// Seconds from a "Retry-After" header (delay-seconds or an HTTP-date), or -1 when absent or
/// unreadable.
long long retry_after_seconds(const HttpResponse& response);

/// Seconds since 1970 of an IMF-fixdate ("Wed, 21 Oct 2015 07:28:00 GMT"), read without the
/// process locale; nothing for any other text.
std::optional<long long> http_date_seconds(std::string_view text);

/// Names a call in its events: static strings, "ctc" and "receipt_parts".
struct CallLabel {
  std::string_view family;
  std::string_view endpoint;
};

/// What a call runner knows of one call, for its CallEvent: filled as the call goes.
struct CallRecord {
  int attempts = 0;
  int http_status = 0;  // the last reply's
  bool token_refreshed = false;
  std::chrono::steady_clock::duration decode_time{0};
  std::uint64_t call_id = 0;  // for the events (Executor::new_call_id), 0 if not observed
};

class Executor {
 public:
  /// Uses options.transport, or a libcurl transport built from the options.
  explicit Executor(ClientOptions options);
  /// Completes every async call still pending with Cancelled, runs what their completions
  /// queued, and joins the client's threads (completion, event, and the I/O thread of a
  /// transport it made).
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  const ClientOptions& options() const noexcept { return options_; }
  HttpTransport& transport() const noexcept { return *transport_; }
  const RedactionPolicy& redaction() const noexcept { return redaction_; }
  void set_environment(RetryEnvironment environment) { environment_ = std::move(environment); }
  /// Where async replies are decoded and what follows them runs: the client's completion
  /// threads, or ClientOptions::completion_executor. Never the I/O thread.
  const ::erpbridge::Executor& completions() const noexcept { return completions_; }
  /// The client's decoder threads for streamed replies (StreamingBody), joined when the
  /// client ends.
  std::shared_ptr<ThreadPool> decoders() const;
  /// A number for a call's events, unique among this client's calls.
  std::uint64_t new_call_id() const;
  /// Whether calls are observed (ClientOptions::observer): runners skip their clocks if not.
  bool observed() const noexcept { return static_cast<bool>(options_.observer); }

  /// Sends `request`, retrying an idempotent one on transport errors, timeouts and 408,
  /// 429 and 5xx answers, within the attempt limit and the overall deadline. The thread's
  /// CallOptionsScope overrides the request's idempotency and the client's timeouts and
  /// retry policy, and adds its traceparent header. A final HTTP error status comes back
  /// as a response, for the family to map. `record`, if given, counts the tries made and
  /// keeps the last status.
  ///
  /// An lvalue request is sent in place, without copying its body, so that the caller can
  /// send it again (after a token refresh); each try overwrites its timeout, and the
  /// caller's is put back (and the traceparent header taken off) before returning.
  Result<HttpResponse> execute(HttpRequest& request, const CallLabel& label,
                               CallRecord* record = nullptr) const;
  Result<HttpResponse> execute(HttpRequest&& request, const CallLabel& label,
                               CallRecord* record = nullptr) const {
    return execute(request, label, record);
  }

  /// The same for a batch, at most `max_concurrency` in flight; results in request order.
  /// `records`, if given, has one record per request, filled as execute() fills one.
  std::vector<Result<HttpResponse>> execute_all(std::vector<HttpRequest> requests,
                                                std::size_t max_concurrency, const CallLabel& label,
                                                std::vector<CallRecord>* records = nullptr) const;

  /// execute() without blocking: the same retries, timeouts and deadline, waiting between
  /// tries on the transport's timer rather than a sleeping thread. At most
  /// ClientOptions::max_in_flight calls of this executor are in flight; later ones queue.
  /// Cancelling the future stops the call promptly (during a try or its backoff).
  /// `record` is filled before the future completes.
  Future<HttpResponse> execute_async(HttpRequest request, const CallLabel& label,
                                     std::shared_ptr<CallRecord> record = nullptr) const;

  /// Reports the end of one call to the observer, if there is one: on this thread, or on
  /// the client's event thread when `async` (the caller may be the I/O thread).
  void report_call(const CallLabel& label, HttpMethod method, const Error* error,
                   const CallRecord& record, std::chrono::steady_clock::time_point started,
                   std::string_view traceparent, bool async) const;
  /// The CallOptionsScope's traceparent in force, if it is well-formed; an error if not.
  static Result<void> check_traceparent();
  /// Whether `request` is sent as safe to repeat: the CallOptionsScope in force may say
  /// otherwise than the request. The one rule the retry loop and decode failures follow.
  static bool idempotent_in_scope(const HttpRequest& request);

  /// An executor like this one that async work may hold on to after this one is gone (its
  /// calls are cancelled then, but logging and decoding stay valid).
  std::shared_ptr<const Executor> shared() const;

  /// Logs each decode note of a reply to `context` at Warning.
  void log_notes(const std::string& context, const DecodeNotes& notes) const;
  /// log_notes() for a result about to be returned; returns it unchanged.
  template <typename T>
  Result<T> noted(const std::string& context, Result<T> result) const {
    if (!result.notes().empty()) log_notes(context, result.notes());
    return result;
  }

 private:
  struct AsyncState;
  struct AsyncCall;
  class Tries;
  struct Verdict;
  void attempt_async(const std::shared_ptr<AsyncCall>& call) const;
  // Ends `call` with `outcome` unless it has ended. With `cancelling`, the call is being
  // cancelled: `outcome` gains outcome_unknown if a try was handed to the transport, and
  // the try in flight is returned there to be stopped, both read under the lock that ends
  // the call (a try handed over after a separate read would be reported as never sent).
  void finish_async(const std::shared_ptr<AsyncCall>& call, Result<HttpResponse> outcome,
                    Future<HttpResponse>* cancelling = nullptr) const;
  void cancel_async(const std::shared_ptr<AsyncCall>& call, const char* message) const;

  /// The settings of one call: the client's, overridden by the thread's CallOptionsScope.
  struct Settings {
    bool idempotent = false;
    std::chrono::milliseconds request_timeout{0};
    std::chrono::milliseconds overall_deadline{0};
    RetryPolicy retry;
  };
  Settings settings_for(const HttpRequest& request) const;

  /// The outcome handed back: an error scrubbed of secrets, outcome_unknown kept only for a
  /// request that is not safe to repeat.
  static Result<HttpResponse> finished(bool idempotent, Result<HttpResponse>& outcome);
  /// Every line goes through here: secrets are scrubbed by value before the sink sees it.
  void log(LogLevel level, std::string line) const;
  void log_request(const HttpRequest& request, int attempt) const;
  void log_outcome(const HttpRequest& request, const Result<HttpResponse>& outcome,
                   std::chrono::steady_clock::duration elapsed) const;
  /// The TryEvent of one try, to the observer (on the event thread when `async`).
  void report_try(const CallLabel& label, const HttpRequest& request, int attempt,
                  const Result<HttpResponse>& outcome, const Verdict& verdict,
                  std::chrono::steady_clock::duration elapsed, std::uint64_t call_id,
                  bool async) const;
  /// The call's number for its events (0 when nothing observes them).
  std::uint64_t call_id_for(const CallRecord* record) const;
  /// Runs `event` for the observer on the client's event thread.
  void post_event(std::function<void()> event) const;
  /// The wait before the try after `attempt`: the server's Retry-After up to
  /// policy.max_backoff when it sent one, else the jittered backoff.
  std::chrono::milliseconds retry_delay(const Result<HttpResponse>& outcome, int attempt,
                                        const RetryPolicy& policy) const;

  ClientOptions options_;
  std::shared_ptr<HttpTransport> transport_;
  RedactionPolicy redaction_;
  RetryEnvironment environment_;
  // Async calls keep a copy of this executor (sharing async_) alive until they end, so the
  // executor that made them may go first; the original cancels them when it goes.
  std::shared_ptr<AsyncState> async_;
  mutable std::shared_ptr<const Executor> async_self_;
  bool owner_ = true;
  bool owns_transport_ = false;  // made from the options, so closed with this executor
  ::erpbridge::Executor completions_;
  Executor(const Executor& original, bool);  // the async copy
};

}  // namespace erpbridge::internal

namespace erpbridge::internal {

/// Joins a base URL and a path with exactly one slash between them.
std::string join_url(const std::string& base, const std::string& path);

}  // namespace erpbridge::internal
