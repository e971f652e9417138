// HTTP request/response values and the transport seam every client sends through.
#pragma once

#include "erpbridge/core/export.hpp"
#include "erpbridge/version.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "erpbridge/core/background.hpp"
#include "erpbridge/core/future.hpp"
#include "erpbridge/core/result.hpp"

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {

/// HTTP verbs the families use.
enum class HttpMethod {
  Get,     ///< GET
  Post,    ///< POST
  Put,     ///< PUT
  Delete,  ///< DELETE
  Patch,   ///< PATCH
};

/// "GET", "POST", ...
ERPBRIDGE_CORE_EXPORT const char* to_string(HttpMethod method) noexcept;

/// Header fields in the order given; names compare case-insensitively.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

/// The first value of header `name` (case-insensitive), or nullptr.
ERPBRIDGE_CORE_EXPORT const std::string* find_header(const HttpHeaders& headers,
                                                     std::string_view name) noexcept;

/// Percent-encodes a query or path component (RFC 3986 unreserved characters kept).
ERPBRIDGE_CORE_EXPORT std::string url_encode(std::string_view text);

/// Decodes %XX escapes and '+' as space; malformed escapes are kept as they are.
ERPBRIDGE_CORE_EXPORT std::string url_decode(std::string_view text);

/// Takes a response body as it arrives, so that a caller can decode a large reply while it
/// downloads and the body never has to exist whole. A transport may use it or ignore it
/// (then the body arrives whole in HttpResponse::body, as always). One that uses it calls
/// begin() once per try when the status and headers are in; if begin() returns true, the
/// body goes to write() instead of HttpResponse::body (which keeps only its first bytes, for
/// logs and error texts), end() follows in every case, and the response says
/// HttpResponse::body_streamed.
class ERPBRIDGE_CORE_EXPORT BodyStream {
 public:
  virtual ~BodyStream() = default;
  /// A try's reply begins; whether to take its body.
  virtual bool begin(int status, const HttpHeaders& headers) = 0;
  /// The next bytes of the body.
  virtual void write(const char* data, std::size_t size) = 0;
  /// The body ended: `complete`, or cut short (the try failed). Must not wait for the
  /// stream's consumer: an async transport calls it on the thread that drives every transfer.
  virtual void end(bool complete) = 0;
  /// Whether write() would wait now for the stream's consumer to catch up. A transport that
  /// must never wait (one thread drives every async transfer) asks before each write and,
  /// on true, holds the bytes back until `ready` is called: once, from any thread, when
  /// write() would no longer wait. The default never waits.
  virtual bool would_wait(const std::function<void()>& ready) {
    (void)ready;
    return false;
  }
};

/// A request as a transport sends it.
struct ERPBRIDGE_CORE_EXPORT HttpRequest {
  HttpMethod method = HttpMethod::Get;  ///< The verb.
  std::string url;                      ///< Absolute: "http://host:port/path?query".
  HttpHeaders headers;                  ///< Header fields, in order.
  std::string body;                     ///< The body (JSON for every family).
  /// Safe to send more than once: only idempotent requests are retried.
  bool idempotent = false;
  /// Limit for this one try; zero means the transport's default.
  std::chrono::milliseconds timeout{0};
  /// If set, where a transport that streams may send the body (see BodyStream).
  std::shared_ptr<BodyStream> body_stream;
};

/// Where the time of one transfer went, each phase counted from its start (libcurl's
/// CURLINFO_*_TIME_T): zero when unknown (a transport that does not measure) or skipped (a
/// reused connection has no name lookup, connect or TLS time of its own).
struct ERPBRIDGE_CORE_EXPORT TransferTimings {
  std::chrono::microseconds name_lookup{0};  ///< Until the name was resolved.
  std::chrono::microseconds connect{0};      ///< Until the TCP connection was up.
  std::chrono::microseconds tls{0};          ///< Until the TLS handshake ended (0 for http).
  std::chrono::microseconds first_byte{0};   ///< Until the first byte of the reply.
  std::chrono::microseconds total{0};        ///< Until the transfer ended.
};

/// A complete response, whatever its status.
struct ERPBRIDGE_CORE_EXPORT HttpResponse {
  int status = 0;       ///< The HTTP status code.
  HttpHeaders headers;  ///< Header fields, in order.
  std::string body;     ///< The body, decompressed (its first bytes, if streamed).
  /// The body went to the request's BodyStream.
  bool body_streamed = false;
  /// Body bytes received (those streamed included).
  std::uint64_t body_bytes = 0;
  /// Phase times, as the transport measured them.
  TransferTimings timings{};
};

/// Sends requests. Implementations must be safe to call from several threads at once.
class ERPBRIDGE_CORE_EXPORT HttpTransport : public std::enable_shared_from_this<HttpTransport> {
 public:
  virtual ~HttpTransport() = default;

  /// Sends one request and waits for its response. A response with any HTTP status is a
  /// value; only failures to get a complete response are errors (Transport, Timeout), with
  /// Error::outcome_unknown set when the request may have reached the server.
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;

  /// Sends a batch with at most `max_concurrency` in flight; results in request order.
  /// The default sends them one after another.
  virtual std::vector<Result<HttpResponse>> send_all(const std::vector<HttpRequest>& requests,
                                                     std::size_t max_concurrency);

  /// Starts sending `request` and returns at once; the future completes as send() would,
  /// from the transport's own thread. Cancelling it stops the transfer promptly: Cancelled,
  /// with Error::outcome_unknown when a request not marked idempotent may have been sent.
  /// The default runs send() on a worker thread of the transport's own (BackgroundThreads,
  /// joined when the transport ends), so a transport that implements send() alone (a mock,
  /// an emulator) serves async calls too.
  virtual Future<HttpResponse> send_async(HttpRequest request);

  /// Runs `task` once `delay` has passed, on the transport's own thread where it has one
  /// (retries wait this way, with no thread asleep). The default uses the timer thread of
  /// the transport's BackgroundThreads; timers not yet due when the transport ends are
  /// dropped.
  virtual void schedule(std::chrono::milliseconds delay, std::function<void()> task);

 private:
  BackgroundThreads background_;  // what the defaults above run on, started on first use
};

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
