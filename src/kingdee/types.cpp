#include "erpbridge/kingdee/types.hpp"

#include "kingdee/codec.hpp"

namespace erpbridge::kingdee {

std::string to_json(const SparePartsBill& bill) {
  return json::encode(bill);
}

Result<SparePartsBill> parse_spare_parts_bill(std::string_view text) {
  return json::decode<SparePartsBill>(text);
}

}  // namespace erpbridge::kingdee
