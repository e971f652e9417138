#include <catch2/catch.hpp>

#include "erpbridge/core/result.hpp"

using erpbridge::Error;
using erpbridge::ErrorCode;
using erpbridge::Result;

namespace {
Result<int> parse_positive(int value) {
  if (value <= 0) return erpbridge::make_error(ErrorCode::InvalidArgument, "must be positive");
  return value;
}
}  // namespace

TEST_CASE("Result holds a value") {
  Result<int> result = parse_positive(5);
  REQUIRE(result.ok());
  CHECK(static_cast<bool>(result));
  CHECK(*result == 5);
  CHECK(result.value() == 5);
  CHECK(result.value_or(7) == 5);
}

TEST_CASE("Result holds an error and value() throws RuntimeError carrying it") {
  Result<int> result = parse_positive(-1);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::InvalidArgument);
  CHECK(result.error().message == "must be positive");
  CHECK(result.value_or(7) == 7);
  try {
    (void)result.value();
    FAIL("value() did not throw");
  } catch (const erpbridge::RuntimeError& e) {
    CHECK(e.error().code == ErrorCode::InvalidArgument);
    CHECK(std::string(e.what()) == "InvalidArgument: must be positive");
  }
}

TEST_CASE("Result<void> success and failure") {
  Result<void> good = erpbridge::ok();
  CHECK(good.ok());
  CHECK_NOTHROW(good.value());
  Result<void> bad = erpbridge::make_error(ErrorCode::Timeout, "too slow");
  CHECK_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::Timeout);
  CHECK_THROWS_AS(bad.value(), erpbridge::RuntimeError);
}

TEST_CASE("Error text carries HTTP status and vendor code and message") {
  Error error = erpbridge::make_error(ErrorCode::Api, "CTC rejected the query");
  error.http_status = 200;
  error.vendor_code = "1";
  error.vendor_message = "签名无效";
  CHECK(error.to_string() == "Api: CTC rejected the query (http 200, vendor code 1: 签名无效)");
  CHECK(std::string(erpbridge::to_string(ErrorCode::FailedPrecondition)) == "FailedPrecondition");
}

TEST_CASE("Result moves out its value") {
  Result<std::string> result = std::string("payload");
  std::string taken = std::move(result).value();
  CHECK(taken == "payload");
}
