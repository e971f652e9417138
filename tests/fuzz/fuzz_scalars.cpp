// Decimal, Date and DateTime parsing: never a crash, and parse -> to_string -> parse equal.
#include "erpbridge/core/datetime.hpp"
#include "erpbridge/core/decimal.hpp"
#include "fuzz_support.hpp"

using namespace erpbridge;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(bytes), size);
  if (auto decimal = Decimal::parse(text); decimal.ok()) {
    auto again = Decimal::parse(decimal->to_string());
    fuzz::require(again.ok(), "a printed Decimal parses");
    fuzz::require(again->to_string() == decimal->to_string(), "Decimal round trip");
  }
  if (auto date = Date::parse(text); date.ok()) {
    auto again = Date::parse(date->to_string());
    fuzz::require(again.ok() && *again == *date, "Date round trip");
  }
  if (auto time = DateTime::parse(text); time.ok()) {
    auto again = DateTime::parse(time->to_string());
    fuzz::require(again.ok() && *again == *time, "DateTime round trip");
  }
  return 0;
}
