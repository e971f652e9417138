#include "core/executor.hpp"

#include "core/secrets.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>

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
  if (value == nullptr || value->empty() || value->size() > 9) return -1;
  long long seconds = 0;
  for (char c : *value) {
    if (c < '0' || c > '9') return -1;
    seconds = seconds * 10 + (c - '0');
  }
  return seconds;
}

Executor::Executor(ClientOptions options)
    : options_(std::move(options)),
      transport_(options_.transport ? options_.transport : make_curl_transport(options_)),
      redaction_(options_.log_visible_headers, options_.log_visible_query_params),
      environment_(RetryEnvironment::real()) {}

bool Executor::should_retry(const HttpRequest& request, const Result<HttpResponse>& outcome) const {
  if (!request.idempotent) return false;
  if (!outcome.ok()) return outcome.error().retryable;
  return is_retryable_status(outcome->status);
}

milliseconds Executor::retry_delay(const Result<HttpResponse>& outcome, int attempt) const {
  const long long retry_after = outcome.ok() ? retry_after_seconds(*outcome) : -1;
  if (retry_after >= 0) return milliseconds(retry_after * 1000);
  return backoff_delay(options_.retry, attempt, environment_.random());
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
                     std::to_string(outcome->body.size()) + " bytes)";
  if (options_.log_level == LogLevel::Debug) {
    line += " headers {" + redaction_.headers(outcome->headers) + "}";
    if (!outcome->body.empty()) line += " body " + RedactionPolicy::json_body(outcome->body);
  }
  log(LogLevel::Info, std::move(line));
}

Result<HttpResponse> Executor::finished(const HttpRequest& request,
                                        Result<HttpResponse>& outcome) const {
  if (outcome.ok()) return std::move(outcome);
  Error error = std::move(outcome).error();
  // Only a write can be duplicated: a request safe to repeat has no outcome to worry about.
  if (request.idempotent) error.outcome_unknown = false;
  return scrubbed(std::move(error));
}

Result<HttpResponse> Executor::execute(HttpRequest& request, int* attempts) const {
  const Clock::time_point start = environment_.now();
  const bool has_deadline = options_.overall_deadline.count() > 0;
  const Clock::time_point deadline = start + options_.overall_deadline;
  const milliseconds caller_timeout = request.timeout;
  struct RestoreTimeout {
    HttpRequest& request;
    milliseconds timeout;
    ~RestoreTimeout() { request.timeout = timeout; }
  } restore{request, caller_timeout};
  const int max_attempts = std::max(1, options_.retry.max_attempts);
  for (int attempt = 1;; ++attempt) {
    if (attempts != nullptr) *attempts = attempt;
    milliseconds timeout = caller_timeout.count() > 0
                               ? std::min(caller_timeout, options_.request_timeout)
                               : options_.request_timeout;
    if (has_deadline) {
      auto remaining = std::chrono::duration_cast<milliseconds>(deadline - environment_.now());
      if (remaining.count() <= 0) {
        Error error =
            make_error(ErrorCode::Timeout, "overall deadline of " +
                                               std::to_string(options_.overall_deadline.count()) +
                                               " ms passed before try " + std::to_string(attempt));
        error.retryable = true;
        return error;
      }
      timeout = std::min(timeout, remaining);
    }
    request.timeout = timeout;
    log_request(request, attempt);
    const Clock::time_point sent = environment_.now();
    Result<HttpResponse> outcome = transport_->send(request);
    log_outcome(request, outcome, environment_.now() - sent);
    if (attempt >= max_attempts || !should_retry(request, outcome))
      return finished(request, outcome);

    const milliseconds delay = retry_delay(outcome, attempt);
    if (has_deadline && environment_.now() + delay >= deadline) return finished(request, outcome);
    environment_.sleep(delay);
  }
}

std::vector<Result<HttpResponse>> Executor::execute_all(std::vector<HttpRequest> requests,
                                                        std::size_t max_concurrency) const {
  std::vector<Result<HttpResponse>> results(
      requests.size(), Result<HttpResponse>(make_error(ErrorCode::Cancelled, "not sent")));
  std::vector<std::size_t> pending(requests.size());
  for (std::size_t i = 0; i < pending.size(); ++i) pending[i] = i;

  const Clock::time_point start = environment_.now();
  const bool has_deadline = options_.overall_deadline.count() > 0;
  const Clock::time_point deadline = start + options_.overall_deadline;
  const int max_attempts = std::max(1, options_.retry.max_attempts);

  for (int attempt = 1; !pending.empty(); ++attempt) {
    milliseconds timeout = options_.request_timeout;
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
      const bool retry = attempt < max_attempts && should_retry(batch[k], outcomes[k]);
      results[pending[k]] = std::move(outcomes[k]);
      if (!retry) continue;
      again.push_back(pending[k]);
      delay = std::max(delay, retry_delay(results[pending[k]], attempt));
    }
    if (again.empty()) break;
    if (has_deadline && environment_.now() + delay >= deadline) break;
    environment_.sleep(delay);
    pending = std::move(again);
  }
  for (std::size_t i = 0; i < results.size(); ++i) results[i] = finished(requests[i], results[i]);
  return results;
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
