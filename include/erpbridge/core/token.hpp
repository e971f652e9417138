// Credentials that may expire: static tokens, or tokens fetched, cached and refreshed.
#pragma once

#include "erpbridge/core/export.hpp"
#include "erpbridge/version.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "erpbridge/core/result.hpp"

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {

/// A token and, if known, when it stops being valid.
struct ERPBRIDGE_CORE_EXPORT AccessToken {
  std::string value;  ///< The token text sent to the server.
  /// When it stops being valid; unknown when empty (then only invalidate() renews it).
  std::optional<std::chrono::system_clock::time_point> expires_at;
};

/// Supplies the token a client sends. Implementations are thread-safe: clients call them from
/// every thread that makes a call.
class ERPBRIDGE_CORE_EXPORT TokenProvider {
 public:
  virtual ~TokenProvider() = default;
  /// A token to send now; fetches one when none is cached or it is about to expire.
  virtual Result<std::string> token() = 0;
  /// The server rejected `token`: forget it, so the next token() fetches a fresh one.
  /// Ignored if a newer token has already replaced it.
  virtual void invalidate(const std::string& token) = 0;
};

/// Always the same token; invalidate() does nothing.
ERPBRIDGE_CORE_EXPORT std::shared_ptr<TokenProvider> make_static_token(std::string value);

/// Fetches tokens through `fetch`, caches them, and fetches again `refresh_ahead` before
/// expiry or after invalidate(). Concurrent callers share one fetch.
///
/// The fetcher runs on the thread of the first caller that needs a token, with no lock of
/// the provider held (it may block, call invalidate(), or use other providers); callers
/// arriving meanwhile wait for its result. It must not call token() of its own provider:
/// that call returns FailedPrecondition instead of deadlocking.
using TokenFetcher = std::function<Result<AccessToken>()>;
ERPBRIDGE_CORE_EXPORT std::shared_ptr<TokenProvider> make_cached_token(
    TokenFetcher fetch, std::chrono::seconds refresh_ahead = std::chrono::seconds(60),
    std::function<std::chrono::system_clock::time_point()> now = {});

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
