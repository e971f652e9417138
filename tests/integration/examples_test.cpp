// Runs the example programs against the erpbridge-emulator program, as a user would.
#include <catch2/catch.hpp>

#include <cstdio>

#include "support/subprocess.hpp"

using erpbridge::test_support::ChildProcess;
using erpbridge::test_support::EmulatorProgram;

namespace {

struct Output {
  std::vector<std::string> lines;
  int exit_code = -1;
};

Output run(std::vector<std::string> argv) {
  ChildProcess child(std::move(argv));
  Output output;
  for (std::string line = child.read_line(); !line.empty(); line = child.read_line()) {
    output.lines.push_back(line);
  }
  output.exit_code = child.stop(0, std::chrono::milliseconds(10000));
  return output;
}

}  // namespace

TEST_CASE("Example ctc_receipts lists the emulator's receipts over 90 days") {
  EmulatorProgram emulator;
  REQUIRE(emulator.base_url.rfind("http://127.0.0.1:", 0) == 0);
  Output out = run({ERPBRIDGE_EXAMPLE_DIR "/ctc_receipts", emulator.base_url, "erpbridge-demo-key",
                    "in", "2020-03-01 00:00:00", "2020-05-31 00:00:00"});
  REQUIRE(out.exit_code == 0);
  REQUIRE_FALSE(out.lines.empty());
  CHECK(out.lines.back() == "362 receipts");  // 360 generated + the spec's 2
  bool found_sample = false;
  for (const auto& line : out.lines) {
    if (line == "CK1590583223368861321 采购入库 已入库 1310.00 2020-05-27 20:40:23")
      found_sample = true;
  }
  CHECK(found_sample);

  Output denied = run({ERPBRIDGE_EXAMPLE_DIR "/ctc_receipts", emulator.base_url, "wrong", "out",
                       "2020-03-01 00:00:00", "2020-03-02 00:00:00"});
  CHECK(denied.exit_code == 1);
  CHECK(denied.lines.empty());
}

TEST_CASE("Example quickstart makes one call per family against erpbridge-emulator") {
  EmulatorProgram emulator;
  REQUIRE(emulator.base_url.rfind("http://127.0.0.1:", 0) == 0);
  Output out = run({ERPBRIDGE_EXAMPLE_DIR "/quickstart", emulator.base_url});
  REQUIRE(out.exit_code == 0);
  REQUIRE(out.lines.size() == 4);
  CHECK(out.lines[0].rfind("ctc: 361 in-receipts over 90 days", 0) == 0);
  CHECK(out.lines[1].rfind("wms: pushed RK-QUICKSTART-0001 (P001 x 100.0)", 0) == 0);
  CHECK(out.lines[2].rfind("kingdee: bill BJLL-20230306-0001", 0) == 0);
  CHECK(out.lines[3].find("waitting -> service_approving") != std::string::npos);
}

TEST_CASE("Example async_calls runs 400 calls at once and cancels 40 against erpbridge-emulator") {
  EmulatorProgram emulator;
  REQUIRE(emulator.base_url.rfind("http://127.0.0.1:", 0) == 0);
  Output out = run({ERPBRIDGE_EXAMPLE_DIR "/async_calls", emulator.base_url});
  CHECK(out.exit_code == 0);
  REQUIRE(out.lines.size() == 1);
  unsigned calls = 0, succeeded = 0, cancelled = 0, receipts = 0, products = 0;
  REQUIRE(std::sscanf(out.lines[0].c_str(),
                      "async_calls: %u calls, %u succeeded, %u cancelled; %u receipts, %u products",
                      &calls, &succeeded, &cancelled, &receipts, &products) == 5);
  CHECK(calls == 400);
  CHECK(succeeded + cancelled == 400);  // none failed
  CHECK(cancelled >= 1);                // at most 40: a call done already stays done
  CHECK(cancelled <= 40);
  CHECK(receipts > 0);
  CHECK(products > 0);
}

TEST_CASE("Example telemetry links two vendor calls to its span and prints their metrics") {
  EmulatorProgram emulator;
  Output out = run({ERPBRIDGE_EXAMPLE_DIR "/telemetry", emulator.base_url});
  REQUIRE(out.exit_code == 0);
  // Its request's span, two 7-day windows (a span and one try each), two metric lines.
  REQUIRE(out.lines.size() == 7);
  REQUIRE(out.lines[0].rfind("span GET /stock-report trace ", 0) == 0);
  const std::string trace =
      out.lines[0].substr(std::string("span GET /stock-report trace ").size());
  CHECK(trace.size() == 32);
  for (int i : {1, 3}) {
    INFO(out.lines[i]);
    CHECK(out.lines[i].rfind("span ctc.receipt_parts trace " + trace + " parent ", 0) == 0);
    CHECK(out.lines[i].find(": ok in ") != std::string::npos);
    CHECK(out.lines[i + 1].rfind("  try 1: 200, connect ", 0) == 0);
  }
  CHECK(
      out.lines[5] ==
      R"(metric erpbridge_client_calls_total{endpoint="receipt_parts",family="ctc",outcome="ok"} 2)");
  CHECK(
      out.lines[6] ==
      R"(metric erpbridge_client_call_duration_seconds_count{endpoint="receipt_parts",family="ctc"} 2)");
}
