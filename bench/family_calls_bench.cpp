// A typed call of the WMS, Kingdee and after-service families on loopback, through the SDK
// client and through a bare reused libcurl handle sending the same request with a
// hand-written DOM parse of the reply, call by call in turn against one server (the CTC call
// is in http_bench.cpp). Each reports both sides' p50, p99 and the calling thread's CPU per
// call, their ratios, and the TCP connections the server accepted.
#include <benchmark/benchmark.h>

#include <memory>
#include <optional>
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
using bench::BareHandle;
using bench::time_paired_calls;

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

void BM_Paired_WmsPush(benchmark::State& state) {
  WmsServer server;
  wms::Client client(server.options());
  const wms::Options options = server.options();
  BareHandle handle(server.server->base_url() + options.path, "POST", std::string(),
                    {"Content-Type: application/json", std::string("Authorization: ") + kWmsToken});
  time_paired_calls(
      state, *server.server, [&] { return client.push(server.order); },
      [](const Result<wms::PushReply>& reply) { return reply.ok() && reply->code == "0"; },
      [&] {
        // The order is the caller's data, so its body is written per call, as the SDK does.
        handle.set_body(bench::entry_order_with_writer(server.order));
        const std::string* reply = handle.perform();
        return reply != nullptr ? bench::wms_reply_from_dom(reply->data(), reply->size())
                                : wms::PushReply{};
      },
      [](const wms::PushReply& reply) { return reply.code == "0"; });
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

void BM_Paired_KingdeePush(benchmark::State& state) {
  KingdeeServer server;
  kingdee::Client client(server.options());
  const std::string body =
      json::encode(kingdee::wire::PushBody{"push", kEntryPk, kingdee::wire::BillData{kEntryPk}});
  BareHandle handle(
      server.server->base_url() + kingdee::wire::kPushPath + "?access_token=" + server.token,
      "POST", body,
      {"groupName: erp-group", "accountid: 1406720347851475968", "X-GW-Router-Addr: gw-router-1",
       "Content-Type: application/json"});
  time_paired_calls(
      state, *server.server, [&] { return client.push_spare_parts(kEntryPk); },
      [](const Result<kingdee::SparePartsBill>& bill) {
        return bill.ok() && !bill->materials.empty();
      },
      [&] {
        const std::string* reply = handle.perform();
        return reply != nullptr ? bench::kingdee_bill_from_dom(reply->data(), reply->size())
                                : kingdee::SparePartsBill{};
      },
      [](const kingdee::SparePartsBill& bill) { return !bill.materials.empty(); });
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
    order =
        setup.create_order({"质量异常", "供应商A", "供应商B", "张三", "破损", "外箱破损"}).value();
    update.remark = "外箱破损，已拍照";
  }
  aftersales::Options options() const {
    aftersales::Options options;
    options.base_url = server->base_url();
    return options;
  }
};

void BM_Paired_AftersalesUpdate(benchmark::State& state) {
  AftersalesServer server;
  aftersales::Client client(server.options());
  BareHandle handle(server.server->base_url() + aftersales::wire::kBasePath + "/orders/" +
                        std::to_string(server.order.id),
                    "PUT", json::encode(server.update), {"Content-Type: application/json"});
  time_paired_calls(
      state, *server.server, [&] { return client.update_order(server.order.id, server.update); },
      [&](const Result<aftersales::Order>& order) {
        return order.ok() && order->id == server.order.id;
      },
      [&] {
        const std::string* reply = handle.perform();
        return reply != nullptr ? bench::order_reply_from_dom(reply->data(), reply->size())
                                : std::optional<aftersales::Order>();
      },
      [&](const std::optional<aftersales::Order>& order) {
        return order && order->id == server.order.id;
      });
}

BENCHMARK(BM_Paired_WmsPush)->Apply(bench::typed_call);
BENCHMARK(BM_Paired_KingdeePush)->Apply(bench::typed_call);
BENCHMARK(BM_Paired_AftersalesUpdate)->Apply(bench::typed_call);

}  // namespace
