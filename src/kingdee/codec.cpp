#include "kingdee/codec.hpp"

#include <algorithm>

namespace erpbridge::kingdee::wire {
namespace {

bool is_auth_code(const std::string& code) {
  return code == "401" || code == "403" || code == "invalid_token" || code == "token_expired";
}

// The gateway's verdict: success true succeeds; false is an Api error (Unauthenticated for
// auth codes or a 401/403) carrying errorCode and the message; missing, the reply is
// unreadable.
template <typename Envelope>
internal::Verdict judge(const Envelope& envelope, const HttpResponse& response,
                        const internal::CallContext& call) {
  if (!envelope.success.has_value()) return internal::Verdict::missing();
  if (*envelope.success) return internal::Verdict::success();
  const std::string& text = envelope.message.empty() ? envelope.description : envelope.message;
  const bool auth =
      is_auth_code(envelope.error_code) || response.status == 401 || response.status == 403;
  return internal::Verdict::failure(
      internal::vendor_error(auth ? ErrorCode::Unauthenticated : ErrorCode::Api, "errorCode",
                             envelope.error_code, text, response, call));
}

template <typename Envelope>
Result<Envelope> decode_envelope(HttpResponse&& response, const internal::CallContext& call) {
  return internal::read_reply<Envelope>(
      response, call, [&](const Envelope& e) { return judge(e, response, call); });
}

}  // namespace

std::string encode_push(const std::string& entry_pk) {
  return json::encode(PushBody{"push", entry_pk, BillData{entry_pk}});
}

Result<BillEnvelope> decode_bill_reply(HttpResponse&& response, const internal::CallContext& call) {
  return decode_envelope<BillEnvelope>(std::move(response), call);
}

Result<RawEnvelope> decode_raw_reply(HttpResponse&& response, const internal::CallContext& call) {
  return decode_envelope<RawEnvelope>(std::move(response), call);
}

Result<AuthReply> decode_auth_reply(HttpResponse&& response, const internal::CallContext& call) {
  return internal::read_reply<AuthReply>(response, call, [&](const AuthReply& r) {
    if (r.errcode == "0" && !r.data.token().empty()) return internal::Verdict::success();
    return internal::Verdict::failure(internal::vendor_error(
        ErrorCode::Unauthenticated, "errcode", r.errcode,
        r.errcode == "0" ? "no app-token, app_token or access_token in the reply" : r.description,
        response, call));
  });
}

Result<AuthorizeReply> decode_authorize_reply(HttpResponse&& response,
                                              const internal::CallContext& call) {
  return internal::read_reply<AuthorizeReply>(response, call, [&](const AuthorizeReply& r) {
    const bool usable = std::any_of(r.data.begin(), r.data.end(), [](const AppAuthorization& a) {
      return !a.app_key.empty() && !a.app_secret.empty();
    });
    if (r.errcode == "0" && usable) return internal::Verdict::success();
    return internal::Verdict::failure(internal::vendor_error(
        ErrorCode::Unauthenticated, "errcode", r.errcode,
        r.errcode == "0" ? "no instance with appKey and appSecret in the reply" : r.description,
        response, call));
  });
}

std::chrono::system_clock::time_point token_expiry(const AuthData& data,
                                                   std::chrono::system_clock::time_point now,
                                                   std::chrono::seconds default_lifetime) {
  using namespace std::chrono;
  if (data.expires && *data.expires > 0) {
    const std::int64_t value = *data.expires;
    if (value > 1'000'000'000'000) return system_clock::time_point(milliseconds(value));
    if (value > 1'000'000'000) return system_clock::time_point(seconds(value));
    return now + seconds(value);
  }
  if (data.expires_in && *data.expires_in > 0) return now + seconds(*data.expires_in);
  return now + default_lifetime;
}

}  // namespace erpbridge::kingdee::wire
