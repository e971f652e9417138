#include "erpbridge/testing/kingdee_emulator.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>

#include "erpbridge/testing/mock_transport.hpp"
#include "kingdee/codec.hpp"

namespace erpbridge::testing {

using Clock = std::chrono::system_clock;

struct KingdeeEmulator::State {
  KingdeeEmulatorSettings settings;
  mutable std::mutex mutex;
  std::map<std::string, Clock::time_point> tokens;  // token -> expiry
  std::size_t issued = 0;
  std::size_t auth_requests = 0;
  std::size_t bills = 0;

  std::string issue() {
    const std::size_t serial = ++issued;
    char token[64];
    std::snprintf(token, sizeof token, "kd-%04zu-%08x", serial,
                  static_cast<unsigned>(serial * 2654435761u));
    tokens[token] = Clock::now() + settings.token_lifetime;
    return token;
  }
};

namespace {

HttpResponse envelope_failure(int status, const std::string& code, const std::string& message) {
  kingdee::wire::RawEnvelope envelope;
  envelope.success = false;
  envelope.reach_plugin = status == 200;
  envelope.error_code = code;
  envelope.message = message;
  return json_response(status, json::encode(envelope));
}

}  // namespace

KingdeeEmulator::KingdeeEmulator(KingdeeEmulatorSettings settings)
    : state_(std::make_shared<State>()) {
  state_->settings = std::move(settings);
}

std::string KingdeeEmulator::issue_token() const {
  std::lock_guard<std::mutex> guard(state_->mutex);
  return state_->issue();
}

void KingdeeEmulator::expire_tokens() const {
  std::lock_guard<std::mutex> guard(state_->mutex);
  for (auto& token : state_->tokens) token.second = Clock::now() - std::chrono::seconds(1);
}

std::size_t KingdeeEmulator::auth_requests() const {
  std::lock_guard<std::mutex> guard(state_->mutex);
  return state_->auth_requests;
}

std::size_t KingdeeEmulator::bills_created() const {
  std::lock_guard<std::mutex> guard(state_->mutex);
  return state_->bills;
}

void KingdeeEmulator::install(Emulator& emulator) const {
  std::shared_ptr<State> state = state_;

  emulator.route(HttpMethod::Get, kingdee::wire::kAuthPath, [state](const EmulatorRequest& in) {
    std::lock_guard<std::mutex> guard(state->mutex);
    ++state->auth_requests;
    const std::string expected =
        kingdee::app_signature(state->settings.app_key, state->settings.app_secret);
    if (in.query_value("app_key") != state->settings.app_key ||
        in.query_value("app_signature") != expected) {
      return json_response(
          200, R"({"errcode":40001,"description":"app_key 或 app_signature 无效","data":null})");
    }
    kingdee::wire::AuthReply reply;
    reply.errcode = "0";
    reply.description = "success";
    reply.data.access_token = state->issue();
    reply.data.expires = std::chrono::duration_cast<std::chrono::milliseconds>(
                             state->tokens[reply.data.access_token].time_since_epoch())
                             .count();
    std::string body = json::encode(reply);
    body.replace(body.find("\"errcode\":\"0\""), 13, "\"errcode\":0");  // a number, as documented
    return json_response(200, body);
  });

  emulator.route(HttpMethod::Post, kingdee::wire::kPushPath, [state](const EmulatorRequest& in) {
    const std::string token = in.query_value("access_token");
    {
      std::lock_guard<std::mutex> guard(state->mutex);
      auto found = state->tokens.find(token);
      if (token.empty()) return envelope_failure(401, "401", "access_token is missing");
      if (found == state->tokens.end() || found->second <= Clock::now()) {
        return envelope_failure(401, "401", "access_token is invalid or expired");
      }
    }
    for (const char* header : {"groupName", "accountid", "X-GW-Router-Addr"}) {
      const std::string* value = in.header(header);
      if (value == nullptr || value->empty()) {
        return envelope_failure(400, "400", std::string("missing header ") + header);
      }
    }
    kingdee::wire::PushBody body;
    Result<void> decoded = json::decode(in.body, body);
    if (!decoded.ok())
      return envelope_failure(400, "400", "invalid body: " + decoded.error().message);
    const auto& known = state->settings.known_entry_pks;
    if (body.operation != "push" ||
        std::find(known.begin(), known.end(), body.entry_pk) == known.end()) {
      return envelope_failure(200, "bos.billnotexist",
                              "工单执行单据不存在: " + body.entry_pk.substr(0, 40));
    }

    kingdee::wire::BillEnvelope envelope =
        json::decode<kingdee::wire::BillEnvelope>(kingdee_spec_sample()).value();
    std::size_t number = 0;
    {
      std::lock_guard<std::mutex> guard(state->mutex);
      number = ++state->bills;
    }
    kingdee::SparePartsBill& bill = envelope.data;
    bill.id = std::to_string(1700000000000000000ULL + number);
    char billno[32];
    std::snprintf(billno, sizeof billno, "BJLL-20230306-%04zu", number);
    bill.bill_number = billno;
    for (kingdee::MaterialLine& line : bill.materials) {
      line.source_inter_id = body.entry_pk;
      line.source_id = body.entry_pk;
      for (kingdee::EntryLink& link : line.links) {
        link.source_bill_id = body.entry_pk;
        link.source_id = body.entry_pk;
      }
    }
    return json_response(200, json::encode(envelope));
  });
}

}  // namespace erpbridge::testing
