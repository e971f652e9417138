// Telemetry: one event per try and one per call, from every family, blocking or async.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "erpbridge/core/export.hpp"
#include "erpbridge/core/http.hpp"
#include "erpbridge/core/result.hpp"
#include "erpbridge/version.hpp"

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {

/// Why a try was followed by another one.
enum class RetryReason {
  None,        ///< It was not: the call ended with this try.
  Transport,   ///< The connection failed (and the request was safe to repeat).
  Timeout,     ///< The try timed out.
  HttpStatus,  ///< The server answered 408, 429 or a 5xx other than 501.
};

/// "None", "Transport", "Timeout", "HttpStatus".
ERPBRIDGE_CORE_EXPORT const char* to_string(RetryReason reason) noexcept;

/// One try, as the client saw it. Times are from libcurl's own clocks for an answered try
/// (CURLINFO_*_TIME_T, each counted from the start of the transfer); for a try that failed
/// only `total` is known, measured by the SDK from hand-over to failure.
struct ERPBRIDGE_CORE_EXPORT TryEvent {
  std::string_view family;                   ///< "ctc", "wms", "kingdee", "aftersales".
  std::string_view endpoint;                 ///< A stable name ("receipt_parts"), never a URL.
  HttpMethod method = HttpMethod::Get;       ///< The request's verb.
  int attempt = 1;                           ///< 1 for the first try.
  int http_status = 0;                       ///< 0 when no reply arrived.
  bool ok = false;                           ///< A reply arrived (any status).
  ErrorCode error = ErrorCode::Transport;    ///< Why no reply arrived (when !ok).
  bool outcome_unknown = false;              ///< A write that may have reached the server.
  RetryReason retry = RetryReason::None;     ///< Why another try follows, if one does.
  std::chrono::milliseconds retry_delay{0};  ///< The wait before it.
  std::uint64_t bytes_sent = 0;              ///< Request body bytes.
  std::uint64_t bytes_received = 0;          ///< Reply body bytes (streamed ones included).
  TransferTimings timings;                   ///< Where the time of the try went.
  std::string_view traceparent;              ///< The call's W3C traceparent, if it had one.
  /// The call this try belongs to: its CallEvent has the same number, unique among the
  /// client's calls (a token fetch's tries have one of their own). Pairs tries with calls
  /// when several calls are in flight.
  std::uint64_t call_id = 0;
};

/// One call, when it has ended: its outcome as the caller gets it (after the reply is
/// judged and decoded).
struct ERPBRIDGE_CORE_EXPORT CallEvent {
  std::string_view family;              ///< As in TryEvent.
  std::string_view endpoint;            ///< As in TryEvent.
  HttpMethod method = HttpMethod::Get;  ///< The request's verb.
  int attempts = 0;  ///< Tries sent (0: refused before sending, or cancelled first).
  bool ok = false;   ///< The call succeeded.
  ErrorCode error = ErrorCode::Transport;  ///< The error's code (when !ok).
  int http_status = 0;                     ///< The last reply's status, 0 if none.
  std::string_view vendor_code;            ///< The vendor's code of a failure, if it gave one.
  bool outcome_unknown = false;  ///< A write that may have been applied although it failed.
  bool token_refreshed = false;  ///< A refused token was replaced and the call re-sent.
  std::chrono::microseconds duration{0};     ///< From the call to its outcome.
  std::chrono::microseconds decode_time{0};  ///< Spent turning the reply into the result.
  std::string_view traceparent;              ///< The call's W3C traceparent, if it had one.
  std::uint64_t call_id = 0;                 ///< As in TryEvent: the same in each of its tries.
};

/// Receives the events of every call of a client (ClientOptions::observer). Called from
/// several threads at once, never on the thread that drives libcurl: blocking calls report
/// on the calling thread, async calls on one event thread of the client's, in order per
/// call (each try before its call). Must be quick, must not throw, must not call back into
/// the client. Events hold views: copy what you keep. No secret is ever in an event.
class ERPBRIDGE_CORE_EXPORT CallObserver {
 public:
  virtual ~CallObserver() = default;
  /// One try has ended (answered, failed, or cut short by a cancel).
  virtual void on_try(const TryEvent& event) = 0;
  /// One call has ended, after the events of all its tries.
  virtual void on_call(const CallEvent& event) = 0;
};

/// Whether `value` is a W3C trace-context `traceparent` this SDK sends: version 00,
/// lower-case hex, trace and parent ids not all zero ("00-<32 hex>-<16 hex>-<2 hex>").
ERPBRIDGE_CORE_EXPORT bool is_valid_traceparent(std::string_view value) noexcept;

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
