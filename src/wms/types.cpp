#include <set>

#include "erpbridge/wms/types.hpp"
#include "wms/codec.hpp"

namespace erpbridge::wms {

const char* description(OrderType type) noexcept {
  switch (type) {
    case OrderType::Purchase:
      return "进货入库";
    case OrderType::ProvisionalEstimate:
      return "暂估入库";
    case OrderType::SalesReturn:
      return "销货退回入库";
    case OrderType::SelfMadeProduct:
      return "自制产品入库";
    case OrderType::OutsourcedProcessing:
      return "托外加工入库";
    case OrderType::ProductionMaterialReturn:
      return "生产退料入库";
    case OrderType::ContractMaterialReturn:
      return "托工退料入库";
    case OrderType::StockTransfer:
      return "库存调拨入库";
    case OrderType::NonProductionReturn:
      return "非生产退料入库";
    case OrderType::Scrap:
      return "报废入库";
    case OrderType::Other:
      return "其他入库";
    case OrderType::Unknown:
      return "";
  }
  return "";
}

std::size_t utf8_length(const std::string& text) noexcept {
  std::size_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;  // skip continuation bytes
  return count;
}

namespace {

// Where a field sits: "entry_order.", "order_lines[3]." or nothing.
struct Prefix {
  const char* head = "";
  std::size_t index = kNoIndex;
  static constexpr std::size_t kNoIndex = static_cast<std::size_t>(-1);

  std::string text() const {
    return index == kNoIndex ? std::string(head)
                             : std::string(head) + "[" + std::to_string(index) + "].";
  }
};

// Field names are a prefix and a name, joined only for a violation: a valid order, the
// usual case, is checked without building a string per field or per line.
class Checker {
 public:
  explicit Checker(std::vector<Violation>& out) : out_(out) {}

  void text(const Prefix& prefix, const char* name, const std::string& value,
            std::size_t max_length, bool required) {
    if (value.empty()) {
      if (required) add(prefix, name, "is required");
      return;
    }
    if (max_length == 0 || value.size() <= max_length) return;  // bytes >= characters
    const std::size_t length = utf8_length(value);
    if (length > max_length) {
      add(prefix, name,
          "must be at most " + std::to_string(max_length) + " characters, has " +
              std::to_string(length));
    }
  }

  template <typename T>
  void present(const Prefix& prefix, const char* name, const std::optional<T>& value) {
    if (!value) add(prefix, name, "is required");
  }

  void add(const Prefix& prefix, const char* name, std::string rule) {
    out_.push_back(Violation{prefix.text() + name, std::move(rule)});
  }

 private:
  std::vector<Violation>& out_;
};

}  // namespace

std::vector<Violation> validate(const EntryConfirmation& confirmation) {
  std::vector<Violation> violations;
  Checker check(violations);
  const EntryOrder& order = confirmation.order;
  const Prefix h{"entry_order."};
  check.text(h, "ref_id", order.ref_id, 20, true);
  check.text(h, "entry_code", order.entry_code, 100, true);
  check.present(h, "entry_date", order.entry_date);
  check.text(h, "owner_code", order.owner_code, 30, true);
  if (order.order_type.label().empty()) {
    check.add(h, "order_type", "is required");
  } else if (!order.order_type.known()) {
    check.add(h, "order_type",
              "must be one of 01..11, is \"" + order.order_type.label().substr(0, 20) + "\"");
  }
  check.text(h, "department", order.department, 30, false);
  check.text(h, "bill_type", order.bill_type, 10, false);
  check.text(h, "supplier_code", order.supplier_code, 30, false);
  check.text(h, "supplier_name", order.supplier_name, 100, false);
  check.present(h, "operate_time", order.operate_time);
  check.text(h, "operator_code", order.operator_code, 30, true);
  if (order.total_order_lines && *order.total_order_lines < 0) {
    check.add(h, "total_order_lines", "must not be negative");
  }

  if (confirmation.lines.empty()) check.add({}, "order_lines", "must have at least one line");
  if (order.total_order_lines &&
      static_cast<std::size_t>(*order.total_order_lines) != confirmation.lines.size()) {
    check.add({}, "order_lines",
              "has " + std::to_string(confirmation.lines.size()) +
                  " lines but total_order_lines says " + std::to_string(*order.total_order_lines));
  }
  std::set<std::int64_t> item_numbers;
  for (std::size_t i = 0; i < confirmation.lines.size(); ++i) {
    const OrderLine& line = confirmation.lines[i];
    const Prefix l{"order_lines", i};
    check.text(l, "entry_code", line.entry_code, 100, true);
    if (!line.entry_code.empty() && !order.entry_code.empty() &&
        line.entry_code != order.entry_code) {
      check.add(l, "entry_code",
                "must equal the header's entry_code \"" + order.entry_code.substr(0, 100) + "\"");
    }
    check.present(l, "entry_code_itm", line.entry_code_itm);
    if (line.entry_code_itm && !item_numbers.insert(*line.entry_code_itm).second) {
      check.add(
          l, "entry_code_itm",
          "must be unique within the order; " + std::to_string(*line.entry_code_itm) + " repeats");
    }
    check.text(l, "item_code", line.item_code, 50, true);
    check.text(l, "item_name", line.item_name, 160, true);
    check.text(l, "sku_property", line.sku_property, 255, false);
    check.text(l, "batch_code", line.batch_code, 40, false);
    check.text(l, "warehouse_code", line.warehouse_code, 30, true);
    check.present(l, "qty", line.qty);
    check.text(l, "request_id", line.request_id, 10, false);
    check.text(l, "request_code", line.request_code, 100, true);
    check.text(l, "request_itm", line.request_itm, 100, true);
    check.text(l, "source_bilid", line.source_bilid, 10, false);
    check.text(l, "source_bilno", line.source_bilno, 100, false);
    check.text(l, "source_bilitm", line.source_bilitm, 100, false);
  }
  return violations;
}

std::vector<Violation> validate(const PushReply& reply) {
  std::vector<Violation> violations;
  Checker check(violations);
  check.text({}, "code", reply.code, 10, true);
  check.text({}, "message", reply.message, 200, false);
  check.text({}, "bil_id", reply.bil_id, 10, true);
  check.text({}, "bil_no", reply.bil_no, 100, true);
  return violations;
}

Error violations_error(const std::vector<Violation>& violations) {
  std::string message = std::to_string(violations.size()) +
                        (violations.size() == 1 ? " violation: " : " violations: ");
  for (std::size_t i = 0; i < violations.size(); ++i) {
    if (i > 0) message += "; ";
    message += violations[i].to_string();
  }
  return make_error(ErrorCode::InvalidArgument, message);
}

std::string to_json(const EntryConfirmation& confirmation) {
  return json::encode(confirmation);
}

Result<EntryConfirmation> parse_entry_confirmation(std::string_view text) {
  return json::decode<EntryConfirmation>(text);
}

std::string to_json(const PushReply& reply) {
  return json::encode(reply);
}

Result<PushReply> parse_push_reply(std::string_view text) {
  return json::decode<PushReply>(text);
}

}  // namespace erpbridge::wms
