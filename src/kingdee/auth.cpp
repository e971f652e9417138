// Gateway tokens: app_signature and the kingdee_auth_token endpoint.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/executor.hpp"
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
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return base64(hex);
}

std::shared_ptr<TokenProvider> make_gateway_token(GatewayAuth auth) {
  auto executor = std::make_shared<internal::Executor>(auth.client);
  const std::string url = internal::join_url(auth.client.base_url, wire::kAuthPath) +
                          "?app_key=" + url_encode(auth.app_key) + "&app_signature=" +
                          url_encode(app_signature(auth.app_key, auth.app_secret));
  auto fetch = [executor, url]() -> Result<AccessToken> {
    HttpRequest request;
    request.method = HttpMethod::Get;
    request.url = url;
    request.idempotent = true;
    Result<HttpResponse> response = executor->execute(request);
    if (!response.ok()) return std::move(response).error();
    if (response->status != 200) {
      return internal::error_from_status(*response, "Kingdee kingdee_auth_token");
    }
    Result<wire::AuthReply> reply = json::decode<wire::AuthReply>(response->body);
    if (!reply.ok()) {
      Error error = std::move(reply).error();
      error.message = "Kingdee kingdee_auth_token reply: " + error.message;
      return error;
    }
    if (reply->errcode != "0" || reply->data.access_token.empty()) {
      Error error = make_error(ErrorCode::Unauthenticated,
                               "Kingdee kingdee_auth_token refused: errcode " + reply->errcode +
                                   (reply->description.empty() ? "" : " " + reply->description));
      error.vendor_code = reply->errcode;
      error.vendor_message = reply->description;
      return error;
    }
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
