// Secrets scrubbed by value: every secret the SDK sends is remembered, and every occurrence
// of one, raw or URL-encoded, is masked in log lines, error texts and decode notes.
#pragma once

#include <string>
#include <string_view>

#include "erpbridge/core/result.hpp"

namespace erpbridge::internal {

/// Remembers `secret` (a key, token or app secret the SDK sends or checks) for scrub().
/// Process-wide, so that a server echoing a token another client sent is caught as well.
/// Values shorter than 6 characters are not remembered: masking them would shred ordinary
/// text. Thread-safe; cheap when the value is already known.
void remember_secret(std::string_view secret);

/// `text` with every remembered secret masked as "***", in its raw, URL-encoded and
/// JSON-escaped forms.
std::string scrub(std::string text);

/// The same for every text of an Error (message, vendor code and message) or a note.
void scrub(Error& error);
void scrub(DecodeNote& note);

/// `error` and `notes`, scrubbed.
Error scrubbed(Error error);
DecodeNotes scrubbed(DecodeNotes notes);

}  // namespace erpbridge::internal
