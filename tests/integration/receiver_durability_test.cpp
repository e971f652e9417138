// The WMS receiver as users run it, over real HTTP on loopback: `erpbridge wms serve` killed
// with SIGKILL mid-run and restarted on its SQLite file, two replicas sharing one PostgreSQL,
// and a handler-mode holder that dies mid-handler. Expected outcomes are counted from what
// the pushers saw and from the stores' rows, never from the receiver's own bookkeeping.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <rapidjson/document.h>
#include <sys/socket.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <csignal>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "data/wms_sample.hpp"
#include "erpbridge/wms/client.hpp"
#include "erpbridge/wms/postgres_store.hpp"
#include "erpbridge/wms/sqlite_store.hpp"
#include "erpbridge/wms/token_issuer.hpp"
#include "support/files.hpp"
#include "support/postgres.hpp"
#include "support/prometheus_text.hpp"
#include "support/subprocess.hpp"
#include "support/timing.hpp"

using erpbridge::test_support::ChildProcess;
using erpbridge::test_support::TempDir;
using erpbridge::test_support::TestDatabase;
using namespace std::chrono_literals;

namespace {

const std::string kToken = "durability-test-token";
constexpr int kOrders = 2000;

std::string order_body(const std::string& code) {
  std::string body = erpbridge::test_data::kWmsRequestSample;
  for (std::size_t at = body.find("RK230302000001"); at != std::string::npos;
       at = body.find("RK230302000001", at + code.size())) {
    body.replace(at, 14, code);
  }
  return body;
}

std::string code_of(int order) {
  char code[32];
  std::snprintf(code, sizeof code, "RK-DUR-%05d", order);
  return code;
}

// A receiver program on an ephemeral port; its port is read from its first line.
struct Server {
  std::unique_ptr<ChildProcess> process;
  int port = 0;

  // `erpbridge wms serve` with `arguments` after --port 0, and `environment` (by default the
  // static token).
  static Server cli(std::vector<std::string> arguments,
                    std::vector<std::string> environment = {"ERPBRIDGE_WMS_TOKEN=" + kToken}) {
    std::vector<std::string> argv = {ERPBRIDGE_CLI_PROGRAM, "wms", "serve", "--port", "0"};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    Server server;
    server.process = std::make_unique<ChildProcess>(argv, std::move(environment));
    const std::string line = server.process->read_line();
    // "erpbridge wms serve: listening on http://127.0.0.1:PORT (...)"
    const std::size_t colon = line.find("127.0.0.1:");
    if (colon != std::string::npos) server.port = std::atoi(line.c_str() + colon + 10);
    return server;
  }

  static Server handler_receiver(const std::string& store, const std::string& log,
                                 const std::string& lease_ms, const std::string& hang_code,
                                 const std::string& hang_when) {
    Server server;
    server.process = std::make_unique<ChildProcess>(
        std::vector<std::string>{ERPBRIDGE_HANDLER_RECEIVER_PROGRAM, store, log, lease_ms,
                                 hang_code, hang_when},
        std::vector<std::string>{"ERPBRIDGE_WMS_TOKEN=" + kToken});
    const std::string line = server.process->read_line();  // "listening PORT"
    if (line.rfind("listening ", 0) == 0) server.port = std::atoi(line.c_str() + 10);
    return server;
  }
};

struct Outcome {
  int status = 0;  // -1: no answer (connection refused or cut)
  std::string body;
  std::string retry_after;
};

Outcome post(httplib::Client& client, const std::string& body) {
  auto response = client.Post("/CreateEntryConfirmation", {{"Authorization", kToken}}, body,
                              "application/json");
  if (!response) return Outcome{-1, "", ""};
  return Outcome{response->status, response->body, response->get_header_value("Retry-After")};
}

std::unique_ptr<httplib::Client> client_for(int port) {
  auto client = std::make_unique<httplib::Client>("127.0.0.1", port);
  client->set_keep_alive(true);
  client->set_connection_timeout(5);
  client->set_read_timeout(30);
  return client;
}

// Sends `body` to `port` until it gets a 200 (a 503 or a refused connection is tried again);
// gives up after a minute.
Outcome post_until_accepted(int port, const std::string& body) {
  auto client = client_for(port);
  const auto give_up = std::chrono::steady_clock::now() + 60s;
  Outcome outcome;
  while (std::chrono::steady_clock::now() < give_up) {
    outcome = post(*client, body);
    if (outcome.status == 200) return outcome;
    std::this_thread::sleep_for(outcome.status == 503 ? 200ms : 20ms);
  }
  return outcome;
}

std::string bil_no_of(const std::string& reply) {
  rapidjson::Document document;
  document.Parse(reply.c_str(), reply.size());
  if (document.HasParseError() || !document.IsObject() || !document.HasMember("bil_no") ||
      !document["bil_no"].IsString()) {
    return "";
  }
  return document["bil_no"].GetString();
}

// Runs `work(i)` for i in [0, count) on 16 threads.
template <typename Work>
void on_16_threads(int count, Work work) {
  std::atomic<int> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < count; i = next++) work(i);
    });
  }
  for (auto& thread : threads) thread.join();
}

// Every order was answered 200 on each of its sends, all with one reply; returns the bil_no
// of each entry code.
std::map<std::string, std::string> identical_replies(
    const std::vector<std::array<Outcome, 2>>& outcomes) {
  std::map<std::string, std::string> bills;
  std::size_t not_accepted = 0;
  std::size_t differing = 0;
  for (int i = 0; i < static_cast<int>(outcomes.size()); ++i) {
    const auto& pair = outcomes[static_cast<std::size_t>(i)];
    if (pair[0].status != 200 || pair[1].status != 200) ++not_accepted;
    if (pair[0].body != pair[1].body) ++differing;
    bills[code_of(i)] = bil_no_of(pair[0].body);
  }
  CHECK(not_accepted == 0);
  CHECK(differing == 0);
  return bills;
}

// 16 pushers send each of the kOrders orders to both replicas at the same moment, with
// `send(client, body)` (one send, or one and its repeats); `orders_done` counts the orders
// whose two sends have finished.
template <typename Send>
void push_each_to_both(int port_a, int port_b, std::vector<std::array<Outcome, 2>>& outcomes,
                       std::atomic<int>& orders_done, Send send) {
  std::atomic<int> next{0};
  std::vector<std::thread> pushers;
  for (int t = 0; t < 16; ++t) {
    pushers.emplace_back([&] {
      auto to_a = client_for(port_a);
      auto to_b = client_for(port_b);
      for (int i = next++; i < kOrders; i = next++) {
        auto& pair = outcomes[static_cast<std::size_t>(i)];
        const std::string body = order_body(code_of(i));
        std::thread on_b([&] { pair[1] = send(*to_b, body); });
        pair[0] = send(*to_a, body);
        on_b.join();
        ++orders_done;
      }
    });
  }
  for (auto& pusher : pushers) pusher.join();
}

// The inbox of the PostgreSQL store at `conninfo` holds each of the kOrders orders once, with
// the bil_no its pushes were answered (`bills`, by entry code).
void check_postgres_inbox(const std::string& conninfo,
                          const std::map<std::string, std::string>& bills) {
  auto opened = erpbridge::wms::open_postgres_store(conninfo);
  REQUIRE(opened.ok());
  auto entries = (*opened)->list(0, 10 * kOrders, true);
  REQUIRE(entries.ok());
  CHECK(entries->size() == static_cast<std::size_t>(kOrders));
  std::set<std::string> codes;
  std::size_t mismatched = 0;
  for (const auto& entry : *entries) {
    codes.insert(entry.entry_code);
    if (bills.at(entry.entry_code) != entry.reply.bil_no) ++mismatched;
  }
  CHECK(codes.size() == static_cast<std::size_t>(kOrders));
  CHECK(mismatched == 0);
}

// The crash run: 2,000 orders, each pushed twice (every third pair at once), the server killed
// after `kill_after` answered sends, restarted by `restart`, and every send without a 200 sent
// again to the new process.
std::vector<std::array<Outcome, 2>> push_through_a_crash(Server& server,
                                                         const std::function<Server()>& restart) {
  std::vector<std::array<Outcome, 2>> outcomes(kOrders);
  std::atomic<int> sends_done{0};
  std::thread killer([&] {
    while (sends_done < 1500) std::this_thread::sleep_for(1ms);
    server.process->kill_now();
  });
  std::atomic<int> next{0};
  std::vector<std::thread> pushers;
  for (int t = 0; t < 16; ++t) {
    pushers.emplace_back([&] {
      auto first = client_for(server.port);
      auto second = client_for(server.port);
      for (int i = next++; i < kOrders; i = next++) {
        auto& pair = outcomes[static_cast<std::size_t>(i)];
        const std::string body = order_body(code_of(i));
        if (i % 3 == 0) {  // the pair at once
          std::thread at_once([&] {
            pair[1] = post(*second, body);
            ++sends_done;
          });
          pair[0] = post(*first, body);
          ++sends_done;
          at_once.join();
        } else {
          pair[0] = post(*first, body);
          ++sends_done;
          pair[1] = post(*first, body);
          ++sends_done;
        }
      }
    });
  }
  for (auto& pusher : pushers) pusher.join();
  killer.join();

  std::size_t answered_before = 0;
  for (const auto& pair : outcomes) {
    for (const auto& outcome : pair) answered_before += outcome.status == 200 ? 1 : 0;
  }
  INFO("sends answered 200 before the kill: " << answered_before);
  CHECK(answered_before > 0);
  CHECK(answered_before < 2u * kOrders);  // the kill did cut the run

  Server restarted = restart();
  REQUIRE(restarted.port > 0);
  on_16_threads(kOrders, [&](int i) {
    for (auto& outcome : outcomes[static_cast<std::size_t>(i)]) {
      if (outcome.status != 200)
        outcome = post_until_accepted(restarted.port, order_body(code_of(i)));
    }
  });
  CHECK(restarted.process->stop(SIGTERM, 10s) == 0);
  return outcomes;
}

}  // namespace

TEST_CASE(
    "Durability: wms serve on SQLite (inbox mode) killed mid-run loses nothing, keeps "
    "nothing twice") {
  TempDir directory;
  const std::string store = "sqlite:" + directory.file("receiver.db");
  Server server = Server::cli({"--store", store, "--mode", "inbox", "--lease", "2"});
  REQUIRE(server.port > 0);
  auto outcomes = push_through_a_crash(server, [&] {
    return Server::cli({"--store", store, "--mode", "inbox", "--lease", "2"});
  });
  const auto bills = identical_replies(outcomes);

  auto opened = erpbridge::wms::open_sqlite_store(directory.file("receiver.db"));
  REQUIRE(opened.ok());
  auto entries = (*opened)->list(0, 10 * kOrders, true);
  REQUIRE(entries.ok());
  CHECK(entries->size() == static_cast<std::size_t>(kOrders));
  std::set<std::string> codes;
  std::set<std::string> numbers;
  std::size_t mismatched = 0;
  for (const auto& entry : *entries) {
    codes.insert(entry.entry_code);
    numbers.insert(entry.reply.bil_no);
    auto bill = bills.find(entry.entry_code);
    if (bill == bills.end() || bill->second != entry.reply.bil_no) ++mismatched;
    if (bil_no_of(entry.body).empty() && entry.body != order_body(entry.entry_code)) ++mismatched;
  }
  CHECK(codes.size() == static_cast<std::size_t>(kOrders));    // none missing, none twice
  CHECK(numbers.size() == static_cast<std::size_t>(kOrders));  // no number given twice
  CHECK(mismatched == 0);  // what WMS was answered is what the inbox holds
}

TEST_CASE("Durability: wms serve on SQLite (log mode) killed mid-run delivers each order once") {
  TempDir directory;
  const std::vector<std::string> arguments = {
      "--store", "sqlite:" + directory.file("receiver.db"), "--mode",  "log",
      "--log",   directory.file("delivered.log"),           "--lease", "2"};
  Server server = Server::cli(arguments);
  REQUIRE(server.port > 0);
  auto outcomes = push_through_a_crash(server, [&] { return Server::cli(arguments); });
  const auto bills = identical_replies(outcomes);

  std::ifstream log(directory.file("delivered.log"));
  std::map<std::string, int> deliveries;
  std::size_t mismatched = 0;
  for (std::string code, bil_no; log >> code >> bil_no;) {
    ++deliveries[code];
    if (bills.at(code) != bil_no) ++mismatched;
  }
  CHECK(deliveries.size() == static_cast<std::size_t>(kOrders));
  std::size_t repeated = 0;
  for (const auto& [code, count] : deliveries) repeated += count > 1 ? 1 : 0;
  CHECK(repeated == 0);
  CHECK(mismatched == 0);
}

TEST_CASE(
    "Durability: two wms serve replicas on one PostgreSQL accept each order once, and "
    "one may die") {
  TestDatabase database;
  const std::vector<std::string> arguments = {
      "--store", "postgres:" + database.conninfo(), "--mode", "inbox", "--lease", "2"};
  Server a = Server::cli(arguments);
  Server b = Server::cli(arguments);
  REQUIRE(a.port > 0);
  REQUIRE(b.port > 0);

  std::vector<std::array<Outcome, 2>> outcomes(kOrders);
  std::atomic<int> orders_done{0};
  std::thread killer([&] {
    while (orders_done < 700) std::this_thread::sleep_for(1ms);
    a.process->kill_now();
  });
  push_each_to_both(a.port, b.port, outcomes, orders_done, post);
  killer.join();
  std::size_t lost_with_a = 0;
  for (const auto& pair : outcomes) lost_with_a += pair[0].status == 200 ? 0 : 1;
  INFO("pushes to the killed replica without a 200: " << lost_with_a);
  CHECK(lost_with_a > 0);

  // The pusher finishes on the survivor.
  on_16_threads(kOrders, [&](int i) {
    for (auto& outcome : outcomes[static_cast<std::size_t>(i)]) {
      if (outcome.status != 200) outcome = post_until_accepted(b.port, order_body(code_of(i)));
    }
  });
  const auto bills = identical_replies(outcomes);
  CHECK(b.process->stop(SIGTERM, 10s) == 0);

  check_postgres_inbox(database.conninfo(), bills);
  CHECK(database.scalar("SELECT count(*) FROM erpbridge_wms_claims WHERE NOT done") == "0");
}

TEST_CASE(
    "Durability: a handler-mode holder that dies mid-handler is taken over after its "
    "lease, with a greater fencing token") {
  TempDir directory;
  const std::string store = "sqlite:" + directory.file("receiver.db");
  const std::string log = directory.file("delivered.log");
  const std::string body = order_body("RK-LEASE-1");
  auto log_lines = [&] {
    std::ifstream in(log);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  };

  SECTION("died before its effect: delivered once, by the second process") {
    Server holder = Server::handler_receiver(store, log, "1500", "RK-LEASE-1", "before");
    REQUIRE(holder.port > 0);
    std::thread pushing([&] { (void)post(*client_for(holder.port), body); });
    CHECK(holder.process->read_line() == "handling RK-LEASE-1");
    holder.process->kill_now();
    pushing.join();

    Server next = Server::handler_receiver(store, log, "1500", "none", "never");
    REQUIRE(next.port > 0);
    auto client = client_for(next.port);
    Outcome busy = post(*client, body);  // the dead holder's lease still runs
    CHECK(busy.status == 503);
    CHECK(!busy.retry_after.empty());
    CHECK(log_lines().empty());
    Outcome accepted = post_until_accepted(next.port, body);
    REQUIRE(accepted.status == 200);
    CHECK(post(*client, body).body == accepted.body);
    REQUIRE(log_lines().size() == 1);
    CHECK(log_lines()[0] == "RK-LEASE-1 " + bil_no_of(accepted.body) + " 2");
  }
  SECTION("died after its effect: the at-least-once window, the handler's effect twice") {
    Server holder = Server::handler_receiver(store, log, "1500", "RK-LEASE-1", "after");
    REQUIRE(holder.port > 0);
    std::thread pushing([&] { (void)post(*client_for(holder.port), body); });
    CHECK(holder.process->read_line() == "handling RK-LEASE-1");
    holder.process->kill_now();
    pushing.join();
    REQUIRE(log_lines().size() == 1);  // its effect happened; its reply was never stored
    CHECK(log_lines()[0].substr(log_lines()[0].rfind(' ')) == " 1");

    Server next = Server::handler_receiver(store, log, "1500", "none", "never");
    REQUIRE(next.port > 0);
    Outcome accepted = post_until_accepted(next.port, body);
    REQUIRE(accepted.status == 200);
    const auto lines = log_lines();
    REQUIRE(lines.size() == 2);  // documented: a handler must be idempotent by entry_code
    // The second run's fencing token is greater: an ERP that keeps the highest one it saw
    // per entry code can refuse a write the first holder makes after it.
    CHECK(lines[1] == "RK-LEASE-1 " + bil_no_of(accepted.body) + " 2");
    CHECK(lines[0] != lines[1]);
    // From now on the stored reply: WMS only ever saw the second delivery's.
    CHECK(post(*client_for(next.port), body).body == accepted.body);
    CHECK(log_lines().size() == 2);
  }
}

namespace {

// What one push got: an HTTP answer, or the client's error (Connection: refused, never
// accepted; Read or Write: cut off after it was sent).
struct Answer {
  int status = 0;
  httplib::Error error = httplib::Error::Success;
  std::string retry_after;
  std::string connection;
  std::string body;
};

Answer push_once(httplib::Client& client, const std::string& body) {
  auto response = client.Post("/CreateEntryConfirmation", {{"Authorization", kToken}}, body,
                              "application/json");
  if (!response) return Answer{0, response.error(), "", "", ""};
  return Answer{response->status, httplib::Error::Success,
                response->get_header_value("Retry-After"), response->get_header_value("Connection"),
                response->body};
}

}  // namespace

TEST_CASE("wms serve: SIGTERM in a burst answers every push it read and keeps every 200") {
  TempDir directory;
  Server server = Server::cli({"--store", "sqlite:" + directory.file("receiver.db"), "--mode",
                               "inbox", "--drain-seconds", "20"});
  REQUIRE(server.port > 0);
  constexpr int kPushers = 16;
  std::vector<std::vector<std::pair<std::string, Answer>>> answers(kPushers);
  std::atomic<int> next{0};
  std::atomic<int> accepted{0};
  std::vector<std::thread> pushers;
  for (int t = 0; t < kPushers; ++t) {
    pushers.emplace_back([&, t] {
      auto client = client_for(server.port);
      // Like WMS: push new orders until one is not accepted, then stop (and retry later).
      for (;;) {
        const std::string code = code_of(next++);
        Answer answer = push_once(*client, order_body(code));
        answers[static_cast<std::size_t>(t)].emplace_back(code, answer);
        if (answer.status != 200) return;
        ++accepted;
      }
    });
  }
  // SIGTERM while all 16 are pushing (a latch on what they were answered, not a sleep).
  REQUIRE(erpbridge::test_support::wait_until([&] { return accepted >= 400; }, 60s));
  REQUIRE(kill(server.process->pid(), SIGTERM) == 0);
  for (auto& pusher : pushers) pusher.join();
  CHECK(server.process->wait(30s) == 0);  // the drain ends by itself

  std::map<std::string, std::string> bills;  // entry code -> bil_no answered with 200
  std::size_t cut = 0;
  std::size_t drained = 0;
  for (const auto& pusher : answers) {
    REQUIRE_FALSE(pusher.empty());
    for (const auto& [code, answer] : pusher) {
      if (answer.status == 200) bills[code] = bil_no_of(answer.body);
      if (answer.error == httplib::Error::Read || answer.error == httplib::Error::Write) ++cut;
    }
    // Each pusher's last push was turned away by the drain, on its open connection: 503 with
    // Retry-After, and the connection closed so the next push finds the successor.
    const Answer& last = pusher.back().second;
    CHECK(last.status == 503);
    CHECK(last.retry_after == "5");
    CHECK(last.connection == "close");
    if (last.status == 503) ++drained;
  }
  CHECK(cut == 0);
  CHECK(drained == static_cast<std::size_t>(kPushers));
  // Every 200 is in the inbox with the bill it was answered with, and nothing else is.
  auto opened = erpbridge::wms::open_sqlite_store(directory.file("receiver.db"));
  REQUIRE(opened.ok());
  auto entries = (*opened)->list(0, 100000, true);
  REQUIRE(entries.ok());
  std::map<std::string, std::string> kept;
  for (const auto& entry : *entries) kept[entry.entry_code] = entry.reply.bil_no;
  CHECK(kept.size() == bills.size());
  CHECK(kept == bills);
}

TEST_CASE("wms serve: /healthz, /readyz, and a drain that waits for an idle connection") {
  TempDir directory;
  Server server = Server::cli({"--store", "sqlite:" + directory.file("receiver.db"), "--mode",
                               "inbox", "--drain-seconds", "60"});
  REQUIRE(server.port > 0);
  // A kept-alive connection: the drain waits for it to close.
  auto idle = client_for(server.port);
  auto health = idle->Get("/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);
  CHECK(health->body == R"({"status":"ok"})");
  auto ready = idle->Get("/readyz");
  REQUIRE(ready);
  CHECK(ready->status == 200);
  CHECK(ready->body == R"({"status":"ready"})");

  REQUIRE(kill(server.process->pid(), SIGTERM) == 0);
  // Probed on the idle connection itself, which each request keeps alive (the server closes
  // a connection idle for 5 s).
  httplib::Client& probe = *idle;
  std::string readiness;
  CHECK(erpbridge::test_support::wait_until(
      [&] {
        auto answer = probe.Get("/readyz");
        if (answer && answer->status == 503) readiness = answer->body;
        return !readiness.empty();
      },
      10s));
  CHECK(readiness == R"({"status":"draining"})");
  // A push on a kept-alive connection: turned away, and told to close it.
  auto late = client_for(server.port);
  Answer turned_away = push_once(*late, order_body("RK-LATE-1"));
  CHECK(turned_away.status == 503);
  CHECK(turned_away.retry_after == "5");
  CHECK(turned_away.connection == "close");
  CHECK(turned_away.body.find(R"("code":503,)") != std::string::npos);
  // Alive while draining, and still draining while that connection stays open.
  auto alive = probe.Get("/healthz");
  REQUIRE(alive);
  CHECK(alive->status == 200);
  // The last connection closes: the drain ends and the process exits 0.
  idle.reset();
  late.reset();
  CHECK(server.process->wait(30s) == 0);
  auto opened = erpbridge::wms::open_sqlite_store(directory.file("receiver.db"));
  REQUIRE(opened.ok());
  CHECK((*opened)->list(0, 10, true)->empty());  // the turned-away order was not kept
}

TEST_CASE("wms serve --issue-tokens: a pusher obtains its token at /auth/token, pushes need one") {
  TempDir directory;
  const std::string secret = "client-secret-for-wms-7";
  // No static token: only issued ones open the door.
  Server server =
      Server::cli({"--store", "sqlite:" + directory.file("receiver.db"), "--issue-tokens"},
                  {"ERPBRIDGE_WMS_TOKEN=", "ERPBRIDGE_WMS_CLIENT_ID=wms-prod",
                   "ERPBRIDGE_WMS_CLIENT_SECRET=" + secret});
  REQUIRE(server.port > 0);
  const std::string base_url = "http://127.0.0.1:" + std::to_string(server.port);
  auto order = erpbridge::wms::parse_entry_confirmation(erpbridge::test_data::kWmsRequestSample);
  REQUIRE(order.ok());
  auto client_with = [&](const std::string& client_secret) {
    erpbridge::wms::IssuedTokenSource source;
    source.client.base_url = base_url;
    source.client_id = "wms-prod";
    source.client_secret = client_secret;
    erpbridge::wms::Options options;
    options.base_url = base_url;
    options.token = erpbridge::wms::make_issued_token(source);
    return erpbridge::wms::Client(options);
  };

  auto pushed = client_with(secret).push(*order);
  INFO((pushed.ok() ? std::string() : pushed.error().to_string()));
  REQUIRE(pushed.ok());
  CHECK(pushed->code == "0");
  CHECK_FALSE(pushed->bil_no.empty());

  auto refused = client_with("client-secret-for-wms-8").push(*order);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == erpbridge::ErrorCode::Unauthenticated);
  CHECK(refused.error().to_string().find("client-secret-for-wms-8") == std::string::npos);

  // The token endpoint itself, and a push with a token it did not issue.
  httplib::Client raw("127.0.0.1", server.port);
  auto token =
      raw.Post("/auth/token", R"({"client_id":"wms-prod","client_secret":")" + secret + R"("})",
               "application/json");
  REQUIRE(token);
  CHECK(token->status == 200);
  CHECK(token->body.find(R"("expires_in":7200)") != std::string::npos);
  auto forged = raw.Post("/CreateEntryConfirmation", {{"Authorization", "ebt1.9999999999.00.00"}},
                         order_body("RK-FORGED-1"), "application/json");
  REQUIRE(forged);
  CHECK(forged->status == 401);
  CHECK(server.process->stop(SIGTERM, 15s) == 0);
}

TEST_CASE("wms serve: 64 connections stalled half-way through a request do not delay a push") {
  TempDir directory;
  Server server = Server::cli({"--store", "sqlite:" + directory.file("receiver.db")});
  REQUIRE(server.port > 0);
  // Each sends the head of a push and 20 of its 1,000 bytes, then nothing (a slow or broken
  // sender); they connect first, so the server takes them before the push below.
  std::vector<int> stalled;
  for (int i = 0; i < 64; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(server.port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    const std::string head =
        "POST /CreateEntryConfirmation HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + kToken +
        "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"entry_order\":{";
    REQUIRE(::send(fd, head.data(), head.size(), MSG_NOSIGNAL) ==
            static_cast<ssize_t>(head.size()));
    stalled.push_back(fd);
  }
  auto client = client_for(server.port);
  const auto started = std::chrono::steady_clock::now();
  Answer answer = push_once(*client, order_body("RK-BESIDE-STALLED"));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  CHECK(answer.status == 200);
  // The stalled ones would hold the push until the 10 s read timeout if they took every
  // worker.
  CHECK(elapsed < erpbridge::test_support::scaled(1s));
  for (const int fd : stalled) ::close(fd);
  CHECK(server.process->stop(SIGTERM, 30s) == 0);
}

TEST_CASE(
    "Durability: PostgreSQL stopped for 5 s under 2,000 pushes to two replicas, 503 while "
    "down, each order once after") {
  // A server of the test's own: stopping the shared one would fail the tests beside it.
  erpbridge::test_support::PostgresServer postgres;
  const std::vector<std::string> arguments = {
      "--store", "postgres:" + postgres.conninfo(), "--mode", "inbox", "--lease", "2"};
  Server a = Server::cli(arguments);
  Server b = Server::cli(arguments);
  REQUIRE(a.port > 0);
  REQUIRE(b.port > 0);

  // Each order is pushed to both replicas at the same moment; a send without a 200 is sent
  // again (a pusher that follows Retry-After would wait longer, to the same end).
  std::vector<std::array<Outcome, 2>> outcomes(kOrders);
  std::atomic<int> orders_done{0};
  std::atomic<bool> down{false};
  std::atomic<int> unavailable_while_down{0};
  std::atomic<int> unavailable_without_retry_after{0};
  std::atomic<int> other_failures{0};
  auto send = [&](httplib::Client& client, const std::string& body) {
    const auto give_up = std::chrono::steady_clock::now() + 60s;
    Outcome outcome = post(client, body);
    while (outcome.status != 200 && std::chrono::steady_clock::now() < give_up) {
      if (outcome.status == 503) {
        if (down) ++unavailable_while_down;
        if (outcome.retry_after.empty()) ++unavailable_without_retry_after;
      } else {
        ++other_failures;  // a 500, or no answer at all: neither may happen
      }
      std::this_thread::sleep_for(100ms);
      outcome = post(client, body);
    }
    return outcome;
  };
  // The outage: after 500 orders, stopped for 5 s, started again on the same port.
  std::atomic<int> not_ready_while_down{0};
  std::atomic<int> metrics_not_ready_while_down{0};
  std::thread outage([&] {
    while (orders_done < 500) std::this_thread::sleep_for(1ms);
    postgres.stop();
    down = true;
    const auto restart_at = std::chrono::steady_clock::now() + 5s;
    auto probe = client_for(a.port);
    while (std::chrono::steady_clock::now() < restart_at) {
      auto ready = probe->Get("/readyz");
      if (ready && ready->status == 503) ++not_ready_while_down;
      auto scraped = probe->Get("/metrics");
      if (scraped && erpbridge::test_support::read_prometheus_text(scraped->body)
                             .value("erpbridge_receiver_ready") == 0) {
        ++metrics_not_ready_while_down;
      }
      std::this_thread::sleep_for(200ms);
    }
    down = false;
    postgres.start();
  });
  push_each_to_both(a.port, b.port, outcomes, orders_done, send);
  outage.join();

  INFO("503s during the outage: " << unavailable_while_down);
  CHECK(unavailable_while_down > 0);
  CHECK(unavailable_without_retry_after == 0);
  CHECK(other_failures == 0);
  CHECK(not_ready_while_down > 0);
  CHECK(metrics_not_ready_while_down > 0);
  const auto after =
      erpbridge::test_support::read_prometheus_text(client_for(a.port)->Get("/metrics")->body);
  CHECK(after.value("erpbridge_receiver_pushes_total", "outcome=\"store_unavailable\"") > 0);
  const auto bills = identical_replies(outcomes);
  // The same two processes, ready again without a restart.
  for (Server* replica : {&a, &b}) {
    auto ready = client_for(replica->port)->Get("/readyz");
    REQUIRE(ready);
    CHECK(ready->status == 200);
  }
  CHECK(a.process->stop(SIGTERM, 10s) == 0);
  CHECK(b.process->stop(SIGTERM, 10s) == 0);

  check_postgres_inbox(postgres.conninfo(), bills);
}

TEST_CASE("wms serve: a second SIGTERM cuts the drain short, what was answered 200 is kept") {
  TempDir directory;
  Server server = Server::cli({"--store", "sqlite:" + directory.file("receiver.db"), "--mode",
                               "inbox", "--drain-seconds", "60"});
  REQUIRE(server.port > 0);
  // A kept-alive connection would hold the drain open (up to the server's 5 s idle limit).
  auto idle = client_for(server.port);
  REQUIRE(post(*idle, order_body("RK-CUT-1")).status == 200);
  REQUIRE(kill(server.process->pid(), SIGTERM) == 0);
  auto draining = client_for(server.port);
  CHECK(erpbridge::test_support::wait_until(
      [&] {
        auto ready = draining->Get("/readyz");
        return ready && ready->status == 503;
      },
      10s));
  // The second signal: the process ends now, not when the connections are gone.
  const auto cut_at = std::chrono::steady_clock::now();
  CHECK(server.process->stop(SIGTERM, 3s) == 1);
  CHECK(std::chrono::steady_clock::now() - cut_at < 3s);
  auto opened = erpbridge::wms::open_sqlite_store(directory.file("receiver.db"));
  REQUIRE(opened.ok());
  auto kept = (*opened)->list(0, 10, true);
  REQUIRE(kept.ok());
  REQUIRE(kept->size() == 1);
  CHECK(kept->at(0).entry_code == "RK-CUT-1");
}

TEST_CASE("The Prometheus text reader finds what the format forbids") {
  using erpbridge::test_support::read_prometheus_text;
  const std::string good =
      "# HELP a_total Things.\n# TYPE a_total counter\na_total{k=\"v \\\"q\\\" \\\\ "
      "\\n\"} 3\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\n"
      "h_sum 1.5\nh_count 2\n";
  const auto read = read_prometheus_text(good);
  CHECK(read.violations.empty());
  CHECK(read.value("a_total", "k=\"v \\\"q\\\" \\\\ \\n\"") != read.value("nothing"));
  CHECK(read.value("h_count") == 2);
  for (const std::string& bad : {
           std::string("9name 1\n"),                                              // name start
           std::string("a{k=v} 1\n"),                                             // unquoted value
           std::string("a{k=\"\\t\"} 1\n"),                                       // bad escape
           std::string("a one\n"),                                                // bad value
           std::string("a 1\na 2\n"),                                             // series twice
           std::string("a 1\nb 1\na{x=\"y\"} 1\n"),                               // apart
           std::string("a 1\n# TYPE a counter\n"),                                // TYPE late
           std::string("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_count 2\n"),  // no +Inf
           std::string("# TYPE h histogram\nh_bucket{le=\"1\"} 3\nh_bucket{le=\"+Inf\"} "
                       "2\nh_count 2\n"),  // not cumulative
       }) {
    INFO(bad);
    CHECK_FALSE(read_prometheus_text(bad).violations.empty());
  }
}

TEST_CASE("wms serve: /metrics reads back under the Prometheus text rules, counted by value") {
  TempDir directory;
  Server server =
      Server::cli({"--store", "sqlite:" + directory.file("receiver.db"), "--mode", "inbox"});
  REQUIRE(server.port > 0);
  auto client = client_for(server.port);
  for (int i = 0; i < 10; ++i) REQUIRE(post(*client, order_body(code_of(i))).status == 200);
  for (int i = 0; i < 5; ++i) REQUIRE(post(*client, order_body(code_of(i))).status == 200);
  auto unauthorized = client->Post("/CreateEntryConfirmation", {{"Authorization", "wrong"}},
                                   order_body(code_of(99)), "application/json");
  REQUIRE(unauthorized);
  CHECK(unauthorized->status == 401);
  CHECK(post(*client, "{not json").status == 400);

  auto scraped = client->Get("/metrics");
  REQUIRE(scraped);
  CHECK(scraped->status == 200);
  CHECK(scraped->get_header_value("Content-Type").rfind("text/plain; version=0.0.4", 0) == 0);
  CHECK(scraped->body.find(kToken) == std::string::npos);
  CHECK(scraped->body.find("RK-DUR") == std::string::npos);  // no entry code as a label
  const auto metrics = erpbridge::test_support::read_prometheus_text(scraped->body);
  INFO(scraped->body);
  for (const std::string& violation : metrics.violations) FAIL_CHECK(violation);
  CHECK(metrics.types.at("erpbridge_receiver_pushes_total") == "counter");
  CHECK(metrics.types.at("erpbridge_receiver_push_duration_seconds") == "histogram");
  const std::string pushes = "erpbridge_receiver_pushes_total";
  CHECK(metrics.value(pushes, "outcome=\"accepted\"") == 10);
  CHECK(metrics.value(pushes, "outcome=\"duplicate\"") == 5);
  CHECK(metrics.value(pushes, "outcome=\"rejected\"") == 2);
  for (const char* none : {"conflict", "failed", "busy", "store_unavailable", "draining"}) {
    CHECK(metrics.value(pushes, std::string("outcome=\"") + none + "\"") == 0);
  }
  const std::string durations = "erpbridge_receiver_push_duration_seconds";
  CHECK(metrics.value(durations + "_count", "status=\"200\"") == 15);
  CHECK(metrics.value(durations + "_count", "status=\"401\"") == 1);
  CHECK(metrics.value(durations + "_count", "status=\"400\"") == 1);
  CHECK(metrics.value(durations + "_bucket", "le=\"+Inf\",status=\"200\"") == 15);
  CHECK(metrics.value(durations + "_sum", "status=\"200\"") > 0);
  CHECK(metrics.value("erpbridge_receiver_ready") == 1);
  CHECK(metrics.value("erpbridge_receiver_draining") == 0);
  CHECK(metrics.value("erpbridge_receiver_pushes_in_flight") == 0);
  // Counters only grow: a second scrape after two more duplicates adds exactly two.
  for (int i = 0; i < 2; ++i) REQUIRE(post(*client, order_body(code_of(i))).status == 200);
  const auto again = erpbridge::test_support::read_prometheus_text(client->Get("/metrics")->body);
  CHECK(again.value(pushes, "outcome=\"duplicate\"") == 7);
  CHECK(again.value(pushes, "outcome=\"accepted\"") == 10);
  CHECK(server.process->stop(SIGTERM, 10s) == 0);
}
