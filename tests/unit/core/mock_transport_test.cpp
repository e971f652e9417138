#include <catch2/catch.hpp>

#include "erpbridge/testing/mock_transport.hpp"

using erpbridge::ErrorCode;
using erpbridge::HttpMethod;
using erpbridge::HttpRequest;
using erpbridge::testing::body_contains;
using erpbridge::testing::json_response;
using erpbridge::testing::MockTransport;

namespace {
HttpRequest request(HttpMethod method, std::string url, std::string body = {}) {
  HttpRequest r;
  r.method = method;
  r.url = std::move(url);
  r.body = std::move(body);
  return r;
}
}  // namespace

TEST_CASE("MockTransport answers matched requests in order and records them") {
  MockTransport mock;
  mock.expect(HttpMethod::Post, "/doscall/oa/api/receipt_parts/", json_response(200, "{\"res\":0}"),
              body_contains("\"type\":\"in\""))
      .expect(HttpMethod::Get, "/api/v1/afterservice/orders", json_response(200, "{\"status\":0}"));

  auto first =
      mock.send(request(HttpMethod::Post, "http://127.0.0.1:9/doscall/oa/api/receipt_parts/",
                        "{\"data\":{\"type\":\"in\"}}"));
  REQUIRE(first.ok());
  CHECK(first->body == "{\"res\":0}");
  auto second = mock.send(request(HttpMethod::Get, "http://h/api/v1/afterservice/orders?page=2"));
  REQUIRE(second.ok());
  CHECK(second->status == 200);

  CHECK(mock.satisfied());
  auto seen = mock.requests();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].body == "{\"data\":{\"type\":\"in\"}}");
  CHECK(seen[1].url == "http://h/api/v1/afterservice/orders?page=2");
}

TEST_CASE("MockTransport fails clearly on an unmatched request") {
  MockTransport mock;
  mock.expect(HttpMethod::Get, "/a", json_response(200, "{}"));
  auto wrong = mock.send(request(HttpMethod::Get, "http://h/b"));
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().code == ErrorCode::Unimplemented);
  CHECK(wrong.error().message.find("GET /b") != std::string::npos);
  CHECK(wrong.error().message.find("expected GET /a") != std::string::npos);
  CHECK_FALSE(mock.satisfied());
  CHECK(mock.pending() == 1);
  REQUIRE(mock.failures().size() == 1);

  auto extra = MockTransport().send(request(HttpMethod::Get, "http://h/a"));
  REQUIRE_FALSE(extra.ok());
  CHECK(extra.error().message.find("no expectation left") != std::string::npos);
}

TEST_CASE("MockTransport rejects out-of-order requests and body mismatches") {
  MockTransport mock;
  mock.expect(HttpMethod::Post, "/first", json_response(200, "1"))
      .expect(HttpMethod::Post, "/second", json_response(200, "2"));
  auto early = mock.send(request(HttpMethod::Post, "http://h/second"));
  REQUIRE_FALSE(early.ok());
  CHECK(early.error().message.find("expected POST /first") != std::string::npos);
  CHECK(mock.send(request(HttpMethod::Post, "http://h/first")).ok());
  CHECK(mock.send(request(HttpMethod::Post, "http://h/second")).ok());
  CHECK(mock.failures().size() == 1);

  MockTransport strict;
  strict.expect(HttpMethod::Put, "/x", json_response(200, "{}"), body_contains("done"));
  auto mismatch = strict.send(request(HttpMethod::Put, "http://h/x", "{\"operation\":\"reject\"}"));
  REQUIRE_FALSE(mismatch.ok());
  CHECK(mismatch.error().message.find("body does not match") != std::string::npos);
}

TEST_CASE("MockTransport can script a transport error") {
  MockTransport mock;
  mock.expect_error(HttpMethod::Get, "/down",
                    erpbridge::make_error(ErrorCode::Transport, "connection refused"));
  auto result = mock.send(request(HttpMethod::Get, "http://h/down"));
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::Transport);
  CHECK(mock.satisfied());
}
