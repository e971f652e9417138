#include "erpbridge/testing/kingdee_emulator.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

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

std::string text_of(const rapidjson::Value& object, const char* key) {
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || !it->value.IsString()) return std::string();
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

void set_text(rapidjson::Document& document, rapidjson::Value& object, const char* key,
              const std::string& value) {
  auto it = object.FindMember(key);
  rapidjson::Value text(value.c_str(), static_cast<rapidjson::SizeType>(value.size()),
                        document.GetAllocator());
  if (it != object.MemberEnd()) {
    it->value = text;
  } else {
    object.AddMember(rapidjson::Value(key, document.GetAllocator()), text, document.GetAllocator());
  }
}

// The document's response example with this bill's id and number and the work order's id
// in its lines. In variance mode, fields the table types only as string carry forms the
// sample does not show: a date alone, a text shelf life, an exponent quantity, the picker
// as an object.
std::string push_reply(const std::string& entry_pk, std::size_t number, bool variance) {
  rapidjson::Document reply;
  reply.Parse(kingdee_spec_sample());
  rapidjson::Value& bill = reply["data"];
  set_text(reply, bill, "id", std::to_string(1700000000000000000ULL + number));
  char billno[32];
  std::snprintf(billno, sizeof billno, "BJLL-20230306-%04zu", number);
  set_text(reply, bill, "billno", billno);
  if (variance) {
    set_text(reply, bill, "billdate", "2023-03-06");
    set_text(reply, bill, "createtime", "2023-03-06T15:06:04.123+08:00");
  }
  for (rapidjson::Value& line : bill["material_entity"].GetArray()) {
    set_text(reply, line, "srcinterid", entry_pk);
    set_text(reply, line, "mxoc_sourceid", entry_pk);
    for (rapidjson::Value& link : line["material_entity_lk"].GetArray()) {
      set_text(reply, link, "material_entity_lk_sbillid", entry_pk);
      set_text(reply, link, "material_entity_lk_sid", entry_pk);
    }
    if (variance) {
      set_text(reply, line, "kfperiod", "12个月");
      set_text(reply, line, "qty", "1.0E+2");
      rapidjson::Value picker(rapidjson::kObjectType);
      picker.AddMember(
          "id", rapidjson::Value(text_of(line, "mxoc_picker_id").c_str(), reply.GetAllocator()),
          reply.GetAllocator());
      picker.AddMember(
          "number",
          rapidjson::Value(text_of(line, "mxoc_picker_number").c_str(), reply.GetAllocator()),
          reply.GetAllocator());
      picker.AddMember(
          "name", rapidjson::Value(text_of(line, "mxoc_picker_name").c_str(), reply.GetAllocator()),
          reply.GetAllocator());
      line.RemoveMember("mxoc_picker_id");
      line.RemoveMember("mxoc_picker_number");
      line.RemoveMember("mxoc_picker_name");
      line.AddMember("mxoc_picker", picker, reply.GetAllocator());
    }
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  reply.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

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
    // The body as the document's 示例: {"operation":"push","entryPk":…,"billdata":{"id":…}}.
    rapidjson::Document body;
    body.Parse(in.body.c_str(), in.body.size());
    if (body.HasParseError() || !body.IsObject()) {
      return envelope_failure(400, "400", "invalid body: not a JSON object");
    }
    const std::string operation = text_of(body, "operation");
    const std::string entry_pk = text_of(body, "entryPk");
    auto billdata = body.FindMember("billdata");
    if (billdata == body.MemberEnd() || !billdata->value.IsObject()) {
      return envelope_failure(400, "400", "invalid body: billdata is required");
    }
    const auto& known = state->settings.known_entry_pks;
    if (operation != "push" || std::find(known.begin(), known.end(), entry_pk) == known.end()) {
      return envelope_failure(200, "bos.billnotexist",
                              "工单执行单据不存在: " + entry_pk.substr(0, 40));
    }
    std::size_t number = 0;
    {
      std::lock_guard<std::mutex> guard(state->mutex);
      number = ++state->bills;
    }
    return json_response(200, push_reply(entry_pk, number, in.variance));
  });
}

}  // namespace erpbridge::testing
