// Gateway tokens: app_signature and the kingdee_auth_token endpoint.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/hex.hpp"
#include "core/reply.hpp"
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

}  // namespace

std::string app_signature(const std::string& app_key, const std::string& app_secret) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), app_secret.data(), static_cast<int>(app_secret.size()),
       reinterpret_cast<const unsigned char*>(app_key.data()), app_key.size(), digest, &length);
  return base64(internal::to_hex(digest, length));
}

std::shared_ptr<TokenProvider> make_gateway_token(GatewayAuth auth) {
  remember_secret(auth.app_secret);
  const std::string signature = app_signature(auth.app_key, auth.app_secret);
  remember_secret(signature);
  auto executor = std::make_shared<internal::Executor>(auth.client);
  const std::string url = internal::join_url(auth.client.base_url, wire::kAuthPath) +
                          "?app_key=" + url_encode(auth.app_key) +
                          "&app_signature=" + url_encode(signature);
  auto fetch = [executor, url]() -> Result<AccessToken> {
    HttpRequest request;
    request.method = HttpMethod::Get;
    request.url = url;
    request.idempotent = true;
    Result<HttpResponse> response = executor->execute(request);
    if (!response.ok()) return std::move(response).error();
    const internal::CallContext call{"Kingdee kingdee_auth_token", false};
    Result<wire::AuthReply> reply =
        executor->noted(call.what, wire::decode_auth_reply(std::move(*response), call));
    if (!reply.ok()) return std::move(reply).error();
    remember_secret(reply->data.access_token);
    AccessToken token;
    token.value = std::move(reply->data.access_token);
    if (reply->data.expires) {
      token.expires_at =
          std::chrono::system_clock::time_point(std::chrono::milliseconds(*reply->data.expires));
    }
    return token;
  };
  return make_cached_token(std::move(fetch), auth.refresh_ahead);
}

}  // namespace erpbridge::kingdee
