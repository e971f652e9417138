// The receiving side of CreateEntryConfirmation, for services that are the third party
// AI-WMS PLUS pushes to. Plug handle() into any HTTP server.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "erpbridge/core/http.hpp"
#include "erpbridge/wms/types.hpp"

namespace erpbridge::wms {

/// What to send back: an HTTP status and a JSON body in the spec's reply shape.
struct ReceiverReply {
  int http_status = 200;  ///< The status to answer with.
  std::string body;       ///< JSON: {"code":…,"message":…,"bil_id":…,"bil_no":…}.
};

/// The application's processing of a new order. Its PushReply (code "0", bil_id, bil_no) is
/// stored and repeated for duplicates; an error or a non-zero code is not stored.
using EntryHandler = std::function<Result<PushReply>(const EntryConfirmation&)>;

/// Whether the Authorization header value is acceptable.
using TokenChecker = std::function<bool(std::string_view token)>;

/// Accepts exactly `expected` (compared in constant time).
TokenChecker expect_token(std::string expected);

/// What a receiver remembers of an order it delivered.
struct StoredReply {
  std::string fingerprint;  ///< Canonical form of the order, to tell a retry from a reuse.
  PushReply reply;          ///< The reply repeated to duplicates.
};

/// Where delivered entry codes are remembered. Implement it over your database to survive
/// restarts; the default keeps them in memory.
class IdempotencyStore {
 public:
  virtual ~IdempotencyStore() = default;
  /// The record of `entry_code`, or nothing if it was never delivered.
  virtual Result<std::optional<StoredReply>> find(const std::string& entry_code) = 0;
  /// Remembers that `entry_code` was delivered with `record`.
  virtual Result<void> save(const std::string& entry_code, const StoredReply& record) = 0;
};

std::shared_ptr<IdempotencyStore> make_memory_store();

/// Limits of a Receiver.
struct ReceiverOptions {
  std::size_t max_body_bytes = 8u * 1024u * 1024u;  ///< Larger bodies get 413.
};

/// Counters of what handle() did.
struct ReceiverStats {
  std::size_t delivered = 0;   ///< Handler calls that succeeded.
  std::size_t duplicates = 0;  ///< Repeats answered from the store.
  std::size_t conflicts = 0;   ///< Reused entry codes with different content.
  std::size_t rejected = 0;    ///< 400/401/413 answers.
  std::size_t failed = 0;      ///< Handler errors (not stored).
};

/// Thread-safe. Status paths of handle():
///  - 401: missing or wrong Authorization token;
///  - 413: body over max_body_bytes;
///  - 400: invalid JSON, or violations of the spec's rules (all listed in the message);
///  - 200: a new entry_code: the handler is called once and its reply stored; a repeat with
///    the same content (key order, spacing and spelling variants aside): the stored reply;
///  - 409: an entry_code already used for different content; the handler is not called;
///  - 500: the handler failed; nothing stored, so WMS can retry.
/// Concurrent duplicates of one entry_code call the handler once; the others wait for it.
class Receiver {
 public:
  /// Delivers new orders to `handler`, accepting requests `token_checker` approves and
  /// remembering deliveries in `store`.
  Receiver(EntryHandler handler, TokenChecker token_checker,
           std::shared_ptr<IdempotencyStore> store = make_memory_store(),
           ReceiverOptions options = {});

  /// Answers one POST of CreateEntryConfirmation (see the status paths above).
  ReceiverReply handle(const HttpHeaders& headers, std::string_view body) const;
  /// What handle() did so far.
  ReceiverStats stats() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace erpbridge::wms
