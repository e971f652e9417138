// Deterministic benchmark payloads, generated at start (no large files in the repository).
#pragma once

#include <string>

#include "erpbridge/wms/types.hpp"

namespace erpbridge::bench {

/// A CTC receipts reply with `count` receipts (Chinese labels, 1-5 part lines each). With
/// `escape_unicode`, non-ASCII text is written as \uXXXX escapes.
std::string ctc_receipts_reply(std::size_t count, bool escape_unicode);

/// The spec's Kingdee push reply (envelope and bill) with its material line repeated to
/// `lines` lines, each with its own id and seq.
std::string kingdee_bill_reply(std::size_t lines);

/// An after-service order list reply with `count` orders (Chinese text, two abnormal
/// products and one track each).
std::string aftersales_orders_reply(std::size_t count);

/// A valid WMS entry order with `lines` order lines (Chinese item names, decimal quantities).
wms::EntryConfirmation entry_order(std::size_t lines);

}  // namespace erpbridge::bench
