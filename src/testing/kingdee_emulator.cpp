#include "erpbridge/testing/kingdee_emulator.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>

#include "erpbridge/testing/mock_transport.hpp"

namespace erpbridge::testing {

using Clock = std::chrono::system_clock;

struct KingdeeEmulator::State {
  KingdeeEmulatorSettings settings;
  mutable std::mutex mutex;
  std::map<std::string, Clock::time_point> tokens;  // token -> expiry
  std::size_t issued = 0;
  std::size_t auth_requests = 0;
  std::size_t authorize_requests = 0;
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

// A JSON string literal of `text` (the emulator writes its replies by hand).
std::string quoted(const std::string& text) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.String(text.c_str(), static_cast<rapidjson::SizeType>(text.size()));
  return std::string(buffer.GetString(), buffer.GetSize());
}

HttpResponse envelope_failure(int status, const std::string& code, const std::string& message) {
  return json_response(status, std::string("{\"success\":false,\"reachPlugin\":") +
                                   (status == 200 ? "true" : "false") + ",\"errorCode\":" +
                                   quoted(code) + ",\"message\":" + quoted(message) + "}");
}

HttpResponse auth_failure(int errcode, const std::string& description) {
  return json_response(200, "{\"errcode\":" + std::to_string(errcode) +
                                ",\"description\":" + quoted(description) + ",\"data\":null}");
}

// The emulator's own reading of Kingdee's signatures (not the SDK's signer): percent-encoding
// of every byte but A-Z a-z 0-9 - _ . ~, upper-case hex; Base64 of the lowercase hex
// HMAC-SHA256.
std::string percent(const std::string& text) {
  std::string out;
  char escape[4];
  for (unsigned char c : text) {
    const bool letter_or_digit =
        (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    if (letter_or_digit || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      std::snprintf(escape, sizeof escape, "%%%02X", c);
      out += escape;
    }
  }
  return out;
}

std::string hmac_hex_base64(const std::string& key, const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest, &length);
  std::string hex;
  char pair[3];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(pair, sizeof pair, "%02x", digest[i]);
    hex += pair;
  }
  std::string out(4 * ((hex.size() + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(hex.data()),
                                      static_cast<int>(hex.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

// Why the request's API 2.0 signature does not hold, or "" when it does: the headers, the
// timestamp within the window, and X-Api-Signature over the method, path and decoded query.
std::string signature_problem(const EmulatorRequest& in, const KingdeeEmulatorSettings& settings) {
  auto header = [&](const char* name) {
    const std::string* value = in.header(name);
    return value == nullptr ? std::string() : *value;
  };
  if (header("X-Api-ClientID") != settings.client_id) return "X-Api-ClientID 无效";
  if (header("X-Api-Auth-Version") != "2.0") return "X-Api-Auth-Version 须为 2.0";
  if (header("X-Api-SignHeaders") != "X-Api-TimeStamp,X-Api-Nonce") {
    return "X-Api-SignHeaders 须为 X-Api-TimeStamp,X-Api-Nonce";
  }
  const std::string timestamp = header("X-Api-TimeStamp");
  const std::string nonce = header("X-Api-Nonce");
  if (timestamp.empty() || nonce.empty()) return "缺少 X-Api-TimeStamp 或 X-Api-Nonce";
  long long sent_ms = 0;
  try {
    sent_ms = std::stoll(timestamp);
  } catch (...) {
    return "X-Api-TimeStamp 无效";
  }
  const long long now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
          .count();
  const long long window_ms = settings.timestamp_window.count() * 1000;
  if (sent_ms < now_ms - window_ms || sent_ms > now_ms + window_ms) return "X-Api-TimeStamp 已过期";
  std::string text = in.method == HttpMethod::Get ? "GET\n" : "POST\n";
  text += percent(in.path) + "\n";
  bool first = true;
  for (const auto& [key, value] : in.query) {  // a std::map: sorted by key
    text += (first ? "" : "&") + key + "=" + percent(percent(value));
    first = false;
  }
  text += "\nx-api-nonce:" + nonce + "\nx-api-timestamp:" + timestamp + "\n";
  if (header("X-Api-Signature") != hmac_hex_base64(settings.client_secret, text)) {
    return "X-Api-Signature 签名验证失败";
  }
  return std::string();
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

std::size_t KingdeeEmulator::authorize_requests() const {
  std::lock_guard<std::mutex> guard(state_->mutex);
  return state_->authorize_requests;
}

std::size_t KingdeeEmulator::bills_created() const {
  std::lock_guard<std::mutex> guard(state_->mutex);
  return state_->bills;
}

void KingdeeEmulator::install(Emulator& emulator) const {
  std::shared_ptr<State> state = state_;

  // The token: {"errcode":0,"description":"success","data":{"app-token":…}} as Kingdee's
  // guide shows it; app_signature = Base64(hex HMAC-SHA256(app_key, key app_secret)).
  emulator.route(HttpMethod::Get, "/jdyconnector/app_management/kingdee_auth_token",
                 [state](const EmulatorRequest& in) {
                   std::lock_guard<std::mutex> guard(state->mutex);
                   ++state->auth_requests;
                   const KingdeeEmulatorSettings& settings = state->settings;
                   if (!settings.client_id.empty()) {
                     const std::string problem = signature_problem(in, settings);
                     if (!problem.empty()) return auth_failure(1004, problem);
                   }
                   if (in.query_value("app_key") != settings.app_key ||
                       in.query_value("app_signature") !=
                           hmac_hex_base64(settings.app_secret, settings.app_key)) {
                     return auth_failure(40001, "app_key 或 app_signature 无效");
                   }
                   const std::string token = state->issue();
                   std::string data = quoted(settings.token_key) + ":" + quoted(token);
                   if (settings.send_expires) {
                     data += ",\"expires\":" +
                             std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                state->tokens[token].time_since_epoch())
                                                .count());
                   }
                   if (settings.domain_in_token_reply)
                     data += ",\"domain\":" + quoted(settings.domain);
                   return json_response(
                       200, "{\"errcode\":0,\"description\":\"success\",\"data\":{" + data +
                                ",\"uid\":173053163}}");
                 });

  // The instance's app: {"errcode":0,"data":[{"appKey","appSecret","domain",…}]}.
  emulator.route(HttpMethod::Post, "/jdyconnector/app_management/push_app_authorize",
                 [state](const EmulatorRequest& in) {
                   std::lock_guard<std::mutex> guard(state->mutex);
                   ++state->authorize_requests;
                   const KingdeeEmulatorSettings& settings = state->settings;
                   const std::string problem = signature_problem(in, settings);
                   if (!problem.empty()) return auth_failure(1004, problem);
                   if (in.query_value("outerInstanceId") != settings.outer_instance_id) {
                     return auth_failure(40002, "outerInstanceId 未授权");
                   }
                   return json_response(
                       200, "{\"errcode\":0,\"description\":\"success\",\"data\":[{\"appKey\":" +
                                quoted(settings.app_key) +
                                ",\"appSecret\":" + quoted(settings.app_secret) +
                                ",\"domain\":" + quoted(settings.domain) +
                                ",\"outerInstanceId\":" + quoted(settings.outer_instance_id) +
                                ",\"accountId\":\"1406720347851475968\"}]}");
                 });

  emulator.route(
      HttpMethod::Post, "/app/mxoc_0001_mxoc_pq/pq_orderexe_push_backup",
      [state](const EmulatorRequest& in) {
        const std::string token = in.query_value("access_token");
        {
          std::lock_guard<std::mutex> guard(state->mutex);
          auto found = state->tokens.find(token);
          if (token.empty()) return envelope_failure(401, "401", "access_token is missing");
          if (found == state->tokens.end() || found->second <= Clock::now()) {
            return envelope_failure(401, "401", "access_token is invalid or expired");
          }
        }
        const KingdeeEmulatorSettings& settings = state->settings;
        // A business call that is signed (Options::sign_requests) must be signed right.
        if (in.header("X-Api-Signature") != nullptr && !settings.client_id.empty()) {
          const std::string problem = signature_problem(in, settings);
          if (!problem.empty()) return envelope_failure(401, "1004", problem);
        }
        for (auto [header, expected] : {std::pair{"groupName", &settings.group_name},
                                        std::pair{"accountid", &settings.account_id},
                                        std::pair{"X-GW-Router-Addr", &settings.router_addr}}) {
          const std::string* value = in.header(header);
          if (value == nullptr || value->empty()) {
            return envelope_failure(400, "400", std::string("missing header ") + header);
          }
          const bool domain =
              std::string(header) == "X-GW-Router-Addr" && *value == settings.domain;
          if (!expected->empty() && *value != *expected && !domain) {
            return envelope_failure(400, "400", std::string("wrong header ") + header);
          }
        }
        const std::string* content_type = in.header("Content-Type");
        if (content_type == nullptr || content_type->rfind("application/json", 0) != 0) {
          return envelope_failure(400, "400", "Content-Type must be application/json");
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
        // 示例: billdata.id is the same 单据id as entryPk.
        if (text_of(billdata->value, "id") != entry_pk) {
          return envelope_failure(400, "400", "invalid body: billdata.id must equal entryPk");
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
