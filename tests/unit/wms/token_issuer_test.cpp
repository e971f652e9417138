// The token method `wms serve --issue-tokens` offers WMS. Expected replies are written out
// here as the endpoint's contract states them (docs/wms.md), not taken from the issuer.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <set>

#include "erpbridge/wms/token_issuer.hpp"
#include "support/manual_clock.hpp"

using erpbridge::ErrorCode;
using erpbridge::test_support::ManualClock;
using namespace erpbridge::wms;
using namespace std::chrono_literals;

namespace {

TokenIssuer issuer_with(const std::string& secret, const ManualClock& clock) {
  TokenIssuerOptions options;
  options.client_id = "wms-prod";
  options.client_secret = secret;
  options.lifetime = 2h;
  options.clock = clock.function();
  return TokenIssuer(options);
}

// The token of a 200 reply, read with a DOM and literal keys.
std::string token_in(const ReceiverReply& reply) {
  rapidjson::Document body;
  body.Parse(reply.body.c_str());
  REQUIRE(body.IsObject());
  REQUIRE(body.HasMember("token"));
  REQUIRE(body["token"].IsString());
  REQUIRE(body.HasMember("expires_in"));
  CHECK(body["expires_in"].GetInt64() == 7200);
  return body["token"].GetString();
}

}  // namespace

TEST_CASE("Token issuer: the right credentials get a token that pushes may carry for 2 h") {
  ManualClock clock;
  const TokenIssuer issuer = issuer_with("s3cret-value-0001", clock);
  const ReceiverReply reply =
      issuer.handle({}, R"({"client_id":"wms-prod","client_secret":"s3cret-value-0001"})");
  CHECK(reply.http_status == 200);
  const std::string token = token_in(reply);
  CHECK(token.rfind("ebt1.", 0) == 0);
  CHECK(token.find("s3cret") == std::string::npos);
  CHECK(token.size() == 5 + 10 + 1 + 24 + 1 + 64);  // ebt1.<expiry>.<nonce>.<signature>
  const TokenChecker check = issuer.checker();
  CHECK(check(token));
  clock.advance(2h - 1s);
  CHECK(check(token));
  clock.advance(1s);  // expired at exactly its lifetime
  CHECK_FALSE(check(token));
  // Each issue is a new token.
  std::set<std::string> tokens;
  for (int i = 0; i < 20; ++i) tokens.insert(issuer.issue("wms-prod", "s3cret-value-0001")->token);
  CHECK(tokens.size() == 20);
}

TEST_CASE("Token issuer: wrong credentials are 401, a malformed request 400, a huge one 413") {
  ManualClock clock;
  const TokenIssuer issuer = issuer_with("s3cret-value-0001", clock);
  const char* const wrong[] = {
      R"({"client_id":"wms-prod","client_secret":"s3cret-value-0002"})",
      R"({"client_id":"wms-test","client_secret":"s3cret-value-0001"})",
      R"({"client_id":"wms-prod","client_secret":""})",
  };
  for (const char* body : wrong) {
    INFO(body);
    const ReceiverReply reply = issuer.handle({}, body);
    CHECK(reply.http_status == 401);
    CHECK(reply.body == R"({"code":"401","message":"wrong client_id or client_secret"})");
  }
  const char* const malformed[] = {
      "",
      "client_id=wms-prod",
      "[]",
      R"({"client_id":"wms-prod"})",
      R"({"client_id":"wms-prod","client_secret":12345})",
  };
  for (const char* body : malformed) {
    INFO(body);
    const ReceiverReply reply = issuer.handle({}, body);
    CHECK(reply.http_status == 400);
    CHECK(reply.body.rfind(R"({"code":"400","message":)", 0) == 0);
  }
  CHECK(issuer.handle({}, std::string(70000, ' ')).http_status == 413);
  CHECK(issuer.issue("wms-prod", "nope").error().code == ErrorCode::Unauthenticated);
}

TEST_CASE("Token issuer: a forged, altered or foreign token is refused, a new secret revokes") {
  ManualClock clock;
  const TokenIssuer issuer = issuer_with("s3cret-value-0001", clock);
  const std::string token = issuer.issue("wms-prod", "s3cret-value-0001")->token;
  REQUIRE(issuer.accepts(token));
  // Every single character changed, one at a time: refused.
  for (std::size_t i = 0; i < token.size(); ++i) {
    std::string altered = token;
    altered[i] = altered[i] == 'a' ? 'b' : 'a';
    if (altered == token) continue;
    INFO(i);
    CHECK_FALSE(issuer.accepts(altered));
  }
  // A later expiry written into the token by hand: its signature no longer matches.
  std::string extended = token;
  extended.replace(5, 1, "9");
  CHECK_FALSE(issuer.accepts(extended));
  CHECK_FALSE(issuer.accepts(""));
  CHECK_FALSE(issuer.accepts("ebt1"));
  CHECK_FALSE(issuer.accepts(token + "0"));
  CHECK_FALSE(issuer.accepts(token.substr(0, token.size() - 1)));
  // Rotating the secret: the old tokens stop working at once, the new ones work.
  const TokenIssuer rotated = issuer_with("s3cret-value-0002", clock);
  CHECK_FALSE(rotated.accepts(token));
  CHECK(rotated.accepts(rotated.issue("wms-prod", "s3cret-value-0002")->token));
  // Another client id with the same secret signs differently.
  TokenIssuerOptions other;
  other.client_id = "wms-test";
  other.client_secret = "s3cret-value-0001";
  other.clock = clock.function();
  CHECK_FALSE(TokenIssuer(other).accepts(token));
}

TEST_CASE("Token issuer: accept_any takes an issued token or the static one") {
  ManualClock clock;
  const TokenIssuer issuer = issuer_with("s3cret-value-0001", clock);
  const TokenChecker either = accept_any({issuer.checker(), expect_token("static-token-9")});
  CHECK(either(issuer.issue("wms-prod", "s3cret-value-0001")->token));
  CHECK(either("static-token-9"));
  CHECK_FALSE(either("static-token-8"));
  CHECK_FALSE(accept_any({})("anything"));
}

TEST_CASE("Token issuer: a client secret under 16 characters issues and accepts nothing") {
  ManualClock clock;
  const TokenIssuer weak = issuer_with("short-secret", clock);
  auto refused = weak.issue("wms-prod", "short-secret");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::FailedPrecondition);
  CHECK(refused.error().message.find("short-secret") == std::string::npos);
  CHECK(weak.handle({}, R"({"client_id":"wms-prod","client_secret":"short-secret"})").http_status ==
        500);
  CHECK_FALSE(weak.accepts("ebt1.9999999999.000000000000000000000000." + std::string(64, '0')));
}
