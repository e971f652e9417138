// After-service wire forms for the JSON engine, and the {status, message, data} envelope.
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <algorithm>

#include "call/reply.hpp"
#include "erpbridge/aftersales/types.hpp"
#include "erpbridge/core/http.hpp"
#include "erpbridge/core/pagination.hpp"
#include "json/engine.hpp"

namespace erpbridge::aftersales::wire {

inline constexpr const char* kBasePath = "/api/v1/afterservice";

/// {"status":0,"message":…,"data":[…]}; data may also be a single object; total is read
/// when a server sends one. `status` decides the outcome: strict when present; a write's
/// reply must carry it, a list's may leave it out (the document's list example does).
template <typename T>
struct Envelope {
  std::optional<std::string> status;
  std::string message;
  std::vector<T> data;
  std::optional<std::int64_t> total;
};

/// The body of a workflow step. "填那些内容更新那些内容": a remark or operator the caller did
/// not give is not sent (an empty remark would blank the order's 异常描述).
struct WorkflowAction {
  std::string operation;
  std::optional<std::string> remark;
  std::optional<std::string> operator_name;
};

/// The duty-report PUT: only the fields the caller set (non-empty), with the key spelling
/// of the spec's PUT example (DutyDate) and without duty_to_id (不用填).
struct DutyReportPatch {
  std::optional<std::string> abnormal_type;
  std::optional<std::string> abnormal_reason;
  std::optional<std::string> publishment;
  std::optional<std::string> publish_to;
  std::optional<Decimal> compensation;
  std::optional<std::string> duty_to;
  std::optional<std::string> duty_date;
};

/// The abnormal-product PUT: only the fields the caller set (non-empty).
struct AbnormalProductPatch {
  std::optional<std::string> sku_code;
  std::optional<std::string> remark;
};

/// `text` if the caller set it (non-empty), else nothing: what a partial update sends.
inline std::optional<std::string> if_set(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return text;
}

}  // namespace erpbridge::aftersales::wire

namespace erpbridge::json {

template <>
struct Schema<aftersales::AbnormalProduct> {
  static void describe(StructBuilder<aftersales::AbnormalProduct>& s) {
    s.field("id", &aftersales::AbnormalProduct::id).number_or_string();
    s.field("skuCode", &aftersales::AbnormalProduct::sku_code).alias("sku_code").number_or_string();
    s.field("remark", &aftersales::AbnormalProduct::remark);
    s.extras(&aftersales::AbnormalProduct::extras);
  }
};

template <>
struct Schema<aftersales::DutyReport> {
  static void describe(StructBuilder<aftersales::DutyReport>& s) {
    using D = aftersales::DutyReport;
    s.field("abnormal_type", &D::abnormal_type);
    s.field("abnormal_reason", &D::abnormal_reason);
    s.field("publishment", &D::publishment);
    s.field("publish_to", &D::publish_to);
    s.field("compensation", &D::compensation).empty_absent();
    s.field("duty_to_id", &D::duty_to_id).number_or_string();
    s.field("duty_to", &D::duty_to);
    s.field("duty_date", &D::duty_date).alias("DutyDate");
    s.extras(&D::extras);
  }
};

template <>
struct Schema<aftersales::wire::DutyReportPatch> {
  static void describe(StructBuilder<aftersales::wire::DutyReportPatch>& s) {
    using P = aftersales::wire::DutyReportPatch;
    s.field("abnormal_type", &P::abnormal_type);
    s.field("abnormal_reason", &P::abnormal_reason);
    s.field("publishment", &P::publishment);
    s.field("publish_to", &P::publish_to);
    s.field("compensation", &P::compensation);
    s.field("duty_to", &P::duty_to);
    s.field("DutyDate", &P::duty_date);
  }
};

template <>
struct Schema<aftersales::wire::AbnormalProductPatch> {
  static void describe(StructBuilder<aftersales::wire::AbnormalProductPatch>& s) {
    using P = aftersales::wire::AbnormalProductPatch;
    s.field("skuCode", &P::sku_code);
    s.field("remark", &P::remark);
  }
};

template <>
struct Schema<aftersales::Track> {
  static void describe(StructBuilder<aftersales::Track>& s) {
    s.field("id", &aftersales::Track::id).number_or_string();
    s.field("remark", &aftersales::Track::remark);
    s.extras(&aftersales::Track::extras);
  }
};

template <>
struct Schema<aftersales::Deduction> {
  static void describe(StructBuilder<aftersales::Deduction>& s) {
    s.field("id", &aftersales::Deduction::id).number_or_string();
    s.field("compensation", &aftersales::Deduction::compensation).empty_absent();
    s.field("has_receipt", &aftersales::Deduction::has_receipt).number_or_string();
    s.field("remark", &aftersales::Deduction::remark);
    s.extras(&aftersales::Deduction::extras);
  }
};

template <>
struct Schema<aftersales::Order> {
  static void describe(StructBuilder<aftersales::Order>& s) {
    using O = aftersales::Order;
    s.field("id", &O::id).number_or_string();
    s.field("serial_number", &O::serial_number);
    s.field("charge_number", &O::charge_number);
    s.field("type", &O::type);
    s.field("customer_name", &O::customer_name);
    s.field("status", &O::status);
    s.field("workflow_status", &O::workflow_status);
    // The data structure spells it summitted_at (written so), the text submit_at; accept
    // those and the plain English.
    s.field("summitted_at", &O::submitted_at)
        .alias("submit_at")
        .alias("submitted_at")
        .empty_absent();
    s.field("created_at", &O::created_at).empty_absent();
    s.field("updated_at", &O::updated_at).empty_absent();
    s.field("accuser_name", &O::accuser_name);
    s.field("creator_name", &O::creator_name);
    s.field("saler", &O::saler);
    s.field("remark", &O::remark);
    s.field("reason", &O::reason);
    s.field("abnormal_products", &O::abnormal_products);
    s.field("duty_report", &O::duty_report);
    s.field("tracks", &O::tracks);
    s.field("deductions", &O::deductions);
    s.extras(&O::extras);
  }
};

template <>
struct Schema<aftersales::NewOrder> {
  static void describe(StructBuilder<aftersales::NewOrder>& s) {
    using N = aftersales::NewOrder;
    s.field("type", &N::type);
    s.field("customer_name", &N::customer_name);
    s.field("accuser_name", &N::accuser_name);
    s.field("creator_name", &N::creator_name);
    s.field("reason", &N::reason);
    s.field("remark", &N::remark);
  }
};

template <>
struct Schema<aftersales::OrderUpdate> {
  static void describe(StructBuilder<aftersales::OrderUpdate>& s) {
    using U = aftersales::OrderUpdate;
    s.field("type", &U::type);
    s.field("customer_name", &U::customer_name);
    s.field("accuser_name", &U::accuser_name);
    s.field("creator_name", &U::creator_name);
    s.field("saler", &U::saler);
    s.field("remark", &U::remark);
    s.field("reason", &U::reason);
    s.field("charge_number", &U::charge_number);
  }
};

template <>
struct Schema<aftersales::wire::WorkflowAction> {
  static void describe(StructBuilder<aftersales::wire::WorkflowAction>& s) {
    using A = aftersales::wire::WorkflowAction;
    s.field("operation", &A::operation);
    s.field("remark", &A::remark);
    s.field("operator_name", &A::operator_name);
  }
};

template <>
struct Schema<aftersales::Journal> {
  static void describe(StructBuilder<aftersales::Journal>& s) {
    using J = aftersales::Journal;
    s.field("id", &J::id).number_or_string();
    s.field("order_id", &J::order_id).number_or_string();
    s.field("operator_name", &J::operator_name);
    s.field("operation", &J::operation);
    s.field("from_status", &J::from_status);
    s.field("to_status", &J::to_status);
    s.field("remark", &J::remark);
    s.field("created_at", &J::created_at).empty_absent();
    s.extras(&J::extras);
  }
};

template <>
struct Schema<aftersales::Product> {
  static void describe(StructBuilder<aftersales::Product>& s) {
    s.field("id", &aftersales::Product::id).number_or_string();
    s.field("skuCode", &aftersales::Product::sku_code).alias("sku_code").number_or_string();
    s.field("name", &aftersales::Product::name);
    s.extras(&aftersales::Product::extras);
  }
};

template <>
struct Schema<aftersales::SupplierUserMatch> {
  static void describe(StructBuilder<aftersales::SupplierUserMatch>& s) {
    using M = aftersales::SupplierUserMatch;
    s.field("id", &M::id).number_or_string();
    s.field("supplier_name", &M::supplier_name);
    s.field("user_name", &M::user_name).alias("saler");
    s.extras(&M::extras);
  }
};

template <>
struct Schema<aftersales::RankEntry> {
  static void describe(StructBuilder<aftersales::RankEntry>& s) {
    s.field("name", &aftersales::RankEntry::name).number_or_string();
    s.field("count", &aftersales::RankEntry::count).number_or_string();
    s.field("total", &aftersales::RankEntry::total);
    s.extras(&aftersales::RankEntry::extras);
  }
};

template <typename T>
struct Schema<aftersales::wire::Envelope<T>> {
  static void describe(StructBuilder<aftersales::wire::Envelope<T>>& s) {
    using E = aftersales::wire::Envelope<T>;
    s.field("status", &E::status).strict().number_or_string().as_number();
    s.field("message", &E::message).number_or_string();
    s.field("data", &E::data).one_or_many();
    s.field("total", &E::total).number_or_string();
  }
};

}  // namespace erpbridge::json

namespace erpbridge::aftersales::wire {

/// Maps a reply to its envelope (decode notes on the result): status "0" is success; any
/// other value a failure, mapped like an HTTP status when it is one (the server's own
/// convention), else Api. `call.write` says whether the reply must carry status (a read's may
/// leave it out, as the document's list example does) and whether an unreadable one leaves
/// the outcome unknown. Defined in codec.cpp for every T the connection reads.
template <typename T>
Result<Envelope<T>> decode(HttpResponse&& response, const internal::CallContext& call);

/// How many elements the server sent in `data`: those decoded and those dropped because
/// they did not fit (each leaves a note on exactly `data[i]`; a `data` that is no list or
/// object at all holds no elements).
/// Paging counts them all, so a page with bad elements is not read as a short last page.
template <typename T>
std::size_t elements_received(const std::vector<T>& data, const DecodeNotes& notes) {
  std::size_t dropped = 0;
  for (const DecodeNote& note : notes) {
    const std::string& path = note.path;
    if (path.size() < 7 || path.compare(0, 5, "data[") != 0 || path.back() != ']') continue;
    const bool digits =
        std::all_of(path.begin() + 5, path.end() - 1, [](char c) { return c >= '0' && c <= '9'; });
    if (digits) ++dropped;
  }
  return data.size() + dropped;
}

/// The request bodies, as the document's examples spell them.
std::string encode_new_order(const NewOrder& order);
std::string encode_order_update(const OrderUpdate& update);
std::string encode_workflow(const WorkflowAction& action);
std::string encode_abnormal_products(const std::vector<AbnormalProduct>& products);
std::string encode_abnormal_product(const AbnormalProduct& product);
std::string encode_duty_report(const DutyReport& report);

}  // namespace erpbridge::aftersales::wire
