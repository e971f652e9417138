// The WMS push reply decoder, through the client, and the entry-order codec's round trip.
#include "erpbridge/wms/client.hpp"
#include "fuzz_support.hpp"

using namespace erpbridge;

namespace {

const wms::EntryConfirmation& sample_order() {
  static const wms::EntryConfirmation order = [] {
    wms::EntryConfirmation o;
    o.order.ref_id = "Other";
    o.order.entry_code = "RK1";
    o.order.entry_date = Date::parse("2023-03-02").value();
    o.order.owner_code = "OWNER";
    o.order.order_type = wms::OrderType::Other;
    o.order.operate_time = DateTime::parse("2023-03-02 11:25:13").value();
    o.order.operator_code = "ADMIN";
    wms::OrderLine line;
    line.entry_code = "RK1";
    line.entry_code_itm = 1;
    line.item_code = "I1";
    line.item_name = "item";
    line.warehouse_code = "W1";
    line.qty = Decimal::parse("1.5").value();
    line.request_code = "R1";
    line.request_itm = "1";
    o.lines.push_back(line);
    return o;
  }();
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
