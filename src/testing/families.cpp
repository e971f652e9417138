#include "erpbridge/testing/families.hpp"

#include "erpbridge/testing/mock_transport.hpp"

namespace erpbridge::testing {

std::vector<std::string> family_names() {
  return {};
}

void install_all_families(Emulator& emulator) {
  emulator.route(HttpMethod::Get, "/_emulator/health", [](const EmulatorRequest&) {
    std::string names;
    for (const auto& name : family_names()) {
      names += (names.empty() ? "\"" : ",\"") + name + "\"";
    }
    return json_response(200, "{\"status\":\"ok\",\"families\":[" + names + "]}");
  });
  emulator.route(HttpMethod::Post, "/_emulator/echo", [](const EmulatorRequest& request) {
    HttpResponse response = json_response(200, request.body);
    return response;
  });
}

}  // namespace erpbridge::testing
