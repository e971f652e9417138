// The WMS receiver's throughput: pushes per second with 16 concurrent pushers, each on its
// own keep-alive connection over loopback, each push a new entry order (the spec's sample
// with its own entry_code, the codes from one increasing sequence handed to the pushers in
// turn). Side by side, on one and the same cpp-httplib server set-up:
//   BM_Receiver/Bare      the baseline: the body parsed with RapidJSON's DOM, answered
//   BM_Receiver/Memory    the Receiver in inbox mode on the memory store
//   BM_Receiver/Sqlite    ... on SqliteStore (synchronous=FULL: every reply after its fsync),
//                         SQLite's own VFS (the default)
//   BM_Receiver/SqlitePerPusherCodes  the same, each pusher's codes a range of their own
//   BM_Receiver/SqliteGatheredWal     the same with the opt-in gathered-WAL VFS
//   BM_Receiver/FsyncFloor  not a receiver: one 4 KiB write and fdatasync of a file beside the
//                         SQLite one, the floor under every SQLite commit on this machine
//   BM_Receiver/Postgres  ... on PostgresStore (needs ERPBRIDGE_TEST_POSTGRES: scripts/bench
//                         runs under scripts/with-postgres)
#include <benchmark/benchmark.h>
#include <httplib.h>
#include <libpq-fe.h>
#include <rapidjson/document.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "call_samples.hpp"
#include "data/wms_sample.hpp"
#include "erpbridge/wms/postgres_store.hpp"
#include "erpbridge/wms/receiver.hpp"
#include "erpbridge/wms/sqlite_store.hpp"

namespace {

using namespace erpbridge;

constexpr int kPushers = 16;
constexpr int kPushesPerPusher = 150;  // per benchmark iteration
const char* kToken = "bench-token";

// The spec's request sample (AI-WMS PLUS CreateEntryConfirmation) with its own entry_code.
std::string order(const std::string& code) {
  std::string body = test_data::kWmsRequestSample;
  for (std::size_t at = body.find("RK230302000001"); at != std::string::npos;
       at = body.find("RK230302000001", at + code.size())) {
    body.replace(at, 14, code);
  }
  return body;
}

// One HTTP server, the same for every variant: a pool with a thread per pusher connection.
class Server {
 public:
  explicit Server(httplib::Server::Handler handler) {
    server_.new_task_queue = [] { return new httplib::ThreadPool(kPushers + 4); };
    // As `erpbridge wms serve` does: a backlog above httplib's 5, so that 16 connects at
    // once are not retried a second later.
    int listen_fd = -1;
    server_.set_socket_options([&listen_fd](socket_t fd) {
      int on = 1;
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
      listen_fd = fd;
    });
    server_.set_tcp_nodelay(true);
    server_.set_keep_alive_max_count(1000000);
    server_.Post("/CreateEntryConfirmation", std::move(handler));
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (listen_fd >= 0) ::listen(listen_fd, SOMAXCONN);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~Server() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

httplib::Server::Handler receiver_handler(wms::Receiver& receiver) {
  return [&receiver](const httplib::Request& in, httplib::Response& out) {
    HttpHeaders headers;
    for (const auto& header : in.headers) headers.emplace_back(header.first, header.second);
    wms::ReceiverReply reply = receiver.handle(headers, in.body);
    out.status = reply.http_status;
    out.set_content(reply.body, "application/json; charset=utf-8");
  };
}

// By hand: RapidJSON DOM, the entry_code checked, a reply written.
httplib::Server::Handler bare_handler() {
  return [](const httplib::Request& in, httplib::Response& out) {
    rapidjson::Document document;
    document.Parse(in.body.data(), in.body.size());
    if (document.HasParseError() || !document.IsObject() || !document.HasMember("entry_order") ||
        !document["entry_order"].IsObject() || !document["entry_order"].HasMember("entry_code") ||
        !document["entry_order"]["entry_code"].IsString() ||
        in.get_header_value("Authorization") != kToken) {
      out.status = 400;
      out.set_content(R"({"code":"400","message":"bad request"})", "application/json");
      return;
    }
    static std::atomic<long> numbers{0};
    out.set_content(R"({"code":"0","message":"新增成功","bil_id":"PC","bil_no":"PC)" +
                        std::to_string(++numbers) + "\"}",
                    "application/json; charset=utf-8");
  };
}

// A database of its own on the server ERPBRIDGE_TEST_POSTGRES names, dropped afterwards.
class BenchDatabase {
 public:
  BenchDatabase() {
    const char* base = std::getenv("ERPBRIDGE_TEST_POSTGRES");
    if (base == nullptr || *base == '\0') return;
    base_ = base;
    name_ = "erpbridge_bench_" + std::to_string(std::random_device{}() % 1000000000u);
    if (execute("CREATE DATABASE " + name_)) conninfo_ = base_ + " dbname=" + name_;
  }
  ~BenchDatabase() {
    if (!conninfo_.empty()) execute("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  }
  const std::string& conninfo() const { return conninfo_; }

 private:
  bool execute(const std::string& sql) const {
    PGconn* connection = PQconnectdb(base_.c_str());
    PGresult* result =
        PQstatus(connection) == CONNECTION_OK ? PQexec(connection, sql.c_str()) : nullptr;
    const bool done = result != nullptr && PQresultStatus(result) == PGRES_COMMAND_OK;
    PQclear(result);
    PQfinish(connection);
    return done;
  }
  std::string base_;
  std::string name_;
  std::string conninfo_;
};

// How the pushed orders' entry codes are laid out.
enum class Codes {
  // From one increasing sequence, as a WMS issues them (the spec's RK230302000001 is a prefix,
  // a date and a serial number), handed to the pushers in turn.
  OneSequence,
  // A range of its own for each pusher: 16 places in the claims' key order that grow at once.
  PerPusherRanges,
};

std::string entry_code(Codes codes, const std::string& run, long iteration, int pusher, int push) {
  if (codes == Codes::PerPusherRanges) {
    return run + "-" + std::to_string(iteration) + "-" + std::to_string(pusher) + "-" +
           std::to_string(push);
  }
  char serial[24];
  std::snprintf(serial, sizeof serial, "%09ld",
                (iteration * kPushesPerPusher + push) * kPushers + pusher);
  return run + "-" + serial;
}

// 16 pushers, each on its own keep-alive connection, each pushing new orders; the time of
// each iteration is the wall time of all its pushes.
void push_hard(benchmark::State& state, int port, const std::string& run,
               Codes codes = Codes::OneSequence) {
  std::vector<std::unique_ptr<httplib::Client>> clients;
  for (int p = 0; p < kPushers; ++p) {
    clients.push_back(std::make_unique<httplib::Client>("127.0.0.1", port));
    clients.back()->set_keep_alive(true);
    clients.back()->set_tcp_nodelay(true);
  }
  // Connected before the clock starts: the figure is pushes, not TCP handshakes.
  for (auto& client : clients) (void)client->Get("/health");
  long iteration = 0;
  double seconds = 0;
  long pushes = 0;
  std::atomic<long> failures{0};
  for (auto _ : state) {
    std::vector<std::vector<std::string>> bodies(kPushers);
    for (int p = 0; p < kPushers; ++p) {
      for (int i = 0; i < kPushesPerPusher; ++i) {
        bodies[static_cast<std::size_t>(p)].push_back(
            order(entry_code(codes, run, iteration, p, i)));
      }
    }
    ++iteration;
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pushers;
    for (int p = 0; p < kPushers; ++p) {
      pushers.emplace_back([&, p] {
        for (const std::string& body : bodies[static_cast<std::size_t>(p)]) {
          auto reply = clients[static_cast<std::size_t>(p)]->Post(
              "/CreateEntryConfirmation", {{"Authorization", kToken}}, body, "application/json");
          if (!reply || reply->status != 200) ++failures;
        }
      });
    }
    for (auto& pusher : pushers) pusher.join();
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    state.SetIterationTime(elapsed);
    seconds += elapsed;
    pushes += kPushers * kPushesPerPusher;
  }
  if (failures > 0) {
    state.SkipWithError(
        (std::to_string(failures.load()) + " pushes were not answered 200").c_str());
    return;
  }
  state.counters["pushes_per_s"] = seconds > 0 ? pushes / seconds : 0;
}

std::string run_id() {
  static std::atomic<int> runs{0};
  return "RK" + std::to_string(::getpid()) + "-" + std::to_string(++runs);
}

void BM_Receiver_Bare(benchmark::State& state) {
  Server server(bare_handler());
  push_hard(state, server.port(), run_id());
}

void BM_Receiver_Memory(benchmark::State& state) {
  wms::Receiver receiver(wms::InboxMode{}, wms::expect_token(kToken), wms::make_memory_store());
  Server server(receiver_handler(receiver));
  push_hard(state, server.port(), run_id());
}

void sqlite_receiver(benchmark::State& state, Codes codes, wms::SqliteStoreOptions options = {}) {
  char directory[] = "/tmp/erpbridge-bench-XXXXXX";
  if (mkdtemp(directory) == nullptr) {
    state.SkipWithError("no temporary directory");
    return;
  }
  const std::string path = std::string(directory) + "/receiver.db";
  {
    auto store = wms::open_sqlite_store(path, options);
    if (!store.ok()) {
      state.SkipWithError(store.error().to_string().c_str());
    } else {
      wms::Receiver receiver(wms::InboxMode{}, wms::expect_token(kToken), *store);
      Server server(receiver_handler(receiver));
      push_hard(state, server.port(), run_id(), codes);
    }
  }
  std::system(("rm -rf '" + std::string(directory) + "'").c_str());
}

void BM_Receiver_Sqlite(benchmark::State& state) {
  sqlite_receiver(state, Codes::OneSequence);
}

// The same with a range of codes per pusher: each commit then writes a claims page for most
// of its orders (reported beside the main figure).
void BM_Receiver_SqlitePerPusherCodes(benchmark::State& state) {
  sqlite_receiver(state, Codes::PerPusherRanges);
}

void BM_Receiver_SqliteGatheredWal(benchmark::State& state) {
  wms::SqliteStoreOptions options;
  options.gathered_wal_writes = true;
  sqlite_receiver(state, Codes::OneSequence, options);
}

void BM_Receiver_FsyncFloor(benchmark::State& state) {
  char path[] = "/tmp/erpbridge-bench-fsync-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) {
    state.SkipWithError("no temporary file");
    return;
  }
  std::string page(4096, 'x');
  std::int64_t at = 0;
  for (auto _ : state) {
    // Sixteen pages in turn, as a WAL grows and restarts.
    if (::pwrite(fd, page.data(), page.size(), (at++ % 16) * 4096) != 4096 ||
        ::fdatasync(fd) != 0) {
      state.SkipWithError("write or fdatasync failed");
      break;
    }
  }
  ::close(fd);
  ::unlink(path);
}

void BM_Receiver_Postgres(benchmark::State& state) {
  BenchDatabase database;
  if (database.conninfo().empty()) {
    state.SkipWithError("no PostgreSQL: run under scripts/with-postgres (scripts/bench does)");
    return;
  }
  wms::PostgresStoreOptions options;
  options.connections = kPushers;
  auto store = wms::open_postgres_store(database.conninfo(), options);
  if (!store.ok()) {
    state.SkipWithError(store.error().to_string().c_str());
    return;
  }
  wms::Receiver receiver(wms::InboxMode{}, wms::expect_token(kToken), *store);
  Server server(receiver_handler(receiver));
  push_hard(state, server.port(), run_id());
}

// Like the typed calls, the call benchmarks' repetitions (31 in scripts/bench): a receiver
// repetition times at least 0.5 s of pushes, the machine's slow spells last seconds, and with
// a median of 11 the SQLite ratio moved between 0.49x and 0.55x from run to run.
void receiver(benchmark::internal::Benchmark* run) {
  run->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(0.5);
  bench::call_repetitions(run);
}

}  // namespace

BENCHMARK(BM_Receiver_Bare)->Apply(receiver);
BENCHMARK(BM_Receiver_Memory)->Apply(receiver);
BENCHMARK(BM_Receiver_Sqlite)->Apply(receiver);
BENCHMARK(BM_Receiver_SqlitePerPusherCodes)->Apply(receiver);
BENCHMARK(BM_Receiver_SqliteGatheredWal)->Apply(receiver);
BENCHMARK(BM_Receiver_FsyncFloor)->Unit(benchmark::kMicrosecond)->MinTime(0.5);
BENCHMARK(BM_Receiver_Postgres)->Apply(receiver);
