// With logging at its most verbose, success and every error path of each family must keep
// the credentials (CTC key, WMS token, Kingdee app_secret and access_token) out of every
// log line, error message and exception text.
#include <catch2/catch.hpp>

#include <mutex>
#include <regex>

#include "support/families.hpp"
#include "support/timing.hpp"

using erpbridge::ClientOptions;
using erpbridge::Error;
using erpbridge::LogLevel;
using erpbridge::test_support::FamilyCall;
using erpbridge::test_support::FamilyServer;
using erpbridge::test_support::scaled;
using erpbridge::testing::Fault;
using namespace std::chrono_literals;

namespace {

erpbridge::testing::FamilySettings secret_settings() {
  erpbridge::testing::FamilySettings settings;
  settings.ctc_key = "ctc-key-S3CRET-4711";
  settings.wms_token = "wms-token-S3CRET-0815";
  settings.kingdee_app_key = "kd-app-key-1";
  settings.kingdee_app_secret = "kd-app-S3CRET-2342";
  return settings;
}

// Wrong credentials the client is configured with: secrets too.
const char* kWrongCtcKey = "ctc-key-WRONG-S3CRET";
const char* kWrongWmsToken = "wms-token-WRONG-S3CRET";
const char* kWrongKingdeeSecret = "kd-app-WRONG-S3CRET";

std::vector<Fault> faults(const FamilyCall& family) {
  std::vector<Fault> out;
  auto add = [&](auto set) {
    Fault fault;
    set(fault);
    out.push_back(fault);
  };
  add([](Fault& f) { f.reset = true; });
  add([](Fault& f) { f.status = 500; });
  add([](Fault& f) {
    f.status = 503;
    f.retry_after = 0;
  });
  add([](Fault& f) { f.status = 401; });
  add([](Fault& f) { f.truncate = true; });
  add([](Fault& f) { f.non_json = true; });
  add([&](Fault& f) { f.body = family.wrong_types_body; });
  add([](Fault& f) { f.body = ""; });
  add([](Fault& f) { f.latency = scaled(400ms); });            // twice the per-try timeout below
  add([](Fault& f) { f.body = std::string(2u << 20, ' '); });  // past the size cap below
  return out;
}

struct Captured {
  std::mutex mutex;
  std::vector<std::string> texts;
  void add(std::string text) {
    std::lock_guard<std::mutex> guard(mutex);
    texts.push_back(std::move(text));
  }
};

// Every text must be free of every secret and of any token the Kingdee emulator issued.
void check_clean(const std::vector<std::string>& texts, const std::vector<std::string>& secrets) {
  const std::regex issued_token("kd-[0-9]{4}-[0-9a-f]{8}");
  for (const std::string& text : texts) {
    INFO(text);
    for (const std::string& secret : secrets) CHECK(text.find(secret) == std::string::npos);
    CHECK_FALSE(std::regex_search(text, issued_token));
  }
}

void run_secrets(std::size_t index) {
  FamilyServer server(secret_settings());
  auto captured = std::make_shared<Captured>();
  ClientOptions options;
  options.base_url = server.server->base_url();
  options.log_level = LogLevel::Debug;
  options.log_sink = [captured](LogLevel, std::string_view line) {
    captured->add(std::string(line));
  };
  options.retry.max_attempts = 2;
  options.retry.initial_backoff = 1ms;
  options.max_response_bytes = 1u << 20;

  const FamilyCall family = server.main_calls().at(index);
  auto record = [&](std::optional<Error> error) {
    if (!error) return;
    captured->add(error->to_string());
    captured->add(error->vendor_message);
    try {
      throw erpbridge::RuntimeError(*error);
    } catch (const std::exception& exception) {
      captured->add(exception.what());
    }
  };

  // Success first (also fetches and logs the Kingdee token exchange).
  CHECK_FALSE(family.call(options).has_value());
  std::size_t lines_after_success = captured->texts.size();
  CHECK(lines_after_success > 0);  // logging is on: something was written

  for (const Fault& fault : faults(family)) {
    server.emulator->clear_faults();
    server.emulator->set_fault(family.path, fault, family.method);
    // Only the slow server gets a per-try timeout short enough to hit: the other calls,
    // the success and wrong credentials included, keep the default and cannot time out.
    ClientOptions tried = options;
    if (fault.latency.count() > 0) tried.request_timeout = fault.latency / 2;
    auto error = family.call(tried);
    CHECK(error.has_value());
    record(error);
  }
  server.emulator->clear_faults();

  // Wrong credentials: the server refuses them.
  server.settings.ctc_key = kWrongCtcKey;
  server.settings.wms_token = kWrongWmsToken;
  server.settings.kingdee_app_secret = kWrongKingdeeSecret;
  auto refused = server.main_calls().at(index).call(options);
  if (family.authenticated) {
    REQUIRE(refused.has_value());
    CHECK(refused->code == erpbridge::ErrorCode::Unauthenticated);
  }
  record(refused);

  if (family.authenticated) {
    // The credentials were sent and logged masked: the check above had something to find.
    bool masked = false;
    for (const auto& text : captured->texts)
      masked = masked || text.find("***") != std::string::npos;
    CHECK(masked);
  }
  const auto settings = secret_settings();
  check_clean(captured->texts, {settings.ctc_key, settings.wms_token, settings.kingdee_app_secret,
                                kWrongCtcKey, kWrongWmsToken, kWrongKingdeeSecret});
}

}  // namespace

TEST_CASE("Secrets: CTC key never reaches logs or errors") {
  run_secrets(0);
}
TEST_CASE("Secrets: WMS token never reaches logs or errors") {
  run_secrets(1);
}
TEST_CASE("Secrets: Kingdee app_secret and access_token never reach logs or errors") {
  run_secrets(2);
}
TEST_CASE("Secrets: after-service logs and errors carry no credentials") {
  run_secrets(3);
}

namespace {

// Secrets with characters that URL-encoding changes, so both forms are looked for.
erpbridge::testing::FamilySettings echo_settings() {
  erpbridge::testing::FamilySettings settings;
  settings.ctc_key = "ctc key/S3CRET+echo=1";
  settings.wms_token = "wms token/S3CRET+echo=2";
  settings.kingdee_app_key = "kd-app-key-echo";
  settings.kingdee_app_secret = "kd secret/S3CRET+echo=3";
  return settings;
}

// The family's own envelope reporting a failure whose message is the whole request, and the
// same request echoed in a header that logs show (Server) and in a 500's body.
std::vector<Fault> echoing_faults(const std::string& family) {
  std::string failure;
  if (family.rfind("CTC", 0) == 0) failure = R"({"res":9,"msg":"token {{echo}} invalid"})";
  if (family.rfind("WMS", 0) == 0) failure = R"({"code":"E9","message":"token {{echo}} invalid"})";
  if (family.rfind("Kingdee", 0) == 0) {
    failure = R"({"success":false,"errorCode":"gw.token","message":"token {{echo}} invalid"})";
  }
  if (family.rfind("After", 0) == 0) failure = R"({"status":7,"message":"token {{echo}} invalid"})";
  Fault in_envelope;
  in_envelope.status = 200;
  in_envelope.body = failure;
  in_envelope.headers = {{"Server", "echo {{echo}}"}, {"X-Debug", "{{echo}}"}};
  Fault in_error_page;
  in_error_page.status = 500;
  in_error_page.body = "<html>request was {{echo}}</html>";
  in_error_page.headers = {{"Server", "echo {{echo}}"}};
  Fault in_success;  // an accepted reply whose unexpected fields echo the request
  in_success.headers = {{"Server", "echo {{echo}}"}};
  return {in_envelope, in_error_page, in_success};
}

void run_echo(std::size_t index) {
  FamilyServer server(echo_settings());
  auto captured = std::make_shared<Captured>();
  ClientOptions options;
  options.base_url = server.server->base_url();
  options.log_level = LogLevel::Debug;
  options.log_sink = [captured](LogLevel, std::string_view line) {
    captured->add(std::string(line));
  };
  options.retry.max_attempts = 1;
  const FamilyCall family = server.main_calls().at(index);
  for (const Fault& fault : echoing_faults(family.name)) {
    server.emulator->clear_faults();
    server.emulator->set_fault(family.path, fault, family.method);
    auto error = family.call(options);
    if (!error) continue;
    captured->add(error->to_string());
    captured->add(error->vendor_message);
    captured->add(erpbridge::RuntimeError(*error).what());
  }
  // The server did echo what was sent: the checks below had secrets to find.
  bool echoed = false;
  for (const auto& text : captured->texts)
    echoed = echoed || text.find("body: ") != std::string::npos;
  CHECK(echoed);
  const auto settings = echo_settings();
  std::vector<std::string> secrets = {settings.ctc_key, settings.wms_token,
                                      settings.kingdee_app_secret};
  for (const std::string& secret : std::vector<std::string>(secrets)) {
    secrets.push_back(erpbridge::url_encode(secret));
  }
  check_clean(captured->texts, secrets);
}

}  // namespace

TEST_CASE("Secrets: a CTC server echoing the request leaks no key, raw or URL-encoded") {
  run_echo(0);
}
TEST_CASE("Secrets: a WMS receiver echoing the request leaks no token") {
  run_echo(1);
}
TEST_CASE("Secrets: a Kingdee gateway echoing the access_token leaks none") {
  run_echo(2);
}
TEST_CASE("Secrets: an after-service server echoing the request leaks nothing") {
  run_echo(3);
}
