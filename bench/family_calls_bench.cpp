// A typed call of the WMS, Kingdee and after-service families on loopback, through the SDK
// client and through a bare reused libcurl handle sending the same request with a
// hand-written DOM parse of the reply. (The CTC call is in http_bench.cpp.) Each reports
// p50, p99, the calling thread's CPU per call and the TCP connections the server accepted.
#include <benchmark/benchmark.h>
#include <curl/curl.h>

#include <memory>
#include <string>

#include "aftersales/codec.hpp"
#include "baselines.hpp"
#include "call_samples.hpp"
#include "erpbridge/aftersales/client.hpp"
#include "erpbridge/core/token.hpp"
#include "erpbridge/kingdee/client.hpp"
#include "erpbridge/testing/aftersales_emulator.hpp"
#include "erpbridge/testing/emulator_server.hpp"
#include "erpbridge/testing/kingdee_emulator.hpp"
#include "erpbridge/testing/wms_emulator.hpp"
#include "erpbridge/wms/client.hpp"
#include "json/engine.hpp"
#include "kingdee/codec.hpp"
#include "payloads.hpp"
#include "wms/codec.hpp"

namespace {

using namespace erpbridge;
using bench::Clock;
using bench::Samples;

// A bare easy handle, reused for every call: the baseline.
class BareHandle {
 public:
  BareHandle(const std::string& url, const char* method, const std::string& body,
             const std::vector<std::string>& headers)
      : url_(url), body_(body) {
    for (const std::string& header : headers) list_ = curl_slist_append(list_, header.c_str());
    curl_easy_setopt(easy_, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, list_);
    curl_easy_setopt(easy_, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, body_.c_str());
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_.size()));
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, bench::append);
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, &reply_);
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
  }
  ~BareHandle() {
    curl_slist_free_all(list_);
    curl_easy_cleanup(easy_);
  }
  BareHandle(const BareHandle&) = delete;
  BareHandle& operator=(const BareHandle&) = delete;

  // Replaces the request body (the next perform() sends it).
  void set_body(std::string body) {
    body_ = std::move(body);
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, body_.c_str());
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_.size()));
  }

  // The reply body, or nullptr when the transfer failed.
  const std::string* perform() {
    reply_.clear();
    return curl_easy_perform(easy_) == CURLE_OK ? &reply_ : nullptr;
  }

 private:
  CURL* easy_ = curl_easy_init();
  curl_slist* list_ = nullptr;
  std::string url_;
  std::string body_;
  std::string reply_;
};

// ---- WMS: push one entry order (the receiver answers a repeat alike) ----

const char* kWmsToken = "bench-wms-token";

struct WmsServer {
  std::shared_ptr<testing::Emulator> emulator = std::make_shared<testing::Emulator>();
  testing::WmsEmulator wms{kWmsToken};
  std::unique_ptr<testing::EmulatorServer> server;
  wms::EntryConfirmation order = bench::entry_order(3);
  WmsServer() {
    wms.install(*emulator);
    server = testing::EmulatorServer::start(emulator).value();
  }
  wms::Options options() const {
    wms::Options options;
    options.base_url = server->base_url();
    options.token = make_static_token(kWmsToken);
    return options;
  }
};

void BM_BareCurl_WmsPush(benchmark::State& state) {
  WmsServer server;
  const wms::Options options = server.options();
  BareHandle handle(server.server->base_url() + options.path, "POST", std::string(),
                    {"Content-Type: application/json", std::string("Authorization: ") + kWmsToken});
  const std::size_t connections_before = server.server->accepted_connections();
  Samples samples;
  for (auto _ : state) {
    const auto start = Clock::now();
    // The order is the caller's data, so its body is written per call, as the SDK does.
    handle.set_body(bench::entry_order_with_writer(server.order));
    const std::string* reply = handle.perform();
    wms::PushReply parsed = reply != nullptr
                                ? bench::wms_reply_from_dom(reply->data(), reply->size())
                                : wms::PushReply{};
    samples.add(Clock::now() - start);
    if (parsed.code != "0") state.SkipWithError("wrong reply");
    benchmark::DoNotOptimize(parsed);
  }
  // Only the connections of the timed calls (the after-service setup made one of its own).
  samples.report(state, server.server->accepted_connections() - connections_before);
}

void BM_Sdk_WmsPush(benchmark::State& state) {
  WmsServer server;
  wms::Client client(server.options());
  const std::size_t connections_before = server.server->accepted_connections();
  Samples samples;
  for (auto _ : state) {
    const auto start = Clock::now();
    auto reply = client.push(server.order);
    samples.add(Clock::now() - start);
    if (!reply.ok() || reply->code != "0") state.SkipWithError("push failed");
    benchmark::DoNotOptimize(reply);
  }
  // Only the connections of the timed calls (the after-service setup made one of its own).
  samples.report(state, server.server->accepted_connections() - connections_before);
}

// ---- Kingdee: push a work-order execution down into a spare-parts bill ----

const char* kEntryPk = "1634800180022794240";

struct KingdeeServer {
  std::shared_ptr<testing::Emulator> emulator = std::make_shared<testing::Emulator>();
  testing::KingdeeEmulator kingdee;
  std::unique_ptr<testing::EmulatorServer> server;
  std::string token;
  KingdeeServer() {
    kingdee.install(*emulator);
    server = testing::EmulatorServer::start(emulator).value();
    token = kingdee.issue_token();
  }
  kingdee::Options options() const {
    kingdee::Options options;
    options.base_url = server->base_url();
    options.token = make_static_token(token);
    options.group_name = "erp-group";
    options.account_id = "1406720347851475968";
    options.router_addr = "gw-router-1";
    return options;
  }
};

void BM_BareCurl_KingdeePush(benchmark::State& state) {
  KingdeeServer server;
  const std::string body =
      json::encode(kingdee::wire::PushBody{"push", kEntryPk, kingdee::wire::BillData{kEntryPk}});
  BareHandle handle(
      server.server->base_url() + kingdee::wire::kPushPath + "?access_token=" + server.token,
      "POST", body,
      {"groupName: erp-group", "accountid: 1406720347851475968", "X-GW-Router-Addr: gw-router-1",
       "Content-Type: application/json"});
  const std::size_t connections_before = server.server->accepted_connections();
  Samples samples;
  for (auto _ : state) {
    const auto start = Clock::now();
    const std::string* reply = handle.perform();
    kingdee::SparePartsBill bill;
    if (reply != nullptr) bill = bench::kingdee_bill_from_dom(reply->data(), reply->size());
    samples.add(Clock::now() - start);
    if (bill.materials.empty()) state.SkipWithError("wrong reply");
    benchmark::DoNotOptimize(bill);
  }
  // Only the connections of the timed calls (the after-service setup made one of its own).
  samples.report(state, server.server->accepted_connections() - connections_before);
}

void BM_Sdk_KingdeePush(benchmark::State& state) {
  KingdeeServer server;
  kingdee::Client client(server.options());
  const std::size_t connections_before = server.server->accepted_connections();
  Samples samples;
  for (auto _ : state) {
    const auto start = Clock::now();
    auto bill = client.push_spare_parts(kEntryPk);
    samples.add(Clock::now() - start);
    if (!bill.ok() || bill->materials.empty()) state.SkipWithError("push failed");
    benchmark::DoNotOptimize(bill);
  }
  // Only the connections of the timed calls (the after-service setup made one of its own).
  samples.report(state, server.server->accepted_connections() - connections_before);
}

// ---- After-service: update an order (PUT /orders/{id}) ----

struct AftersalesServer {
  std::shared_ptr<testing::Emulator> emulator = std::make_shared<testing::Emulator>();
  testing::AftersalesEmulator aftersales;
  std::unique_ptr<testing::EmulatorServer> server;
  aftersales::Order order;
  aftersales::OrderUpdate update;
  AftersalesServer() {
    aftersales.install(*emulator);
    server = testing::EmulatorServer::start(emulator).value();
    aftersales::Client setup(options());
    order = setup.create({"质量异常", "供应商A", "供应商B", "张三", "破损", "外箱破损"}).value();
    update.remark = "外箱破损，已拍照";
  }
  aftersales::Options options() const {
    aftersales::Options options;
    options.base_url = server->base_url();
    return options;
  }
};

void BM_BareCurl_AftersalesUpdate(benchmark::State& state) {
  AftersalesServer server;
  BareHandle handle(server.server->base_url() + aftersales::wire::kBasePath + "/orders/" +
                        std::to_string(server.order.id),
                    "PUT", json::encode(server.update), {"Content-Type: application/json"});
  const std::size_t connections_before = server.server->accepted_connections();
  Samples samples;
  for (auto _ : state) {
    const auto start = Clock::now();
    const std::string* reply = handle.perform();
    std::optional<aftersales::Order> order;
    if (reply != nullptr) order = bench::order_reply_from_dom(reply->data(), reply->size());
    samples.add(Clock::now() - start);
    if (!order || order->id != server.order.id) state.SkipWithError("wrong reply");
    benchmark::DoNotOptimize(order);
  }
  // Only the connections of the timed calls (the after-service setup made one of its own).
  samples.report(state, server.server->accepted_connections() - connections_before);
}

void BM_Sdk_AftersalesUpdate(benchmark::State& state) {
  AftersalesServer server;
  aftersales::Client client(server.options());
  const std::size_t connections_before = server.server->accepted_connections();
  Samples samples;
  for (auto _ : state) {
    const auto start = Clock::now();
    auto order = client.update(server.order.id, server.update);
    samples.add(Clock::now() - start);
    if (!order.ok() || order->id != server.order.id) state.SkipWithError("update failed");
    benchmark::DoNotOptimize(order);
  }
  // Only the connections of the timed calls (the after-service setup made one of its own).
  samples.report(state, server.server->accepted_connections() - connections_before);
}

BENCHMARK(BM_BareCurl_WmsPush)->Iterations(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Sdk_WmsPush)->Iterations(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_BareCurl_KingdeePush)->Iterations(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Sdk_KingdeePush)->Iterations(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_BareCurl_AftersalesUpdate)->Iterations(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Sdk_AftersalesUpdate)->Iterations(1000)->Unit(benchmark::kMicrosecond);

}  // namespace
