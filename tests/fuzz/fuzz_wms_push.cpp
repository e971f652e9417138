// The WMS push reply decoder, through the client, and the entry-order codec's round trip.
#include "data/wms_sample.hpp"
#include "erpbridge/wms/client.hpp"
#include "fuzz_support.hpp"

using namespace erpbridge;

namespace {

// The spec's sample order: what the client pushes before the fuzzer's reply comes back.
const wms::EntryConfirmation& sample_order() {
  static const wms::EntryConfirmation order =
      wms::parse_entry_confirmation(test_data::kWmsRequestSample).value();
  return order;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  fuzz::Input data(bytes, size);
  const int status = fuzz::pick_status(data);
  std::string body = data.ConsumeRemainingBytesAsString();

  wms::Options options = fuzz::canned_options<wms::Options>(status, body);
  options.token = make_static_token("fuzz-token");
  wms::Client client(options);
  auto reply = client.push(sample_order());
  if (reply.ok()) fuzz::require(reply->succeeded(), "an accepted push has code 0");

  // The bytes as fields other than code, in a reply whose code is 0: the push succeeds.
  static const char* kAccepted[] = {
      R"({"code":0,"message":@,"bil_id":@,"bil_no":@})",
      R"({"code":"0","bil_id":"PC","bil_no":"PC1","extra":@})",
  };
  wms::Options accepted = fuzz::canned_options<wms::Options>(
      200, fuzz::splice(kAccepted[body.size() % std::size(kAccepted)], fuzz::as_json_value(body)));
  accepted.token = options.token;
  fuzz::require(wms::Client(accepted).push(sample_order()).ok(),
                "a push answered with code 0 succeeds whatever its other fields hold");

  // The same bytes as an entry order: decode -> encode -> decode gives the same JSON.
  auto order = wms::parse_entry_confirmation(body);
  if (order.ok()) {
    const std::string json = wms::to_json(*order);
    auto again = wms::parse_entry_confirmation(json);
    fuzz::require(again.ok(), "re-encoded entry order decodes");
    fuzz::require(wms::to_json(*again) == json, "entry order round trip");
  }
  return 0;
}
