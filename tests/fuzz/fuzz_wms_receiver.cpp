// The WMS receiver's handle(): any headers and body give a well-formed reply, never a crash.
#include "erpbridge/wms/receiver.hpp"
#include "fuzz_support.hpp"

#include <stdexcept>

using namespace erpbridge;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  static const wms::Receiver receiver(
      [](const wms::EntryConfirmation& order) -> Result<wms::PushReply> {
        if (order.order.entry_code.size() % 7 == 3) return make_error(ErrorCode::Api, "refused");
        if (order.order.entry_code.size() % 7 == 5) throw std::runtime_error("handler bug");
        return wms::PushReply{"0", "ok", "PC", "PC1"};
      },
      wms::expect_token("fuzz-token"), wms::make_memory_store(), wms::ReceiverOptions{4096});

  fuzz::Input data(bytes, size);
  HttpHeaders headers;
  const int header_count = data.ConsumeIntegralInRange(0, 3);
  for (int i = 0; i < header_count; ++i) {
    std::string name = data.ConsumeBool() ? "Authorization" : data.ConsumeRandomLengthString(16);
    std::string value = data.ConsumeBool() ? "fuzz-token" : data.ConsumeRandomLengthString(64);
    headers.emplace_back(std::move(name), std::move(value));
  }
  const std::string body = data.ConsumeRemainingBytesAsString();

  wms::ReceiverReply reply = receiver.handle(headers, body);
  const int s = reply.http_status;
  fuzz::require(s == 200 || s == 400 || s == 401 || s == 409 || s == 413 || s == 500 || s == 503,
                "a documented status");
  auto parsed = wms::parse_push_reply(reply.body);
  fuzz::require(parsed.ok(), "the reply body is a PushReply");
  return 0;
}
