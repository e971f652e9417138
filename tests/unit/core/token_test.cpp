#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "erpbridge/core/token.hpp"

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
  std::atomic<int> fetches{0};
  auto provider = erpbridge::make_cached_token([&]() -> Result<AccessToken> {
    ++fetches;
    std::this_thread::sleep_for(50ms);
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
  CHECK(fetches == 1);
  CHECK(right == 8);
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
