// Every family's main call against every fault the emulator can inject, over real HTTP.
// Each cell asserts the error code, how many tries reached the server (idempotent calls
// are retried, the others never) and an upper bound on the elapsed time.
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <optional>

#include "support/families.hpp"
#include "support/timing.hpp"

using erpbridge::ClientOptions;
using erpbridge::Error;
using erpbridge::ErrorCode;
using erpbridge::test_support::FamilyCall;
using erpbridge::test_support::FamilyServer;
using erpbridge::test_support::scaled;
using erpbridge::testing::Fault;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kMaxAttempts = 3;

struct Cell {
  std::string name;
  Fault fault;
  ErrorCode code;
  bool retried;  // whether an idempotent call is repeated
  std::chrono::milliseconds max_elapsed;
  std::function<void(ClientOptions&)> adjust = [](ClientOptions&) {};
  std::chrono::milliseconds min_elapsed{0};  // for idempotent calls
  // If non-zero, the fault's body is this many bytes of JSON, made only when the cell runs.
  std::size_t body_bytes = 0;
};

Fault with_status(int status, std::optional<int> retry_after = {}) {
  Fault fault;
  fault.status = status;
  fault.retry_after = retry_after;
  return fault;
}

Fault with_body(std::string body) {
  Fault fault;
  fault.body = std::move(body);
  return fault;
}

std::vector<Cell> cells(const FamilyCall& family) {
  std::vector<Cell> out;
  Fault reset;
  reset.reset = true;
  out.push_back({"connection reset", reset, ErrorCode::Transport, true, 2s});
  out.push_back({"500", with_status(500), ErrorCode::Http, true, 2s});
  // Two waits of the server's Retry-After: 1 between three tries.
  out.push_back({"503 with Retry-After", with_status(503, 1), ErrorCode::Http, true, 4s,
                 [](ClientOptions&) {}, 2s});
  out.push_back({"429", with_status(429), ErrorCode::Http, true, 2s});

  Fault slow;
  slow.latency = scaled(600ms);
  out.push_back({"latency past the per-try timeout", slow, ErrorCode::Timeout, true, 2500ms,
                 [](ClientOptions& options) { options.request_timeout = scaled(150ms); }});
  Fault very_slow;
  very_slow.latency = scaled(1500ms);
  out.push_back({"latency past the overall deadline", very_slow, ErrorCode::Timeout, false, 1000ms,
                 [](ClientOptions& options) { options.overall_deadline = scaled(400ms); }});

  Fault truncated;
  truncated.truncate = true;
  out.push_back({"truncated body", truncated, ErrorCode::Transport, true, 2s});
  Fault html;
  html.non_json = true;
  out.push_back({"non-JSON body", html, ErrorCode::Decode, false, 2s});
  out.push_back(
      {"JSON of wrong types", with_body(family.wrong_types_body), ErrorCode::Decode, false, 2s});
  if (!family.empty_body_succeeds) {
    out.push_back({"empty body", with_body(""), ErrorCode::Decode, false, 2s});
  }
  // 50 MB of valid JSON whitespace against an 8 MB cap: refused, never buffered whole.
  out.push_back({"50 MB body over the cap", Fault{}, ErrorCode::Transport, false, 5s,
                 [](ClientOptions& options) { options.max_response_bytes = 8u << 20; }, 0ms,
                 50u << 20});
  return out;
}

// One call of `family` against `fault`: its error, the tries that reached the server and
// how long it took.
struct CellRun {
  std::optional<Error> error;
  std::size_t attempts;
  Clock::duration elapsed;
};

CellRun run_cell(FamilyServer& server, const FamilyCall& family, const Fault& fault,
                 const std::function<void(ClientOptions&)>& adjust, bool async) {
  server.emulator->clear_faults();
  server.emulator->set_fault(family.path, fault, family.method);
  const std::size_t before = server.emulator->request_count(family.path);
  ClientOptions options;
  options.base_url = server.server->base_url();
  options.retry.max_attempts = kMaxAttempts;
  options.retry.initial_backoff = 10ms;
  options.request_timeout = scaled(5s);
  adjust(options);
  const auto start = Clock::now();
  std::optional<Error> error = family.call(options, async);
  const auto elapsed = Clock::now() - start;
  return {std::move(error), server.emulator->request_count(family.path) - before, elapsed};
}

// Runs every cell against the family main_calls()[index] on one server (each cell sets its
// own fault and counts its own tries, so cells cannot see each other; a server per cell cost
// a minute of the TSan run); through the call's async form when `async`.
void run_matrix(std::size_t index, bool async = false) {
  FamilyServer server;
  const FamilyCall family = server.main_calls().at(index);
  for (const Cell& cell : cells(family)) {
    {
      INFO(family.name << " / " << cell.name);
      Fault fault = cell.fault;
      if (cell.body_bytes > 0) fault.body = std::string(cell.body_bytes - 2, ' ') + "{}";
      auto [error, attempts, elapsed] = run_cell(server, family, fault, cell.adjust, async);

      REQUIRE(error.has_value());
      INFO(error->to_string());
      CHECK(error->code == cell.code);
      const bool repeated = family.idempotent && cell.retried;
      CHECK(attempts == static_cast<std::size_t>(repeated ? kMaxAttempts : 1));
      CHECK(elapsed < scaled(cell.max_elapsed));
      if (repeated) CHECK(elapsed >= cell.min_elapsed);
    }
  }
}

}  // namespace

TEST_CASE("Fault matrix: CTC query_receipts") {
  run_matrix(0);
}
TEST_CASE("Fault matrix: WMS push") {
  run_matrix(1);
}
TEST_CASE("Fault matrix: Kingdee push_spare_parts") {
  run_matrix(2);
}
TEST_CASE("Fault matrix: after-service list_orders") {
  run_matrix(3);
}
TEST_CASE("Fault matrix: after-service create") {
  run_matrix(4);
}
TEST_CASE("Fault matrix, async: CTC query_receipts_async") {
  run_matrix(0, true);
}
TEST_CASE("Fault matrix, async: WMS push_async") {
  run_matrix(1, true);
}
TEST_CASE("Fault matrix, async: Kingdee push_spare_parts_async") {
  run_matrix(2, true);
}
TEST_CASE("Fault matrix, async: after-service list_orders_async") {
  run_matrix(3, true);
}
TEST_CASE("Fault matrix, async: after-service create_order_async") {
  run_matrix(4, true);
}

TEST_CASE("Fault matrix: a fault that clears is retried into success for idempotent calls") {
  FamilyServer server;
  for (const FamilyCall& family : server.main_calls()) {
    if (!family.idempotent) continue;
    for (const bool async : {false, true}) {
      {
        INFO(family.name << (async ? " (async)" : ""));
        server.emulator->clear_faults();
        Fault reset;
        reset.reset = true;
        reset.times = 2;
        server.emulator->set_fault(family.path, reset, family.method);
        ClientOptions options;
        options.base_url = server.server->base_url();
        options.retry.initial_backoff = 10ms;
        CHECK_FALSE(family.call(options, async).has_value());
      }
    }
  }
}

// Every write, whatever verb, against every fault a read would be retried for: exactly one
// try, and Error::outcome_unknown whenever the request may have been applied.
TEST_CASE("Fault matrix: writes (POST, PUT, DELETE) are tried exactly once") {
  FamilyServer server;
  struct WriteCell {
    std::string name;
    Fault fault;
    bool outcome_unknown;  // the server may have acted on it
    std::function<void(ClientOptions&)> adjust = [](ClientOptions&) {};
  };
  Fault reset;
  reset.reset = true;
  Fault slow;
  slow.latency = scaled(600ms);
  Fault truncated;
  truncated.truncate = true;
  const std::vector<WriteCell> write_cells = {
      {"connection reset", reset, true},
      {"500", with_status(500), true},
      {"502", with_status(502), true},
      {"503 with Retry-After", with_status(503, 1), false},
      {"429", with_status(429), false},
      {"latency past the per-try timeout", slow, true,
       [](ClientOptions& options) { options.request_timeout = scaled(150ms); }},
      {"truncated body", truncated, true},
  };
  for (const FamilyCall& family : server.write_calls()) {
    for (const WriteCell& cell : write_cells) {
      for (const bool async : {false, true}) {
        {
          INFO(family.name << " / " << cell.name << (async ? " (async)" : ""));
          auto [error, attempts, elapsed] =
              run_cell(server, family, cell.fault, cell.adjust, async);
          REQUIRE(error.has_value());
          INFO(error->to_string());
          CHECK(attempts == 1);
          CHECK(error->outcome_unknown == cell.outcome_unknown);
          CHECK(elapsed < scaled(3s));  // no wait for a retry that never comes
        }
      }
    }
  }
}
