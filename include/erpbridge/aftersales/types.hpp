// After-service orders (售后流程接口): orders with an approval workflow, journals, abnormal
// products, duty reports and rank statistics. Base path /api/v1/afterservice.
#pragma once

#include "erpbridge/aftersales/export.hpp"
#include "erpbridge/version.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "erpbridge/core/datetime.hpp"
#include "erpbridge/core/decimal.hpp"
#include "erpbridge/core/labeled.hpp"
#include "erpbridge/core/options.hpp"
#include "erpbridge/core/raw_json.hpp"

namespace erpbridge::aftersales {

/// 售后服务订单状态 (status), in workflow order.
enum class Status {
  Unknown,
  Created,           ///< created: 已创建
  Waiting,           ///< waitting (the rules' spelling; the list's is waiting): 等待提交
  ServiceApproving,  ///< service_approving: 等待售后专员审核
  ServiceApproved,   ///< service_approved: 售后专员已审核
  ManagerReviewing,  ///< manager_reviewing: 等待负责人审批
  ManagerReviewed,   ///< manager_reviewed: 负责人已审批
  ChiefReviewing,    ///< chief_reviewing: (小碗)等待主管审批
  ChiefReviewed,     ///< chief_reviewed: 主管已审批
  FinanceReviewing,  ///< finance_reviewing: 等待财务审批
  End,               ///< end: 财务已审批(结束)
};

/// 主流程状态 (workflow_status).
enum class WorkflowStatus {
  Unknown,
  Halt,        ///< halt: 暂停
  InProgress,  ///< in_progress: 进行中
  Done,        ///< done: 已完成
  Cancel,      ///< cancel: 已取消
  Overdue,     ///< overdue: 已过期(超时)
};

/// 操作行为: done moves to the next status, reject to the previous one.
enum class Operation { Done, Reject };

ERPBRIDGE_AFTERSALES_EXPORT const char* to_string(Status status) noexcept;
ERPBRIDGE_AFTERSALES_EXPORT const char* to_string(WorkflowStatus status) noexcept;
ERPBRIDGE_AFTERSALES_EXPORT const char* to_string(Operation operation) noexcept;

}  // namespace erpbridge::aftersales

namespace erpbridge {

/// The vendor labels of aftersales::Status.
template <>
struct LabelTraits<aftersales::Status> {
  static constexpr aftersales::Status unknown =
      aftersales::Status::Unknown;  ///< For labels not listed.
  /// Canonical label first; later entries for a value are accepted spellings.
  static constexpr LabelEntry<aftersales::Status> entries[] = {
      {aftersales::Status::Created, "created"},
      // The document's rules and examples spell it waitting (status == "waitting",
      // 'waitting' -> 'service_approving'); its list of statuses spells it waiting.
      {aftersales::Status::Waiting, "waitting"},
      {aftersales::Status::Waiting, "waiting"},
      {aftersales::Status::ServiceApproving, "service_approving"},
      {aftersales::Status::ServiceApproved, "service_approved"},
      {aftersales::Status::ManagerReviewing, "manager_reviewing"},
      {aftersales::Status::ManagerReviewed, "manager_reviewed"},
      {aftersales::Status::ChiefReviewing, "chief_reviewing"},
      {aftersales::Status::ChiefReviewed, "chief_reviewed"},
      {aftersales::Status::FinanceReviewing, "finance_reviewing"},
      {aftersales::Status::End, "end"},
  };
};

/// The vendor labels of aftersales::WorkflowStatus.
template <>
struct LabelTraits<aftersales::WorkflowStatus> {
  static constexpr aftersales::WorkflowStatus unknown =
      aftersales::WorkflowStatus::Unknown;  ///< For labels not listed.
  /// Canonical label first; later entries for a value are accepted spellings.
  static constexpr LabelEntry<aftersales::WorkflowStatus> entries[] = {
      {aftersales::WorkflowStatus::Halt, "halt"},
      {aftersales::WorkflowStatus::InProgress, "in_progress"},
      {aftersales::WorkflowStatus::Done, "done"},
      {aftersales::WorkflowStatus::Cancel, "cancel"},
      {aftersales::WorkflowStatus::Overdue, "overdue"},
  };
};

}  // namespace erpbridge

namespace erpbridge::aftersales {

/// The status `operation` leads to from `status`, or FailedPrecondition naming both: done
/// moves forward (done at waiting is the submission; done at finance_reviewing reaches end),
/// reject moves back one step (not possible at waiting, created or end).
ERPBRIDGE_AFTERSALES_EXPORT Result<Status> next_status(Status status, Operation operation);

/// 异常产品.
struct ERPBRIDGE_AFTERSALES_EXPORT AbnormalProduct {
  std::optional<std::int64_t> id;  ///< Set by the server.
  std::string sku_code;            ///< skuCode: 物料编号
  std::string remark;              ///< 异常描述
  JsonExtras extras{};             ///< Keys the document does not name, verbatim.
};

/// 责任报告.
struct ERPBRIDGE_AFTERSALES_EXPORT DutyReport {
  std::string abnormal_type;            ///< 异常类型
  std::string abnormal_reason;          ///< 责任原因
  std::string publishment;              ///< 违约处罚
  std::string publish_to;               ///< 责任产生方
  std::optional<Decimal> compensation;  ///< 扣款金额, exact
  std::string duty_to_id;               ///< 责任单位id (set by the server)
  std::string duty_to;                  ///< 责任单位
  std::string duty_date;                ///< 责任判定时间 (DutyDate / duty_date)
  JsonExtras extras{};                  ///< Keys the document does not name, verbatim.
};

/// 售后跟踪.
struct ERPBRIDGE_AFTERSALES_EXPORT Track {
  std::optional<std::int64_t> id;  ///< Set by the server.
  std::string remark;              ///< 跟踪记录
  JsonExtras extras{};             ///< Keys the document does not name, verbatim.
};

/// 扣款单.
struct ERPBRIDGE_AFTERSALES_EXPORT Deduction {
  std::optional<std::int64_t> id;       ///< Set by the server.
  std::optional<Decimal> compensation;  ///< 处罚金额
  /// 是否开票: true/false, 0/1, "0"/"1", "true"/"false" and "是"/"否" are all read.
  std::optional<bool> has_receipt;
  std::string remark;   ///< 扣款单明细备注
  JsonExtras extras{};  ///< Keys the document does not name, verbatim.
};

/// 售后单. Times are Timestamps: the document gives no format, so "2023-03-06 15:06:04",
/// "2023-03-06T15:06:04.5+08:00" and "2023-03-06" are all read and written back as sent.
struct ERPBRIDGE_AFTERSALES_EXPORT Order {
  /// The server's id (used in paths); 0 when a reply did not carry a readable one (a decode
  /// note then says what arrived).
  std::int64_t id = 0;
  std::string serial_number;                       ///< 订单序列号
  std::string charge_number;                       ///< 扣款单序列号
  std::string type;                                ///< 订单类型
  std::string customer_name;                       ///< 顾客名称(被告)
  Labeled<Status> status;                          ///< 状态
  Labeled<WorkflowStatus> workflow_status;         ///< 流程状态
  std::optional<Timestamp> submitted_at;           ///< summitted_at / submit_at / submitted_at
  std::optional<Timestamp> created_at;             ///< 创建于
  std::optional<Timestamp> updated_at;             ///< 更新于
  std::string accuser_name;                        ///< 原告供应商
  std::string creator_name;                        ///< 创建人
  std::string saler;                               ///< 售后专员
  std::string remark;                              ///< 异常描述
  std::string reason;                              ///< 原因
  std::vector<AbnormalProduct> abnormal_products;  ///< 异常产品
  std::optional<DutyReport> duty_report;           ///< 责任报告
  std::vector<Track> tracks;                       ///< 售后跟踪
  std::vector<Deduction> deductions;               ///< 扣款单
  JsonExtras extras{};                             ///< Keys the document does not name.
};

/// A new order: all six fields are required.
struct ERPBRIDGE_AFTERSALES_EXPORT NewOrder {
  std::string type;           ///< 售后单订单类型
  std::string customer_name;  ///< 被告供应商名称
  std::string accuser_name;   ///< 原告供应商名称编号
  std::string creator_name;   ///< 创建人
  std::string reason;         ///< 异常原因
  std::string remark;         ///< 异常描述
};

/// InvalidArgument naming every missing field of a NewOrder, or success.
ERPBRIDGE_AFTERSALES_EXPORT Result<void> validate(const NewOrder& order);

/// A field update: only the fields that are set are sent.
struct ERPBRIDGE_AFTERSALES_EXPORT OrderUpdate {
  ///@{
  /// The new value of the Order field of the same name, if set.
  std::optional<std::string> type;
  std::optional<std::string> customer_name;
  std::optional<std::string> accuser_name;
  std::optional<std::string> creator_name;
  std::optional<std::string> saler;
  std::optional<std::string> remark;
  std::optional<std::string> reason;
  std::optional<std::string> charge_number;
  ///@}
};

/// Query of the order list; unset filters are not sent.
struct ERPBRIDGE_AFTERSALES_EXPORT ListFilter {
  /// Only orders in this status, sent with the label it carries: `Status::Waiting` sends the
  /// document rules' spelling `waitting`; `Labeled<Status>::from_label("waiting")` sends
  /// `waiting`.
  std::optional<Labeled<Status>> status;
  /// Only orders in this workflow status, sent with the label it carries.
  std::optional<Labeled<WorkflowStatus>> workflow_status;
  std::optional<std::string> creator_name;  ///< Only orders this person created.
  int page = 1;                             ///< The first page to read (from 1).
  int per_page = 20;                        ///< Orders per page.
};

/// Paging of the other lists.
struct ERPBRIDGE_AFTERSALES_EXPORT PageRequest {
  int page = 1;       ///< Page number, from 1.
  int per_page = 20;  ///< Items per page.
};

/// 订单流程的变更记录: one status change or edit of an order.
struct ERPBRIDGE_AFTERSALES_EXPORT Journal {
  std::optional<std::int64_t> id;       ///< Set by the server.
  std::int64_t order_id = 0;            ///< The order it belongs to.
  std::string operator_name;            ///< Who made the change.
  std::string operation;                ///< "create", "done", "reject", "update", ...
  std::string from_status;              ///< status before ("" at creation)
  std::string to_status;                ///< status after
  std::string remark;                   ///< The remark given with the change.
  std::optional<Timestamp> created_at;  ///< When it happened.
  JsonExtras extras{};                  ///< Keys the document does not name, verbatim.
};

/// 产品信息.
struct ERPBRIDGE_AFTERSALES_EXPORT Product {
  std::optional<std::int64_t> id;  ///< The server's id.
  std::string sku_code;            ///< skuCode
  std::string name;                ///< 产品名称
  JsonExtras extras;               ///< Every other key, verbatim.
};

/// 供应商与售后专员的关联.
struct ERPBRIDGE_AFTERSALES_EXPORT SupplierUserMatch {
  std::optional<std::int64_t> id;  ///< The server's id.
  std::string supplier_name;       ///< 供应商
  std::string user_name;           ///< the after-sales specialist (saler)
  JsonExtras extras;               ///< Every other key, verbatim.
};

/// One row of a rank statistic: a name with how often it occurs, and for the compensation
/// rank the summed amount.
struct ERPBRIDGE_AFTERSALES_EXPORT RankEntry {
  std::string name;              ///< The type, reason, party or publishment.
  std::int64_t count = 0;        ///< Duty reports naming it.
  std::optional<Decimal> total;  ///< Summed compensation (compensation rank only).
  JsonExtras extras{};           ///< Keys the document does not name, verbatim.
};

/// The five rank statistics of duty reports.
enum class Rank {
  AbnormalType,  ///< typerank: 异常类型
  Reason,        ///< reasonrank: 异常原因
  DutyParty,     ///< dutyrank: 责任方
  Compensation,  ///< compensationrank: 扣款金额
  Publishment,   ///< publishmentrank: 违约处罚
};

/// "typerank", "reasonrank", ...
ERPBRIDGE_AFTERSALES_EXPORT const char* path_segment(Rank rank) noexcept;

/// Settings for the after-service client.
struct ERPBRIDGE_AFTERSALES_EXPORT Options : ClientOptions {
  Options() = default;
  /// The common settings alone (the after-service API needs nothing more).
  Options(const ClientOptions& common) : ClientOptions(common) {}  // NOLINT implicit
};

}  // namespace erpbridge::aftersales
