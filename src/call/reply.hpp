// Turning a reply into a Result: one mapping for every family. A family supplies only how
// to read its envelope (its schema, and a judge that says what the success code means).
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "call/body_stream.hpp"
#include "call/executor.hpp"
#include "core/redact.hpp"
#include "erpbridge/core/secrets.hpp"
#include "json/engine.hpp"

namespace erpbridge::internal {

/// What a call is, for its errors and for deciding whether a failure leaves a write's
/// outcome open.
struct CallContext {
  std::string what;    ///< "after-service create order": starts every error message
  bool write = false;  ///< Not safe to repeat: an unreadable answer may hide an applied write.
};

/// The one table from an HTTP status (or a vendor code that is one) to an ErrorCode:
/// 400/422 InvalidArgument, 401/403 Unauthenticated, 404 NotFound, 409/412
/// FailedPrecondition, anything else Http.
ErrorCode code_for_status(int status) noexcept;

/// The Error for a reply whose HTTP status is not a success, with an excerpt of the body.
/// For a write, 500, 502 and 504 leave the outcome unknown: the server or a gateway in
/// front of it may have applied it.
Error status_error(const HttpResponse& response, const CallContext& call);

/// The Error for a decoder that threw (bad_alloc on a huge reply, a bug): Internal, naming
/// the exception. The reply came, so a write it answered may have been applied.
Error decoder_threw(const char* what, bool write);

/// The Error for a 2xx reply whose success code cannot be read (not JSON, not the envelope,
/// the code missing or of the wrong type). For a write the outcome is unknown.
Error unreadable_reply(const HttpResponse& response, const CallContext& call,
                       const std::string& problem);

/// The Error for an envelope that reports a failure: `code` (Api unless the family knows
/// better; a non-2xx status refines Api through code_for_status), the vendor's code (its
/// field named `code_name`: "res", "errorCode"...) and message. A write answered with 500,
/// 502 or 504 leaves the outcome unknown, whatever the envelope says.
Error vendor_error(ErrorCode code, const char* code_name, std::string vendor_code,
                   std::string vendor_message, const HttpResponse& response,
                   const CallContext& call);

/// What a family's judge says of a decoded envelope.
struct Verdict {
  enum class Kind {
    Success,  ///< The success code says the call worked.
    Failure,  ///< The success code says it failed: `error` says how.
    Missing,  ///< No success code where the document always shows one.
  };
  Kind kind = Kind::Success;
  Error error;  ///< For Failure.

  static Verdict success() { return Verdict{}; }
  static Verdict missing() { return Verdict{Kind::Missing, Error{}}; }
  static Verdict failure(Error error) { return Verdict{Kind::Failure, std::move(error)}; }
};

/// Decodes a reply's body into `Envelope` leniently (json::decode_reply), in place: the body
/// is overwritten, so the response keeps only its first kKeptBodyBytes, as a streamed reply.
template <typename Envelope>
DecodedEnvelope<Envelope> decode_body(HttpResponse& response) {
  DecodedEnvelope<Envelope> decoded;
  std::string& body = response.body;
  char head[kKeptBodyBytes];
  const std::size_t kept = std::min(body.size(), kKeptBodyBytes);
  std::memcpy(head, body.data(), kept);
  decoded.status = json::decode_reply_in_place(body, decoded.envelope, decoded.notes);
  std::memcpy(body.data(), head, kept);
  body.resize(kept);
  return decoded;
}

/// Reads a reply into `Envelope` leniently (json::decode_reply): only the fields the schema
/// declares strict and the JSON syntax can fail it. `judge(Envelope&)` returns the Verdict
/// of its success code (it may adjust the envelope, e.g. clear the data of "no data").
/// Non-2xx replies are errors whatever the envelope says (with the vendor's code and text
/// when the judge reports one). The decode notes ride on the result, scrubbed of secrets;
/// the connection logs them (Executor::log_notes). The body is decoded in place (decode_body).
template <typename Envelope, typename Judge>
Result<Envelope> read_reply(HttpResponse& response, const CallContext& call, Judge&& judge) {
  DecodedEnvelope<Envelope> decoded = decode_body<Envelope>(response);
  return judge_reply(std::move(decoded), response, call, std::forward<Judge>(judge));
}

/// read_reply() of an envelope decoded already: from a body that went to an EnvelopeStream
/// (`response` then holds the status, the headers and the body's first bytes).
template <typename Envelope, typename Judge>
Result<Envelope> judge_reply(DecodedEnvelope<Envelope> in, const HttpResponse& response,
                             const CallContext& call, Judge&& judge) {
  const bool success_status = response.status >= 200 && response.status < 300;
  Envelope& envelope = in.envelope;
  DecodeNotes& notes = in.notes;
  const Result<void>& decoded = in.status;
  if (!decoded.ok()) {
    if (!success_status) return scrubbed(status_error(response, call));
    return scrubbed(unreadable_reply(response, call, decoded.error().message));
  }
  Verdict verdict = judge(envelope);
  if (verdict.kind == Verdict::Kind::Failure) return scrubbed(std::move(verdict.error));
  if (!success_status) return scrubbed(status_error(response, call));
  if (verdict.kind == Verdict::Kind::Missing) {
    return scrubbed(unreadable_reply(response, call, "the success code is missing"));
  }
  Result<Envelope> result(std::move(envelope));
  if (!notes.empty()) result.add_notes(scrubbed(std::move(notes)));
  return result;
}

/// Carries the notes of `from` over to `to` (when a family unwraps an envelope).
template <typename To, typename From>
Result<To> with_notes_of(Result<To> to, const Result<From>& from) {
  if (!from.notes().empty()) to.add_notes(from.notes());
  return to;
}

/// Adds a note of the family's own (a documented field that did not come back).
template <typename T>
void add_note(Result<T>& result, std::string path, std::string problem) {
  DecodeNotes notes;
  notes.push_back(DecodeNote{std::move(path), std::move(problem), std::string()});
  result.add_notes(std::move(notes));
}

}  // namespace erpbridge::internal
