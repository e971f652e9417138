#include "erpbridge/kingdee/connection.hpp"

#include "core/executor.hpp"
#include "erpbridge/kingdee/client.hpp"
#include "kingdee/codec.hpp"

namespace erpbridge::kingdee {

Result<SparePartsBill> Connection::push_spare_parts(const std::string&) {
  return make_error(ErrorCode::Unimplemented, "kingdee::Connection::push_spare_parts");
}

Result<std::string> Connection::call(const std::string&, const std::string&) {
  return make_error(ErrorCode::Unimplemented, "kingdee::Connection::call");
}

std::string to_json(const SparePartsBill& bill) {
  return json::encode(bill);
}

Result<SparePartsBill> parse_spare_parts_bill(std::string_view text) {
  return json::decode<SparePartsBill>(text);
}

namespace {

bool is_auth_code(const std::string& code) {
  return code == "401" || code == "403" || code == "invalid_token" || code == "token_expired";
}

// success != true is an Api error (Unauthenticated for auth codes) carrying errorCode.
template <typename Envelope>
Error envelope_error(const Envelope& envelope, int http_status, const std::string& context) {
  const std::string& text = envelope.message.empty() ? envelope.description : envelope.message;
  Error error = make_error(
      is_auth_code(envelope.error_code) ? ErrorCode::Unauthenticated : ErrorCode::Api,
      context + " failed: errorCode " + (envelope.error_code.empty() ? "-" : envelope.error_code) +
          (text.empty() ? "" : " " + text));
  error.http_status = http_status;
  error.vendor_code = envelope.error_code;
  error.vendor_message = text;
  if (http_status == 401 || http_status == 403) error.code = ErrorCode::Unauthenticated;
  return error;
}

// Maps a gateway response into the envelope's data, decoded as Envelope::data.
template <typename Envelope>
Result<Envelope> decode_envelope(const HttpResponse& response, const std::string& context) {
  Envelope envelope;
  Result<void> decoded = json::decode(response.body, envelope);
  if (!decoded.ok()) {
    wire::RawEnvelope header;  // a failure's data may have any shape
    if (json::decode(response.body, header).ok() && header.success.has_value() &&
        *header.success != true) {
      return envelope_error(header, response.status, context);
    }
    if (response.status != 200) return internal::error_from_status(response, context);
    Error error = std::move(decoded).error();
    error.message = context + " reply: " + error.message;
    error.http_status = response.status;
    return error;
  }
  if (!envelope.success.has_value()) {
    // Not a gateway envelope at all (a proxy's error page, say).
    if (response.status != 200) return internal::error_from_status(response, context);
    Error error =
        make_error(ErrorCode::Decode, context + " reply: success: missing required field");
    error.http_status = response.status;
    return error;
  }
  if (*envelope.success != true) return envelope_error(envelope, response.status, context);
  if (response.status != 200) return internal::error_from_status(response, context);
  return envelope;
}

class HttpConnection final : public Connection {
 public:
  explicit HttpConnection(Options options)
      : token_(options.token),
        headers_{{"groupName", options.group_name},
                 {"accountid", options.account_id},
                 {"X-GW-Router-Addr", options.router_addr},
                 {"Content-Type", "application/json"}},
        executor_(std::move(options)) {}

  Result<SparePartsBill> push_spare_parts(const std::string& entry_pk) override {
    if (entry_pk.empty()) {
      return make_error(ErrorCode::InvalidArgument, "entry_pk must not be empty");
    }
    wire::PushBody body{"push", entry_pk, wire::BillData{entry_pk}};
    Result<wire::BillEnvelope> envelope =
        send<wire::BillEnvelope>(wire::kPushPath, json::encode(body), "Kingdee push " + entry_pk);
    if (!envelope.ok()) return std::move(envelope).error();
    return std::move(envelope->data);
  }

  Result<std::string> call(const std::string& path, const std::string& body_json) override {
    RawJson body;
    Result<void> parsed = json::decode(body_json, body);
    if (!parsed.ok()) {
      return make_error(ErrorCode::InvalidArgument,
                        "body_json is not valid JSON: " + parsed.error().message);
    }
    Result<wire::RawEnvelope> envelope =
        send<wire::RawEnvelope>(path, body.text, "Kingdee " + path);
    if (!envelope.ok()) return std::move(envelope).error();
    return envelope->data.empty() ? std::string("null") : envelope->data.text;
  }

 private:
  template <typename Envelope>
  Result<Envelope> send(const std::string& path, std::string body, const std::string& context) {
    for (const auto& header : headers_) {
      if (header.second.empty()) {
        return make_error(ErrorCode::InvalidArgument,
                          "the gateway header " + header.first + " is empty (set it in Options)");
      }
    }
    if (!token_)
      return make_error(ErrorCode::InvalidArgument, "kingdee::Options::token is required");
    HttpRequest request;
    request.method = HttpMethod::Post;
    request.headers = headers_;
    request.body = std::move(body);
    request.idempotent = false;  // a push creates a bill: never repeated blindly
    const std::string url = internal::join_url(executor_.options().base_url, path);
    const char separator = url.find('?') == std::string::npos ? '?' : '&';
    for (int auth_try = 0;; ++auth_try) {
      Result<std::string> token = token_->token();
      if (!token.ok()) return std::move(token).error();
      request.url = url + separator + "access_token=" + url_encode(*token);
      Result<HttpResponse> response = executor_.execute(request);
      if (!response.ok()) return std::move(response).error();
      Result<Envelope> envelope = decode_envelope<Envelope>(*response, context);
      // Rejected for its token, the call was not acted on: refresh and try once more.
      if (!envelope.ok() && envelope.error().code == ErrorCode::Unauthenticated && auth_try == 0) {
        token_->invalidate(*token);
        continue;
      }
      return envelope;
    }
  }

  std::shared_ptr<TokenProvider> token_;
  HttpHeaders headers_;
  internal::Executor executor_;
};

}  // namespace

std::shared_ptr<Connection> make_connection(Options options) {
  return std::make_shared<HttpConnection>(std::move(options));
}

Client::Client(std::shared_ptr<Connection> connection) : connection_(std::move(connection)) {}
Client::Client(Options options) : connection_(make_connection(std::move(options))) {}

Result<SparePartsBill> Client::push_spare_parts(const std::string& entry_pk) const {
  return connection_->push_spare_parts(entry_pk);
}

Result<std::string> Client::call(const std::string& path, const std::string& body_json) const {
  return connection_->call(path, body_json);
}

}  // namespace erpbridge::kingdee
