// The authorization method AI-WMS PLUS calls for the token it sends with every push. The
// document leaves it to the third party ("Authorization: 授权接口所获取的值,由第三方提供授权
// 方法"); this is erpbridge's, served by `erpbridge wms serve --issue-tokens`, with the
// client side for whoever pushes through the SDK.
#pragma once

#include "erpbridge/version.hpp"
#include "erpbridge/wms/export.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "erpbridge/core/option_bag.hpp"
#include "erpbridge/core/options.hpp"
#include "erpbridge/core/token.hpp"
#include "erpbridge/wms/receiver.hpp"

namespace erpbridge::wms {

/// Who may obtain tokens, and for how long they hold.
struct ERPBRIDGE_WMS_EXPORT TokenIssuerOptions {
  std::string client_id;  ///< The client allowed to ask for tokens.
  /// Its secret, at least 16 characters (shorter: no token is issued or accepted). Tokens
  /// are signed with a key derived from it (PBKDF2-HMAC-SHA256, 100,000 rounds, salted
  /// with the client id), so a token seen on the wire does not make the secret cheap to
  /// guess.
  std::string client_secret;
  /// How long an issued token is accepted; keep it well above the clients' refresh margin
  /// (make_issued_token fetches a minute before expiry by default).
  std::chrono::seconds lifetime{7200};
  StoreClock clock;  ///< Empty: the system clock.
  /// Settings added after this major version froze the fields above (see OptionBag).
  OptionBag extensions{};
};

/// A token as issued, and how many seconds it will be accepted.
struct ERPBRIDGE_WMS_EXPORT IssuedToken {
  std::string token;                   ///< What a push sends as Authorization.
  std::chrono::seconds expires_in{0};  ///< Seconds it will be accepted from now.
};

/// Issues and checks tokens. The endpoint: `POST /auth/token` with the JSON body
/// `{"client_id":"…","client_secret":"…"}` answers 200 `{"token":"…","expires_in":7200}`,
/// 401 for wrong credentials, 400 for a body that is not such an object, 413 over 64 KiB
/// (errors in the receiver's shape, `{"code":"401","message":"…"}`).
///
/// A token carries its expiry and is signed with a key derived from the client secret
/// (HMAC-SHA256), so replicas that share the secret accept each other's tokens with no
/// shared state, and changing the secret revokes every token issued with the old one. The client
/// secret is remembered as a secret (never logged). Thread-safe; copies share their settings.
class ERPBRIDGE_WMS_EXPORT TokenIssuer {
 public:
  /// An issuer for `options` (the key is derived here, once).
  explicit TokenIssuer(TokenIssuerOptions options);

  /// Answers one request of the token endpoint (see above); never throws.
  ReceiverReply handle(const HttpHeaders& headers, std::string_view body) const noexcept;
  /// A token for these credentials, as handle() issues it; Unauthenticated if they are wrong.
  Result<IssuedToken> issue(std::string_view client_id, std::string_view client_secret) const;
  /// Whether `token` was issued with this client secret and has not expired.
  bool accepts(std::string_view token) const;
  /// accepts() as a Receiver's TokenChecker.
  TokenChecker checker() const;

 private:
  struct State;
  std::shared_ptr<const State> state_;
};

/// Accepts a token when any of `checkers` does (issued tokens and a static one, say).
ERPBRIDGE_WMS_EXPORT TokenChecker accept_any(std::vector<TokenChecker> checkers);

/// Where a pusher obtains its tokens: a token endpoint as TokenIssuer serves it.
struct ERPBRIDGE_WMS_EXPORT IssuedTokenSource {
  ClientOptions client;  ///< base_url of the receiver; timeouts, TLS and retries of the call.
  std::string path = "/auth/token";  ///< The endpoint below base_url.
  std::string client_id;             ///< As configured on the receiver.
  std::string client_secret;         ///< As configured on the receiver; never logged.
  /// A token is fetched again this long before it expires.
  std::chrono::seconds refresh_ahead{60};
  /// The clock expiry is judged by; empty: the system clock.
  std::function<std::chrono::system_clock::time_point()> clock;
  /// Settings added after this major version froze the fields above (see OptionBag).
  OptionBag extensions{};
};

/// A TokenProvider for wms::Options::token that fetches tokens from `source`, caches them
/// until shortly before they expire, and fetches again after a 401 (see make_cached_token).
/// Wrong credentials fail the push with Unauthenticated; the secret never reaches a log or
/// an error text.
ERPBRIDGE_WMS_EXPORT std::shared_ptr<TokenProvider> make_issued_token(IssuedTokenSource source);

}  // namespace erpbridge::wms
