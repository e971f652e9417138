#include "erpbridge/testing/wms_emulator.hpp"

#include <cstdio>
#include <mutex>

#include "erpbridge/testing/mock_transport.hpp"

namespace erpbridge::testing {

struct WmsEmulator::State {
  std::mutex mutex;
  std::vector<wms::EntryConfirmation> delivered;
  std::unique_ptr<wms::Receiver> receiver;
};

WmsEmulator::WmsEmulator(std::string token) : state_(std::make_shared<State>()) {
  std::weak_ptr<State> weak = state_;
  auto handler = [weak](const wms::EntryConfirmation& order) -> Result<wms::PushReply> {
    auto state = weak.lock();
    if (!state) return make_error(ErrorCode::Cancelled, "emulator gone");
    std::lock_guard<std::mutex> guard(state->mutex);
    state->delivered.push_back(order);
    char number[32];
    std::snprintf(number, sizeof number, "PC%06zu", state->delivered.size());
    return wms::PushReply{"0", "新增成功", "PC", number};
  };
  state_->receiver = std::make_unique<wms::Receiver>(handler, wms::expect_token(std::move(token)));
}

void WmsEmulator::install(Emulator& emulator) const {
  std::shared_ptr<State> state = state_;
  emulator.route(HttpMethod::Post, "/CreateEntryConfirmation", [state](const EmulatorRequest& in) {
    wms::ReceiverReply reply = state->receiver->handle(in.headers, in.body);
    return json_response(reply.http_status, std::move(reply.body));
  });
}

std::vector<wms::EntryConfirmation> WmsEmulator::delivered() const {
  std::lock_guard<std::mutex> guard(state_->mutex);
  return state_->delivered;
}

const wms::Receiver& WmsEmulator::receiver() const {
  return *state_->receiver;
}

}  // namespace erpbridge::testing
