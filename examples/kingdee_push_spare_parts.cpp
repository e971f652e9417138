// kingdee_push_spare_parts: pushes a work-order execution down into a spare-parts bill.
//   kingdee_push_spare_parts <gateway_base_url> <access_token> <group_name> <account_id>
//                            <router_addr> <entry_pk>
// Prints the bill, then one line per material with quantities exactly as Kingdee sent them.
#include <cstdio>
#include <string>

#include "erpbridge/kingdee/client.hpp"

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr,
                 "usage: kingdee_push_spare_parts <gateway_base_url> <access_token> <group_name> "
                 "<account_id> <router_addr> <entry_pk>\n");
    return 2;
  }
  erpbridge::kingdee::Options options;
  options.base_url = argv[1];
  options.token = erpbridge::make_static_token(argv[2]);
  options.group_name = argv[3];
  options.account_id = argv[4];
  options.router_addr = argv[5];
  erpbridge::kingdee::Client client(options);

  auto bill = client.push_spare_parts(argv[6]);  // creates a bill: never retried blindly
  if (!bill.ok()) {
    std::fprintf(stderr, "kingdee_push_spare_parts: %s\n", bill.error().to_string().c_str());
    return 1;
  }
  auto text = [](const std::optional<erpbridge::Decimal>& value) {
    return value ? value->to_string() : std::string("-");
  };
  std::printf("bill %s status %s date %s customer %s\n", bill->bill_number.c_str(),
              bill->bill_status.c_str(),
              bill->bill_date ? bill->bill_date->to_string().c_str() : "-",
              bill->customer_name.c_str());
  for (const auto& line : bill->materials) {
    std::printf("  line %lld material %s %s qty %s unit cost %s service bill %s\n",
                static_cast<long long>(line.seq.value_or(0)), line.material_number.c_str(),
                line.material_name.c_str(), text(line.qty).c_str(), text(line.unit_cost).c_str(),
                line.service_bill_number.c_str());
  }
  return 0;
}
