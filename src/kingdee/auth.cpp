// Gateway authentication: app_signature, the API 2.0 request signature, and the token
// providers (kingdee_auth_token, after push_app_authorize for instance-authorised apps).
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <mutex>
#include <random>

#include "call/reply.hpp"
#include "core/hex.hpp"
#include "erpbridge/core/secrets.hpp"
#include "kingdee/codec.hpp"

namespace erpbridge::kingdee {
namespace {

std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(bytes.data()),
                                      static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

// Base64 of the lowercase hex HMAC-SHA256 of `text` keyed with `key`: both of Kingdee's
// signatures take this form.
std::string hex_hmac_base64(std::string_view key, std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest, &length);
  return base64(internal::to_hex(digest, length));
}

// The path of an absolute URL ("/a/b" of "http://host:1/a/b?x=1"), which the signature covers.
std::string path_of(const std::string& url) {
  const std::size_t scheme = url.find("://");
  const std::size_t start = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (start == std::string::npos) return "/";
  const std::size_t query = url.find('?', start);
  return url.substr(start, query == std::string::npos ? std::string::npos : query - start);
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A random positive integer, as the gateway's clients send for X-Api-Nonce.
std::uint64_t random_nonce() {
  static thread_local std::mt19937_64 generator{std::random_device{}()};
  return 1 + generator() % 2147483646u;
}

using Query = std::vector<std::pair<std::string, std::string>>;

// A request to the auth server at `path` with `query`, signed with `api` when it has a
// client id.
HttpRequest auth_request(const internal::Executor& executor, HttpMethod method, const char* path,
                         const Query& query, const ApiCredentials& api) {
  HttpRequest request;
  request.method = method;
  request.url = internal::join_url(executor.options().base_url, path);
  for (std::size_t i = 0; i < query.size(); ++i) {
    request.url += (i == 0 ? '?' : '&') + query[i].first + '=' + url_encode(query[i].second);
  }
  if (!api.client_id.empty()) {
    request.headers =
        wire::sign_now(api, method == HttpMethod::Get ? "GET" : "POST", request.url, query);
  }
  if (method == HttpMethod::Post) {
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = "{}";
  }
  // Neither call changes anything at the gateway: safe to repeat.
  request.idempotent = true;
  return request;
}

// The learned router address, shared by a provider and its fetcher.
struct Domain {
  mutable std::mutex mutex;
  std::string value;
  void set(const std::string& domain) {
    if (domain.empty()) return;
    std::lock_guard<std::mutex> guard(mutex);
    value = domain;
  }
  std::string get() const {
    std::lock_guard<std::mutex> guard(mutex);
    return value;
  }
};

class CachedGatewayToken final : public GatewayToken {
 public:
  CachedGatewayToken(std::shared_ptr<TokenProvider> cached, std::shared_ptr<Domain> domain)
      : cached_(std::move(cached)), domain_(std::move(domain)) {}
  Result<std::string> token() override { return cached_->token(); }
  void invalidate(const std::string& token) override { cached_->invalidate(token); }
  std::string router_addr() const override { return domain_->get(); }

 private:
  std::shared_ptr<TokenProvider> cached_;
  std::shared_ptr<Domain> domain_;
};

using Clock = std::function<std::chrono::system_clock::time_point()>;

// One token fetch with an app key and secret: the reply's token and its expiry. The router
// address is the authorisation's `authorized_domain`, failing that the token reply's.
Result<AccessToken> fetch_token(const internal::Executor& executor, const ApiCredentials& api,
                                const std::string& app_key, const std::string& app_secret,
                                const Clock& clock, std::chrono::seconds default_lifetime,
                                const std::string& authorized_domain, Domain& domain) {
  const std::string signature = app_signature(app_key, app_secret);
  remember_secret(signature);
  Result<HttpResponse> response =
      executor.execute(auth_request(executor, HttpMethod::Get, wire::kAuthPath,
                                    {{"app_key", app_key}, {"app_signature", signature}}, api),
                       {"kingdee", "auth_token"});
  if (!response.ok()) return std::move(response).error();
  const internal::CallContext call{"Kingdee kingdee_auth_token", false};
  Result<wire::AuthReply> reply =
      executor.noted(call.what, wire::decode_auth_reply(std::move(*response), call));
  if (!reply.ok()) return std::move(reply).error();
  AccessToken token;
  token.value = reply->data.token();
  for (const std::string* other :
       {&reply->data.app_token_dash, &reply->data.app_token, &reply->data.access_token}) {
    remember_secret(*other);
  }
  token.expires_at = wire::token_expiry(
      reply->data, clock ? clock() : std::chrono::system_clock::now(), default_lifetime);
  domain.set(authorized_domain.empty() ? reply->data.domain : authorized_domain);
  return token;
}

std::shared_ptr<GatewayToken> provider(TokenFetcher fetch, std::shared_ptr<Domain> domain,
                                       std::chrono::seconds refresh_ahead, Clock clock) {
  return std::make_shared<CachedGatewayToken>(
      make_cached_token(std::move(fetch), refresh_ahead, std::move(clock)), std::move(domain));
}

}  // namespace

HttpHeaders wire::sign_now(const ApiCredentials& api, const char* method, const std::string& url,
                           const std::vector<std::pair<std::string, std::string>>& query) {
  return api_signature_headers(api, method, path_of(url), query, now_ms(), random_nonce());
}

std::string app_signature(const std::string& app_key, const std::string& app_secret) {
  return hex_hmac_base64(app_secret, app_key);
}

std::string api_url_encode(std::string_view text) {
  // The SDK's URL encoding is exactly this rule: RFC 3986's unreserved set kept, every other
  // byte %XX with upper-case hex.
  return url_encode(text);
}

std::string api_signature_text(std::string_view method, std::string_view path,
                               const std::vector<std::pair<std::string, std::string>>& query,
                               std::string_view nonce, std::string_view timestamp) {
  std::vector<std::pair<std::string, std::string>> sorted = query;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string text(method);
  text += '\n';
  text += api_url_encode(path);
  text += '\n';
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (i > 0) text += '&';
    text += sorted[i].first;
    text += '=';
    text += api_url_encode(api_url_encode(sorted[i].second));
  }
  text += "\nx-api-nonce:";
  text += nonce;
  text += "\nx-api-timestamp:";
  text += timestamp;
  text += '\n';
  return text;
}

std::string api_signature(std::string_view secret, std::string_view text) {
  return hex_hmac_base64(secret, text);
}

HttpHeaders api_signature_headers(const ApiCredentials& credentials, std::string_view method,
                                  std::string_view path,
                                  const std::vector<std::pair<std::string, std::string>>& query,
                                  std::int64_t timestamp_ms, std::uint64_t nonce) {
  const std::string timestamp = std::to_string(timestamp_ms);
  const std::string nonce_text = std::to_string(nonce);
  const std::string signature = api_signature(
      credentials.client_secret, api_signature_text(method, path, query, nonce_text, timestamp));
  return {{"X-Api-ClientID", credentials.client_id},
          {"X-Api-Auth-Version", "2.0"},
          {"X-Api-TimeStamp", timestamp},
          {"X-Api-Nonce", nonce_text},
          {"X-Api-SignHeaders", "X-Api-TimeStamp,X-Api-Nonce"},
          {"X-Api-Signature", signature}};
}

std::shared_ptr<GatewayToken> make_gateway_token(GatewayAuth auth) {
  remember_secret(auth.app_secret);
  remember_secret(auth.api.client_secret);
  auto executor = std::make_shared<internal::Executor>(auth.client);
  auto domain = std::make_shared<Domain>();
  auto fetch = [executor, auth, domain]() -> Result<AccessToken> {
    return fetch_token(*executor, auth.api, auth.app_key, auth.app_secret, auth.clock,
                       auth.default_lifetime, std::string(), *domain);
  };
  return provider(std::move(fetch), domain, auth.refresh_ahead, auth.clock);
}

std::shared_ptr<GatewayToken> make_instance_token(InstanceAuth auth) {
  remember_secret(auth.api.client_secret);
  auto executor = std::make_shared<internal::Executor>(auth.client);
  auto domain = std::make_shared<Domain>();
  // The instance's app secret may rotate: each token fetch authorises first, so a new token
  // is always asked for with the current secret.
  auto fetch = [executor, auth, domain]() -> Result<AccessToken> {
    if (auth.api.client_id.empty() || auth.api.client_secret.empty() ||
        auth.outer_instance_id.empty()) {
      return make_error(ErrorCode::InvalidArgument,
                        "kingdee::InstanceAuth needs api.client_id, api.client_secret and "
                        "outer_instance_id");
    }
    Result<HttpResponse> response =
        executor->execute(auth_request(*executor, HttpMethod::Post, wire::kAuthorizePath,
                                       {{"outerInstanceId", auth.outer_instance_id}}, auth.api),
                          {"kingdee", "app_authorize"});
    if (!response.ok()) return std::move(response).error();
    const internal::CallContext call{"Kingdee push_app_authorize", false};
    Result<wire::AuthorizeReply> reply =
        executor->noted(call.what, wire::decode_authorize_reply(std::move(*response), call));
    if (!reply.ok()) return std::move(reply).error();
    // The instance asked for, else the first usable one.
    const wire::AppAuthorization* chosen = nullptr;
    for (const wire::AppAuthorization& app : reply->data) {
      remember_secret(app.app_secret);
      if (app.app_key.empty() || app.app_secret.empty()) continue;
      if (chosen == nullptr || app.outer_instance_id == auth.outer_instance_id) chosen = &app;
    }
    return fetch_token(*executor, auth.api, chosen->app_key, chosen->app_secret, auth.clock,
                       auth.default_lifetime, chosen->domain, *domain);
  };
  return provider(std::move(fetch), domain, auth.refresh_ahead, auth.clock);
}

}  // namespace erpbridge::kingdee
