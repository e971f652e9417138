#include <catch2/catch.hpp>

#include "call/executor.hpp"
#include "core/redact.hpp"
#include "erpbridge/testing/mock_transport.hpp"

using erpbridge::ClientOptions;
using erpbridge::HttpMethod;
using erpbridge::HttpRequest;
using erpbridge::LogLevel;
using erpbridge::internal::RedactionPolicy;
using erpbridge::testing::json_response;
using erpbridge::testing::MockTransport;

TEST_CASE("URL query values are masked unless allow-listed") {
  RedactionPolicy policy;
  CHECK(policy.url("http://h/app/x?access_token=tok123&page=2") ==
        "http://h/app/x?access_token=***&page=2");
  CHECK(policy.url("http://h/p?app_key=abc&app_signature=c2ln") ==
        "http://h/p?app_key=abc&app_signature=***");
  CHECK(policy.url("http://h/p") == "http://h/p");
  CHECK(policy.url("http://h/p?flag") == "http://h/p?flag");
}

TEST_CASE("JSON bodies have their secret values masked wherever they are") {
  CHECK(RedactionPolicy::json_body(R"({"key":"s3cr3t","data":{"type":"in"}})") ==
        R"({"key":"***","data":{"type":"in"}})");
  CHECK(RedactionPolicy::json_body(R"({"data":{"access_token" : "tok","expires":1}})") ==
        R"({"data":{"access_token" : "***","expires":1}})");
  CHECK(RedactionPolicy::json_body(R"({"app_secret":12345,"x":"key"})") ==
        R"({"app_secret":"***","x":"key"})");
  CHECK(RedactionPolicy::json_body(R"({"Authorization":"a\"b","ok":true})") ==
        R"({"Authorization":"***","ok":true})");
  CHECK(RedactionPolicy::json_body("not json at all") == "not json at all");
  CHECK(RedactionPolicy::json_body(R"({"key":"unterminated)") == R"({"key":"***")");
}

TEST_CASE("A captured log of requests carrying every secret contains none of them") {
  auto transport = std::make_shared<MockTransport>();
  transport->expect(
      HttpMethod::Post, "/doscall/oa/api/receipt_parts/",
      json_response(200, R"({"data":{"access_token":"RESPONSE-TOKEN-5","expires":1}})"));
  std::vector<std::string> lines;
  ClientOptions options;
  options.transport = transport;
  options.log_level = LogLevel::Debug;
  options.log_sink = [&](LogLevel, std::string_view line) { lines.emplace_back(line); };
  erpbridge::internal::Executor executor(options);

  HttpRequest request;
  request.method = HttpMethod::Post;
  request.url =
      "http://127.0.0.1:1/doscall/oa/api/receipt_parts/?access_token=QUERY-TOKEN-2&page=1";
  request.headers = {{"Authorization", "HEADER-TOKEN-1"},
                     {"Content-Type", "application/json"},
                     {"groupName", "GROUP-VISIBLE"},
                     {"X-Custom-Secret", "CUSTOM-HEADER-6"}};
  request.body = R"({"key":"CTC-KEY-3","app_secret":"APP-SECRET-4","data":{"type":"in"}})";
  REQUIRE(executor.execute(request, {"test", "redact"}).ok());

  std::string all;
  for (const auto& line : lines) all += line + "\n";
  INFO(all);
  REQUIRE(lines.size() == 2);
  for (const char* secret : {"HEADER-TOKEN-1", "QUERY-TOKEN-2", "CTC-KEY-3", "APP-SECRET-4",
                             "RESPONSE-TOKEN-5", "CUSTOM-HEADER-6"}) {
    CHECK(all.find(secret) == std::string::npos);
  }
  CHECK(all.find("GROUP-VISIBLE") != std::string::npos);
  CHECK(all.find("application/json") != std::string::npos);
  CHECK(all.find("page=1") != std::string::npos);
  CHECK(all.find("\"type\":\"in\"") != std::string::npos);
}
