// The CTC receipts reply decoder, through the client; decode -> encode -> decode is stable.
#include <utility>

#include "ctc/codec.hpp"
#include "erpbridge/ctc/client.hpp"
#include "fuzz_support.hpp"
#include "testing/wire_samples.hpp"

using namespace erpbridge;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  fuzz::Input data(bytes, size);
  const int status = fuzz::pick_status(data);
  const auto direction = data.ConsumeBool() ? ctc::Direction::In : ctc::Direction::Out;
  std::string body = data.ConsumeRemainingBytesAsString();

  // The bytes as fields other than res, in a reply whose res is 0: the query succeeds.
  static const char* kAccepted[] = {
      R"({"res":0,"msg":@,"data":[{"in_number":@,"amount":@,"parts_details":@}]})",
      R"({"res":"0","data":@})",
      R"({"res":0,"data":[{"out_number":"x","inputtime":@,"amount_of_money":@,"status":@}]})",
  };
  ctc::Options accepted = fuzz::canned_options<ctc::Options>(
      200, fuzz::splice(kAccepted[body.size() % std::size(kAccepted)], fuzz::as_json_value(body)));
  accepted.key = make_static_token("fuzz-key");
  fuzz::require(ctc::Client(accepted)
                    .query_receipts({direction, DateTime::parse("2020-05-20 00:00:00").value(),
                                     DateTime::parse("2020-05-21 00:00:00").value()})
                    .ok(),
                "a query answered with res 0 succeeds whatever its other fields hold");

  ctc::Options options = fuzz::canned_options<ctc::Options>(status, body);
  options.key = make_static_token("fuzz-key");
  ctc::Client client(options);
  auto receipts = client.query_receipts({direction, DateTime::parse("2020-05-20 00:00:00").value(),
                                         DateTime::parse("2020-05-21 00:00:00").value()});
  if (!receipts.ok()) return 0;

  // Round trip: what we decoded, encoded as the server would, decodes to the same receipts.
  HttpResponse again;
  again.status = 200;
  again.body = testing::wire_samples::ctc_receipts_reply("0", "", *receipts, direction);
  auto decoded = ctc::wire::decode_receipts(std::move(again), direction);
  fuzz::require(decoded.ok(), "re-encoded receipts decode");
  fuzz::require(ctc::to_json(*decoded) == ctc::to_json(*receipts), "receipts round trip");
  return 0;
}
