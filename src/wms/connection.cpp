#include "erpbridge/wms/connection.hpp"

#include "core/executor.hpp"
#include "core/token_call.hpp"
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
    request.body = wire::encode_push(confirmation);
    request.idempotent = true;  // entry_code is unique: the receiver answers a repeat alike

    // One more try after a 401: the token may have expired since it was cached.
    return internal::call_with_token<PushReply>(*token_, [&](const std::string& token) {
      request.headers.clear();
      request.headers.emplace_back("Content-Type", "application/json");
      request.headers.emplace_back("Authorization", token);
      Result<HttpResponse> response = executor_.execute(request);
      if (!response.ok()) return Result<PushReply>(std::move(response).error());
      return executor_.noted("WMS push of " + confirmation.order.entry_code,
                             wire::decode_push_reply(*response, confirmation.order.entry_code));
    });
  }

 private:
  std::shared_ptr<TokenProvider> token_;
  std::string url_;
  internal::Executor executor_;
};

}  // namespace

std::shared_ptr<Connection> make_connection(Options options) {
  return std::make_shared<HttpConnection>(std::move(options));
}

}  // namespace erpbridge::wms
