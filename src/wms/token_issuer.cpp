#include "erpbridge/wms/token_issuer.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>

#include "call/executor.hpp"
#include "call/reply.hpp"
#include "core/hex.hpp"
#include "erpbridge/core/secrets.hpp"

namespace erpbridge::wms {
namespace {

// "ebt1.<expiry, seconds since the epoch>.<nonce>.<signature>": the signature is the hex
// HMAC-SHA256 of everything before it, keyed with signing_key().
constexpr std::string_view kTokenVersion = "ebt1";
constexpr std::size_t kMaxRequestBytes = 64 * 1024;
constexpr std::size_t kMinSecretLength = 16;

// The key tokens are signed with: PBKDF2-HMAC-SHA256 of the client secret, salted with the
// client id, derived once. A token seen on the wire then costs an attacker 100,000 HMACs per
// guess of the secret instead of one. Empty if the derivation failed.
std::string signing_key(const std::string& secret, const std::string& client_id) {
  const std::string salt = "erpbridge-wms-token:" + client_id;
  unsigned char key[32];
  if (PKCS5_PBKDF2_HMAC(secret.data(), static_cast<int>(secret.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), 100000, EVP_sha256(), sizeof key,
                        key) != 1) {
    return std::string();
  }
  return std::string(reinterpret_cast<const char*>(key), sizeof key);
}

// The hex HMAC-SHA256 of `signed_part` under `key`: 64 characters, or empty if it failed
// (never a signature that anything matches).
std::string signature_of(const std::string& key, std::string_view signed_part) {
  if (key.empty()) return std::string();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size(), digest,
           &length) == nullptr ||
      length != 32) {
    return std::string();
  }
  return internal::to_hex(digest, length);
}

// Equal texts, in time that does not depend on where they differ.
bool same_text(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_nonce() {
  unsigned char bytes[12];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return std::string();
  return internal::to_hex(bytes, sizeof bytes);
}

// The receiver's error shape: {"code":"401","message":"…"}.
std::string error_body(int status, const std::string& message) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("code");
  const std::string code = std::to_string(status);
  writer.String(code.c_str(), static_cast<rapidjson::SizeType>(code.size()));
  writer.Key("message");
  writer.String(message.c_str(), static_cast<rapidjson::SizeType>(message.size()));
  writer.EndObject();
  return buffer.GetString();
}

ReceiverReply refuse(int status, const std::string& message) {
  return ReceiverReply{status, error_body(status, message), std::nullopt};
}

const rapidjson::Value* member(const rapidjson::Value& object, const char* name) {
  auto found = object.FindMember(name);
  return found == object.MemberEnd() ? nullptr : &found->value;
}

}  // namespace

struct TokenIssuer::State {
  TokenIssuerOptions options;
  std::string key;  // signing_key(); empty when the secret is too short or derivation failed

  std::chrono::system_clock::time_point now() const {
    return options.clock ? options.clock() : std::chrono::system_clock::now();
  }
};

TokenIssuer::TokenIssuer(TokenIssuerOptions options) {
  remember_secret(options.client_secret);
  auto state = std::make_shared<State>();
  state->options = std::move(options);
  if (state->options.client_secret.size() >= kMinSecretLength) {
    state->key = signing_key(state->options.client_secret, state->options.client_id);
  }
  state_ = std::move(state);
}

Result<IssuedToken> TokenIssuer::issue(std::string_view client_id,
                                       std::string_view client_secret) const {
  const TokenIssuerOptions& options = state_->options;
  // Both compared whole, whatever the first difference: no timing hint for either.
  const bool id_right = same_text(client_id, options.client_id);
  const bool secret_right = same_text(client_secret, options.client_secret);
  if (options.client_id.empty() || !id_right || !secret_right) {
    return make_error(ErrorCode::Unauthenticated, "wrong client_id or client_secret");
  }
  if (state_->key.empty()) {
    return make_error(ErrorCode::FailedPrecondition,
                      "the token issuer's client_secret is shorter than 16 characters");
  }
  const std::string nonce = random_nonce();
  if (nonce.empty()) return make_error(ErrorCode::Internal, "no random bytes for a token");
  const auto expiry = std::chrono::duration_cast<std::chrono::seconds>(
                          (state_->now() + options.lifetime).time_since_epoch())
                          .count();
  const std::string signed_part =
      std::string(kTokenVersion) + "." + std::to_string(expiry) + "." + nonce;
  IssuedToken issued;
  const std::string signature = signature_of(state_->key, signed_part);
  if (signature.empty()) return make_error(ErrorCode::Internal, "signing a token failed");
  issued.token = signed_part + "." + signature;
  issued.expires_in = options.lifetime;
  // Not remembered as a secret here: the issuer logs nothing, and remembering every token it
  // hands out would push the client secret itself out of the bounded registry.
  return issued;
}

bool TokenIssuer::accepts(std::string_view token) const {
  const std::size_t last_dot = token.rfind('.');
  if (last_dot == std::string_view::npos || token.size() - last_dot - 1 != 64) return false;
  const std::string_view signed_part = token.substr(0, last_dot);
  const std::string expected = signature_of(state_->key, signed_part);
  if (expected.empty() || !same_text(token.substr(last_dot + 1), expected)) return false;
  // Signed by us, so well formed: "ebt1.<expiry>.<nonce>".
  const std::size_t first_dot = signed_part.find('.');
  const std::size_t second_dot = signed_part.find('.', first_dot + 1);
  if (signed_part.substr(0, first_dot) != kTokenVersion || second_dot == std::string_view::npos) {
    return false;
  }
  long long expiry = 0;
  for (const char digit : signed_part.substr(first_dot + 1, second_dot - first_dot - 1)) {
    if (digit < '0' || digit > '9' || expiry > 1000000000000LL) return false;
    expiry = expiry * 10 + (digit - '0');
  }
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(state_->now().time_since_epoch()).count();
  return now < expiry;
}

TokenChecker TokenIssuer::checker() const {
  return [issuer = *this](std::string_view token) { return issuer.accepts(token); };
}

ReceiverReply TokenIssuer::handle(const HttpHeaders&, std::string_view body) const noexcept {
  try {
    if (body.size() > kMaxRequestBytes) {
      return refuse(413, "body of " + std::to_string(body.size()) + " bytes exceeds the limit of " +
                             std::to_string(kMaxRequestBytes));
    }
    rapidjson::Document request;
    request.Parse(body.data(), body.size());
    if (request.HasParseError() || !request.IsObject()) {
      return refuse(400, "the body must be a JSON object {\"client_id\":…,\"client_secret\":…}");
    }
    const rapidjson::Value* id = member(request, "client_id");
    const rapidjson::Value* secret = member(request, "client_secret");
    if (id == nullptr || !id->IsString() || secret == nullptr || !secret->IsString()) {
      return refuse(400, "client_id and client_secret are required, as strings");
    }
    Result<IssuedToken> issued =
        issue(std::string_view(id->GetString(), id->GetStringLength()),
              std::string_view(secret->GetString(), secret->GetStringLength()));
    if (!issued.ok()) {
      return refuse(issued.error().code == ErrorCode::Unauthenticated ? 401 : 500,
                    issued.error().message);
    }
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("token");
    writer.String(issued->token.c_str(), static_cast<rapidjson::SizeType>(issued->token.size()));
    writer.Key("expires_in");
    writer.Int64(issued->expires_in.count());
    writer.EndObject();
    return ReceiverReply{200, buffer.GetString(), std::nullopt};
  } catch (...) {
    return refuse(500, "internal error");
  }
}

TokenChecker accept_any(std::vector<TokenChecker> checkers) {
  return [checkers = std::move(checkers)](std::string_view token) {
    for (const TokenChecker& checker : checkers) {
      if (checker && checker(token)) return true;
    }
    return false;
  };
}

std::shared_ptr<TokenProvider> make_issued_token(IssuedTokenSource source) {
  remember_secret(source.client_secret);
  auto executor = std::make_shared<internal::Executor>(source.client);
  const std::string url = internal::join_url(source.client.base_url, source.path);
  std::string body;
  {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("client_id");
    writer.String(source.client_id.c_str(),
                  static_cast<rapidjson::SizeType>(source.client_id.size()));
    writer.Key("client_secret");
    writer.String(source.client_secret.c_str(),
                  static_cast<rapidjson::SizeType>(source.client_secret.size()));
    writer.EndObject();
    body = buffer.GetString();
  }
  auto clock = source.clock;
  auto fetch = [executor, url, body, clock]() -> Result<AccessToken> {
    HttpRequest request;
    request.method = HttpMethod::Post;
    request.url = url;
    request.body = body;
    request.idempotent = true;  // asking for a token twice only issues two tokens
    request.headers = {{"Content-Type", "application/json"}};
    Result<HttpResponse> response = executor->execute(request, {"wms", "token"});
    if (!response.ok()) return std::move(response).error();
    if (response->status < 200 || response->status > 299) {
      // 401: wrong client id or secret (Unauthenticated), as every family maps it.
      return scrubbed(
          internal::status_error(*response, internal::CallContext{"WMS token endpoint", false}));
    }
    rapidjson::Document reply;
    reply.Parse(response->body.data(), response->body.size());
    const rapidjson::Value* token =
        !reply.HasParseError() && reply.IsObject() ? member(reply, "token") : nullptr;
    if (token == nullptr || !token->IsString() || token->GetStringLength() == 0) {
      return make_error(ErrorCode::Decode, "the token endpoint's reply has no token");
    }
    AccessToken fetched;
    fetched.value.assign(token->GetString(), token->GetStringLength());
    remember_secret(fetched.value);
    const rapidjson::Value* expires_in = member(reply, "expires_in");
    if (expires_in != nullptr && expires_in->IsInt64() && expires_in->GetInt64() > 0) {
      fetched.expires_at = (clock ? clock() : std::chrono::system_clock::now()) +
                           std::chrono::seconds(expires_in->GetInt64());
    }
    return fetched;
  };
  return make_cached_token(std::move(fetch), source.refresh_ahead, std::move(clock));
}

}  // namespace erpbridge::wms
