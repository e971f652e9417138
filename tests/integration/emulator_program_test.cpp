#include <catch2/catch.hpp>

#include <tuple>

#include "erpbridge/core/options.hpp"
#include "support/subprocess.hpp"

using erpbridge::test_support::ChildProcess;

TEST_CASE("erpbridge-emulator prints its URL, answers and exits cleanly on SIGTERM") {
  ChildProcess emulator({ERPBRIDGE_EMULATOR_PROGRAM, "--port", "0"});
  std::string line = emulator.read_line();
  const std::string prefix = "erpbridge-emulator listening on http://127.0.0.1:";
  REQUIRE(line.rfind(prefix, 0) == 0);
  std::string base_url = line.substr(std::string("erpbridge-emulator listening on ").size());

  auto transport = erpbridge::make_curl_transport(erpbridge::ClientOptions{});
  erpbridge::HttpRequest request;
  request.url = base_url + "/_emulator/health";
  auto response = transport->send(request);
  REQUIRE(response.ok());
  CHECK(response->status == 200);
  // Every family is served: the health line names all four, and each answers on its path.
  CHECK(response->body == R"({"status":"ok","families":["ctc","wms","kingdee","aftersales"]})");
  for (const auto& [method, path, status] :
       {std::tuple{erpbridge::HttpMethod::Post, "/doscall/oa/api/receipt_parts/", 200},
        std::tuple{erpbridge::HttpMethod::Post, "/CreateEntryConfirmation", 401},
        std::tuple{erpbridge::HttpMethod::Get, "/jdyconnector/app_management/kingdee_auth_token",
                   200},
        std::tuple{erpbridge::HttpMethod::Get, "/api/v1/afterservice/all-products", 200}}) {
    INFO(path);
    erpbridge::HttpRequest probe;
    probe.method = method;
    probe.url = base_url + path;
    if (method == erpbridge::HttpMethod::Post) probe.body = "{}";
    auto answered = transport->send(probe);
    REQUIRE(answered.ok());
    CHECK(answered->status == status);
  }

  CHECK(emulator.stop(SIGTERM, std::chrono::milliseconds(5000)) == 0);
}

TEST_CASE("erpbridge-emulator exits cleanly on SIGINT and rejects bad arguments") {
  ChildProcess emulator({ERPBRIDGE_EMULATOR_PROGRAM});
  REQUIRE(emulator.read_line().find("listening on http://127.0.0.1:") != std::string::npos);
  CHECK(emulator.stop(SIGINT, std::chrono::milliseconds(5000)) == 0);

  ChildProcess bad({ERPBRIDGE_EMULATOR_PROGRAM, "--port", "nope"});
  CHECK(bad.read_line().empty());
  CHECK(bad.stop(0, std::chrono::milliseconds(5000)) == 2);
}

TEST_CASE("erpbridge-emulator applies --fault and --latency-ms") {
  ChildProcess emulator(
      {ERPBRIDGE_EMULATOR_PROGRAM, "--latency-ms", "50", "--fault", "/_emulator/health=503x1"});
  std::string line = emulator.read_line();
  const std::string base_url = line.substr(line.rfind(' ') + 1);
  auto transport = erpbridge::make_curl_transport(erpbridge::ClientOptions{});
  erpbridge::HttpRequest request;
  request.url = base_url + "/_emulator/health";
  auto started = std::chrono::steady_clock::now();
  auto first = transport->send(request);
  CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(50));
  REQUIRE(first.ok());
  CHECK(first->status == 503);
  CHECK(transport->send(request)->status == 200);
  CHECK(emulator.stop(SIGTERM, std::chrono::milliseconds(8000)) == 0);

  ChildProcess bad({ERPBRIDGE_EMULATOR_PROGRAM, "--fault", "/x=teapot"});
  CHECK(bad.stop(0, std::chrono::milliseconds(5000)) == 2);
}
