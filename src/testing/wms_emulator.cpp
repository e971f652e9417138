#include "erpbridge/testing/wms_emulator.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "erpbridge/testing/mock_transport.hpp"

namespace erpbridge::testing {
namespace {

// The reply as a third party may write it within the document's table (code 成功标识 string;
// bil_id 第三方单据ID string, sent as a number by systems whose ids are numbers): code as a
// string, a numeric bil_id as a number, and a key the table does not list.
std::string loosely_typed(const std::string& body) {
  rapidjson::Document reply;
  reply.Parse(body.c_str(), body.size());
  if (reply.HasParseError() || !reply.IsObject()) return body;
  auto& allocator = reply.GetAllocator();
  auto code = reply.FindMember("code");
  if (code != reply.MemberEnd() && code->value.IsInt64()) {
    const std::string text = std::to_string(code->value.GetInt64());
    code->value.SetString(text.c_str(), static_cast<rapidjson::SizeType>(text.size()), allocator);
  }
  auto bil_no = reply.FindMember("bil_no");
  auto bil_id = reply.FindMember("bil_id");
  if (bil_no != reply.MemberEnd() && bil_id != reply.MemberEnd() && bil_no->value.IsString()) {
    // "PC000007" -> 7
    const std::string number = bil_no->value.GetString();
    const std::size_t digits = number.find_first_of("0123456789");
    if (digits != std::string::npos) bil_id->value.SetInt64(std::atoll(number.c_str() + digits));
  }
  reply.AddMember("trace_id", "emulator-variance", allocator);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  reply.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

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
    if (in.variance) reply.body = loosely_typed(reply.body);
    HttpResponse response = json_response(reply.http_status, std::move(reply.body));
    if (reply.retry_after_seconds) {
      response.headers.emplace_back("Retry-After", std::to_string(*reply.retry_after_seconds));
    }
    return response;
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
