// The claim/lease protocol, the same cases against every store: memory, a SQLite file and a
// real PostgreSQL database (scripts/with-postgres). Expected answers are written from the
// protocol's description, not from any store.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <future>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "erpbridge/wms/postgres_store.hpp"
#include "erpbridge/wms/sqlite_store.hpp"
#include "support/files.hpp"
#include "support/manual_clock.hpp"
#include "support/postgres.hpp"
#include "support/start_line.hpp"
#include "support/timing.hpp"
#include "wms/postgres_store_probe.hpp"
#include "wms/sqlite_store_probe.hpp"

using erpbridge::ErrorCode;
using erpbridge::test_support::ManualClock;
using erpbridge::test_support::scaled;
using erpbridge::test_support::StartLine;
using erpbridge::test_support::TempDir;
using erpbridge::test_support::TestDatabase;
using namespace erpbridge::wms;
using namespace std::chrono_literals;

namespace {

// One store under test, the clock it judges leases by, and what keeps its backing alive.
struct Backend {
  std::string name;
  std::shared_ptr<ReceiverStore> store;
  std::unique_ptr<TempDir> directory;
  std::unique_ptr<TestDatabase> database;
  ManualClock clock;
};

Backend sqlite_backend() {
  Backend backend{"sqlite", nullptr, std::make_unique<TempDir>(), nullptr, {}};
  SqliteStoreOptions options;
  options.clock = backend.clock.function();
  auto opened = open_sqlite_store(backend.directory->file("claims.db"), options);
  REQUIRE(opened.ok());
  backend.store = *opened;
  return backend;
}

Backend postgres_backend() {
  Backend backend{"postgres", nullptr, nullptr, std::make_unique<TestDatabase>(), {}};
  PostgresStoreOptions options;
  options.clock = backend.clock.function();
  auto opened = open_postgres_store(backend.database->conninfo(), options);
  INFO((opened.ok() ? std::string() : opened.error().to_string()));
  REQUIRE(opened.ok());
  backend.store = *opened;
  return backend;
}

template <typename Body>
void each_store(Body body) {
  SECTION("memory") {
    Backend backend{"memory", nullptr, nullptr, nullptr, {}};
    backend.store = make_memory_store(backend.clock.function());
    body(backend);
  }
  SECTION("sqlite") {
    Backend backend = sqlite_backend();
    body(backend);
  }
  SECTION("postgres") {
    Backend backend = postgres_backend();
    body(backend);
  }
}

const PushReply kReply{"0", "新增成功", "PC", "PC000001"};

// Inbox numbers of 2026-11-30 for bill type IN, each bil_no `prefix` and the day's sequence.
InboxNumbering numbering_with(const std::string& prefix) {
  InboxNumbering numbering;
  numbering.day = "20261130";
  numbering.bil_id = "IN";
  numbering.bil_no_prefix = prefix;
  return numbering;
}

}  // namespace

TEST_CASE("Claim store: claim, complete, then done, another fingerprint conflicts") {
  each_store([](Backend& b) {
    INFO(b.name);
    auto first = b.store->claim("RK-1", "fp-a", 60s);
    REQUIRE(first.ok());
    REQUIRE(first->kind == Claim::Kind::Claimed);
    CHECK_FALSE(first->token.empty());
    auto busy = b.store->claim("RK-1", "fp-a", 60s);
    REQUIRE(busy.ok());
    CHECK(busy->kind == Claim::Kind::Busy);
    CHECK(busy->busy_until > std::chrono::system_clock::now() + 50s);
    REQUIRE(b.store->complete(first->token, kReply).ok());
    auto done = b.store->claim("RK-1", "fp-a", 60s);
    REQUIRE(done.ok());
    REQUIRE(done->kind == Claim::Kind::Done);
    CHECK(done->reply.bil_no == "PC000001");
    CHECK(done->reply.message == "新增成功");
    CHECK(b.store->claim("RK-1", "fp-b", 60s)->kind == Claim::Kind::Conflict);
    // A completed claim's token completes nothing more.
    CHECK(b.store->complete(first->token, kReply).error().code == ErrorCode::FailedPrecondition);
  });
}

TEST_CASE("Claim store: a released claim can be claimed again") {
  each_store([](Backend& b) {
    INFO(b.name);
    auto first = b.store->claim("RK-2", "fp", 60s);
    REQUIRE(first->kind == Claim::Kind::Claimed);
    REQUIRE(b.store->release(first->token).ok());
    auto again = b.store->claim("RK-2", "fp", 60s);
    REQUIRE(again->kind == Claim::Kind::Claimed);
    CHECK(again->token != first->token);
    CHECK(b.store->release(first->token).error().code == ErrorCode::FailedPrecondition);
  });
}

TEST_CASE("Claim store: a claim whose lease ran out is taken over") {
  each_store([](Backend& b) {
    INFO(b.name);
    auto dead = b.store->claim("RK-3", "fp", 100ms);
    REQUIRE(dead->kind == Claim::Kind::Claimed);
    b.clock.advance(99ms);
    CHECK(b.store->claim("RK-3", "fp", 60s)->kind == Claim::Kind::Busy);  // not yet
    b.clock.advance(1ms);
    auto taken = b.store->claim("RK-3", "fp", 60s);
    REQUIRE(taken.ok());
    REQUIRE(taken->kind == Claim::Kind::Claimed);
    CHECK(taken->token != dead->token);
    // The dead holder's late completion is refused; the new holder's counts.
    CHECK(b.store->complete(dead->token, kReply).error().code == ErrorCode::FailedPrecondition);
    REQUIRE(b.store->complete(taken->token, kReply).ok());
    CHECK(b.store->claim("RK-3", "fp", 60s)->kind == Claim::Kind::Done);
  });
}

TEST_CASE("Claim store: each change of hands gives a greater fence, a release frees the code") {
  each_store([](Backend& b) {
    INFO(b.name);
    auto first = b.store->claim("RK-F", "fp-a", 100ms);
    REQUIRE(first->kind == Claim::Kind::Claimed);
    CHECK(first->fence == 1);
    b.clock.advance(100ms);  // the first holder overran its lease
    auto second = b.store->claim("RK-F", "fp-a", 100ms);
    REQUIRE(second->kind == Claim::Kind::Claimed);
    CHECK(second->fence == 2);
    // Renewing keeps the fence; a busy answer hands out none.
    REQUIRE(b.store->renew(second->token, 60s).ok());
    auto busy = b.store->claim("RK-F", "fp-a", 60s);
    REQUIRE(busy->kind == Claim::Kind::Busy);
    CHECK(busy->fence == 0);
    // A release gives the code up: other content may claim it, with the next fence.
    REQUIRE(b.store->release(second->token).ok());
    auto third = b.store->claim("RK-F", "fp-b", 60s);
    REQUIRE(third->kind == Claim::Kind::Claimed);
    CHECK(third->fence == 3);
    CHECK(b.store->claim("RK-F", "fp-a", 60s)->kind == Claim::Kind::Conflict);
    CHECK(b.store->complete(first->token, kReply).error().code == ErrorCode::FailedPrecondition);
    REQUIRE(b.store->complete(third->token, kReply).ok());
    CHECK(b.store->claim("RK-F", "fp-b", 60s)->kind == Claim::Kind::Done);
    // Another entry code counts on its own.
    CHECK(b.store->claim("RK-G", "fp-a", 60s)->fence == 1);
  });
}

TEST_CASE("Claim store: 16 concurrent claims of one entry code, one is Claimed") {
  each_store([](Backend& b) {
    INFO(b.name);
    StartLine start(16);
    std::atomic<int> claimed{0};
    std::atomic<int> busy{0};
    std::atomic<int> failed{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 16; ++i) {
      threads.emplace_back([&] {
        start.arrive_and_wait();
        auto claim = b.store->claim("RK-4", "fp", 60s);
        if (!claim.ok()) {
          ++failed;
        } else if (claim->kind == Claim::Kind::Claimed) {
          ++claimed;
        } else if (claim->kind == Claim::Kind::Busy) {
          ++busy;
        }
      });
    }
    for (auto& thread : threads) thread.join();
    CHECK(failed == 0);
    CHECK(claimed == 1);
    CHECK(busy == 15);
  });
}

TEST_CASE("Claim store: the inbox keeps accepted orders until acknowledged") {
  each_store([](Backend& b) {
    INFO(b.name);
    for (const char* code : {"RK-10", "RK-11", "RK-12"}) {
      auto claim = b.store->claim(code, std::string("fp-") + code, 60s);
      REQUIRE(claim->kind == Claim::Kind::Claimed);
      REQUIRE(b.store
                  ->complete_into_inbox(claim->token, kReply,
                                        std::string(R"({"entry":")") + code + "\"}")
                  .ok());
    }
    // A completed-into-inbox claim is done like any other.
    CHECK(b.store->claim("RK-11", "fp-RK-11", 60s)->kind == Claim::Kind::Done);
    auto first = b.store->take(2, 60s);
    REQUIRE(first.ok());
    REQUIRE(first->size() == 2);
    CHECK(first->at(0).entry_code == "RK-10");
    CHECK(first->at(1).entry_code == "RK-11");
    CHECK(first->at(0).id < first->at(1).id);
    CHECK(first->at(0).body == R"({"entry":"RK-10"})");
    CHECK(first->at(0).reply.bil_no == "PC000001");
    // Leased to the first consumer: a second one gets only the rest.
    auto second = b.store->take(10, 60s);
    REQUIRE(second.ok());
    REQUIRE(second->size() == 1);
    CHECK(second->at(0).entry_code == "RK-12");
    REQUIRE(b.store->acknowledge(first->at(0).id).ok());
    REQUIRE(b.store->acknowledge(first->at(0).id).ok());  // twice is fine
    CHECK(b.store->acknowledge(999999).error().code == ErrorCode::NotFound);
    auto pending = b.store->list(0, 10, false);
    REQUIRE(pending.ok());
    CHECK(pending->size() == 2);
    auto all = b.store->list(0, 10, true);
    REQUIRE(all.ok());
    CHECK(all->size() == 3);
    CHECK(all->at(0).acknowledged);
  });
}

TEST_CASE("Claim store: an inbox entry not acknowledged within its lease is handed out again") {
  each_store([](Backend& b) {
    INFO(b.name);
    auto claim = b.store->claim("RK-20", "fp", 60s);
    REQUIRE(b.store->complete_into_inbox(claim->token, kReply, "{}").ok());
    REQUIRE(b.store->take(5, 100ms)->size() == 1);
    CHECK(b.store->take(5, 100ms)->empty());
    b.clock.advance(99ms);
    CHECK(b.store->take(5, 100ms)->empty());  // not yet
    b.clock.advance(1ms);
    auto again = b.store->take(5, 60s);
    REQUIRE(again->size() == 1);
    CHECK(again->at(0).entry_code == "RK-20");
  });
}

TEST_CASE("Claim store: per-day sequences count from 1, each day its own") {
  each_store([](Backend& b) {
    INFO(b.name);
    CHECK(*b.store->next_sequence("20261130") == 1);
    CHECK(*b.store->next_sequence("20261130") == 2);
    CHECK(*b.store->next_sequence("20261201") == 1);
    CHECK(*b.store->next_sequence("20261130") == 3);
  });
}

TEST_CASE("Claim store: accept_into_inbox numbers, completes and keeps a new order in one step") {
  each_store([](Backend& b) {
    INFO(b.name);
    InboxNumbering numbering = numbering_with("IN20261130");
    numbering.message = "新增成功";
    auto first = b.store->accept_into_inbox("RK-30", "fp-30", R"({"n":30})", numbering, 60s);
    REQUIRE(first.ok());
    CHECK(first->kind == Claim::Kind::Accepted);
    CHECK(first->reply.code == "0");
    CHECK(first->reply.message == "新增成功");
    CHECK(first->reply.bil_id == "IN");
    CHECK(first->reply.bil_no == "IN20261130000001");
    auto second = b.store->accept_into_inbox("RK-31", "fp-31", R"({"n":31})", numbering, 60s);
    CHECK(second->reply.bil_no == "IN20261130000002");
    // The same order again: its stored reply; other content under its code: a conflict.
    auto again = b.store->accept_into_inbox("RK-30", "fp-30", R"({"n":30})", numbering, 60s);
    REQUIRE(again.ok());
    CHECK(again->kind == Claim::Kind::Done);
    CHECK(again->reply.bil_no == "IN20261130000001");
    CHECK(b.store->accept_into_inbox("RK-30", "other", "{}", numbering, 60s)->kind ==
          Claim::Kind::Conflict);
    // A claim held by a handler elsewhere: busy.
    auto held = b.store->claim("RK-32", "fp-32", 60s);
    REQUIRE(held->kind == Claim::Kind::Claimed);
    CHECK(b.store->accept_into_inbox("RK-32", "fp-32", "{}", numbering, 60s)->kind ==
          Claim::Kind::Busy);
    // The inbox holds each accepted order once, as received.
    auto entries = b.store->list(0, 10, true);
    REQUIRE(entries.ok());
    REQUIRE(entries->size() == 2);
    CHECK(entries->at(0).entry_code == "RK-30");
    CHECK(entries->at(0).body == R"({"n":30})");
    CHECK(entries->at(0).reply.bil_no == "IN20261130000001");
    CHECK(entries->at(1).entry_code == "RK-31");
    // Paged by id: the entries after a given one, at most `max` of them.
    auto later = b.store->list(entries->at(0).id, 10, true);
    REQUIRE(later.ok());
    REQUIRE(later->size() == 1);
    CHECK(later->at(0).entry_code == "RK-31");
    auto none = b.store->list(entries->at(1).id, 10, true);
    auto beyond = b.store->list(entries->at(1).id + 100, 10, true);
    auto from_start = b.store->list(-5, 1, true);
    REQUIRE((none.ok() && beyond.ok() && from_start.ok()));
    CHECK(none->empty());
    CHECK(beyond->empty());
    REQUIRE(from_start->size() == 1);
    CHECK(from_start->at(0).entry_code == "RK-30");
    // The repeat, the conflict and the busy code took no number: the next new order has the
    // next one.
    CHECK(b.store->accept_into_inbox("RK-34", "fp-34", "{}", numbering, 60s)->reply.bil_no ==
          "IN20261130000003");
    // Numbers wider than the padding are not cut.
    for (int i = 0; i < 3; ++i) (void)b.store->next_sequence("20261201");
    numbering.day = "20261201";
    numbering.bil_no_prefix = "IN20261201";
    numbering.digits = 2;
    CHECK(b.store->accept_into_inbox("RK-33", "fp-33", "{}", numbering, 60s)->reply.bil_no ==
          "IN2026120104");
  });
}

TEST_CASE("Claim store: a claim whose holder died is taken over by accept_into_inbox") {
  each_store([](Backend& b) {
    INFO(b.name);
    InboxNumbering numbering = numbering_with("IN-");
    auto held = b.store->claim("RK-40", "fp-40", 100ms);
    REQUIRE(held->kind == Claim::Kind::Claimed);
    CHECK(b.store->accept_into_inbox("RK-40", "fp-40", "{}", numbering, 60s)->kind ==
          Claim::Kind::Busy);
    b.clock.advance(100ms);
    auto accepted = b.store->accept_into_inbox("RK-40", "fp-40", "{}", numbering, 60s);
    REQUIRE(accepted.ok());
    CHECK(accepted->kind == Claim::Kind::Accepted);
    CHECK(accepted->reply.bil_no == "IN-000001");
    // The dead holder's claim is gone.
    CHECK(b.store->complete(held->token, kReply).error().code == ErrorCode::FailedPrecondition);
    CHECK(b.store->list(0, 10, true)->size() == 1);
  });
}

TEST_CASE("Claim store: 16 concurrent accepts of one new order keep it once") {
  each_store([](Backend& b) {
    INFO(b.name);
    InboxNumbering numbering = numbering_with("IN");
    StartLine start(16);
    std::vector<std::thread> threads;
    std::vector<std::string> replies(16);
    std::atomic<int> accepted{0};
    for (int i = 0; i < 16; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        for (;;) {
          auto answer = b.store->accept_into_inbox("RK-50", "fp-50", "{}", numbering, 60s);
          if (!answer.ok()) return;
          if (answer->kind == Claim::Kind::Busy) continue;  // the default composition's window
          if (answer->kind == Claim::Kind::Accepted) ++accepted;
          replies[static_cast<std::size_t>(i)] = answer->reply.bil_no;
          return;
        }
      });
    }
    for (auto& thread : threads) thread.join();
    CHECK(accepted == 1);
    for (const auto& reply : replies) CHECK(reply == replies[0]);
    CHECK(b.store->list(0, 10, true)->size() == 1);
  });
}

TEST_CASE("Claim store: 200 new orders accepted at once are numbered 1 to 200, each once") {
  each_store([](Backend& b) {
    INFO(b.name);
    const InboxNumbering numbering = numbering_with("IN20261130");
    constexpr int kThreads = 8;
    constexpr int kEach = 25;
    StartLine start(kThreads);
    std::vector<std::thread> threads;
    std::vector<std::string> bil_nos(kThreads * kEach);
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        for (int i = 0; i < kEach; ++i) {
          const int n = t * kEach + i;
          auto answer =
              b.store->accept_into_inbox("RK-N" + std::to_string(n), "fp", "{}", numbering, 60s);
          if (answer.ok() && answer->kind == Claim::Kind::Accepted) {
            bil_nos[static_cast<std::size_t>(n)] = answer->reply.bil_no;
          }
        }
      });
    }
    for (auto& thread : threads) thread.join();
    // Written out, not computed from the store's format: IN20261130000001 ... 000200.
    std::set<std::string> expected;
    for (int n = 1; n <= kThreads * kEach; ++n) {
      char number[8];
      std::snprintf(number, sizeof number, "%06d", n);
      expected.insert(std::string("IN20261130") + number);
    }
    CHECK(std::set<std::string>(bil_nos.begin(), bil_nos.end()) == expected);
    // The day goes on from there, in a later transaction too.
    CHECK(*b.store->next_sequence("20261130") == kThreads * kEach + 1);
  });
}

TEST_CASE("Claim store: concurrent calls with different outcomes each get their own") {
  // A store that answers in batches hands each caller its own outcome: accepted (each with its
  // own number), conflict, done (with the stored reply) and busy, all in flight at once.
  each_store([](Backend& b) {
    INFO(b.name);
    InboxNumbering numbering = numbering_with("IN");
    auto done = b.store->claim("RK-60-done", "fp-done", 60s);
    REQUIRE(done.ok());
    REQUIRE(b.store->complete(done->token, kReply).ok());
    REQUIRE(b.store->claim("RK-60-held", "fp-held", 60s)->kind == Claim::Kind::Claimed);
    constexpr int kCallers = 24;
    for (int round = 0; round < 3; ++round) {
      StartLine start(kCallers);
      std::vector<std::thread> threads;
      std::vector<std::string> problems(kCallers);
      std::vector<std::string> numbers(kCallers);
      for (int i = 0; i < kCallers; ++i) {
        threads.emplace_back([&, i] {
          const auto at = static_cast<std::size_t>(i);
          start.arrive_and_wait();
          const std::string mine = "RK-6" + std::to_string(round) + "-" + std::to_string(i);
          switch (i % 4) {
            case 0: {
              auto answer = b.store->accept_into_inbox(mine, "fp-" + mine, "{}", numbering, 60s);
              if (!answer.ok() || answer->kind != Claim::Kind::Accepted) {
                problems[at] = "not accepted";
              } else {
                numbers[at] = answer->reply.bil_no;
              }
              break;
            }
            case 1:
              if (b.store->claim("RK-60-done", "other", 60s)->kind != Claim::Kind::Conflict) {
                problems[at] = "not a conflict";
              }
              break;
            case 2: {
              auto answer = b.store->claim("RK-60-done", "fp-done", 60s);
              if (!answer.ok() || answer->kind != Claim::Kind::Done ||
                  answer->reply.bil_no != kReply.bil_no) {
                problems[at] = "not done with the stored reply";
              }
              break;
            }
            default:
              if (b.store->claim("RK-60-held", "fp-held", 60s)->kind != Claim::Kind::Busy) {
                problems[at] = "not busy";
              }
          }
        });
      }
      for (auto& thread : threads) thread.join();
      for (int i = 0; i < kCallers; ++i) {
        INFO("round " << round << ", caller " << i);
        CHECK(problems[static_cast<std::size_t>(i)].empty());
      }
      std::set<std::string> distinct;
      for (const auto& number : numbers) {
        if (!number.empty()) distinct.insert(number);
      }
      CHECK(distinct.size() == kCallers / 4);
    }
  });
}

TEST_CASE("SQLite claim store: claims and the inbox survive closing and reopening the file") {
  TempDir directory;
  const std::string path = directory.file("claims.db");
  std::string token;
  {
    auto store = open_sqlite_store(path).value();
    auto done = store->claim("RK-30", "fp", 60s).value();
    REQUIRE(store->complete_into_inbox(done.token, kReply, R"({"kept":true})").ok());
    token = store->claim("RK-31", "fp", 60s)->token;  // in flight when the process ends
  }
  auto reopened = open_sqlite_store(path);
  REQUIRE(reopened.ok());
  auto done = (*reopened)->claim("RK-30", "fp", 60s);
  REQUIRE(done->kind == Claim::Kind::Done);
  CHECK(done->reply.bil_no == "PC000001");
  CHECK((*reopened)->claim("RK-31", "fp", 60s)->kind == Claim::Kind::Busy);
  REQUIRE(
      (*reopened)->complete(token, kReply).ok());  // the lease is the claim's, not the process's
  auto inbox = (*reopened)->take(5, 60s);
  REQUIRE(inbox->size() == 1);
  CHECK(inbox->at(0).body == R"({"kept":true})");
}

namespace {

// The claims table as schema version 1 created it (the release before fences), written out
// here rather than taken from the store, with one claim done and one left by a dead holder.
const char* kSqliteVersion1 = R"SQL(
CREATE TABLE erpbridge_schema (name TEXT PRIMARY KEY, version INTEGER NOT NULL);
CREATE TABLE erpbridge_wms_claims (entry_code TEXT PRIMARY KEY, fingerprint TEXT NOT NULL,
  done INTEGER NOT NULL DEFAULT 0, token TEXT, lease_until INTEGER NOT NULL DEFAULT 0,
  reply TEXT) WITHOUT ROWID;
INSERT INTO erpbridge_schema VALUES ('wms', 1);
INSERT INTO erpbridge_wms_claims VALUES ('RK-OLD-DONE', 'fp', 1, NULL, 0,
  '{"code":"0","message":"新增成功","bil_id":"PC","bil_no":"PC000001"}');
INSERT INTO erpbridge_wms_claims VALUES ('RK-OLD-HELD', 'fp', 0,
  '0123456789abcdef0123456789abcdefRK-OLD-HELD', 1000, NULL);
)SQL";

// What a store opened on a migrated version 1 database must answer.
void check_migrated(ClaimStore& store) {
  auto done = store.claim("RK-OLD-DONE", "fp", 60s);
  REQUIRE(done.ok());
  REQUIRE(done->kind == Claim::Kind::Done);
  CHECK(done->reply.bil_no == "PC000001");
  auto held = store.claim("RK-OLD-HELD", "fp", 60s);  // its lease ended in 1970
  REQUIRE(held.ok());
  REQUIRE(held->kind == Claim::Kind::Claimed);
  CHECK(held->fence == 1);
  auto fresh = store.claim("RK-NEW", "fp", 60s);
  REQUIRE(fresh->kind == Claim::Kind::Claimed);
  CHECK(fresh->fence == 1);
}

}  // namespace

namespace {

// How many threads of this process have the name `name` now.
std::size_t threads_named(const std::string& name) {
  std::size_t count = 0;
  DIR* tasks = opendir("/proc/self/task");
  if (tasks == nullptr) return 0;
  while (dirent* task = readdir(tasks)) {
    if (task->d_name[0] == '.') continue;  // "." and ".."
    std::ifstream comm(std::string("/proc/self/task/") + task->d_name + "/comm");
    std::string found;
    if (std::getline(comm, found) && found == name) ++count;
  }
  closedir(tasks);
  return count;
}

}  // namespace

TEST_CASE("Claim stores: their writer threads are named, and joined when the store goes") {
  TempDir directory;
  {
    auto store = open_sqlite_store(directory.file("named.db"));
    REQUIRE(store.ok());
    // Each thread names itself as it starts.
    CHECK(erpbridge::test_support::wait_until([] { return threads_named("erpbridge-sqlw") == 1; },
                                              scaled(5s)));
  }
  // A joined thread leaves /proc/self/task a moment after pthread_join returns.
  CHECK(erpbridge::test_support::wait_until([] { return threads_named("erpbridge-sqlw") == 0; },
                                            scaled(5s)));
  TestDatabase database;
  {
    PostgresStoreOptions options;
    options.accept_writers = 2;
    auto store = open_postgres_store(database.conninfo(), options);
    REQUIRE(store.ok());
    CHECK(erpbridge::test_support::wait_until([] { return threads_named("erpbridge-pgacc") == 2; },
                                              scaled(5s)));
  }
  CHECK(erpbridge::test_support::wait_until([] { return threads_named("erpbridge-pgacc") == 0; },
                                            scaled(5s)));
}

TEST_CASE("SQLite claim store: a version 1 file is migrated to version 2, its claims kept") {
  TempDir directory;
  const std::string path = directory.file("v1.db");
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, kSqliteVersion1, nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  {
    auto opened = open_sqlite_store(path);
    INFO((opened.ok() ? std::string() : opened.error().to_string()));
    REQUIRE(opened.ok());
    check_migrated(**opened);
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* version = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT version FROM erpbridge_schema WHERE name = 'wms'", -1,
                             &version, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(version) == SQLITE_ROW);
  CHECK(sqlite3_column_int(version, 0) == 2);
  sqlite3_finalize(version);
  sqlite3_close(db);
  // Opening again finds version 2 and changes nothing.
  REQUIRE(open_sqlite_store(path).ok());
}

TEST_CASE("SQLite claim store: a file of a newer schema version is refused") {
  TempDir directory;
  const std::string path = directory.file("v9.db");
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db,
                       "CREATE TABLE erpbridge_schema (name TEXT PRIMARY KEY, version INTEGER "
                       "NOT NULL); INSERT INTO erpbridge_schema VALUES ('wms', 9);",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto opened = open_sqlite_store(path);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().code == ErrorCode::FailedPrecondition);
  CHECK(opened.error().message.find("version 9") != std::string::npos);
}

TEST_CASE(
    "PostgreSQL claim store: a version 1 database is migrated to version 2, its claims kept") {
  TestDatabase database;
  database.scalar(R"SQL(
CREATE TABLE erpbridge_schema (name text PRIMARY KEY, version integer NOT NULL);
CREATE TABLE erpbridge_wms_claims (entry_code text PRIMARY KEY, fingerprint text NOT NULL,
  done boolean NOT NULL DEFAULT false, token text, lease_until timestamptz NOT NULL,
  reply text);
INSERT INTO erpbridge_schema VALUES ('wms', 1);
INSERT INTO erpbridge_wms_claims VALUES ('RK-OLD-DONE', 'fp', true, NULL, now(),
  '{"code":"0","message":"新增成功","bil_id":"PC","bil_no":"PC000001"}');
INSERT INTO erpbridge_wms_claims VALUES ('RK-OLD-HELD', 'fp', false,
  '0123456789abcdef0123456789abcdefRK-OLD-HELD', '1970-01-01 00:00:01+00', NULL);
)SQL");
  REQUIRE(database.scalar("SELECT version FROM erpbridge_schema") == "1");
  {
    auto opened = open_postgres_store(database.conninfo());
    INFO((opened.ok() ? std::string() : opened.error().to_string()));
    REQUIRE(opened.ok());
    check_migrated(**opened);
  }
  CHECK(database.scalar("SELECT version FROM erpbridge_schema WHERE name = 'wms'") == "2");
  REQUIRE(open_postgres_store(database.conninfo()).ok());
}

TEST_CASE("SQLite claim store: two stores on one file share their claims") {
  TempDir directory;
  auto a = open_sqlite_store(directory.file("shared.db")).value();
  auto b = open_sqlite_store(directory.file("shared.db")).value();
  StartLine start(2);
  Claim one;
  Claim two;
  std::thread first([&] {
    start.arrive_and_wait();
    one = a->claim("RK-40", "fp", 60s).value();
  });
  std::thread second([&] {
    start.arrive_and_wait();
    two = b->claim("RK-40", "fp", 60s).value();
  });
  first.join();
  second.join();
  CHECK(((one.kind == Claim::Kind::Claimed) != (two.kind == Claim::Kind::Claimed)));
}

TEST_CASE("SQLite claim store: a file that is not a database is refused with its path") {
  erpbridge::test_support::TempFile garbage("this is not a database, it is text", ".db");
  auto opened = open_sqlite_store(garbage.path());
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().message.find(garbage.path()) != std::string::npos);
}

TEST_CASE("PostgreSQL claim store: an unreachable server is an error, the password never shown") {
  auto opened = open_postgres_store(
      "host=127.0.0.1 port=1 user=nobody password=pg-S3CRET-pass dbname=none connect_timeout=2");
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().code == ErrorCode::Transport);
  CHECK(opened.error().to_string().find("pg-S3CRET-pass") == std::string::npos);
}

namespace {

// What the kernel says of this process's TCP sockets connected to 127.0.0.1:`port`: their
// keepalive settings and TCP user timeout, read back with getsockopt (not from libpq).
struct SocketTimeouts {
  int keepalive = 0;
  int idle_s = 0;
  int interval_s = 0;
  int probes = 0;
  unsigned user_timeout_ms = 0;
};

std::vector<SocketTimeouts> sockets_to(int port) {
  std::vector<SocketTimeouts> found;
  DIR* fds = opendir("/proc/self/fd");
  if (fds == nullptr) return found;
  while (dirent* entry = readdir(fds)) {
    const int fd = std::atoi(entry->d_name);
    sockaddr_in peer{};
    socklen_t size = sizeof peer;
    if (fd <= 2 || getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &size) != 0 ||
        peer.sin_family != AF_INET || ntohs(peer.sin_port) != port) {
      continue;
    }
    SocketTimeouts timeouts;
    socklen_t length = sizeof(int);
    getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &timeouts.keepalive, &length);
    getsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &timeouts.idle_s, &length);
    getsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &timeouts.interval_s, &length);
    getsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &timeouts.probes, &length);
    socklen_t unsigned_length = sizeof(unsigned);
    getsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &timeouts.user_timeout_ms, &unsigned_length);
    found.push_back(timeouts);
  }
  closedir(fds);
  return found;
}

// The port= of a libpq conninfo (0 if none).
int port_of(const std::string& conninfo) {
  const std::size_t at = conninfo.find("port=");
  return at == std::string::npos ? 0 : std::atoi(conninfo.c_str() + at + 5);
}

}  // namespace

TEST_CASE("PostgreSQL claim store: a lost server times out, unless conninfo sets its own") {
  TestDatabase database;
  const int port = port_of(database.conninfo());
  REQUIRE(port > 0);
  // Opens a store, makes it use a connection, and checks every socket it holds to the server.
  const auto check_sockets = [&](const std::string& extra, const std::string& code, int idle_s,
                                 unsigned user_timeout_ms) {
    auto store = open_postgres_store(database.conninfo() + extra);
    REQUIRE(store.ok());
    REQUIRE((*store)->claim(code, "f", 60s).ok());
    const std::vector<SocketTimeouts> sockets = sockets_to(port);
    REQUIRE_FALSE(sockets.empty());
    for (const SocketTimeouts& socket : sockets) {
      CHECK(socket.keepalive == 1);
      CHECK(socket.idle_s == idle_s);
      CHECK(socket.interval_s == 5);
      CHECK(socket.probes == 3);
      CHECK(socket.user_timeout_ms == user_timeout_ms);
    }
  };
  check_sockets("", "RK-KEEPALIVE-1", 10, 10000u);
  CHECK(sockets_to(port).empty());  // the store's connections closed with it
  check_sockets(" keepalives_idle=30 tcp_user_timeout=4000", "RK-KEEPALIVE-2", 30, 4000u);
}

TEST_CASE(
    "PostgreSQL claim store: a statement kept waiting fails after the statement timeout, and "
    "conninfo's server options are kept") {
  TestDatabase database;
  const std::string application = "erpbridge-options-test";
  auto store = open_postgres_store(
      database.conninfo() +
      " options='-c statement_timeout=300 -c application_name=" + application + "'");
  REQUIRE(store.ok());
  REQUIRE((*store)->claim("RK-LOCK-0", "f", 60s).ok());
  // The caller's options reached the server: its sessions carry their application_name.
  CHECK(database.scalar("SELECT count(*) > 0 FROM pg_stat_activity WHERE application_name = '" +
                        application + "'") == "t");

  PGconn* locker = PQconnectdb(database.conninfo().c_str());
  REQUIRE(PQstatus(locker) == CONNECTION_OK);
  PQclear(PQexec(locker, "BEGIN; LOCK TABLE erpbridge_wms_claims IN ACCESS EXCLUSIVE MODE"));
  const auto start = std::chrono::steady_clock::now();
  auto claimed =
      std::async(std::launch::async, [&] { return (*store)->claim("RK-LOCK-1", "f", 60s); });
  const bool ended = claimed.wait_for(10s) == std::future_status::ready;
  const auto waited = std::chrono::steady_clock::now() - start;
  PQclear(PQexec(locker, "ROLLBACK"));  // frees a claim still waiting, so the test ends either way
  PQfinish(locker);
  REQUIRE(ended);  // without a statement timeout it waits for the lock as long as it is held
  auto outcome = claimed.get();
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.error().code == ErrorCode::Transport);
  CHECK(outcome.error().retryable);
  CHECK(waited < 5s);
  // The lock gone, the same store claims again on its pooled connection.
  auto again = (*store)->claim("RK-LOCK-1", "f", 60s);
  REQUIRE(again.ok());
  CHECK(again->kind == Claim::Kind::Claimed);
}

namespace {

// Stops (SIGSTOP) the server processes of the sessions named `application`, but for those
// in `spared`: a server that took the connection and answers nothing more, its kernel still
// acknowledging every byte. They continue (SIGCONT) at resume() or when this goes.
class StoppedBackends {
 public:
  StoppedBackends(const TestDatabase& database, const std::string& application,
                  const std::vector<pid_t>& spared) {
    std::string sql =
        "SELECT string_agg(pid::text, ',') FROM pg_stat_activity "
        "WHERE application_name = '" +
        application + "'";
    for (pid_t pid : spared) sql += " AND pid <> " + std::to_string(pid);
    std::stringstream pids(database.scalar(sql));
    for (std::string pid; std::getline(pids, pid, ',');) {
      const pid_t backend = static_cast<pid_t>(std::stol(pid));
      // Only a PostgreSQL process of this machine (scripts/with-postgres starts one): a pid
      // from a server elsewhere would name some other process here.
      std::ifstream comm("/proc/" + pid + "/comm");
      std::string name;
      if (!std::getline(comm, name) || name != "postgres") {
        problem_ = "process " + pid + " is not a local postgres (" + name + ")";
        continue;
      }
      // The test runs as root or as the server's own user (scripts/postgres-cluster).
      if (::kill(backend, SIGSTOP) != 0) {
        problem_ = "cannot stop backend " + pid + ": " + std::strerror(errno);
        continue;
      }
      stopped_.push_back(backend);
    }
  }
  ~StoppedBackends() { resume(); }
  StoppedBackends(const StoppedBackends&) = delete;
  StoppedBackends& operator=(const StoppedBackends&) = delete;

  const std::vector<pid_t>& stopped() const { return stopped_; }
  const std::string& problem() const { return problem_; }  // empty if every one stopped
  void resume() {
    for (pid_t backend : stopped_) ::kill(backend, SIGCONT);
  }

 private:
  std::vector<pid_t> stopped_;
  std::string problem_;
};

}  // namespace

TEST_CASE(
    "PostgreSQL claim store: a server that stops answering fails the statement after the "
    "answer timeout, and the next statement goes out on a new connection") {
  TestDatabase database;
  const std::string application = "erpbridge-stopped-server-test";
  PostgresStoreOptions options;
  options.connections = 1;
  options.extensions.set<PostgresAnswerTimeoutOption>(1000ms);
  auto opened =
      open_postgres_store(database.conninfo() + " application_name=" + application, options);
  REQUIRE(opened.ok());
  ReceiverStore& store = **opened;
  InboxNumbering numbering;
  numbering.day = "20261208";
  numbering.bil_id = "IN";
  numbering.bil_no_prefix = "IN20261208";
  // The day's sequence made beforehand, so that the accept below is the writer's batch alone.
  REQUIRE(store.accept_into_inbox("RK-STOP-0", "f", "{}", numbering, 60s).ok());
  std::vector<pid_t> spared;  // stopped before: left out of the next round

  // Once for a claim (a statement of its own), once for an accept (the inbox writer's batch).
  for (const bool accept : {false, true}) {
    INFO((accept ? "accept_into_inbox" : "claim"));
    const std::string code = accept ? "RK-STOP-ACCEPT" : "RK-STOP-CLAIM";
    StoppedBackends stopped(database, application, spared);
    spared.insert(spared.end(), stopped.stopped().begin(), stopped.stopped().end());
    REQUIRE(stopped.problem().empty());
    REQUIRE(stopped.stopped().size() == 1);  // the pool's one connection
    const auto start = std::chrono::steady_clock::now();
    auto answer = std::async(std::launch::async, [&]() -> erpbridge::Result<Claim> {
      return accept ? store.accept_into_inbox(code, "f", "{}", numbering, 60s)
                    : store.claim(code, "f", 60s);
    });
    const bool ended = answer.wait_for(scaled(10s)) == std::future_status::ready;
    const auto waited = std::chrono::steady_clock::now() - start;
    if (!ended) stopped.resume();  // without the answer timeout it waits until then
    REQUIRE(ended);
    auto outcome = answer.get();
    REQUIRE_FALSE(outcome.ok());
    CHECK(outcome.error().code == ErrorCode::Transport);
    CHECK(outcome.error().retryable);
    CHECK(outcome.error().message.find("no answer") != std::string::npos);
    CHECK(waited >= 900ms);
    CHECK(waited < scaled(5s));
    // The stopped session still stopped, the store goes on, on a new connection.
    auto next = accept ? store.accept_into_inbox(code + "-NEXT", "f", "{}", numbering, 60s)
                       : store.claim(code + "-NEXT", "f", 60s);
    REQUIRE(next.ok());
    CHECK(next->kind == (accept ? Claim::Kind::Accepted : Claim::Kind::Claimed));
  }
}

TEST_CASE(
    "PostgreSQL claim store: the answer timeout follows the sessions' statement timeout unless "
    "set") {
  TestDatabase database;
  using erpbridge::wms::internal::postgres_answer_timeout;
  auto timeout_with = [&](const std::string& server_options, std::chrono::milliseconds set = 0ms) {
    PostgresStoreOptions options;
    if (set != 0ms) options.extensions.set<PostgresAnswerTimeoutOption>(set);
    auto store = open_postgres_store(
        database.conninfo() + (server_options.empty() ? "" : " options='" + server_options + "'"),
        options);
    REQUIRE(store.ok());
    return postgres_answer_timeout(**store);
  };
  CHECK(timeout_with("") == 35000ms);  // the store's 30 s and 5 s
  CHECK(timeout_with("-c statement_timeout=1000") == 6000ms);
  CHECK(timeout_with("-cstatement_timeout=2s -c search_path=public") == 7000ms);
  CHECK(timeout_with("--statement-timeout=1min") == 65000ms);
  CHECK(timeout_with("-c statement_timeout=1h -c statement_timeout=500ms") == 5500ms);
  CHECK(timeout_with("-c statement_timeout=0") == 0ms);  // off: no limit
  CHECK(timeout_with("-c statement_timeout=0", 1500ms) == 1500ms);
  CHECK(timeout_with("", -5ms) == 35000ms);
}

namespace {

// Runs `operation` on a thread of its own and waits until the store's writer has it queued
// as operation number `position` (so a batch's order is the test's).
template <typename Operation>
std::thread queued_as(ClaimStore& store, std::size_t position, Operation operation) {
  std::thread thread(std::move(operation));
  REQUIRE(erpbridge::test_support::wait_until(
      [&] { return erpbridge::wms::internal::sqlite_queued_operations(store) == position; }, 10s));
  return thread;
}

// Holds the SQLite writer inside a batch of its own until opened, so the operations queued
// meanwhile form the next batch together.
struct WriterHold {
  std::mutex mutex;
  std::condition_variable changed;
  bool holding = false;
  bool released = false;

  std::thread start(ClaimStore& store) {
    std::thread thread([this, &store] {
      (void)erpbridge::wms::internal::run_in_sqlite_batch(store, [this](sqlite3*) {
        std::unique_lock<std::mutex> lock(mutex);
        holding = true;
        changed.notify_all();
        changed.wait(lock, [this] { return released; });
        return erpbridge::Result<void>(erpbridge::ok());
      });
    });
    std::unique_lock<std::mutex> lock(mutex);
    changed.wait(lock, [this] { return holding; });
    return thread;
  }
  void release() {
    std::lock_guard<std::mutex> guard(mutex);
    released = true;
    changed.notify_all();
  }
};

}  // namespace

TEST_CASE("SQLite store: one failed operation in a batch is undone alone, the others commit") {
  TempDir directory;
  auto store = open_sqlite_store(directory.file("claims.db")).value();
  WriterHold hold;
  std::thread holder = hold.start(*store);
  erpbridge::Result<Claim> first = erpbridge::make_error(ErrorCode::Transport, "not run");
  erpbridge::Result<void> failing = erpbridge::ok();
  erpbridge::Result<Claim> last = erpbridge::make_error(ErrorCode::Transport, "not run");
  std::thread a = queued_as(*store, 1, [&] { first = store->claim("RK-60", "fp", 60s); });
  std::thread b = queued_as(*store, 2, [&] {
    failing = erpbridge::wms::internal::run_in_sqlite_batch(*store, [](sqlite3* db) {
      // Half-way through, then a failure: its own write must not survive.
      sqlite3_exec(db, "INSERT INTO erpbridge_wms_sequences (day, last) VALUES ('half', 1)",
                   nullptr, nullptr, nullptr);
      return erpbridge::Result<void>(erpbridge::make_error(ErrorCode::Api, "failed half-way"));
    });
  });
  std::thread c = queued_as(*store, 3, [&] { last = store->claim("RK-61", "fp", 60s); });
  hold.release();
  for (std::thread* thread : {&holder, &a, &b, &c}) thread->join();
  REQUIRE(first.ok());
  REQUIRE(last.ok());
  CHECK(first->kind == Claim::Kind::Claimed);
  CHECK(last->kind == Claim::Kind::Claimed);
  CHECK_FALSE(failing.ok());
  CHECK(store->claim("RK-60", "fp", 60s)->kind == Claim::Kind::Busy);  // committed
  CHECK(store->claim("RK-61", "fp", 60s)->kind == Claim::Kind::Busy);
  CHECK(*store->next_sequence("half") == 1);  // the failed operation's row is gone
}

TEST_CASE(
    "SQLite store: a batch whose transaction SQLite rolled back fails whole, commits nothing") {
  TempDir directory;
  auto store = open_sqlite_store(directory.file("claims.db")).value();
  WriterHold hold;
  std::thread holder = hold.start(*store);
  erpbridge::Result<Claim> before = erpbridge::make_error(ErrorCode::Transport, "not run");
  erpbridge::Result<void> rolled_back = erpbridge::ok();
  erpbridge::Result<Claim> after = erpbridge::make_error(ErrorCode::Transport, "not run");
  std::thread a = queued_as(*store, 1, [&] { before = store->claim("RK-70", "fp", 60s); });
  std::thread b = queued_as(*store, 2, [&] {
    rolled_back = erpbridge::wms::internal::run_in_sqlite_batch(*store, [](sqlite3* db) {
      // What SQLite may do itself on SQLITE_FULL, IOERR or NOMEM: end the transaction.
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      return erpbridge::Result<void>(
          erpbridge::make_error(ErrorCode::Transport, "database or disk is full"));
    });
  });
  std::thread c = queued_as(*store, 3, [&] { after = store->claim("RK-71", "fp", 60s); });
  hold.release();
  for (std::thread* thread : {&holder, &a, &b, &c}) thread->join();
  // Every operation of the batch failed -- the one before the rollback too, since it was
  // undone -- and the one after did not run in autocommit mode behind the batch's back.
  CHECK_FALSE(before.ok());
  CHECK_FALSE(rolled_back.ok());
  CHECK_FALSE(after.ok());
  CHECK(store->claim("RK-70", "fp", 60s)->kind == Claim::Kind::Claimed);  // nothing kept
  CHECK(store->claim("RK-71", "fp", 60s)->kind == Claim::Kind::Claimed);
  // The store goes on: the next batch commits.
  CHECK(store->claim("RK-71", "fp", 60s)->kind == Claim::Kind::Busy);
}

TEST_CASE("Claim store: a held claim is renewed, a lost or ended one is not") {
  each_store([](Backend& b) {
    INFO(b.name);
    auto held = b.store->claim("RK-80", "fp", 100ms);
    REQUIRE(held->kind == Claim::Kind::Claimed);
    b.clock.advance(90ms);
    REQUIRE(b.store->renew(held->token, 100ms).ok());
    b.clock.advance(90ms);  // past the first lease, inside the renewed one
    CHECK(b.store->claim("RK-80", "fp", 60s)->kind == Claim::Kind::Busy);
    b.clock.advance(10ms);  // the renewed lease ends: taken over
    auto taken = b.store->claim("RK-80", "fp", 60s);
    REQUIRE(taken->kind == Claim::Kind::Claimed);
    auto lost = b.store->renew(held->token, 100ms);
    REQUIRE_FALSE(lost.ok());
    CHECK(lost.error().code == ErrorCode::FailedPrecondition);
    CHECK(b.store->renew(taken->token, 60s).ok());
    REQUIRE(b.store->complete(taken->token, kReply).ok());
    CHECK(b.store->renew(taken->token, 60s).error().code == ErrorCode::FailedPrecondition);
  });
}
