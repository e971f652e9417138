// Deterministic benchmark payloads, generated at start (no large files in the repository).
#pragma once

#include <string>

namespace erpbridge::bench {

/// A CTC receipts reply with `count` receipts (Chinese labels, 1-5 part lines each). With
/// `escape_unicode`, non-ASCII text is written as \uXXXX escapes.
std::string ctc_receipts_reply(std::size_t count, bool escape_unicode);

}  // namespace erpbridge::bench
