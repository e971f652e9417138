#include "testing/wire_samples.hpp"

#include "aftersales/codec.hpp"
#include "ctc/codec.hpp"

namespace erpbridge::testing::wire_samples {

std::string ctc_receipts_reply(const std::string& res, const std::string& msg,
                               const std::vector<ctc::Receipt>& receipts,
                               ctc::Direction direction) {
  if (direction == ctc::Direction::In) {
    return json::encode(ctc::wire::ReceiptsReply{res, msg, receipts});
  }
  return json::encode(ctc::wire::OutReceiptsReply{res, msg, ctc::wire::as_out(receipts)});
}

std::string aftersales_orders_reply(int status, const std::string& message,
                                    const std::vector<aftersales::Order>& orders) {
  return json::encode(
      aftersales::wire::Envelope<aftersales::Order>{std::to_string(status), message, orders, {}});
}

}  // namespace erpbridge::testing::wire_samples
