// Hand-written baselines shared by several benchmarks: what a capable user would write.
#pragma once

#include <cstddef>
#include <vector>

#include "erpbridge/ctc/types.hpp"

namespace erpbridge::bench {

/// A CTC receipts reply parsed with a RapidJSON DOM and copied into the SDK's structs.
std::vector<ctc::Receipt> receipts_from_dom(const char* text, std::size_t size);

}  // namespace erpbridge::bench
