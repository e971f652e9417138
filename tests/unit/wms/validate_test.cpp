#include <catch2/catch.hpp>

#include <functional>

#include "data/wms_sample.hpp"
#include "erpbridge/wms/types.hpp"

using namespace erpbridge::wms;

namespace {

EntryConfirmation sample() {
  return parse_entry_confirmation(erpbridge::test_data::kWmsRequestSample).value();
}

std::string repeat(const std::string& unit, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += unit;
  return out;
}

// Applies `change` to the sample and returns the violations as "field: rule" lines.
std::vector<std::string> violations_after(const std::function<void(EntryConfirmation&)>& change) {
  EntryConfirmation c = sample();
  change(c);
  std::vector<std::string> out;
  for (const auto& v : validate(c)) out.push_back(v.to_string());
  return out;
}

bool has(const std::vector<std::string>& list, const std::string& prefix) {
  for (const auto& item : list) {
    if (item.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("WMS validate: the spec's sample passes") {
  CHECK(validate(sample()).empty());
}

TEST_CASE("WMS validate: lengths count UTF-8 characters, not bytes") {
  CHECK(utf8_length("厂商SUP01") == 7);
  // 20 Chinese characters (60 bytes) fit ref_id's 20; 21 do not.
  CHECK(violations_after([](EntryConfirmation& c) { c.order.ref_id = repeat("仓", 20); }).empty());
  auto too_long = violations_after([](EntryConfirmation& c) { c.order.ref_id = repeat("仓", 21); });
  REQUIRE(too_long.size() == 1);
  CHECK(too_long[0] == "entry_order.ref_id: must be at most 20 characters, has 21");
}

TEST_CASE("WMS validate: every length limit of the table") {
  struct Limit {
    const char* field;
    std::size_t max;
    std::function<void(EntryConfirmation&, const std::string&)> set;
  };
  const std::vector<Limit> limits = {
      {"entry_order.entry_code", 100,
       [](auto& c, auto& v) {
         c.order.entry_code = v;
         for (auto& l : c.lines) l.entry_code = v;
       }},
      {"entry_order.owner_code", 30, [](auto& c, auto& v) { c.order.owner_code = v; }},
      {"entry_order.department", 30, [](auto& c, auto& v) { c.order.department = v; }},
      {"entry_order.bill_type", 10, [](auto& c, auto& v) { c.order.bill_type = v; }},
      {"entry_order.supplier_code", 30, [](auto& c, auto& v) { c.order.supplier_code = v; }},
      {"entry_order.supplier_name", 100, [](auto& c, auto& v) { c.order.supplier_name = v; }},
      {"entry_order.operator_code", 30, [](auto& c, auto& v) { c.order.operator_code = v; }},
      {"order_lines[0].item_code", 50, [](auto& c, auto& v) { c.lines[0].item_code = v; }},
      {"order_lines[0].item_name", 160, [](auto& c, auto& v) { c.lines[0].item_name = v; }},
      {"order_lines[0].sku_property", 255, [](auto& c, auto& v) { c.lines[0].sku_property = v; }},
      {"order_lines[0].batch_code", 40, [](auto& c, auto& v) { c.lines[0].batch_code = v; }},
      {"order_lines[0].warehouse_code", 30,
       [](auto& c, auto& v) { c.lines[0].warehouse_code = v; }},
      {"order_lines[0].request_id", 10, [](auto& c, auto& v) { c.lines[0].request_id = v; }},
      {"order_lines[0].request_code", 100, [](auto& c, auto& v) { c.lines[0].request_code = v; }},
      {"order_lines[0].request_itm", 100, [](auto& c, auto& v) { c.lines[0].request_itm = v; }},
      {"order_lines[0].source_bilid", 10, [](auto& c, auto& v) { c.lines[0].source_bilid = v; }},
      {"order_lines[0].source_bilno", 100, [](auto& c, auto& v) { c.lines[0].source_bilno = v; }},
      {"order_lines[0].source_bilitm", 100, [](auto& c, auto& v) { c.lines[0].source_bilitm = v; }},
  };
  for (const Limit& limit : limits) {
    INFO(limit.field);
    CHECK(violations_after([&](EntryConfirmation& c) {
            limit.set(c, repeat("字", static_cast<int>(limit.max)));
          }).empty());
    auto broken = violations_after(
        [&](EntryConfirmation& c) { limit.set(c, repeat("字", static_cast<int>(limit.max) + 1)); });
    CHECK(has(broken, std::string(limit.field) + ": must be at most " + std::to_string(limit.max) +
                          " characters"));
  }
}

TEST_CASE("WMS validate: required fields") {
  auto none = violations_after([](EntryConfirmation& c) {
    c.order = EntryOrder{};
    c.lines = {OrderLine{}};
  });
  for (const char* field :
       {"entry_order.ref_id: is required", "entry_order.entry_code: is required",
        "entry_order.entry_date: is required", "entry_order.owner_code: is required",
        "entry_order.order_type: is required", "entry_order.operate_time: is required",
        "entry_order.operator_code: is required", "order_lines[0].entry_code: is required",
        "order_lines[0].entry_code_itm: is required", "order_lines[0].item_code: is required",
        "order_lines[0].item_name: is required", "order_lines[0].warehouse_code: is required",
        "order_lines[0].qty: is required", "order_lines[0].request_code: is required",
        "order_lines[0].request_itm: is required"}) {
    INFO(field);
    CHECK(has(none, field));
  }
  CHECK(none.size() == 15);  // optional fields raise nothing
  CHECK(has(violations_after([](EntryConfirmation& c) {
              c.lines.clear();
              c.order.total_order_lines.reset();
            }),
            "order_lines: must have at least one line"));
}

TEST_CASE("WMS validate: order_type must be 01..11") {
  for (const char* code : {"01", "05", "11"}) {
    CHECK(violations_after([&](EntryConfirmation& c) {
            c.order.order_type = erpbridge::Labeled<OrderType>::from_label(code);
          }).empty());
  }
  for (const char* code : {"00", "12", "1", "进货入库"}) {
    INFO(code);
    auto broken = violations_after([&](EntryConfirmation& c) {
      c.order.order_type = erpbridge::Labeled<OrderType>::from_label(code);
    });
    REQUIRE(broken.size() == 1);
    CHECK(has(broken, "entry_order.order_type: must be one of 01..11"));
  }
}

TEST_CASE("WMS validate: lines must match the header and be numbered uniquely") {
  auto other_code = violations_after([](EntryConfirmation& c) { c.lines[0].entry_code = "RK9"; });
  REQUIRE(other_code.size() == 1);
  CHECK(other_code[0] ==
        "order_lines[0].entry_code: must equal the header's entry_code \"RK230302000001\"");

  auto repeated = violations_after([](EntryConfirmation& c) {
    c.lines.push_back(c.lines[0]);
    c.order.total_order_lines = 2;
  });
  REQUIRE(repeated.size() == 1);
  CHECK(repeated[0] == "order_lines[1].entry_code_itm: must be unique within the order; 1 repeats");
  CHECK(violations_after([](EntryConfirmation& c) {
          c.lines.push_back(c.lines[0]);
          c.lines[1].entry_code_itm = 2;
          c.order.total_order_lines = 2;
        }).empty());
}

TEST_CASE("WMS validate: the line count must equal total_order_lines when given") {
  auto mismatch = violations_after([](EntryConfirmation& c) { c.order.total_order_lines = 3; });
  REQUIRE(mismatch.size() == 1);
  CHECK(mismatch[0] == "order_lines: has 1 lines but total_order_lines says 3");
  CHECK(violations_after([](EntryConfirmation& c) { c.order.total_order_lines.reset(); }).empty());
}

TEST_CASE("WMS validate: every violation is reported at once") {
  auto many = violations_after([](EntryConfirmation& c) {
    c.order.ref_id = repeat("x", 21);
    c.lines[0].item_code.clear();
    c.lines[0].qty.reset();
  });
  CHECK(many.size() == 3);
  auto error = violations_error(validate([] {
    EntryConfirmation c = sample();
    c.order.ref_id.clear();
    return c;
  }()));
  CHECK(error.code == erpbridge::ErrorCode::InvalidArgument);
  CHECK(error.message == "1 violation: entry_order.ref_id: is required");
}

TEST_CASE("WMS validate: the reply's required fields and lengths") {
  CHECK(validate(PushReply{"0", "新增成功", "PC", "PC230301001"}).empty());
  auto missing = validate(PushReply{"0", "", "", ""});
  CHECK(missing.size() == 2);
  CHECK(validate(PushReply{"0", "", "PC12345678901", "x"}).size() == 1);
}
