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
  /// writer lets a batch take everything that queued while the last one was out, however far
  /// the server is (up to 64 orders a batch); a second splits the same orders into smaller
  /// batches that contend for the same index pages and WAL flushes. Measured on a 2-core
  /// machine sharing its cores with the server (docs/PERFORMANCE.md): 1 writer gave 0.37x to
  /// 0.58x of the memory store, 2 gave 0.24x to 0.32x.
  std::size_t accept_writers = 1;
  /// Leases are judged by the database's clock, shared by every replica. A clock set here
  /// replaces it (see StoreClock): for tests, or replicas that agree on a clock of their own.
  StoreClock clock;
  /// Settings added after this major version froze the fields above (see OptionBag).
  OptionBag extensions{};
};

/// Opens the claim store in the database `conninfo` names (libpq's "host=… dbname=…" or a
/// postgresql:// URI), creating its tables on first use (under an advisory lock, so replicas
/// starting together do not race; a newer schema version is refused). Replicas sharing the
/// database share the claims: an entry_code is claimed with INSERT … ON CONFLICT, so
/// concurrent duplicates reaching different replicas are delivered once; leases are kept in
/// the database's clock. A broken connection is reopened and the statement sent again once.
/// In inbox mode, accepts arriving together are committed together (one statement, one
/// transaction); the default numbering uses one PostgreSQL sequence per day.
/// Keeps an inbox, for inbox mode, which several consumers share (FOR UPDATE SKIP LOCKED).
/// A password in `conninfo` is treated as a secret: it never reaches an error text.
ERPBRIDGE_WMS_POSTGRES_EXPORT Result<std::shared_ptr<ReceiverStore>> open_postgres_store(
    const std::string& conninfo, PostgresStoreOptions options = {});

}  // namespace erpbridge::wms
