#include "erpbridge/testing/families.hpp"

#include "erpbridge/testing/aftersales_emulator.hpp"
#include "erpbridge/testing/ctc_emulator.hpp"
#include "erpbridge/testing/kingdee_emulator.hpp"
#include "erpbridge/testing/mock_transport.hpp"
#include "erpbridge/testing/wms_emulator.hpp"

namespace erpbridge::testing {

std::vector<std::string> family_names() {
  return {"ctc", "wms", "kingdee", "aftersales"};
}

void install_all_families(Emulator& emulator, const FamilySettings& settings) {
  emulator.route(HttpMethod::Get, "/_emulator/health", [](const EmulatorRequest&) {
    std::string names;
    for (const auto& name : family_names()) {
      names += (names.empty() ? "\"" : ",\"") + name + "\"";
    }
    return json_response(200, "{\"status\":\"ok\",\"families\":[" + names + "]}");
  });
  emulator.route(HttpMethod::Post, "/_emulator/echo",
                 [](const EmulatorRequest& request) { return json_response(200, request.body); });

  CtcEmulator ctc(settings.ctc_key);
  ctc.add_receipts(CtcEmulator::spec_samples());
  const DateTime first = DateTime::parse("2020-03-01 08:00:00").value();
  const std::size_t count = 90 * 4;
  ctc.add_receipts(CtcEmulator::generate(ctc::Direction::In, first, count, std::chrono::hours(6)));
  ctc.add_receipts(CtcEmulator::generate(ctc::Direction::Out, first + std::chrono::hours(3), count,
                                         std::chrono::hours(6)));
  ctc.install(emulator);

  WmsEmulator(settings.wms_token).install(emulator);

  KingdeeEmulatorSettings kingdee;
  kingdee.app_key = settings.kingdee_app_key;
  kingdee.app_secret = settings.kingdee_app_secret;
  kingdee.client_id = settings.kingdee_client_id;
  kingdee.client_secret = settings.kingdee_client_secret;
  KingdeeEmulator(kingdee).install(emulator);

  AftersalesEmulator aftersales;
  aftersales.seed_demo_data();
  aftersales.install(emulator);
}

}  // namespace erpbridge::testing
