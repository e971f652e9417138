// How a user unit-tests their own code that uses erpbridge: a mock Connection written with
// Catch2 alone, and the in-process emulator. Built against the installed package.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <atomic>

#include "erpbridge/ctc/client.hpp"
#include "erpbridge/testing/ctc_emulator.hpp"

namespace shop {

// The user's code under test: total money received in a range, from CTC receipts.
erpbridge::Result<erpbridge::Decimal> money_received(const erpbridge::ctc::Client& client,
                                                     const erpbridge::DateTime& from,
                                                     const erpbridge::DateTime& to) {
  auto receipts = client.list_receipts(erpbridge::ctc::Direction::In, from, to);
  if (!receipts) return receipts.error();
  erpbridge::Decimal total;
  for (const auto& receipt : *receipts) {
    auto sum = total.add(receipt.amount_of_money);
    if (!sum) return sum.error();
    total = *sum;
  }
  return total;
}

}  // namespace shop

namespace {

erpbridge::DateTime at(const char* text) {
  return erpbridge::DateTime::parse(text).value();
}

// A hand-written mock: override only what the code uses. list_receipts fetches its windows
// concurrently, so the mock's state is atomic.
class FakeCtc : public erpbridge::ctc::Connection {
 public:
  erpbridge::Result<std::vector<erpbridge::ctc::Receipt>> query_receipts(
      const erpbridge::ctc::ReceiptQuery& query) override {
    ++calls;
    if (fail) return erpbridge::make_error(erpbridge::ErrorCode::Unauthenticated, "签名无效");
    erpbridge::ctc::Receipt receipt;
    receipt.number = "RK" + query.start.to_string();  // one per window
    receipt.amount_of_money = erpbridge::Decimal::parse("0.10").value();
    receipt.created_at = query.start;
    return std::vector<erpbridge::ctc::Receipt>{receipt};
  }
  std::atomic<int> calls{0};
  std::atomic<bool> fail{false};
};

}  // namespace

TEST_CASE("user code with a mock Connection: one call per 7-day window, exact sums") {
  auto fake = std::make_shared<FakeCtc>();
  erpbridge::ctc::Client client(fake);
  auto total = shop::money_received(client, at("2020-03-01 00:00:00"), at("2020-03-29 00:00:00"));
  REQUIRE(total);
  CHECK(fake->calls == 4);              // 28 days: four windows
  CHECK(total->to_string() == "0.40");  // never 0.39999...
  fake->fail = true;
  CHECK(shop::money_received(client, at("2020-03-01 00:00:00"), at("2020-03-02 00:00:00"))
            .error()
            .code == erpbridge::ErrorCode::Unauthenticated);
}

TEST_CASE("user code against the in-process CTC emulator") {
  erpbridge::testing::CtcEmulator ctc("k");
  ctc.add_receipts(erpbridge::testing::CtcEmulator::spec_samples());
  auto emulator = std::make_shared<erpbridge::testing::Emulator>();
  ctc.install(*emulator);
  erpbridge::ctc::Options options;
  options.base_url = "http://ctc.test";
  options.key = erpbridge::make_static_token("k");
  options.transport = emulator;  // no sockets
  auto total = shop::money_received(erpbridge::ctc::Client(options), at("2020-05-20 00:00:00"),
                                    at("2020-06-20 00:00:00"));
  REQUIRE(total);
  CHECK(total->to_string() == "1703.00");
}
