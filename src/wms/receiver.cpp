#include "erpbridge/wms/receiver.hpp"

#include <openssl/evp.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <thread>

#include "core/hex.hpp"
#include "erpbridge/core/secrets.hpp"
#include "wms/claim_token.hpp"
#include "wms/codec.hpp"

namespace erpbridge::wms {
namespace {

using SystemClock = std::chrono::system_clock;

class MemoryStore final : public ReceiverStore {
 public:
  explicit MemoryStore(StoreClock clock)
      : clock_(clock ? std::move(clock) : StoreClock(&SystemClock::now)) {}

  Result<Claim> claim(const std::string& entry_code, const std::string& fingerprint,
                      std::chrono::milliseconds lease) override {
    const auto now = clock_();
    std::lock_guard<std::mutex> guard(mutex_);
    auto found = records_.find(entry_code);
    Claim claim;
    std::int64_t fence = 1;
    if (found != records_.end()) {
      Record& record = found->second;
      fence = record.fence + 1;
      if (std::optional<Claim> settled = settled_by(record, fingerprint, now)) return *settled;
      tokens_.erase(record.token);  // the holder's lease ran out (or it released): taken over
    }
    Record& record = records_[entry_code];
    record.fingerprint = fingerprint;
    record.done = false;
    record.released = false;
    record.fence = fence;
    record.token = claims::new_token(entry_code);
    record.lease_until = now + lease;
    tokens_[record.token] = entry_code;
    claim.kind = Claim::Kind::Claimed;
    claim.token = record.token;
    claim.fence = fence;
    return claim;
  }

  Result<void> complete(const std::string& token, const PushReply& reply) override {
    std::lock_guard<std::mutex> guard(mutex_);
    Record* record = held(token);
    if (record == nullptr) return claims::lost();
    record->done = true;
    record->reply = reply;
    tokens_.erase(token);
    return ok();
  }

  Result<void> renew(const std::string& token, std::chrono::milliseconds lease) override {
    const auto now = clock_();
    std::lock_guard<std::mutex> guard(mutex_);
    Record* record = held(token);
    if (record == nullptr || record->done) return claims::lost();
    record->lease_until = now + lease;
    return ok();
  }

  Result<void> release(const std::string& token) override {
    std::lock_guard<std::mutex> guard(mutex_);
    auto found = tokens_.find(token);
    if (found == tokens_.end()) return claims::lost();
    // Kept, so that the next claim's fence is greater than this one's.
    Record& record = records_[found->second];
    record.released = true;
    record.token.clear();
    record.lease_until = SystemClock::time_point();
    tokens_.erase(found);
    return ok();
  }

  Result<void> complete_into_inbox(const std::string& token, const PushReply& reply,
                                   std::string_view body) override {
    std::lock_guard<std::mutex> guard(mutex_);
    Record* record = held(token);
    if (record == nullptr) return claims::lost();
    record->done = true;
    record->reply = reply;
    InboxEntry entry;
    entry.id = static_cast<std::int64_t>(inbox_.size()) + 1;
    entry.entry_code = tokens_[token];
    entry.body.assign(body.data(), body.size());
    entry.reply = reply;
    entry.received_at = clock_();
    inbox_.push_back(Stored{std::move(entry), SystemClock::time_point()});
    tokens_.erase(token);
    return ok();
  }

  Result<std::int64_t> next_sequence(const std::string& day) override {
    std::lock_guard<std::mutex> guard(mutex_);
    return ++sequences_[day];
  }

  // The composition of claim(), next_sequence() and complete_into_inbox() under one lock: no
  // claim token is made for a claim that ends before the lock does.
  Result<Claim> accept_into_inbox(const std::string& entry_code, const std::string& fingerprint,
                                  std::string_view body, const InboxNumbering& numbering,
                                  std::chrono::milliseconds /*lease*/) override {
    const auto now = clock_();
    std::lock_guard<std::mutex> guard(mutex_);
    // One search: where the code is, or where it goes.
    const auto place = records_.lower_bound(entry_code);
    const auto found =
        place != records_.end() && place->first == entry_code ? place : records_.end();
    if (found != records_.end()) {
      if (std::optional<Claim> settled = settled_by(found->second, fingerprint, now)) {
        return *settled;
      }
    }
    Claim accepted;
    accepted.kind = Claim::Kind::Accepted;
    accepted.reply = numbering.reply_for(++sequences_[numbering.day]);  // a skipped number is fine
    // Everything that allocates first, then the inbox, then the record, which a failure to
    // add takes back out: a throw leaves no record without its entry, nor the reverse.
    Record done;
    done.fingerprint = fingerprint;
    done.done = true;
    done.fence = (found != records_.end() ? found->second.fence : 0) + 1;
    done.reply = accepted.reply;
    InboxEntry entry;
    entry.id = static_cast<std::int64_t>(inbox_.size()) + 1;
    entry.entry_code = entry_code;
    entry.body.assign(body.data(), body.size());
    entry.reply = accepted.reply;
    entry.received_at = now;
    inbox_.push_back(Stored{std::move(entry), SystemClock::time_point()});
    if (found != records_.end()) {
      tokens_.erase(found->second.token);  // its lease ran out (or it released): taken over
      found->second = std::move(done);
    } else {
      try {
        records_.emplace_hint(place, entry_code, std::move(done));
      } catch (...) {
        inbox_.pop_back();
        throw;
      }
    }
    return accepted;
  }

  Result<std::vector<InboxEntry>> take(std::size_t max, std::chrono::milliseconds lease) override {
    const auto now = clock_();
    std::lock_guard<std::mutex> guard(mutex_);
    std::vector<InboxEntry> out;
    for (Stored& stored : inbox_) {
      if (out.size() >= max) break;
      if (stored.entry.acknowledged || stored.leased_until > now) continue;
      stored.leased_until = now + lease;
      out.push_back(stored.entry);
    }
    return out;
  }

  Result<void> acknowledge(std::int64_t id) override {
    std::lock_guard<std::mutex> guard(mutex_);
    if (id < 1 || id > static_cast<std::int64_t>(inbox_.size())) {
      return make_error(ErrorCode::NotFound, "no inbox entry " + std::to_string(id));
    }
    inbox_[static_cast<std::size_t>(id - 1)].entry.acknowledged = true;
    return ok();
  }

  Result<std::vector<InboxEntry>> list(std::int64_t after, std::size_t max,
                                       bool include_acknowledged) override {
    std::lock_guard<std::mutex> guard(mutex_);
    std::vector<InboxEntry> out;
    // Entry id i is at i - 1: the entries after `after` start at index `after`.
    const std::size_t first =
        after <= 0 ? 0 : std::min(inbox_.size(), static_cast<std::size_t>(after));
    for (auto stored = inbox_.begin() + static_cast<std::ptrdiff_t>(first);
         stored != inbox_.end() && out.size() < max; ++stored) {
      if (stored->entry.acknowledged && !include_acknowledged) continue;
      out.push_back(stored->entry);
    }
    return out;
  }

 private:
  struct Stored {
    InboxEntry entry;
    SystemClock::time_point leased_until;
  };
  struct Record {
    std::string fingerprint;
    bool done = false;
    std::string token;
    SystemClock::time_point lease_until;
    PushReply reply;
    bool released = false;  // given up by its holder: the next claim takes any content
    std::int64_t fence = 0;
  };

  // What an existing record answers a claim of its entry code for content `fingerprint`:
  // Conflict, Done or Busy; nothing if the claim may take the record (its lease ran out, or
  // its holder released it). claim() and accept_into_inbox() both ask here.
  static std::optional<Claim> settled_by(const Record& record, const std::string& fingerprint,
                                         SystemClock::time_point now) {
    Claim claim;
    // A released record is free for any content; otherwise the content must match.
    if (!record.released && record.fingerprint != fingerprint) {
      claim.kind = Claim::Kind::Conflict;
    } else if (record.done) {
      claim.kind = Claim::Kind::Done;
      claim.reply = record.reply;
    } else if (record.lease_until > now) {
      claim.kind = Claim::Kind::Busy;
      claim.busy_until = record.lease_until;
    } else {
      return std::nullopt;
    }
    return claim;
  }

  Record* held(const std::string& token) {
    auto found = tokens_.find(token);
    if (found == tokens_.end()) return nullptr;
    auto record = records_.find(found->second);
    return record == records_.end() ? nullptr : &record->second;
  }

  const StoreClock clock_;
  std::mutex mutex_;
  std::map<std::string, Record> records_;      // entry_code -> record
  std::map<std::string, std::string> tokens_;  // live claim token -> entry_code
  std::deque<Stored> inbox_;  // entry id - 1 -> entry; grows without moving what it holds
  std::map<std::string, std::int64_t> sequences_;
};

// A push read as the receiver reads it: leniently (JSON syntax aside, misfits are notes),
// then the document's rules checked, each broken one a note too.
Result<EntryConfirmation> read_push(std::string_view body) {
  EntryConfirmation order;
  DecodeNotes notes;
  Result<void> read = json::decode_reply(body, order, notes);
  if (!read.ok()) return std::move(read).error();
  for (Violation& violation : validate(order)) {
    notes.push_back(
        DecodeNote{std::move(violation.field), std::move(violation.rule), std::string()});
  }
  order.notes = scrubbed(std::move(notes));
  return order;
}

// The longest prefix of `text` that has at most `limit` characters (UTF-8), whole characters.
std::string first_characters(const std::string& text, std::size_t limit) {
  std::size_t characters = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && characters++ == limit) {
      return text.substr(0, i);
    }
  }
  return text;
}

// A successful handler's reply fitted to the document's reply table (code ≤ 10, message ≤
// 200, bil_id ≤ 10, bil_no ≤ 100 characters), each change and each other broken rule
// recorded under "erpbridge_notes" in the reply itself (stored and sent with it).
void fit_to_table(PushReply& reply, const std::vector<Violation>& violations) {
  std::string notes;
  for (auto [field, limit] :
       {std::pair{&reply.code, std::size_t{10}}, std::pair{&reply.message, std::size_t{200}},
        std::pair{&reply.bil_id, std::size_t{10}}, std::pair{&reply.bil_no, std::size_t{100}}}) {
    *field = first_characters(*field, limit);
  }
  for (const Violation& violation : violations) {
    notes += (notes.empty() ? "" : "; ") + violation.to_string();
  }
  reply.extras.emplace_back("erpbridge_notes", RawJson{json::encode(notes)});
}

ReceiverReply error_reply(int status, const std::string& message) {
  PushReply reply;
  reply.code = std::to_string(status);
  reply.message = message;
  return ReceiverReply{status, json::encode(reply), std::nullopt};
}

// The handler's result, whatever it does: a value, an error, or an exception turned into one.
Result<PushReply> run_handler(const EntryHandler& handler, const EntryConfirmation& order) {
  if (!handler) return make_error(ErrorCode::Unimplemented, "no handler");
  try {
    return handler(order);
  } catch (const std::exception& exception) {
    return make_error(ErrorCode::Api, std::string("the handler threw: ") + exception.what());
  } catch (...) {
    return make_error(ErrorCode::Api, "the handler threw a non-standard exception");
  }
}

// Inbox mode's own numbering today (China's wall clock): "IN", "IN20261130000001". Made
// once a day per thread.
const InboxNumbering& default_numbering() {
  thread_local InboxNumbering numbering;
  thread_local std::optional<Date> numbering_day;
  const std::int64_t seconds =
      std::chrono::duration_cast<std::chrono::seconds>(SystemClock::now().time_since_epoch())
          .count();
  const Date today = DateTime::from_seconds_since_epoch(seconds + 8 * 3600).date();
  if (numbering_day != today) {
    InboxNumbering fresh;
    fresh.day = today.to_string();
    fresh.day.erase(std::remove(fresh.day.begin(), fresh.day.end(), '-'), fresh.day.end());
    fresh.bil_id = "IN";
    fresh.bil_no_prefix = "IN" + fresh.day;
    fresh.message = "新增成功";
    numbering = std::move(fresh);
    numbering_day = today;
  }
  return numbering;
}

}  // namespace

std::string fingerprint_of(const EntryConfirmation& order) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
  // Fetched once: EVP_sha256() makes OpenSSL 3 look the algorithm up on every digest.
  static EVP_MD* const fetched = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  const EVP_MD* const sha256 = fetched != nullptr ? fetched : EVP_sha256();
#else
  const EVP_MD* const sha256 = EVP_sha256();
#endif
  const std::string canonical = json::encode(order);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // An empty fingerprint would match another empty one: different orders under one entry
  // code would be taken for duplicates. A failure is an error (handle() answers 500).
  if (EVP_Digest(canonical.data(), canonical.size(), digest, &length, sha256, nullptr) != 1 ||
      length == 0) {
    throw std::runtime_error("SHA-256 of the order failed");
  }
  return internal::to_hex(digest, length);
}

Result<void> ClaimStore::check() {
  return ok();
}

Result<void> ClaimStore::renew(const std::string&, std::chrono::milliseconds) {
  return make_error(ErrorCode::Unimplemented, "this claim store does not renew claims");
}

namespace {
// The lost flag of the delivery running on this thread (set around the handler's call).
thread_local const std::atomic<bool>* current_claim_lost = nullptr;
// The fencing token of the delivery running on this thread (0 outside a handler).
thread_local std::int64_t current_fence = 0;
}  // namespace

std::int64_t delivery_fencing_token() noexcept {
  return current_fence;
}

bool delivery_claim_lost() noexcept {
  return current_claim_lost != nullptr && current_claim_lost->load();
}

PushReply InboxNumbering::reply_for(std::int64_t number) const {
  char digits_text[32];
  std::snprintf(digits_text, sizeof digits_text, "%0*lld", digits, static_cast<long long>(number));
  return PushReply{"0", message, bil_id, bil_no_prefix + digits_text};
}

Result<Claim> ReceiverStore::accept_into_inbox(const std::string& entry_code,
                                               const std::string& fingerprint,
                                               std::string_view body,
                                               const InboxNumbering& numbering,
                                               std::chrono::milliseconds lease) {
  Result<Claim> claimed = claim(entry_code, fingerprint, lease);
  if (!claimed.ok() || claimed->kind != Claim::Kind::Claimed) return claimed;
  const std::string token = claimed->token;
  Result<std::int64_t> number = next_sequence(numbering.day);
  Claim accepted;
  accepted.kind = Claim::Kind::Accepted;
  if (number.ok()) accepted.reply = numbering.reply_for(*number);
  Result<void> stored =
      number.ok() ? complete_into_inbox(token, accepted.reply, body) : Result<void>(number.error());
  if (!stored.ok()) {
    (void)release(token);
    return std::move(stored).error();
  }
  return accepted;
}

TokenChecker expect_token(std::string expected) {
  remember_secret(expected);
  return [expected = std::move(expected)](std::string_view token) {
    if (expected.empty() || token.size() != expected.size()) return false;
    unsigned char difference = 0;
    for (std::size_t i = 0; i < token.size(); ++i) {
      difference |= static_cast<unsigned char>(token[i] ^ expected[i]);
    }
    return difference == 0;
  };
}

std::shared_ptr<ReceiverStore> make_memory_store(StoreClock clock) {
  return std::make_shared<MemoryStore>(std::move(clock));
}

struct Receiver::State {
  EntryHandler handler;
  std::optional<InboxMode> inbox;  // set in inbox mode
  TokenChecker token_checker;
  std::shared_ptr<ClaimStore> store;
  std::shared_ptr<InboxStore> inbox_store;  // inbox mode: the same store as `store`
  ReceiverOptions options;

  // Wakes duplicates waiting in this process when a claim ends; guards no store I/O.
  std::mutex wake_mutex;
  std::condition_variable claim_ended;
  std::uint64_t claims_ended = 0;

  std::atomic<std::size_t> delivered{0};
  std::atomic<std::size_t> duplicates{0};
  std::atomic<std::size_t> conflicts{0};
  std::atomic<std::size_t> rejected{0};
  std::atomic<std::size_t> failed{0};
  std::atomic<std::size_t> busy{0};
  std::atomic<std::size_t> drained{0};
  std::atomic<std::size_t> unavailable{0};

  // Graceful stop: handle() calls in progress, and the flag that turns new ones away.
  std::atomic<bool> draining{false};
  std::atomic<std::size_t> in_flight{0};
  std::mutex idle_mutex;
  std::condition_variable idle;

  void leave() {
    if (in_flight.fetch_sub(1) == 1) {
      std::lock_guard<std::mutex> guard(idle_mutex);
      idle.notify_all();
    }
  }

  // Claims of deliveries in progress here, renewed every lease/3 by one thread (started with
  // the first delivery, joined when the last copy of the receiver goes).
  std::mutex renew_mutex;
  std::condition_variable renew_wake;
  std::map<std::string, std::shared_ptr<std::atomic<bool>>> renewing;  // token -> lost
  bool renew_stop = false;
  std::thread renewer;

  ~State() {
    {
      std::lock_guard<std::mutex> guard(renew_mutex);
      renew_stop = true;
    }
    renew_wake.notify_all();
    if (renewer.joinable()) renewer.join();
  }

  std::shared_ptr<std::atomic<bool>> start_renewing(const std::string& token) {
    auto lost = std::make_shared<std::atomic<bool>>(false);
    std::lock_guard<std::mutex> guard(renew_mutex);
    renewing[token] = lost;
    if (!renewer.joinable())
      renewer = std::thread([this] {
        pthread_setname_np(pthread_self(), "erpbridge-renew");  // what ps, top and gdb show
        renew_loop();
      });
    return lost;
  }

  void stop_renewing(const std::string& token) {
    std::lock_guard<std::mutex> guard(renew_mutex);
    renewing.erase(token);
  }

  void renew_loop() noexcept {
    const auto period = std::max(options.lease / 3, std::chrono::milliseconds(1));
    std::unique_lock<std::mutex> lock(renew_mutex);
    for (;;) {
      if (renew_wake.wait_for(lock, period, [this] { return renew_stop; })) return;
      try {
        const auto due = renewing;  // renewed without the lock: the store may be slow
        lock.unlock();
        for (const auto& [token, lost] : due) {
          if (lost->load()) continue;
          Result<void> renewed = store->renew(token, options.lease);
          // Lost: another holder has the order. Other failures: tried again next period
          // (Unimplemented: this store cannot renew; the lease alone protects the holder).
          if (!renewed.ok() && renewed.error().code == ErrorCode::FailedPrecondition) {
            lost->store(true);
          }
        }
        lock.lock();
      } catch (...) {
        if (!lock.owns_lock()) lock.lock();  // out of memory: the next period tries again
      }
    }
  }

  void end_claim() {
    {
      std::lock_guard<std::mutex> guard(wake_mutex);
      ++claims_ended;
    }
    claim_ended.notify_all();
  }

  ReceiverReply handle(const HttpHeaders& headers, std::string_view body);
  // 503 with Retry-After for a store that did not answer (a retryable error), else 500.
  ReceiverReply store_failed(const Error& error);
  ReceiverReply deliver(const EntryConfirmation& order, std::string_view body,
                        const std::string& token, std::int64_t fence);
};

Receiver::Receiver(EntryHandler handler, TokenChecker token_checker,
                   std::shared_ptr<ClaimStore> store, ReceiverOptions options)
    : state_(std::make_shared<State>()) {
  state_->handler = std::move(handler);
  state_->token_checker = std::move(token_checker);
  state_->store = store ? std::move(store) : make_memory_store();
  state_->options = options;
}

Receiver::Receiver(InboxMode mode, TokenChecker token_checker, std::shared_ptr<ReceiverStore> store,
                   ReceiverOptions options)
    : state_(std::make_shared<State>()) {
  state_->inbox = std::move(mode);
  state_->token_checker = std::move(token_checker);
  if (!store) store = make_memory_store();
  state_->inbox_store = store;
  state_->store = std::move(store);
  state_->options = options;
}

ReceiverReply Receiver::State::store_failed(const Error& error) {
  if (!error.retryable) {
    ++failed;
    return error_reply(500, "claim store: " + error.message);
  }
  // The store did not answer (its database is restarting, say): nothing was stored, and
  // WMS's next push, after Retry-After, will likely find it back.
  ++unavailable;
  ReceiverReply reply =
      error_reply(503, "claim store unavailable, push again later: " + error.message);
  reply.retry_after_seconds =
      static_cast<int>(std::max<long long>(1, options.store_retry_after.count()));
  return reply;
}

ReceiverStats Receiver::stats() const {
  const State& s = *state_;
  return ReceiverStats{s.delivered.load(), s.duplicates.load(), s.conflicts.load(),
                       s.rejected.load(),  s.failed.load(),     s.busy.load(),
                       s.drained.load(),   s.unavailable.load()};
}

void Receiver::drain() const noexcept {
  state_->draining = true;
}

bool Receiver::draining() const noexcept {
  return state_->draining.load();
}

bool Receiver::wait_idle(std::chrono::milliseconds limit) const {
  State& s = *state_;
  std::unique_lock<std::mutex> lock(s.idle_mutex);
  return s.idle.wait_for(lock, limit, [&] { return s.in_flight.load() == 0; });
}

Result<void> Receiver::ready() const {
  if (state_->draining) {
    return make_error(ErrorCode::FailedPrecondition, "the receiver is draining (stopping)");
  }
  Result<void> probe = state_->store->check();
  if (!probe.ok()) {
    Error error = std::move(probe).error();
    error.message = "claim store: " + error.message;
    return error;
  }
  return ok();
}

ReceiverReply Receiver::handle(const HttpHeaders& headers, std::string_view body) const noexcept {
  State& s = *state_;
  // Counted before the flag is read: drain() then wait_idle() sees every call that got past
  // the flag.
  s.in_flight.fetch_add(1);
  struct Leave {
    State& state;
    ~Leave() { state.leave(); }
  } leave{s};
  if (s.draining) {
    ++s.drained;
    ReceiverReply reply = error_reply(503, "the receiver is stopping; push again later");
    reply.retry_after_seconds =
        static_cast<int>(std::max<long long>(1, s.options.drain_retry_after.count()));
    reply.close_connection = true;
    return reply;
  }
  try {
    return state_->handle(headers, body);
  } catch (...) {
    // Out of memory, most likely; the claim, if any, is released by deliver()'s guard.
    ++state_->failed;
    return ReceiverReply{500, R"({"code":500,"message":"internal error"})", std::nullopt};
  }
}

ReceiverReply Receiver::State::handle(const HttpHeaders& headers, std::string_view body) {
  auto reject = [&](int status, const std::string& message) {
    ++rejected;
    return error_reply(status, message);
  };
  const std::string* token = find_header(headers, "Authorization");
  if (token == nullptr || token->empty()) return reject(401, "missing Authorization token");
  if (!token_checker || !token_checker(*token)) return reject(401, "wrong Authorization token");
  if (body.size() > options.max_body_bytes) {
    return reject(413, "body of " + std::to_string(body.size()) + " bytes exceeds the limit of " +
                           std::to_string(options.max_body_bytes));
  }
  // Lenient in what we accept: only what makes the order impossible to accept refuses it (the
  // token, the size, not JSON, no entry_code to know it by); every other misfit is a note
  // kept with the order for the application, and WMS is not made to push it for ever.
  Result<EntryConfirmation> decoded = read_push(body);
  if (!decoded.ok()) return reject(400, "invalid request: " + decoded.error().message);
  if (decoded->order.entry_code.empty()) {
    return reject(400, "invalid request: no entry_order.entry_code to know the order by");
  }

  const EntryConfirmation& order = *decoded;
  const std::string& entry_code = order.order.entry_code;
  const std::string fingerprint = fingerprint_of(order);

  const auto give_up_at = std::chrono::steady_clock::now() + options.duplicate_wait;
  for (;;) {
    std::uint64_t seen_ended = 0;
    {
      std::lock_guard<std::mutex> guard(wake_mutex);
      seen_ended = claims_ended;
    }
    // Inbox mode with the default numbering is one step of the store; otherwise claim, run
    // the handler (or the user's numbering), then complete.
    const bool one_step = inbox && !inbox->numbering;
    Result<Claim> claim = one_step
                              ? inbox_store->accept_into_inbox(entry_code, fingerprint, body,
                                                               default_numbering(), options.lease)
                              : store->claim(entry_code, fingerprint, options.lease);
    if (!claim.ok()) return store_failed(claim.error());
    switch (claim->kind) {
      case Claim::Kind::Claimed:
        if (one_step) {  // a store bug: accept_into_inbox() hands out no claim
          (void)store->release(claim->token);
          ++failed;
          return error_reply(500, "claim store: accept_into_inbox answered Claimed");
        }
        return deliver(order, body, claim->token, claim->fence);
      case Claim::Kind::Accepted:
        ++delivered;
        return ReceiverReply{200, json::encode(claim->reply), std::nullopt};
      case Claim::Kind::Done:
        ++duplicates;
        return ReceiverReply{200, json::encode(claim->reply), std::nullopt};
      case Claim::Kind::Conflict:
        ++conflicts;
        return error_reply(
            409, "entry_code " + entry_code + " was already delivered with different content");
      case Claim::Kind::Busy:
        break;
    }
    // A duplicate of an order in flight: wait for it (woken at once by a claim ending in this
    // process, else asking again every poll_interval), but not past duplicate_wait.
    const auto now = std::chrono::steady_clock::now();
    if (now >= give_up_at) {
      ++busy;
      // Come back when the original has likely finished: no later than its lease, and no
      // later than another wait of our own.
      const auto lease_left =
          std::chrono::duration_cast<std::chrono::seconds>(claim->busy_until - SystemClock::now())
              .count();
      const auto wait_seconds =
          std::chrono::duration_cast<std::chrono::seconds>(options.duplicate_wait).count() + 1;
      ReceiverReply reply =
          error_reply(503, "entry_code " + entry_code + " is being delivered; try again later");
      reply.retry_after_seconds =
          static_cast<int>(std::max<long long>(1, std::min<long long>(lease_left, wait_seconds)));
      return reply;
    }
    const auto until = std::min(give_up_at, now + options.poll_interval);
    std::unique_lock<std::mutex> lock(wake_mutex);
    claim_ended.wait_until(lock, until, [&] { return claims_ended != seen_ended; });
  }
}

ReceiverReply Receiver::State::deliver(const EntryConfirmation& order, std::string_view body,
                                       const std::string& token, std::int64_t fence) {
  // Whatever happens below, the claim stops being renewed, ends, and waiting duplicates wake.
  struct Ending {
    State& state;
    const std::string& token;
    bool settled = false;
    ~Ending() {
      state.stop_renewing(token);
      if (!settled) (void)state.store->release(token);
      state.end_claim();
    }
  } ending{*this, token};

  // Renewed while the handler runs; the handler can see a lost claim.
  const std::shared_ptr<std::atomic<bool>> lost = start_renewing(token);
  current_claim_lost = lost.get();
  current_fence = fence;
  Result<PushReply> handled = run_handler(inbox ? inbox->numbering : handler, order);
  current_claim_lost = nullptr;
  current_fence = 0;
  if (!handled.ok()) {
    ++failed;
    return error_reply(500, "not processed: " + handled.error().message);
  }
  if (!handled->succeeded()) {
    // A refusal is answered but not remembered: WMS may correct and push again.
    ++failed;
    return ReceiverReply{200, json::encode(*handled), std::nullopt};
  }
  // A successful handler is final: a reply that does not fit the table (a 19-digit ERP id
  // for the 10-character bil_id, say) is fitted to it and the change noted in the reply that
  // is stored and sent -- never a reason to run the handler again for this order.
  if (std::vector<Violation> bad = validate(*handled); !bad.empty()) fit_to_table(*handled, bad);
  // Nor is a store that does not answer for a while: completing is tried again (the claim
  // still renewed meanwhile) until it is stored, the claim is lost, or a lease has passed.
  auto complete = [&] {
    return inbox ? inbox_store->complete_into_inbox(token, *handled, body)
                 : store->complete(token, *handled);
  };
  Result<void> completed = complete();
  const auto give_up_at = std::chrono::steady_clock::now() + options.lease;
  std::chrono::milliseconds pause{50};
  bool tried_again = false;
  while (!completed.ok() && completed.error().retryable && !lost->load() &&
         std::chrono::steady_clock::now() + pause < give_up_at) {
    std::this_thread::sleep_for(pause);
    pause = std::min<std::chrono::milliseconds>(pause * 2, std::chrono::seconds(1));
    tried_again = true;
    completed = complete();
  }
  if (!completed.ok()) {
    // "Lost" after a try that failed on the way may mean that try did store the reply: the
    // next push finds out (Done), so it is asked for rather than answered 500.
    if (tried_again && completed.error().code == ErrorCode::FailedPrecondition) {
      Error unsure = completed.error();
      unsure.retryable = true;
      return store_failed(unsure);
    }
    return store_failed(completed.error());
  }
  ending.settled = true;
  ++delivered;
  return ReceiverReply{200, json::encode(*handled), std::nullopt};
}

Inbox::Inbox(std::shared_ptr<InboxStore> store, std::chrono::milliseconds lease)
    : store_(std::move(store)), lease_(lease) {}

Result<std::vector<InboxEntry>> Inbox::next(std::size_t max) {
  if (!store_) return make_error(ErrorCode::InvalidArgument, "Inbox: no store");
  return store_->take(max, lease_);
}

Result<void> Inbox::ack(std::int64_t id) {
  if (!store_) return make_error(ErrorCode::InvalidArgument, "Inbox: no store");
  return store_->acknowledge(id);
}

Result<EntryConfirmation> Inbox::order_of(const InboxEntry& entry) {
  return read_push(entry.body);
}

}  // namespace erpbridge::wms
