#include "erpbridge/core/token.hpp"

#include "call/token_probe.hpp"

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {
namespace {

class StaticToken final : public TokenProvider {
 public:
  explicit StaticToken(std::string value) : value_(std::move(value)) {}
  Result<std::string> token() override { return value_; }
  void invalidate(const std::string&) override {}

 private:
  std::string value_;
};

class CachedToken final : public TokenProvider {
 public:
  CachedToken(TokenFetcher fetch, std::chrono::seconds refresh_ahead,
              std::function<std::chrono::system_clock::time_point()> now)
      : fetch_(std::move(fetch)), refresh_ahead_(refresh_ahead), now_(std::move(now)) {
    if (!now_) now_ = [] { return std::chrono::system_clock::now(); };
  }

  Result<std::string> token() override {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      if (cached_ && !expiring(*cached_)) return cached_->value;
      if (!fetching_) break;
      if (fetcher_ == std::this_thread::get_id()) {
        return make_error(ErrorCode::FailedPrecondition,
                          "the TokenFetcher called token() of its own provider");
      }
      // Another caller is fetching: wait for its result instead of fetching again.
      const std::uint64_t generation = generation_;
      ++waiting_;
      fetched_.wait(lock, [&] { return generation_ != generation; });
      --waiting_;
      if (!last_error_.has_value()) continue;  // the fresh token is cached
      return *last_error_;
    }
    fetching_ = true;
    fetcher_ = std::this_thread::get_id();
    lock.unlock();
    // No lock is held while fetching: the fetcher may take as long as it needs, and may call
    // invalidate() or another provider.
    Result<AccessToken> fetched = fetch_guarded();
    lock.lock();
    fetching_ = false;
    fetcher_ = std::thread::id();
    ++generation_;
    Result<std::string> result = settle(std::move(fetched));
    fetched_.notify_all();
    return result;
  }

  void invalidate(const std::string& token) override {
    std::lock_guard<std::mutex> guard(mutex_);
    if (cached_ && cached_->value == token) cached_.reset();
  }

  std::size_t waiting() {
    std::lock_guard<std::mutex> guard(mutex_);
    return waiting_;
  }

 private:
  // The caller's fetcher, whose exception fails this fetch (and is never left to unwind with
  // the provider marked "fetching", which would fail every later call for good).
  Result<AccessToken> fetch_guarded() {
    try {
      return fetch_();
    } catch (const std::exception& exception) {
      return make_error(ErrorCode::Unauthenticated,
                        std::string("the TokenFetcher threw: ") + exception.what());
    } catch (...) {
      return make_error(ErrorCode::Unauthenticated,
                        "the TokenFetcher threw a non-standard exception");
    }
  }

  bool expiring(const AccessToken& token) const {
    return token.expires_at && now_() + refresh_ahead_ >= *token.expires_at;
  }

  // Caches a fetched token, or records why there is none; the caller holds the lock.
  Result<std::string> settle(Result<AccessToken> fetched) {
    if (!fetched.ok()) {
      Error error = std::move(fetched).error();
      error.message = "fetching a token failed: " + error.message;
      last_error_ = error;
      return error;
    }
    if (fetched->value.empty()) {
      last_error_ =
          make_error(ErrorCode::Unauthenticated, "the token source returned an empty token");
      return *last_error_;
    }
    last_error_.reset();
    cached_ = std::move(fetched).value();
    return cached_->value;
  }

  TokenFetcher fetch_;
  std::chrono::seconds refresh_ahead_;
  std::function<std::chrono::system_clock::time_point()> now_;
  std::mutex mutex_;
  std::condition_variable fetched_;
  std::optional<AccessToken> cached_;
  bool fetching_ = false;
  std::thread::id fetcher_;
  std::uint64_t generation_ = 0;  // fetches finished
  std::size_t waiting_ = 0;       // callers waiting for another's fetch
  std::optional<Error> last_error_;
};

}  // namespace

namespace internal {

std::size_t callers_waiting_for_fetch(TokenProvider& provider) {
  auto* cached = dynamic_cast<CachedToken*>(&provider);
  return cached != nullptr ? cached->waiting() : 0;
}

}  // namespace internal

std::shared_ptr<TokenProvider> make_static_token(std::string value) {
  return std::make_shared<StaticToken>(std::move(value));
}

std::shared_ptr<TokenProvider> make_cached_token(
    TokenFetcher fetch, std::chrono::seconds refresh_ahead,
    std::function<std::chrono::system_clock::time_point()> now) {
  return std::make_shared<CachedToken>(std::move(fetch), refresh_ahead, std::move(now));
}

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
