#include "erpbridge/wms/connection.hpp"

#include "core/executor.hpp"
#include "erpbridge/wms/client.hpp"
#include "wms/codec.hpp"

namespace erpbridge::wms {

Result<PushReply> Connection::push(const EntryConfirmation&) {
  return make_error(ErrorCode::Unimplemented, "wms::Connection::push");
}

namespace {

class HttpConnection final : public Connection {
 public:
  explicit HttpConnection(Options options)
      : token_(options.token),
        url_(internal::join_url(options.base_url, options.path)),
        executor_(std::move(options)) {}

  Result<PushReply> push(const EntryConfirmation& confirmation) override {
    std::vector<Violation> violations = validate(confirmation);
    if (!violations.empty()) return violations_error(violations);
    if (!token_) {
      return make_error(ErrorCode::InvalidArgument,
                        "wms::Options::token is required (the Authorization token)");
    }
    HttpRequest request;
    request.method = HttpMethod::Post;
    request.url = url_;
    request.body = json::encode(confirmation);
    request.idempotent = true;  // entry_code is unique: the receiver answers a repeat alike

    // One more try after a 401: the token may have expired since it was cached.
    for (int auth_try = 0;; ++auth_try) {
      Result<std::string> token = token_->token();
      if (!token.ok()) return std::move(token).error();
      request.headers.clear();
      request.headers.emplace_back("Content-Type", "application/json");
      request.headers.emplace_back("Authorization", *token);
      Result<HttpResponse> response = executor_.execute(request);
      if (!response.ok()) return std::move(response).error();
      if (response->status == 401 && auth_try == 0) {
        token_->invalidate(*token);
        continue;
      }
      return decode_reply(*response, confirmation.order.entry_code);
    }
  }

 private:
  static Result<PushReply> decode_reply(const HttpResponse& response,
                                        const std::string& entry_code) {
    // Built only for an error: a successful push has no use for it.
    auto context = [&entry_code] { return "WMS push of " + entry_code; };
    Result<PushReply> reply = json::decode<PushReply>(response.body);
    if (response.status != 200) {
      Error error = internal::error_from_status(response, context());
      if (reply.ok()) {
        error.vendor_code = reply->code;
        error.vendor_message = reply->message;
      }
      return error;
    }
    if (!reply.ok()) {
      Error error = std::move(reply).error();
      error.message = context() + ": reply: " + error.message;
      error.http_status = response.status;
      return error;
    }
    if (!reply->succeeded()) {
      Error error =
          make_error(ErrorCode::Api, context() + " refused: code " + reply->code +
                                         (reply->message.empty() ? "" : " " + reply->message));
      error.http_status = response.status;
      error.vendor_code = reply->code;
      error.vendor_message = reply->message;
      return error;
    }
    return reply;
  }

  std::shared_ptr<TokenProvider> token_;
  std::string url_;
  internal::Executor executor_;
};

}  // namespace

std::shared_ptr<Connection> make_connection(Options options) {
  return std::make_shared<HttpConnection>(std::move(options));
}

Client::Client(std::shared_ptr<Connection> connection) : connection_(std::move(connection)) {}
Client::Client(Options options) : connection_(make_connection(std::move(options))) {}

Result<PushReply> Client::push(const EntryConfirmation& confirmation) const {
  return connection_->push(confirmation);
}

}  // namespace erpbridge::wms
