#include "call/executor.hpp"
#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include "call/unnested.hpp"
#include "erpbridge/core/datetime.hpp"
#include "erpbridge/core/secrets.hpp"
#include "runtime/thread_pool.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_set>

namespace erpbridge::internal {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

long long to_ms(Clock::duration d) {
  return std::chrono::duration_cast<milliseconds>(d).count();
}

}  // namespace

RetryEnvironment RetryEnvironment::real() {
  RetryEnvironment environment;
  environment.now = [] { return Clock::now(); };
  environment.sleep = [](milliseconds delay) { std::this_thread::sleep_for(delay); };
  environment.random = [] {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
  };
  return environment;
}

bool is_retryable_status(int status) noexcept {
  return status == 408 || status == 429 || (status >= 500 && status <= 599 && status != 501);
}

milliseconds backoff_delay(const RetryPolicy& policy, int attempt, double random01) {
  double base = static_cast<double>(policy.initial_backoff.count()) *
                std::pow(policy.backoff_multiplier, std::max(0, attempt - 1));
  base = std::min(base, static_cast<double>(policy.max_backoff.count()));
  double jittered = base / 2.0 + random01 * base / 2.0;
  return milliseconds(static_cast<long long>(jittered));
}

long long retry_after_seconds(const HttpResponse& response) {
  const std::string* value = find_header(response.headers, "Retry-After");
  if (value == nullptr || value->empty()) return -1;
  if (value->find_first_not_of("0123456789") == std::string::npos) {
    if (value->size() > 9) return 24 * 3600;  // absurdly long: capped by the caller anyway
    return std::stoll(*value);
  }
  // An HTTP-date (RFC 9110: IMF-fixdate, "Wed, 21 Oct 2015 07:28:00 GMT"): the wait until it.
  const std::optional<long long> at = http_date_seconds(*value);
  if (!at) return -1;
  const long long now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  return *at > now ? *at - now : 0;
}

std::optional<long long> http_date_seconds(std::string_view text) {
  // Read by hand, not with strptime's %a and %b: those follow the process locale, and under
  // zh_CN or tr_TR they would not match the English names HTTP always uses.
  static constexpr std::string_view kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  // "Wed, 21 Oct 2015 07:28:00 GMT": 29 characters at fixed places.
  if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' ||
      text[16] != ' ' || text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT") {
    return std::nullopt;
  }
  if (std::find(std::begin(kDays), std::end(kDays), text.substr(0, 3)) == std::end(kDays)) {
    return std::nullopt;
  }
  const auto month = std::find(std::begin(kMonths), std::end(kMonths), text.substr(8, 3));
  if (month == std::end(kMonths)) return std::nullopt;
  auto number = [&](std::size_t at, std::size_t digits) -> long long {
    long long value = 0;
    for (std::size_t i = at; i < at + digits; ++i) {
      if (text[i] < '0' || text[i] > '9') return -1;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  const long long day = number(5, 2), year = number(12, 4), hour = number(17, 2);
  const long long minute = number(20, 2), second = number(23, 2);
  const long long m = (month - std::begin(kMonths)) + 1;
  if (day < 1 || day > 31 || year < 1970 || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
      second < 0 || second > 60) {
    return std::nullopt;
  }
  const Result<Date> date =
      Date::from_parts(static_cast<int>(year), static_cast<int>(m), static_cast<int>(day));
  if (!date.ok()) return std::nullopt;
  return date->days_since_epoch() * 86400 + hour * 3600 + minute * 60 + second;
}

// What the async calls of one executor share: the bound on calls in flight and the calls
// still pending, so that the executor's end can cancel them.
struct Executor::AsyncState {
  std::mutex mutex;
  std::size_t in_flight = 0;
  std::deque<std::shared_ptr<AsyncCall>> waiting;       // beyond max_in_flight, in call order
  std::unordered_set<std::shared_ptr<AsyncCall>> live;  // started or waiting
  std::weak_ptr<const Executor> copy;  // the executor the calls run on (see async_self_)
  std::atomic<std::uint64_t> last_call_id{0};
  bool closed = false;
  // The observer's events of async calls, in the order posted, on a thread of the executor's
  // own: never on the I/O thread, whose transfers a slow observer would stall. Started by the
  // first event, drained and joined when the executor goes.
  ThreadPool events{"erpbridge-event", 1};
  // Where async replies are decoded (unless the options name an executor of their own).
  std::unique_ptr<ThreadPool> completions;
  // Where streamed replies are decoded while they download. Threads are kept for the next
  // reply: a decoder thread that lives on keeps its allocator arena warm (a fresh thread per
  // reply faulted its memory in anew and made one decode in three 50% slower). Unbounded: a
  // producer waiting on a full queue must never wait for a decoder that waits for a thread,
  // so there are as many decoders as streams. Shared with the streams, which may outlive
  // the client (a closed pool makes them decode whole bodies instead).
  std::shared_ptr<ThreadPool> decoders = std::make_shared<ThreadPool>("erpbridge-dec", 0);
};

// What the retry machine says after a try.
struct Executor::Verdict {
  bool again = false;  // another try follows
  milliseconds delay{0};
  RetryReason reason = RetryReason::None;
};

// The one retry loop, as a machine each path drives: before each try next() gives its
// timeout (or the error that ends the call: the deadline passed); after it, after() says
// whether another try follows and after what wait. The blocking path sleeps between tries,
// the batch path sends a batch's tries together, the async path waits on the transport's
// timer; none of them decides anything of its own.
class Executor::Tries {
 public:
  // `starts_now`: the first try is sent at once, so the whole deadline remains for it
  // without reading the clock (tens of nanoseconds on a call of tens of microseconds).
  Tries(const Executor& executor, const Settings& settings, milliseconds caller_timeout,
        bool starts_now)
      : executor_(&executor),
        settings_(settings),
        caller_timeout_(caller_timeout),
        has_deadline_(settings.overall_deadline.count() > 0),
        starts_now_(starts_now) {
    if (has_deadline_) deadline_ = executor.environment_.now() + settings.overall_deadline;
  }

  Result<milliseconds> next() {
    ++attempt_;
    milliseconds timeout = caller_timeout_.count() > 0
                               ? std::min(caller_timeout_, settings_.request_timeout)
                               : settings_.request_timeout;
    if (!has_deadline_) return timeout;
    const milliseconds remaining =
        attempt_ == 1 && starts_now_
            ? settings_.overall_deadline
            : std::chrono::duration_cast<milliseconds>(deadline_ - executor_->environment_.now());
    if (remaining.count() <= 0) {
      Error error =
          make_error(ErrorCode::Timeout, "overall deadline of " +
                                             std::to_string(settings_.overall_deadline.count()) +
                                             " ms passed before try " + std::to_string(attempt_));
      error.retryable = true;
      return error;
    }
    return std::min(timeout, remaining);
  }

  Verdict after(const Result<HttpResponse>& outcome) const {
    Verdict verdict;
    if (attempt_ >= std::max(1, settings_.retry.max_attempts) || !settings_.idempotent) {
      return verdict;
    }
    if (!outcome.ok()) {
      if (!outcome.error().retryable) return verdict;
      verdict.reason = outcome.error().code == ErrorCode::Timeout ? RetryReason::Timeout
                                                                  : RetryReason::Transport;
    } else if (is_retryable_status(outcome->status)) {
      verdict.reason = RetryReason::HttpStatus;
    } else {
      return verdict;
    }
    verdict.delay = executor_->retry_delay(outcome, attempt_, settings_.retry);
    // Never past the deadline: a wait that would end after it ends the call now.
    if (has_deadline_ && executor_->environment_.now() + verdict.delay >= deadline_) {
      return Verdict{};
    }
    verdict.again = true;
    return verdict;
  }

  Result<HttpResponse> finish(Result<HttpResponse>& outcome) const {
    return finished(settings_.idempotent, outcome);
  }
  int attempt() const noexcept { return attempt_; }
  bool idempotent() const noexcept { return settings_.idempotent; }

 private:
  const Executor* executor_;
  Settings settings_;
  milliseconds caller_timeout_;
  bool has_deadline_;
  bool starts_now_;
  Clock::time_point deadline_{};
  int attempt_ = 0;
};

// One async call: its request and tries, the try in flight, and its promise.
struct Executor::AsyncCall {
  HttpRequest request;
  std::optional<Tries> tries;
  CallLabel label;
  std::shared_ptr<CallRecord> record;
  std::uint64_t call_id = 0;  // for the events
  Promise<HttpResponse> promise;
  bool counted = false;          // holds one of the max_in_flight places
  std::mutex mutex;              // guards what follows
  Future<HttpResponse> current;  // the try in flight
  Clock::time_point sent;        // when it was handed to the transport
  bool in_try = false;           // a try was handed over and its outcome not yet judged
  bool write_sent = false;       // a try not safe to repeat was handed to the transport
  bool done = false;
};

Executor::Executor(ClientOptions options)
    : options_(std::move(options)),
      transport_(options_.transport ? options_.transport : make_curl_transport(options_)),
      redaction_(options_.log_visible_headers, options_.log_visible_query_params),
      environment_(RetryEnvironment::real()),
      async_(std::make_shared<AsyncState>()),
      owns_transport_(!options_.transport) {
  if (options_.completion_executor) {
    completions_ = options_.completion_executor;
    return;
  }
  async_->completions = std::make_unique<ThreadPool>(
      "erpbridge-done", std::max<std::size_t>(1, options_.completion_threads),
      /*batched_wakeups=*/true);
  // A call may outlive its client: the pool then runs late work on the caller's thread.
  completions_ = [async = async_](std::function<void()> work) {
    async->completions->run(std::move(work));
  };
}

Executor::Executor(const Executor& original, bool)
    : options_(original.options_),
      transport_(original.transport_),
      redaction_(original.redaction_),
      environment_(original.environment_),
      async_(original.async_),
      owner_(false),
      completions_(original.completions_) {}

Executor::~Executor() {
  if (!owner_) return;
  // Every pending call ends now, with Cancelled; a write already sent says it may have
  // been applied.
  std::vector<std::shared_ptr<AsyncCall>> pending;
  {
    std::lock_guard<std::mutex> guard(async_->mutex);
    async_->closed = true;
    pending.assign(async_->live.begin(), async_->live.end());
  }
  for (const auto& call : pending) {
    cancel_async(call, "the client was destroyed with the call pending");
  }
  // Their decodes and continuations run now, then the transport's I/O thread ends (its
  // transfers were cancelled above), and the events of those calls are delivered: no
  // thread of the client is left once it is gone.
  if (async_->completions) async_->completions->close();
  if (owns_transport_) shutdown_curl_transport(*transport_);
  // The transfers have ended, so each decoder has its stream's end (or was abandoned).
  async_->decoders->close();
  async_->events.close();
}

std::shared_ptr<ThreadPool> Executor::decoders() const {
  return async_->decoders;
}

Executor::Settings Executor::settings_for(const HttpRequest& request) const {
  const CallOptions& call = CallOptionsScope::current();
  Settings settings;
  settings.idempotent = idempotent_in_scope(request);
  settings.request_timeout = call.request_timeout.value_or(options_.request_timeout);
  settings.overall_deadline = call.overall_deadline.value_or(options_.overall_deadline);
  settings.retry = call.retry.value_or(options_.retry);
  return settings;
}

bool Executor::idempotent_in_scope(const HttpRequest& request) {
  return CallOptionsScope::current().idempotent.value_or(request.idempotent);
}

Result<void> Executor::check_traceparent() {
  const std::optional<std::string>& traceparent = CallOptionsScope::current().traceparent;
  if (traceparent && !is_valid_traceparent(*traceparent)) {
    return make_error(ErrorCode::InvalidArgument,
                      "CallOptions::traceparent: not a W3C traceparent "
                      "(00-<32 lower-case hex>-<16 lower-case hex>-<2 hex>, ids not all zero)");
  }
  return ok();
}

milliseconds Executor::retry_delay(const Result<HttpResponse>& outcome, int attempt,
                                   const RetryPolicy& policy) const {
  const long long retry_after = outcome.ok() ? retry_after_seconds(*outcome) : -1;
  // A server's Retry-After is honoured up to the policy's longest wait: "3600" must not park
  // the calling thread for an hour.
  if (retry_after >= 0) {
    return std::min(policy.max_backoff,
                    milliseconds(std::min<long long>(retry_after, 24 * 3600) * 1000));
  }
  return backoff_delay(policy, attempt, environment_.random());
}

void Executor::log(LogLevel level, std::string line) const {
  options_.log_sink(level, scrub(std::move(line)));
}

void Executor::log_notes(const std::string& context, const DecodeNotes& notes) const {
  if (!options_.log_sink || options_.log_level > LogLevel::Warning) return;
  for (const DecodeNote& note : notes) {
    log(LogLevel::Warning, "decode note for " + context + ": " + note.to_string());
  }
}

void Executor::log_request(const HttpRequest& request, int attempt) const {
  if (!options_.log_sink || options_.log_level > LogLevel::Info) return;
  std::string line = "request ";
  line += to_string(request.method);
  line += ' ';
  line += redaction_.url(request.url);
  line += " attempt " + std::to_string(attempt);
  if (options_.log_level == LogLevel::Debug) {
    line += " headers {" + redaction_.headers(request.headers) + "}";
    if (!request.body.empty()) line += " body " + RedactionPolicy::json_body(request.body);
  }
  log(LogLevel::Info, std::move(line));
}

void Executor::log_outcome(const HttpRequest& request, const Result<HttpResponse>& outcome,
                           Clock::duration elapsed) const {
  if (!options_.log_sink) return;
  std::string target = std::string(to_string(request.method)) + " " + redaction_.url(request.url);
  if (!outcome.ok()) {
    if (options_.log_level > LogLevel::Warning) return;
    log(LogLevel::Warning, "failed " + target + " after " + std::to_string(to_ms(elapsed)) +
                               " ms: " + outcome.error().to_string());
    return;
  }
  if (options_.log_level > LogLevel::Info) return;
  std::string line = "response " + std::to_string(outcome->status) + " for " + target + " in " +
                     std::to_string(to_ms(elapsed)) + " ms (" +
                     (outcome->body_streamed ? std::string("streamed to the decoder")
                                             : std::to_string(outcome->body.size()) + " bytes") +
                     ")";
  if (options_.log_level == LogLevel::Debug) {
    line += " headers {" + redaction_.headers(outcome->headers) + "}";
    // A streamed body's first bytes are cut at any point: logged only when not streamed.
    if (!outcome->body.empty() && !outcome->body_streamed) {
      line += " body " + RedactionPolicy::json_body(outcome->body);
    }
  }
  log(LogLevel::Info, std::move(line));
}

std::uint64_t Executor::new_call_id() const {
  return async_->last_call_id.fetch_add(1, std::memory_order_relaxed) + 1;
}

std::uint64_t Executor::call_id_for(const CallRecord* record) const {
  if (!options_.observer) return 0;
  // A runner's call has its number already; a request sent alone (a token fetch) gets one.
  return record != nullptr && record->call_id != 0 ? record->call_id : new_call_id();
}

void Executor::post_event(std::function<void()> event) const {
  async_->events.run(std::move(event));
}

void Executor::report_try(const CallLabel& label, const HttpRequest& request, int attempt,
                          const Result<HttpResponse>& outcome, const Verdict& verdict,
                          Clock::duration elapsed, std::uint64_t call_id, bool async) const {
  if (!options_.observer) return;
  TryEvent event;
  event.call_id = call_id;
  event.family = label.family;
  event.endpoint = label.endpoint;
  event.method = request.method;
  event.attempt = attempt;
  event.ok = outcome.ok();
  if (outcome.ok()) {
    event.http_status = outcome->status;
    event.bytes_received = outcome->body_bytes;
    event.timings = outcome->timings;
  } else {
    event.error = outcome.error().code;
    event.outcome_unknown = outcome.error().outcome_unknown;
  }
  if (event.timings.total.count() == 0) {
    event.timings.total = std::chrono::duration_cast<std::chrono::microseconds>(elapsed);
  }
  event.retry = verdict.again ? verdict.reason : RetryReason::None;
  event.retry_delay = verdict.again ? verdict.delay : milliseconds(0);
  event.bytes_sent = request.body.size();
  const std::string* traceparent = find_header(request.headers, "traceparent");
  if (!async) {
    if (traceparent != nullptr) event.traceparent = *traceparent;
    try {
      options_.observer->on_try(event);
    } catch (...) {
      // An observer must not throw; if it does, the event is lost, never the call.
    }
    return;
  }
  std::string owned_traceparent = traceparent != nullptr ? *traceparent : std::string();
  post_event([observer = options_.observer, event, owned_traceparent]() mutable {
    event.traceparent = owned_traceparent;
    observer->on_try(event);
  });
}

void Executor::report_call(const CallLabel& label, HttpMethod method, const Error* error,
                           const CallRecord& record, Clock::time_point started,
                           std::string_view traceparent, bool async) const {
  if (!options_.observer) return;
  CallEvent event;
  event.family = label.family;
  event.endpoint = label.endpoint;
  event.method = method;
  event.attempts = record.attempts;
  event.ok = error == nullptr;
  event.http_status = record.http_status;
  event.token_refreshed = record.token_refreshed;
  event.duration = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
  event.decode_time = std::chrono::duration_cast<std::chrono::microseconds>(record.decode_time);
  event.call_id = record.call_id;
  std::string vendor_code;
  if (error != nullptr) {
    event.error = error->code;
    event.outcome_unknown = error->outcome_unknown;
    if (error->http_status != 0) event.http_status = error->http_status;
    vendor_code = error->vendor_code;
  }
  // A malformed traceparent failed the call unsent; it is not passed on to a tracer.
  if (!is_valid_traceparent(traceparent)) traceparent = {};
  auto deliver = [observer = options_.observer, event, vendor_code = std::move(vendor_code),
                  traceparent = std::string(traceparent)]() mutable {
    event.vendor_code = vendor_code;
    event.traceparent = traceparent;
    observer->on_call(event);
  };
  if (async) {
    post_event(std::move(deliver));
    return;
  }
  try {
    deliver();
  } catch (...) {
    // As for a try: the event is lost, never the call.
  }
}

Result<HttpResponse> Executor::finished(bool idempotent, Result<HttpResponse>& outcome) {
  if (outcome.ok()) return std::move(outcome);
  Error error = std::move(outcome).error();
  // Only a write can be duplicated: a request safe to repeat has no outcome to worry about.
  if (idempotent) error.outcome_unknown = false;
  return scrubbed(std::move(error));
}

namespace {

// Adds the scope's traceparent, if it has one, as the request's `traceparent` header: the
// one place every path (blocking, batch, async) sends it from.
bool add_traceparent(HttpRequest& request) {
  const std::optional<std::string>& traceparent = CallOptionsScope::current().traceparent;
  if (!traceparent) return false;
  request.headers.emplace_back("traceparent", *traceparent);
  return true;
}

// Adds the scope's traceparent to a request for as long as this lives (a request sent in
// place goes back to its caller as it came).
class TraceHeader {
 public:
  explicit TraceHeader(HttpRequest& request)
      : request_(request), added_(add_traceparent(request)) {}
  ~TraceHeader() {
    if (added_) request_.headers.pop_back();
  }
  TraceHeader(const TraceHeader&) = delete;
  TraceHeader& operator=(const TraceHeader&) = delete;

 private:
  HttpRequest& request_;
  bool added_;
};

}  // namespace

Result<HttpResponse> Executor::execute(HttpRequest& request, const CallLabel& label,
                                       CallRecord* record) const {
  Result<void> traceparent = check_traceparent();
  if (!traceparent.ok()) return std::move(traceparent).error();
  Tries tries(*this, settings_for(request), request.timeout, /*starts_now=*/true);
  // The clock is read only where something needs it (a deadline, a log, an observer).
  const bool timed = options_.log_sink || options_.observer;
  const std::uint64_t call_id = call_id_for(record);
  struct RestoreTimeout {
    HttpRequest& request;
    milliseconds timeout;
    ~RestoreTimeout() { request.timeout = timeout; }
  } restore{request, request.timeout};
  TraceHeader trace(request);
  for (;;) {
    Result<milliseconds> timeout = tries.next();
    if (!timeout.ok()) return std::move(timeout).error();
    if (record != nullptr) ++record->attempts;
    request.timeout = *timeout;
    log_request(request, tries.attempt());
    const Clock::time_point sent = timed ? environment_.now() : Clock::time_point();
    Result<HttpResponse> outcome = transport_->send(request);
    const Clock::duration elapsed = timed ? environment_.now() - sent : Clock::duration();
    if (record != nullptr && outcome.ok()) record->http_status = outcome->status;
    log_outcome(request, outcome, elapsed);
    const Verdict verdict = tries.after(outcome);
    report_try(label, request, tries.attempt(), outcome, verdict, elapsed, call_id,
               /*async=*/false);
    if (!verdict.again) return tries.finish(outcome);
    environment_.sleep(verdict.delay);
  }
}

std::vector<Result<HttpResponse>> Executor::execute_all(std::vector<HttpRequest> requests,
                                                        std::size_t max_concurrency,
                                                        const CallLabel& label,
                                                        std::vector<CallRecord>* records) const {
  std::vector<Result<HttpResponse>> results(
      requests.size(), Result<HttpResponse>(make_error(ErrorCode::Cancelled, "not sent")));
  Result<void> traceparent = check_traceparent();
  if (!traceparent.ok()) {
    for (auto& result : results) result = traceparent.error();
    return results;
  }
  // Each request has its own machine; a round sends every request whose machine wants
  // another try, after the longest of their waits.
  std::vector<Tries> tries;
  tries.reserve(requests.size());
  std::vector<std::size_t> pending(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    tries.emplace_back(*this, settings_for(requests[i]), requests[i].timeout, true);
    pending[i] = i;
    add_traceparent(requests[i]);
  }
  while (!pending.empty()) {
    std::vector<HttpRequest> batch;
    std::vector<std::size_t> sent_indexes;
    batch.reserve(pending.size());
    for (std::size_t index : pending) {
      Result<milliseconds> timeout = tries[index].next();
      if (!timeout.ok()) {
        // The deadline passed: the last real answer stands, if there was one.
        if (!results[index].ok()) results[index] = std::move(timeout).error();
        continue;
      }
      if (records != nullptr) ++(*records)[index].attempts;
      HttpRequest request = requests[index];
      request.timeout = *timeout;
      log_request(request, tries[index].attempt());
      batch.push_back(std::move(request));
      sent_indexes.push_back(index);
    }
    if (batch.empty()) break;
    const Clock::time_point sent = environment_.now();
    std::vector<Result<HttpResponse>> outcomes = transport_->send_all(batch, max_concurrency);
    const Clock::duration elapsed = environment_.now() - sent;

    std::vector<std::size_t> again;
    milliseconds delay{0};
    for (std::size_t k = 0; k < sent_indexes.size(); ++k) {
      const std::size_t index = sent_indexes[k];
      log_outcome(batch[k], outcomes[k], elapsed);
      if (records != nullptr && outcomes[k].ok()) {
        (*records)[index].http_status = outcomes[k]->status;
      }
      const Verdict verdict = tries[index].after(outcomes[k]);
      report_try(label, batch[k], tries[index].attempt(), outcomes[k], verdict, elapsed,
                 records != nullptr ? (*records)[index].call_id : 0, false);
      results[index] = std::move(outcomes[k]);
      if (!verdict.again) continue;
      again.push_back(index);
      delay = std::max(delay, verdict.delay);
    }
    if (again.empty()) break;
    environment_.sleep(delay);
    pending = std::move(again);
  }
  for (std::size_t i = 0; i < results.size(); ++i) {
    results[i] = finished(tries[i].idempotent(), results[i]);
  }
  return results;
}

std::shared_ptr<const Executor> Executor::shared() const {
  std::lock_guard<std::mutex> guard(async_->mutex);
  if (!owner_) return async_->copy.lock();
  if (!async_self_) {
    async_self_ = std::shared_ptr<const Executor>(new Executor(*this, true));
    async_->copy = async_self_;
  }
  return async_self_;
}

Future<HttpResponse> Executor::execute_async(HttpRequest request, const CallLabel& label,
                                             std::shared_ptr<CallRecord> record) const {
  Result<void> traceparent = check_traceparent();
  if (!traceparent.ok()) return ready_future<HttpResponse>(std::move(traceparent).error());
  auto call = std::make_shared<AsyncCall>();
  // The calling thread's CallOptionsScope decides the settings and the traceparent.
  call->tries.emplace(*this, settings_for(request), request.timeout, /*starts_now=*/false);
  add_traceparent(request);
  call->request = std::move(request);
  call->label = label;
  call->call_id = call_id_for(record.get());
  call->record = std::move(record);
  Future<HttpResponse> future = call->promise.future();

  std::shared_ptr<const Executor> self;
  bool start_now = false;
  {
    std::lock_guard<std::mutex> guard(async_->mutex);
    if (async_->closed) {
      call->promise.complete(make_error(ErrorCode::Cancelled, "the client is being destroyed"));
      return future;
    }
    if (!async_self_) {
      async_self_ = std::shared_ptr<const Executor>(new Executor(*this, true));
      async_->copy = async_self_;
    }
    self = async_self_;
    async_->live.insert(call);
    if (async_->in_flight < std::max<std::size_t>(1, options_.max_in_flight)) {
      ++async_->in_flight;
      call->counted = true;
      start_now = true;
    } else {
      async_->waiting.push_back(call);
    }
  }
  std::weak_ptr<AsyncCall> weak = call;
  std::weak_ptr<const Executor> weak_self = self;
  call->promise.on_cancel([weak, weak_self] {
    std::shared_ptr<AsyncCall> pending = weak.lock();
    std::shared_ptr<const Executor> executor = weak_self.lock();
    if (!pending || !executor) return;
    executor->cancel_async(pending, "cancelled");
  });
  if (start_now) self->attempt_async(call);
  return future;
}

void Executor::attempt_async(const std::shared_ptr<AsyncCall>& call) const {
  {
    std::lock_guard<std::mutex> guard(call->mutex);
    if (call->done) return;
  }
  Result<milliseconds> timeout = call->tries->next();
  if (!timeout.ok()) {
    finish_async(call, std::move(timeout).error());
    return;
  }
  call->request.timeout = *timeout;
  log_request(call->request, call->tries->attempt());
  const Clock::time_point sent = environment_.now();
  {
    // Marked "handed to the transport" under the lock a cancel takes, before it is: a cancel
    // that finds the mark reports a write as possibly applied, one that came first stops the
    // try from being sent at all. No window lets a sent write pass for an unsent one.
    std::lock_guard<std::mutex> guard(call->mutex);
    if (call->done) return;
    call->sent = sent;
    call->in_try = true;
    // Counted here, under the lock: a cancel's report of the call reads the record after.
    if (call->record) ++call->record->attempts;
    if (!call->tries->idempotent()) call->write_sent = true;
  }
  Future<HttpResponse> outcome = transport_->send_async(call->request);
  {
    std::lock_guard<std::mutex> guard(call->mutex);
    if (call->done) {
      outcome.cancel();  // cancelled meanwhile: ended with outcome_unknown already
      return;
    }
    call->current = outcome;
  }
  std::shared_ptr<const Executor> self;
  {
    std::lock_guard<std::mutex> guard(async_->mutex);
    self = async_->copy.lock();
  }
  (void)outcome.then([self, call, sent](Result<HttpResponse> result) -> Result<void> {
    if (!self) return ok();
    const Clock::duration elapsed = self->environment_.now() - sent;
    self->log_outcome(call->request, result, elapsed);
    Verdict verdict;
    {
      // Judged and reported under the lock a cancel takes: a cancel comes wholly before
      // (and reported this try itself) or wholly after, so the try's event always precedes
      // its call's and the record is not written while the call is reported.
      std::lock_guard<std::mutex> guard(call->mutex);
      if (call->done) return ok();  // cancelled: finish_async reported this try
      call->current = Future<HttpResponse>();
      call->in_try = false;
      if (call->record && result.ok()) call->record->http_status = result->status;
      verdict = call->tries->after(result);
      self->report_try(call->label, call->request, call->tries->attempt(), result, verdict, elapsed,
                       call->call_id, /*async=*/true);
    }
    if (!verdict.again) {
      self->finish_async(call, call->tries->finish(result));
      return ok();
    }
    // The wait between tries is a timer, not a sleeping thread; a call cancelled meanwhile
    // has ended already and the timer finds it done.
    std::weak_ptr<const Executor> weak_self = self;
    std::weak_ptr<AsyncCall> weak_call = call;
    self->transport_->schedule(verdict.delay, [weak_self, weak_call] {
      std::shared_ptr<const Executor> executor = weak_self.lock();
      std::shared_ptr<AsyncCall> pending = weak_call.lock();
      if (executor && pending) executor->attempt_async(pending);
    });
    return ok();
  });
}

void Executor::cancel_async(const std::shared_ptr<AsyncCall>& call, const char* message) const {
  Future<HttpResponse> in_flight;
  finish_async(call, make_error(ErrorCode::Cancelled, message), &in_flight);
  in_flight.cancel();  // stops the transfer; its late outcome is ignored
}

void Executor::finish_async(const std::shared_ptr<AsyncCall>& call, Result<HttpResponse> outcome,
                            Future<HttpResponse>* cancelling) const {
  bool try_in_flight = false;
  Clock::time_point sent;
  {
    std::lock_guard<std::mutex> guard(call->mutex);
    if (call->done) return;
    call->done = true;
    try_in_flight = call->in_try;
    sent = call->sent;
    if (cancelling != nullptr) {
      *cancelling = call->current;
      if (call->write_sent && !outcome.ok()) {
        Error error = outcome.error();
        error.outcome_unknown = true;
        outcome = std::move(error);
      }
    }
    call->current = Future<HttpResponse>();
  }
  // A try cut short by a cancel ends with the call: its event says so.
  if (try_in_flight) {
    report_try(call->label, call->request, call->tries->attempt(), outcome, Verdict{},
               environment_.now() - sent, call->call_id, /*async=*/true);
  }
  std::shared_ptr<AsyncCall> next;
  std::shared_ptr<const Executor> self;
  {
    std::lock_guard<std::mutex> guard(async_->mutex);
    async_->live.erase(call);
    if (call->counted) {
      --async_->in_flight;
      // The place goes to the oldest waiting call, unless the executor is closing.
      while (!async_->closed && !async_->waiting.empty()) {
        std::shared_ptr<AsyncCall> candidate = std::move(async_->waiting.front());
        async_->waiting.pop_front();
        std::lock_guard<std::mutex> candidate_guard(candidate->mutex);
        if (candidate->done) continue;
        ++async_->in_flight;
        candidate->counted = true;
        next = std::move(candidate);
        self = async_->copy.lock();  // only a call that starts another needs the executor
        break;
      }
    } else {
      auto& waiting = async_->waiting;
      waiting.erase(std::remove(waiting.begin(), waiting.end(), call), waiting.end());
    }
  }
  call->promise.complete(std::move(outcome));
  if (!next) return;
  if (!self) {  // the executor is going away: it ends the waiting calls itself
    attempt_async(next);
    return;
  }
  // The next call may end at once (its deadline passed while it waited) and start the one
  // after it from here: unnested, a long queue cannot deepen this thread's stack.
  run_unnested([self, next] { self->attempt_async(next); });
}

}  // namespace erpbridge::internal

namespace erpbridge::internal {

std::string join_url(const std::string& base, const std::string& path) {
  std::string url = base;
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (path.empty() || path.front() != '/') url += '/';
  url += path;
  return url;
}

}  // namespace erpbridge::internal
