// The claim store for one machine: a SQLite file (component erpbridge::wms_sqlite).
#pragma once

#include "erpbridge/version.hpp"
#include "erpbridge/wms/sqlite_export.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "erpbridge/core/option_bag.hpp"
#include "erpbridge/wms/receiver.hpp"

namespace erpbridge::wms {

/// Settings of a SQLite claim store.
struct ERPBRIDGE_WMS_SQLITE_EXPORT SqliteStoreOptions {
  /// How long a write waits for another process holding the file's write lock.
  std::chrono::milliseconds busy_timeout{5000};
  /// The most operations committed in one transaction (one fsync for all of them).
  std::size_t max_batch = 512;
  /// The clock leases are judged by (see StoreClock); empty means the system clock. Every
  /// process sharing a file should use the same clock.
  StoreClock clock;
  /// Opt-in, off by default: open the file through a VFS that gathers the writes SQLite makes
  /// to the write-ahead log between two syncs into one write (about 9% more pushes a second
  /// on one benchmark). It relies on how SQLite 3.40 writes its log, beyond the VFS
  /// contract, and moves a write's I/O error to the sync after it, so it is refused
  /// (FailedPrecondition) with any other SQLite version.
  bool gathered_wal_writes = false;
  /// Settings added after this major version froze the fields above (see OptionBag).
  OptionBag extensions{};
};

/// Opens the claim store at `path`, creating the file and its schema when missing (an
/// existing schema of a newer version is refused). The file is in WAL mode with
/// synchronous=FULL: an operation returns only after its transaction is durable, so a reply
/// leaves only after its record survives a crash or a power cut. Operations arriving
/// together from several threads are committed in one transaction (group commit: one fsync,
/// many orders). Several processes on one host may share the file (not over a network file
/// system); claims are atomic across them. Keeps an inbox, for inbox mode.
ERPBRIDGE_WMS_SQLITE_EXPORT Result<std::shared_ptr<ReceiverStore>> open_sqlite_store(
    const std::string& path, SqliteStoreOptions options = {});

}  // namespace erpbridge::wms
