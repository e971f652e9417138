#include <catch2/catch.hpp>

#include <chrono>

#include "erpbridge/core/options.hpp"
#include "erpbridge/testing/emulator_server.hpp"
#include "erpbridge/testing/mock_transport.hpp"
#include "support/raw_http.hpp"
#include "support/timing.hpp"

using erpbridge::ClientOptions;
using erpbridge::ErrorCode;
using erpbridge::HttpMethod;
using erpbridge::HttpRequest;
using erpbridge::test_support::raw_body;
using erpbridge::test_support::raw_header;
using erpbridge::test_support::raw_http;
using erpbridge::testing::Emulator;
using erpbridge::testing::EmulatorRequest;
using erpbridge::testing::EmulatorServer;
using erpbridge::testing::Fault;
using erpbridge::testing::json_response;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

std::shared_ptr<Emulator> make_emulator() {
  auto emulator = std::make_shared<Emulator>();
  emulator->route(HttpMethod::Get, "/hello", [](const EmulatorRequest& request) {
    return json_response(200, "{\"hello\":\"" + request.query_value("name") + "\"}");
  });
  emulator->route(HttpMethod::Post, "/orders/{id}/echo", [](const EmulatorRequest& request) {
    return json_response(
        201, "{\"id\":\"" + request.path_params.at("id") + "\",\"body\":" + request.body + "}");
  });
  emulator->route(HttpMethod::Get, "/big", [](const EmulatorRequest&) {
    return json_response(200, "{\"pad\":\"" + std::string(4096, 'x') + "\"}");
  });
  return emulator;
}

std::unique_ptr<EmulatorServer> start(std::shared_ptr<Emulator> emulator) {
  auto server = EmulatorServer::start(std::move(emulator));
  REQUIRE(server.ok());
  return std::move(server).value();
}

HttpRequest get(const std::string& url) {
  HttpRequest request;
  request.url = url;
  request.idempotent = true;
  return request;
}

std::shared_ptr<erpbridge::HttpTransport> curl_transport(
    milliseconds timeout = milliseconds(5000)) {
  ClientOptions options;
  options.request_timeout = timeout;
  return erpbridge::make_curl_transport(options);
}

}  // namespace

TEST_CASE("The emulator server answers routes over real HTTP on loopback") {
  auto server = start(make_emulator());
  CHECK(server->base_url().rfind("http://127.0.0.1:", 0) == 0);
  auto transport = curl_transport();
  auto hello = transport->send(get(server->base_url() + "/hello?name=%E4%BD%A0%E5%A5%BD"));
  REQUIRE(hello.ok());
  CHECK(hello->status == 200);
  CHECK(hello->body == "{\"hello\":\"你好\"}");

  HttpRequest post;
  post.method = HttpMethod::Post;
  post.url = server->base_url() + "/orders/42/echo";
  post.body = "{\"a\":1}";
  auto echoed = transport->send(post);
  REQUIRE(echoed.ok());
  CHECK(echoed->status == 201);
  CHECK(echoed->body == "{\"id\":\"42\",\"body\":{\"a\":1}}");

  auto missing = transport->send(get(server->base_url() + "/nowhere"));
  REQUIRE(missing.ok());
  CHECK(missing->status == 404);
  auto wrong_method = transport->send(get(server->base_url() + "/orders/1/echo"));
  CHECK(wrong_method->status == 405);
}

TEST_CASE("100 sequential keep-alive requests from one client use 1 connection") {
  auto server = start(make_emulator());
  auto transport = curl_transport();
  for (int i = 0; i < 100; ++i) {
    auto response = transport->send(get(server->base_url() + "/hello"));
    REQUIRE(response.ok());
    REQUIRE(response->status == 200);
  }
  CHECK(server->accepted_connections() == 1);
  CHECK(server->emulator().request_count("/hello") == 100);
}

TEST_CASE("Fault knob: latency is added") {
  auto emulator = make_emulator();
  Fault slow;
  slow.latency = milliseconds(200);
  emulator->set_fault("/hello", slow);
  auto server = start(emulator);
  auto started = Clock::now();
  auto response = curl_transport()->send(get(server->base_url() + "/hello"));
  auto elapsed = Clock::now() - started;
  REQUIRE(response.ok());
  CHECK(elapsed >= milliseconds(200));
  CHECK(elapsed < erpbridge::test_support::scaled(milliseconds(1500)));
}

TEST_CASE("Bandwidth knob: a body is paced at the given rate, whole and unchanged") {
  auto emulator = make_emulator();
  const std::string pad(1000000, 'x');  // ~1 MB at 1 MB/s: about 1 s
  emulator->route(HttpMethod::Get, "/megabyte", [&pad](const EmulatorRequest&) {
    return json_response(200, "{\"pad\":\"" + pad + "\"}");
  });
  auto server = start(emulator);
  auto transport = curl_transport();
  auto started = Clock::now();
  auto fast = transport->send(get(server->base_url() + "/megabyte"));
  const auto unpaced = Clock::now() - started;
  REQUIRE(fast.ok());
  CHECK(unpaced < erpbridge::test_support::scaled(milliseconds(500)));

  emulator->set_global_bandwidth(1000000);
  started = Clock::now();
  auto paced = transport->send(get(server->base_url() + "/megabyte"));
  const auto elapsed = Clock::now() - started;
  REQUIRE(paced.ok());
  CHECK(paced->body == fast->body);
  CHECK(elapsed >= milliseconds(950));
  CHECK(elapsed < erpbridge::test_support::scaled(milliseconds(3000)));

  // A fault's own rate wins over the global one.
  Fault faster;
  faster.bytes_per_second = 40000000;
  emulator->set_fault("/megabyte", faster);
  started = Clock::now();
  REQUIRE(transport->send(get(server->base_url() + "/megabyte")).ok());
  CHECK(Clock::now() - started < erpbridge::test_support::scaled(milliseconds(500)));
}

TEST_CASE("Fault knobs: forced status with Retry-After, applied a limited number of times") {
  auto emulator = make_emulator();
  Fault busy;
  busy.status = 503;
  busy.retry_after = 2;
  busy.times = 1;
  emulator->set_fault("/hello", busy);
  auto server = start(emulator);
  auto transport = curl_transport();
  auto first = transport->send(get(server->base_url() + "/hello"));
  REQUIRE(first.ok());
  CHECK(first->status == 503);
  REQUIRE(erpbridge::find_header(first->headers, "retry-after") != nullptr);
  CHECK(*erpbridge::find_header(first->headers, "Retry-After") == "2");
  auto second = transport->send(get(server->base_url() + "/hello"));
  CHECK(second->status == 200);
}

TEST_CASE("Fault knob: a reset is a transport failure for the client") {
  auto emulator = make_emulator();
  Fault reset;
  reset.reset = true;
  emulator->set_fault("/hello", reset);
  auto server = start(emulator);
  auto response = curl_transport()->send(get(server->base_url() + "/hello"));
  REQUIRE_FALSE(response.ok());
  CHECK(response.error().code == ErrorCode::Transport);
  CHECK(response.error().retryable);

  auto raw = raw_http(server->port(), "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(raw.connected);
  CHECK(raw.received.empty());
  CHECK(raw.read_errno == ECONNRESET);
  // The server keeps serving other routes.
  CHECK(curl_transport()->send(get(server->base_url() + "/big"))->status == 200);
}

TEST_CASE("Fault knob: a truncated body is shorter than its Content-Length") {
  auto emulator = make_emulator();
  Fault truncate;
  truncate.truncate = true;
  emulator->set_fault("/big", truncate);
  auto server = start(emulator);
  auto raw = raw_http(server->port(), "GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(raw.connected);
  std::string length = raw_header(raw.received, "Content-Length");
  REQUIRE_FALSE(length.empty());
  CHECK(raw_body(raw.received).size() < std::stoul(length));
  CHECK(raw_body(raw.received).size() > 0);

  auto response = curl_transport()->send(get(server->base_url() + "/big"));
  REQUIRE_FALSE(response.ok());
  CHECK(response.error().code == ErrorCode::Transport);
}

TEST_CASE("Fault knobs: non-JSON body and replaced body") {
  auto emulator = make_emulator();
  Fault html;
  html.non_json = true;
  emulator->set_fault("/hello", html);
  Fault garbage;
  garbage.body = "{\"hello\": 12";
  emulator->set_fault("/big", garbage);
  auto server = start(emulator);
  auto transport = curl_transport();
  auto page = transport->send(get(server->base_url() + "/hello"));
  REQUIRE(page.ok());
  CHECK(page->status == 200);
  CHECK(page->body.rfind("<html>", 0) == 0);
  CHECK(*erpbridge::find_header(page->headers, "Content-Type") == "text/html");
  CHECK(transport->send(get(server->base_url() + "/big"))->body == "{\"hello\": 12");
}

TEST_CASE("The in-process emulator applies the same faults without sockets") {
  auto emulator = make_emulator();
  Fault reset;
  reset.reset = true;
  reset.times = 1;
  emulator->set_fault("/hello", reset, HttpMethod::Get);
  auto failed = emulator->send(get("http://emulator/hello"));
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == ErrorCode::Transport);
  auto ok = emulator->send(get("http://emulator/hello?name=x"));
  REQUIRE(ok.ok());
  CHECK(ok->body == "{\"hello\":\"x\"}");
  CHECK(emulator->request_count("/hello") == 2);
}

TEST_CASE("The emulator's own error replies stay valid JSON whatever the path") {
  auto emulator = make_emulator();
  auto reply = emulator->send(get("http://emulator/no%22such"));
  REQUIRE(reply.ok());
  CHECK(reply->status == 404);
  CHECK(reply->body == R"({"status":404,"message":"no route for /no\"such"})");
}
