// One flat struct of client settings, shared by every family.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "erpbridge/core/export.hpp"
#include "erpbridge/core/future.hpp"
#include "erpbridge/core/http.hpp"
#include "erpbridge/core/observer.hpp"
#include "erpbridge/core/option_bag.hpp"
#include "erpbridge/version.hpp"

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {

/// When and how often a failed idempotent request is repeated. A server's Retry-After is
/// honoured up to max_backoff, and never past the overall deadline.
struct ERPBRIDGE_CORE_EXPORT RetryPolicy {
  /// Tries in all, including the first. 1 disables retries.
  int max_attempts = 3;
  /// Delay before the second try; doubled for each later one, up to max_backoff.
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{5000};  ///< The longest delay between two tries.
  double backoff_multiplier = 2.0;              ///< Growth of the delay from one try to the next.
};

/// Per-call overrides of a client's settings, in the spirit of google-cloud-cpp's idempotency
/// policy and per-call options: a caller who knows better than the SDK's defaults changes
/// them for one call. Unset fields keep the client's settings.
struct ERPBRIDGE_CORE_EXPORT CallOptions {
  /// true: the call is safe to repeat, so failed tries are retried; false: it is never
  /// repeated. Unset: the endpoint's default, stated on each Connection method.
  std::optional<bool> idempotent;
  std::optional<std::chrono::milliseconds> request_timeout;   ///< Limit for one try.
  std::optional<std::chrono::milliseconds> overall_deadline;  ///< Limit for the whole call.
  std::optional<RetryPolicy> retry;                           ///< Tries and backoff.
  /// A W3C trace-context `traceparent` ("00-<trace id>-<parent id>-<flags>"): sent as the
  /// `traceparent` header of every try and carried in the call's events, so a tracer can
  /// link the vendor call to the caller's span. A malformed one fails the call with
  /// InvalidArgument before anything is sent.
  std::optional<std::string> traceparent;
  /// Settings added after this major version froze the fields above (see OptionBag).
  OptionBag extensions{};

  /// These options with every field and extension `other` sets taken from `other`.
  CallOptions overridden_by(const CallOptions& other) const;
};

/// Applies `options` to every request this thread sends through an erpbridge client while
/// the scope lives (RAII). Scopes nest; the innermost one wins field by field. Client::with()
/// opens one around each of its calls; open one yourself around calls on a Connection.
/// The scope belongs to the thread that opened it and must be closed on that thread.
class ERPBRIDGE_CORE_EXPORT CallOptionsScope {
 public:
  /// Overrides the fields `options` sets until destruction.
  explicit CallOptionsScope(const CallOptions& options);
  ~CallOptionsScope();
  CallOptionsScope(const CallOptionsScope&) = delete;
  CallOptionsScope& operator=(const CallOptionsScope&) = delete;

  /// The overrides in force on this thread (empty outside any scope).
  static const CallOptions& current() noexcept;

 private:
  CallOptions previous_;
};

/// How much the log sink receives.
enum class LogLevel {
  Debug,    ///< Requests and responses with redacted headers and bodies.
  Info,     ///< One line per request and per response.
  Warning,  ///< Failed tries only.
  Error,    ///< Nothing below errors.
};

/// Receives one line per request and per response or failure, and a Warning per decode note.
/// Secrets are already masked when a line reaches the sink: by name (headers, query
/// parameters, JSON keys) and by value (every key and token the SDK sends).
///
/// Called on the thread that makes the call, possibly from several threads at once: a sink
/// must be thread-safe, and must not call back into the client that logs.
using LogSink = std::function<void(LogLevel level, std::string_view line)>;

/// Settings for any erpbridge client. All fields have working defaults except base_url.
struct ERPBRIDGE_CORE_EXPORT ClientOptions {
  /// Scheme, host, port and optional path prefix, e.g. "http://127.0.0.1:8080".
  std::string base_url;
  std::chrono::milliseconds connect_timeout{5000};  ///< Limit for opening a connection.
  /// Limit for one try of a request.
  std::chrono::milliseconds request_timeout{30000};
  /// Limit for a whole call including its retries; zero means no overall limit.
  std::chrono::milliseconds overall_deadline{60000};
  RetryPolicy retry;  ///< Retries of idempotent requests.
  /// Proxy URL ("http://proxy:3128"); empty means no proxy, whatever the environment says.
  std::string proxy;
  /// PEM bundle of trusted CAs; empty means the system store.
  std::string ca_file;
  /// Verify the server's TLS certificate and host name. Turn off only for local tests.
  bool verify_tls = true;
  std::string user_agent = "erpbridge/" ERPBRIDGE_VERSION_STRING;  ///< The User-Agent header.
  /// Ask for compressed replies (Accept-Encoding: the encodings libcurl decodes) and
  /// decompress them. Worth it for large replies over slow links; off by default because
  /// on a LAN it only costs client CPU (about 9,000 instructions a call, by callgrind, in a
  /// typed CTC call of some 130,000). max_response_bytes bounds the decompressed size.
  bool accept_compressed = false;
  /// Responses larger than this are rejected with an error.
  std::size_t max_response_bytes = 64u * 1024u * 1024u;
  /// Where request/response lines go; none by default.
  LogSink log_sink;
  LogLevel log_level = LogLevel::Info;  ///< Debug adds redacted headers and bodies.
  /// Header names (case-insensitive) whose values may appear in logs; every other header
  /// value is masked. Extends the built-in list (Content-Type, Accept, ...).
  std::vector<std::string> log_visible_headers;
  /// Query parameter names whose values may appear in logs; others are masked.
  std::vector<std::string> log_visible_query_params;
  /// Send through this transport instead of libcurl (mocks, emulators).
  std::shared_ptr<HttpTransport> transport;
  /// Async calls of one client in flight at once (each with its retries); later ones queue
  /// until one ends. With libcurl this also bounds the client's open connections.
  std::size_t max_in_flight = 64;
  /// Receives one event per try and one per call (see CallObserver); none by default.
  std::shared_ptr<CallObserver> observer;
  /// Threads of the client's own that decode async replies and run what follows them (a
  /// continuation given no executor, a token refresh), so that the I/O thread only moves
  /// bytes. Started on demand, joined when the client is destroyed.
  std::size_t completion_threads = 1;
  /// Runs that work on an application's own executor instead of the client's threads. It
  /// must not run a task inline on the thread that hands it over (the I/O thread).
  Executor completion_executor;
  /// Settings added after this major version froze the fields above (and each family's
  /// Options fields): TcpKeepAliveOption, ... Always the last member of ClientOptions.
  OptionBag extensions{};
};

/// TCP keep-alive on the connections of a libcurl transport: after this long idle, the
/// kernel probes the peer every such interval and drops a connection that stopped
/// answering, instead of keeping a dead one (a NAT or firewall that forgot it) in the pool
/// for the next call. Zero, negative or unset: no probes (the operating system's default).
/// Linux accepts at most 32,767 s; a longer time is taken as 32,767 s.
/// Set it in ClientOptions::extensions.
struct ERPBRIDGE_CORE_EXPORT TcpKeepAliveOption {
  using Type = std::chrono::seconds;  ///< Idle time before the first probe and between probes.
};

/// A libcurl transport configured from `options` (timeouts, proxy, TLS, size cap).
/// Connections are reused across calls and threads.
ERPBRIDGE_CORE_EXPORT std::shared_ptr<HttpTransport> make_curl_transport(
    const ClientOptions& options);

/// Ends the async side of a transport from make_curl_transport() at once, rather than when
/// its last reference goes: async transfers in flight end Cancelled (a write that may have
/// been sent says so) and its I/O thread is joined, unless called on that thread. Later
/// async sends end Cancelled; blocking sends still work. A client does this to the transport
/// it made from its options as it is destroyed. Does nothing to another kind of transport.
ERPBRIDGE_CORE_EXPORT void shutdown_curl_transport(HttpTransport& transport);

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
