#include "erpbridge/wms/connection.hpp"

#include "erpbridge/core/async.hpp"

#include "call/call.hpp"
#include "call/executor.hpp"
#include "call/token_call.hpp"
#include "wms/codec.hpp"

namespace erpbridge::wms {

Result<PushReply> Connection::push(const EntryConfirmation&) {
  return make_error(ErrorCode::Unimplemented, "wms::Connection::push");
}

Future<PushReply> Connection::push_async(const EntryConfirmation& confirmation) {
  return run_in_background_on<PushReply>(
      this, background_, [confirmation](Connection& self) { return self.push(confirmation); });
}

namespace {

class HttpConnection final : public Connection {
 public:
  explicit HttpConnection(Options options)
      : token_(options.token),
        url_(internal::join_url(options.base_url, options.path)),
        executor_(std::move(options)) {}

  Result<PushReply> push(const EntryConfirmation& confirmation) override {
    Result<internal::PreparedCall<PushReply>> call = push_call(confirmation);
    if (!call.ok()) return std::move(call).error();
    return internal::run_call(executor_, *call);
  }

  Future<PushReply> push_async(const EntryConfirmation& confirmation) override {
    Result<internal::PreparedCall<PushReply>> call = push_call(confirmation);
    if (!call.ok()) return ready_future<PushReply>(std::move(call).error());
    return internal::run_call_async(executor_, std::move(call).value());
  }

 private:
  // entry_code is unique, so the receiver answers a repeat alike: safe to retry. One more
  // try after a 401: the token may have expired since it was cached.
  Result<internal::PreparedCall<PushReply>> push_call(const EntryConfirmation& confirmation) {
    std::vector<Violation> violations = validate(confirmation);
    if (!violations.empty()) return violations_error(violations);
    if (!token_) {
      return make_error(ErrorCode::InvalidArgument,
                        "wms::Options::token is required (the Authorization token)");
    }
    internal::PreparedCall<PushReply> call;
    call.label = {"wms", "create_entry_confirmation"};
    call.token = token_;
    call.build = [url = url_, body = wire::encode_push(confirmation)](
                     const std::string& token) -> Result<HttpRequest> {
      HttpRequest request;
      request.method = HttpMethod::Post;
      request.url = url;
      request.body = body;
      request.idempotent = true;
      request.headers = {{"Content-Type", "application/json"}, {"Authorization", token}};
      return request;
    };
    call.decode = [executor = executor_.shared(),
                   entry_code = confirmation.order.entry_code](HttpResponse& response) {
      return executor->noted("WMS push of " + entry_code,
                             wire::decode_push_reply(std::move(response), entry_code));
    };
    return call;
  }

  std::shared_ptr<TokenProvider> token_;
  std::string url_;
  internal::Executor executor_;
};

}  // namespace

std::shared_ptr<Connection> make_connection(Options options) {
  return std::make_shared<HttpConnection>(std::move(options));
}

}  // namespace erpbridge::wms
