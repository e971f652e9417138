// The receiving side of CreateEntryConfirmation, for services that are the third party
// AI-WMS PLUS pushes to. Plug handle() into any HTTP server.
#pragma once

#include "erpbridge/version.hpp"
#include "erpbridge/wms/export.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "erpbridge/core/http.hpp"
#include "erpbridge/core/option_bag.hpp"
#include "erpbridge/wms/types.hpp"

namespace erpbridge::wms {

/// What to send back: an HTTP status and a JSON body in the spec's reply shape.
struct ERPBRIDGE_WMS_EXPORT ReceiverReply {
  int http_status = 200;  ///< The status to answer with.
  std::string body;       ///< JSON: {"code":…,"message":…,"bil_id":…,"bil_no":…}.
  /// Seconds the client should wait before trying again (503 only), for a Retry-After header.
  std::optional<int> retry_after_seconds;
  /// Answer with `Connection: close`: the receiver is draining, and the client's next push
  /// should go out on a new connection (to a successor or another replica).
  bool close_connection = false;
};

/// The application's processing of a new order. Its PushReply (code "0", bil_id, bil_no) is
/// stored and repeated for duplicates; an error, a thrown exception or a non-zero code is not
/// stored, so WMS's next try runs the handler again.
///
/// Called from the threads that call Receiver::handle(), several at once for different
/// entry codes, never twice at once for one entry code. It must finish within
/// ReceiverOptions::lease: after that another receiver may take the order over.
using EntryHandler = std::function<Result<PushReply>(const EntryConfirmation&)>;

/// Whether the Authorization header value is acceptable. Called from handle()'s threads.
using TokenChecker = std::function<bool(std::string_view token)>;

/// Accepts exactly `expected` (compared in constant time).
ERPBRIDGE_WMS_EXPORT TokenChecker expect_token(std::string expected);

/// The fingerprint a Receiver claims an order with: SHA-256 (hex) of its canonical JSON,
/// equal for equal orders whatever their spacing or key order. For stores and tools that
/// claim on a receiver's behalf. Throws std::runtime_error if OpenSSL cannot hash, rather
/// than give a fingerprint that would match other orders' (Receiver::handle() answers 500).
ERPBRIDGE_WMS_EXPORT std::string fingerprint_of(const EntryConfirmation& order);

/// A store's answer to a claim of an entry code.
struct ERPBRIDGE_WMS_EXPORT Claim {
  /// What the store answered.
  enum class Kind {
    Claimed,   ///< Ours: deliver the order, then complete() or release() with `token`.
    Done,      ///< Delivered before with the same content: `reply` is what was answered.
    Conflict,  ///< The entry code was used for different content.
    Busy,      ///< Another claimant holds it until `busy_until` (its lease).
    Accepted,  ///< accept_into_inbox() only: accepted now, `reply` is its reply.
  };
  Kind kind = Kind::Claimed;  ///< The answer.
  std::string token;          ///< Claimed: proves the claim to complete() and release().
  /// Claimed: the claim's fencing token. It starts at 1 and grows by one each time the entry
  /// code changes hands (a takeover after a lease ran out, a claim after a release), so a
  /// holder that was taken over has a smaller number than the one that took over.
  std::int64_t fence = 0;
  PushReply reply;                                   ///< Done, Accepted: the stored reply.
  std::chrono::system_clock::time_point busy_until;  ///< Busy: when the holder's lease ends.
};

/// The reply inbox mode's own numbering gives: code "0", `message`, `bil_id`, and bil_no
/// made of `bil_no_prefix` and the next number of `day`, zero-padded to at least `digits`.
struct ERPBRIDGE_WMS_EXPORT InboxNumbering {
  std::string day;            ///< The sequence's key: "20261130".
  std::string bil_id;         ///< "IN".
  std::string bil_no_prefix;  ///< "IN20261130".
  int digits = 6;             ///< "000001".
  std::string message;        ///< The reply's message.

  /// The reply for the day's number `number`.
  PushReply reply_for(std::int64_t number) const;
};

/// An order accepted in inbox mode, kept for the application until it acknowledges it.
struct ERPBRIDGE_WMS_EXPORT InboxEntry {
  std::int64_t id = 0;     ///< Unique in the store, growing in the order of acceptance.
  std::string entry_code;  ///< The order's entry_code.
  std::string body;        ///< The push as received (JSON).
  PushReply reply;         ///< What WMS was answered.
  std::chrono::system_clock::time_point received_at;  ///< When it was accepted.
  bool acknowledged = false;                          ///< ack() was called for it.
};

/// Where a receiver records entry codes. One protocol for every store: claim an entry code
/// for a lease, then complete it with the reply or release it. A claim is atomic across
/// everything that shares the store (threads, processes, replicas); a claim whose lease
/// expired (its holder crashed) is taken over by the next claimant. Handler mode needs this
/// alone.
///
/// Thread-safe; called from handle()'s threads, never under a receiver-wide lock.
class ERPBRIDGE_WMS_EXPORT ClaimStore {
 public:
  virtual ~ClaimStore() = default;
  /// Claims `entry_code` for an order whose canonical form is `fingerprint`, for `lease`.
  virtual Result<Claim> claim(const std::string& entry_code, const std::string& fingerprint,
                              std::chrono::milliseconds lease) = 0;
  /// Records `reply` for the claim `token` holds; later claims answer Done with it.
  /// FailedPrecondition if the claim was lost (its lease expired and was taken over).
  virtual Result<void> complete(const std::string& token, const PushReply& reply) = 0;
  /// Gives the claim up: the next claim of its entry code is Claimed, whatever its content,
  /// with a greater fence.
  virtual Result<void> release(const std::string& token) = 0;
  /// Extends the claim `token` holds to `lease` from now: its holder is still working.
  /// FailedPrecondition if the claim was lost (taken over after its lease ran out, or
  /// ended). The default returns Unimplemented, and the receiver then does not renew.
  virtual Result<void> renew(const std::string& token, std::chrono::milliseconds lease);
  /// Whether the store's backing (its file, its database) answers now: a cheap read, for
  /// readiness probes. The default (a store in memory) is always ok.
  virtual Result<void> check();
};

/// The inbox of inbox mode: orders kept with their replies until the application
/// acknowledges them. An entry is made by completing a claim of the same store, in the same
/// transaction, so an InboxStore is always one of a ReceiverStore.
///
/// Thread-safe.
class ERPBRIDGE_WMS_EXPORT InboxStore {
 public:
  virtual ~InboxStore() = default;
  /// Completes the claim `token` holds with `reply` and, in the same transaction, keeps an
  /// inbox entry holding `body` and `reply`: the order is accepted and kept, or neither.
  virtual Result<void> complete_into_inbox(const std::string& token, const PushReply& reply,
                                           std::string_view body) = 0;
  /// The next number of `day` ("20261130"), from 1, kept in the store: the default numbering
  /// of inbox mode. A number may be skipped (a crash after taking it), never repeated.
  virtual Result<std::int64_t> next_sequence(const std::string& day) = 0;
  /// Inbox mode with the store's numbering in one step: a new `entry_code` (or one whose
  /// holder's lease ran out) is numbered, completed and kept with `body` → Accepted with its
  /// reply; otherwise what a claim answers (Done, Conflict, Busy).
  virtual Result<Claim> accept_into_inbox(const std::string& entry_code,
                                          const std::string& fingerprint, std::string_view body,
                                          const InboxNumbering& numbering,
                                          std::chrono::milliseconds lease) = 0;
  /// Up to `max` entries not yet acknowledged and not leased to another consumer, oldest
  /// first, each leased to the caller for `lease` (after which another consumer gets it).
  virtual Result<std::vector<InboxEntry>> take(std::size_t max,
                                               std::chrono::milliseconds lease) = 0;
  /// Marks entry `id` acknowledged: it is never taken again. Acknowledging twice is fine.
  virtual Result<void> acknowledge(std::int64_t id) = 0;
  /// Entries from id `after` on (acknowledged ones too when `include_acknowledged`), at most
  /// `max`, for inspection; no lease is taken.
  virtual Result<std::vector<InboxEntry>> list(std::int64_t after, std::size_t max,
                                               bool include_acknowledged) = 0;
};

/// Claims and an inbox in one backing, as the memory, SQLite and PostgreSQL stores are:
/// what inbox mode needs (a handler-mode receiver takes it as its ClaimStore, an Inbox as
/// its InboxStore).
class ERPBRIDGE_WMS_EXPORT ReceiverStore : public ClaimStore, public InboxStore {
 public:
  /// Composes claim(), next_sequence() and complete_into_inbox(), releasing the claim if a
  /// step fails; the SQLite and PostgreSQL stores do it in one transaction, so a crash never
  /// leaves a claim held.
  Result<Claim> accept_into_inbox(const std::string& entry_code, const std::string& fingerprint,
                                  std::string_view body, const InboxNumbering& numbering,
                                  std::chrono::milliseconds lease) override;
};

/// The wall clock a store judges leases by. Empty means std::chrono::system_clock::now; tests
/// pass a clock they move by hand, so a lease runs out when the test says, not when the
/// machine gets round to it.
using StoreClock = std::function<std::chrono::system_clock::time_point()>;

/// Called from an EntryHandler: whether the claim of the order it is handling was lost
/// while it ran (a renewal failed because another holder took the order over after the
/// lease ran out). The handler should then not write the order: the new holder will.
/// False outside a handler.
ERPBRIDGE_WMS_EXPORT bool delivery_claim_lost() noexcept;

/// Called from an EntryHandler: the fencing token of the claim of the order it is handling
/// (Claim::fence), 0 outside a handler. An application whose ERP accepts a version with its
/// writes passes it along, and refuses a write whose number is lower than one it has seen
/// for the order: a holder that overran its lease and was taken over cannot then overwrite
/// what its successor wrote.
ERPBRIDGE_WMS_EXPORT std::int64_t delivery_fencing_token() noexcept;

/// Claims and an inbox in memory: for tests and for one process that may forget on restart.
/// Leases are judged by `clock` (see StoreClock).
ERPBRIDGE_WMS_EXPORT std::shared_ptr<ReceiverStore> make_memory_store(StoreClock clock = {});

/// How inbox mode numbers an accepted order: the reply (code "0", bil_id, bil_no) WMS gets.
/// Called from handle()'s threads.
using Numbering = std::function<Result<PushReply>(const EntryConfirmation& order)>;

/// Inbox mode: the receiver accepts each order itself, storing it (the JSON as received) with
/// its reply in the same transaction that completes the claim, and the application consumes
/// the store's inbox (Inbox) instead of being called in the request path.
struct ERPBRIDGE_WMS_EXPORT InboxMode {
  /// Numbers accepted orders; empty: bil_id "IN", bil_no "IN" + the day + a six-digit
  /// per-day sequence kept in the store ("IN20261130000001").
  Numbering numbering;
};

/// Limits of a Receiver.
struct ERPBRIDGE_WMS_EXPORT ReceiverOptions {
  std::size_t max_body_bytes = 8u * 1024u * 1024u;  ///< Larger bodies get 413.
  /// How long a claim protects a delivery in progress; a holder that dies is taken over
  /// after it. While the handler runs, the receiver renews the claim every lease/3, so a
  /// slow handler keeps it; see delivery_claim_lost().
  std::chrono::milliseconds lease{60000};
  /// How long a duplicate waits for the original in flight before answering 503 with
  /// Retry-After, so that WMS's retry is never parked indefinitely.
  std::chrono::milliseconds duplicate_wait{5000};
  /// How often a waiting duplicate asks the store again (for holders in other processes;
  /// ones in this process wake it at once).
  std::chrono::milliseconds poll_interval{50};
  /// The Retry-After of the 503 a draining receiver answers (see Receiver::drain).
  std::chrono::seconds drain_retry_after{5};
  /// The Retry-After of the 503 answered when the store does not answer (a retryable store
  /// error: its database restarting or unreachable). Nothing was stored; the push is
  /// accepted once the store is back.
  std::chrono::seconds store_retry_after{2};
  /// Settings added after this major version froze the fields above (see OptionBag).
  OptionBag extensions{};
};

/// Counters of what handle() did.
struct ERPBRIDGE_WMS_EXPORT ReceiverStats {
  std::size_t delivered = 0;    ///< Handler calls that succeeded and were stored.
  std::size_t duplicates = 0;   ///< Repeats answered from the store.
  std::size_t conflicts = 0;    ///< Reused entry codes with different content.
  std::size_t rejected = 0;     ///< 400/401/413 answers.
  std::size_t failed = 0;       ///< Handler errors, exceptions and refusals, store failures.
  std::size_t busy = 0;         ///< Duplicates answered 503 after waiting for the original.
  std::size_t drained = 0;      ///< Pushes answered 503 because the receiver was draining.
  std::size_t unavailable = 0;  ///< Pushes answered 503 because the store did not answer.
};

/// Thread-safe; handle() never throws. Status paths of handle():
///  - 401: missing or wrong Authorization token;
///  - 413: body over max_body_bytes;
///  - 400: invalid JSON, or violations of the spec's rules (all listed in the message);
///  - 200: a new entry_code: the handler is called once and its reply stored; a repeat with
///    the same content (key order, spacing and spelling variants aside): the stored reply;
///    a refusal by the handler (code != "0") is answered but not stored;
///  - 409: an entry_code already used for different content; the handler is not called;
///  - 500: the handler failed or threw, or the store refused an operation: nothing stored and
///    the claim released, so WMS's retry runs the handler again;
///  - 503 with Retry-After: a duplicate of an order still in flight after duplicate_wait, any
///    push once drain() was called, or the store did not answer (its database down). After a
///    successful handler, completing is retried for up to a lease before that answer, so a
///    short outage does not make the handler run twice.
///
/// Guarantee: an accepted order (200 with code "0") is stored before the reply leaves, and
/// each entry_code is accepted once. The handler runs again for the same order only if its
/// first run did not complete: it failed (500), or its holder died or overran the lease, in
/// which case the next claimant takes over after the lease (at-least-once delivery in that
/// window). Concurrent duplicates wait for the original instead of running the handler.
class ERPBRIDGE_WMS_EXPORT Receiver {
 public:
  /// Delivers new orders to `handler`, accepting requests `token_checker` approves and
  /// recording claims in `store`.
  Receiver(EntryHandler handler, TokenChecker token_checker,
           std::shared_ptr<ClaimStore> store = make_memory_store(), ReceiverOptions options = {});
  /// Inbox mode: accepts new orders into `store`'s inbox (see InboxMode). In this mode an
  /// order is accepted exactly once: its 200 leaves only after it is durably in the inbox.
  Receiver(InboxMode mode, TokenChecker token_checker, std::shared_ptr<ReceiverStore> store,
           ReceiverOptions options = {});

  /// Answers one POST of CreateEntryConfirmation (see the status paths above).
  ReceiverReply handle(const HttpHeaders& headers, std::string_view body) const noexcept;
  /// What handle() did so far.
  ReceiverStats stats() const;

  /// Starts a graceful stop. From now on handle() answers every push 503 with Retry-After
  /// (ReceiverOptions::drain_retry_after) before reading it, so WMS pushes it again later to
  /// another replica or to this service's successor; calls already past that point finish
  /// as usual. Cannot be undone.
  void drain() const noexcept;
  /// Whether drain() was called.
  bool draining() const noexcept;
  /// Waits until no handle() call is in progress, at most `limit`. True if none is.
  bool wait_idle(std::chrono::milliseconds limit) const;
  /// Whether this receiver can take pushes now, for a readiness probe: FailedPrecondition
  /// while draining, the store's own error when it does not answer a read.
  Result<void> ready() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

/// The application's side of inbox mode: orders the receiver accepted, handed out until
/// acknowledged. Several consumers (threads, processes, replicas on PostgreSQL) may share one
/// inbox: an entry taken by one is leased to it and not handed to another meanwhile.
class ERPBRIDGE_WMS_EXPORT Inbox {
 public:
  /// Consumes `store`'s inbox, leasing what next() returns for `lease`.
  explicit Inbox(std::shared_ptr<InboxStore> store,
                 std::chrono::milliseconds lease = std::chrono::seconds(60));
  /// Up to `max` entries to process, oldest first. Process each, then ack() it; an entry not
  /// acknowledged within the lease is handed out again (at least once processing).
  Result<std::vector<InboxEntry>> next(std::size_t max);
  /// Marks entry `id` done.
  Result<void> ack(std::int64_t id);
  /// The order an entry holds, decoded from its body.
  static Result<EntryConfirmation> order_of(const InboxEntry& entry);

 private:
  std::shared_ptr<InboxStore> store_;
  std::chrono::milliseconds lease_;
};

}  // namespace erpbridge::wms
