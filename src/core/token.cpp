#include "erpbridge/core/token.hpp"

#include <mutex>

namespace erpbridge {
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
    // Held across the fetch on purpose: callers arriving meanwhile wait and then reuse the
    // fresh token instead of fetching their own.
    std::lock_guard<std::mutex> guard(mutex_);
    if (cached_ && !expiring(*cached_)) return cached_->value;
    Result<AccessToken> fetched = fetch_();
    if (!fetched.ok()) {
      Error error = std::move(fetched).error();
      error.message = "fetching a token failed: " + error.message;
      return error;
    }
    if (fetched->value.empty()) {
      return make_error(ErrorCode::Unauthenticated, "the token source returned an empty token");
    }
    cached_ = std::move(fetched).value();
    return cached_->value;
  }

  void invalidate(const std::string& token) override {
    std::lock_guard<std::mutex> guard(mutex_);
    if (cached_ && cached_->value == token) cached_.reset();
  }

 private:
  bool expiring(const AccessToken& token) const {
    return token.expires_at && now_() + refresh_ahead_ >= *token.expires_at;
  }

  TokenFetcher fetch_;
  std::chrono::seconds refresh_ahead_;
  std::function<std::chrono::system_clock::time_point()> now_;
  std::mutex mutex_;
  std::optional<AccessToken> cached_;
};

}  // namespace

std::shared_ptr<TokenProvider> make_static_token(std::string value) {
  return std::make_shared<StaticToken>(std::move(value));
}

std::shared_ptr<TokenProvider> make_cached_token(
    TokenFetcher fetch, std::chrono::seconds refresh_ahead,
    std::function<std::chrono::system_clock::time_point()> now) {
  return std::make_shared<CachedToken>(std::move(fetch), refresh_ahead, std::move(now));
}

}  // namespace erpbridge
