// A SQLite VFS that passes everything to the default VFS but gathers the writes SQLite makes
// to a write-ahead log between two syncs into one write.
#pragma once

#include "erpbridge/version.hpp"  // the ABI namespace

namespace erpbridge::wms::sqlite_wal {

/// The VFS's name for sqlite3_open_v2, registered (not as the default) on first use; nullptr
/// if SQLite has no default VFS to wrap. Only for connections with synchronous=FULL (see the
/// .cpp): with a lower setting frames would be published while still gathered.
const char* vfs_name();

}  // namespace erpbridge::wms::sqlite_wal
