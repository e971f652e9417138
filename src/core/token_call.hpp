// One call made with a token from a TokenProvider, refreshed once if the server refuses it.
// Used by every family that sends a token (WMS, Kingdee).
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <string>
#include <utility>

#include "erpbridge/core/secrets.hpp"
#include "erpbridge/core/token.hpp"

namespace erpbridge::internal {

/// Runs `attempt(token)` with a token from `provider`. If the server refused it (the result
/// is Unauthenticated) the token is invalidated and the attempt made once more with a fresh
/// one: a refused call was not acted on, so even a write is safe to send again. Each token
/// is remembered as a secret (secrets.hpp) before it is sent.
template <typename T, typename Attempt>
Result<T> call_with_token(TokenProvider& provider, Attempt&& attempt) {
  for (int try_number = 0;; ++try_number) {
    Result<std::string> token = provider.token();
    if (!token.ok()) return std::move(token).error();
    remember_secret(*token);
    Result<T> result = attempt(*token);
    if (try_number == 0 && !result.ok() && result.error().code == ErrorCode::Unauthenticated) {
      provider.invalidate(*token);
      continue;
    }
    return result;
  }
}

}  // namespace erpbridge::internal
