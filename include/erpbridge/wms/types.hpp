// AI-WMS PLUS entry-order push (推送第三方入库单, CreateEntryConfirmation).
#pragma once

#include "erpbridge/version.hpp"
#include "erpbridge/wms/export.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "erpbridge/core/datetime.hpp"
#include "erpbridge/core/decimal.hpp"
#include "erpbridge/core/labeled.hpp"
#include "erpbridge/core/options.hpp"
#include "erpbridge/core/raw_json.hpp"
#include "erpbridge/core/token.hpp"

namespace erpbridge::wms {

/// 业务类型 (order_type), codes "01".."11".
enum class OrderType {
  Unknown,
  Purchase,                  ///< 01 进货入库
  ProvisionalEstimate,       ///< 02 暂估入库
  SalesReturn,               ///< 03 销货退回入库
  SelfMadeProduct,           ///< 04 自制产品入库
  OutsourcedProcessing,      ///< 05 托外加工入库
  ProductionMaterialReturn,  ///< 06 生产退料入库
  ContractMaterialReturn,    ///< 07 托工退料入库
  StockTransfer,             ///< 08 库存调拨入库
  NonProductionReturn,       ///< 09 非生产退料入库
  Scrap,                     ///< 10 报废入库
  Other,                     ///< 11 其他入库
};

/// The spec's Chinese name of a type ("进货入库"), or "" for Unknown.
ERPBRIDGE_WMS_EXPORT const char* description(OrderType type) noexcept;

}  // namespace erpbridge::wms

namespace erpbridge {
/// The vendor labels of wms::OrderType.
template <>
struct LabelTraits<wms::OrderType> {
  static constexpr wms::OrderType unknown = wms::OrderType::Unknown;  ///< For labels not listed.
  /// Canonical label first; later entries for a value are accepted spellings.
  static constexpr LabelEntry<wms::OrderType> entries[] = {
      {wms::OrderType::Purchase, "01"},
      {wms::OrderType::ProvisionalEstimate, "02"},
      {wms::OrderType::SalesReturn, "03"},
      {wms::OrderType::SelfMadeProduct, "04"},
      {wms::OrderType::OutsourcedProcessing, "05"},
      {wms::OrderType::ProductionMaterialReturn, "06"},
      {wms::OrderType::ContractMaterialReturn, "07"},
      {wms::OrderType::StockTransfer, "08"},
      {wms::OrderType::NonProductionReturn, "09"},
      {wms::OrderType::Scrap, "10"},
      {wms::OrderType::Other, "11"},
  };
};
}  // namespace erpbridge

namespace erpbridge::wms {

/// 表头 entry_order. Strings left empty are absent; required ones are checked by validate().
struct ERPBRIDGE_WMS_EXPORT EntryOrder {
  std::string ref_id;      ///< WMS系统标识, required, ≤20
  std::string entry_code;  ///< WMS入库单号, required, unique, ≤100
  /// 入库日期, required: the table says Datatime 精确到日, the example writes a date; a date or
  /// a date-time is accepted and written back as received.
  std::optional<Timestamp> entry_date;
  std::string owner_code;                ///< 货主编码, required, ≤30 ("OWNER" when unused)
  Labeled<OrderType> order_type;         ///< 业务类型, required, "01".."11"
  std::string department;                ///< 部门, ≤30
  std::string bill_type;                 ///< 单据类别, ≤10
  std::string supplier_code;             ///< 供应商代号, ≤30
  std::string supplier_name;             ///< 供应商名称, ≤100
  std::optional<DateTime> operate_time;  ///< 操作时间, required, to the second
  std::string operator_code;             ///< 操作员编码, required, ≤30
  std::optional<std::string> last_modified_date;  ///< In the sample (null), not the table.
  std::string remark;                             ///< 备注
  std::optional<std::int64_t> total_order_lines;  ///< 单据总行数 (totalorderlines)
  RawJson extend_props{"{}"};                     ///< 扩展属性, kept verbatim
  JsonExtras extras{};  ///< Keys the document does not name, verbatim (sent back as they are).
};

/// 表身 order_lines: one line of the entry order.
struct ERPBRIDGE_WMS_EXPORT OrderLine {
  std::string entry_code;                      ///< 入库单号, required, = header's
  std::optional<std::int64_t> entry_code_itm;  ///< 入库单项次, required, unique per order
  std::string item_code;                       ///< 货品代号, required, ≤50
  std::string item_name;                       ///< 货品名称, required, ≤160
  std::string sku_property;                    ///< 特征, ≤255
  std::string batch_code;                      ///< 批号, ≤40
  std::string warehouse_code;                  ///< 仓库, required, ≤30
  std::optional<Decimal> qty;                  ///< 数量, required (FLOAT on the wire, exact here)
  std::optional<Decimal> qty1;                 ///< 数量(副)
  std::string rem;                             ///< 备注
  std::string request_id;                      ///< 申请单ID, ≤10 (may be empty, per the spec)
  std::string request_code;                    ///< 申请单号, required, ≤100
  std::string request_itm;                     ///< 申请单项次, required, ≤100
  std::string source_bilid;                    ///< 业务单 ID, ≤10
  std::string source_bilno;                    ///< 业务单号, ≤100
  std::string source_bilitm;                   ///< 业务单项次, ≤100
  RawJson extend_props{"{}"};                  ///< 扩展属性, kept verbatim
  JsonExtras extras{};  ///< Keys the document does not name, verbatim (sent back as they are).
};

/// The whole push: header and lines.
struct ERPBRIDGE_WMS_EXPORT EntryConfirmation {
  EntryOrder order;              ///< entry_order
  std::vector<OrderLine> lines;  ///< order_lines
  /// What in the push did not fit the document's table, as the receiver read it: values of
  /// another type or form (left empty or read loosely, the text kept in the note) and broken
  /// rules (required, lengths, order_type). Never sent; not part of the order's identity.
  DecodeNotes notes;
};

/// The third party's answer. code "0" is success.
struct ERPBRIDGE_WMS_EXPORT PushReply {
  std::string code;     ///< 成功标识, number or string on the wire, ≤10
  std::string message;  ///< 返回信息, ≤200
  std::string bil_id;   ///< 第三方单据ID, must be returned, ≤10
  std::string bil_no;   ///< 第三方单据别 (number), must be returned, ≤100
  JsonExtras extras{};  ///< Keys the document does not name, verbatim.

  /// code is "0".
  bool succeeded() const { return code == "0"; }
};

/// One broken rule: the field ("order_lines[2].item_code") and what is wrong with it.
struct ERPBRIDGE_WMS_EXPORT Violation {
  std::string field;  ///< "entry_order.ref_id", "order_lines[2].item_code", ...
  std::string rule;   ///< What is wrong: "is required", "must be at most 20 characters, ..."

  /// "field: rule".
  std::string to_string() const { return field + ": " + rule; }
};

/// Every violation of the spec's table: required fields, lengths (in characters of UTF-8
/// text), order_type 01..11, each line's entry_code equal to the header's, entry_code_itm
/// unique, and the line count equal to total_order_lines when that is given.
ERPBRIDGE_WMS_EXPORT std::vector<Violation> validate(const EntryConfirmation& confirmation);

/// Required bil_id/bil_no and the reply's length limits.
ERPBRIDGE_WMS_EXPORT std::vector<Violation> validate(const PushReply& reply);

/// An InvalidArgument error listing `violations` ("2 violations: a: x; b: y").
ERPBRIDGE_WMS_EXPORT Error violations_error(const std::vector<Violation>& violations);

/// Characters (code points) in UTF-8 text.
ERPBRIDGE_WMS_EXPORT std::size_t utf8_length(const std::string& text) noexcept;

/// Settings for pushing to a CreateEntryConfirmation endpoint.
struct ERPBRIDGE_WMS_EXPORT Options : ClientOptions {
  /// The Authorization header's token (static, or fetched and cached).
  std::shared_ptr<TokenProvider> token;
  /// Path below base_url.
  std::string path = "/CreateEntryConfirmation";
};

}  // namespace erpbridge::wms

namespace erpbridge::wms {

/// The push body as the spec's example writes it.
ERPBRIDGE_WMS_EXPORT std::string to_json(const EntryConfirmation& confirmation);
/// Decodes a push body (both totalorderlines spellings); Decode errors name the JSON path.
/// Does not validate: call validate() for the table's rules.
ERPBRIDGE_WMS_EXPORT Result<EntryConfirmation> parse_entry_confirmation(std::string_view json);
/// A reply as the spec's example writes it.
ERPBRIDGE_WMS_EXPORT std::string to_json(const PushReply& reply);
/// Decodes a reply; `code` may be a number or a string.
ERPBRIDGE_WMS_EXPORT Result<PushReply> parse_push_reply(std::string_view json);

}  // namespace erpbridge::wms
