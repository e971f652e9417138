// Kingdee cloud gateway: a work-order execution pushed down into a spare-parts requisition
// bill (工单执行下推备品备件, POST /app/mxoc_0001_mxoc_pq/pq_orderexe_push_backup).
#pragma once

#include "erpbridge/kingdee/export.hpp"
#include "erpbridge/version.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "erpbridge/core/datetime.hpp"
#include "erpbridge/core/decimal.hpp"
#include "erpbridge/core/http.hpp"
#include "erpbridge/core/option_bag.hpp"
#include "erpbridge/core/options.hpp"
#include "erpbridge/core/raw_json.hpp"
#include "erpbridge/core/token.hpp"

namespace erpbridge::kingdee {

/// The request body: {"operation":"push","entryPk":…,"billdata":{"id":…}}.
struct ERPBRIDGE_KINGDEE_EXPORT PushRequest {
  std::string operation = "push";  ///< operation: 操作下推
  std::string entry_pk;            ///< entryPk: 单据id of the work-order execution
  std::string billdata_id;         ///< billdata.id: 单据id
};

/// A material_entity_lk link back to the source bill.
struct ERPBRIDGE_KINGDEE_EXPORT EntryLink {
  std::string id;               ///< The link's id.
  std::string seq;              ///< Its sequence number.
  std::string source_bill_id;   ///< material_entity_lk_sbillid
  std::string source_table_id;  ///< material_entity_lk_stableid
  std::string source_id;        ///< material_entity_lk_sid
  JsonExtras extras;            ///< Every other key, verbatim.
};

/// One material line (material_entity). Keys in the table's dotted form
/// ("material_entity.materialid.number") and the sample's flattened form
/// ("materialid_number") both decode here.
struct ERPBRIDGE_KINGDEE_EXPORT MaterialLine {
  std::string id;                   ///< The line's id.
  std::optional<std::int64_t> seq;  ///< 行号
  std::string picker_id;            ///< mxoc_picker_id
  std::string picker_number;        ///< mxoc_picker_number
  /// mxoc_picker_name, or mxoc_picker as a string (领料人); mxoc_picker may also be an object
  /// {"id":…,"number":…,"name":…}, read into picker_id, picker_number and picker_name.
  std::string picker_name;
  std::string material_id;                      ///< materialid_id
  std::string material_number;                  ///< materialid.number: 物料编码
  std::string material_name;                    ///< materialid.name: 物料名称
  std::string material_model;                   ///< materialid.model: 物料规格
  std::string unit_id;                          ///< unit_id
  std::string unit_number;                      ///< unit_number
  std::string unit_name;                        ///< unit_name / unit: 单位
  std::string stock_id;                         ///< stockid_id
  std::string stock_number;                     ///< stockid_number
  std::string stock_name;                       ///< stockid.name: 仓库名称
  std::string location_id;                      ///< spid_id
  std::string location_number;                  ///< spid_number
  std::string location_name;                    ///< spid.name: 仓位
  std::optional<Decimal> qty;                   ///< 数量
  std::optional<Decimal> unit_cost;             ///< unitcost: 单价
  std::optional<Decimal> usable_budget_qty;     ///< mxoc_usablebudgetqty: 可用预算数量
  std::optional<Decimal> budget_unit_price;     ///< mxoc_budgetunitprice: 预算单价
  std::optional<Decimal> total_budget_amount;   ///< mxoc_totalbudgetamount: 总预算金额
  std::optional<Decimal> usable_budget_amount;  ///< mxoc_usablebudgetamount: 可用预算金额
  std::optional<Decimal> retired_qty;           ///< mxoc_retiredqty: 已退数量
  std::string remark;                           ///< mxoc_remark: 备注
  std::string project_number;                   ///< mxoc_projectnumber: 项目编码
  std::string project_name;                     ///< mxoc_projectname: 项目名称
  std::string task_seq;                         ///< mxoc_taskseq: 任务行号
  std::string task_name;                        ///< mxoc_taskname: 任务名称
  std::string person_liable;                    ///< mxoc_personliable: 责任人
  std::string service_bill_number;              ///< mxoc_servicebillno: 售后工单编号
  std::optional<std::string> production_date;   ///< kfdate: 生产日期
  std::optional<std::string> shelf_life_unit;   ///< kftype: 保质期单位 ("null" is absent)
  /// kfperiod: 保质期, as text: the document types it string ("0" in its sample, "12个月"
  /// from some servers), so a number is kept as its digits.
  std::optional<std::string> shelf_life;
  std::string barcode;                        ///< 条形码
  std::optional<std::string> expiry_date;     ///< validdate: 到期日
  std::optional<Decimal> cost;                ///< 金额
  std::string budget_control_mode;            ///< mxoc_budgetcontrolmode: 预算控制模式
  std::optional<Decimal> general_budget_qty;  ///< mxoc_generalbudgetqty: 总预算数量
  std::string source_bill_number;             ///< srcbillno
  std::string source_bill_type_id;            ///< srcbilltypeid_id
  std::string source_bill_type_number;        ///< srcbilltypeid_number
  std::string source_bill_type_name;          ///< srcbilltypeid_name
  std::string source_inter_id;                ///< srcinterid
  std::string source_entry_id;                ///< srcentryid
  std::optional<Timestamp> source_bill_date;  ///< src_billdate
  std::string source_id;                      ///< mxoc_sourceid
  std::string source_entry_ref;               ///< mxoc_sourceentryid
  std::vector<EntryLink> links;               ///< material_entity_lk
  JsonExtras extras;                          ///< Every other key, verbatim.
};

/// A label of the bill (mullabel).
struct ERPBRIDGE_KINGDEE_EXPORT BillLabel {
  std::string id;      ///< The label's id.
  std::string number;  ///< Its number.
  std::string name;    ///< Its name ("复购异常").
  JsonExtras extras;   ///< Every other key, verbatim.
};

/// The spare-parts requisition bill (备品备件领用单) the push creates. The document types
/// every field as a string: the typed members here take what fits (dates and times as
/// Timestamps, "2023-03-06" or "2023-03-06 00:00:00"; amounts as Decimals, exponents
/// included), and a value that does not fit leaves its member empty with a decode note on
/// the result, so a bill that was created is never reported as a failure.
struct ERPBRIDGE_KINGDEE_EXPORT SparePartsBill {
  std::string id;                                ///< 单据id
  std::string bill_number;                       ///< billno: 单据编号
  std::string bill_status;                       ///< billstatus: 单据状态 ("Z" …)
  std::string business_type;                     ///< mxoc_billtype: 业务类型
  std::optional<Timestamp> bill_date;            ///< billdate: 单据日期
  std::string bill_type_id;                      ///< billtypeid_id
  std::string bill_type_number;                  ///< billtypeid_number
  std::string bill_type_name;                    ///< billtypeid_name
  std::string customer_id;                       ///< customerid_id
  std::string customer_number;                   ///< customerid_number
  std::string customer_name;                     ///< customerid_name
  std::string customer_address;                  ///< customerid_addr
  std::string creator_id;                        ///< creatorid_id
  std::string creator_number;                    ///< creatorid_number
  std::string creator_name;                      ///< creatorid_name
  std::string creator_phone;                     ///< creatorid_phone
  std::string currency_id;                       ///< currencyid_id
  std::string currency_number;                   ///< currencyid_number
  std::string currency_name;                     ///< currencyid_name
  std::optional<Decimal> total_amount;           ///< totalamount
  std::optional<Decimal> total_amount_foreign;   ///< totalamountfor
  std::optional<Decimal> total_settle_amount;    ///< totalsettleamount
  std::optional<Decimal> total_unsettle_amount;  ///< totalunsettleamount
  std::optional<Decimal> invoiced_amount;        ///< invoicedamount
  std::optional<Decimal> uninvoiced_amount;      ///< uninvoiceamount
  std::optional<Decimal> exchange_rate;          ///< exchangerate
  std::optional<Timestamp> created_at;           ///< createtime
  std::optional<Timestamp> audited_at;           ///< audittime
  std::optional<Timestamp> modified_at;          ///< modifytime
  std::string remark;                            ///< 备注
  std::string bill_source;                       ///< billsource
  std::vector<BillLabel> labels;                 ///< mullabel
  std::vector<MaterialLine> materials;           ///< material_entity
  JsonExtras extras;                             ///< Every other key, verbatim.
};

/// app_signature for the gateway's token endpoint: Base64 of the lowercase hex
/// HMAC-SHA256 of `app_key`, keyed with `app_secret`.
ERPBRIDGE_KINGDEE_EXPORT std::string app_signature(const std::string& app_key,
                                                   const std::string& app_secret);

/// The Kingdee open platform's application credentials (开放平台 client id and secret): they
/// sign requests with the API 2.0 signature.
struct ERPBRIDGE_KINGDEE_EXPORT ApiCredentials {
  std::string client_id;      ///< X-Api-ClientID
  std::string client_secret;  ///< Keys the HMAC; never sent or logged.
};

/// Percent-encoding as the API 2.0 signature uses it: every byte except A-Z a-z 0-9 - _ . ~
/// becomes %XX with upper-case hex ("/" is %2F, a space %20).
ERPBRIDGE_KINGDEE_EXPORT std::string api_url_encode(std::string_view text);

/// The text an API 2.0 signature covers: "METHOD\n" + api_url_encode(path) + "\n" + the
/// query parameters sorted by key (bytewise), each "key=" + the value encoded twice, joined
/// with "&" + "\nx-api-nonce:NONCE\nx-api-timestamp:TIMESTAMP\n".
ERPBRIDGE_KINGDEE_EXPORT std::string api_signature_text(
    std::string_view method, std::string_view path,
    const std::vector<std::pair<std::string, std::string>>& query, std::string_view nonce,
    std::string_view timestamp);

/// X-Api-Signature of `text`: Base64 of the lowercase hex HMAC-SHA256 keyed with `secret`.
ERPBRIDGE_KINGDEE_EXPORT std::string api_signature(std::string_view secret, std::string_view text);

/// The headers that sign one request: X-Api-ClientID, X-Api-Auth-Version (2.0),
/// X-Api-TimeStamp (`timestamp_ms`, valid for 5 minutes at the gateway), X-Api-Nonce,
/// X-Api-SignHeaders (X-Api-TimeStamp,X-Api-Nonce) and X-Api-Signature.
ERPBRIDGE_KINGDEE_EXPORT HttpHeaders api_signature_headers(
    const ApiCredentials& credentials, std::string_view method, std::string_view path,
    const std::vector<std::pair<std::string, std::string>>& query, std::int64_t timestamp_ms,
    std::uint64_t nonce);

/// Where and how to obtain gateway tokens with an app key and secret the gateway issued.
struct ERPBRIDGE_KINGDEE_EXPORT GatewayAuth {
  ClientOptions client;    ///< base_url: the auth server ("{auth_base}")
  ApiCredentials api;      ///< Signs the token call (API 2.0); required by the real gateway.
  std::string app_key;     ///< The app key the gateway issued.
  std::string app_secret;  ///< Never logged or sent; only its signature is.
  std::chrono::seconds refresh_ahead{300};  ///< Fetch a new token this long before expiry.
  /// How long a token is taken to be valid when its reply gives no expiry (Kingdee: 24 h).
  std::chrono::seconds default_lifetime{24 * 60 * 60};
  /// The clock expiry is judged by (tests inject one); the system clock when empty.
  std::function<std::chrono::system_clock::time_point()> clock;
  /// Settings added after this major version froze the fields above (see OptionBag).
  OptionBag extensions{};
};

/// Tokens for an app authorised per customer instance: each fetch first POSTs
/// push_app_authorize?outerInstanceId=… (signed) for the instance's appKey/appSecret and
/// domain, then the token as GatewayAuth does.
struct ERPBRIDGE_KINGDEE_EXPORT InstanceAuth {
  ClientOptions client;                     ///< base_url: the auth server
  ApiCredentials api;                       ///< client_id / client_secret (required)
  std::string outer_instance_id;            ///< outerInstanceId of the customer's instance
  std::chrono::seconds refresh_ahead{300};  ///< As in GatewayAuth.
  std::chrono::seconds default_lifetime{24 * 60 * 60};           ///< As in GatewayAuth.
  std::function<std::chrono::system_clock::time_point()> clock;  ///< As in GatewayAuth.
  /// Settings added after this major version froze the fields above (see OptionBag).
  OptionBag extensions{};
};

/// A gateway token provider that also remembers the router address (`domain`) its
/// authorisation or token reply named: the default X-GW-Router-Addr.
class ERPBRIDGE_KINGDEE_EXPORT GatewayToken : public TokenProvider {
 public:
  /// The last `domain` a reply named ("" until a token was fetched, or if none did).
  virtual std::string router_addr() const = 0;
};

/// A provider that GETs /jdyconnector/app_management/kingdee_auth_token?app_key=&
/// app_signature= (signed with `auth.api` when its client_id is set), reads the token from
/// data["app-token"] (or app_token, or access_token), its expiry from expires/expires_in
/// (epoch milliseconds or seconds, or seconds from now when small) or else
/// default_lifetime, caches it, and lets concurrent callers share one refresh.
ERPBRIDGE_KINGDEE_EXPORT std::shared_ptr<GatewayToken> make_gateway_token(GatewayAuth auth);

/// The same after authorising the instance (see InstanceAuth).
ERPBRIDGE_KINGDEE_EXPORT std::shared_ptr<GatewayToken> make_instance_token(InstanceAuth auth);

/// Settings for calling the gateway.
struct ERPBRIDGE_KINGDEE_EXPORT Options : ClientOptions {
  std::shared_ptr<TokenProvider> token;  ///< access_token (static, make_gateway_token, ...)
  std::string group_name;                ///< header groupName
  std::string account_id;                ///< header accountid
  /// header X-GW-Router-Addr; when empty, the domain a GatewayToken learned is sent.
  std::string router_addr;
  /// Sign every gateway call with the API 2.0 headers too (off: the seed document's calls
  /// carry only the token and the headers above).
  bool sign_requests = false;
  ApiCredentials api;  ///< The credentials sign_requests uses.
};

/// The bill as JSON (flattened keys, extras included) and back.
ERPBRIDGE_KINGDEE_EXPORT std::string to_json(const SparePartsBill& bill);
ERPBRIDGE_KINGDEE_EXPORT Result<SparePartsBill> parse_spare_parts_bill(std::string_view json);

}  // namespace erpbridge::kingdee
