// Secrets scrubbed by value: every secret the SDK sends is remembered, and every occurrence
// of one, raw or URL-encoded, is masked in log lines, error texts and decode notes. Public so
// that an application can add its own (a database password, say) and scrub its own texts.
#pragma once

#include "erpbridge/core/export.hpp"
#include "erpbridge/version.hpp"

#include <string>
#include <string_view>

#include "erpbridge/core/result.hpp"

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {

/// Remembers `secret` (a key, token or app secret the SDK sends or checks) for scrub().
/// Process-wide, so that a server echoing a token another client sent is caught as well.
/// Values shorter than 6 characters are not remembered: masking them would shred ordinary
/// text. Thread-safe; cheap when the value is already known.
ERPBRIDGE_CORE_EXPORT void remember_secret(std::string_view secret);

/// `text` with every remembered secret masked as "***", in its raw, URL-encoded and
/// JSON-escaped forms.
ERPBRIDGE_CORE_EXPORT std::string scrub(std::string text);

/// The same for every text of an Error (message, vendor code and message) or a note.
ERPBRIDGE_CORE_EXPORT void scrub(Error& error);
ERPBRIDGE_CORE_EXPORT void scrub(DecodeNote& note);

/// `error` and `notes`, scrubbed.
ERPBRIDGE_CORE_EXPORT Error scrubbed(Error error);
ERPBRIDGE_CORE_EXPORT DecodeNotes scrubbed(DecodeNotes notes);

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
