// SQLite writes a commit to its write-ahead log as two pwrite calls per page (a 24-byte frame
// header, then the page), all contiguous, then syncs. The claim store's one writer thread is
// what every push waits for, and a receiver's commit is some 40 such calls: this VFS hands
// them to the default VFS as one write at the sync instead (the SQLite receiver benchmark went
// 9% faster, measured side by side). Every other call, and every file but a WAL, passes
// straight through.
//
// Nothing changes for durability or for other connections as long as SQLite syncs the WAL at
// every commit and writes nothing to it after that sync: then the gathered bytes reach the
// file before the sync returns, and SQLite publishes new frames to readers (the wal-index)
// only after it. That takes synchronous=FULL, which the store always sets, and a file with
// power-safe overwrite (without it SQLite pads a commit to a sector boundary and writes the
// padding after the sync): a WAL without it is not gathered. Reads, memory-mapped fetches,
// size queries, truncations, syncs and closes write the gathered bytes out first.
#include "wms/sqlite_wal_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <vector>

namespace erpbridge::wms::sqlite_wal {
namespace {

// Gathered bytes beyond this are written out at once: a big transaction does not grow the
// buffer without bound.
constexpr std::size_t kMaxGathered = std::size_t{1} << 20;

struct File {
  sqlite3_file base;  // first: SQLite hands the methods this address
  sqlite3_file* real;
  bool gather;  // a write-ahead log
  std::vector<char> gathered;
  sqlite3_int64 gathered_at;
};

sqlite3_vfs* wrapped = nullptr;

File& of(sqlite3_file* file) {
  return *reinterpret_cast<File*>(file);
}
const sqlite3_io_methods& real_methods(File& file) {
  return *file.real->pMethods;
}

// The unix VFS writes less than 128 KiB a call (it masks a larger size to its low 17 bits).
constexpr std::size_t kMaxWrite = std::size_t{96} << 10;

int write_out(File& file) {
  int written = SQLITE_OK;
  for (std::size_t at = 0; at < file.gathered.size() && written == SQLITE_OK; at += kMaxWrite) {
    const std::size_t size = std::min(kMaxWrite, file.gathered.size() - at);
    written =
        real_methods(file).xWrite(file.real, file.gathered.data() + at, static_cast<int>(size),
                                  file.gathered_at + static_cast<sqlite3_int64>(at));
  }
  file.gathered.clear();
  return written;
}

// Calls the real file's `method` once the gathered bytes are written out: whatever reads,
// measures, truncates or syncs the file must see them.
template <typename Method, typename... Arguments>
int after_write_out(sqlite3_file* handle, Method method, Arguments... arguments) {
  File& file = of(handle);
  const int written = write_out(file);
  if (written != SQLITE_OK) return written;
  return (real_methods(file).*method)(file.real, arguments...);
}

int close_file(sqlite3_file* handle) {
  File& file = of(handle);
  const int written = write_out(file);
  const int closed = real_methods(file).xClose(file.real);
  file.~File();
  return written != SQLITE_OK ? written : closed;
}

int read_file(sqlite3_file* handle, void* into, int amount, sqlite3_int64 offset) {
  return after_write_out(handle, &sqlite3_io_methods::xRead, into, amount, offset);
}

int write_file(sqlite3_file* handle, const void* data, int amount, sqlite3_int64 offset) {
  File& file = of(handle);
  if (!file.gather) return real_methods(file).xWrite(file.real, data, amount, offset);
  // A write right after what is gathered joins it. Any other (SQLite rewrites a frame of a
  // transaction whose cache spilled) goes to the file after what is gathered, in order.
  const auto end = file.gathered_at + static_cast<sqlite3_int64>(file.gathered.size());
  if (file.gathered.empty() || offset != end) {
    const int written = write_out(file);
    if (written != SQLITE_OK) return written;
    file.gathered_at = offset;
  }
  const auto* bytes = static_cast<const char*>(data);
  try {
    file.gathered.insert(file.gathered.end(), bytes, bytes + amount);
  } catch (const std::bad_alloc&) {  // no exception may cross SQLite's C frames
    return SQLITE_IOERR_NOMEM;
  }
  return file.gathered.size() >= kMaxGathered ? write_out(file) : SQLITE_OK;
}

int truncate_file(sqlite3_file* handle, sqlite3_int64 size) {
  return after_write_out(handle, &sqlite3_io_methods::xTruncate, size);
}

int sync_file(sqlite3_file* handle, int flags) {
  return after_write_out(handle, &sqlite3_io_methods::xSync, flags);
}

int file_size(sqlite3_file* handle, sqlite3_int64* size) {
  return after_write_out(handle, &sqlite3_io_methods::xFileSize, size);
}

int lock(sqlite3_file* handle, int level) {
  return real_methods(of(handle)).xLock(of(handle).real, level);
}
int unlock(sqlite3_file* handle, int level) {
  return real_methods(of(handle)).xUnlock(of(handle).real, level);
}
int check_reserved_lock(sqlite3_file* handle, int* out) {
  return real_methods(of(handle)).xCheckReservedLock(of(handle).real, out);
}
int file_control(sqlite3_file* handle, int op, void* argument) {
  return real_methods(of(handle)).xFileControl(of(handle).real, op, argument);
}
int sector_size(sqlite3_file* handle) {
  return real_methods(of(handle)).xSectorSize(of(handle).real);
}
int device_characteristics(sqlite3_file* handle) {
  return real_methods(of(handle)).xDeviceCharacteristics(of(handle).real);
}
int shm_map(sqlite3_file* handle, int page, int page_size, int extend, void volatile** out) {
  return real_methods(of(handle)).xShmMap(of(handle).real, page, page_size, extend, out);
}
int shm_lock(sqlite3_file* handle, int offset, int count, int flags) {
  return real_methods(of(handle)).xShmLock(of(handle).real, offset, count, flags);
}
void shm_barrier(sqlite3_file* handle) {
  real_methods(of(handle)).xShmBarrier(of(handle).real);
}
int shm_unmap(sqlite3_file* handle, int delete_flag) {
  return real_methods(of(handle)).xShmUnmap(of(handle).real, delete_flag);
}
int fetch(sqlite3_file* handle, sqlite3_int64 offset, int amount, void** out) {
  return after_write_out(handle, &sqlite3_io_methods::xFetch, offset, amount, out);
}
int unfetch(sqlite3_file* handle, sqlite3_int64 offset, void* page) {
  return real_methods(of(handle)).xUnfetch(of(handle).real, offset, page);
}

// The methods of a file whose real methods are of `version` (1-3): SQLite calls none above it.
constexpr sqlite3_io_methods methods_of_version(int version) {
  return {version,
          close_file,
          read_file,
          write_file,
          truncate_file,
          sync_file,
          file_size,
          lock,
          unlock,
          check_reserved_lock,
          file_control,
          sector_size,
          device_characteristics,
          shm_map,
          shm_lock,
          shm_barrier,
          shm_unmap,
          fetch,
          unfetch};
}
constexpr sqlite3_io_methods kMethods[] = {methods_of_version(1), methods_of_version(2),
                                           methods_of_version(3)};

// The real file lives right after ours, in the bytes SQLite allocates for us.
std::size_t real_offset() {
  return (sizeof(File) + 7) & ~std::size_t{7};
}

int open_file(sqlite3_vfs*, const char* name, sqlite3_file* handle, int flags, int* out_flags) {
  auto* real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(handle) + real_offset());
  std::memset(real, 0, static_cast<std::size_t>(wrapped->szOsFile));
  const int opened = wrapped->xOpen(wrapped, name, real, flags, out_flags);
  if (real->pMethods == nullptr) {  // nothing to close
    handle->pMethods = nullptr;
    return opened != SQLITE_OK ? opened : SQLITE_CANTOPEN;
  }
  const int version = std::clamp(real->pMethods->iVersion, 1, 3);
  File* file = new (handle) File{};
  file->base.pMethods = &kMethods[version - 1];
  file->real = real;
  // SQLite decides on padding by its database file's characteristics (a psow=0 URI sets them
  // on that file only).
  if ((flags & SQLITE_OPEN_WAL) != 0 && name != nullptr) {
    sqlite3_file* database = sqlite3_database_file_object(name);
    file->gather = database != nullptr && database->pMethods != nullptr &&
                   (database->pMethods->xDeviceCharacteristics(database) &
                    SQLITE_IOCAP_POWERSAFE_OVERWRITE) != 0;
  }
  file->gathered_at = 0;
  return opened;
}

// The rest take the VFS they were called through: hand them the wrapped one.
int delete_file(sqlite3_vfs*, const char* name, int sync_directory) {
  return wrapped->xDelete(wrapped, name, sync_directory);
}
int access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return wrapped->xAccess(wrapped, name, flags, out);
}
int full_pathname(sqlite3_vfs*, const char* name, int size, char* out) {
  return wrapped->xFullPathname(wrapped, name, size, out);
}
void* dl_open(sqlite3_vfs*, const char* name) {
  return wrapped->xDlOpen(wrapped, name);
}
void dl_error(sqlite3_vfs*, int size, char* out) {
  wrapped->xDlError(wrapped, size, out);
}
void (*dl_sym(sqlite3_vfs*, void* library, const char* symbol))(void) {
  return wrapped->xDlSym(wrapped, library, symbol);
}
void dl_close(sqlite3_vfs*, void* library) {
  wrapped->xDlClose(wrapped, library);
}
int randomness(sqlite3_vfs*, int size, char* out) {
  return wrapped->xRandomness(wrapped, size, out);
}
int sleep(sqlite3_vfs*, int microseconds) {
  return wrapped->xSleep(wrapped, microseconds);
}
int current_time(sqlite3_vfs*, double* out) {
  return wrapped->xCurrentTime(wrapped, out);
}
int last_error(sqlite3_vfs*, int size, char* out) {
  return wrapped->xGetLastError(wrapped, size, out);
}
int current_time_int64(sqlite3_vfs*, sqlite3_int64* out) {
  return wrapped->xCurrentTimeInt64(wrapped, out);
}

}  // namespace

const char* vfs_name() {
  static const char* const name = []() -> const char* {
    wrapped = sqlite3_vfs_find(nullptr);
    if (wrapped == nullptr || wrapped->iVersion < 2) return nullptr;
    static sqlite3_vfs vfs{};
    vfs.iVersion = 2;
    vfs.szOsFile = static_cast<int>(real_offset()) + wrapped->szOsFile;
    vfs.mxPathname = wrapped->mxPathname;
    vfs.zName = "erpbridge-gathered-wal";
    vfs.xOpen = open_file;
    vfs.xDelete = delete_file;
    vfs.xAccess = access;
    vfs.xFullPathname = full_pathname;
    vfs.xDlOpen = dl_open;
    vfs.xDlError = dl_error;
    vfs.xDlSym = dl_sym;
    vfs.xDlClose = dl_close;
    vfs.xRandomness = randomness;
    vfs.xSleep = sleep;
    vfs.xCurrentTime = current_time;
    vfs.xGetLastError = last_error;
    vfs.xCurrentTimeInt64 = current_time_int64;
    return sqlite3_vfs_register(&vfs, 0) == SQLITE_OK ? vfs.zName : nullptr;
  }();
  return name;
}

}  // namespace erpbridge::wms::sqlite_wal
