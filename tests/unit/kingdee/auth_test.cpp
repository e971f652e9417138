// Kingdee's signatures and token replies against values computed outside the SDK: the
// expected strings come from tests/unit/kingdee/api_signature_vectors.py (Python's hmac,
// hashlib, base64 and urllib.parse.quote), pasted here as literals.
#include <catch2/catch.hpp>

#include "kingdee/codec.hpp"

using erpbridge::ErrorCode;
using erpbridge::HttpResponse;
using namespace erpbridge::kingdee;
using namespace std::chrono_literals;

namespace {
HttpResponse ok_response(std::string body) {
  HttpResponse response;
  response.status = 200;
  response.body = std::move(body);
  return response;
}
const erpbridge::internal::CallContext kTokenCall{"Kingdee kingdee_auth_token", false};
}  // namespace

TEST_CASE("Kingdee app_signature: the guide's vector and ours") {
  CHECK(app_signature("abc", "abc123") ==
        "ZDljMTI3NGIyNTE1MTRkYzlkNjc1MDNhYjUzMzgzNWMyY2M4YTdjMzdmNmM3YTVlNDkxMTkzNjdiOTFjNzUyZQ==");
  CHECK(app_signature("erpbridge-demo-app", "erpbridge-demo-secret") ==
        "MDM4NmU4MzcwZTE4YmUxZTQ2NTdjY2I4ZjgxYTRlNGM4MTRlOTA1MzVmZmYxODEzMTkwMzI0ZmQzY2Y0NjZhNQ==");
}

TEST_CASE("Kingdee API 2.0: percent-encoding of the signature") {
  CHECK(api_url_encode("/jdyconnector/app_management") == "%2Fjdyconnector%2Fapp_management");
  CHECK(api_url_encode("a/b=c+d") == "a%2Fb%3Dc%2Bd");
  CHECK(api_url_encode("中文 值") == "%E4%B8%AD%E6%96%87%20%E5%80%BC");
  CHECK(api_url_encode("~-_.!*'()") == "~-_.%21%2A%27%28%29");
  CHECK(api_url_encode("") == "");
}

TEST_CASE("Kingdee API 2.0: signature text and signature for fixed inputs") {
  const std::string token_text = api_signature_text(
      "GET", "/jdyconnector/app_management/kingdee_auth_token",
      {{"app_signature",
        "MDM4NmU4MzcwZTE4YmUxZTQ2NTdjY2I4ZjgxYTRlNGM4MTRlOTA1MzVmZmYxODEzMTkwMzI0ZmQzY2Y0NjZhNQ=="},
       {"app_key", "erpbridge-demo-app"}},  // given unsorted: sorted by key
      "1234567", "1741234567890");
  CHECK(token_text ==
        "GET\n%2Fjdyconnector%2Fapp_management%2Fkingdee_auth_token\napp_key=erpbridge-demo-app&"
        "app_signature="
        "MDM4NmU4MzcwZTE4YmUxZTQ2NTdjY2I4ZjgxYTRlNGM4MTRlOTA1MzVmZmYxODEzMTkwMzI0ZmQzY2Y0NjZhNQ%"
        "253D%253D\nx-api-nonce:1234567\nx-api-timestamp:1741234567890\n");
  CHECK(api_signature("client-secret-0001", token_text) ==
        "MmU1OTdmMjRlZTM2ZTg4NzA0NzI0MzFmNDljYzA0M2M5ZmMyODM5YTY4ZjY5MTdkMTY5ODhlMWRjNmJjNDU1NA==");

  const std::string encoded_text =
      api_signature_text("POST", "/app/mxoc_0001_mxoc_pq/pq_orderexe_push_backup",
                         {{"备注", "中文 值"}, {"z", "~-_.!*'()"}, {"access_token", "a/b=c+d"}},
                         "42", "1700000000000");
  CHECK(encoded_text ==
        "POST\n%2Fapp%2Fmxoc_0001_mxoc_pq%2Fpq_orderexe_push_backup\n"
        "access_token=a%252Fb%253Dc%252Bd&z=~-_.%2521%252A%2527%2528%2529&"
        "备注=%25E4%25B8%25AD%25E6%2596%2587%2520%25E5%2580%25BC\n"
        "x-api-nonce:42\nx-api-timestamp:1700000000000\n");
  CHECK(api_signature("s3cr3t/+=", encoded_text) ==
        "MjRiZTA4YjVmYWQ1MzZhODhjZWM0M2QxYzJjZDAzYWIxYmY0ODQzY2E1YzUzMmRmNjc5ZTlkZjk4MDA5MDE3Mg==");

  // The headers for the authorisation call, compared with the configured values one by one.
  const auto headers =
      api_signature_headers({"205022", "88e40499b2af98eaa8e81046353954a3"}, "POST",
                            "/jdyconnector/app_management/push_app_authorize",
                            {{"outerInstanceId", "509132114453729280"}}, 1741234567890, 1234567);
  const erpbridge::HttpHeaders expected = {
      {"X-Api-ClientID", "205022"},
      {"X-Api-Auth-Version", "2.0"},
      {"X-Api-TimeStamp", "1741234567890"},
      {"X-Api-Nonce", "1234567"},
      {"X-Api-SignHeaders", "X-Api-TimeStamp,X-Api-Nonce"},
      {"X-Api-Signature",
       "YTliMzk3ZWU0MGYwYjIwNGE1NzU0NTA5MmIyNDA5ZTQ0MGI4M2Q2MmI2YWM0NWNlYmE0ZTZlZTE4ODEyOTc4Nw=="}};
  CHECK(headers == expected);
}

TEST_CASE("Kingdee token replies: the token under each key, errcode, no token") {
  // Kingdee's guide: data.app-token; some clients read app_token; KIS access_token.
  const std::pair<const char*, const char*> forms[] = {
      {R"({"errcode":0,"description":"成功","data":{"app-token":"T-dash","uid":1}})", "T-dash"},
      {R"({"errcode":"0","description":"","data":{"app_token":"T-under"}})", "T-under"},
      {R"({"errcode":0,"data":{"access_token":"T-access","auth_data":"x"}})", "T-access"},
      // Both, as a public client's capture shows: app-token is the one to send.
      {R"({"errcode":0,"description":"成功","data":{"access_token":"1762850879fbf059",
          "app-token":"eyJ0eXAi","expires":1767470851000,"uid":173053163}})",
       "eyJ0eXAi"}};
  for (const auto& [body, token] : forms) {
    INFO(body);
    auto reply = wire::decode_auth_reply(ok_response(body), kTokenCall);
    REQUIRE(reply.ok());
    CHECK(reply->data.token() == token);
  }
  auto refused = wire::decode_auth_reply(
      ok_response(R"({"errcode":1004,"description":"X-Api-Signature 签名验证失败","data":null})"),
      kTokenCall);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::Unauthenticated);
  CHECK(refused.error().vendor_code == "1004");
  CHECK(refused.error().vendor_message == "X-Api-Signature 签名验证失败");
  auto empty =
      wire::decode_auth_reply(ok_response(R"({"errcode":0,"data":{"uid":1}})"), kTokenCall);
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().message.find("no app-token") != std::string::npos);
}

TEST_CASE("Kingdee token expiry: epoch ms, epoch s, seconds from now, expires_in, 24 h") {
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  auto expiry = [&](const char* data) {
    auto reply = wire::decode_auth_reply(
        ok_response(std::string(R"({"errcode":0,"data":{"app-token":"t",)") + data + "}}"),
        kTokenCall);
    REQUIRE(reply.ok());
    return wire::token_expiry(reply->data, now, 24h);
  };
  using std::chrono::seconds;
  using std::chrono::system_clock;
  CHECK(expiry(R"("expires":1767470851000)") ==
        system_clock::time_point(std::chrono::milliseconds(1767470851000)));
  CHECK(expiry(R"("expires":1767470851)") == system_clock::time_point(seconds(1767470851)));
  CHECK(expiry(R"("expires":7200)") == now + 2h);
  CHECK(expiry(R"("expires":"86400")") == now + 24h);
  CHECK(expiry(R"("expires_in":3600)") == now + 1h);
  CHECK(expiry(R"("uid":1)") == now + 24h);
}

TEST_CASE("Kingdee push_app_authorize reply: the instance's app key, secret and domain") {
  auto reply = wire::decode_authorize_reply(
      ok_response(R"({"errcode":0,"description":"success","data":[{"appKey":"k1","appSecret":"s1",
        "domain":"https://tf.jdy.com","accountId":"9","outerInstanceId":"509132114453729280",
        "groupName":"g"}]})"),
      {"Kingdee push_app_authorize", false});
  REQUIRE(reply.ok());
  REQUIRE(reply->data.size() == 1);
  CHECK(reply->data[0].app_key == "k1");
  CHECK(reply->data[0].app_secret == "s1");
  CHECK(reply->data[0].domain == "https://tf.jdy.com");
  CHECK(reply->data[0].outer_instance_id == "509132114453729280");
  auto none = wire::decode_authorize_reply(ok_response(R"({"errcode":0,"data":[]})"),
                                           {"Kingdee push_app_authorize", false});
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code == ErrorCode::Unauthenticated);
}
