// The PostgreSQL claim store: each operation one statement (atomic by itself), on a small
// pool of connections.
#include "erpbridge/wms/postgres_store.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <condition_variable>
#include <cstdlib>
#include <future>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string_view>
#include <thread>
#include <vector>

#include "erpbridge/core/secrets.hpp"
#include "wms/claim_token.hpp"
#include "wms/codec.hpp"
#include "wms/postgres_store_probe.hpp"

namespace erpbridge::wms {
namespace {

using SystemClock = std::chrono::system_clock;

// 2 added the claims' fence; a version 1 database is migrated by the first store to start.
constexpr int kSchemaVersion = 2;

const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS erpbridge_schema (
  name text PRIMARY KEY,
  version integer NOT NULL);
CREATE TABLE IF NOT EXISTS erpbridge_wms_claims (
  entry_code text PRIMARY KEY,
  fingerprint text NOT NULL,
  done boolean NOT NULL DEFAULT false,
  token text,
  lease_until timestamptz NOT NULL,
  reply text,
  fence bigint NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS erpbridge_wms_inbox (
  id bigserial PRIMARY KEY,
  entry_code text NOT NULL,
  body text NOT NULL,
  reply text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  leased_until timestamptz NOT NULL DEFAULT '-infinity',
  acknowledged boolean NOT NULL DEFAULT false);
CREATE INDEX IF NOT EXISTS erpbridge_wms_inbox_pending
  ON erpbridge_wms_inbox (id) WHERE NOT acknowledged;
INSERT INTO erpbridge_schema (name, version) VALUES ('wms', 2) ON CONFLICT DO NOTHING;
DO $$ BEGIN
  IF (SELECT version FROM erpbridge_schema WHERE name = 'wms') = 1 THEN
    ALTER TABLE erpbridge_wms_claims ADD COLUMN IF NOT EXISTS fence bigint NOT NULL DEFAULT 0;
    UPDATE erpbridge_schema SET version = 2 WHERE name = 'wms';
  END IF;
END $$;
)SQL";

// The per-day numbering lives in sequences (nextval takes no row lock, so replicas and
// connections number concurrently): erpbridge_wms_seq_20261130. A day key with other
// characters than letters, digits and '_' is hex-encoded there.
std::string sequence_name(const std::string& day) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string name = "erpbridge_wms_seq_";
  for (unsigned char c : day) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '_') {
      name += static_cast<char>(c);
    } else {
      name += 'x';
      name += kHex[c >> 4];
      name += kHex[c & 15];
    }
  }
  return name.size() <= 63 ? name : name.substr(0, 63);
}

// A query's result, freed when it goes.
class Rows {
 public:
  explicit Rows(PGresult* result) : result_(result) {}
  ~Rows() { PQclear(result_); }
  Rows(Rows&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;
  Rows& operator=(Rows&&) = delete;

  int count() const { return PQntuples(result_); }
  std::string text(int row, int column) const {
    return std::string(PQgetvalue(result_, row, column),
                       static_cast<std::size_t>(PQgetlength(result_, row, column)));
  }
  bool is_null(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }
  std::int64_t integer(int row, int column) const {
    return std::stoll(PQgetvalue(result_, row, column));
  }
  ExecStatusType status() const { return PQresultStatus(result_); }
  bool boolean(int row, int column) const { return PQgetvalue(result_, row, column)[0] == 't'; }

 private:
  PGresult* result_;
};

class PostgresStore final : public ReceiverStore {
 public:
  PostgresStore(std::string conninfo, PostgresStoreOptions options)
      : conninfo_(std::move(conninfo)),
        options_(std::move(options)),
        session_options_(session_options_of(conninfo_)),
        answer_timeout_(answer_timeout_of(options_, session_options_)) {}

  ~PostgresStore() override {
    stop_writers();
    for (PGconn* connection : idle_) PQfinish(connection);
  }

  std::chrono::milliseconds answer_timeout() const { return answer_timeout_; }

  // Opens the first connection and creates the schema.
  Result<void> start() {
    Result<PGconn*> first = connect();
    if (!first.ok()) return std::move(first).error();
    idle_.push_back(*first);
    opened_ = 1;
    Result<Rows> schema = query(
        "BEGIN; SELECT pg_advisory_xact_lock(7242024); " + std::string(kSchema) + " COMMIT;", {});
    if (!schema.ok()) return std::move(schema).error();
    Result<Rows> version = query("SELECT version FROM erpbridge_schema WHERE name = 'wms'", {});
    if (!version.ok()) return std::move(version).error();
    const int found = version->count() == 1 ? static_cast<int>(version->integer(0, 0)) : 0;
    if (found != kSchemaVersion) {
      return make_error(ErrorCode::FailedPrecondition,
                        "PostgreSQL claim store has schema version " + std::to_string(found) +
                            "; this erpbridge knows version " + std::to_string(kSchemaVersion));
    }
    start_writers();
    return ok();
  }

  Result<Claim> claim(const std::string& entry_code, const std::string& fingerprint,
                      std::chrono::milliseconds lease) override {
    const std::string token = claims::new_token(entry_code);
    const std::string lease_ms = std::to_string(lease.count());
    for (int attempt = 0; attempt < 5; ++attempt) {
      Claim claim;
      claim.token = token;
      Result<Rows> inserted = query(
          "INSERT INTO erpbridge_wms_claims (entry_code, fingerprint, token, lease_until, fence) "
          "VALUES ($1, $2, $3, " +
              now_sql(5) +
              " + $4::bigint * interval '1 millisecond', 1) "
              "ON CONFLICT (entry_code) DO NOTHING RETURNING fence",
          {entry_code, fingerprint, token, lease_ms, clock_ms()});
      if (!inserted.ok()) return std::move(inserted).error();
      if (inserted->count() == 1) {
        claim.fence = inserted->integer(0, 0);
        return claim;
      }
      // Its holder's lease ran out (it died), or it released the claim (no token: then any
      // content may claim it): taken over, with the next fence.
      Result<Rows> taken = query(
          "UPDATE erpbridge_wms_claims SET token = $3, fingerprint = $2, fence = fence + 1, "
          "lease_until = " +
              now_sql(5) +
              " + $4::bigint * interval '1 millisecond' "
              "WHERE entry_code = $1 AND (fingerprint = $2 OR token IS NULL) AND NOT done "
              "AND lease_until <= " +
              now_sql(5) + " RETURNING fence",
          {entry_code, fingerprint, token, lease_ms, clock_ms()});
      if (!taken.ok()) return std::move(taken).error();
      if (taken->count() == 1) {
        claim.fence = taken->integer(0, 0);
        return claim;
      }
      Result<Rows> found = query(
          "SELECT fingerprint, done, reply, token, "
          "(extract(epoch FROM lease_until) * 1000)::bigint, fence "
          "FROM erpbridge_wms_claims WHERE entry_code = $1",
          {entry_code});
      if (!found.ok()) return std::move(found).error();
      // Released meanwhile: claim again.
      if (found->count() == 0 || (!found->boolean(0, 1) && found->is_null(0, 3))) continue;
      claim.token.clear();
      if (found->text(0, 0) != fingerprint) {
        claim.kind = Claim::Kind::Conflict;
      } else if (found->boolean(0, 1)) {
        claim.kind = Claim::Kind::Done;
        Result<PushReply> reply = json::decode<PushReply>(found->text(0, 2));
        if (!reply.ok()) {
          return make_error(ErrorCode::Transport,
                            "PostgreSQL claim store: stored reply unreadable");
        }
        claim.reply = std::move(reply).value();
      } else if (!found->is_null(0, 3) && found->text(0, 3) == token) {
        claim.kind = Claim::Kind::Claimed;  // ours: an earlier try's insert did commit
        claim.token = token;
        claim.fence = found->integer(0, 5);
      } else {
        claim.kind = Claim::Kind::Busy;
        claim.busy_until = SystemClock::time_point(std::chrono::milliseconds(found->integer(0, 4)));
      }
      return claim;
    }
    return make_error(ErrorCode::Transport, "PostgreSQL claim store: entry_code " + entry_code +
                                                " kept changing hands; try again");
  }

  Result<Claim> accept_into_inbox(const std::string& entry_code, const std::string& fingerprint,
                                  std::string_view body, const InboxNumbering& numbering,
                                  std::chrono::milliseconds lease) override {
    Result<std::string> sequence = sequence_of(numbering.day);
    if (!sequence.ok()) return std::move(sequence).error();
    // The reply's JSON around its number, so that the statement can put the number in.
    static const std::string kMarker = "erpbridge-number-goes-here";
    PushReply shape = numbering.reply_for(0);
    shape.bil_no = numbering.bil_no_prefix + kMarker;
    const std::string json_shape = json::encode(shape);
    const std::size_t at = json_shape.rfind(kMarker);

    Accept accept;
    accept.entry_code = entry_code;
    accept.fingerprint = fingerprint;
    accept.body = body;
    accept.shape = {*sequence, json_shape.substr(0, at), json_shape.substr(at + kMarker.size()),
                    std::to_string(numbering.digits)};
    std::future<Result<std::optional<std::string>>> accepted = accept.done.get_future();
    {
      std::lock_guard<std::mutex> guard(accept_mutex_);
      accepts_.push_back(&accept);
    }
    accept_wake_.notify_one();
    Result<std::optional<std::string>> reply_json = accepted.get();
    if (!reply_json.ok()) return std::move(reply_json).error();
    if (reply_json->has_value()) {
      Result<PushReply> reply = json::decode<PushReply>(**reply_json);
      if (!reply.ok()) {
        return make_error(ErrorCode::Transport, "PostgreSQL claim store: stored reply unreadable");
      }
      Claim claim;
      claim.kind = Claim::Kind::Accepted;
      claim.reply = std::move(reply).value();
      return claim;
    }
    // Not new: Done, Conflict or Busy; or a claim to take over (its holder died), done step by
    // step.
    return ReceiverStore::accept_into_inbox(entry_code, fingerprint, body, numbering, lease);
  }

  Result<void> complete(const std::string& token, const PushReply& reply) override {
    Result<Rows> updated = query(
        "UPDATE erpbridge_wms_claims SET done = true, reply = $2, token = NULL "
        "WHERE entry_code = $3 AND token = $1 AND NOT done RETURNING entry_code",
        {token, json::encode(reply), claims::entry_code_of(token)});
    if (!updated.ok()) return std::move(updated).error();
    return updated->count() == 1 ? ok() : Result<void>(claims::lost());
  }

  Result<void> complete_into_inbox(const std::string& token, const PushReply& reply,
                                   std::string_view body) override {
    // One statement: the claim is completed and the order kept, or neither.
    Result<Rows> stored = query(
        "WITH done AS (UPDATE erpbridge_wms_claims SET done = true, reply = $2, token = NULL "
        "WHERE entry_code = $4 AND token = $1 AND NOT done RETURNING entry_code) "
        "INSERT INTO erpbridge_wms_inbox (entry_code, body, reply) "
        "SELECT entry_code, $3, $2 FROM done RETURNING id",
        {token, json::encode(reply), std::string(body), claims::entry_code_of(token)});
    if (!stored.ok()) return std::move(stored).error();
    return stored->count() == 1 ? ok() : Result<void>(claims::lost());
  }

  Result<void> renew(const std::string& token, std::chrono::milliseconds lease) override {
    Result<Rows> renewed =
        query("UPDATE erpbridge_wms_claims SET lease_until = " + now_sql(4) +
                  " + $3::bigint * interval '1 millisecond' "
                  "WHERE entry_code = $2 AND token = $1 AND NOT done RETURNING entry_code",
              {token, claims::entry_code_of(token), std::to_string(lease.count()), clock_ms()});
    if (!renewed.ok()) return std::move(renewed).error();
    return renewed->count() == 1 ? ok() : Result<void>(claims::lost());
  }

  Result<void> release(const std::string& token) override {
    // The row stays (without a token), so that the next claim's fence is greater.
    Result<Rows> released = query(
        "UPDATE erpbridge_wms_claims SET token = NULL, lease_until = '-infinity' "
        "WHERE entry_code = $2 AND token = $1 AND NOT done RETURNING entry_code",
        {token, claims::entry_code_of(token)});
    if (!released.ok()) return std::move(released).error();
    return released->count() == 1 ? ok() : Result<void>(claims::lost());
  }

  Result<std::int64_t> next_sequence(const std::string& day) override {
    Result<std::string> sequence = sequence_of(day);
    if (!sequence.ok()) return std::move(sequence).error();
    Result<Rows> next = query("SELECT nextval($1::regclass)", {*sequence});
    if (!next.ok()) return std::move(next).error();
    return next->integer(0, 0);
  }

  Result<std::vector<InboxEntry>> take(std::size_t max, std::chrono::milliseconds lease) override {
    // Rows another consumer has locked are skipped, not waited for: consumers share the inbox.
    Result<Rows> taken = query(
        "WITH picked AS (SELECT id FROM erpbridge_wms_inbox "
        "WHERE NOT acknowledged AND leased_until <= " +
            now_sql(3) +
            " ORDER BY id LIMIT $1 "
            "FOR UPDATE SKIP LOCKED) "
            "UPDATE erpbridge_wms_inbox i "
            "SET leased_until = " +
            now_sql(3) +
            " + $2::bigint * interval '1 millisecond' "
            "FROM picked WHERE i.id = picked.id "
            "RETURNING i.id, i.entry_code, i.body, i.reply, "
            "(extract(epoch FROM i.received_at) * 1000)::bigint, i.acknowledged",
        {std::to_string(std::min<std::size_t>(max, 1u << 20)), std::to_string(lease.count()),
         clock_ms()});
    if (!taken.ok()) return std::move(taken).error();
    std::vector<InboxEntry> entries = entries_of(*taken);
    std::sort(entries.begin(), entries.end(),
              [](const InboxEntry& a, const InboxEntry& b) { return a.id < b.id; });
    return entries;
  }

  Result<void> acknowledge(std::int64_t id) override {
    Result<Rows> updated =
        query("UPDATE erpbridge_wms_inbox SET acknowledged = true WHERE id = $1 RETURNING id",
              {std::to_string(id)});
    if (!updated.ok()) return std::move(updated).error();
    if (updated->count() == 1) return ok();
    return make_error(ErrorCode::NotFound, "no inbox entry " + std::to_string(id));
  }

  Result<void> check() override {
    Result<Rows> answered = query("SELECT 1", {});
    if (!answered.ok()) return std::move(answered).error();
    return ok();
  }

  Result<std::vector<InboxEntry>> list(std::int64_t after, std::size_t max,
                                       bool include_acknowledged) override {
    Result<Rows> rows = query(
        "SELECT id, entry_code, body, reply, (extract(epoch FROM received_at) * 1000)::bigint, "
        "acknowledged FROM erpbridge_wms_inbox WHERE id > $1 AND (NOT acknowledged OR $2) "
        "ORDER BY id LIMIT $3",
        {std::to_string(after), include_acknowledged ? "true" : "false",
         std::to_string(std::min<std::size_t>(max, 1u << 20))});
    if (!rows.ok()) return std::move(rows).error();
    return entries_of(*rows);
  }

 private:
  // What a batch of accepts shares: the sequence and the reply's JSON around its number.
  struct Shape {
    std::string sequence;
    std::string before;
    std::string after;
    std::string digits;
    bool operator==(const Shape& other) const {
      return sequence == other.sequence && before == other.before && after == other.after &&
             digits == other.digits;
    }
  };
  // One accept_into_inbox() waiting for a batch: the reply if it was accepted as new.
  struct Accept {
    std::string entry_code;
    std::string fingerprint;
    std::string_view body;
    Shape shape;
    std::promise<Result<std::optional<std::string>>> done;
  };

  // Accepts queued meanwhile go to the database together: one statement, one transaction,
  // one commit for all of them (options_.accept_writers batches in flight at once).
  static constexpr std::size_t kMaxBatch = 64;

  void start_writers() {
    const std::size_t writers = std::max<std::size_t>(1, options_.accept_writers);
    for (std::size_t i = 0; i < writers; ++i)
      writers_.emplace_back([this] {
        pthread_setname_np(pthread_self(), "erpbridge-pgacc");  // what ps, top and gdb show
        write_accepts();
      });
  }

  void stop_writers() {
    {
      std::lock_guard<std::mutex> guard(accept_mutex_);
      stopping_ = true;
    }
    accept_wake_.notify_all();
    for (auto& writer : writers_) writer.join();
    writers_.clear();
  }

  void write_accepts() {
    for (;;) {
      std::vector<Accept*> batch;
      {
        std::unique_lock<std::mutex> lock(accept_mutex_);
        accept_wake_.wait(lock, [this] { return stopping_ || !accepts_.empty(); });
        if (accepts_.empty()) return;
        // Same shape as the first, and each entry code once: a duplicate waits for the next
        // batch, where it finds the first one's row.
        std::set<std::string> codes;
        for (auto it = accepts_.begin(); it != accepts_.end() && batch.size() < kMaxBatch;) {
          if ((*it)->shape == accepts_.front()->shape && codes.insert((*it)->entry_code).second) {
            batch.push_back(*it);
            it = accepts_.erase(it);
          } else {
            ++it;
          }
        }
      }
      run_batch(batch);
    }
  }

  void run_batch(const std::vector<Accept*>& batch) {
    // The orders as one JSON array of records; PostgreSQL takes it apart.
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartArray();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      writer.StartObject();
      writer.Key("n");
      writer.Uint64(i);
      writer.Key("entry_code");
      writer.String(batch[i]->entry_code.data(),
                    static_cast<rapidjson::SizeType>(batch[i]->entry_code.size()));
      writer.Key("fingerprint");
      writer.String(batch[i]->fingerprint.data(),
                    static_cast<rapidjson::SizeType>(batch[i]->fingerprint.size()));
      writer.Key("body");
      writer.String(batch[i]->body.data(), static_cast<rapidjson::SizeType>(batch[i]->body.size()));
      writer.EndObject();
    }
    writer.EndArray();
    const Shape& shape = batch.front()->shape;
    // New entry codes are numbered in arrival order, completed and kept; the others (and
    // those another replica inserted meanwhile) come back without a row.
    Result<Rows> accepted = query(
        "WITH input AS (SELECT * FROM json_to_recordset($1::json) "
        "AS t(n int, entry_code text, fingerprint text, body text)), "
        // One index probe per order (LIMIT 1 keeps the planner from hashing the whole table).
        "fresh AS (SELECT i.* FROM input i LEFT JOIN LATERAL (SELECT 1 AS taken "
        "FROM erpbridge_wms_claims c WHERE c.entry_code = i.entry_code LIMIT 1) known ON true "
        "WHERE known.taken IS NULL ORDER BY i.n), "
        "numbered AS (SELECT fresh.*, nextval($2::regclass) AS last FROM fresh), "
        "replied AS (SELECT numbered.*, "
        "$3 || lpad(last::text, greatest($5::int, length(last::text)), '0') || $4 AS reply "
        "FROM numbered), "
        "claimed AS (INSERT INTO erpbridge_wms_claims "
        "(entry_code, fingerprint, done, lease_until, reply) "
        "SELECT entry_code, fingerprint, true, now(), reply FROM replied "
        "ON CONFLICT (entry_code) DO NOTHING RETURNING entry_code) "
        "INSERT INTO erpbridge_wms_inbox (entry_code, body, reply) "
        "SELECT r.entry_code, r.body, r.reply FROM replied r "
        "JOIN claimed c ON c.entry_code = r.entry_code ORDER BY r.n "
        "RETURNING entry_code, reply",
        {std::string(buffer.GetString(), buffer.GetSize()), shape.sequence, shape.before,
         shape.after, shape.digits});
    if (!accepted.ok()) {
      for (Accept* accept : batch) accept->done.set_value(accepted.error());
      return;
    }
    std::map<std::string, std::string> replies;
    for (int row = 0; row < accepted->count(); ++row) {
      replies[accepted->text(row, 0)] = accepted->text(row, 1);
    }
    for (Accept* accept : batch) {
      auto found = replies.find(accept->entry_code);
      accept->done.set_value(found == replies.end() ? std::optional<std::string>()
                                                    : std::optional<std::string>(found->second));
    }
  }

  // The sequence numbering `day`, created on first use (under a lock, as replicas may race).
  Result<std::string> sequence_of(const std::string& day) {
    std::string name = sequence_name(day);
    {
      std::lock_guard<std::mutex> guard(mutex_);
      if (sequences_.count(name) != 0) return name;
    }
    Result<Rows> created = query(
        "BEGIN; SELECT pg_advisory_xact_lock(7242025); "
        "CREATE SEQUENCE IF NOT EXISTS " +
            name + "; COMMIT;",
        {});
    if (!created.ok()) return std::move(created).error();
    std::lock_guard<std::mutex> guard(mutex_);
    sequences_.insert(name);
    return name;
  }

  static std::vector<InboxEntry> entries_of(const Rows& rows) {
    std::vector<InboxEntry> entries;
    for (int row = 0; row < rows.count(); ++row) {
      InboxEntry entry;
      entry.id = rows.integer(row, 0);
      entry.entry_code = rows.text(row, 1);
      entry.body = rows.text(row, 2);
      Result<PushReply> reply = json::decode<PushReply>(rows.text(row, 3));
      if (reply.ok()) entry.reply = std::move(reply).value();
      entry.received_at = SystemClock::time_point(std::chrono::milliseconds(rows.integer(row, 4)));
      entry.acknowledged = rows.boolean(row, 5);
      entries.push_back(std::move(entry));
    }
    return entries;
  }

  Error failure(const std::string& what, PGconn* connection) const {
    std::string detail = connection != nullptr ? PQerrorMessage(connection) : "";
    while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
    Error error = make_error(ErrorCode::Transport, "PostgreSQL claim store: " + what +
                                                       (detail.empty() ? "" : ": " + detail));
    error.retryable = true;
    scrub(error);
    return error;
  }

  // The server options of this store's sessions, wrapped around the caller's own (its
  // conninfo's options=…, else PGOPTIONS), which an "options" key of ours would otherwise
  // replace. A statement that waits 30 s (a lock held elsewhere, a stuck server) fails, so
  // the batch's orders are answered 503 and sent again rather than queued behind it; the
  // caller's options may set their own statement_timeout. synchronous_commit comes last, so
  // it holds whatever the caller or the server says: "stored before the reply leaves" must
  // not depend on configuration. Worked out once, when the store is made.
  static std::string session_options_of(const std::string& conninfo) {
    std::string callers;
    if (PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), nullptr)) {
      for (const PQconninfoOption* option = parsed; option->keyword != nullptr; ++option) {
        if (std::string_view(option->keyword) == "options" && option->val != nullptr) {
          callers = option->val;
        }
      }
      PQconninfoFree(parsed);
    }
    if (callers.empty()) {
      const char* environment = std::getenv("PGOPTIONS");
      if (environment != nullptr) callers = environment;
    }
    return "-c statement_timeout=30000 " + callers + " -c synchronous_commit=on";
  }

  Result<PGconn*> connect() const {
    const std::string timeout = std::to_string(options_.connect_timeout.count());
    // A server lost mid-statement (its host down, the network cut: nothing acknowledged) ends
    // the statement after 10 s rather than TCP's ~15 minutes of retransmissions, and a pooled
    // connection to it is found dead after ~25 s idle. One inbox writer waits on each batch,
    // so this bounds how long accepts queue behind a lost server. Before the caller's
    // conninfo (the first "dbname"), so that its own settings of these win.
    const char* keys[] = {"keepalives",       "keepalives_idle",  "keepalives_interval",
                          "keepalives_count", "tcp_user_timeout", "dbname",
                          "connect_timeout",  "options",          nullptr};
    const char* values[] = {"1",
                            "10",
                            "5",
                            "3",
                            "10000",
                            conninfo_.c_str(),
                            timeout.c_str(),
                            session_options_.c_str(),
                            nullptr};
    PGconn* connection = PQconnectdbParams(keys, values, 1);
    if (connection == nullptr || PQstatus(connection) != CONNECTION_OK) {
      Error error = failure("cannot connect", connection);
      PQfinish(connection);
      return error;
    }
    configure(connection);
    return connection;
  }

  // Every session, new or reset (PQreset turns non-blocking mode off): statements are sent
  // without blocking (send_and_wait()), and the schema's "already exists, skipping" notices,
  // which are expected, go nowhere. Should non-blocking mode not take, PQsend* still works,
  // only blocking while the socket is full.
  static void configure(PGconn* connection) {
    (void)PQsetnonblocking(connection, 1);
    PQsetNoticeProcessor(
        connection, [](void*, const char*) {}, nullptr);
  }

  // A PostgreSQL duration setting ("30000", "45s", "2min"; milliseconds without a unit) in
  // milliseconds, if it reads as one.
  static std::optional<long long> milliseconds_of(std::string_view text) {
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    if (digits == 0 || digits > 12) return std::nullopt;
    const long long number = std::stoll(std::string(text.substr(0, digits)));
    const std::string_view unit = text.substr(digits);
    for (const auto& [name, factor] : {std::pair<std::string_view, long long>{"", 1},
                                       {"ms", 1},
                                       {"s", 1000},
                                       {"min", 60000},
                                       {"h", 3600000},
                                       {"d", 86400000}}) {
      if (unit == name) return number * factor;
    }
    return std::nullopt;
  }

  // The statement_timeout the sessions get from their server options (the last setting of
  // it in `session_options`, "-c statement_timeout=…" or "--statement-timeout=…"), in ms.
  static long long statement_timeout_of(const std::string& session_options) {
    long long timeout = 30000;  // ours, first in the options
    std::istringstream words(session_options);
    bool after_c = false;
    for (std::string word; words >> word;) {
      std::string setting;
      if (after_c) {
        setting = word;
      } else if (word.rfind("--", 0) == 0) {
        setting = word.substr(2);
      } else if (word.rfind("-c", 0) == 0 && word.size() > 2) {
        setting = word.substr(2);
      }
      after_c = word == "-c";
      const std::size_t equals = setting.find('=');
      if (equals == std::string::npos) continue;
      std::string name = setting.substr(0, equals);
      std::replace(name.begin(), name.end(), '-', '_');
      if (name != "statement_timeout") continue;
      if (auto parsed = milliseconds_of(std::string_view(setting).substr(equals + 1))) {
        timeout = *parsed;
      }
    }
    return timeout;
  }

  // PostgresAnswerTimeoutOption if set, else the sessions' statement_timeout and 5 s (a
  // slow statement ends with the server's own error first, keeping its connection); zero
  // when that timeout is off (0): the caller asked for statements without a limit.
  static std::chrono::milliseconds answer_timeout_of(const PostgresStoreOptions& options,
                                                     const std::string& session_options) {
    const auto set = options.extensions.get_or<PostgresAnswerTimeoutOption>({});
    if (set > std::chrono::milliseconds::zero()) return set;
    const long long statement_timeout = statement_timeout_of(session_options);
    return statement_timeout <= 0 ? std::chrono::milliseconds::zero()
                                  : std::chrono::milliseconds(statement_timeout + 5000);
  }

  enum class Wait { Ready, TimedOut, Failed };

  // Waits until the connection's socket is ready for `events`, until `deadline`. Over TLS,
  // bytes OpenSSL already decrypted do not show on the socket, so the wait there is cut
  // into 50 ms slices, each followed by a look at libpq's input (Ready).
  static Wait wait_for_socket(PGconn* connection, short events,
                              std::chrono::steady_clock::time_point deadline) {
    const int socket_fd = PQsocket(connection);
    if (socket_fd < 0) return Wait::Failed;
    const bool tls = PQsslInUse(connection) != 0;
    for (;;) {
      auto left =
          std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left <= std::chrono::milliseconds::zero()) return Wait::TimedOut;
      if (tls) left = std::min(left, std::chrono::milliseconds(50));
      pollfd socket{socket_fd, events, 0};
      const int ready =
          ::poll(&socket, 1, static_cast<int>(std::min<long long>(left.count(), INT_MAX)));
      if (ready > 0 || (ready == 0 && tls)) return Wait::Ready;
      if (ready < 0 && errno != EINTR) return Wait::Failed;
    }
  }

  // Sends one statement with `send` (a PQsend* call) and collects its answer as PQexec would
  // (the first error, else the last result; a COPY result ends it), waiting at most
  // answer_timeout_ for it (none when zero): PQexec waits for ever on a server that took the
  // statement and stopped answering. nullptr when the statement could not be sent or the
  // connection failed (PQerrorMessage says why), or with `timed_out` set when no answer came
  // in time (the caller then closes the connection: its answer may still arrive).
  template <typename Send>
  PGresult* send_and_wait(PGconn* connection, Send send, bool& timed_out) const {
    timed_out = false;
    // Far enough away to mean "never" without overflowing the clock.
    const auto now = std::chrono::steady_clock::now();
    const auto deadline = answer_timeout_ > std::chrono::milliseconds::zero() &&
                                  answer_timeout_ < std::chrono::hours(24 * 365)
                              ? now + answer_timeout_
                              : now + std::chrono::hours(24 * 365 * 100);
    if (send(connection) != 1) return nullptr;
    auto wait = [&](short events) {
      const Wait waited = wait_for_socket(connection, events, deadline);
      timed_out = waited == Wait::TimedOut;
      return waited == Wait::Ready && PQconsumeInput(connection) != 0;
    };
    for (;;) {  // the statement out of libpq's buffer (a large batch may not fit the socket's)
      const int flushed = PQflush(connection);
      if (flushed == 0) break;
      if (flushed < 0 || !wait(POLLIN | POLLOUT)) return nullptr;
    }
    PGresult* kept = nullptr;
    for (;;) {
      while (PQisBusy(connection) != 0) {
        if (!wait(POLLIN)) {
          PQclear(kept);
          return nullptr;
        }
      }
      PGresult* next = PQgetResult(connection);
      if (next == nullptr) return kept;
      const ExecStatusType status = PQresultStatus(next);
      if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH) {
        PQclear(kept);  // as PQexec: a COPY ends the collecting (PQgetResult would repeat it)
        return next;
      }
      const ExecStatusType kept_status = PQresultStatus(kept);
      if (kept != nullptr &&
          (kept_status == PGRES_FATAL_ERROR || kept_status == PGRES_BAD_RESPONSE)) {
        PQclear(next);  // the first error is the answer; the rest is drained
      } else {
        PQclear(kept);
        kept = next;
      }
    }
  }

  // A statement that got no answer in time: the connection is closed (its answer, if it
  // ever comes, is nobody's), and the error says the outcome is unknown.
  Error unanswered(PGconn* connection) {
    discard(connection);
    Error error = make_error(ErrorCode::Transport,
                             "PostgreSQL claim store: no answer from the server within " +
                                 std::to_string(answer_timeout_.count()) +
                                 " ms; the connection was closed and the statement's outcome "
                                 "is unknown");
    error.retryable = true;
    return error;
  }

  // A connection for one operation: an idle one, a new one while the pool is not full, or
  // the next one given back.
  Result<PGconn*> acquire() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      if (!idle_.empty()) {
        PGconn* connection = idle_.back();
        idle_.pop_back();
        return connection;
      }
      if (opened_ < std::max<std::size_t>(1, options_.connections)) {
        ++opened_;
        lock.unlock();
        Result<PGconn*> connection = connect();
        if (!connection.ok()) {
          lock.lock();
          --opened_;
          returned_.notify_one();
        }
        return connection;
      }
      returned_.wait(lock);
    }
  }

  // Closes a connection that cannot be reused, making room for a new one.
  void discard(PGconn* connection) {
    forget_prepared(connection);
    PQfinish(connection);
    std::lock_guard<std::mutex> guard(mutex_);
    --opened_;
    returned_.notify_one();
  }

  // Back to the pool only outside any transaction: a statement that failed inside
  // "BEGIN; ...; COMMIT;" leaves its session in an aborted transaction, which would fail
  // every later statement run on it. Such a session is rolled back, or closed.
  void give_back(PGconn* connection) {
    if (PQtransactionStatus(connection) != PQTRANS_IDLE) {
      bool timed_out = false;
      PQclear(send_and_wait(
          connection, [](PGconn* c) { return PQsendQuery(c, "ROLLBACK"); }, timed_out));
      if (timed_out || PQtransactionStatus(connection) != PQTRANS_IDLE) {
        return discard(connection);
      }
    }
    {
      std::lock_guard<std::mutex> guard(mutex_);
      idle_.push_back(connection);
    }
    returned_.notify_one();
  }

  // The name `sql` is prepared under: one per distinct statement text.
  std::string prepared_name(const std::string& sql) {
    std::lock_guard<std::mutex> guard(mutex_);
    auto found = statement_ids_.emplace(sql, statement_ids_.size());
    return "erpbridge_" + std::to_string(found.first->second);
  }
  bool is_prepared(PGconn* connection, const std::string& name) {
    std::lock_guard<std::mutex> guard(mutex_);
    auto found = prepared_.find(connection);
    return found != prepared_.end() && found->second.count(name) != 0;
  }
  void mark_prepared(PGconn* connection, const std::string& name) {
    std::lock_guard<std::mutex> guard(mutex_);
    prepared_[connection].insert(name);
  }
  void forget_prepared(PGconn* connection) {
    std::lock_guard<std::mutex> guard(mutex_);
    prepared_.erase(connection);
  }

  // Runs one statement (atomic by itself). A broken connection is reopened and the
  // statement sent once more: every statement here is safe to repeat (a claim repeats with
  // the same token and recognises its own row).
  // Leases are judged by the database's clock, unless options_.clock is set (tests): then
  // parameter $index carries that clock's milliseconds and stands in for now().
  static std::string now_sql(int index) {
    const std::string parameter = "$" + std::to_string(index);
    return "coalesce(to_timestamp(nullif(" + parameter + ", '')::bigint / 1000.0), now())";
  }
  std::string clock_ms() const {
    if (!options_.clock) return std::string();
    return std::to_string(
        std::chrono::duration_cast<std::chrono::milliseconds>(options_.clock().time_since_epoch())
            .count());
  }

  Result<Rows> query(const std::string& sql, const std::vector<std::string>& parameters) {
    Result<PGconn*> acquired = acquire();
    if (!acquired.ok()) return std::move(acquired).error();
    PGconn* connection = *acquired;
    std::vector<const char*> values;
    values.reserve(parameters.size());
    for (const std::string& parameter : parameters) values.push_back(parameter.c_str());
    for (int attempt = 0;; ++attempt) {
      PGresult* raw = nullptr;
      bool timed_out = false;
      if (parameters.empty()) {
        raw = send_and_wait(
            connection, [&](PGconn* c) { return PQsendQuery(c, sql.c_str()); }, timed_out);
      } else {
        // Prepared once per connection: planning a statement costs more than running it.
        const std::string name = prepared_name(sql);
        if (!is_prepared(connection, name)) {
          Rows prepared(send_and_wait(
              connection,
              [&](PGconn* c) {
                return PQsendPrepare(c, name.c_str(), sql.c_str(), static_cast<int>(values.size()),
                                     nullptr);
              },
              timed_out));
          if (timed_out) return unanswered(connection);
          if (prepared.status() == PGRES_COMMAND_OK) mark_prepared(connection, name);
        }
        raw = send_and_wait(
            connection,
            [&](PGconn* c) {
              return PQsendQueryPrepared(c, name.c_str(), static_cast<int>(values.size()),
                                         values.data(), nullptr, nullptr, 0);
            },
            timed_out);
      }
      if (timed_out) return unanswered(connection);
      Rows rows(raw);
      const ExecStatusType status = PQresultStatus(raw);
      if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
        give_back(connection);
        return rows;
      }
      if (attempt == 0 && PQstatus(connection) == CONNECTION_BAD) {
        forget_prepared(connection);
        PQreset(connection);
        if (PQstatus(connection) == CONNECTION_OK) {
          configure(connection);
          continue;
        }
      }
      Error error = failure("query failed", connection);
      if (PQstatus(connection) == CONNECTION_BAD) {
        discard(connection);
      } else {
        give_back(connection);
      }
      return error;
    }
  }

  std::string conninfo_;
  PostgresStoreOptions options_;
  const std::string session_options_;  // the sessions' server options (session_options_of)
  // PostgresAnswerTimeoutOption, or the statement timeout and 5 s; zero: no limit.
  const std::chrono::milliseconds answer_timeout_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<PGconn*> idle_;
  std::size_t opened_ = 0;
  std::set<std::string> sequences_;  // known to exist
  std::map<std::string, std::size_t> statement_ids_;
  std::map<PGconn*, std::set<std::string>> prepared_;  // per connection

  std::mutex accept_mutex_;
  std::condition_variable accept_wake_;
  std::list<Accept*> accepts_;  // waiting for a batch
  bool stopping_ = false;
  std::vector<std::thread> writers_;
};

// The password= value (or the password of a URI) of a conninfo string, if any.
void remember_password(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (error != nullptr) PQfreemem(error);
  if (options == nullptr) return;
  for (PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    if (std::string(option->keyword) == "password" && option->val != nullptr) {
      remember_secret(option->val);
    }
  }
  PQconninfoFree(options);
}

}  // namespace

namespace internal {

std::chrono::milliseconds postgres_answer_timeout(ClaimStore& store) {
  auto* postgres = dynamic_cast<PostgresStore*>(&store);
  return postgres != nullptr ? postgres->answer_timeout() : std::chrono::milliseconds(-1);
}

}  // namespace internal

Result<std::shared_ptr<ReceiverStore>> open_postgres_store(const std::string& conninfo,
                                                           PostgresStoreOptions options) {
  remember_password(conninfo);
  auto store = std::make_shared<PostgresStore>(conninfo, options);
  Result<void> started = store->start();
  if (!started.ok()) return std::move(started).error();
  return std::shared_ptr<ReceiverStore>(std::move(store));
}

}  // namespace erpbridge::wms
