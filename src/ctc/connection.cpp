#include "erpbridge/ctc/connection.hpp"

#include "core/executor.hpp"
#include "core/token_call.hpp"
#include "ctc/codec.hpp"
#include "erpbridge/core/secrets.hpp"

namespace erpbridge::ctc {

Result<std::vector<Receipt>> Connection::query_receipts(const ReceiptQuery&) {
  return make_error(ErrorCode::Unimplemented, "ctc::Connection::query_receipts");
}

std::vector<Result<std::vector<Receipt>>> Connection::query_receipts_batch(
    const std::vector<ReceiptQuery>& queries, std::size_t) {
  std::vector<Result<std::vector<Receipt>>> results;
  results.reserve(queries.size());
  for (const auto& query : queries) results.push_back(query_receipts(query));
  return results;
}

Result<std::string> Connection::call(const std::string&, const std::string&, bool) {
  return make_error(ErrorCode::Unimplemented, "ctc::Connection::call");
}

namespace {

class HttpConnection final : public Connection {
 public:
  explicit HttpConnection(Options options)
      : key_(std::move(options.key)),
        receipts_url_(internal::join_url(options.base_url, wire::kReceiptsPath)),
        executor_(std::move(options)) {}

  Result<std::vector<Receipt>> query_receipts(const ReceiptQuery& query) override {
    Result<void> valid = validate(query);
    if (!valid.ok()) return std::move(valid).error();
    if (!key_) return missing_key();
    return internal::call_with_token<std::vector<Receipt>>(*key_, [&](const std::string& key) {
      Result<HttpResponse> response = executor_.execute(receipts_request(key, query));
      if (!response.ok()) return Result<std::vector<Receipt>>(std::move(response).error());
      return executor_.noted("CTC receipt_parts",
                             wire::decode_receipts(*response, query.direction));
    });
  }

  std::vector<Result<std::vector<Receipt>>> query_receipts_batch(
      const std::vector<ReceiptQuery>& queries, std::size_t max_concurrency) override {
    std::vector<Result<std::vector<Receipt>>> results(
        queries.size(), Result<std::vector<Receipt>>(std::vector<Receipt>{}));
    std::vector<std::size_t> pending;
    for (std::size_t i = 0; i < queries.size(); ++i) {
      Result<void> valid = validate(queries[i]);
      if (!valid.ok()) {
        results[i] = std::move(valid).error();
      } else if (!key_) {
        results[i] = missing_key();
      } else {
        pending.push_back(i);
      }
    }
    // One key for the batch; the queries it was refused for go once more with a fresh one.
    for (int try_number = 0; try_number < 2 && !pending.empty(); ++try_number) {
      Result<std::string> key = key_->token();
      if (!key.ok()) {
        for (std::size_t i : pending) results[i] = key.error();
        break;
      }
      remember_secret(*key);
      std::vector<HttpRequest> requests;
      for (std::size_t i : pending) requests.push_back(receipts_request(*key, queries[i]));
      std::vector<Result<HttpResponse>> responses =
          executor_.execute_all(std::move(requests), max_concurrency);
      std::vector<std::size_t> refused;
      for (std::size_t k = 0; k < pending.size(); ++k) {
        const std::size_t i = pending[k];
        results[i] =
            responses[k].ok()
                ? executor_.noted("CTC receipt_parts",
                                  wire::decode_receipts(*responses[k], queries[i].direction))
                : Result<std::vector<Receipt>>(responses[k].error());
        if (!results[i].ok() && results[i].error().code == ErrorCode::Unauthenticated) {
          refused.push_back(i);
        }
      }
      if (!refused.empty()) key_->invalidate(*key);
      pending = std::move(refused);
    }
    return results;
  }

  Result<std::string> call(const std::string& path, const std::string& data_json,
                           bool idempotent) override {
    if (!key_) return missing_key();
    // A call refused for its key (签名无效) was not acted on: safe to send again with a
    // fresh one, even a write.
    return internal::call_with_token<std::string>(*key_, [&](const std::string& key) {
      Result<std::string> body = wire::encode_call(key, data_json);
      if (!body.ok()) return body;
      HttpRequest request = post(internal::join_url(executor_.options().base_url, path),
                                 std::move(body).value(), idempotent);
      Result<HttpResponse> response = executor_.execute(std::move(request));
      if (!response.ok()) return Result<std::string>(std::move(response).error());
      return executor_.noted("CTC " + path, wire::decode_call_reply(*response, path, !idempotent));
    });
  }

 private:
  static HttpRequest post(std::string url, std::string body, bool idempotent) {
    HttpRequest request;
    request.method = HttpMethod::Post;
    request.url = std::move(url);
    request.headers = {{"Content-Type", "application/json"}};
    request.body = std::move(body);
    request.idempotent = idempotent;
    return request;
  }

  HttpRequest receipts_request(const std::string& key, const ReceiptQuery& query) const {
    // A query reads data only: safe to retry.
    return post(receipts_url_, wire::encode_query(key, query), true);
  }

  static Error missing_key() {
    return make_error(ErrorCode::InvalidArgument,
                      "ctc::Options::key is required (make_static_token(\"...\") for a fixed key)");
  }

  std::shared_ptr<TokenProvider> key_;
  std::string receipts_url_;
  internal::Executor executor_;
};

}  // namespace

std::shared_ptr<Connection> make_connection(Options options) {
  return std::make_shared<HttpConnection>(std::move(options));
}

}  // namespace erpbridge::ctc
