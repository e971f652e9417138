#include "erpbridge/aftersales/types.hpp"

namespace erpbridge::aftersales {

const char* to_string(Status status) noexcept {
  switch (status) {
    case Status::Created:
      return "created";
    case Status::Waiting:
      return "waitting";
    case Status::ServiceApproving:
      return "service_approving";
    case Status::ServiceApproved:
      return "service_approved";
    case Status::ManagerReviewing:
      return "manager_reviewing";
    case Status::ManagerReviewed:
      return "manager_reviewed";
    case Status::ChiefReviewing:
      return "chief_reviewing";
    case Status::ChiefReviewed:
      return "chief_reviewed";
    case Status::FinanceReviewing:
      return "finance_reviewing";
    case Status::End:
      return "end";
    case Status::Unknown:
      return "unknown";
  }
  return "unknown";
}

const char* to_string(WorkflowStatus status) noexcept {
  switch (status) {
    case WorkflowStatus::Halt:
      return "halt";
    case WorkflowStatus::InProgress:
      return "in_progress";
    case WorkflowStatus::Done:
      return "done";
    case WorkflowStatus::Cancel:
      return "cancel";
    case WorkflowStatus::Overdue:
      return "overdue";
    case WorkflowStatus::Unknown:
      return "unknown";
  }
  return "unknown";
}

const char* to_string(Operation operation) noexcept {
  return operation == Operation::Done ? "done" : "reject";
}

const char* path_segment(Rank rank) noexcept {
  switch (rank) {
    case Rank::AbnormalType:
      return "typerank";
    case Rank::Reason:
      return "reasonrank";
    case Rank::DutyParty:
      return "dutyrank";
    case Rank::Compensation:
      return "compensationrank";
    case Rank::Publishment:
      return "publishmentrank";
  }
  return "typerank";
}

Result<Status> next_status(Status status, Operation operation) {
  // The ten statuses in workflow order; Unknown is outside the workflow.
  static constexpr Status kOrder[] = {Status::Created,          Status::Waiting,
                                      Status::ServiceApproving, Status::ServiceApproved,
                                      Status::ManagerReviewing, Status::ManagerReviewed,
                                      Status::ChiefReviewing,   Status::ChiefReviewed,
                                      Status::FinanceReviewing, Status::End};
  constexpr int kCount = static_cast<int>(sizeof kOrder / sizeof kOrder[0]);
  int position = -1;
  for (int i = 0; i < kCount; ++i) {
    if (kOrder[i] == status) position = i;
  }
  auto refuse = [&](const char* why) {
    return make_error(ErrorCode::FailedPrecondition, std::string("cannot ") + to_string(operation) +
                                                         " an order in status " +
                                                         to_string(status) + ": " + why);
  };
  if (position < 0) return refuse("the status is not part of the workflow");
  if (status == Status::End) return refuse("the workflow has ended");
  if (operation == Operation::Done) return kOrder[position + 1];
  if (status == Status::Waiting)
    return refuse("an order waiting for submission cannot be rejected");
  if (status == Status::Created) return refuse("there is no earlier status");
  return kOrder[position - 1];
}

Result<void> validate(const NewOrder& order) {
  std::string missing;
  auto require = [&](const char* name, const std::string& value) {
    if (value.empty()) missing += missing.empty() ? name : std::string(", ") + name;
  };
  require("type", order.type);
  require("customer_name", order.customer_name);
  require("accuser_name", order.accuser_name);
  require("creator_name", order.creator_name);
  require("reason", order.reason);
  require("remark", order.remark);
  if (missing.empty()) return ok();
  return make_error(ErrorCode::InvalidArgument, "new order: required field(s) missing: " + missing);
}

}  // namespace erpbridge::aftersales
