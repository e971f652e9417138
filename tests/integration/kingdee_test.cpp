#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "data/kingdee_sample.hpp"
#include "erpbridge/kingdee/client.hpp"
#include "erpbridge/testing/emulator_server.hpp"
#include "erpbridge/testing/kingdee_emulator.hpp"
#include "erpbridge/testing/mock_transport.hpp"
#include "support/files.hpp"
#include "support/subprocess.hpp"

using erpbridge::ErrorCode;
using erpbridge::HttpMethod;
using erpbridge::test_support::shell_output;
using erpbridge::testing::Emulator;
using erpbridge::testing::EmulatorRequest;
using erpbridge::testing::EmulatorServer;
using erpbridge::testing::Fault;
using erpbridge::testing::KingdeeEmulator;
using namespace erpbridge::kingdee;
using namespace std::chrono_literals;

namespace {

const char* kEntryPk = "1634800180022794240";
const char* kPushPath = "/app/mxoc_0001_mxoc_pq/pq_orderexe_push_backup";
const char* kAuthPath = "/jdyconnector/app_management/kingdee_auth_token";

struct Gateway {
  std::shared_ptr<Emulator> emulator = std::make_shared<Emulator>();
  KingdeeEmulator kingdee;
  std::unique_ptr<EmulatorServer> server;

  explicit Gateway(erpbridge::testing::KingdeeEmulatorSettings settings = {})
      : kingdee(std::move(settings)) {
    kingdee.install(*emulator);
    server = EmulatorServer::start(emulator).value();
  }

  Options options(std::shared_ptr<erpbridge::TokenProvider> token) const {
    Options options;
    options.base_url = server->base_url();
    options.token = std::move(token);
    options.group_name = "erp-group";
    options.account_id = "1406720347851475968";
    options.router_addr = "gw-router-1";
    return options;
  }

  std::shared_ptr<erpbridge::TokenProvider> gateway_token() const {
    GatewayAuth auth;
    auth.client.base_url = server->base_url();
    auth.app_key = "erpbridge-demo-app";
    auth.app_secret = "erpbridge-demo-secret";
    auth.api = {"erpbridge-demo-client", "erpbridge-demo-client-secret"};
    auth.api = {"erpbridge-demo-client", "erpbridge-demo-client-secret"};
    return make_gateway_token(auth);
  }
};

}  // namespace

TEST_CASE("Kingdee over HTTP: the push returns the bill") {
  Gateway gateway;
  Client client(gateway.options(erpbridge::make_static_token(gateway.kingdee.issue_token())));
  auto bill = client.push_spare_parts(kEntryPk);
  REQUIRE(bill.ok());
  CHECK(bill->bill_number == "BJLL-20230306-0001");
  CHECK(bill->customer_name == "某某生产制造有限公司");
  REQUIRE(bill->materials.size() == 1);
  CHECK(bill->materials[0].source_inter_id == kEntryPk);
  CHECK(bill->materials[0].qty->to_string() == "0.0000000000");
  CHECK(bill->materials[0].service_bill_number == "GDZX-20230306-0001");
  CHECK(bill->extras.size() > 50);
  CHECK(gateway.kingdee.bills_created() == 1);
}

TEST_CASE("Kingdee over HTTP: a missing header is an error naming it") {
  Gateway gateway;
  Options options = gateway.options(erpbridge::make_static_token(gateway.kingdee.issue_token()));
  options.router_addr.clear();
  auto local = Client(options).push_spare_parts(kEntryPk);
  REQUIRE_FALSE(local.ok());
  CHECK(local.error().code == ErrorCode::InvalidArgument);
  CHECK(local.error().message.find("X-GW-Router-Addr") != std::string::npos);
  CHECK(gateway.emulator->total_requests() == 0);

  // The gateway checks too.
  auto transport = erpbridge::make_curl_transport(erpbridge::ClientOptions{});
  erpbridge::HttpRequest raw;
  raw.method = HttpMethod::Post;
  raw.url =
      gateway.server->base_url() + kPushPath + "?access_token=" + gateway.kingdee.issue_token();
  raw.headers = {{"groupName", "g"}, {"X-GW-Router-Addr", "r"}};
  raw.body = R"({"operation":"push","entryPk":"1634800180022794240","billdata":{"id":"1"}})";
  auto response = transport->send(raw);
  REQUIRE(response.ok());
  CHECK(response->status == 400);
  CHECK(response->body.find("missing header accountid") != std::string::npos);
  CHECK(response->body.find("\"success\":false") != std::string::npos);
}

TEST_CASE("Kingdee over HTTP: an expired token is refreshed once and the call succeeds") {
  Gateway gateway;
  Client client(gateway.options(gateway.gateway_token()));
  REQUIRE(client.push_spare_parts(kEntryPk).ok());
  CHECK(gateway.kingdee.auth_requests() == 1);
  gateway.kingdee.expire_tokens();
  auto bill = client.push_spare_parts(kEntryPk);
  REQUIRE(bill.ok());
  CHECK(gateway.kingdee.auth_requests() == 2);
  CHECK(gateway.kingdee.bills_created() == 2);
  CHECK(gateway.emulator->request_count(kPushPath) == 3);  // one rejected for its token
}

TEST_CASE("Kingdee async: a push cancelled while its token is refreshed is not sent again") {
  Gateway gateway;
  // The first token comes at once; a refresh waits until the test lets it go.
  std::mutex mutex;
  std::condition_variable changed;
  int fetches = 0;
  bool release = false;
  auto token = erpbridge::make_cached_token([&]() -> erpbridge::Result<erpbridge::AccessToken> {
    std::unique_lock<std::mutex> lock(mutex);
    if (++fetches > 1) {
      changed.notify_all();
      changed.wait(lock, [&] { return release; });
    }
    return erpbridge::AccessToken{gateway.kingdee.issue_token(), std::nullopt};
  });
  Client client(gateway.options(token));
  REQUIRE(client.push_spare_parts(kEntryPk).ok());
  gateway.kingdee.expire_tokens();

  auto pending = client.push_spare_parts_async(kEntryPk);
  {
    std::unique_lock<std::mutex> lock(mutex);
    REQUIRE(changed.wait_for(lock, 5s, [&] { return fetches == 2; }));
  }
  pending.cancel();
  {
    std::lock_guard<std::mutex> lock(mutex);
    release = true;
  }
  changed.notify_all();
  REQUIRE(pending.wait_for(5s));
  auto outcome = pending.get();
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.error().code == ErrorCode::Cancelled);
  // The only try that left was refused for its token: nothing of this push was applied.
  CHECK_FALSE(outcome.error().outcome_unknown);
  CHECK(gateway.emulator->request_count(kPushPath) == 2);
  CHECK(gateway.kingdee.bills_created() == 1);
}

TEST_CASE("Kingdee over HTTP: 8 threads starting with no token cause one auth request") {
  Gateway gateway;
  Client client(gateway.options(gateway.gateway_token()));
  std::atomic<int> successes{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (client.push_spare_parts(kEntryPk).ok()) ++successes;
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(successes == 8);
  CHECK(gateway.kingdee.auth_requests() == 1);
  CHECK(gateway.emulator->request_count(kAuthPath) == 1);
}

TEST_CASE("Kingdee over HTTP: an unknown entry_pk is an Api error with errorCode") {
  Gateway gateway;
  Client client(gateway.options(erpbridge::make_static_token(gateway.kingdee.issue_token())));
  auto result = client.push_spare_parts("999");
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::Api);
  CHECK(result.error().vendor_code == "bos.billnotexist");
  CHECK(result.error().vendor_message.find("999") != std::string::npos);
  CHECK(result.error().message.find("errorCode bos.billnotexist") != std::string::npos);
}

TEST_CASE("Kingdee over HTTP: a 503 on the push is not retried, the token stays secret") {
  Gateway gateway;
  Fault busy;
  busy.status = 503;
  busy.retry_after = 0;
  gateway.emulator->set_fault(kPushPath, busy);
  const std::string token = gateway.kingdee.issue_token();
  std::vector<std::string> log;
  Options options = gateway.options(erpbridge::make_static_token(token));
  options.log_level = erpbridge::LogLevel::Debug;
  options.log_sink = [&](erpbridge::LogLevel, std::string_view line) { log.emplace_back(line); };
  auto result = Client(options).push_spare_parts(kEntryPk);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::Http);
  CHECK(result.error().http_status == 503);
  CHECK(gateway.emulator->request_count(kPushPath) == 1);
  CHECK(result.error().to_string().find(token) == std::string::npos);
  REQUIRE_FALSE(log.empty());
  for (const auto& line : log) {
    CHECK(line.find(token) == std::string::npos);
    CHECK((line.find("access_token=***") != std::string::npos ||
           line.find("failed") != std::string::npos));
  }
}

TEST_CASE("Kingdee over HTTP: a wrong app secret is Unauthenticated") {
  Gateway gateway;
  GatewayAuth auth;
  auth.client.base_url = gateway.server->base_url();
  auth.app_key = "erpbridge-demo-app";
  auth.app_secret = "WRONG-SECRET";
  auth.api = {"erpbridge-demo-client", "erpbridge-demo-client-secret"};
  auto result = Client(gateway.options(make_gateway_token(auth))).push_spare_parts(kEntryPk);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::Unauthenticated);
  CHECK(result.error().vendor_code == "40001");
  CHECK(result.error().to_string().find("WRONG-SECRET") == std::string::npos);
}

TEST_CASE("Kingdee over HTTP: the generic gateway call returns data") {
  Gateway gateway;
  gateway.emulator->route(
      HttpMethod::Post, "/app/mxoc_0001_mxoc_pq/pq_service_statistics",
      [](const EmulatorRequest& request) {
        return erpbridge::testing::json_response(
            200, R"({"success":true,"reachPlugin":true,"errorCode":"success","data":{"echo":)" +
                     request.body + "}}");
      });
  Client client(gateway.options(erpbridge::make_static_token(gateway.kingdee.issue_token())));
  auto data =
      client.call("/app/mxoc_0001_mxoc_pq/pq_service_statistics", R"({"month": "2023-03"})");
  REQUIRE(data.ok());
  CHECK(*data == R"({"echo":{"month":"2023-03"}})");
  CHECK(client.call("/app/none", "{}").error().code == ErrorCode::NotFound);
  CHECK(client.call("/app/none", "{oops").error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("Example kingdee_push_spare_parts prints the bill against erpbridge-emulator") {
  erpbridge::test_support::EmulatorProgram emulator;
  const std::string base_url = emulator.base_url;
  GatewayAuth auth;
  auth.client.base_url = base_url;
  auth.app_key = "erpbridge-demo-app";
  auth.app_secret = "erpbridge-demo-secret";
  auth.api = {"erpbridge-demo-client", "erpbridge-demo-client-secret"};
  auto token = make_gateway_token(auth)->token();
  REQUIRE(token.ok());
  std::string out =
      shell_output(std::string(ERPBRIDGE_EXAMPLE_DIR "/kingdee_push_spare_parts ") + base_url +
                   " " + *token + " g 1406720347851475968 r " + kEntryPk + " 2>&1; echo exit=$?");
  CHECK(out ==
        "bill BJLL-20230306-0001 status Z date 2023-03-06 00:00:00 customer 某某生产制造有限公司\n"
        "  line 1 material   qty 0.0000000000 unit cost 0 service bill GDZX-20230306-0001\n"
        "exit=0\n");
  std::string refused =
      shell_output(std::string(ERPBRIDGE_EXAMPLE_DIR "/kingdee_push_spare_parts ") + base_url +
                   " " + *token + " g a r 42 2>&1; echo exit=$?");
  CHECK(refused.find("bos.billnotexist") != std::string::npos);
  CHECK(refused.find("exit=1") != std::string::npos);
}

TEST_CASE("Kingdee over HTTP: the document's own reply, id \"0\", is a bill with an unknown id") {
  Gateway gateway;
  Fault sample;
  sample.body = erpbridge::test_data::kKingdeeBillSample;  // its data.id is "0"
  gateway.emulator->set_fault(kPushPath, sample);
  Client client(gateway.options(erpbridge::make_static_token(gateway.kingdee.issue_token())));
  auto bill = client.push_spare_parts(kEntryPk);
  REQUIRE(bill.ok());  // success:true -- never an error, or the caller would push again
  CHECK(bill->bill_number == "BJLL-20230306-0001");
  const erpbridge::DecodeNote* note = nullptr;
  for (const auto& n : bill.notes()) {
    if (n.path == "data.id") note = &n;
  }
  REQUIRE(note != nullptr);
  CHECK(note->problem.find("its id is unknown") != std::string::npos);
  CHECK(note->raw == "\"0\"");
  // An empty id likewise.
  sample.body = R"({"success":true,"reachPlugin":true,"data":{"id":"","billno":"B-1"}})";
  gateway.emulator->set_fault(kPushPath, sample);
  auto empty = client.push_spare_parts(kEntryPk);
  REQUIRE(empty.ok());
  bool noted = false;
  for (const auto& n : empty.notes()) noted = noted || n.path == "data.id";
  CHECK(noted);
}

namespace {
const char* kClientId = "erpbridge-demo-client";
const char* kClientSecret = "erpbridge-demo-client-secret";
const char* kDomain = "https://gw-router.erpbridge.test";

GatewayAuth signed_auth(const Gateway& gateway) {
  GatewayAuth auth;
  auth.client.base_url = gateway.server->base_url();
  auth.app_key = "erpbridge-demo-app";
  auth.app_secret = "erpbridge-demo-secret";
  auth.api = {kClientId, kClientSecret};
  return auth;
}

// Options without a configured router address, logging every line into `log`.
Options learning_options(const Gateway& gateway, std::shared_ptr<erpbridge::TokenProvider> token,
                         std::vector<std::string>& log) {
  Options options = gateway.options(std::move(token));
  options.router_addr.clear();
  options.log_level = erpbridge::LogLevel::Debug;
  options.log_sink = [&log](erpbridge::LogLevel, std::string_view line) { log.emplace_back(line); };
  return options;
}

bool logged(const std::vector<std::string>& log, const std::string& text) {
  for (const auto& line : log) {
    if (line.find(text) != std::string::npos) return true;
  }
  return false;
}
}  // namespace

TEST_CASE("Kingdee auth over HTTP: the signed token call is accepted, unsigned and stale refused") {
  Gateway gateway;
  auto token = make_gateway_token(signed_auth(gateway))->token();
  REQUIRE(token.ok());

  GatewayAuth unsigned_auth = signed_auth(gateway);
  unsigned_auth.api = {};
  auto refused = make_gateway_token(unsigned_auth)->token();
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::Unauthenticated);
  CHECK(refused.error().vendor_code == "1004");

  GatewayAuth wrong_secret = signed_auth(gateway);
  wrong_secret.api.client_secret = "not-the-client-secret";
  auto wrong = make_gateway_token(wrong_secret)->token();
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().vendor_message.find("签名验证失败") != std::string::npos);
  CHECK(wrong.error().to_string().find("not-the-client-secret") == std::string::npos);

  // Signed right, but six minutes old: the gateway's 5-minute window refuses it.
  const std::string signature = app_signature("erpbridge-demo-app", "erpbridge-demo-secret");
  const std::vector<std::pair<std::string, std::string>> query = {{"app_key", "erpbridge-demo-app"},
                                                                  {"app_signature", signature}};
  const auto stale_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch() - 6min)
                            .count();
  erpbridge::HttpRequest raw;
  raw.method = HttpMethod::Get;
  raw.url = gateway.server->base_url() + kAuthPath +
            "?app_key=erpbridge-demo-app&app_signature=" + erpbridge::url_encode(signature);
  raw.headers =
      api_signature_headers({kClientId, kClientSecret}, "GET", kAuthPath, query, stale_ms, 777);
  auto transport = erpbridge::make_curl_transport(erpbridge::ClientOptions{});
  auto stale = transport->send(raw);
  REQUIRE(stale.ok());
  CHECK(stale->body.find("\"errcode\":1004") != std::string::npos);
  CHECK(stale->body.find("已过期") != std::string::npos);
  // The same request signed now is accepted: only the timestamp was wrong.
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  raw.headers =
      api_signature_headers({kClientId, kClientSecret}, "GET", kAuthPath, query, now_ms, 778);
  auto fresh = transport->send(raw);
  REQUIRE(fresh.ok());
  CHECK(fresh->body.find("\"errcode\":0") != std::string::npos);
}

TEST_CASE("Kingdee auth over HTTP: the token reply's key, its domain as the router address") {
  for (const char* key : {"app-token", "app_token", "access_token"}) {
    INFO(key);
    erpbridge::testing::KingdeeEmulatorSettings settings;
    settings.token_key = key;
    settings.domain_in_token_reply = true;
    settings.router_addr = "configured-elsewhere";  // the push accepts this or the domain
    Gateway gateway(settings);
    std::vector<std::string> log;
    auto provider = make_gateway_token(signed_auth(gateway));
    Client client(learning_options(gateway, provider, log));
    auto bill = client.push_spare_parts(kEntryPk);
    REQUIRE(bill.ok());
    CHECK(provider->router_addr() == kDomain);
    CHECK(logged(log, std::string("X-GW-Router-Addr: ") + kDomain));
    CHECK(gateway.kingdee.bills_created() == 1);
  }
  // Without a domain anywhere and none configured, the push says so and sends nothing.
  Gateway gateway;
  std::vector<std::string> log;
  Client client(learning_options(gateway, make_gateway_token(signed_auth(gateway)), log));
  auto refused = client.push_spare_parts(kEntryPk);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::InvalidArgument);
  CHECK(refused.error().message.find("X-GW-Router-Addr") != std::string::npos);
  CHECK(gateway.emulator->request_count(kPushPath) == 0);
}

TEST_CASE("Kingdee auth over HTTP: without an expiry a token is refreshed after 24 h") {
  Gateway gateway;  // its replies carry no expires
  auto now =
      std::make_shared<std::chrono::system_clock::time_point>(std::chrono::system_clock::now());
  GatewayAuth auth = signed_auth(gateway);
  auth.clock = [now] { return *now; };
  auto provider = make_gateway_token(auth);
  auto first = provider->token();
  REQUIRE(first.ok());
  *now += 23h;
  CHECK(*provider->token() == *first);
  CHECK(gateway.kingdee.auth_requests() == 1);
  *now += 56min;  // within refresh_ahead (5 min) of the 24 h
  auto second = provider->token();
  REQUIRE(second.ok());
  CHECK(*second != *first);
  CHECK(gateway.kingdee.auth_requests() == 2);
}

TEST_CASE("Kingdee auth over HTTP: an instance is authorised first, its domain routes the push") {
  Gateway gateway;
  InstanceAuth auth;
  auth.client.base_url = gateway.server->base_url();
  auth.api = {kClientId, kClientSecret};
  auth.outer_instance_id = "509132114453729280";
  auto provider = make_instance_token(auth);
  std::vector<std::string> log;
  Client client(learning_options(gateway, provider, log));
  auto bill = client.push_spare_parts(kEntryPk);
  REQUIRE(bill.ok());
  CHECK(gateway.kingdee.authorize_requests() == 1);
  CHECK(gateway.kingdee.auth_requests() == 1);
  CHECK(provider->router_addr() == kDomain);
  CHECK(logged(log, std::string("X-GW-Router-Addr: ") + kDomain));
  // The app secret the authorisation returned never reaches the log.
  CHECK_FALSE(logged(log, "erpbridge-demo-secret"));

  InstanceAuth unknown = auth;
  unknown.outer_instance_id = "1";
  auto refused = make_instance_token(unknown)->token();
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::Unauthenticated);
  CHECK(refused.error().vendor_code == "40002");
}

TEST_CASE("Kingdee over HTTP: with sign_requests the push is signed and checked") {
  Gateway gateway;
  Options options = gateway.options(make_gateway_token(signed_auth(gateway)));
  options.sign_requests = true;
  options.api = {kClientId, kClientSecret};
  REQUIRE(Client(options).push_spare_parts(kEntryPk).ok());
  options.api.client_secret = "wrong-client-secret";
  auto refused = Client(options).push_spare_parts(kEntryPk);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::Unauthenticated);
  CHECK(gateway.kingdee.bills_created() == 1);
}

TEST_CASE("Kingdee over HTTP: the push's headers must be the configured values") {
  erpbridge::testing::KingdeeEmulatorSettings settings;
  settings.group_name = "erp-group";
  settings.account_id = "1406720347851475968";
  settings.router_addr = "gw-router-1";
  Gateway gateway(settings);
  Options options = gateway.options(erpbridge::make_static_token(gateway.kingdee.issue_token()));
  REQUIRE(Client(options).push_spare_parts(kEntryPk).ok());
  std::swap(options.group_name, options.account_id);  // a swap is caught
  auto swapped = Client(options).push_spare_parts(kEntryPk);
  REQUIRE_FALSE(swapped.ok());
  CHECK(swapped.error().vendor_message.find("wrong header groupName") != std::string::npos);
}

TEST_CASE("Kingdee over HTTP: 100 million with 10 decimals (19 digits) arrives exact") {
  Gateway gateway;
  Fault big;
  big.body = R"({"success":true,"reachPlugin":true,"data":{"id":"1634800180022794241",
    "billno":"BJLL-1","material_entity":[{"seq":1,"qty":"100000000.0000000000",
    "unitcost":"12345678901234567890.1234567890","cost":123456789.0123456789}]}})";
  gateway.emulator->set_fault(kPushPath, big);
  Client client(gateway.options(erpbridge::make_static_token(gateway.kingdee.issue_token())));
  auto bill = client.push_spare_parts(kEntryPk);
  REQUIRE(bill.ok());
  CHECK(bill.notes().empty());
  REQUIRE(bill->materials.size() == 1);
  CHECK(bill->materials[0].qty->to_string() == "100000000.0000000000");
  CHECK(bill->materials[0].unit_cost->to_string() == "12345678901234567890.1234567890");
  CHECK(bill->materials[0].cost->to_string() == "123456789.0123456789");  // a JSON number, exact
}
