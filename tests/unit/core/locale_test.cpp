// HTTP dates, URL encoding, header names, numbers and times read and written without the
// process locale: the same answers under zh_CN.UTF-8 and tr_TR.UTF-8 (scripts/install-deps
// generates both) as under "C".
#include <catch2/catch.hpp>

#include <clocale>

#include "call/executor.hpp"
#include "core/text.hpp"
#include "erpbridge/core/datetime.hpp"
#include "erpbridge/core/decimal.hpp"
#include "erpbridge/core/http.hpp"

TEST_CASE("Locale: dates, encodings and names read the same under zh_CN and tr_TR") {
  for (const char* name : {"C", "zh_CN.UTF-8", "tr_TR.UTF-8"}) {
    INFO(name);
    // A locale the test needs must exist: scripts/install-deps generates it (localedef).
    REQUIRE(std::setlocale(LC_ALL, name) != nullptr);
    CHECK(erpbridge::internal::http_date_seconds("Wed, 21 Oct 2015 07:28:00 GMT") ==
          std::optional<long long>(1445412480));
    CHECK(erpbridge::internal::http_date_seconds("Thu, 29 Feb 2024 23:59:60 GMT") ==
          std::optional<long long>(1709251200));
    CHECK_FALSE(erpbridge::internal::http_date_seconds("星期三, 21 十月 2015 07:28:00 GMT"));
    CHECK_FALSE(erpbridge::internal::http_date_seconds("Wed, 21 Oct 2015 07:28:00 UTC"));
    CHECK(erpbridge::url_encode("IDİıi /=中") == "ID%C4%B0%C4%B1i%20%2F%3D%E4%B8%AD");
    CHECK(erpbridge::internal::iequals("X-API-ID", "x-api-id"));
    CHECK(erpbridge::internal::iequals("Content-Type", "CONTENT-TYPE"));
    CHECK_FALSE(erpbridge::internal::iequals("İd", "id"));
    CHECK(erpbridge::Decimal::parse("1310.50").value().to_string() == "1310.50");
    CHECK(erpbridge::DateTime::parse("2020-05-27 20:40:23").value().to_string() ==
          "2020-05-27 20:40:23");
  }
  std::setlocale(LC_ALL, "C");
}
