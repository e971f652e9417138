// The claim store for several replicas: a PostgreSQL database (component
// erpbridge::wms_postgres).
#pragma once

#include "erpbridge/version.hpp"
#include "erpbridge/wms/postgres_export.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "erpbridge/core/option_bag.hpp"
#include "erpbridge/wms/receiver.hpp"

namespace erpbridge::wms {

/// Settings of a PostgreSQL claim store.
struct ERPBRIDGE_WMS_POSTGRES_EXPORT PostgresStoreOptions {
  std::size_t connections = 4;  ///< Connections kept open; calls beyond them wait for one.
  std::chrono::seconds connect_timeout{5};  ///< Limit for opening a connection.
  /// Inbox mode: concurrent accepts are sent together, one statement and one commit per
  /// batch; this many batches may be in flight at once (each on a pooled connection). One
  /// writer lets a batch take everything that queued while the last one was out (up to 64
  /// orders); more hide a distant server's round trips when one writer's batches are full,
  /// but on a machine sharing its cores with the server they split the same orders into
  /// smaller batches that contend for the same index pages and WAL flushes: on 2 cores, 1
  /// writer gave 0.37x to 0.58x of the memory store's pushes/s, 2 gave 0.24x to 0.32x
  /// (docs/PERFORMANCE.md).
  std::size_t accept_writers = 1;
  /// Leases are judged by the database's clock, shared by every replica. A clock set here
  /// replaces it (see StoreClock): for tests, or replicas that agree on a clock of their own.
  StoreClock clock;
  /// Settings added after this major version froze the fields above (see OptionBag).
  OptionBag extensions{};
};

/// The longest a PostgreSQL store waits for the server's answer to a statement it sent (set
/// it in PostgresStoreOptions::extensions). A server that took the statement and then stopped
/// answering (a stopped or hung process, whose kernel still keeps the connection alive, so
/// neither TCP keepalives nor the server's statement_timeout end it) would hold the
/// statement, and in inbox mode every accept queued behind it, for ever; after this long the
/// store closes that connection and the statement fails with a retryable error (a receiver
/// answers 503) whose outcome is unknown. The statements are safe to send again, but one
/// that did commit shows: a claim it made answers Busy until its lease ends, and inbox
/// entries it took stay leased for their lease. The next statement opens a new connection.
/// The wait is per answer: a statement prepared on first use waits once for the preparing
/// and once for the running. Unset, zero or negative: the sessions' statement_timeout (30 s,
/// or what the conninfo's options='-c statement_timeout=…' or PGOPTIONS set) and 5 s, so
/// that a merely slow statement ends with the server's own error first and keeps its
/// connection; no limit if that statement_timeout is 0 (off).
struct ERPBRIDGE_WMS_POSTGRES_EXPORT PostgresAnswerTimeoutOption {
  using Type = std::chrono::milliseconds;  ///< Time from sending a statement to its answer.
};

/// Opens the claim store in the database `conninfo` names (libpq's "host=… dbname=…" or a
/// postgresql:// URI), creating its tables on first use (under an advisory lock, so replicas
/// starting together do not race; a newer schema version is refused). Replicas sharing the
/// database share the claims: an entry_code is claimed with INSERT … ON CONFLICT, so
/// concurrent duplicates reaching different replicas are delivered once; leases are kept in
/// the database's clock. A broken connection is reopened and the statement sent again once.
/// Connections use TCP keepalives (10 s idle, 5 s apart, 3 probes) and a 10 s TCP user
/// timeout, so a server lost mid-statement fails the statement within seconds; `conninfo`
/// may set its own (keepalives_idle=…, tcp_user_timeout=…). A statement that waits 30 s
/// (a lock held elsewhere) fails with a retryable error (a receiver answers 503), and so
/// does one the server does not answer at all within PostgresAnswerTimeoutOption; `conninfo`'s
/// server options (options='-c statement_timeout=…', else PGOPTIONS) are kept and may set another.
/// synchronous_commit is on for the store's sessions, whatever the server or those options say. In
/// inbox mode, accepts arriving together are committed together (one statement, one transaction);
/// the default numbering uses one PostgreSQL sequence per day. Keeps an inbox, for inbox mode,
/// which several consumers share (FOR UPDATE SKIP LOCKED). A password in `conninfo` is treated as a
/// secret: it never reaches an error text.
ERPBRIDGE_WMS_POSTGRES_EXPORT Result<std::shared_ptr<ReceiverStore>> open_postgres_store(
    const std::string& conninfo, PostgresStoreOptions options = {});

}  // namespace erpbridge::wms
