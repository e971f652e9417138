// CTC after-sales platform: warehouse in/out receipts with part details (spec 4.2.17).
#pragma once

#include "erpbridge/ctc/export.hpp"
#include "erpbridge/version.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "erpbridge/core/datetime.hpp"
#include "erpbridge/core/decimal.hpp"
#include "erpbridge/core/labeled.hpp"
#include "erpbridge/core/options.hpp"
#include "erpbridge/core/raw_json.hpp"
#include "erpbridge/core/result.hpp"
#include "erpbridge/core/token.hpp"

namespace erpbridge::ctc {

/// Which receipts a query asks for: `type` "in" (入库) or "out" (出库).
enum class Direction { In, Out };

/// "in" or "out".
ERPBRIDGE_CTC_EXPORT const char* to_string(Direction direction) noexcept;

/// 入库类型 and 出库类型 from the spec's list of valid values.
enum class ReceiptType {
  Unknown,
  // 入库类型
  PurchaseIn,         ///< 采购入库
  RepairIn,           ///< 维修入库
  IssueIn,            ///< 发放入库
  ReturnToFactoryIn,  ///< 返厂入库
  StocktakeIn,        ///< 盘点入库
  ProductionIn,       ///< 生产入库
  LoanIn,             ///< 借调入库
  RedReversalIn,      ///< 红冲入库
  OtherIn,            ///< 其他入库
  PartsRequest,       ///< 配件申请
  PartsLossIn,        ///< 配件损耗入库
  // 出库类型
  IssueOut,            ///< 发放出库
  ReturnToFactoryOut,  ///< 返厂出库
  StocktakeOut,        ///< 盘点出库
  DamagedOut,          ///< 残损出库
  SalesOut,            ///< 销售出库
  LoanOut,             ///< 借调出库
  OutletPartsRequest,  ///< 网点配件申请
  PartsRepairOut,      ///< 配件维修出库
  PartsLossOut,        ///< 配件损耗出库
  RepairConsumption,   ///< 维修耗用出库
  WriteOffOut,         ///< 核销出库
};

/// 单据状态.
enum class ReceiptStatus {
  Unknown,
  Stocked,    ///< 已入库
  Shipped,    ///< 已出库
  Cancelled,  ///< 已撤销
  Closed,     ///< 已结单 (seen in the spec's samples)
};

}  // namespace erpbridge::ctc

namespace erpbridge {

/// The vendor labels of ctc::ReceiptType.
template <>
struct LabelTraits<ctc::ReceiptType> {
  static constexpr ctc::ReceiptType unknown =
      ctc::ReceiptType::Unknown;  ///< For labels not listed.
  /// Canonical label first; later entries for a value are accepted spellings.
  static constexpr LabelEntry<ctc::ReceiptType> entries[] = {
      {ctc::ReceiptType::PurchaseIn, "采购入库"},
      {ctc::ReceiptType::RepairIn, "维修入库"},
      {ctc::ReceiptType::IssueIn, "发放入库"},
      {ctc::ReceiptType::ReturnToFactoryIn, "返厂入库"},
      {ctc::ReceiptType::StocktakeIn, "盘点入库"},
      {ctc::ReceiptType::ProductionIn, "生产入库"},
      {ctc::ReceiptType::LoanIn, "借调入库"},
      {ctc::ReceiptType::RedReversalIn, "红冲入库"},
      {ctc::ReceiptType::OtherIn, "其他入库"},
      {ctc::ReceiptType::PartsRequest, "配件申请"},
      {ctc::ReceiptType::PartsLossIn, "配件损耗入库"},
      {ctc::ReceiptType::IssueOut, "发放出库"},
      {ctc::ReceiptType::ReturnToFactoryOut, "返厂出库"},
      {ctc::ReceiptType::StocktakeOut, "盘点出库"},
      {ctc::ReceiptType::DamagedOut, "残损出库"},
      {ctc::ReceiptType::SalesOut, "销售出库"},
      {ctc::ReceiptType::LoanOut, "借调出库"},
      {ctc::ReceiptType::OutletPartsRequest, "网点配件申请"},
      {ctc::ReceiptType::PartsRepairOut, "配件维修出库"},
      {ctc::ReceiptType::PartsLossOut, "配件损耗出库"},
      {ctc::ReceiptType::RepairConsumption, "维修耗用出库"},
      {ctc::ReceiptType::WriteOffOut, "核销出库"},
  };
};

/// The vendor labels of ctc::ReceiptStatus.
template <>
struct LabelTraits<ctc::ReceiptStatus> {
  static constexpr ctc::ReceiptStatus unknown =
      ctc::ReceiptStatus::Unknown;  ///< For labels not listed.
  /// Canonical label first; later entries for a value are accepted spellings.
  static constexpr LabelEntry<ctc::ReceiptStatus> entries[] = {
      {ctc::ReceiptStatus::Stocked, "已入库"},
      {ctc::ReceiptStatus::Shipped, "已出库"},
      {ctc::ReceiptStatus::Cancelled, "已撤销"},
      {ctc::ReceiptStatus::Closed, "已结单"},
  };
};

}  // namespace erpbridge

namespace erpbridge::ctc {

/// One part line of a receipt (配件明细).
struct ERPBRIDGE_CTC_EXPORT PartLine {
  std::string yunmi_code;   ///< yunmi_code: 云米配件编号
  std::int64_t amount = 0;  ///< amount: 数量
  JsonExtras extras{};      ///< Keys the document does not name, verbatim.

  ///@{
  /// Field-by-field equality.
  friend bool operator==(const PartLine& a, const PartLine& b) {
    return a.yunmi_code == b.yunmi_code && a.amount == b.amount;
  }
  friend bool operator!=(const PartLine& a, const PartLine& b) { return !(a == b); }
  ///@}
};

/// One in or out receipt. In and out receipts share this struct: `in_number`/`out_number`
/// both decode into `number`, `intype`/`outtype` into `type`.
struct ERPBRIDGE_CTC_EXPORT Receipt {
  Direction direction = Direction::In;  ///< From the query that returned it.
  std::string number;                   ///< in_number / out_number: 单号
  Labeled<ReceiptType> type;            ///< intype / outtype: 类型
  std::int64_t total_amount = 0;        ///< amount: 总数
  Decimal amount_of_money;              ///< amount_of_money: 总金额, exact ("1310.00")
  Labeled<ReceiptStatus> status;        ///< status: 单据状态
  std::string work_order_number;        ///< number: 关联工单
  std::string creator;                  ///< inputuser: 建单人
  DateTime created_at;                  ///< inputtime: 建单时间
  std::vector<PartLine> parts;          ///< parts_details
  JsonExtras extras{};                  ///< Keys the document does not name, verbatim.

  ///@{
  /// Equal field by field; amounts must also have the same scale ("1.0" vs "1.00" differ).
  friend bool operator==(const Receipt& a, const Receipt& b) {
    return a.direction == b.direction && a.number == b.number && a.type == b.type &&
           a.total_amount == b.total_amount && a.amount_of_money.identical(b.amount_of_money) &&
           a.status == b.status && a.work_order_number == b.work_order_number &&
           a.creator == b.creator && a.created_at == b.created_at && a.parts == b.parts;
  }
  friend bool operator!=(const Receipt& a, const Receipt& b) { return !(a == b); }
  ///@}
};

/// One request: receipts of `direction` created between `start` and `end`, both included.
/// CTC accepts at most 7 days per request, counted in calendar days: the end's date minus the
/// start's date is at most 7 (the document's own example, 2020-05-20 20:40:23 ..
/// 2020-05-27 20:49:12, is 7 days and 8 minutes long and allowed).
struct ERPBRIDGE_CTC_EXPORT ReceiptQuery {
  Direction direction = Direction::In;  ///< type: "in" or "out"
  DateTime start;                       ///< inputtime_s
  DateTime end;                         ///< inputtime_e
};

/// The most calendar days between a request's start date and end date.
inline constexpr int kMaxQueryDays = 7;

/// InvalidArgument (naming both times) unless start <= end and the end's date is at most 7
/// days after the start's.
ERPBRIDGE_CTC_EXPORT Result<void> validate(const ReceiptQuery& query);

/// The longest window split_windows() generates: 7 x 24 h, the strictest reading of
/// "范围不能超过7天" (end - start <= 604,800 s).
inline constexpr std::chrono::seconds kMaxWindowSpan{7 * 24 * 60 * 60};

/// Splits [from, to] into consecutive windows of at most kMaxWindowSpan each (so they pass
/// validate() and every stricter reading too). Adjacent windows share their boundary second:
/// the next one starts where the previous one ends, so no second is left out whether the
/// server treats the bounds as inclusive or exclusive (duplicates are removed by receipt
/// number when merging). InvalidArgument if to < from.
ERPBRIDGE_CTC_EXPORT Result<std::vector<ReceiptQuery>> split_windows(Direction direction,
                                                                     const DateTime& from,
                                                                     const DateTime& to);

/// Settings for a CTC connection: the common client options plus the key CTC issued.
struct ERPBRIDGE_CTC_EXPORT Options : ClientOptions {
  /// The shared secret CTC assigned ("key"), read for every request so that it can be
  /// rotated without a restart: make_static_token("...") for a fixed one. A key the server
  /// calls invalid (签名无效) is invalidated and fetched once more.
  std::shared_ptr<TokenProvider> key;
  std::size_t window_concurrency = 4;  ///< Windows fetched at once by list_receipts.
};

/// Receipts as a JSON array in the reply's shape (in_number/intype, or out_number/outtype
/// when every receipt is outbound).
ERPBRIDGE_CTC_EXPORT std::string to_json(const std::vector<Receipt>& receipts);

/// Called as windows complete: (windows done, windows in all).
using ProgressCallback = std::function<void(std::size_t done, std::size_t total)>;

}  // namespace erpbridge::ctc
