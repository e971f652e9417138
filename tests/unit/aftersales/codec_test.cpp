#include <catch2/catch.hpp>

#include "aftersales/codec.hpp"

using erpbridge::ErrorCode;
using erpbridge::HttpResponse;
using erpbridge::json::decode;
using erpbridge::json::encode;
using namespace erpbridge::aftersales;

namespace {
HttpResponse response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}
}  // namespace

TEST_CASE("After-service: an order decodes with every spelling the spec uses") {
  const char* body = R"({"status":0,"message":"ok","data":[{
    "id":7,"serial_number":"AS202303020001","charge_number":"KK001","type":"质量异常",
    "customer_name":"供应商A","status":"waitting","workflow_status":"in_progress",
    "summitted_at":"2023-03-02 10:00:00","created_at":"2023-03-01 09:00:00","updated_at":"",
    "accuser_name":"供应商B","creator_name":"张三","saler":"李四","remark":"外箱破损","reason":"破损",
    "abnormal_products":[{"id":1,"skuCode":"SKU-1","remark":"划痕"}],
    "duty_report":{"abnormal_type":"包装","abnormal_reason":"运输","publishment":"罚款",
      "publish_to":"物流","compensation":"120.50","duty_to_id":"9","duty_to":"物流公司","DutyDate":"2023-03-05"},
    "tracks":[{"remark":"已联系"}],
    "deductions":[{"compensation":"120.50","has_receipt":true,"remark":"扣款"}]}]})";
  auto envelope = wire::decode<Order>(response(200, body), {"list", false});
  REQUIRE(envelope.ok());
  REQUIRE(envelope->data.size() == 1);
  const Order& order = envelope->data[0];
  CHECK(order.id == 7);
  CHECK(order.serial_number == "AS202303020001");
  CHECK(order.status == Status::Waiting);
  CHECK(order.workflow_status == WorkflowStatus::InProgress);
  CHECK(order.submitted_at->to_string() == "2023-03-02 10:00:00");
  CHECK(order.created_at->to_string() == "2023-03-01 09:00:00");
  CHECK_FALSE(order.updated_at.has_value());
  CHECK(order.saler == "李四");
  REQUIRE(order.abnormal_products.size() == 1);
  CHECK(order.abnormal_products[0].sku_code == "SKU-1");
  REQUIRE(order.duty_report.has_value());
  CHECK(order.duty_report->compensation->to_string() == "120.50");
  CHECK(order.duty_report->duty_date == "2023-03-05");
  CHECK(order.duty_report->duty_to_id == "9");
  CHECK(order.tracks[0].remark == "已联系");
  CHECK(order.deductions[0].has_receipt == true);
  CHECK(order.deductions[0].compensation->to_string() == "120.50");

  for (const char* key : {"submit_at", "submitted_at"}) {
    std::string variant =
        std::string(R"({"status":0,"data":[{"id":1,")") + key + R"(":"2023-03-02 10:00:00"}]})";
    auto decoded = wire::decode<Order>(response(200, variant), {"list", false});
    REQUIRE(decoded.ok());
    CHECK(decoded->data[0].submitted_at->to_string() == "2023-03-02 10:00:00");
  }
  auto snake = decode<DutyReport>(R"({"duty_date":"2023-03-06"})");
  CHECK(snake->duty_date == "2023-03-06");
}

TEST_CASE("After-service: data may be one object or a list, total is read when sent") {
  auto single =
      wire::decode<Order>(response(200, R"({"status":0,"data":{"id":3}})"), {"get", false});
  REQUIRE(single.ok());
  REQUIRE(single->data.size() == 1);
  CHECK(single->data[0].id == 3);
  auto paged =
      wire::decode<Order>(response(200, R"({"status":"0","data":[],"total":250})"), {"l", false});
  CHECK(paged->total == std::optional<std::int64_t>(250));
}

TEST_CASE("After-service: status != 0 maps to errors with the server's message") {
  auto not_found = wire::decode<Order>(
      response(404, R"({"status":404,"message":"order 9 not found","data":[]})"),
      {"get order 9", false});
  CHECK(not_found.error().code == ErrorCode::NotFound);
  CHECK(not_found.error().vendor_message == "order 9 not found");
  CHECK(not_found.error().message == "get order 9 failed: status 404 order 9 not found");
  auto refused = wire::decode<Order>(
      response(409, R"({"status":409,"message":"bad step","data":null})"), {"x", false});
  CHECK(refused.error().code == ErrorCode::FailedPrecondition);
  auto invalid = wire::decode<Order>(
      response(400, R"({"status":400,"message":"type is required"})"), {"x", false});
  CHECK(invalid.error().code == ErrorCode::InvalidArgument);
  auto other = wire::decode<Order>(
      response(200, R"({"status":5,"message":"数据库错误","data":"x"})"), {"x", false});
  CHECK(other.error().code == ErrorCode::Api);
  CHECK(other.error().vendor_code == "5");
  auto gateway = wire::decode<Order>(response(502, "<html>bad gateway</html>"), {"x", false});
  CHECK(gateway.error().code == ErrorCode::Http);
  CHECK(gateway.error().retryable);
  // Only status decides: an id that is not a number leaves Order::id at 0 with a note.
  auto wrong =
      wire::decode<Order>(response(200, R"({"status":0,"data":[{"id":"abc"}]})"), {"list", false});
  REQUIRE(wrong.ok());
  CHECK(wrong->data[0].id == 0);
  REQUIRE(wrong.notes().size() == 1);
  CHECK(wrong.notes()[0].path == "data[0].id");
  CHECK(wrong.notes()[0].raw == R"("abc")");
}

TEST_CASE("After-service: status decides when present, a 2xx without one is a success") {
  // The document's list example has no status at all.
  auto list =
      wire::decode<Order>(response(200, R"({"data":[{"id":1},{"id":2}]})"), {"list", false});
  REQUIRE(list.ok());
  CHECK(list->data.size() == 2);
  // A write answered 2xx: with data and no status, with the resource itself, with a bare
  // list, with 204 and no body -- all successes (the HTTP status says so; nothing decides
  // otherwise).
  auto write = wire::decode<Order>(response(200, R"({"data":[{"id":1}]})"), {"create", true});
  REQUIRE(write.ok());
  REQUIRE(write->data.size() == 1);
  CHECK(write->data[0].id == 1);
  auto resource = wire::decode<Order>(
      response(201, R"({"id":42,"type":"质量异常","status":"waitting"})"), {"create", true});
  REQUIRE(resource.ok());
  REQUIRE(resource->data.size() == 1);
  CHECK(resource->data[0].id == 42);
  CHECK(resource->data[0].status == Status::Waiting);
  auto bare_list = wire::decode<AbnormalProduct>(
      response(200, R"([{"id":1,"skuCode":"A"},{"id":2,"skuCode":"B"}])"), {"add", true});
  REQUIRE(bare_list.ok());
  CHECK(bare_list->data.size() == 2);
  auto no_content = wire::decode<erpbridge::RawJson>(response(204, ""), {"delete", true});
  REQUIRE(no_content.ok());
  CHECK(no_content->data.empty());
  auto empty_200 = wire::decode<Order>(response(200, " \r\n"), {"update", true});
  REQUIRE(empty_200.ok());
  // A read with an empty body is unreadable: there must be something to list.
  CHECK_FALSE(wire::decode<Order>(response(200, ""), {"list", false}).ok());
  // A status that says failure is one, 2xx or not.
  auto refused = wire::decode<Order>(response(200, R"({"status":409,"message":"状态不允许"})"),
                                     {"submit", true});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::FailedPrecondition);
  CHECK(refused.error().vendor_message == "状态不允许");
  auto garbled =
      wire::decode<Order>(response(200, R"({"status":{"ok":1},"data":[]})"), {"create", true});
  REQUIRE_FALSE(garbled.ok());
  CHECK(garbled.error().outcome_unknown);
  auto html = wire::decode<Order>(response(200, "<html>ok</html>"), {"create", true});
  CHECK(html.error().outcome_unknown);
  // A read is safe to repeat: no outcome to worry about.
  CHECK_FALSE(
      wire::decode<Order>(response(200, "<html>"), {"list", false}).error().outcome_unknown);
  // The document's own envelope, data: [] on a write, is a success.
  auto empty = wire::decode<Order>(response(200, R"({"status":0,"message":"ok","data":[]})"),
                                   {"create", true});
  REQUIRE(empty.ok());
  CHECK(empty->data.empty());
}

TEST_CASE("After-service: each request encodes to the exact JSON expected") {
  CHECK(
      encode(NewOrder{"质量异常", "供应商A", "供应商B", "张三", "破损", "外箱破损"}) ==
      R"({"type":"质量异常","customer_name":"供应商A","accuser_name":"供应商B","creator_name":"张三","reason":"破损","remark":"外箱破损"})");
  OrderUpdate update;
  update.saler = "李四";
  update.remark = "补充说明";
  CHECK(encode(update) == R"({"saler":"李四","remark":"补充说明"})");
  CHECK(encode(OrderUpdate{}) == "{}");
  CHECK(encode(wire::WorkflowAction{"done", "提交审核", "张三"}) ==
        R"({"operation":"done","remark":"提交审核","operator_name":"张三"})");
  // 填那些内容更新那些内容: what the caller did not give is not sent.
  CHECK(encode(wire::WorkflowAction{"done", wire::if_set(""), wire::if_set("")}) ==
        R"({"operation":"done"})");
  CHECK(encode(wire::WorkflowAction{"reject", wire::if_set(""), wire::if_set("李四")}) ==
        R"({"operation":"reject","operator_name":"李四"})");
  DutyReport only_publishment;
  only_publishment.publishment = "警告";
  CHECK(wire::encode_duty_report(only_publishment) == R"({"publishment":"警告"})");
  CHECK(wire::encode_abnormal_product({std::nullopt, "", "两处划痕", {}}) ==
        R"({"remark":"两处划痕"})");
  CHECK(wire::encode_abnormal_product({7, "SKU-9", "", {}}) == R"({"skuCode":"SKU-9"})");
  std::vector<AbnormalProduct> products = {{std::nullopt, "SKU-1", "划痕", {}},
                                           {std::nullopt, "SKU-2", "缺件", {}}};
  CHECK(encode(products) ==
        R"([{"skuCode":"SKU-1","remark":"划痕"},{"skuCode":"SKU-2","remark":"缺件"}])");
  DutyReport report{
      "包装", "运输",     "罚款",      "物流", erpbridge::Decimal::parse("120.50").value(),
      "",     "物流公司", "2023-03-05"};
  CHECK(
      wire::encode_duty_report(report) ==
      R"({"abnormal_type":"包装","abnormal_reason":"运输","publishment":"罚款","publish_to":"物流","compensation":"120.50","duty_to":"物流公司","DutyDate":"2023-03-05"})");
}
