#include "erpbridge/kingdee/connection.hpp"

#include "erpbridge/core/async.hpp"

#include <type_traits>

#include "call/call.hpp"
#include "call/executor.hpp"
#include "call/token_call.hpp"
#include "erpbridge/core/secrets.hpp"
#include "kingdee/codec.hpp"

namespace erpbridge::kingdee {

Result<SparePartsBill> Connection::push_spare_parts(const std::string&) {
  return make_error(ErrorCode::Unimplemented, "kingdee::Connection::push_spare_parts");
}

Result<std::string> Connection::call(const std::string&, const std::string&) {
  return make_error(ErrorCode::Unimplemented, "kingdee::Connection::call");
}

Future<SparePartsBill> Connection::push_spare_parts_async(const std::string& entry_pk) {
  return run_in_background_on<SparePartsBill>(
      this, background_, [entry_pk](Connection& self) { return self.push_spare_parts(entry_pk); });
}

Future<std::string> Connection::call_async(const std::string& path, const std::string& body_json) {
  return run_in_background_on<std::string>(this, background_, [path, body_json](Connection& self) {
    return self.call(path, body_json);
  });
}

namespace {

class HttpConnection final : public Connection {
 public:
  explicit HttpConnection(Options options)
      : token_(options.token),
        gateway_token_(std::dynamic_pointer_cast<GatewayToken>(options.token)),
        headers_{{"groupName", options.group_name},
                 {"accountid", options.account_id},
                 {"X-GW-Router-Addr", options.router_addr},
                 {"Content-Type", "application/json"}},
        sign_requests_(options.sign_requests),
        api_(options.api),
        executor_(std::move(options)) {
    remember_secret(api_.client_secret);
  }

  Result<SparePartsBill> push_spare_parts(const std::string& entry_pk) override {
    Result<internal::PreparedCall<SparePartsBill>> call = push_call(entry_pk);
    if (!call.ok()) return std::move(call).error();
    return internal::run_call(executor_, *call);
  }

  Future<SparePartsBill> push_spare_parts_async(const std::string& entry_pk) override {
    Result<internal::PreparedCall<SparePartsBill>> call = push_call(entry_pk);
    if (!call.ok()) return ready_future<SparePartsBill>(std::move(call).error());
    return internal::run_call_async(executor_, std::move(call).value());
  }

  Result<std::string> call(const std::string& path, const std::string& body_json) override {
    Result<internal::PreparedCall<std::string>> call = generic_call(path, body_json);
    if (!call.ok()) return std::move(call).error();
    return internal::run_call(executor_, *call);
  }

  Future<std::string> call_async(const std::string& path, const std::string& body_json) override {
    Result<internal::PreparedCall<std::string>> call = generic_call(path, body_json);
    if (!call.ok()) return ready_future<std::string>(std::move(call).error());
    return internal::run_call_async(executor_, std::move(call).value());
  }

 private:
  Result<internal::PreparedCall<SparePartsBill>> push_call(const std::string& entry_pk) {
    if (entry_pk.empty()) {
      return make_error(ErrorCode::InvalidArgument, "entry_pk must not be empty");
    }
    internal::PreparedCall<SparePartsBill> call;
    call.label = {"kingdee", "push_spare_parts"};
    Result<void> ready = prepare(call, wire::kPushPath, wire::encode_push(entry_pk));
    if (!ready.ok()) return std::move(ready).error();
    const internal::CallContext context{"Kingdee push " + entry_pk, true};
    call.decode = [executor = executor_.shared(), context](HttpResponse& response) {
      Result<wire::BillEnvelope> envelope =
          executor->noted(context.what, wire::decode_bill_reply(std::move(response), context));
      if (!envelope.ok()) return Result<SparePartsBill>(std::move(envelope).error());
      Result<SparePartsBill> bill =
          internal::with_notes_of(Result<SparePartsBill>(std::move(envelope->data)), envelope);
      if (bill->id.empty() || bill->id == "0") {
        // The bill was created (success is true) but its id did not come back -- missing,
        // empty, or "0" as in the document's own sample reply: say so rather than fail, or
        // the caller would push again and create a second bill.
        DecodeNotes missing{
            DecodeNote{"data.id",
                       bill->id.empty()
                           ? "no bill id in a successful reply: the bill exists, its id is unknown"
                           : "bill id \"0\" in a successful reply: the bill exists, its id is "
                             "unknown",
                       bill->id.empty() ? std::string() : std::string("\"0\"")}};
        executor->log_notes(context.what, missing);
        bill.add_notes(std::move(missing));
      }
      return bill;
    };
    return call;
  }

  Result<internal::PreparedCall<std::string>> generic_call(const std::string& path,
                                                           const std::string& body_json) {
    RawJson body;
    Result<void> parsed = json::decode(body_json, body);
    if (!parsed.ok()) {
      return make_error(ErrorCode::InvalidArgument,
                        "body_json is not valid JSON: " + parsed.error().message);
    }
    internal::PreparedCall<std::string> call;
    call.label = {"kingdee", "call"};
    Result<void> ready = prepare(call, path, std::move(body.text));
    if (!ready.ok()) return std::move(ready).error();
    const internal::CallContext context{"Kingdee " + path, true};
    call.decode = [executor = executor_.shared(), context](HttpResponse& response) {
      Result<wire::RawEnvelope> envelope =
          executor->noted(context.what, wire::decode_raw_reply(std::move(response), context));
      if (!envelope.ok()) return Result<std::string>(std::move(envelope).error());
      return internal::with_notes_of(
          Result<std::string>(envelope->data.empty() ? std::string("null") : envelope->data.text),
          envelope);
    };
    return call;
  }

  // The request of every gateway call: a POST with the gateway headers and the token in the
  // query. A push creates a bill: never repeated blindly (a call refused for its token was
  // not acted on, and goes once more with a fresh one).
  // The router address is the configured one, else the domain the GatewayToken learned
  // from its authorisation or token reply (known once a token was fetched).
  template <typename T>
  Result<void> prepare(internal::PreparedCall<T>& call, const std::string& path, std::string body) {
    for (const auto& header : headers_) {
      const bool learnable = header.first == "X-GW-Router-Addr" && gateway_token_;
      if (header.second.empty() && !learnable) {
        return make_error(ErrorCode::InvalidArgument,
                          "the gateway header " + header.first + " is empty (set it in Options)");
      }
    }
    if (!token_) {
      return make_error(ErrorCode::InvalidArgument, "kingdee::Options::token is required");
    }
    if (sign_requests_ && (api_.client_id.empty() || api_.client_secret.empty())) {
      return make_error(ErrorCode::InvalidArgument,
                        "kingdee::Options::sign_requests needs api.client_id and "
                        "api.client_secret");
    }
    call.token = token_;
    std::string url = internal::join_url(executor_.options().base_url, path);
    const char* separator =
        url.find('?') == std::string::npos ? "?access_token=" : "&access_token=";
    // Copies, not `this`: an async call may outlive the connection.
    call.build = [headers = headers_, gateway_token = gateway_token_, sign = sign_requests_,
                  api = api_, url = std::move(url), separator,
                  body = std::move(body)](const std::string& token) -> Result<HttpRequest> {
      HttpRequest request;
      request.method = HttpMethod::Post;
      request.headers = headers;
      for (auto& header : request.headers) {
        if (header.first == "X-GW-Router-Addr" && header.second.empty()) {
          header.second = gateway_token ? gateway_token->router_addr() : std::string();
          if (header.second.empty()) {
            return make_error(ErrorCode::InvalidArgument,
                              "the gateway header X-GW-Router-Addr is empty: neither Options "
                              "nor the token's authorisation reply (domain) gave one");
          }
        }
      }
      if (sign) {
        for (auto& header : wire::sign_now(api, "POST", url, {{"access_token", token}})) {
          request.headers.push_back(std::move(header));
        }
      }
      request.body = body;
      request.idempotent = false;
      const std::string encoded = url_encode(token);
      request.url.reserve(url.size() + 14 + encoded.size());
      request.url.assign(url).append(separator).append(encoded);
      return request;
    };
    return ok();
  }

  std::shared_ptr<TokenProvider> token_;
  std::shared_ptr<GatewayToken> gateway_token_;  // set when token_ is one
  HttpHeaders headers_;
  bool sign_requests_;
  ApiCredentials api_;
  internal::Executor executor_;
};

}  // namespace

std::shared_ptr<Connection> make_connection(Options options) {
  return std::make_shared<HttpConnection>(std::move(options));
}

}  // namespace erpbridge::kingdee
