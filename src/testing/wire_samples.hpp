// Replies as the vendors' servers send them, encoded from typed values: material for the
// SDK's own tests, fuzz seeds and benchmarks (not installed, not used by the emulators,
// which write their replies by hand as their own oracle).
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <string>
#include <vector>

#include "erpbridge/aftersales/types.hpp"
#include "erpbridge/ctc/types.hpp"

namespace erpbridge::testing::wire_samples {

/// A CTC receipt_parts reply {"res":…,"msg":…,"data":[…]} holding `receipts` with the keys of
/// `direction` (in_number/intype or out_number/outtype).
std::string ctc_receipts_reply(const std::string& res, const std::string& msg,
                               const std::vector<ctc::Receipt>& receipts, ctc::Direction direction);

/// An after-service list reply {"status":…,"message":…,"data":[…]} holding `orders`.
std::string aftersales_orders_reply(int status, const std::string& message,
                                    const std::vector<aftersales::Order>& orders);

}  // namespace erpbridge::testing::wire_samples
