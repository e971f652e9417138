#include "erpbridge/wms/receiver.hpp"

#include <condition_variable>
#include <map>
#include <mutex>

#include "core/secrets.hpp"
#include "wms/codec.hpp"

namespace erpbridge::wms {
namespace {

class MemoryStore final : public IdempotencyStore {
 public:
  Result<std::optional<StoredReply>> find(const std::string& entry_code) override {
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = records_.find(entry_code);
    if (it == records_.end()) return std::optional<StoredReply>();
    return std::optional<StoredReply>(it->second);
  }
  Result<void> save(const std::string& entry_code, const StoredReply& record) override {
    std::lock_guard<std::mutex> guard(mutex_);
    records_[entry_code] = record;
    return ok();
  }

 private:
  std::mutex mutex_;
  std::map<std::string, StoredReply> records_;
};

ReceiverReply error_reply(int status, const std::string& message) {
  PushReply reply;
  reply.code = std::to_string(status);
  reply.message = message;
  return ReceiverReply{status, json::encode(reply)};
}

}  // namespace

TokenChecker expect_token(std::string expected) {
  internal::remember_secret(expected);
  return [expected = std::move(expected)](std::string_view token) {
    if (expected.empty() || token.size() != expected.size()) return false;
    unsigned char difference = 0;
    for (std::size_t i = 0; i < token.size(); ++i) {
      difference |= static_cast<unsigned char>(token[i] ^ expected[i]);
    }
    return difference == 0;
  };
}

std::shared_ptr<IdempotencyStore> make_memory_store() {
  return std::make_shared<MemoryStore>();
}

struct Receiver::State {
  EntryHandler handler;
  TokenChecker token_checker;
  std::shared_ptr<IdempotencyStore> store;
  ReceiverOptions options;

  mutable std::mutex mutex;
  std::condition_variable finished;
  std::map<std::string, std::string> in_flight;  // entry_code -> fingerprint
  ReceiverStats stats;
};

Receiver::Receiver(EntryHandler handler, TokenChecker token_checker,
                   std::shared_ptr<IdempotencyStore> store, ReceiverOptions options)
    : state_(std::make_shared<State>()) {
  state_->handler = std::move(handler);
  state_->token_checker = std::move(token_checker);
  state_->store = store ? std::move(store) : make_memory_store();
  state_->options = options;
}

ReceiverStats Receiver::stats() const {
  std::lock_guard<std::mutex> guard(state_->mutex);
  return state_->stats;
}

ReceiverReply Receiver::handle(const HttpHeaders& headers, std::string_view body) const {
  State& state = *state_;
  auto reject = [&](int status, const std::string& message) {
    std::lock_guard<std::mutex> guard(state.mutex);
    ++state.stats.rejected;
    return error_reply(status, message);
  };
  const std::string* token = find_header(headers, "Authorization");
  if (token == nullptr || token->empty()) return reject(401, "missing Authorization token");
  if (!state.token_checker || !state.token_checker(*token)) {
    return reject(401, "wrong Authorization token");
  }
  if (body.size() > state.options.max_body_bytes) {
    return reject(413, "body of " + std::to_string(body.size()) + " bytes exceeds the limit of " +
                           std::to_string(state.options.max_body_bytes));
  }
  Result<EntryConfirmation> decoded = json::decode<EntryConfirmation>(body);
  if (!decoded.ok()) return reject(400, "invalid request: " + decoded.error().message);
  std::vector<Violation> violations = validate(*decoded);
  if (!violations.empty()) return reject(400, violations_error(violations).message);

  const EntryConfirmation& order = *decoded;
  const std::string& entry_code = order.order.entry_code;
  // The canonical encoding: equal for equal orders whatever their spacing or key order.
  const std::string fingerprint = json::encode(order);

  {
    std::unique_lock<std::mutex> lock(state.mutex);
    for (;;) {
      Result<std::optional<StoredReply>> stored = state.store->find(entry_code);
      if (!stored.ok()) {
        ++state.stats.failed;
        return error_reply(500, "idempotency store: " + stored.error().message);
      }
      if (stored->has_value()) {
        if ((*stored)->fingerprint != fingerprint) {
          ++state.stats.conflicts;
          return error_reply(
              409, "entry_code " + entry_code + " was already delivered with different content");
        }
        ++state.stats.duplicates;
        return ReceiverReply{200, json::encode((*stored)->reply)};
      }
      auto running = state.in_flight.find(entry_code);
      if (running == state.in_flight.end()) break;
      if (running->second != fingerprint) {
        ++state.stats.conflicts;
        return error_reply(
            409, "entry_code " + entry_code + " is being delivered with different content");
      }
      state.finished.wait(lock);  // a duplicate of an order in progress: wait for its reply
    }
    state.in_flight.emplace(entry_code, fingerprint);
  }

  // The handler runs without the lock: other entry codes proceed meanwhile.
  Result<PushReply> handled =
      state.handler ? state.handler(order)
                    : Result<PushReply>(make_error(ErrorCode::Unimplemented, "no handler"));
  ReceiverReply reply;
  bool store_it = false;
  if (!handled.ok()) {
    reply = error_reply(500, "not processed: " + handled.error().message);
  } else if (std::vector<Violation> bad = validate(*handled);
             !bad.empty() && handled->succeeded()) {
    reply = error_reply(500, "handler reply is invalid: " + violations_error(bad).message);
  } else {
    reply = ReceiverReply{200, json::encode(*handled)};
    store_it = handled->succeeded();
  }
  std::lock_guard<std::mutex> guard(state.mutex);
  if (store_it) {
    Result<void> saved = state.store->save(entry_code, StoredReply{fingerprint, *handled});
    if (saved.ok()) {
      ++state.stats.delivered;
    } else {
      ++state.stats.failed;
      reply = error_reply(500, "idempotency store: " + saved.error().message);
    }
  } else {
    ++state.stats.failed;
  }
  state.in_flight.erase(entry_code);
  state.finished.notify_all();
  return reply;
}

}  // namespace erpbridge::wms
