#include "core/executor.hpp"
#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include "erpbridge/core/datetime.hpp"
#include "erpbridge/core/secrets.hpp"

#include <algorithm>
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
  bool closed = false;
};

// One async call: its request and settings, the try in flight, and its promise.
struct Executor::AsyncCall {
  HttpRequest request;
  Settings settings;
  Promise<HttpResponse> promise;
  Clock::time_point deadline;
  bool has_deadline = false;
  milliseconds caller_timeout{0};
  int attempt = 0;
  bool counted = false;          // holds one of the max_in_flight places
  std::mutex mutex;              // guards what follows
  Future<HttpResponse> current;  // the try in flight
  bool write_sent = false;       // a try not safe to repeat was handed to the transport
  bool done = false;
};

Executor::Executor(ClientOptions options)
    : options_(std::move(options)),
      transport_(options_.transport ? options_.transport : make_curl_transport(options_)),
      redaction_(options_.log_visible_headers, options_.log_visible_query_params),
      environment_(RetryEnvironment::real()),
      async_(std::make_shared<AsyncState>()) {}

Executor::Executor(const Executor& original, bool)
    : options_(original.options_),
      transport_(original.transport_),
      redaction_(original.redaction_),
      environment_(original.environment_),
      async_(original.async_),
      owner_(false) {}

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
    Future<HttpResponse> current;
    bool write_sent = false;
    {
      std::lock_guard<std::mutex> guard(call->mutex);
      current = call->current;
      write_sent = call->write_sent;
    }
    Error error =
        make_error(ErrorCode::Cancelled, "the client was destroyed with the call pending");
    error.outcome_unknown = write_sent;
    finish_async(call, std::move(error));
    current.cancel();
  }
}

Executor::Settings Executor::settings_for(const HttpRequest& request) const {
  const CallOptions& call = CallOptionsScope::current();
  Settings settings;
  settings.idempotent = call.idempotent.value_or(request.idempotent);
  settings.request_timeout = call.request_timeout.value_or(options_.request_timeout);
  settings.overall_deadline = call.overall_deadline.value_or(options_.overall_deadline);
  settings.retry = call.retry.value_or(options_.retry);
  return settings;
}

bool Executor::should_retry(bool idempotent, const Result<HttpResponse>& outcome) {
  if (!idempotent) return false;
  if (!outcome.ok()) return outcome.error().retryable;
  return is_retryable_status(outcome->status);
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

Result<HttpResponse> Executor::finished(bool idempotent, Result<HttpResponse>& outcome) {
  if (outcome.ok()) return std::move(outcome);
  Error error = std::move(outcome).error();
  // Only a write can be duplicated: a request safe to repeat has no outcome to worry about.
  if (idempotent) error.outcome_unknown = false;
  return scrubbed(std::move(error));
}

Result<HttpResponse> Executor::execute(HttpRequest& request, int* attempts) const {
  const Settings settings = settings_for(request);
  const bool has_deadline = settings.overall_deadline.count() > 0;
  // The clock is read only where something needs it (a deadline, a logged duration): a
  // typed call on loopback is tens of microseconds, and each read is tens of nanoseconds.
  const Clock::time_point start = has_deadline ? environment_.now() : Clock::time_point();
  const Clock::time_point deadline = start + settings.overall_deadline;
  const bool timed = static_cast<bool>(options_.log_sink);
  const milliseconds caller_timeout = request.timeout;
  struct RestoreTimeout {
    HttpRequest& request;
    milliseconds timeout;
    ~RestoreTimeout() { request.timeout = timeout; }
  } restore{request, caller_timeout};
  const int max_attempts = std::max(1, settings.retry.max_attempts);
  for (int attempt = 1;; ++attempt) {
    if (attempts != nullptr) *attempts = attempt;
    milliseconds timeout = caller_timeout.count() > 0
                               ? std::min(caller_timeout, settings.request_timeout)
                               : settings.request_timeout;
    if (has_deadline) {
      // Before the first try the whole deadline remains (start was just read).
      auto remaining =
          attempt == 1 ? settings.overall_deadline
                       : std::chrono::duration_cast<milliseconds>(deadline - environment_.now());
      if (remaining.count() <= 0) {
        Error error =
            make_error(ErrorCode::Timeout, "overall deadline of " +
                                               std::to_string(settings.overall_deadline.count()) +
                                               " ms passed before try " + std::to_string(attempt));
        error.retryable = true;
        return error;
      }
      timeout = std::min(timeout, remaining);
    }
    request.timeout = timeout;
    log_request(request, attempt);
    const Clock::time_point sent = timed ? environment_.now() : Clock::time_point();
    Result<HttpResponse> outcome = transport_->send(request);
    if (timed) log_outcome(request, outcome, environment_.now() - sent);
    if (attempt >= max_attempts || !should_retry(settings.idempotent, outcome)) {
      return finished(settings.idempotent, outcome);
    }
    const milliseconds delay = retry_delay(outcome, attempt, settings.retry);
    // Never past the deadline: a wait that would end after it ends the call now.
    if (has_deadline && environment_.now() + delay >= deadline) {
      return finished(settings.idempotent, outcome);
    }
    environment_.sleep(delay);
  }
}

std::vector<Result<HttpResponse>> Executor::execute_all(std::vector<HttpRequest> requests,
                                                        std::size_t max_concurrency) const {
  std::vector<Result<HttpResponse>> results(
      requests.size(), Result<HttpResponse>(make_error(ErrorCode::Cancelled, "not sent")));
  std::vector<std::size_t> pending(requests.size());
  for (std::size_t i = 0; i < pending.size(); ++i) pending[i] = i;

  const Settings settings = settings_for(requests.empty() ? HttpRequest{} : requests.front());
  std::vector<bool> idempotent(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    idempotent[i] = CallOptionsScope::current().idempotent.value_or(requests[i].idempotent);
  }
  const Clock::time_point start = environment_.now();
  const bool has_deadline = settings.overall_deadline.count() > 0;
  const Clock::time_point deadline = start + settings.overall_deadline;
  const int max_attempts = std::max(1, settings.retry.max_attempts);

  for (int attempt = 1; !pending.empty(); ++attempt) {
    milliseconds timeout = settings.request_timeout;
    if (has_deadline) {
      auto remaining = std::chrono::duration_cast<milliseconds>(deadline - environment_.now());
      if (remaining.count() <= 0) {
        for (std::size_t index : pending) {
          if (results[index].ok()) continue;  // keep the last real answer
          Error error = make_error(ErrorCode::Timeout, "overall deadline passed");
          error.retryable = true;
          results[index] = error;
        }
        break;
      }
      timeout = std::min(timeout, remaining);
    }
    std::vector<HttpRequest> batch;
    batch.reserve(pending.size());
    for (std::size_t index : pending) {
      HttpRequest request = requests[index];
      request.timeout = request.timeout.count() > 0 ? std::min(request.timeout, timeout) : timeout;
      log_request(request, attempt);
      batch.push_back(std::move(request));
    }
    const Clock::time_point sent = environment_.now();
    std::vector<Result<HttpResponse>> outcomes = transport_->send_all(batch, max_concurrency);
    const Clock::duration elapsed = environment_.now() - sent;

    std::vector<std::size_t> again;
    milliseconds delay{0};
    for (std::size_t k = 0; k < pending.size(); ++k) {
      log_outcome(batch[k], outcomes[k], elapsed);
      const bool retry =
          attempt < max_attempts && should_retry(idempotent[pending[k]], outcomes[k]);
      results[pending[k]] = std::move(outcomes[k]);
      if (!retry) continue;
      again.push_back(pending[k]);
      delay = std::max(delay, retry_delay(results[pending[k]], attempt, settings.retry));
    }
    if (again.empty()) break;
    if (has_deadline && environment_.now() + delay >= deadline) break;
    environment_.sleep(delay);
    pending = std::move(again);
  }
  for (std::size_t i = 0; i < results.size(); ++i) results[i] = finished(idempotent[i], results[i]);
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

Future<HttpResponse> Executor::execute_async(HttpRequest request) const {
  auto call = std::make_shared<AsyncCall>();
  call->settings = settings_for(request);  // the calling thread's CallOptionsScope
  call->caller_timeout = request.timeout;
  call->request = std::move(request);
  const Clock::time_point start = environment_.now();
  call->has_deadline = call->settings.overall_deadline.count() > 0;
  call->deadline = start + call->settings.overall_deadline;
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
    Future<HttpResponse> current;
    bool write_sent = false;
    {
      std::lock_guard<std::mutex> guard(pending->mutex);
      current = pending->current;
      write_sent = pending->write_sent;
    }
    Error error = make_error(ErrorCode::Cancelled, "cancelled");
    error.outcome_unknown = write_sent;
    executor->finish_async(pending, std::move(error));
    current.cancel();  // stops the transfer; its late outcome is ignored
  });
  if (start_now) self->attempt_async(call);
  return future;
}

void Executor::attempt_async(const std::shared_ptr<AsyncCall>& call) const {
  {
    std::lock_guard<std::mutex> guard(call->mutex);
    if (call->done) return;
  }
  const int attempt = ++call->attempt;
  milliseconds timeout = call->caller_timeout.count() > 0
                             ? std::min(call->caller_timeout, call->settings.request_timeout)
                             : call->settings.request_timeout;
  if (call->has_deadline) {
    auto remaining = std::chrono::duration_cast<milliseconds>(call->deadline - environment_.now());
    if (remaining.count() <= 0) {
      Error error = make_error(ErrorCode::Timeout,
                               "overall deadline of " +
                                   std::to_string(call->settings.overall_deadline.count()) +
                                   " ms passed before try " + std::to_string(attempt));
      error.retryable = true;
      finish_async(call, std::move(error));
      return;
    }
    timeout = std::min(timeout, remaining);
  }
  call->request.timeout = timeout;
  log_request(call->request, attempt);
  const Clock::time_point sent = environment_.now();
  Future<HttpResponse> outcome = transport_->send_async(call->request);
  {
    std::lock_guard<std::mutex> guard(call->mutex);
    if (call->done) {
      outcome.cancel();
      return;
    }
    call->current = outcome;
    if (!call->settings.idempotent) call->write_sent = true;
  }
  std::shared_ptr<const Executor> self;
  {
    std::lock_guard<std::mutex> guard(async_->mutex);
    self = async_->copy.lock();
  }
  (void)outcome.then([self, call, sent](Result<HttpResponse> result) -> Result<void> {
    if (!self) return ok();
    self->log_outcome(call->request, result, self->environment_.now() - sent);
    {
      std::lock_guard<std::mutex> guard(call->mutex);
      if (call->done) return ok();
    }
    const bool idempotent = call->settings.idempotent;
    const int max_attempts = std::max(1, call->settings.retry.max_attempts);
    if (call->attempt >= max_attempts || !should_retry(idempotent, result)) {
      self->finish_async(call, finished(idempotent, result));
      return ok();
    }
    const milliseconds delay = self->retry_delay(result, call->attempt, call->settings.retry);
    if (call->has_deadline && self->environment_.now() + delay >= call->deadline) {
      self->finish_async(call, finished(idempotent, result));
      return ok();
    }
    // The wait between tries is a timer, not a sleeping thread; a call cancelled meanwhile
    // has ended already and the timer finds it done.
    std::weak_ptr<const Executor> weak_self = self;
    std::weak_ptr<AsyncCall> weak_call = call;
    self->transport_->schedule(delay, [weak_self, weak_call] {
      std::shared_ptr<const Executor> executor = weak_self.lock();
      std::shared_ptr<AsyncCall> pending = weak_call.lock();
      if (executor && pending) executor->attempt_async(pending);
    });
    return ok();
  });
}

void Executor::finish_async(const std::shared_ptr<AsyncCall>& call,
                            Result<HttpResponse> outcome) const {
  {
    std::lock_guard<std::mutex> guard(call->mutex);
    if (call->done) return;
    call->done = true;
    call->current = Future<HttpResponse>();
  }
  std::shared_ptr<AsyncCall> next;
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
        break;
      }
    } else {
      auto& waiting = async_->waiting;
      waiting.erase(std::remove(waiting.begin(), waiting.end(), call), waiting.end());
    }
  }
  call->promise.complete(std::move(outcome));
  if (next) attempt_async(next);
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
