#include "erpbridge/kingdee/connection.hpp"

#include <type_traits>

#include "core/executor.hpp"
#include "core/token_call.hpp"
#include "kingdee/codec.hpp"

namespace erpbridge::kingdee {

Result<SparePartsBill> Connection::push_spare_parts(const std::string&) {
  return make_error(ErrorCode::Unimplemented, "kingdee::Connection::push_spare_parts");
}

Result<std::string> Connection::call(const std::string&, const std::string&) {
  return make_error(ErrorCode::Unimplemented, "kingdee::Connection::call");
}

namespace {

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
    const internal::CallContext call{"Kingdee push " + entry_pk, true};
    Result<wire::BillEnvelope> envelope =
        send<wire::BillEnvelope>(wire::kPushPath, wire::encode_push(entry_pk), call);
    if (!envelope.ok()) return std::move(envelope).error();
    Result<SparePartsBill> bill =
        internal::with_notes_of(Result<SparePartsBill>(std::move(envelope->data)), envelope);
    if (bill->id.empty()) {
      // The bill was created (success is true) but its id did not come back: say so rather
      // than fail, or the caller would push again and create a second bill.
      DecodeNotes missing{DecodeNote{"data.id", "no bill id in a successful reply", std::string()}};
      executor_.log_notes(call.what, missing);
      bill.add_notes(std::move(missing));
    }
    return bill;
  }

  Result<std::string> call(const std::string& path, const std::string& body_json) override {
    RawJson body;
    Result<void> parsed = json::decode(body_json, body);
    if (!parsed.ok()) {
      return make_error(ErrorCode::InvalidArgument,
                        "body_json is not valid JSON: " + parsed.error().message);
    }
    Result<wire::RawEnvelope> envelope =
        send<wire::RawEnvelope>(path, body.text, internal::CallContext{"Kingdee " + path, true});
    if (!envelope.ok()) return std::move(envelope).error();
    return internal::with_notes_of(
        Result<std::string>(envelope->data.empty() ? std::string("null") : envelope->data.text),
        envelope);
  }

 private:
  template <typename Envelope>
  Result<Envelope> send(const std::string& path, std::string body,
                        const internal::CallContext& call) {
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
    const char* separator =
        url.find('?') == std::string::npos ? "?access_token=" : "&access_token=";
    // Rejected for its token, the call was not acted on: refreshed and tried once more.
    return internal::call_with_token<Envelope>(*token_, [&](const std::string& token) {
      const std::string encoded = url_encode(token);
      request.url.reserve(url.size() + 14 + encoded.size());
      request.url.assign(url).append(separator).append(encoded);
      Result<HttpResponse> response = executor_.execute(request);
      if (!response.ok()) return Result<Envelope>(std::move(response).error());
      if constexpr (std::is_same_v<Envelope, wire::BillEnvelope>) {
        return executor_.noted(call.what, wire::decode_bill_reply(*response, call));
      } else {
        return executor_.noted(call.what, wire::decode_raw_reply(*response, call));
      }
    });
  }

  std::shared_ptr<TokenProvider> token_;
  HttpHeaders headers_;
  internal::Executor executor_;
};

}  // namespace

std::shared_ptr<Connection> make_connection(Options options) {
  return std::make_shared<HttpConnection>(std::move(options));
}

}  // namespace erpbridge::kingdee
