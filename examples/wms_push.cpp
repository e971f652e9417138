// wms_push: validates an entry order and pushes it to a CreateEntryConfirmation endpoint.
//   wms_push <base_url> <token> <file.json>
// Prints bil_id and bil_no; on failure prints the error (every violation) and exits 1.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "erpbridge/wms/client.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: wms_push <base_url> <token> <file.json>\n");
    return 2;
  }
  std::ifstream file(argv[3], std::ios::binary);
  if (!file) {
    std::fprintf(stderr, "wms_push: cannot read %s\n", argv[3]);
    return 2;
  }
  std::stringstream text;
  text << file.rdbuf();

  auto order = erpbridge::wms::parse_entry_confirmation(text.str());
  if (!order.ok()) {
    std::fprintf(stderr, "wms_push: %s: %s\n", argv[3], order.error().to_string().c_str());
    return 1;
  }
  erpbridge::wms::Options options;
  options.base_url = argv[1];
  options.token = erpbridge::make_static_token(argv[2]);
  erpbridge::wms::Client client(options);
  auto reply = client.push(*order);  // validates first, then pushes (retried if need be)
  if (!reply.ok()) {
    std::fprintf(stderr, "wms_push: %s\n", reply.error().to_string().c_str());
    return 1;
  }
  std::printf("bil_id %s\nbil_no %s\n", reply->bil_id.c_str(), reply->bil_no.c_str());
  return 0;
}
