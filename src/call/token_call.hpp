// One call made with a token from a TokenProvider, refreshed once if the server refuses it.
// Used by every family that sends a token (WMS, Kingdee).
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <string>
#include <utility>

#include "erpbridge/core/secrets.hpp"
#include "erpbridge/core/token.hpp"

namespace erpbridge::internal {

/// The one refresh rule, for every path that sends a token (blocking, async, a batch): a
/// reply saying Unauthenticated invalidates the token it was sent with, and the call is made
/// once more with a fresh one. A refused call was not acted on, so even a write is safe to
/// send again; never more than once per call. Each token is remembered as a secret
/// (secrets.hpp) before it is sent.
class TokenRefresh {
 public:
  explicit TokenRefresh(TokenProvider& provider) : provider_(&provider) {}

  /// The token to send now.
  Result<std::string> token() {
    Result<std::string> token = provider_->token();
    if (token.ok()) remember_secret(*token);
    return token;
  }

  /// Whether the call goes once more after failing with `error` when sent with `token`;
  /// the token is invalidated if so.
  bool again_after(const Error& error, const std::string& token) {
    if (refreshed_ || error.code != ErrorCode::Unauthenticated) return false;
    refreshed_ = true;
    provider_->invalidate(token);
    return true;
  }

  bool refreshed() const noexcept { return refreshed_; }

 private:
  TokenProvider* provider_;
  bool refreshed_ = false;
};

/// Runs `attempt(token)` with a token from `provider`, by the rule of TokenRefresh.
/// `refreshed`, if given, says whether the token was replaced.
template <typename T, typename Attempt>
Result<T> call_with_token(TokenProvider& provider, Attempt&& attempt, bool* refreshed = nullptr) {
  TokenRefresh refresh(provider);
  for (;;) {
    Result<std::string> token = refresh.token();
    if (!token.ok()) return std::move(token).error();
    Result<T> result = attempt(*token);
    if (result.ok() || !refresh.again_after(result.error(), *token)) {
      if (refreshed != nullptr) *refreshed = refresh.refreshed();
      return result;
    }
  }
}

}  // namespace erpbridge::internal
