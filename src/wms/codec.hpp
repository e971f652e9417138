// WMS wire forms for the JSON engine (encoded as the spec's example, decoded leniently), and
// the push request and reply on the wire.
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include "call/reply.hpp"
#include "erpbridge/core/http.hpp"
#include "erpbridge/wms/types.hpp"
#include "json/engine.hpp"

namespace erpbridge::json {

template <>
struct Schema<wms::EntryOrder> {
  static void describe(StructBuilder<wms::EntryOrder>& s) {
    using O = wms::EntryOrder;
    s.field("ref_id", &O::ref_id);
    s.field("entry_code", &O::entry_code);
    s.field("entry_date", &O::entry_date);
    s.field("owner_code", &O::owner_code);
    s.field("order_type", &O::order_type).number_or_string();
    s.field("department", &O::department);
    s.field("bill_type", &O::bill_type);
    s.field("supplier_code", &O::supplier_code);
    s.field("supplier_name", &O::supplier_name);
    s.field("operate_time", &O::operate_time);
    s.field("operator_code", &O::operator_code);
    s.field("last_modified_date", &O::last_modified_date).null_if_absent();
    s.field("remark", &O::remark);
    // The table says totalorderlines, the example total_order_lines: accept both.
    s.field("total_order_lines", &O::total_order_lines).alias("totalorderlines").number_or_string();
    s.field("extend_props", &O::extend_props);
    s.extras(&O::extras);
  }
};

template <>
struct Schema<wms::OrderLine> {
  static void describe(StructBuilder<wms::OrderLine>& s) {
    using L = wms::OrderLine;
    s.field("entry_code", &L::entry_code);
    s.field("entry_code_itm", &L::entry_code_itm).number_or_string();
    s.field("item_code", &L::item_code);
    s.field("item_name", &L::item_name);
    s.field("sku_property", &L::sku_property);
    s.field("batch_code", &L::batch_code);
    s.field("warehouse_code", &L::warehouse_code);
    s.field("qty", &L::qty).as_number();
    s.field("qty1", &L::qty1).as_number();
    s.field("rem", &L::rem);
    s.field("request_id", &L::request_id).number_or_string();
    s.field("request_code", &L::request_code).number_or_string();
    s.field("request_itm", &L::request_itm).number_or_string();
    s.field("source_bilid", &L::source_bilid).number_or_string();
    s.field("source_bilno", &L::source_bilno).number_or_string();
    s.field("source_bilitm", &L::source_bilitm).number_or_string();
    s.field("extend_props", &L::extend_props);
    s.extras(&L::extras);
  }
};

template <>
struct Schema<wms::EntryConfirmation> {
  static void describe(StructBuilder<wms::EntryConfirmation>& s) {
    s.field("entry_order", &wms::EntryConfirmation::order).required();
    s.field("order_lines", &wms::EntryConfirmation::lines).required();
  }
};

template <>
struct Schema<wms::PushReply> {
  static void describe(StructBuilder<wms::PushReply>& s) {
    // code "may arrive as number or string"; the example sends a number.
    s.field("code", &wms::PushReply::code).required().strict().number_or_string().as_number();
    s.field("message", &wms::PushReply::message).number_or_string();
    s.field("bil_id", &wms::PushReply::bil_id).number_or_string();
    s.field("bil_no", &wms::PushReply::bil_no).number_or_string();
    s.extras(&wms::PushReply::extras);
  }
};

}  // namespace erpbridge::json

namespace erpbridge::wms::wire {

/// The push's body: the order as the spec's example spells it.
std::string encode_push(const EntryConfirmation& confirmation);

/// The push's reply: `code` decides the outcome (strict); message, bil_id and bil_no are read
/// leniently, and a successful reply without bil_id or bil_no carries a note (the order was
/// taken). The push is safe to repeat, so an unreadable reply is a plain Decode error.
Result<PushReply> decode_push_reply(HttpResponse&& response, const std::string& entry_code);

}  // namespace erpbridge::wms::wire
