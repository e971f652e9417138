// Kingdee wire forms for the JSON engine (every string field also accepts a number and
// treats "null" as absent; dates and amounts treat "" as absent), and each endpoint's request
// and reply on the wire.
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <chrono>

#include "call/reply.hpp"
#include "erpbridge/core/http.hpp"
#include "erpbridge/kingdee/types.hpp"
#include "json/engine.hpp"

namespace erpbridge::kingdee::wire {

inline constexpr const char* kPushPath = "/app/mxoc_0001_mxoc_pq/pq_orderexe_push_backup";
inline constexpr const char* kAuthPath = "/jdyconnector/app_management/kingdee_auth_token";
inline constexpr const char* kAuthorizePath = "/jdyconnector/app_management/push_app_authorize";

struct BillData {
  std::string id;
};

struct PushBody {
  std::string operation;
  std::string entry_pk;
  BillData billdata;
};

/// The gateway envelope with the bill as data.
struct BillEnvelope {
  std::optional<bool> success;
  std::optional<bool> reach_plugin;
  SparePartsBill data;
  std::string error_code;
  std::string message;
  std::string description;
};

/// The envelope with data kept as raw JSON (generic calls, failures).
struct RawEnvelope {
  std::optional<bool> success;
  std::optional<bool> reach_plugin;
  RawJson data;
  std::string error_code;
  std::string message;
  std::string description;
};

/// The token reply's data: the token under "app-token" for most products, "app_token" for
/// some clients' reading, "access_token" for others (KIS); an expiry only sometimes.
struct AuthData {
  std::string app_token_dash;              // app-token
  std::string app_token;                   // app_token
  std::string access_token;                // access_token
  std::optional<std::int64_t> expires;     // epoch ms (or s), or seconds from now when small
  std::optional<std::int64_t> expires_in;  // seconds from now
  std::string domain;                      // the router address (X-GW-Router-Addr)
  JsonExtras extras;

  /// The token to send: app-token, else app_token, else access_token.
  const std::string& token() const {
    return !app_token_dash.empty() ? app_token_dash : !app_token.empty() ? app_token : access_token;
  }
};

/// {"errcode":0,"description":…,"data":{…}}.
struct AuthReply {
  std::string errcode;
  std::string description;
  AuthData data;
};

/// One authorised instance of push_app_authorize's data list.
struct AppAuthorization {
  std::string app_key;     // appKey
  std::string app_secret;  // appSecret
  std::string domain;      // the router address
  std::string outer_instance_id;
  JsonExtras extras;
};

/// {"errcode":0,"description":…,"data":[{appKey, appSecret, domain, …}]}.
struct AuthorizeReply {
  std::string errcode;
  std::string description;
  std::vector<AppAuthorization> data;
};

}  // namespace erpbridge::kingdee::wire

namespace erpbridge::json {

/// A string field as Kingdee sends them.
template <typename S, typename C>
FieldRef text(StructBuilder<S>& s, std::string_view key, std::string C::*member) {
  return s.field(key, member).number_or_string().null_string_absent();
}

/// An optional amount, date or number: "", "null" and null are absent.
template <typename S, typename M, typename C>
FieldRef value(StructBuilder<S>& s, std::string_view key, std::optional<M> C::*member) {
  return s.field(key, member).number_or_string().null_string_absent().empty_absent();
}

template <>
struct Schema<kingdee::EntryLink> {
  static void describe(StructBuilder<kingdee::EntryLink>& s) {
    using L = kingdee::EntryLink;
    text(s, "material_entity_lk_sbillid", &L::source_bill_id);
    text(s, "id", &L::id);
    text(s, "material_entity_lk_stableid", &L::source_table_id);
    text(s, "seq", &L::seq);
    text(s, "material_entity_lk_sid", &L::source_id);
    s.extras(&L::extras);
  }
};

template <>
struct Schema<kingdee::BillLabel> {
  static void describe(StructBuilder<kingdee::BillLabel>& s) {
    text(s, "number", &kingdee::BillLabel::number);
    text(s, "name", &kingdee::BillLabel::name);
    text(s, "id", &kingdee::BillLabel::id);
    s.extras(&kingdee::BillLabel::extras);
  }
};

template <>
struct Schema<kingdee::MaterialLine> {
  static void describe(StructBuilder<kingdee::MaterialLine>& s) {
    using L = kingdee::MaterialLine;
    text(s, "id", &L::id);
    value(s, "seq", &L::seq);
    text(s, "mxoc_picker_id", &L::picker_id).alias("mxoc_picker.id");
    text(s, "mxoc_picker_number", &L::picker_number).alias("mxoc_picker.number");
    text(s, "mxoc_picker_name", &L::picker_name)
        .alias("mxoc_picker.name")
        .group_scalar("mxoc_picker");
    text(s, "materialid_id", &L::material_id).alias("materialid.id");
    text(s, "materialid_number", &L::material_number).alias("materialid.number");
    text(s, "materialid_name", &L::material_name).alias("materialid.name");
    text(s, "materialid_model", &L::material_model).alias("materialid.model");
    text(s, "unit_id", &L::unit_id);
    text(s, "unit_number", &L::unit_number);
    text(s, "unit_name", &L::unit_name).alias("unit");
    text(s, "stockid_id", &L::stock_id).alias("stockid.id");
    text(s, "stockid_number", &L::stock_number).alias("stockid.number");
    text(s, "stockid_name", &L::stock_name).alias("stockid.name");
    text(s, "spid_id", &L::location_id).alias("spid.id");
    text(s, "spid_number", &L::location_number).alias("spid.number");
    text(s, "spid_name", &L::location_name).alias("spid.name");
    value(s, "qty", &L::qty);
    value(s, "unitcost", &L::unit_cost);
    value(s, "mxoc_usablebudgetqty", &L::usable_budget_qty);
    value(s, "mxoc_budgetunitprice", &L::budget_unit_price);
    value(s, "mxoc_totalbudgetamount", &L::total_budget_amount);
    value(s, "mxoc_usablebudgetamount", &L::usable_budget_amount);
    value(s, "mxoc_retiredqty", &L::retired_qty);
    text(s, "mxoc_remark", &L::remark);
    text(s, "mxoc_projectnumber", &L::project_number);
    text(s, "mxoc_projectname", &L::project_name);
    text(s, "mxoc_taskseq", &L::task_seq);
    text(s, "mxoc_taskname", &L::task_name);
    text(s, "mxoc_personliable", &L::person_liable);
    text(s, "mxoc_servicebillno", &L::service_bill_number);
    value(s, "kfdate", &L::production_date);
    value(s, "kftype", &L::shelf_life_unit);
    value(s, "kfperiod", &L::shelf_life);
    text(s, "barcode", &L::barcode);
    value(s, "validdate", &L::expiry_date);
    value(s, "cost", &L::cost);
    text(s, "mxoc_budgetcontrolmode", &L::budget_control_mode);
    value(s, "mxoc_generalbudgetqty", &L::general_budget_qty);
    text(s, "srcbillno", &L::source_bill_number);
    text(s, "srcbilltypeid_id", &L::source_bill_type_id);
    text(s, "srcbilltypeid_number", &L::source_bill_type_number);
    text(s, "srcbilltypeid_name", &L::source_bill_type_name);
    text(s, "srcinterid", &L::source_inter_id);
    text(s, "srcentryid", &L::source_entry_id);
    value(s, "src_billdate", &L::source_bill_date);
    text(s, "mxoc_sourceid", &L::source_id);
    text(s, "mxoc_sourceentryid", &L::source_entry_ref);
    s.field("material_entity_lk", &L::links);
    s.extras(&L::extras);
  }
};

template <>
struct Schema<kingdee::SparePartsBill> {
  static void describe(StructBuilder<kingdee::SparePartsBill>& s) {
    using B = kingdee::SparePartsBill;
    text(s, "id", &B::id);
    text(s, "billno", &B::bill_number);
    text(s, "billstatus", &B::bill_status);
    text(s, "mxoc_billtype", &B::business_type);
    value(s, "billdate", &B::bill_date);
    text(s, "billtypeid_id", &B::bill_type_id);
    text(s, "billtypeid_number", &B::bill_type_number);
    text(s, "billtypeid_name", &B::bill_type_name);
    text(s, "customerid_id", &B::customer_id);
    text(s, "customerid_number", &B::customer_number);
    text(s, "customerid_name", &B::customer_name);
    text(s, "customerid_addr", &B::customer_address);
    text(s, "creatorid_id", &B::creator_id);
    text(s, "creatorid_number", &B::creator_number);
    text(s, "creatorid_name", &B::creator_name);
    text(s, "creatorid_phone", &B::creator_phone);
    text(s, "currencyid_id", &B::currency_id);
    text(s, "currencyid_number", &B::currency_number);
    text(s, "currencyid_name", &B::currency_name);
    value(s, "totalamount", &B::total_amount);
    value(s, "totalamountfor", &B::total_amount_foreign);
    value(s, "totalsettleamount", &B::total_settle_amount);
    value(s, "totalunsettleamount", &B::total_unsettle_amount);
    value(s, "invoicedamount", &B::invoiced_amount);
    value(s, "uninvoiceamount", &B::uninvoiced_amount);
    value(s, "exchangerate", &B::exchange_rate);
    value(s, "createtime", &B::created_at);
    value(s, "audittime", &B::audited_at);
    value(s, "modifytime", &B::modified_at);
    text(s, "remark", &B::remark);
    text(s, "billsource", &B::bill_source);
    s.field("mullabel", &B::labels);
    s.field("material_entity", &B::materials);
    s.extras(&B::extras);
  }
};

template <>
struct Schema<kingdee::wire::BillData> {
  static void describe(StructBuilder<kingdee::wire::BillData>& s) {
    text(s, "id", &kingdee::wire::BillData::id);
  }
};

template <>
struct Schema<kingdee::wire::PushBody> {
  static void describe(StructBuilder<kingdee::wire::PushBody>& s) {
    using P = kingdee::wire::PushBody;
    text(s, "operation", &P::operation);
    text(s, "entryPk", &P::entry_pk);
    s.field("billdata", &P::billdata).required();
  }
};

template <typename E>
void describe_envelope(StructBuilder<E>& s) {
  s.field("success", &E::success).strict().number_or_string();
  s.field("reachPlugin", &E::reach_plugin).number_or_string();
  s.field("data", &E::data);
  text(s, "errorCode", &E::error_code);
  text(s, "message", &E::message);
  text(s, "description", &E::description);
}

template <>
struct Schema<kingdee::wire::BillEnvelope> {
  static void describe(StructBuilder<kingdee::wire::BillEnvelope>& s) { describe_envelope(s); }
};

template <>
struct Schema<kingdee::wire::RawEnvelope> {
  static void describe(StructBuilder<kingdee::wire::RawEnvelope>& s) { describe_envelope(s); }
};

template <>
struct Schema<kingdee::wire::AuthData> {
  static void describe(StructBuilder<kingdee::wire::AuthData>& s) {
    using D = kingdee::wire::AuthData;
    text(s, "app-token", &D::app_token_dash);
    text(s, "app_token", &D::app_token);
    text(s, "access_token", &D::access_token);
    value(s, "expires", &D::expires);
    value(s, "expires_in", &D::expires_in);
    text(s, "domain", &D::domain);
    s.extras(&D::extras);
  }
};

template <>
struct Schema<kingdee::wire::AppAuthorization> {
  static void describe(StructBuilder<kingdee::wire::AppAuthorization>& s) {
    using A = kingdee::wire::AppAuthorization;
    text(s, "appKey", &A::app_key);
    text(s, "appSecret", &A::app_secret);
    text(s, "domain", &A::domain);
    text(s, "outerInstanceId", &A::outer_instance_id);
    s.extras(&A::extras);
  }
};

template <>
struct Schema<kingdee::wire::AuthorizeReply> {
  static void describe(StructBuilder<kingdee::wire::AuthorizeReply>& s) {
    text(s, "errcode", &kingdee::wire::AuthorizeReply::errcode).required().strict();
    text(s, "description", &kingdee::wire::AuthorizeReply::description);
    s.field("data", &kingdee::wire::AuthorizeReply::data).one_or_many();
  }
};

template <>
struct Schema<kingdee::wire::AuthReply> {
  static void describe(StructBuilder<kingdee::wire::AuthReply>& s) {
    text(s, "errcode", &kingdee::wire::AuthReply::errcode).required().strict();
    text(s, "description", &kingdee::wire::AuthReply::description);
    s.field("data", &kingdee::wire::AuthReply::data);
  }
};

}  // namespace erpbridge::json

namespace erpbridge::kingdee::wire {

/// The push's body: {"operation":"push","entryPk":…,"billdata":{"id":…}}.
std::string encode_push(const std::string& entry_pk);

/// The gateway's reply with the pushed bill: `success` decides (true succeeds; false is an
/// Api error, Unauthenticated for auth codes or a 401/403, carrying errorCode and message).
Result<BillEnvelope> decode_bill_reply(HttpResponse&& response, const internal::CallContext& call);

/// The same for any other gateway path, its data kept as raw JSON.
Result<RawEnvelope> decode_raw_reply(HttpResponse&& response, const internal::CallContext& call);

/// The token server's reply: errcode "0" with a token (app-token, app_token or access_token)
/// succeeds; anything else is Unauthenticated with the description (a wrong signature, a
/// stale timestamp, or a success without a token).
Result<AuthReply> decode_auth_reply(HttpResponse&& response, const internal::CallContext& call);

/// push_app_authorize's reply: errcode "0" with at least one instance carrying appKey and
/// appSecret succeeds; anything else is Unauthenticated with the description.
Result<AuthorizeReply> decode_authorize_reply(HttpResponse&& response,
                                              const internal::CallContext& call);

/// The API 2.0 headers for a request to `url` (its path is what is signed) with `query`, at
/// the current time with a fresh nonce.
HttpHeaders sign_now(const ApiCredentials& api, const char* method, const std::string& url,
                     const std::vector<std::pair<std::string, std::string>>& query);

/// When a token read from `data` at `now` expires: `expires` over 10^12 is epoch
/// milliseconds, over 10^9 epoch seconds, otherwise seconds from now; else `expires_in`
/// seconds from now; else `default_lifetime` from now.
std::chrono::system_clock::time_point token_expiry(const AuthData& data,
                                                   std::chrono::system_clock::time_point now,
                                                   std::chrono::seconds default_lifetime);

}  // namespace erpbridge::kingdee::wire
