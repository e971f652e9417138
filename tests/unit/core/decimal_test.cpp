#include <catch2/catch.hpp>

#include "erpbridge/core/decimal.hpp"

using erpbridge::Decimal;
using erpbridge::ErrorCode;
using erpbridge::Result;

namespace {
Decimal dec(const char* text) {
  return Decimal::parse(text).value();
}
}  // namespace

TEST_CASE("Decimal round-trips the vendors' strings with their scale") {
  for (const char* text : {"1310.00", "0.0000000000", "-3.5", "0", "393.00", "100.0", "-0.00",
                           "999999999999999999", "0.000000000000000001", "12.340"}) {
    Result<Decimal> parsed = Decimal::parse(text);
    INFO(text);
    REQUIRE(parsed.ok());
    CHECK(parsed->to_string() == text);
  }
  CHECK(dec("1310.00").scale() == 2);
  CHECK(dec("1310.00").unscaled() == 131000);
  CHECK(dec("0.0000000000").scale() == 10);
  CHECK(dec("-3.5").unscaled() == -35);
}

TEST_CASE("Decimal rejects malformed text with an InvalidArgument naming it") {
  for (const char* text : {"1e",
                           "1E+",
                           "1e5.0",
                           "e5",
                           "abc",
                           "",
                           "-",
                           ".5",
                           "5.",
                           "1.2.3",
                           "+1",
                           " 1",
                           "1 ",
                           "1,000",
                           "0x10",
                           "1234567890123456789",
                           "1.0000000000000000000",
                           "1e18",
                           "1e-19",
                           "1.5E+2x"}) {
    Result<Decimal> parsed = Decimal::parse(text);
    INFO(text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == ErrorCode::InvalidArgument);
    CHECK(parsed.error().message.find(std::string("\"") + text + "\"") != std::string::npos);
  }
  CHECK(Decimal::parse("1e").error().message.find("exponent") != std::string::npos);
  CHECK(Decimal::parse("1e18").error().message.find("out of range") != std::string::npos);
  CHECK(Decimal::parse("1234567890123456789").error().message.find("18") != std::string::npos);
}

TEST_CASE("Decimal converts exponent notation exactly to plain digits") {
  // Expected texts written by hand: the mantissa's digits shifted by the exponent.
  const std::pair<const char*, const char*> cases[] = {
      {"1.0E+2", "100"},
      {"1e-4", "0.0001"},
      {"1.50E+1", "15.0"},
      {"-2.5e3", "-2500"},
      {"7E0", "7"},
      {"0e9", "0"},
      {"123.456e-2", "1.23456"},
      {"1e17", "100000000000000000"},
      {"5E-18", "0.000000000000000005"},
  };
  for (const auto& [text, plain] : cases) {
    INFO(text);
    Result<Decimal> parsed = Decimal::parse(text);
    REQUIRE(parsed.ok());
    CHECK(parsed->to_string() == plain);
  }
  CHECK(dec("1.0E+2") == dec("100"));
}

TEST_CASE("Decimal compares numerically regardless of scale") {
  CHECK(dec("1.5") == dec("1.50"));
  CHECK_FALSE(dec("1.5").identical(dec("1.50")));
  CHECK(dec("1.5").identical(dec("1.5")));
  CHECK(dec("-0.00") == dec("0"));
  CHECK(dec("2") > dec("1.999999"));
  CHECK(dec("-2") < dec("-1.5"));
  CHECK(dec("0.1") != dec("0.2"));
  CHECK(dec("999999999999999999") > dec("0.999999999999999999"));
}

TEST_CASE("Decimal adds and subtracts exactly with the larger scale") {
  CHECK(dec("0.1").add(dec("0.2"))->to_string() == "0.3");
  CHECK(dec("1310.00").add(dec("393.00"))->to_string() == "1703.00");
  CHECK(dec("1.5").add(dec("0.25"))->to_string() == "1.75");
  CHECK(dec("1").subtract(dec("1.50"))->to_string() == "-0.50");
  CHECK(dec("-3.5").add(dec("3.5"))->to_string() == "0.0");
  Result<Decimal> overflow = dec("999999999999999999").add(dec("1"));
  REQUIRE_FALSE(overflow.ok());
  CHECK(overflow.error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("Decimal rescales only upwards") {
  CHECK(dec("1.5").rescale(3)->to_string() == "1.500");
  CHECK_FALSE(dec("1.55").rescale(1).ok());
  CHECK_FALSE(dec("100000000000000000").rescale(2).ok());
  CHECK(Decimal::from_integer(-42).to_string() == "-42");
  CHECK(Decimal().to_string() == "0");
}
