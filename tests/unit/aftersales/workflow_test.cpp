#include <catch2/catch.hpp>

#include "aftersales/codec.hpp"
#include "erpbridge/aftersales/types.hpp"

using erpbridge::ErrorCode;
using erpbridge::Result;
using namespace erpbridge::aftersales;

TEST_CASE("next_status: every (status, operation) pair") {
  struct Case {
    Status from;
    Status after_done;    // Unknown: refused
    Status after_reject;  // Unknown: refused
  };
  const Case cases[] = {
      {Status::Created, Status::Waiting, Status::Unknown},
      {Status::Waiting, Status::ServiceApproving, Status::Unknown},
      {Status::ServiceApproving, Status::ServiceApproved, Status::Waiting},
      {Status::ServiceApproved, Status::ManagerReviewing, Status::ServiceApproving},
      {Status::ManagerReviewing, Status::ManagerReviewed, Status::ServiceApproved},
      {Status::ManagerReviewed, Status::ChiefReviewing, Status::ManagerReviewing},
      {Status::ChiefReviewing, Status::ChiefReviewed, Status::ManagerReviewed},
      {Status::ChiefReviewed, Status::FinanceReviewing, Status::ChiefReviewing},
      {Status::FinanceReviewing, Status::End, Status::ChiefReviewed},
      {Status::End, Status::Unknown, Status::Unknown},
      {Status::Unknown, Status::Unknown, Status::Unknown},
  };
  for (const Case& c : cases) {
    INFO(to_string(c.from));
    for (auto [operation, expected] :
         {std::pair{Operation::Done, c.after_done}, std::pair{Operation::Reject, c.after_reject}}) {
      INFO(to_string(operation));
      Result<Status> next = next_status(c.from, operation);
      if (expected == Status::Unknown) {
        REQUIRE_FALSE(next.ok());
        CHECK(next.error().code == ErrorCode::FailedPrecondition);
        CHECK(next.error().message.find(to_string(c.from)) != std::string::npos);
        CHECK(next.error().message.find(to_string(operation)) != std::string::npos);
      } else {
        REQUIRE(next.ok());
        CHECK(*next == expected);
      }
    }
  }
}

TEST_CASE("Both spellings decode as Waiting, the rules' spelling waitting is the default") {
  auto spelled = erpbridge::Labeled<Status>::from_label("waitting");
  CHECK(spelled == Status::Waiting);
  CHECK(spelled.label() == "waitting");
  auto listed = erpbridge::Labeled<Status>::from_label("waiting");
  CHECK(listed == Status::Waiting);
  CHECK(listed.label() == "waiting");  // kept as it arrived
  // "status == 'waitting'", "'waitting' -> 'service_approving'": the rules and examples.
  CHECK(erpbridge::Labeled<Status>(Status::Waiting).label() == "waitting");
  CHECK(std::string(to_string(Status::Waiting)) == "waitting");
}

TEST_CASE("A new order needs all six fields, each missing one named") {
  NewOrder order{"质量异常", "供应商A", "供应商B", "张三", "破损", "外箱破损"};
  CHECK(validate(order).ok());
  NewOrder empty;
  auto result = validate(empty);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::InvalidArgument);
  CHECK(result.error().message ==
        "new order: required field(s) missing: type, customer_name, accuser_name, creator_name, "
        "reason, remark");
  order.reason.clear();
  CHECK(validate(order).error().message == "new order: required field(s) missing: reason");
}

TEST_CASE("Every status and workflow status the document lists decodes from literal JSON") {
  // 订单状态描述: status = [...], workflow_status = [...], as the document lists them (and the
  // rules' spelling waitting), each in an order as a server sends it.
  const std::pair<const char*, Status> statuses[] = {
      {"created", Status::Created},
      {"waiting", Status::Waiting},
      {"waitting", Status::Waiting},
      {"service_approving", Status::ServiceApproving},
      {"service_approved", Status::ServiceApproved},
      {"manager_reviewing", Status::ManagerReviewing},
      {"manager_reviewed", Status::ManagerReviewed},
      {"chief_reviewing", Status::ChiefReviewing},
      {"chief_reviewed", Status::ChiefReviewed},
      {"finance_reviewing", Status::FinanceReviewing},
      {"end", Status::End}};
  const std::pair<const char*, WorkflowStatus> workflows[] = {
      {"halt", WorkflowStatus::Halt},
      {"in_progress", WorkflowStatus::InProgress},
      {"done", WorkflowStatus::Done},
      {"cancel", WorkflowStatus::Cancel},
      {"overdue", WorkflowStatus::Overdue}};
  for (const auto& [status, expected] : statuses) {
    for (const auto& [workflow, expected_workflow] : workflows) {
      const std::string body = std::string(R"({"id":7,"status":")") + status +
                               R"(","workflow_status":")" + workflow + R"("})";
      INFO(body);
      auto order = erpbridge::json::decode<Order>(body);
      REQUIRE(order.ok());
      CHECK(order->status == expected);
      CHECK(order->status.label() == status);  // kept as sent
      CHECK(order->workflow_status == expected_workflow);
      CHECK(order->workflow_status.label() == workflow);
    }
  }
  auto unknown = erpbridge::json::decode<Order>(R"({"status":"archived"})");
  REQUIRE(unknown.ok());
  CHECK_FALSE(unknown->status.known());
  CHECK(unknown->status.label() == "archived");
}
