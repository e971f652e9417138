#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <thread>

#include "call/token_probe.hpp"
#include "erpbridge/core/token.hpp"
#include "support/timing.hpp"

using erpbridge::AccessToken;
using erpbridge::Result;
using std::chrono::system_clock;
using namespace std::chrono_literals;

TEST_CASE("A static token is always the same") {
  auto provider = erpbridge::make_static_token("abc");
  CHECK(*provider->token() == "abc");
  provider->invalidate("abc");
  CHECK(*provider->token() == "abc");
}

TEST_CASE("A cached token is fetched once and refreshed ahead of expiry") {
  system_clock::time_point now = system_clock::time_point(1000h);
  int fetches = 0;
  auto provider = erpbridge::make_cached_token(
      [&]() -> Result<AccessToken> {
        ++fetches;
        return AccessToken{"t" + std::to_string(fetches), now + 2h};
      },
      60s, [&] { return now; });
  CHECK(*provider->token() == "t1");
  CHECK(*provider->token() == "t1");
  now += 2h - 61s;
  CHECK(*provider->token() == "t1");
  now += 2s;  // within a minute of expiry
  CHECK(*provider->token() == "t2");
  CHECK(fetches == 2);
}

TEST_CASE("Invalidating a cached token fetches a new one, once") {
  int fetches = 0;
  auto provider = erpbridge::make_cached_token([&]() -> Result<AccessToken> {
    ++fetches;
    return AccessToken{"t" + std::to_string(fetches), std::nullopt};
  });
  CHECK(*provider->token() == "t1");
  provider->invalidate("t1");
  provider->invalidate("t1");
  CHECK(*provider->token() == "t2");
  provider->invalidate("t1");  // stale: t2 stays
  CHECK(*provider->token() == "t2");
  CHECK(fetches == 2);
}

TEST_CASE("Concurrent callers with no token cause one fetch") {
  // The fetch does not finish before the other 7 callers wait inside token() for it, so
  // they really overlap it.
  std::atomic<int> fetches{0};
  std::atomic<bool> overlapped{false};
  std::shared_ptr<erpbridge::TokenProvider> provider;
  provider = erpbridge::make_cached_token([&]() -> Result<AccessToken> {
    ++fetches;
    overlapped = erpbridge::test_support::wait_until(
        [&] { return erpbridge::internal::callers_waiting_for_fetch(*provider) == 7; }, 10s);
    return AccessToken{"shared", std::nullopt};
  });
  std::vector<std::thread> threads;
  std::atomic<int> right{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (*provider->token() == "shared") ++right;
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(overlapped);
  CHECK(fetches == 1);
  CHECK(right == 8);
}

TEST_CASE("A fetcher runs without the provider's lock: it may invalidate, not recurse") {
  std::shared_ptr<erpbridge::TokenProvider> provider;
  std::atomic<int> fetches{0};
  Result<std::string> inner = std::string();
  provider = erpbridge::make_cached_token([&]() -> Result<AccessToken> {
    ++fetches;
    provider->invalidate("stale");  // would deadlock if the fetch ran under the lock
    inner = provider->token();      // a call back into itself: refused, not a deadlock
    return AccessToken{"fresh", std::nullopt};
  });
  auto done = std::make_shared<std::promise<Result<std::string>>>();
  auto result = done->get_future();
  std::thread([done, provider] { done->set_value(provider->token()); }).detach();
  REQUIRE(result.wait_for(10s) == std::future_status::ready);
  CHECK(*result.get() == "fresh");
  REQUIRE_FALSE(inner.ok());
  CHECK(inner.error().code == erpbridge::ErrorCode::FailedPrecondition);
  CHECK(fetches == 1);
}

TEST_CASE("Callers waiting on a failed fetch get its error") {
  std::atomic<int> fetches{0};
  std::atomic<bool> overlapped{false};
  std::shared_ptr<erpbridge::TokenProvider> provider;
  provider = erpbridge::make_cached_token([&]() -> Result<AccessToken> {
    ++fetches;
    overlapped = erpbridge::test_support::wait_until(
        [&] { return erpbridge::internal::callers_waiting_for_fetch(*provider) == 3; }, 10s);
    return erpbridge::make_error(erpbridge::ErrorCode::Unauthenticated, "app secret revoked");
  });
  std::vector<std::thread> threads;
  std::atomic<int> refused{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto token = provider->token();
      if (!token.ok() && token.error().message.find("app secret revoked") != std::string::npos) {
        ++refused;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(overlapped);
  CHECK(refused == 4);
  CHECK(fetches == 1);  // one failing fetch, shared: no stampede on a failing token source
}

TEST_CASE("A failed fetch is an error and is retried on the next call") {
  int fetches = 0;
  auto provider = erpbridge::make_cached_token([&]() -> Result<AccessToken> {
    if (++fetches == 1) {
      return erpbridge::make_error(erpbridge::ErrorCode::Unauthenticated, "bad app secret");
    }
    return AccessToken{"ok", std::nullopt};
  });
  auto failed = provider->token();
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == erpbridge::ErrorCode::Unauthenticated);
  CHECK(failed.error().message == "fetching a token failed: bad app secret");
  CHECK(*provider->token() == "ok");
}

TEST_CASE("A TokenFetcher that throws fails that call, and the next call fetches again") {
  int calls = 0;
  auto provider =
      erpbridge::make_cached_token([&calls]() -> erpbridge::Result<erpbridge::AccessToken> {
        if (++calls == 1) throw std::runtime_error("vault unreachable");
        return erpbridge::AccessToken{"fresh", std::nullopt};
      });
  auto first = provider->token();
  REQUIRE_FALSE(first.ok());
  CHECK(first.error().code == erpbridge::ErrorCode::Unauthenticated);
  CHECK(first.error().message.find("the TokenFetcher threw: vault unreachable") !=
        std::string::npos);
  auto second = provider->token();  // not "called token() of its own provider", for good
  REQUIRE(second.ok());
  CHECK(*second == "fresh");
  CHECK(calls == 2);
}
