// The Kingdee push-down reply decoder, through the client, and the bill codec's round trip.
#include "erpbridge/kingdee/client.hpp"
#include "fuzz_support.hpp"

using namespace erpbridge;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  fuzz::Input data(bytes, size);
  const int status = fuzz::pick_status(data);
  std::string body = data.ConsumeRemainingBytesAsString();

  kingdee::Options options = fuzz::canned_options<kingdee::Options>(status, body);
  options.token = make_static_token("fuzz-access-token");
  options.group_name = "g";
  options.account_id = "1";
  options.router_addr = "r";
  kingdee::Client client(options);
  (void)client.push_spare_parts("1634800180022794240");
  (void)client.call("/app/other", "{}");

  // The same bytes as the value of a field other than success, in a reply whose success is
  // true: the bill was created, so the push must succeed whatever the field holds.
  static const char* kAccepted[] = {
      R"({"success":true,"reachPlugin":true,"data":{"id":"9","billdate":@,"totalamount":@}})",
      R"({"success":true,"data":{"id":"9","material_entity":[{"qty":@,"mxoc_picker":@}]}})",
      R"({"success":true,"data":{"id":"9","mullabel":@,"material_entity":@}})",
      R"({"success":true,"errorCode":@,"message":@,"data":@})",
  };
  const std::string value = fuzz::as_json_value(body);
  kingdee::Options accepted = fuzz::canned_options<kingdee::Options>(
      200, fuzz::splice(kAccepted[body.size() % std::size(kAccepted)], value));
  accepted.token = options.token;
  accepted.group_name = "g";
  accepted.account_id = "1";
  accepted.router_addr = "r";
  fuzz::require(kingdee::Client(accepted).push_spare_parts("1634800180022794240").ok(),
                "a push the gateway accepted succeeds whatever its other fields hold");

  // The same bytes as a bill: decode -> encode -> decode gives the same JSON.
  auto bill = kingdee::parse_spare_parts_bill(body);
  if (bill.ok()) {
    const std::string json = kingdee::to_json(*bill);
    auto again = kingdee::parse_spare_parts_bill(json);
    fuzz::require(again.ok(), "re-encoded bill decodes");
    fuzz::require(kingdee::to_json(*again) == json, "bill round trip");
  }
  return 0;
}
