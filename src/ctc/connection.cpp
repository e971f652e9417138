#include "erpbridge/ctc/connection.hpp"

#include "erpbridge/core/async.hpp"

#include "call/call.hpp"
#include "call/executor.hpp"
#include "call/sliding_run.hpp"
#include "call/token_call.hpp"
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

Future<std::vector<Receipt>> Connection::query_receipts_async(const ReceiptQuery& query) {
  return run_in_background_on<std::vector<Receipt>>(
      this, background_, [query](Connection& self) { return self.query_receipts(query); });
}

Future<std::vector<Result<std::vector<Receipt>>>> Connection::query_receipts_batch_async(
    const std::vector<ReceiptQuery>& queries, std::size_t max_concurrency) {
  // Kept alive by the calls when a shared_ptr owns this connection (as clients do).
  std::shared_ptr<Connection> keep = weak_from_this().lock();
  auto start = [this, keep, queries, options = CallOptionsScope::current()](std::size_t index) {
    CallOptionsScope scope(options);
    return query_receipts_async(queries[index]);
  };
  using Run = internal::SlidingRun<std::vector<Receipt>>;
  return Run::run(queries.size(), max_concurrency, /*stop_at_failure=*/false, start)
      .then([](Result<internal::SlidingOutcome<std::vector<Receipt>>> outcome)
                -> Result<std::vector<Result<std::vector<Receipt>>>> {
        if (!outcome.ok()) return std::move(outcome).error();  // cancelled
        return std::move(outcome->results);
      });
}

Future<std::string> Connection::call_async(const std::string& path, const std::string& data_json,
                                           bool idempotent) {
  return run_in_background_on<std::string>(this, background_,
                                           [path, data_json, idempotent](Connection& self) {
                                             return self.call(path, data_json, idempotent);
                                           });
}

namespace {

Error missing_key() {
  return make_error(ErrorCode::InvalidArgument,
                    "ctc::Options::key is required (make_static_token(\"...\") for a fixed key)");
}

const internal::CallLabel kReceiptsLabel{"ctc", "receipt_parts"};

HttpRequest post(std::string url, std::string body, bool idempotent) {
  HttpRequest request;
  request.method = HttpMethod::Post;
  request.url = std::move(url);
  request.headers = {{"Content-Type", "application/json"}};
  request.body = std::move(body);
  request.idempotent = idempotent;
  return request;
}

class HttpConnection final : public Connection {
 public:
  explicit HttpConnection(Options options)
      : key_(std::move(options.key)),
        receipts_url_(internal::join_url(options.base_url, wire::kReceiptsPath)),
        executor_(std::move(options)) {}

  Result<std::vector<Receipt>> query_receipts(const ReceiptQuery& query) override {
    Result<internal::PreparedCall<std::vector<Receipt>>> call = receipts_call(query);
    if (!call.ok()) return std::move(call).error();
    return internal::run_call(executor_, *call);
  }

  Future<std::vector<Receipt>> query_receipts_async(const ReceiptQuery& query) override {
    Result<internal::PreparedCall<std::vector<Receipt>>> call = receipts_call(query);
    if (!call.ok()) return ready_future<std::vector<Receipt>>(std::move(call).error());
    return internal::run_call_async(executor_, std::move(call).value());
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
    if (pending.empty()) return results;
    // Each query is a call of its own in the observer's events.
    const bool observed = executor_.observed();
    const auto started =
        observed ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point();
    const std::vector<std::size_t> sent = pending;
    std::vector<internal::CallRecord> records(queries.size());
    if (observed) {
      for (std::size_t i : sent) records[i].call_id = executor_.new_call_id();
    }
    // One key for the batch; the queries it was refused for go once more with a fresh one.
    internal::TokenRefresh refresh(*key_);
    while (!pending.empty()) {
      Result<std::string> key = refresh.token();
      if (!key.ok()) {
        for (std::size_t i : pending) results[i] = key.error();
        break;
      }
      std::vector<HttpRequest> requests;
      for (std::size_t i : pending) {
        requests.push_back(post(receipts_url_, wire::encode_query(*key, queries[i]), true));
      }
      std::vector<internal::CallRecord> round(pending.size());
      for (std::size_t k = 0; k < pending.size(); ++k)
        round[k].call_id = records[pending[k]].call_id;
      std::vector<Result<HttpResponse>> responses = executor_.execute_all(
          std::move(requests), max_concurrency, kReceiptsLabel, observed ? &round : nullptr);
      std::vector<std::size_t> refused;
      for (std::size_t k = 0; k < pending.size(); ++k) {
        const std::size_t i = pending[k];
        records[i].attempts += round[k].attempts;
        if (round[k].http_status != 0) records[i].http_status = round[k].http_status;
        records[i].token_refreshed = refresh.refreshed();
        results[i] = responses[k].ok()
                         ? executor_.noted("CTC receipt_parts",
                                           wire::decode_receipts(std::move(*responses[k]),
                                                                 queries[i].direction))
                         : Result<std::vector<Receipt>>(responses[k].error());
        if (!results[i].ok() && results[i].error().code == ErrorCode::Unauthenticated) {
          refused.push_back(i);
        }
      }
      if (refused.empty() || !refresh.again_after(results[refused.front()].error(), *key)) break;
      pending = std::move(refused);
    }
    if (observed) {
      const std::string traceparent = CallOptionsScope::current().traceparent.value_or("");
      for (std::size_t i : sent) {
        executor_.report_call(kReceiptsLabel, HttpMethod::Post,
                              results[i].ok() ? nullptr : &results[i].error(), records[i], started,
                              traceparent, /*async=*/false);
      }
    }
    return results;
  }

  Result<std::string> call(const std::string& path, const std::string& data_json,
                           bool idempotent) override {
    Result<internal::PreparedCall<std::string>> prepared =
        generic_call(path, data_json, idempotent);
    if (!prepared.ok()) return std::move(prepared).error();
    return internal::run_call(executor_, *prepared);
  }

  Future<std::string> call_async(const std::string& path, const std::string& data_json,
                                 bool idempotent) override {
    Result<internal::PreparedCall<std::string>> prepared =
        generic_call(path, data_json, idempotent);
    if (!prepared.ok()) return ready_future<std::string>(std::move(prepared).error());
    return internal::run_call_async(executor_, std::move(prepared).value());
  }

 private:
  // A query reads data only: safe to retry. A key CTC refuses (签名无效) is refreshed once.
  Result<internal::PreparedCall<std::vector<Receipt>>> receipts_call(const ReceiptQuery& query) {
    Result<void> valid = validate(query);
    if (!valid.ok()) return std::move(valid).error();
    if (!key_) return missing_key();
    internal::PreparedCall<std::vector<Receipt>> call;
    call.label = kReceiptsLabel;
    call.token = key_;
    call.build = [url = receipts_url_, query](const std::string& key) -> Result<HttpRequest> {
      return post(url, wire::encode_query(key, query), true);
    };
    call.decode = [executor = executor_.shared(),
                   direction = query.direction](HttpResponse& response) {
      return executor->noted("CTC receipt_parts",
                             wire::decode_receipts(std::move(response), direction));
    };
    // A week of receipts can be tens of megabytes: decoded while it downloads.
    using Stream = internal::EnvelopeStream<wire::ReceiptsReply>;
    call.make_stream = [](std::shared_ptr<internal::ThreadPool> decoders) {
      return std::make_shared<Stream>(std::move(decoders));
    };
    call.decode_streamed = [executor = executor_.shared(), direction = query.direction](
                               BodyStream& stream, const HttpResponse& response) {
      return executor->noted(
          "CTC receipt_parts",
          wire::decode_receipts(static_cast<Stream&>(stream).take(), response, direction));
    };
    return call;
  }

  // A call refused for its key was not acted on: sent again with a fresh one, even a write.
  Result<internal::PreparedCall<std::string>> generic_call(const std::string& path,
                                                           const std::string& data_json,
                                                           bool idempotent) {
    if (!key_) return missing_key();
    Result<std::string> checked = wire::encode_call("key-placeholder", data_json);
    if (!checked.ok()) return std::move(checked).error();  // bad data_json: nothing sent
    internal::PreparedCall<std::string> call;
    call.label = {"ctc", "call"};
    call.token = key_;
    call.build = [url = internal::join_url(executor_.options().base_url, path), data_json,
                  idempotent](const std::string& key) -> Result<HttpRequest> {
      Result<std::string> body = wire::encode_call(key, data_json);
      if (!body.ok()) return std::move(body).error();
      return post(url, std::move(body).value(), idempotent);
    };
    call.decode = [executor = executor_.shared(), path, idempotent](HttpResponse& response) {
      return executor->noted("CTC " + path,
                             wire::decode_call_reply(std::move(response), path, !idempotent));
    };
    return call;
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
