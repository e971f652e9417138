#include <catch2/catch.hpp>

#include <ctime>
#include <deque>
#include <mutex>

#include "call/executor.hpp"
#include "erpbridge/testing/mock_transport.hpp"

using erpbridge::ClientOptions;
using erpbridge::Error;
using erpbridge::ErrorCode;
using erpbridge::HttpMethod;
using erpbridge::HttpRequest;
using erpbridge::HttpResponse;
using erpbridge::Result;
using erpbridge::internal::Executor;
using erpbridge::internal::RetryEnvironment;
const erpbridge::internal::CallLabel kLabel{"test", "retry"};
using std::chrono::milliseconds;

namespace {

// Answers every request with the next scripted outcome (repeating the last one).
class ScriptedTransport : public erpbridge::HttpTransport {
 public:
  explicit ScriptedTransport(std::deque<Result<HttpResponse>> script)
      : script_(std::move(script)) {}
  Result<HttpResponse> send(const HttpRequest& request) override {
    std::lock_guard<std::mutex> guard(mutex_);
    sent.push_back(request);
    Result<HttpResponse> next = script_.front();
    if (script_.size() > 1) script_.pop_front();
    return next;
  }
  std::vector<HttpRequest> sent;

 private:
  std::mutex mutex_;
  std::deque<Result<HttpResponse>> script_;
};

HttpResponse status(int code, std::string retry_after = {}) {
  HttpResponse response;
  response.status = code;
  if (!retry_after.empty()) response.headers.emplace_back("Retry-After", retry_after);
  return response;
}

// A clock that only moves when the retry loop sleeps, recording each sleep.
struct FakeClock {
  std::chrono::steady_clock::time_point now{};
  std::vector<milliseconds> sleeps;
  std::deque<double> randoms;

  RetryEnvironment environment() {
    RetryEnvironment env;
    env.now = [this] { return now; };
    env.sleep = [this](milliseconds d) {
      sleeps.push_back(d);
      now += d;
    };
    env.random = [this] {
      if (randoms.empty()) return 0.5;
      double r = randoms.front();
      randoms.pop_front();
      return r;
    };
    return env;
  }
};

struct Fixture {
  std::shared_ptr<ScriptedTransport> transport;
  FakeClock clock;
  std::unique_ptr<Executor> executor;

  Fixture(std::deque<Result<HttpResponse>> script, ClientOptions options = {}) {
    transport = std::make_shared<ScriptedTransport>(std::move(script));
    options.transport = transport;
    executor = std::make_unique<Executor>(options);
    executor->set_environment(clock.environment());
  }
};

HttpRequest make_request(HttpMethod method, bool idempotent) {
  HttpRequest request;
  request.method = method;
  request.url = "http://127.0.0.1:1/x";
  request.idempotent = idempotent;
  return request;
}

}  // namespace

TEST_CASE("A non-idempotent request is sent exactly once on a 503") {
  Fixture f({status(503)});
  erpbridge::internal::CallRecord attempts;
  auto result = f.executor->execute(make_request(HttpMethod::Post, false), kLabel, &attempts);
  REQUIRE(result.ok());
  CHECK(result->status == 503);
  CHECK(f.transport->sent.size() == 1);
  CHECK(attempts.attempts == 1);
  CHECK(f.clock.sleeps.empty());
}

TEST_CASE("An idempotent request is retried up to the limit with growing jittered delays") {
  ClientOptions options;
  options.retry.max_attempts = 4;
  options.retry.initial_backoff = milliseconds(100);
  Fixture f({status(503)}, options);
  f.clock.randoms = {0.99, 0.0, 0.3};
  erpbridge::internal::CallRecord attempts;
  auto result = f.executor->execute(make_request(HttpMethod::Get, true), kLabel, &attempts);
  REQUIRE(result.ok());
  CHECK(result->status == 503);
  CHECK(attempts.attempts == 4);
  CHECK(f.transport->sent.size() == 4);
  REQUIRE(f.clock.sleeps.size() == 3);
  // Equal jitter: try k waits within [base_k/2, base_k], base doubling from 100 ms.
  CHECK(f.clock.sleeps[0] == milliseconds(99));   // 50 + 0.99 * 50
  CHECK(f.clock.sleeps[1] == milliseconds(100));  // 100 + 0.0 * 100
  CHECK(f.clock.sleeps[2] == milliseconds(260));  // 200 + 0.3 * 200
  CHECK(f.clock.sleeps[0] <= f.clock.sleeps[1]);
  CHECK(f.clock.sleeps[1] < f.clock.sleeps[2]);
}

TEST_CASE("Retries stop at the first success and cover 408, 429, 5xx and transport errors") {
  Error reset = erpbridge::make_error(ErrorCode::Transport, "reset");
  reset.retryable = true;
  ClientOptions options;
  options.retry.max_attempts = 6;
  Fixture f({status(408), status(429), status(502), Result<HttpResponse>(reset), status(200)},
            options);
  erpbridge::internal::CallRecord attempts;
  auto result = f.executor->execute(make_request(HttpMethod::Get, true), kLabel, &attempts);
  REQUIRE(result.ok());
  CHECK(result->status == 200);
  CHECK(attempts.attempts == 5);
}

TEST_CASE("A 404 or a non-retryable error is not retried") {
  Fixture not_found({status(404)});
  erpbridge::internal::CallRecord attempts;
  CHECK(
      not_found.executor->execute(make_request(HttpMethod::Get, true), kLabel, &attempts)->status ==
      404);
  CHECK(attempts.attempts == 1);
  Fixture tls({Result<HttpResponse>(erpbridge::make_error(ErrorCode::Transport, "bad cert"))});
  attempts = {};  // a record counts the tries of every call it is given
  CHECK_FALSE(tls.executor->execute(make_request(HttpMethod::Get, true), kLabel, &attempts).ok());
  CHECK(attempts.attempts == 1);
}

TEST_CASE("Retry-After: 2 waits 2 s") {
  Fixture f({status(503, "2"), status(200)});
  auto result = f.executor->execute(make_request(HttpMethod::Get, true), kLabel);
  REQUIRE(result.ok());
  CHECK(result->status == 200);
  REQUIRE(f.clock.sleeps.size() == 1);
  CHECK(f.clock.sleeps[0] == milliseconds(2000));
}

TEST_CASE("The overall deadline stops retries and bounds each try") {
  ClientOptions options;
  options.retry.max_attempts = 10;
  options.retry.initial_backoff = milliseconds(400);
  options.overall_deadline = milliseconds(1000);
  options.request_timeout = milliseconds(5000);
  Fixture f({status(503)}, options);
  f.clock.randoms = {1.0, 1.0, 1.0};
  erpbridge::internal::CallRecord attempts;
  auto result = f.executor->execute(make_request(HttpMethod::Get, true), kLabel, &attempts);
  REQUIRE(result.ok());
  CHECK(result->status == 503);
  // Sleeps 400 ms, then the next wait (800 ms) would pass the deadline: stop after 2 tries.
  CHECK(attempts.attempts == 2);
  CHECK(f.clock.sleeps == std::vector<milliseconds>{milliseconds(400)});
  REQUIRE(f.transport->sent.size() == 2);
  CHECK(f.transport->sent[0].timeout == milliseconds(1000));
  CHECK(f.transport->sent[1].timeout == milliseconds(600));
}

TEST_CASE("A request sent in place keeps its own timeout and body for a second send") {
  ClientOptions options;
  options.retry.max_attempts = 2;
  options.request_timeout = milliseconds(3000);
  Fixture f({status(503), status(200)}, options);
  HttpRequest request = make_request(HttpMethod::Post, true);
  request.body = "{\"order\":1}";
  request.timeout = milliseconds(5000);  // longer than the client allows
  REQUIRE(f.executor->execute(request, kLabel)->status == 200);
  CHECK(request.timeout == milliseconds(5000));
  CHECK(request.body == "{\"order\":1}");
  REQUIRE(f.transport->sent.size() == 2);
  CHECK(f.transport->sent[1].timeout == milliseconds(3000));
  CHECK(f.transport->sent[1].body == request.body);
  REQUIRE(f.executor->execute(request, kLabel)->status == 200);  // e.g. after a token refresh
  REQUIRE(f.transport->sent.size() == 3);
  CHECK(f.transport->sent[2].timeout == milliseconds(3000));
  CHECK(request.timeout == milliseconds(5000));
}

TEST_CASE("A Retry-After beyond the deadline is not waited for") {
  ClientOptions options;
  options.overall_deadline = milliseconds(1500);
  Fixture f({status(429, "2"), status(200)}, options);
  auto result = f.executor->execute(make_request(HttpMethod::Get, true), kLabel);
  CHECK(result->status == 429);
  CHECK(f.clock.sleeps.empty());
}

TEST_CASE("execute_all retries only the failed idempotent requests of a batch") {
  auto transport = std::make_shared<erpbridge::testing::MockTransport>();
  using erpbridge::testing::json_response;
  transport->expect(HttpMethod::Get, "/a", json_response(200, "a"))
      .expect(HttpMethod::Get, "/b", json_response(503, "busy"))
      .expect(HttpMethod::Get, "/b", json_response(200, "b"));
  ClientOptions options;
  options.transport = transport;
  Executor executor(options);
  FakeClock clock;
  executor.set_environment(clock.environment());
  HttpRequest a = make_request(HttpMethod::Get, true);
  a.url = "http://h/a";
  HttpRequest b = make_request(HttpMethod::Get, true);
  b.url = "http://h/b";
  auto results = executor.execute_all({a, b}, 2, kLabel);
  REQUIRE(results.size() == 2);
  CHECK(results[0]->body == "a");
  CHECK(results[1]->body == "b");
  CHECK(transport->satisfied());
  CHECK(clock.sleeps.size() == 1);
}

TEST_CASE("A Retry-After past max_backoff waits the cap, then retries") {
  // 3600 s with no overall deadline must not park the caller for an hour.
  ClientOptions options;
  options.overall_deadline = milliseconds(0);
  options.retry.max_backoff = milliseconds(5000);
  Fixture f({status(503, "3600"), status(200)}, options);
  auto result = f.executor->execute(make_request(HttpMethod::Get, true), kLabel);
  REQUIRE(result.ok());
  CHECK(result->status == 200);
  CHECK(f.clock.sleeps == std::vector<milliseconds>{milliseconds(5000)});
}

TEST_CASE("A Retry-After given as an HTTP-date waits until then, within the cap") {
  char date[64];
  const std::time_t in_three = std::time(nullptr) + 3;
  std::tm tm{};
  gmtime_r(&in_three, &tm);
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  Fixture f({status(503, date), status(200)});
  REQUIRE(f.executor->execute(make_request(HttpMethod::Get, true), kLabel)->status == 200);
  REQUIRE(f.clock.sleeps.size() == 1);
  CHECK(f.clock.sleeps[0] >= milliseconds(1000));  // the second may tick meanwhile
  CHECK(f.clock.sleeps[0] <= milliseconds(3000));
  Fixture past({status(503, "Wed, 21 Oct 2015 07:28:00 GMT"), status(200)});
  REQUIRE(past.executor->execute(make_request(HttpMethod::Get, true), kLabel)->status == 200);
  CHECK(past.clock.sleeps == std::vector<milliseconds>{milliseconds(0)});
}

TEST_CASE("CallOptionsScope overrides idempotency, timeouts and the retry policy per call") {
  using erpbridge::CallOptions;
  using erpbridge::CallOptionsScope;
  ClientOptions options;
  options.retry.max_attempts = 3;
  options.request_timeout = milliseconds(3000);
  {
    // A write the caller knows is safe to repeat.
    Fixture f({status(503)}, options);
    CallOptions call;
    call.idempotent = true;
    CallOptionsScope scope(call);
    erpbridge::internal::CallRecord attempts;
    (void)f.executor->execute(make_request(HttpMethod::Put, false), kLabel, &attempts);
    CHECK(attempts.attempts == 3);
  }
  {
    // A read the caller wants tried once, with a shorter per-try timeout.
    Fixture f({status(503)}, options);
    CallOptions call;
    call.idempotent = false;
    call.request_timeout = milliseconds(250);
    CallOptionsScope scope(call);
    erpbridge::internal::CallRecord attempts;
    (void)f.executor->execute(make_request(HttpMethod::Get, true), kLabel, &attempts);
    CHECK(attempts.attempts == 1);
    CHECK(f.transport->sent.at(0).timeout == milliseconds(250));
  }
  {
    // Nested scopes: the inner one wins field by field, and each ends with its block.
    Fixture f({status(503)}, options);
    CallOptions outer;
    outer.idempotent = true;
    outer.request_timeout = milliseconds(400);
    CallOptionsScope outer_scope(outer);
    {
      CallOptions inner;
      erpbridge::RetryPolicy twice;
      twice.max_attempts = 2;
      inner.retry = twice;
      CallOptionsScope inner_scope(inner);
      erpbridge::internal::CallRecord attempts;
      (void)f.executor->execute(make_request(HttpMethod::Post, false), kLabel, &attempts);
      CHECK(attempts.attempts == 2);
      CHECK(f.transport->sent.at(0).timeout == milliseconds(400));
    }
    CHECK_FALSE(CallOptionsScope::current().retry.has_value());
    CHECK(CallOptionsScope::current().idempotent == true);
  }
  CHECK_FALSE(CallOptionsScope::current().idempotent.has_value());
  {
    // Without a scope, the request decides: a POST is tried once.
    Fixture f({status(503)}, options);
    erpbridge::internal::CallRecord attempts;
    (void)f.executor->execute(make_request(HttpMethod::Post, false), kLabel, &attempts);
    CHECK(attempts.attempts == 1);
  }
}
