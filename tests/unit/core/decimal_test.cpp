#include <catch2/catch.hpp>

#include "erpbridge/core/decimal.hpp"

#include <cstdint>
#include <limits>
#include <string>

using erpbridge::Decimal;
using erpbridge::ErrorCode;
using erpbridge::Result;

namespace {
Decimal dec(const char* text) {
  return Decimal::parse(text).value();
}
}  // namespace

TEST_CASE("Decimal round-trips the vendors' strings with their scale", "[decimal]") {
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

TEST_CASE("Decimal rejects malformed text with an InvalidArgument naming it", "[decimal]") {
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
                           "123456789012345678901234567890123456789",
                           "1.000000000000000000000000000000000000000",
                           "1e38",
                           "1e-39",
                           "1.5E+2x"}) {
    Result<Decimal> parsed = Decimal::parse(text);
    INFO(text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == ErrorCode::InvalidArgument);
    CHECK(parsed.error().message.find(std::string("\"") + text + "\"") != std::string::npos);
  }
  CHECK(Decimal::parse("1e").error().message.find("exponent") != std::string::npos);
  CHECK(Decimal::parse("1e38").error().message.find("out of range") != std::string::npos);
  CHECK(Decimal::parse("123456789012345678901234567890123456789").error().message ==
        "invalid decimal \"123456789012345678901234567890123456789\": more than 38 significant "
        "digits");
}

TEST_CASE("Decimal converts exponent notation exactly to plain digits", "[decimal]") {
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

TEST_CASE("Decimal compares numerically regardless of scale", "[decimal]") {
  CHECK(dec("1.5") == dec("1.50"));
  CHECK_FALSE(dec("1.5").identical(dec("1.50")));
  CHECK(dec("1.5").identical(dec("1.5")));
  CHECK(dec("-0.00") == dec("0"));
  CHECK(dec("2") > dec("1.999999"));
  CHECK(dec("-2") < dec("-1.5"));
  CHECK(dec("0.1") != dec("0.2"));
  CHECK(dec("999999999999999999") > dec("0.999999999999999999"));
}

TEST_CASE("Decimal adds and subtracts exactly with the larger scale", "[decimal]") {
  CHECK(dec("0.1").add(dec("0.2"))->to_string() == "0.3");
  CHECK(dec("1310.00").add(dec("393.00"))->to_string() == "1703.00");
  CHECK(dec("1.5").add(dec("0.25"))->to_string() == "1.75");
  CHECK(dec("1").subtract(dec("1.50"))->to_string() == "-0.50");
  CHECK(dec("-3.5").add(dec("3.5"))->to_string() == "0.0");
  Result<Decimal> overflow = dec("99999999999999999999999999999999999999").add(dec("1"));
  REQUIRE_FALSE(overflow.ok());
  CHECK(overflow.error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("Decimal rescales only upwards", "[decimal]") {
  CHECK(dec("1.5").rescale(3)->to_string() == "1.500");
  CHECK_FALSE(dec("1.55").rescale(1).ok());
  CHECK_FALSE(dec("1000000000000000000000000000000000000").rescale(2).ok());
  CHECK(Decimal::from_integer(-42).to_string() == "-42");
  CHECK(Decimal().to_string() == "0");
}

// The limits below are 38 significant digits and 38 digits after the point. Every expected
// text is written out by hand.

TEST_CASE("Decimal keeps Kingdee's 10-decimal amounts beyond 18 digits", "[decimal]") {
  // 100 million with 10 decimals: 19 digits, the case that used to fail.
  Result<Decimal> amount = Decimal::parse("100000000.0000000000");
  REQUIRE(amount.ok());
  CHECK(amount->to_string() == "100000000.0000000000");
  CHECK(amount->scale() == 10);
  CHECK(amount->unscaled_digits() == "1000000000000000000");
  CHECK(amount->unscaled_fits_int64());
  CHECK(amount->unscaled() == 1000000000000000000);
  CHECK(dec("-123456789012.3456789012").to_string() == "-123456789012.3456789012");
}

TEST_CASE("Decimal round-trips 38 significant digits and rejects 39", "[decimal]") {
  for (const char* text :
       {"12345678901234567890123456789012345678", "-12345678901234567890123456789012345678",
        "99999999999999999999999999999999999999", "-99999999999999999999999999999999999999",
        "0.99999999999999999999999999999999999999", "0.00000000000000000000000000000000000001",
        "1234567890123456789.0123456789012345678", "18446744073709551615", "18446744073709551616",
        "-18446744073709551617", "10000000000000000000", "10000000000000000000000000000000000001",
        "0.00000000000000000000000000000000000000", "-0.00000000000000000000000000000000000000"}) {
    INFO(text);
    Result<Decimal> parsed = Decimal::parse(text);
    REQUIRE(parsed.ok());
    CHECK(parsed->to_string() == text);
  }
  CHECK(dec("-12345678901234567890123456789012345678").unscaled_digits() ==
        "-12345678901234567890123456789012345678");
  CHECK(dec("-12345678901234567890123456789012345678").is_negative());
  // Leading zeros are not significant.
  CHECK(dec("00012345678901234567890123456789012345678").to_string() ==
        "12345678901234567890123456789012345678");

  for (const char* text :
       {"123456789012345678901234567890123456789", "-123456789012345678901234567890123456789",
        "1234567890123456789.01234567890123456789", "0.000000000000000000000000000000000000001"}) {
    INFO(text);
    Result<Decimal> parsed = Decimal::parse(text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == ErrorCode::InvalidArgument);
    CHECK(parsed.error().message.find(std::string("\"") + text + "\"") != std::string::npos);
  }
}

TEST_CASE("Decimal converts exponents exactly up to 38 digits", "[decimal]") {
  Result<Decimal> big = Decimal::parse("1E+30");
  REQUIRE(big.ok());
  CHECK(big->to_string() == "1000000000000000000000000000000");  // 31 digits
  CHECK(big->to_string().size() == 31);
  CHECK(dec("1E+37").to_string() == "10000000000000000000000000000000000000");
  CHECK(dec("-9.9E+36").to_string() == "-9900000000000000000000000000000000000");
  CHECK(dec("1e-38").to_string() == "0.00000000000000000000000000000000000001");
  CHECK(dec("1.5e19").to_string() == "15000000000000000000");
  for (const char* text : {"1E+38", "10E+37", "1e-39", "1e99", "1e-99"}) {
    INFO(text);
    Result<Decimal> parsed = Decimal::parse(text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == ErrorCode::InvalidArgument);
    CHECK(parsed.error().message.find("out of range") != std::string::npos);
  }
  CHECK(Decimal::parse("1E+38").error().message ==
        "invalid decimal \"1E+38\": out of range: more than 38 significant digits");
}

TEST_CASE("Decimal adds and subtracts across the old 18-digit boundary", "[decimal]") {
  CHECK(dec("999999999999999999").add(dec("1"))->to_string() == "1000000000000000000");
  CHECK(dec("1000000000000000000").subtract(dec("1"))->to_string() == "999999999999999999");
  CHECK(dec("-999999999999999999.5").subtract(dec("0.5"))->to_string() == "-1000000000000000000.0");
  CHECK(dec("18446744073709551615").add(dec("1"))->to_string() == "18446744073709551616");
  CHECK(dec("18446744073709551616").subtract(dec("1"))->to_string() == "18446744073709551615");
  CHECK(dec("100000000.0000000000").add(dec("0.0000000001"))->to_string() ==
        "100000000.0000000001");
  CHECK(dec("99999999999999999999999999999999999998").add(dec("1"))->to_string() ==
        "99999999999999999999999999999999999999");
  CHECK(dec("-99999999999999999999999999999999999999").add(dec("1"))->to_string() ==
        "-99999999999999999999999999999999999998");
  CHECK(dec("12345678901234567890123456789012345678")
            .subtract(dec("12345678901234567890123456789012345678"))
            ->to_string() == "0");
  // At the common scale 10^37 is 39 digits, yet the difference fits.
  CHECK(dec("10000000000000000000000000000000000000")
            .subtract(dec("9999999999999999999999999999999999999.9"))
            ->to_string() == "0.1");
}

TEST_CASE("Decimal add and subtract fail beyond 38 digits", "[decimal]") {
  const Decimal nines = dec("99999999999999999999999999999999999999");
  const Result<Decimal> results[] = {
      nines.add(dec("1")),
      nines.subtract(dec("-1")),
      dec("-99999999999999999999999999999999999999").subtract(dec("1")),
      nines.add(nines),
      // Exact at scale 1 the sum is 39 digits.
      dec("10000000000000000000000000000000000000").add(dec("0.1")),
      // At the common scale 38 the first operand needs more than 128 bits.
      nines.add(dec("0.00000000000000000000000000000000000001")),
      nines.subtract(dec("0.00000000000000000000000000000000000001")),
  };
  for (const Result<Decimal>& result : results) {
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ErrorCode::InvalidArgument);
    CHECK(result.error().message.find("38 significant digits") != std::string::npos);
  }
  CHECK(nines.add(dec("1")).error().message ==
        "decimal 99999999999999999999999999999999999999 + 1 exceeds 38 significant digits");
}

TEST_CASE("Decimal rescales up to 38 digits and fails beyond", "[decimal]") {
  CHECK(dec("1").rescale(37)->to_string() == "1.0000000000000000000000000000000000000");
  CHECK(dec("0").rescale(38)->to_string() == "0.00000000000000000000000000000000000000");
  CHECK(dec("-0.0").rescale(3)->to_string() == "-0.000");
  CHECK(dec("-123456789012345678.9").rescale(20)->to_string() ==
        "-123456789012345678.90000000000000000000");
  CHECK(dec("100000000").rescale(10)->to_string() == "100000000.0000000000");

  for (const Result<Decimal>& result :
       {dec("10").rescale(37), dec("1234567890123456789012345678901234567.8").rescale(2),
        dec("99999999999999999999999999999999999999").rescale(1),
        dec("99999999999999999999999999999999999999").rescale(38), dec("0").rescale(39)}) {
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ErrorCode::InvalidArgument);
  }
}

TEST_CASE("Decimal compares values that differ only beyond the 18th digit", "[decimal]") {
  CHECK(dec("1234567890123456789012345") < dec("1234567890123456789012346"));
  CHECK(dec("1234567890123456789012345") != dec("1234567890123456789012346"));
  CHECK(dec("-1234567890123456789012345") > dec("-1234567890123456789012346"));
  CHECK(dec("12345678901234567890.123456789012345678") <
        dec("12345678901234567890.123456789012345679"));
  CHECK(dec("1234567890123456789.0123456789012345670") ==
        dec("1234567890123456789.012345678901234567"));
  CHECK(dec("0.10000000000000000000000000000000000001") > dec("0.1"));
  // A scale difference of 38 takes the smaller-scale side past 128 bits.
  const Decimal nines = dec("99999999999999999999999999999999999999");
  const Decimal tiny = dec("0.00000000000000000000000000000000000001");
  CHECK(nines > tiny);
  CHECK(tiny < nines);
  CHECK(dec("-99999999999999999999999999999999999999") < tiny);
  CHECK(dec("-99999999999999999999999999999999999999") <
        dec("-0.00000000000000000000000000000000000001"));
  CHECK(dec("-0.00000000000000000000000000000000000001") >
        dec("-99999999999999999999999999999999999999"));
  CHECK(dec("1E+36") == dec("1000000000000000000000000000000000000.0"));
  // identical() compares both words of the magnitude: 2^65 and 2^64 share the low word.
  CHECK_FALSE(dec("36893488147419103232").identical(dec("18446744073709551616")));
  CHECK(dec("36893488147419103232").identical(dec("36893488147419103232")));
  CHECK_FALSE(dec("-0.00").identical(dec("0.00")));
  CHECK(dec("-0.00") == dec("0.00"));
}

TEST_CASE("Decimal tells whether the unscaled value fits int64", "[decimal]") {
  const Decimal int64_max = dec("9223372036854775807");
  CHECK(int64_max.unscaled_fits_int64());
  CHECK(int64_max.unscaled() == 9223372036854775807);
  CHECK(int64_max.unscaled_digits() == "9223372036854775807");

  const Decimal beyond = dec("9223372036854775808");
  CHECK_FALSE(beyond.unscaled_fits_int64());
  CHECK(beyond.unscaled_digits() == "9223372036854775808");
  CHECK(beyond.unscaled() == std::numeric_limits<std::int64_t>::max());  // saturated

  const Decimal int64_min = dec("-9223372036854775808");
  CHECK(int64_min.unscaled_fits_int64());
  CHECK(int64_min.unscaled() == std::numeric_limits<std::int64_t>::min());
  CHECK_FALSE(dec("-9223372036854775809").unscaled_fits_int64());
  CHECK(dec("-9223372036854775809").unscaled() == std::numeric_limits<std::int64_t>::min());
  CHECK_FALSE(dec("18446744073709551616").unscaled_fits_int64());

  CHECK(dec("-922337203685477.5808").unscaled_fits_int64());
  CHECK(dec("-922337203685477.5808").unscaled() == std::numeric_limits<std::int64_t>::min());
  CHECK(dec("-1310.00").unscaled_digits() == "-131000");
  CHECK(dec("-0.00").unscaled_digits() == "0");
  CHECK(dec("-0.00").unscaled() == 0);
  CHECK(dec("0.0000000000").unscaled_digits() == "0");

  CHECK(Decimal::from_integer(std::numeric_limits<std::int64_t>::min()).to_string() ==
        "-9223372036854775808");
  CHECK(Decimal::from_integer(std::numeric_limits<std::int64_t>::max()).to_string() ==
        "9223372036854775807");
}
