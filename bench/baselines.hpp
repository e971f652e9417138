// Hand-written baselines shared by several benchmarks: what a capable user would write.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "erpbridge/aftersales/types.hpp"
#include "erpbridge/ctc/types.hpp"
#include "erpbridge/kingdee/types.hpp"
#include "erpbridge/wms/types.hpp"

namespace erpbridge::bench {

/// A CTC receipts reply parsed with a RapidJSON DOM and copied into the SDK's structs.
std::vector<ctc::Receipt> receipts_from_dom(const char* text, std::size_t size);

/// The bill of a Kingdee push reply, from a DOM (numbers kept as text, so amounts stay
/// exact). Copies the named fields of the sample's flattened keys; unlike the SDK it keeps
/// no unknown keys and reads neither the dotted nor the nested key forms.
kingdee::SparePartsBill kingdee_bill_from_dom(const char* text, std::size_t size);

/// An after-service order list reply from a DOM: the order fields, abnormal products and
/// tracks the payload carries.
std::vector<aftersales::Order> orders_from_dom(const char* text, std::size_t size);

/// The order of an after-service single-order reply (data as an object or a one-element
/// array), from a DOM; nullopt when there is none.
std::optional<aftersales::Order> order_reply_from_dom(const char* text, std::size_t size);

/// A WMS entry order written with RapidJSON's Writer straight from the struct: the SDK's
/// exact output, as a user would write it by hand.
std::string entry_order_with_writer(const wms::EntryConfirmation& confirmation);

/// A WMS push reply ({"code", "message", "bil_id", "bil_no"}; code a number or a string).
wms::PushReply wms_reply_from_dom(const char* text, std::size_t size);

}  // namespace erpbridge::bench
