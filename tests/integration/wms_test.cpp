#include <catch2/catch.hpp>

#include <thread>

#include "data/wms_sample.hpp"
#include "erpbridge/testing/emulator_server.hpp"
#include "erpbridge/testing/wms_emulator.hpp"
#include "erpbridge/wms/client.hpp"
#include "support/files.hpp"
#include "support/subprocess.hpp"

using erpbridge::ErrorCode;
using erpbridge::Result;
using erpbridge::test_data::kWmsRequestSample;
using erpbridge::test_support::ChildProcess;
using erpbridge::test_support::shell_output;
using erpbridge::test_support::TempFile;
using erpbridge::testing::Emulator;
using erpbridge::testing::EmulatorServer;
using erpbridge::testing::Fault;
using erpbridge::testing::WmsEmulator;
using namespace erpbridge::wms;
using namespace std::chrono_literals;

namespace {

struct ReceiverProgram {
  ChildProcess process{{ERPBRIDGE_EXAMPLE_DIR "/wms_receiver_server", "0", "wms-secret-token"}};
  std::string base_url;
  ReceiverProgram() {
    std::string line = process.read_line();
    REQUIRE(line.rfind("wms_receiver_server listening on http://127.0.0.1:", 0) == 0);
    base_url = line.substr(line.rfind(' ') + 1);
  }
};

Options options_for(const std::string& base_url, const std::string& token) {
  Options options;
  options.base_url = base_url;
  options.token = erpbridge::make_static_token(token);
  options.retry.initial_backoff = 10ms;
  return options;
}

// POSTs `file` with curl; returns "<http status>\n<body>".
std::string curl_post(const std::string& url, const std::string& token, const std::string& file) {
  return shell_output("curl -s -w '%{http_code}\\n' -o " + file +
                      ".reply -H 'Content-Type: application/json' -H 'Authorization: " + token +
                      "' --data-binary @" + file + " " + url + "/CreateEntryConfirmation; cat " +
                      file + ".reply; rm -f " + file + ".reply");
}

}  // namespace

TEST_CASE("WMS over HTTP: the push client delivers the spec's sample to the example receiver") {
  ReceiverProgram receiver;
  Client client(options_for(receiver.base_url, "wms-secret-token"));
  auto order = parse_entry_confirmation(kWmsRequestSample).value();
  auto reply = client.push(order);
  REQUIRE(reply.ok());
  CHECK(reply->code == "0");
  CHECK(reply->bil_id == "PC");
  CHECK(reply->bil_no == "PC230301001");
  CHECK(receiver.process.read_line() == "delivered RK230302000001 (1 lines)");

  // Pushed again: the same reply, not delivered twice.
  auto again = client.push(order);
  REQUIRE(again.ok());
  CHECK(again->bil_no == "PC230301001");

  Client wrong(options_for(receiver.base_url, "not-the-token"));
  auto denied = wrong.push(order);
  REQUIRE_FALSE(denied.ok());
  CHECK(denied.error().code == ErrorCode::Unauthenticated);
  CHECK(denied.error().http_status == 401);
  CHECK(denied.error().to_string().find("not-the-token") == std::string::npos);
  CHECK(receiver.process.stop(SIGTERM, 5000ms) == 0);
}

TEST_CASE("WMS over HTTP: curl posting the spec's sample gets code 0, a wrong token 401") {
  ReceiverProgram receiver;
  TempFile sample(kWmsRequestSample);
  std::string accepted = curl_post(receiver.base_url, "wms-secret-token", sample.path());
  INFO(accepted);
  REQUIRE(accepted.rfind("200\n", 0) == 0);
  auto reply = parse_push_reply(accepted.substr(4));
  REQUIRE(reply.ok());
  CHECK(reply->code == "0");
  CHECK(reply->bil_no == "PC230301001");

  std::string refused = curl_post(receiver.base_url, "wrong", sample.path());
  CHECK(refused.rfind("401\n", 0) == 0);
  CHECK(parse_push_reply(refused.substr(4))->code == "401");
}

TEST_CASE("WMS over HTTP: the example wms_push validates, pushes and prints the bill") {
  ReceiverProgram receiver;
  TempFile sample(kWmsRequestSample);
  std::string out =
      shell_output(std::string(ERPBRIDGE_EXAMPLE_DIR "/wms_push ") + receiver.base_url +
                   " wms-secret-token " + sample.path() + " 2>&1; echo exit=$?");
  CHECK(out == "bil_id PC\nbil_no PC230301001\nexit=0\n");

  std::string invalid = kWmsRequestSample;
  invalid.replace(invalid.find("RK230302000001"), 14, std::string(101, 'R'));
  TempFile bad(invalid);
  std::string refused =
      shell_output(std::string(ERPBRIDGE_EXAMPLE_DIR "/wms_push ") + receiver.base_url +
                   " wms-secret-token " + bad.path() + " 2>&1; echo exit=$?");
  CHECK(refused.find("entry_order.entry_code: must be at most 100 characters, has 101") !=
        std::string::npos);
  CHECK(refused.find("order_lines[0].entry_code: must equal the header's entry_code") !=
        std::string::npos);
  CHECK(refused.find("exit=1") != std::string::npos);
}

TEST_CASE("WMS over HTTP: a push is retried on 503 and delivered once") {
  auto emulator = std::make_shared<Emulator>();
  WmsEmulator wms("tok");
  wms.install(*emulator);
  Fault busy;
  busy.status = 503;
  busy.times = 2;
  emulator->set_fault("/CreateEntryConfirmation", busy);
  auto server = EmulatorServer::start(emulator).value();
  Client client(options_for(server->base_url(), "tok"));
  auto reply = client.push(parse_entry_confirmation(kWmsRequestSample).value());
  REQUIRE(reply.ok());
  CHECK(emulator->request_count("/CreateEntryConfirmation") == 3);
  CHECK(wms.delivered().size() == 1);
}

TEST_CASE("WMS over HTTP: an invalid order is refused locally, nothing is sent") {
  auto emulator = std::make_shared<Emulator>();
  WmsEmulator("tok").install(*emulator);
  auto server = EmulatorServer::start(emulator).value();
  Client client(options_for(server->base_url(), "tok"));
  auto order = parse_entry_confirmation(kWmsRequestSample).value();
  order.lines[0].qty.reset();
  order.order.ref_id = std::string(21, 'x');
  auto result = client.push(order);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::InvalidArgument);
  CHECK(result.error().message ==
        "2 violations: entry_order.ref_id: must be at most 20 characters, has 21; "
        "order_lines[0].qty: is required");
  CHECK(emulator->total_requests() == 0);
}

TEST_CASE("WMS over HTTP: an expired token is refreshed once after a 401") {
  auto emulator = std::make_shared<Emulator>();
  WmsEmulator wms("fresh");
  wms.install(*emulator);
  auto server = EmulatorServer::start(emulator).value();
  int fetches = 0;
  Options options = options_for(server->base_url(), "");
  options.token = erpbridge::make_cached_token([&]() -> Result<erpbridge::AccessToken> {
    ++fetches;
    return erpbridge::AccessToken{fetches == 1 ? "expired" : "fresh", std::nullopt};
  });
  Client client(options);
  auto reply = client.push(parse_entry_confirmation(kWmsRequestSample).value());
  REQUIRE(reply.ok());
  CHECK(fetches == 2);
  CHECK(emulator->request_count("/CreateEntryConfirmation") == 2);
}
