#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "erpbridge/aftersales/client.hpp"
#include "erpbridge/testing/aftersales_emulator.hpp"
#include "erpbridge/testing/emulator_server.hpp"
#include "erpbridge/testing/mock_transport.hpp"
#include "support/files.hpp"
#include "support/subprocess.hpp"

using erpbridge::Decimal;
using erpbridge::ErrorCode;
using erpbridge::HttpMethod;
using erpbridge::Result;
using erpbridge::testing::AftersalesEmulator;
using erpbridge::testing::Emulator;
using erpbridge::testing::EmulatorServer;
using erpbridge::testing::Fault;
using namespace erpbridge::aftersales;

namespace {

struct Service {
  std::shared_ptr<Emulator> emulator = std::make_shared<Emulator>();
  AftersalesEmulator aftersales;
  std::unique_ptr<EmulatorServer> server;
  std::unique_ptr<Client> client;

  Service() {
    aftersales.install(*emulator);
    server = EmulatorServer::start(emulator).value();
    Options options;
    options.base_url = server->base_url();
    options.retry.initial_backoff = std::chrono::milliseconds(5);
    client = std::make_unique<Client>(options);
  }
};

NewOrder new_order(const std::string& creator = "张三", const std::string& suffix = "") {
  return NewOrder{"质量异常", "供应商A" + suffix, "供应商B", creator, "破损", "外箱破损"};
}

template <typename T>
std::vector<T> collect(erpbridge::PaginatedRange<T> range) {
  std::vector<T> out;
  for (const Result<T>& item : range) {
    REQUIRE(item.ok());
    out.push_back(*item);
  }
  return out;
}

}  // namespace

TEST_CASE("After-service over HTTP: an order walks from creation to end, journaled") {
  Service service;
  auto order = service.client->create_order(new_order());
  REQUIRE(order.ok());
  CHECK(order->status == Status::Waiting);
  CHECK(order->workflow_status == WorkflowStatus::InProgress);
  CHECK(order->serial_number.rfind("AS", 0) == 0);
  CHECK_FALSE(order->submitted_at.has_value());

  auto current = service.client->submit_order(*order, "提交审核", "张三");
  REQUIRE(current.ok());
  CHECK(current->status == Status::ServiceApproving);
  CHECK(current->submitted_at.has_value());
  const std::vector<Status> expected = {Status::ServiceApproved,
                                        Status::ManagerReviewing,
                                        Status::ManagerReviewed,
                                        Status::ChiefReviewing,
                                        Status::ChiefReviewed,
                                        Status::FinanceReviewing,
                                        Status::End};
  for (Status next : expected) {
    current = service.client->done_order(*current, "同意", "审批人");
    REQUIRE(current.ok());
    CHECK(current->status == next);
  }
  CHECK(current->workflow_status == WorkflowStatus::Done);

  auto journal = collect(service.client->all_journals(order->id, 4));
  REQUIRE(journal.size() == 9);
  CHECK(journal[0].operation == "create");
  CHECK(journal[0].to_status == "waitting");
  CHECK(journal[1].from_status == "waitting");
  CHECK(journal[1].to_status == "service_approving");
  CHECK(journal[1].remark == "提交审核");
  CHECK(journal[1].operator_name == "张三");
  CHECK(journal[8].from_status == "finance_reviewing");
  CHECK(journal[8].to_status == "end");

  auto after_end = service.client->done_order(*current, "", "x");
  CHECK(after_end.error().code == ErrorCode::FailedPrecondition);
}

TEST_CASE("After-service over HTTP: reject from manager_reviewing goes back one step") {
  Service service;
  auto order = service.client->create_order(new_order());
  auto current = service.client->submit_order(*order, "", "张三");
  current = service.client->done_order(*current, "", "a");
  current = service.client->done_order(*current, "", "b");
  REQUIRE(current->status == Status::ManagerReviewing);
  auto rejected = service.client->reject_order(*current, "材料不全", "负责人");
  REQUIRE(rejected.ok());
  CHECK(rejected->status == Status::ServiceApproved);
  CHECK(rejected->workflow_status == WorkflowStatus::InProgress);
}

TEST_CASE("After-service over HTTP: reject at waiting and delete after submit are refused") {
  Service service;
  auto order = service.client->create_order(new_order());
  REQUIRE(order.ok());
  auto rejected = service.client->reject_order(*order, "", "x");
  CHECK(rejected.error().code == ErrorCode::FailedPrecondition);
  auto submitted = service.client->submit_order(*order, "", "张三");
  REQUIRE(submitted.ok());
  const std::size_t requests = service.emulator->total_requests();
  auto local = service.client->delete_order(*submitted);
  REQUIRE_FALSE(local.ok());
  CHECK(local.error().code == ErrorCode::FailedPrecondition);
  CHECK(local.error().message.find("service_approving") != std::string::npos);
  CHECK(service.emulator->total_requests() == requests);  // refused locally

  // Sent raw, the emulator refuses it as well.
  auto transport = erpbridge::make_curl_transport(erpbridge::ClientOptions{});
  erpbridge::HttpRequest raw;
  raw.method = HttpMethod::Delete;
  raw.url = service.server->base_url() + "/api/v1/afterservice/orders/" + std::to_string(order->id);
  auto response = transport->send(raw);
  REQUIRE(response.ok());
  CHECK(response->status == 409);
  CHECK(response->body.find("only in_progress / waiting") != std::string::npos);

  // A waiting order can be deleted; after that it is NotFound.
  auto other = service.client->create_order(new_order());
  REQUIRE(service.client->delete_order(*other).ok());
  CHECK(service.client->update_order(other->id, OrderUpdate{}).error().code == ErrorCode::NotFound);
}

TEST_CASE("After-service over HTTP: create validates the six required fields") {
  Service service;
  NewOrder missing = new_order();
  missing.accuser_name.clear();
  auto local = service.client->create_order(missing);
  CHECK(local.error().code == ErrorCode::InvalidArgument);
  CHECK(local.error().message.find("accuser_name") != std::string::npos);
  auto transport = erpbridge::make_curl_transport(erpbridge::ClientOptions{});
  erpbridge::HttpRequest raw;
  raw.method = HttpMethod::Post;
  raw.url = service.server->base_url() + "/api/v1/afterservice/orders";
  raw.body =
      R"({"type":"t","customer_name":"c","accuser_name":"a","creator_name":"z","remark":"r"})";
  auto response = transport->send(raw);
  CHECK(response->status == 400);
  CHECK(response->body.find("reason") != std::string::npos);
}

TEST_CASE("After-service over HTTP: list_all yields 250 filtered orders once each") {
  Service service;
  for (int i = 0; i < 250; ++i) {
    REQUIRE(service.client->create_order(new_order("张三", std::to_string(i))).ok());
  }
  for (int i = 0; i < 30; ++i) REQUIRE(service.client->create_order(new_order("李四")).ok());
  auto submitted = service.client->create_order(new_order("张三", "-submitted"));
  REQUIRE(service.client->submit_order(*submitted, "", "张三").ok());

  ListFilter filter;
  filter.creator_name = "张三";
  filter.status = Status::Waiting;
  filter.workflow_status = WorkflowStatus::InProgress;
  filter.per_page = 20;
  auto orders = collect(service.client->all_orders(filter));
  CHECK(orders.size() == 250);
  std::set<std::int64_t> ids;
  for (const Order& order : orders) {
    ids.insert(order.id);
    CHECK(order.creator_name == "张三");
    CHECK(order.status == Status::Waiting);
  }
  CHECK(ids.size() == 250);
  CHECK(service.emulator->request_count("/api/v1/afterservice/orders") == 280 + 1 + 13);
}

TEST_CASE("After-service over HTTP: a failing page ends the range with its error") {
  Service service;
  for (int i = 0; i < 5; ++i) REQUIRE(service.client->create_order(new_order()).ok());
  Fault broken;
  broken.status = 500;
  broken.body_contains = "";
  service.emulator->set_fault("/api/v1/afterservice/orders", broken, HttpMethod::Get);
  ListFilter filter;
  filter.per_page = 2;
  std::vector<Result<Order>> seen;
  for (const Result<Order>& order : service.client->all_orders(filter)) seen.push_back(order);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].error().http_status == 500);
  CHECK(service.emulator->request_count("/api/v1/afterservice/orders") == 5 + 3);  // retried
}

TEST_CASE("After-service over HTTP: abnormal products and the duty report round-trip") {
  Service service;
  auto order = service.client->create_order(new_order());
  REQUIRE(order.ok());
  const Client& client = *service.client;  // every endpoint through the Client
  auto added = client.add_abnormal_products(
      order->id, {{std::nullopt, "SKU-1", "划痕"}, {std::nullopt, "SKU-2", "缺件"}});
  REQUIRE(added.ok());
  REQUIRE(added->size() == 2);
  REQUIRE((*added)[0].id.has_value());
  auto single = client.add_abnormal_products(order->id, {{std::nullopt, "SKU-3", "变形"}});
  REQUIRE(single->size() == 1);

  auto updated = client.update_abnormal_product(order->id, *(*added)[1].id,
                                                {std::nullopt, "SKU-2B", "缺两件"});
  REQUIRE(updated.ok());
  CHECK(updated->sku_code == "SKU-2B");
  CHECK(updated->remark == "缺两件");
  REQUIRE(client.delete_abnormal_product(order->id, *(*added)[0].id).ok());
  CHECK(client.delete_abnormal_product(order->id, 99999).error().code == ErrorCode::NotFound);

  DutyReport report{"包装", "运输",     "罚款",      "物流", Decimal::parse("120.50").value(),
                    "",     "物流公司", "2023-03-05"};
  auto stored = client.update_duty_report(order->id, report);
  REQUIRE(stored.ok());
  CHECK(stored->compensation->to_string() == "120.50");
  CHECK(stored->duty_date == "2023-03-05");
  CHECK_FALSE(stored->duty_to_id.empty());

  ListFilter filter;
  auto listed = collect(service.client->all_orders(filter));
  REQUIRE(listed.size() == 1);
  const Order& fetched = listed[0];
  REQUIRE(fetched.abnormal_products.size() == 2);
  CHECK(fetched.abnormal_products[0].sku_code == "SKU-2B");
  CHECK(fetched.abnormal_products[1].sku_code == "SKU-3");
  REQUIRE(fetched.duty_report.has_value());
  CHECK(fetched.duty_report->abnormal_type == "包装");
  CHECK(fetched.duty_report->compensation->to_string() == "120.50");

  auto update = service.client->update_order(order->id, [] {
    OrderUpdate u;
    u.saler = "李四";
    return u;
  }());
  REQUIRE(update.ok());
  CHECK(update->saler == "李四");
  CHECK(update->remark == "外箱破损");  // untouched
}

TEST_CASE("After-service over HTTP: each rank aggregates the stored duty reports") {
  Service service;
  const Client& client = *service.client;  // every endpoint through the Client
  struct Seed {
    const char* type;
    const char* reason;
    const char* publishment;
    const char* duty_to;
    const char* compensation;
  };
  const Seed seeds[] = {{"包装", "运输", "罚款", "物流公司", "100.00"},
                        {"包装", "装卸", "罚款", "物流公司", "20.50"},
                        {"质量", "运输", "警告", "工厂", "300"},
                        {"包装", "运输", "罚款", "工厂", "0.25"}};
  for (const Seed& seed : seeds) {
    auto order = service.client->create_order(new_order());
    REQUIRE(client
                .update_duty_report(order->id, {seed.type, seed.reason, seed.publishment, "",
                                                Decimal::parse(seed.compensation).value(), "",
                                                seed.duty_to, "2023-03-05"})
                .ok());
  }
  auto counts = [&](Rank rank) {
    std::map<std::string, std::int64_t> out;
    for (const RankEntry& row : client.rank(rank).value()) out[row.name] = row.count;
    return out;
  };
  CHECK(counts(Rank::AbnormalType) ==
        std::map<std::string, std::int64_t>{{"包装", 3}, {"质量", 1}});
  CHECK(counts(Rank::Reason) == std::map<std::string, std::int64_t>{{"运输", 3}, {"装卸", 1}});
  CHECK(counts(Rank::DutyParty) ==
        std::map<std::string, std::int64_t>{{"物流公司", 2}, {"工厂", 2}});
  CHECK(counts(Rank::Publishment) == std::map<std::string, std::int64_t>{{"罚款", 3}, {"警告", 1}});
  auto money = client.rank(Rank::Compensation).value();
  REQUIRE(money.size() == 2);
  CHECK(money[0].name == "工厂");
  CHECK(money[0].total->to_string() == "300.25");
  CHECK(money[1].name == "物流公司");
  CHECK(money[1].total->to_string() == "120.50");
  CHECK(client.rank(Rank::AbnormalType)->front().name == "包装");
}

TEST_CASE("After-service over HTTP: products and supplier matches page through") {
  Service service;
  service.aftersales.seed_demo_data();
  auto products = collect(service.client->all_products(5));
  CHECK(products.size() == 24);
  CHECK(products[0].sku_code == "SKU-1000");
  auto matches = service.client->match_supplier_users("电机", PageRequest{});
  REQUIRE(matches.ok());
  REQUIRE(matches->items.size() == 1);
  CHECK(matches->items[0].user_name == "赵六");
  // One page at a time, as the list endpoints give them.
  auto second = service.client->list_products(PageRequest{2, 5});
  REQUIRE(second.ok());
  REQUIRE(second->items.size() == 5);
  CHECK(second->items[0].sku_code == "SKU-1005");
  ListFilter filter;
  filter.per_page = 3;
  auto orders = service.client->list_orders(filter);
  REQUIRE(orders.ok());
  CHECK(orders->items.size() == 3);
  auto journal = service.client->list_journals(orders->items[0].id, PageRequest{1, 1});
  REQUIRE(journal.ok());
  CHECK(journal->items.size() == 1);
}

TEST_CASE("After-service over HTTP: create is not retried, reads are") {
  Service service;
  Fault busy;
  busy.status = 503;
  busy.times = 1;
  service.emulator->set_fault("/api/v1/afterservice/orders", busy, HttpMethod::Post);
  auto created = service.client->create_order(new_order());
  CHECK(created.error().http_status == 503);
  CHECK(service.aftersales.order_count() == 0);
  CHECK(service.emulator->request_count("/api/v1/afterservice/orders") == 1);

  service.emulator->set_fault("/api/v1/afterservice/all-products", busy, HttpMethod::Get);
  CHECK(service.client->list_products(PageRequest{}).ok());
  CHECK(service.emulator->request_count("/api/v1/afterservice/all-products") == 2);
}

TEST_CASE("Example aftersales_workflow walks an order to end against erpbridge-emulator") {
  erpbridge::test_support::EmulatorProgram emulator;
  const std::string base_url = emulator.base_url;
  std::string out = erpbridge::test_support::shell_output(
      std::string(ERPBRIDGE_EXAMPLE_DIR "/aftersales_workflow ") + base_url +
      " 王审批 2>&1; echo exit=$?");
  INFO(out);
  CHECK(out.find("final status end, workflow done") != std::string::npos);
  CHECK(out.find("create - -> waitting") != std::string::npos);
  CHECK(out.find("finance_reviewing -> end") != std::string::npos);
  CHECK(out.find("exit=0") != std::string::npos);
}

TEST_CASE("After-service over HTTP: a server that caps its pages does not truncate any list") {
  Service service;
  service.aftersales.set_max_per_page(7);  // asked for 20 a page, it sends 7
  for (int i = 0; i < 30; ++i) {
    REQUIRE(service.client->create_order(new_order("分页", std::to_string(i))).ok());
  }
  ListFilter filter;
  filter.creator_name = "分页";
  filter.per_page = 20;
  // 30 orders in pages of 7: 7, 7, 7, 7, 2 -- the first page is already shorter than 20.
  CHECK(collect(service.client->all_orders(filter)).size() == 30);
  auto async = service.client->all_orders_async(filter).get();
  REQUIRE(async.ok());
  CHECK(async->size() == 30);

  // Journals and products likewise: 1 create + 20 updates = 21 entries in pages of 7; the
  // last page is full, so only an empty page ends the list.
  auto order = collect(service.client->all_orders(filter)).front();
  for (int i = 0; i < 20; ++i) {
    OrderUpdate update;
    update.saler = "专员" + std::to_string(i);
    REQUIRE(service.client->update_order(order.id, update).ok());
  }
  CHECK(collect(service.client->all_journals(order.id, 20)).size() == 21);
  auto journals = service.client->all_journals_async(order.id, 20).get();
  REQUIRE(journals.ok());
  CHECK(journals->size() == 21);
  const std::size_t seeded_products = collect(service.client->all_products(1000)).size();
  service.aftersales.set_max_per_page(0);
  CHECK(collect(service.client->all_products(1000)).size() == seeded_products);
}

TEST_CASE("After-service over HTTP: workflow steps send only the remark and operator given") {
  Service service;
  auto order = service.client->create_order(new_order());
  REQUIRE(order.ok());
  REQUIRE(order->remark == "外箱破损");
  // No remark, no operator: neither key is sent, so the order's 异常描述 is left as it is.
  auto submitted = service.client->submit_order(*order, "", "");
  REQUIRE(submitted.ok());
  CHECK(submitted->status == Status::ServiceApproving);
  CHECK(submitted->remark == "外箱破损");
  // The emulator's own reading of 填那些内容更新那些内容: a remark that is sent is set.
  auto done = service.client->done_order(*submitted, "专员已审核", "专员");
  REQUIRE(done.ok());
  CHECK(done->remark == "专员已审核");
  // Sent raw with an empty remark, the emulator blanks it: the reason the SDK never sends one.
  auto transport = erpbridge::make_curl_transport(erpbridge::ClientOptions{});
  erpbridge::HttpRequest raw;
  raw.method = HttpMethod::Put;
  raw.url = service.server->base_url() + "/api/v1/afterservice/orders/" + std::to_string(order->id);
  raw.headers = {{"Content-Type", "application/json"}};
  raw.body = R"({"operation":"reject","remark":""})";
  auto response = transport->send(raw);
  REQUIRE(response.ok());
  CHECK(response->status == 200);
  CHECK(response->body.find(R"("remark":"")") != std::string::npos);
}

TEST_CASE("After-service over HTTP: a duty-report PUT changes only the fields set") {
  Service service;
  auto order = service.client->create_order(new_order());
  REQUIRE(order.ok());
  DutyReport full;
  full.abnormal_type = "包装";
  full.abnormal_reason = "运输";
  full.publishment = "罚款";
  full.publish_to = "物流";
  full.compensation = Decimal::parse("120.50").value();
  full.duty_to = "北辰物流";
  full.duty_date = "2023-03-05";
  REQUIRE(service.client->update_duty_report(order->id, full).ok());
  DutyReport partial;
  partial.publishment = "警告";
  auto updated = service.client->update_duty_report(order->id, partial);
  REQUIRE(updated.ok());
  CHECK(updated->publishment == "警告");
  CHECK(updated->abnormal_type == "包装");
  CHECK(updated->duty_to == "北辰物流");
  CHECK(updated->duty_date == "2023-03-05");
  REQUIRE(updated->compensation.has_value());
  CHECK(updated->compensation->to_string() == "120.50");

  auto products =
      service.client->add_abnormal_products(order->id, {{std::nullopt, "SKU-1", "划痕", {}}});
  REQUIRE(products.ok());
  auto changed = service.client->update_abnormal_product(order->id, *products->at(0).id,
                                                         {std::nullopt, "", "两处划痕", {}});
  REQUIRE(changed.ok());
  CHECK(changed->sku_code == "SKU-1");  // not sent, kept
  CHECK(changed->remark == "两处划痕");
}

TEST_CASE("After-service over HTTP: the status filter sends the spelling chosen") {
  Service service;
  REQUIRE(service.client->create_order(new_order("拼写")).ok());
  ListFilter filter;
  filter.creator_name = "拼写";
  filter.status = Status::Waiting;  // the document's rules' spelling: waitting
  CHECK(collect(service.client->all_orders(filter)).size() == 1);
  filter.status = erpbridge::Labeled<Status>::from_label("waiting");  // the list's spelling
  CHECK(collect(service.client->all_orders(filter)).empty());  // the emulator stores waitting
}

TEST_CASE("After-service over HTTP: a create whose reply lacks the id, find_created finds it") {
  Service service;
  // The server creates the order (the handler runs) but answers with the resource alone,
  // no envelope and no id.
  Fault anonymous;
  anonymous.body = R"({"type":"质量异常","customer_name":"供应商A"})";
  service.emulator->set_fault("/api/v1/afterservice/orders", anonymous, HttpMethod::Post);
  auto created = service.client->create_order(new_order("寻找"));
  service.emulator->clear_faults();
  REQUIRE(created.ok());
  CHECK(created->id == 0);
  CHECK(created->creator_name == "寻找");  // filled in from what was sent
  CHECK(created->remark == "外箱破损");
  bool noted = false;
  for (const auto& note : created.notes()) noted = noted || note.path == "data.id";
  CHECK(noted);
  auto found = service.client->find_created(new_order("寻找"));
  REQUIRE(found.ok());
  CHECK(found->id > 0);
  CHECK(found->creator_name == "寻找");
  CHECK(service.client->find_created(new_order("无人")).error().code == ErrorCode::NotFound);
}
