// The main call of every family, built from shared ClientOptions, against one loopback server
// running every family emulator. Used by the fault matrix, concurrency and secrets tests.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
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
  /// connect(options)() in one go.
  std::optional<Error> call(const ClientOptions& options) const { return connect(options)(); }
};

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

template <typename T>
std::optional<Error> error_of(const Result<T>& result) {
  if (result.ok()) return std::nullopt;
  return result.error();
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

    calls.push_back({"CTC query_receipts", "/doscall/oa/api/receipt_parts/", HttpMethod::Post, true,
                     true, R"({"res":[0],"msg":"ok","data":[{"in_number":1,"amount":"many"}]})",
                     [s](const ClientOptions& base) -> Caller {
                       ctc::Options options;
                       static_cast<ClientOptions&>(options) = base;
                       options.key = make_static_token(s.ctc_key);
                       auto client = std::make_shared<ctc::Client>(options);
                       return [client] {
                         return error_of(client->query_receipts(
                             {ctc::Direction::In, DateTime::parse("2020-03-01 00:00:00").value(),
                              DateTime::parse("2020-03-03 00:00:00").value()}));
                       };
                     }});

    calls.push_back({"WMS push", "/CreateEntryConfirmation", HttpMethod::Post, true, true,
                     R"({"code":[0],"message":{"text":"ok"},"bil_id":7})",
                     [s](const ClientOptions& base) -> Caller {
                       wms::Options options;
                       static_cast<ClientOptions&>(options) = base;
                       options.token = make_static_token(s.wms_token);
                       auto client = std::make_shared<wms::Client>(options);
                       // A new entry order each call, as WMS would push them.
                       return [client] { return error_of(client->push(sample_entry())); };
                     }});

    calls.push_back({"Kingdee push_spare_parts", "/app/mxoc_0001_mxoc_pq/pq_orderexe_push_backup",
                     HttpMethod::Post, false, true,
                     R"({"errorCode":{"a":1},"message":[],"data":"bill","success":"yes"})",
                     [s, base_url](const ClientOptions& base) -> Caller {
                       kingdee::GatewayAuth auth;
                       auth.client.base_url = base_url;
                       auth.app_key = s.kingdee_app_key;
                       auth.app_secret = s.kingdee_app_secret;
                       auth.client.log_sink = base.log_sink;
                       auth.client.log_level = base.log_level;
                       kingdee::Options options;
                       static_cast<ClientOptions&>(options) = base;
                       options.token = kingdee::make_gateway_token(auth);
                       options.group_name = "erp-group";
                       options.account_id = "1406720347851475968";
                       options.router_addr = "gw-router-1";
                       auto client = std::make_shared<kingdee::Client>(options);
                       return [client] {
                         return error_of(client->push_spare_parts("1634800180022794240"));
                       };
                     }});

    calls.push_back({"After-service list_orders", "/api/v1/afterservice/orders", HttpMethod::Get,
                     true, false, R"({"status":{"code":0},"data":{"items":"none","total":"many"}})",
                     [](const ClientOptions& base) -> Caller {
                       auto connection = aftersales::make_connection(base);
                       return [connection] {
                         aftersales::ListFilter filter;
                         filter.per_page = 5;
                         return error_of(connection->list_orders(filter));
                       };
                     }});

    calls.push_back({"After-service create", "/api/v1/afterservice/orders", HttpMethod::Post, false,
                     false, R"({"code":0,"data":{"id":"seven","status":12}})",
                     [](const ClientOptions& base) -> Caller {
                       auto client = std::make_shared<aftersales::Client>(base);
                       return [client] {
                         aftersales::NewOrder order{"质量问题", "深圳供应商", "广州供应商",
                                                    "张三",     "破损",       "外箱破损"};
                         return error_of(client->create_order(order));
                       };
                     }});
    return calls;
  }

  /// Writes that must never be repeated: one per verb and family that has one.
  std::vector<FamilyCall> write_calls() const {
    std::vector<FamilyCall> calls;
    const testing::FamilySettings s = settings;
    const std::string base_url = server->base_url();
    const std::string order = "/api/v1/afterservice/orders/1";
    auto aftersales_write = [&](std::string name, std::string path, HttpMethod method,
                                std::function<std::optional<Error>(aftersales::Connection&)> act) {
      calls.push_back({std::move(name), std::move(path), method, false, false, "",
                       [act](const ClientOptions& base) -> Caller {
                         auto connection = aftersales::make_connection(base);
                         return [connection, act] { return act(*connection); };
                       }});
    };
    aftersales_write("After-service update (PUT)", order, HttpMethod::Put,
                     [](aftersales::Connection& c) {
                       aftersales::OrderUpdate update;
                       update.remark = "补充说明";
                       return error_of(c.update_order(1, update));
                     });
    aftersales_write("After-service done step (PUT)", order, HttpMethod::Put,
                     [](aftersales::Connection& c) { return error_of(c.done_order(1, "", "x")); });
    aftersales_write("After-service delete (DELETE)", order, HttpMethod::Delete,
                     [](aftersales::Connection& c) { return error_of(c.delete_order(1)); });
    aftersales_write(
        "After-service add abnormal products (POST)", order + "/abnormal-products",
        HttpMethod::Post, [](aftersales::Connection& c) {
          return error_of(c.add_abnormal_products(1, {{std::nullopt, "SKU-1", "划痕", {}}}));
        });
    aftersales_write("After-service duty report (PUT)", order + "/duty-report", HttpMethod::Put,
                     [](aftersales::Connection& c) {
                       aftersales::DutyReport report;
                       report.abnormal_type = "包装";
                       return error_of(c.update_duty_report(1, report));
                     });
    calls.push_back({"CTC generic call (POST)", "/doscall/oa/api/workorder_remark/",
                     HttpMethod::Post, false, true, "", [s](const ClientOptions& base) -> Caller {
                       ctc::Options options;
                       static_cast<ClientOptions&>(options) = base;
                       options.key = make_static_token(s.ctc_key);
                       auto client = std::make_shared<ctc::Client>(options);
                       return [client] {
                         return error_of(client->call("/doscall/oa/api/workorder_remark/",
                                                      R"({"number":"WX1","remark":"x"})"));
                       };
                     }});
    calls.push_back(
        {"Kingdee generic call (POST)", "/app/mxoc_0001_mxoc_pq/other_module", HttpMethod::Post,
         false, true, "", [s, base_url](const ClientOptions& base) -> Caller {
           kingdee::Options options;
           static_cast<ClientOptions&>(options) = base;
           options.token = make_static_token("kd-static-token-1");
           options.group_name = "erp-group";
           options.account_id = "1406720347851475968";
           options.router_addr = "gw-router-1";
           auto client = std::make_shared<kingdee::Client>(options);
           return [client] {
             return error_of(client->call("/app/mxoc_0001_mxoc_pq/other_module", R"({"a":1})"));
           };
         }});
    return calls;
  }
};

}  // namespace erpbridge::test_support
