// The main call of every family, built from shared ClientOptions, against one loopback server
// running every family emulator. Used by the fault matrix, concurrency and secrets tests.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "data/wms_sample.hpp"
#include "erpbridge/aftersales/client.hpp"
#include "erpbridge/ctc/client.hpp"
#include "erpbridge/kingdee/client.hpp"
#include "erpbridge/testing/emulator_server.hpp"
#include "erpbridge/testing/families.hpp"
#include "erpbridge/wms/client.hpp"

namespace erpbridge::test_support {

/// One call of a client built once; nullopt on success.
using Caller = std::function<std::optional<Error>()>;

template <typename T>
std::optional<Error> error_of(const Result<T>& result) {
  if (result.ok()) return std::nullopt;
  return result.error();
}

/// An async call started and not waited for: cancel it, then wait for its outcome.
struct PendingCall {
  std::function<void()> cancel;
  std::function<std::optional<Error>()> wait;
};

/// A family's main call and what the fault matrix needs to know about it.
struct FamilyCall {
  std::string name;
  std::string path;    ///< The path the call reaches (faults and counts apply there).
  HttpMethod method;   ///< Its verb.
  bool idempotent;     ///< Whether failed tries are repeated.
  bool authenticated;  ///< Whether it carries credentials the server checks.
  /// Valid JSON whose success code has the wrong type: the reply cannot be judged.
  std::string wrong_types_body;
  /// Builds one client from `options` (base_url and transport settings) and returns a
  /// function that makes the call through it.
  std::function<Caller(const ClientOptions&)> connect;
  /// The same call through its async form (waited for with get()).
  std::function<Caller(const ClientOptions&)> connect_async;
  /// The async form started and handed back pending (to cancel it).
  std::function<PendingCall(const ClientOptions&)> start_async{};
  /// A 2xx with an empty body is this call's documented success (after-service writes: 204
  /// No Content), not an unreadable reply.
  bool empty_body_succeeds = false;
  /// connect(options)() in one go; through connect_async when `async`.
  std::optional<Error> call(const ClientOptions& options, bool async = false) const {
    return async ? connect_async(options)() : connect(options)();
  }
};

/// The ways to make one call: blocking, async waited for, async left pending.
struct CallWays {
  std::function<Caller(const ClientOptions&)> first;   ///< call(client)
  std::function<Caller(const ClientOptions&)> second;  ///< call_async(client).get()
  std::function<PendingCall(const ClientOptions&)> pending;
};

/// A Caller making `call(client)` blocking, one making `call_async(client).get()`, and one
/// starting `call_async(client)` and handing back the pending future.
template <typename Client, typename Blocking, typename Async>
CallWays both_ways(std::function<std::shared_ptr<Client>(const ClientOptions&)> make,
                   Blocking blocking, Async async) {
  auto sync_way = [make, blocking](const ClientOptions& options) -> Caller {
    auto client = make(options);
    return [client, blocking] { return error_of(blocking(*client)); };
  };
  auto async_way = [make, async](const ClientOptions& options) -> Caller {
    auto client = make(options);
    return [client, async] { return error_of(async(*client).get()); };
  };
  auto pending_way = [make, async](const ClientOptions& options) -> PendingCall {
    auto client = make(options);
    auto future = std::make_shared<decltype(async(*client))>(async(*client));
    return {[future] { future->cancel(); }, [client, future] { return error_of(future->get()); }};
  };
  return {sync_way, async_way, pending_way};
}

/// The spec's sample entry order under `entry_code`, by default a new one per call.
inline wms::EntryConfirmation sample_entry(std::string entry_code = {}) {
  static std::atomic<long> next_code{0};
  if (entry_code.empty()) entry_code = "RK-" + std::to_string(++next_code);
  static const wms::EntryConfirmation sample =
      wms::parse_entry_confirmation(test_data::kWmsRequestSample).value();
  wms::EntryConfirmation order = sample;
  order.order.entry_code = entry_code;
  for (auto& line : order.lines) line.entry_code = entry_code;
  return order;
}

/// Every family emulator behind one loopback server.
struct FamilyServer {
  testing::FamilySettings settings;
  std::shared_ptr<testing::Emulator> emulator = std::make_shared<testing::Emulator>();
  std::unique_ptr<testing::EmulatorServer> server;

  explicit FamilyServer(testing::FamilySettings family_settings = {})
      : settings(std::move(family_settings)) {
    testing::install_all_families(*emulator, settings);
    server = testing::EmulatorServer::start(emulator).value();
  }

  /// CTC receipt query, WMS push, Kingdee push-down, after-service order list and create.
  std::vector<FamilyCall> main_calls() const {
    std::vector<FamilyCall> calls;
    const testing::FamilySettings s = settings;
    const std::string base_url = server->base_url();
    auto add = [&calls](FamilyCall call, auto ways) {
      call.connect = ways.first;
      call.connect_async = ways.second;
      call.start_async = ways.pending;
      calls.push_back(std::move(call));
    };

    const ctc::ReceiptQuery query{ctc::Direction::In,
                                  DateTime::parse("2020-03-01 00:00:00").value(),
                                  DateTime::parse("2020-03-03 00:00:00").value()};
    add({"CTC query_receipts",
         "/doscall/oa/api/receipt_parts/",
         HttpMethod::Post,
         true,
         true,
         R"({"res":[0],"msg":"ok","data":[{"in_number":1,"amount":"many"}]})",
         {},
         {}},
        both_ways<ctc::Client>(
            [s](const ClientOptions& base) {
              ctc::Options options;
              static_cast<ClientOptions&>(options) = base;
              options.key = make_static_token(s.ctc_key);
              return std::make_shared<ctc::Client>(options);
            },
            [query](ctc::Client& c) { return c.query_receipts(query); },
            [query](ctc::Client& c) { return c.query_receipts_async(query); }));

    // A new entry order each call, as WMS would push them.
    add({"WMS push",
         "/CreateEntryConfirmation",
         HttpMethod::Post,
         true,
         true,
         R"({"code":[0],"message":{"text":"ok"},"bil_id":7})",
         {},
         {}},
        both_ways<wms::Client>(
            [s](const ClientOptions& base) {
              wms::Options options;
              static_cast<ClientOptions&>(options) = base;
              options.token = make_static_token(s.wms_token);
              return std::make_shared<wms::Client>(options);
            },
            [](wms::Client& c) { return c.push(sample_entry()); },
            [](wms::Client& c) { return c.push_async(sample_entry()); }));

    add({"Kingdee push_spare_parts",
         "/app/mxoc_0001_mxoc_pq/pq_orderexe_push_backup",
         HttpMethod::Post,
         false,
         true,
         R"({"errorCode":{"a":1},"message":[],"data":"bill","success":"yes"})",
         {},
         {}},
        both_ways<kingdee::Client>(
            [s, base_url](const ClientOptions& base) {
              kingdee::GatewayAuth auth;
              auth.client.base_url = base_url;
              auth.app_key = s.kingdee_app_key;
              auth.app_secret = s.kingdee_app_secret;
              auth.api = {s.kingdee_client_id, s.kingdee_client_secret};
              auth.client.log_sink = base.log_sink;
              auth.client.log_level = base.log_level;
              kingdee::Options options;
              static_cast<ClientOptions&>(options) = base;
              options.token = kingdee::make_gateway_token(auth);
              options.group_name = "erp-group";
              options.account_id = "1406720347851475968";
              options.router_addr = "gw-router-1";
              return std::make_shared<kingdee::Client>(options);
            },
            [](kingdee::Client& c) { return c.push_spare_parts("1634800180022794240"); },
            [](kingdee::Client& c) { return c.push_spare_parts_async("1634800180022794240"); }));

    aftersales::ListFilter filter;
    filter.per_page = 5;
    add({"After-service list_orders",
         "/api/v1/afterservice/orders",
         HttpMethod::Get,
         true,
         false,
         R"({"status":{"code":0},"data":{"items":"none","total":"many"}})",
         {},
         {}},
        both_ways<aftersales::Connection>(
            [](const ClientOptions& base) { return aftersales::make_connection(base); },
            [filter](aftersales::Connection& c) { return c.list_orders(filter); },
            [filter](aftersales::Connection& c) { return c.list_orders_async(filter); }));

    const aftersales::NewOrder order{"质量问题", "深圳供应商", "广州供应商",
                                     "张三",     "破损",       "外箱破损"};
    add({"After-service create",
         "/api/v1/afterservice/orders",
         HttpMethod::Post,
         false,
         false,
         R"({"status":{"code":0},"data":{"id":"seven"}})",
         {},
         {}},
        both_ways<aftersales::Client>(
            [](const ClientOptions& base) { return std::make_shared<aftersales::Client>(base); },
            [order](aftersales::Client& c) { return c.create_order(order); },
            [order](aftersales::Client& c) { return c.create_order_async(order); }));
    calls.back().empty_body_succeeds = true;
    return calls;
  }

  /// Writes that must never be repeated: one per verb and family that has one.
  std::vector<FamilyCall> write_calls() const {
    std::vector<FamilyCall> calls;
    const testing::FamilySettings s = settings;
    const std::string order = "/api/v1/afterservice/orders/1";
    auto add = [&calls](FamilyCall call, auto ways) {
      call.connect = ways.first;
      call.connect_async = ways.second;
      call.start_async = ways.pending;
      calls.push_back(std::move(call));
    };
    auto connection = [](const ClientOptions& base) { return aftersales::make_connection(base); };
    using Aftersales = aftersales::Connection;
    aftersales::OrderUpdate update;
    update.remark = "补充说明";
    add({"After-service update (PUT)", order, HttpMethod::Put, false, false, "", {}, {}},
        both_ways<Aftersales>(
            connection, [update](Aftersales& c) { return c.update_order(1, update); },
            [update](Aftersales& c) { return c.update_order_async(1, update); }));
    add({"After-service done step (PUT)", order, HttpMethod::Put, false, false, "", {}, {}},
        both_ways<Aftersales>(
            connection, [](Aftersales& c) { return c.done_order(1, "", "x"); },
            [](Aftersales& c) { return c.done_order_async(1, "", "x"); }));
    add({"After-service delete (DELETE)", order, HttpMethod::Delete, false, false, "", {}, {}},
        both_ways<Aftersales>(
            connection, [](Aftersales& c) { return c.delete_order(1); },
            [](Aftersales& c) { return c.delete_order_async(1); }));
    const std::vector<aftersales::AbnormalProduct> products{{std::nullopt, "SKU-1", "划痕", {}}};
    add({"After-service add abnormal products (POST)",
         order + "/abnormal-products",
         HttpMethod::Post,
         false,
         false,
         "",
         {},
         {}},
        both_ways<Aftersales>(
            connection, [products](Aftersales& c) { return c.add_abnormal_products(1, products); },
            [products](Aftersales& c) { return c.add_abnormal_products_async(1, products); }));
    aftersales::DutyReport report;
    report.abnormal_type = "包装";
    add({"After-service duty report (PUT)",
         order + "/duty-report",
         HttpMethod::Put,
         false,
         false,
         "",
         {},
         {}},
        both_ways<Aftersales>(
            connection, [report](Aftersales& c) { return c.update_duty_report(1, report); },
            [report](Aftersales& c) { return c.update_duty_report_async(1, report); }));
    // The other after-service writes: the reject step, and an abnormal product's PUT and
    // DELETE -- every write endpoint of the document is in this list.
    add({"After-service reject step (PUT)", order, HttpMethod::Put, false, false, "", {}, {}},
        both_ways<Aftersales>(
            connection, [](Aftersales& c) { return c.reject_order(1, "退回", "x"); },
            [](Aftersales& c) { return c.reject_order_async(1, "退回", "x"); }));
    const std::string product = order + "/abnormal-products/2";
    const aftersales::AbnormalProduct changed{std::nullopt, "SKU-2", "缺件", {}};
    add({"After-service abnormal product (PUT)",
         product,
         HttpMethod::Put,
         false,
         false,
         "",
         {},
         {}},
        both_ways<Aftersales>(
            connection,
            [changed](Aftersales& c) { return c.update_abnormal_product(1, 2, changed); },
            [changed](Aftersales& c) { return c.update_abnormal_product_async(1, 2, changed); }));
    add({"After-service abnormal product (DELETE)",
         product,
         HttpMethod::Delete,
         false,
         false,
         "",
         {},
         {}},
        both_ways<Aftersales>(
            connection, [](Aftersales& c) { return c.delete_abnormal_product(1, 2); },
            [](Aftersales& c) { return c.delete_abnormal_product_async(1, 2); }));
    const std::string remark_path = "/doscall/oa/api/workorder_remark/";
    add({"CTC generic call (POST)", remark_path, HttpMethod::Post, false, true, "", {}, {}},
        both_ways<ctc::Client>(
            [s](const ClientOptions& base) {
              ctc::Options options;
              static_cast<ClientOptions&>(options) = base;
              options.key = make_static_token(s.ctc_key);
              return std::make_shared<ctc::Client>(options);
            },
            [remark_path](ctc::Client& c) {
              return c.call(remark_path, R"({"number":"WX1","remark":"x"})");
            },
            [remark_path](ctc::Client& c) {
              return c.call_async(remark_path, R"({"number":"WX1","remark":"x"})");
            }));
    const std::string other_path = "/app/mxoc_0001_mxoc_pq/other_module";
    add({"Kingdee generic call (POST)", other_path, HttpMethod::Post, false, true, "", {}, {}},
        both_ways<kingdee::Client>(
            [](const ClientOptions& base) {
              kingdee::Options options;
              static_cast<ClientOptions&>(options) = base;
              options.token = make_static_token("kd-static-token-1");
              options.group_name = "erp-group";
              options.account_id = "1406720347851475968";
              options.router_addr = "gw-router-1";
              return std::make_shared<kingdee::Client>(options);
            },
            [other_path](kingdee::Client& c) { return c.call(other_path, R"({"a":1})"); },
            [other_path](kingdee::Client& c) { return c.call_async(other_path, R"({"a":1})"); }));
    return calls;
  }
};

}  // namespace erpbridge::test_support
