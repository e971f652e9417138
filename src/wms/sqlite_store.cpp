// The SQLite claim store: one connection, one writer thread that commits the operations
// queued meanwhile in one transaction (group commit).
#include "erpbridge/wms/sqlite_store.hpp"

#include <pthread.h>
#include <sqlite3.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "wms/claim_token.hpp"
#include "wms/codec.hpp"
#include "wms/sqlite_store_probe.hpp"
#include "wms/sqlite_wal_vfs.hpp"

namespace erpbridge::wms {
namespace {

using SystemClock = std::chrono::system_clock;

// 2 added the claims' fence; a version 1 file is migrated when opened.
constexpr int kSchemaVersion = 2;

// Few b-trees, so that a commit writes few pages: the claims are keyed by entry_code alone
// (a claim's token carries its entry code, so no index on tokens), and the inbox's entry
// codes are unique through the claims (an entry is stored only by completing a claim).
const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS erpbridge_schema (
  name TEXT PRIMARY KEY,
  version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS erpbridge_wms_claims (
  entry_code TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  done INTEGER NOT NULL DEFAULT 0,
  token TEXT,
  lease_until INTEGER NOT NULL DEFAULT 0,
  reply TEXT,
  fence INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS erpbridge_wms_inbox (
  id INTEGER PRIMARY KEY,
  entry_code TEXT NOT NULL,
  body TEXT NOT NULL,
  reply TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  leased_until INTEGER NOT NULL DEFAULT 0,
  acknowledged INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS erpbridge_wms_inbox_pending
  ON erpbridge_wms_inbox (id) WHERE acknowledged = 0;
CREATE TABLE IF NOT EXISTS erpbridge_wms_sequences (
  day TEXT PRIMARY KEY,
  last INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO erpbridge_schema (name, version) VALUES ('wms', 2);
)SQL";

// From version 1: claims get their fence (a released claim's row is kept from now on).
const char* kMigrateFrom1 = R"SQL(
ALTER TABLE erpbridge_wms_claims ADD COLUMN fence INTEGER NOT NULL DEFAULT 0;
UPDATE erpbridge_schema SET version = 2 WHERE name = 'wms';
)SQL";

std::int64_t ms_since_epoch(SystemClock::time_point when) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count();
}

SystemClock::time_point from_ms(std::int64_t ms) {
  return SystemClock::time_point(std::chrono::milliseconds(ms));
}

Error store_error(const std::string& what, sqlite3* db) {
  Error error =
      make_error(ErrorCode::Transport, "SQLite claim store: " + what + ": " + sqlite3_errmsg(db));
  error.retryable = true;
  return error;
}

// A prepared statement, reset and bound afresh for each use.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK) {
      stmt_ = nullptr;
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return stmt_ != nullptr; }

  Statement& reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    next_ = 1;
    return *this;
  }
  Statement& bind(std::string_view text) {
    sqlite3_bind_text(stmt_, next_++, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(std::int64_t value) {
    sqlite3_bind_int64(stmt_, next_++, value);
    return *this;
  }
  /// SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(stmt_); }
  std::string text(int column) const {
    const unsigned char* value = sqlite3_column_text(stmt_, column);
    return value == nullptr
               ? std::string()
               : std::string(reinterpret_cast<const char*>(value),
                             static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
  }
  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int next_ = 1;
};

class SqliteStore final : public ReceiverStore {
 public:
  SqliteStore(sqlite3* db, SqliteStoreOptions options) : db_(db), options_(std::move(options)) {
    if (!options_.clock) options_.clock = &SystemClock::now;
  }

  ~SqliteStore() override {
    {
      std::lock_guard<std::mutex> guard(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (worker_.joinable()) worker_.join();
    statements_.clear();
    sqlite3_close_v2(db_);
  }

  // Prepares the statements and starts the writer thread.
  Result<void> start() {
    for (const auto& [name, sql] : std::initializer_list<std::pair<const char*, const char*>>{
             {"find_claim",
              "SELECT fingerprint, done, lease_until, reply, token IS NULL, fence "
              "FROM erpbridge_wms_claims WHERE entry_code = ?"},
             {"insert_claim",
              "INSERT INTO erpbridge_wms_claims (entry_code, fingerprint, done, token, "
              "lease_until, fence) VALUES (?, ?, 0, ?, ?, 1)"},
             {"insert_done_if_new",
              "INSERT INTO erpbridge_wms_claims (entry_code, fingerprint, done, reply) "
              "VALUES (?, ?, 1, ?) ON CONFLICT (entry_code) DO NOTHING"},
             {"take_over",
              "UPDATE erpbridge_wms_claims SET token = ?, lease_until = ?, fingerprint = ?, "
              "fence = ? WHERE entry_code = ? AND done = 0"},
             {"complete",
              "UPDATE erpbridge_wms_claims SET done = 1, reply = ?, token = NULL "
              "WHERE entry_code = ? AND token = ? AND done = 0"},
             {"release",
              "UPDATE erpbridge_wms_claims SET token = NULL, lease_until = 0 "
              "WHERE entry_code = ? AND token = ? AND done = 0"},
             {"renew",
              "UPDATE erpbridge_wms_claims SET lease_until = ? WHERE entry_code = ? AND token = ? "
              "AND done = 0"},
             {"begin", "BEGIN IMMEDIATE"},
             {"commit", "COMMIT"},
             {"rollback", "ROLLBACK"},
             {"savepoint", "SAVEPOINT operation"},
             {"rollback_to", "ROLLBACK TO operation"},
             {"release_savepoint", "RELEASE operation"},
             {"insert_inbox",
              "INSERT INTO erpbridge_wms_inbox (entry_code, body, reply, received_at) "
              "VALUES (?, ?, ?, ?)"},
             {"read_sequence", "SELECT last FROM erpbridge_wms_sequences WHERE day = ?"},
             {"write_sequence",
              "INSERT INTO erpbridge_wms_sequences (day, last) VALUES (?, ?) "
              "ON CONFLICT (day) DO UPDATE SET last = excluded.last"},
             {"pending",
              "SELECT id, entry_code, body, reply, received_at, acknowledged "
              "FROM erpbridge_wms_inbox WHERE acknowledged = 0 AND leased_until <= ? "
              "ORDER BY id LIMIT ?"},
             {"lease", "UPDATE erpbridge_wms_inbox SET leased_until = ? WHERE id = ?"},
             {"acknowledge", "UPDATE erpbridge_wms_inbox SET acknowledged = 1 WHERE id = ?"},
             {"exists", "SELECT 1 FROM erpbridge_wms_inbox WHERE id = ?"},
             {"list",
              "SELECT id, entry_code, body, reply, received_at, acknowledged "
              "FROM erpbridge_wms_inbox WHERE id > ? AND (acknowledged = 0 OR ?) "
              "ORDER BY id LIMIT ?"},
         }) {
      auto statement = std::make_unique<Statement>(db_, sql);
      if (!statement->ok()) return store_error(std::string("preparing ") + name, db_);
      statements_[name] = std::move(statement);
    }
    worker_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "erpbridge-sqlw");  // what ps, top and gdb show
      run();
    });
    return ok();
  }

  Result<Claim> claim(const std::string& entry_code, const std::string& fingerprint,
                      std::chrono::milliseconds lease) override {
    Claim claim;
    Result<void> done = submit([&] { return claim_now(entry_code, fingerprint, lease, claim); });
    if (!done.ok()) return std::move(done).error();
    return claim;
  }

  Result<Claim> accept_into_inbox(const std::string& entry_code, const std::string& fingerprint,
                                  std::string_view body, const InboxNumbering& numbering,
                                  std::chrono::milliseconds lease) override {
    Claim claim;
    // Claim, number, complete and keep: one operation, so in one transaction.
    Result<void> done = submit([&]() -> Result<void> {
      claim = Claim{};  // an operation may run twice (see run_batch): nothing left from before
      // A new entry code, the common case, takes two statements: its claim recorded done
      // (unless the code is known) and its inbox entry. A known code gives its number back
      // and goes the way of claim_now: a duplicate, a conflict, a busy or a lapsed claim.
      Result<std::int64_t> number = sequence_now(numbering.day);
      if (!number.ok()) return std::move(number).error();
      PushReply reply = numbering.reply_for(*number);
      std::string reply_json = json::encode(reply);
      Statement& insert = stmt("insert_done_if_new").reset().bind(entry_code).bind(fingerprint);
      if (insert.bind(reply_json).step() != SQLITE_DONE) {
        return store_error("recording a claim", db_);
      }
      if (sqlite3_changes(db_) == 0) {
        --sequences_[numbering.day];  // taken last, in this operation: no gap is left
        Result<void> claimed = claim_now(entry_code, fingerprint, lease, claim);
        if (!claimed.ok() || claim.kind != Claim::Kind::Claimed) return claimed;
        number = sequence_now(numbering.day);
        if (!number.ok()) return std::move(number).error();
        reply = numbering.reply_for(*number);
        reply_json = json::encode(reply);
        Result<void> completed = mark_done(claim.token, reply_json);
        if (!completed.ok()) return completed;
      }
      claim.reply = std::move(reply);
      Result<void> kept = keep(entry_code, reply_json, body);
      if (!kept.ok()) return kept;
      claim.kind = Claim::Kind::Accepted;
      claim.token.clear();
      return ok();
    });
    if (!done.ok()) return std::move(done).error();
    return claim;
  }

  Result<void> complete(const std::string& token, const PushReply& reply) override {
    const std::string reply_json = json::encode(reply);
    return submit([&] { return mark_done(token, reply_json); });
  }

  Result<void> complete_into_inbox(const std::string& token, const PushReply& reply,
                                   std::string_view body) override {
    const std::string reply_json = json::encode(reply);
    return submit([&]() -> Result<void> {
      Result<void> done = mark_done(token, reply_json);
      if (!done.ok()) return done;
      return keep(claims::entry_code_of(token), reply_json, body);
    });
  }

  Result<void> renew(const std::string& token, std::chrono::milliseconds lease) override {
    return submit([&]() -> Result<void> {
      Statement& renewal = stmt("renew").reset().bind(now_ms() + lease.count());
      if (renewal.bind(claims::entry_code_of(token)).bind(token).step() != SQLITE_DONE) {
        return store_error("renewing a claim", db_);
      }
      return sqlite3_changes(db_) == 1 ? ok() : Result<void>(claims::lost());
    });
  }

  Result<void> release(const std::string& token) override {
    return submit([&]() -> Result<void> {
      if (stmt("release").reset().bind(claims::entry_code_of(token)).bind(token).step() !=
          SQLITE_DONE) {
        return store_error("releasing a claim", db_);
      }
      return sqlite3_changes(db_) == 1 ? ok() : Result<void>(claims::lost());
    });
  }

  Result<std::int64_t> next_sequence(const std::string& day) override {
    std::int64_t value = 0;
    Result<void> done = submit([&]() -> Result<void> {
      Result<std::int64_t> next = sequence_now(day);
      if (!next.ok()) return std::move(next).error();
      value = *next;
      return ok();
    });
    if (!done.ok()) return std::move(done).error();
    return value;
  }

  Result<std::vector<InboxEntry>> take(std::size_t max, std::chrono::milliseconds lease) override {
    std::vector<InboxEntry> entries;
    Result<void> done = submit([&]() -> Result<void> {
      entries.clear();  // an operation may run twice (see run_batch)
      const std::int64_t now = now_ms();
      Result<void> read = read_entries(stmt("pending").reset().bind(now).bind(limit(max)), entries);
      if (!read.ok()) return read;
      for (const InboxEntry& entry : entries) {
        if (stmt("lease").reset().bind(now + lease.count()).bind(entry.id).step() != SQLITE_DONE) {
          return store_error("leasing an inbox entry", db_);
        }
      }
      return ok();
    });
    if (!done.ok()) return std::move(done).error();
    return entries;
  }

  Result<void> acknowledge(std::int64_t id) override {
    return submit([&]() -> Result<void> {
      if (stmt("acknowledge").reset().bind(id).step() != SQLITE_DONE) {
        return store_error("acknowledging", db_);
      }
      if (sqlite3_changes(db_) == 1) return ok();
      return make_error(ErrorCode::NotFound, "no inbox entry " + std::to_string(id));
    });
  }

  // Test hooks (see wms/sqlite_store_probe.hpp).
  Result<void> run_in_batch(const std::function<Result<void>(sqlite3*)>& run) {
    return submit([&]() -> Result<void> { return run(db_); });
  }
  std::size_t queued() {
    std::lock_guard<std::mutex> guard(mutex_);
    return queue_.size();
  }

  Result<void> check() override {
    return submit([&]() -> Result<void> {
      if (sqlite3_exec(db_, "SELECT count(*) FROM erpbridge_schema", nullptr, nullptr, nullptr) !=
          SQLITE_OK) {
        return store_error("checking the store", db_);
      }
      return ok();
    });
  }

  Result<std::vector<InboxEntry>> list(std::int64_t after, std::size_t max,
                                       bool include_acknowledged) override {
    std::vector<InboxEntry> entries;
    Result<void> done = submit([&]() -> Result<void> {
      entries.clear();  // an operation may run twice (see run_batch)
      Statement& list = stmt("list").reset().bind(after).bind(
          static_cast<std::int64_t>(include_acknowledged ? 1 : 0));
      return read_entries(list.bind(limit(max)), entries);
    });
    if (!done.ok()) return std::move(done).error();
    return entries;
  }

 private:
  // One queued operation: run inside the batch's transaction; its result is kept only if
  // the transaction commits.
  struct Operation {
    std::function<Result<void>()> run;
    std::promise<Result<void>> done;
  };

  // Lease arithmetic in milliseconds of the store's clock (options_.clock).
  std::int64_t now_ms() const { return ms_since_epoch(options_.clock()); }

  static std::int64_t limit(std::size_t max) {
    return static_cast<std::int64_t>(std::min<std::size_t>(max, 1u << 20));
  }

  Statement& stmt(const char* name) { return *statements_.at(name); }

  // The steps below run on the writer thread, inside a batch's transaction.

  Result<void> claim_now(const std::string& entry_code, const std::string& fingerprint,
                         std::chrono::milliseconds lease, Claim& claim) {
    claim = Claim{};  // an operation may run twice (see run_batch): nothing left from before
    const std::int64_t now = now_ms();
    Statement& find = stmt("find_claim").reset().bind(entry_code);
    const int found = find.step();
    if (found == SQLITE_ROW) {
      // A claim its holder released (no token, not done) is free for any content.
      const bool released = find.integer(1) == 0 && find.integer(4) != 0;
      if (!released && find.text(0) != fingerprint) {
        claim.kind = Claim::Kind::Conflict;
        return ok();
      }
      if (find.integer(1) != 0) {
        claim.kind = Claim::Kind::Done;
        Result<PushReply> reply = json::decode<PushReply>(find.text(3));
        if (!reply.ok()) return store_error("stored reply unreadable", db_);
        claim.reply = std::move(reply).value();
        return ok();
      }
      if (find.integer(2) > now) {
        claim.kind = Claim::Kind::Busy;
        claim.busy_until = from_ms(find.integer(2));
        return ok();
      }
      // The holder's lease ran out (it died), or it released the claim: taken over.
      claim.kind = Claim::Kind::Claimed;
      claim.token = claims::new_token(entry_code);
      claim.fence = find.integer(5) + 1;
      Statement& take = stmt("take_over").reset().bind(claim.token).bind(now + lease.count());
      if (take.bind(fingerprint).bind(claim.fence).bind(entry_code).step() != SQLITE_DONE) {
        return store_error("taking a claim over", db_);
      }
      return ok();
    }
    if (found != SQLITE_DONE) return store_error("reading a claim", db_);
    claim.kind = Claim::Kind::Claimed;
    claim.token = claims::new_token(entry_code);
    claim.fence = 1;
    Statement& insert = stmt("insert_claim").reset().bind(entry_code).bind(fingerprint);
    insert.bind(claim.token).bind(now + lease.count());
    if (insert.step() != SQLITE_DONE) return store_error("recording a claim", db_);
    return ok();
  }

  // The next number of `day`. The transaction holds the file's write lock, so the day's
  // last number is read once per transaction and counted on here; flush_sequences() writes
  // it back before the commit: one write per day and batch instead of one per order.
  Result<std::int64_t> sequence_now(const std::string& day) {
    auto found = sequences_.find(day);
    if (found == sequences_.end()) {
      Statement& read = stmt("read_sequence").reset().bind(day);
      const int stepped = read.step();
      if (stepped != SQLITE_ROW && stepped != SQLITE_DONE) return store_error("numbering", db_);
      found = sequences_.emplace(day, stepped == SQLITE_ROW ? read.integer(0) : 0).first;
      read.reset();  // no statement left open in the transaction
    }
    return ++found->second;
  }

  Result<void> flush_sequences() {
    for (const auto& [day, last] : sequences_) {
      if (stmt("write_sequence").reset().bind(day).bind(last).step() != SQLITE_DONE) {
        return store_error("numbering", db_);
      }
    }
    return ok();
  }

  Result<void> keep(const std::string& entry_code, const std::string& reply_json,
                    std::string_view body) {
    Statement& insert = stmt("insert_inbox").reset().bind(entry_code).bind(body);
    insert.bind(reply_json).bind(now_ms());
    if (insert.step() != SQLITE_DONE) return store_error("storing an inbox entry", db_);
    return ok();
  }

  Result<void> mark_done(const std::string& token, const std::string& reply_json) {
    Statement& complete =
        stmt("complete").reset().bind(reply_json).bind(claims::entry_code_of(token));
    if (complete.bind(token).step() != SQLITE_DONE) return store_error("completing a claim", db_);
    return sqlite3_changes(db_) == 1 ? ok() : Result<void>(claims::lost());
  }

  Result<void> read_entries(Statement& query, std::vector<InboxEntry>& entries) {
    for (;;) {
      const int stepped = query.step();
      if (stepped == SQLITE_DONE) return ok();
      if (stepped != SQLITE_ROW) return store_error("reading the inbox", db_);
      InboxEntry entry;
      entry.id = query.integer(0);
      entry.entry_code = query.text(1);
      entry.body = query.text(2);
      Result<PushReply> reply = json::decode<PushReply>(query.text(3));
      if (reply.ok()) entry.reply = std::move(reply).value();
      entry.received_at = from_ms(query.integer(4));
      entry.acknowledged = query.integer(5) != 0;
      entries.push_back(std::move(entry));
    }
  }

  // Queues `run` for the writer thread and waits until its transaction has committed.
  Result<void> submit(std::function<Result<void>()> run) {
    Operation operation;
    operation.run = std::move(run);
    std::future<Result<void>> done = operation.done.get_future();
    bool first = false;
    {
      std::lock_guard<std::mutex> guard(mutex_);
      if (stopping_) return make_error(ErrorCode::Cancelled, "SQLite claim store closed");
      queue_.push_back(&operation);
      first = queue_.size() == 1;
    }
    // The writer waits only while the queue is empty; otherwise it takes whatever queued
    // meanwhile when its batch is done, and a wake-up per operation would only cost it.
    if (first) wake_.notify_one();
    return done.get();
  }

  // Hands a committed (or failed) batch its results, waking each waiter from here; nothing
  // here allocates or throws. A chain in which each woken waiter woke two more (to spare the
  // writer ~15 us a wake-up) was slower: a woken waiter first waits for a core, so a waiter
  // returned 280-350 us after its commit on average, against 190-200 us woken from here
  // (measured with the receiver benchmark, whose SQLite pushes/s rose by 8% and 3% in two
  // sessions of alternating runs; commit 1e9fd76).
  static void finish(std::vector<Operation*>& batch, std::vector<Result<void>>& results) noexcept {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      batch[i]->done.set_value(std::move(results[i]));
    }
  }

  // Runs one of the prepared statements that take no parameters (BEGIN, COMMIT, ...).
  bool execute(const char* name) {
    const int stepped = stmt(name).reset().step();
    return stepped == SQLITE_DONE || stepped == SQLITE_ROW;
  }

  // Runs one operation, an exception turned into its error.
  static Result<void> run_operation(Operation& operation) {
    try {
      return operation.run();
    } catch (const std::exception& exception) {
      return make_error(ErrorCode::Api, exception.what());
    }
  }

  // One transaction for the whole batch: one fsync for every operation in it. First without
  // savepoints (two statements fewer per operation); if an operation fails, or SQLite ends the
  // transaction itself, that transaction is rolled back and the batch runs again with each
  // operation under a savepoint of its own, so that a failure undoes only its own writes.
  // Operations may therefore run twice: each starts from what the database holds and sets
  // its outputs afresh, and only the committed run's results reach the waiters.
  void run_batch(const std::vector<Operation*>& batch, std::vector<Result<void>>& results) {
    results.clear();
    sequences_.clear();
    if (!execute("begin")) {
      results.assign(batch.size(), Result<void>(store_error("starting a transaction", db_)));
      return;
    }
    bool clean = true;
    for (Operation* operation : batch) {
      Result<void> result = run_operation(*operation);
      if (!result.ok() || sqlite3_get_autocommit(db_) != 0) {
        clean = false;
        break;
      }
      results.push_back(std::move(result));
    }
    if (clean) {
      commit_or_fail(results);
      return;
    }
    if (sqlite3_get_autocommit(db_) == 0) execute("rollback");
    run_batch_with_savepoints(batch, results);
  }

  // Writes the batch's numbering back and commits; on failure every result is the error.
  void commit_or_fail(std::vector<Result<void>>& results) {
    Result<void> numbered = flush_sequences();
    if (!numbered.ok() || !execute("commit")) {
      const Error error = numbered.ok() ? store_error("committing", db_) : numbered.error();
      execute("rollback");
      for (auto& result : results) result = error;
    }
  }

  void run_batch_with_savepoints(const std::vector<Operation*>& batch,
                                 std::vector<Result<void>>& results) {
    results.clear();
    sequences_.clear();
    if (!execute("begin")) {
      results.assign(batch.size(), Result<void>(store_error("starting a transaction", db_)));
      return;
    }
    // Set when the batch's transaction can no longer be trusted: a savepoint that would not
    // roll back or release, or SQLite rolling the whole transaction back by itself
    // (SQLITE_FULL, IOERR, NOMEM may). Then nothing of the batch commits and every operation
    // in it fails, the ones that went well before too: they were undone, and the ones after
    // would run in autocommit mode, committing piecemeal. A number taken by an operation
    // that is undone stays taken (a gap, never a repeat).
    std::optional<Error> lost;
    for (Operation* operation : batch) {
      if (lost) {
        results.push_back(*lost);
        continue;
      }
      Result<void> result = make_error(ErrorCode::Api, "the operation did not run");
      if (!execute("savepoint")) {
        lost = store_error("starting a savepoint", db_);
      } else {
        result = run_operation(*operation);
        if (sqlite3_get_autocommit(db_) != 0) {
          lost = store_error("SQLite rolled the transaction back", db_);
        } else if (!result.ok() && !execute("rollback_to")) {
          lost = store_error("undoing a failed operation", db_);
        } else if (!execute("release_savepoint")) {
          lost = store_error("releasing a savepoint", db_);
        }
      }
      results.push_back(std::move(result));
    }
    if (lost) {
      if (sqlite3_get_autocommit(db_) == 0) execute("rollback");
      for (auto& result : results) result = *lost;
      return;
    }
    commit_or_fail(results);
  }

  void run() {
    std::vector<Operation*> batch;
    std::vector<Result<void>> results;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, nothing left
        while (!queue_.empty() && batch.size() < options_.max_batch) {
          batch.push_back(queue_.front());
          queue_.pop_front();
        }
      }
      run_batch(batch, results);
      finish(batch, results);
      batch.clear();
    }
  }

  sqlite3* db_;
  SqliteStoreOptions options_;
  std::map<std::string, std::unique_ptr<Statement>> statements_;
  // Writer thread only: each day's last number taken in the current transaction.
  std::map<std::string, std::int64_t> sequences_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Operation*> queue_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace

namespace internal {

Result<void> run_in_sqlite_batch(ClaimStore& store,
                                 const std::function<Result<void>(sqlite3*)>& run) {
  auto* sqlite = dynamic_cast<SqliteStore*>(&store);
  if (sqlite == nullptr) return make_error(ErrorCode::InvalidArgument, "not a SQLite store");
  return sqlite->run_in_batch(run);
}

std::size_t sqlite_queued_operations(ClaimStore& store) {
  auto* sqlite = dynamic_cast<SqliteStore*>(&store);
  return sqlite != nullptr ? sqlite->queued() : 0;
}

}  // namespace internal

Result<std::shared_ptr<ReceiverStore>> open_sqlite_store(const std::string& path,
                                                         SqliteStoreOptions options) {
  // The SQLite the gathered-WAL VFS was reasoned about (sqlite_wal_vfs.cpp): 3.40.
  if (options.gathered_wal_writes && sqlite3_libversion_number() / 1000 != 3040) {
    return make_error(ErrorCode::FailedPrecondition,
                      std::string("SqliteStoreOptions::gathered_wal_writes needs SQLite 3.40, "
                                  "this is ") +
                          sqlite3_libversion());
  }
  sqlite3* db = nullptr;
  const int opened = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
      options.gathered_wal_writes ? sqlite_wal::vfs_name() : nullptr);
  if (opened != SQLITE_OK) {
    Error error = make_error(ErrorCode::InvalidArgument,
                             "cannot open SQLite claim store " + path + ": " +
                                 (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(opened)));
    sqlite3_close_v2(db);
    return error;
  }
  auto fail = [&](const std::string& what) -> Result<std::shared_ptr<ReceiverStore>> {
    Error error = store_error(what + " (" + path + ")", db);
    sqlite3_close_v2(db);
    return error;
  };
  sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout.count()));
  // WAL lets readers and the writer of other processes go on; FULL syncs the log at every
  // commit, so a committed claim or reply survives a power cut.
  char* mode = nullptr;
  sqlite3_stmt* pragma = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &pragma, nullptr) != SQLITE_OK ||
      sqlite3_step(pragma) != SQLITE_ROW) {
    sqlite3_finalize(pragma);
    return fail("setting WAL mode");
  }
  mode = reinterpret_cast<char*>(const_cast<unsigned char*>(sqlite3_column_text(pragma, 0)));
  const std::string journal = mode != nullptr ? mode : "";
  sqlite3_finalize(pragma);
  if (journal != "wal") return fail("the file does not support WAL mode (journal " + journal + ")");
  if (sqlite3_exec(db, "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return fail("setting synchronous=FULL");
  }
  if (sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return fail("starting the schema transaction");
  }
  if (sqlite3_exec(db, kSchema, nullptr, nullptr, nullptr) != SQLITE_OK) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return fail("creating the schema");
  }
  sqlite3_stmt* version = nullptr;
  int found = 0;
  if (sqlite3_prepare_v2(db, "SELECT version FROM erpbridge_schema WHERE name = 'wms'", -1,
                         &version, nullptr) == SQLITE_OK &&
      sqlite3_step(version) == SQLITE_ROW) {
    found = sqlite3_column_int(version, 0);
  }
  sqlite3_finalize(version);
  if (found == 1) {
    if (sqlite3_exec(db, kMigrateFrom1, nullptr, nullptr, nullptr) != SQLITE_OK) {
      Error error = store_error("migrating the schema from version 1 (" + path + ")", db);
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      sqlite3_close_v2(db);
      return error;
    }
    found = 2;
  }
  if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return fail("committing the schema");
  }
  if (found != kSchemaVersion) {
    sqlite3_close_v2(db);
    return make_error(ErrorCode::FailedPrecondition,
                      "SQLite claim store " + path + " has schema version " +
                          std::to_string(found) + "; this erpbridge knows version " +
                          std::to_string(kSchemaVersion));
  }
  auto store = std::make_shared<SqliteStore>(db, options);
  Result<void> started = store->start();
  if (!started.ok()) return std::move(started).error();
  return std::shared_ptr<ReceiverStore>(std::move(store));
}

}  // namespace erpbridge::wms
