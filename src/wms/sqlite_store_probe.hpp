// What tests may do inside a SQLite store's writer, to check how a batch that goes wrong is
// handled without waiting for a full disk.
#pragma once

#include <sqlite3.h>

#include <cstddef>
#include <functional>

#include "erpbridge/wms/receiver.hpp"

namespace erpbridge::wms::internal {

/// Runs `run` as one operation of `store`'s (one from open_sqlite_store) next batch, on its
/// writer thread, with the store's connection; InvalidArgument for another store.
Result<void> run_in_sqlite_batch(ClaimStore& store,
                                 const std::function<Result<void>(sqlite3*)>& run);

/// Operations waiting for `store`'s writer (0 for a store that is not SQLite's).
std::size_t sqlite_queued_operations(ClaimStore& store);

}  // namespace erpbridge::wms::internal
