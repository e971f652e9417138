// In-process service emulators: a router from HttpRequest to HttpResponse that is itself an
// HttpTransport (no sockets), with per-route fault injection.
#pragma once

#include "erpbridge/testing/export.hpp"
#include "erpbridge/version.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "erpbridge/core/http.hpp"

namespace erpbridge::testing {

/// A request as a route handler sees it.
struct ERPBRIDGE_TESTING_EXPORT EmulatorRequest {
  HttpMethod method = HttpMethod::Get;             ///< The verb.
  std::string path;                                ///< Decoded path without query.
  std::map<std::string, std::string> query;        ///< Decoded query parameters.
  std::map<std::string, std::string> path_params;  ///< Values of "{name}" segments.
  HttpHeaders headers;                             ///< Header fields.
  std::string body;                                ///< The request body.
  /// The route is in variance mode (Emulator::set_variance): answer with the shapes the
  /// documents allow but their samples do not show.
  bool variance = false;

  /// The first value of header `name` (case-insensitive), or nullptr.
  const std::string* header(std::string_view name) const { return find_header(headers, name); }
  /// The query parameter's value, or "" when absent.
  std::string query_value(const std::string& name) const;
};

/// What goes wrong on a route, for testing clients against misbehaving servers.
struct ERPBRIDGE_TESTING_EXPORT Fault {
  std::chrono::milliseconds latency{0};  ///< Added before answering.
  /// If non-zero, the answer's body is sent at this many bytes per second (over HTTP: paced
  /// in 64 KiB pieces; in process: the whole body's time is waited once).
  std::uint64_t bytes_per_second = 0;
  int status = 0;                  ///< If non-zero, answer with this status instead.
  std::optional<int> retry_after;  ///< Adds "Retry-After: N" (seconds).
  bool reset = false;              ///< Drop the connection without an answer.
  bool truncate = false;           ///< Send fewer body bytes than Content-Length says.
  bool non_json = false;           ///< Answer 200 with an HTML body.
  /// If set, replaces the answer's body (an empty string sends an empty body). "{{echo}}" in
  /// it becomes the request as received (path, query values raw and URL-encoded, headers,
  /// body), JSON-escaped: a server that echoes whatever it was sent, secrets included.
  std::optional<std::string> body;
  /// Header fields added to the answer; "{{echo}}" in a value works as in `body` (folded
  /// onto one line).
  HttpHeaders headers;
  /// How many matching requests the fault applies to; -1 for all.
  int times = -1;
  /// If non-empty, the fault applies only to requests whose body contains this text.
  std::string body_contains;
};

/// The answer of the emulator, plus how the connection should misbehave (for the server).
struct ERPBRIDGE_TESTING_EXPORT EmulatorReply {
  HttpResponse response;               ///< What to answer.
  bool reset = false;                  ///< Drop the connection instead.
  bool truncate = false;               ///< Send only half the body.
  std::uint64_t bytes_per_second = 0;  ///< If non-zero, the body's pace.
};

/// Routes requests to handlers; thread-safe. Patterns are paths whose segments may be
/// "{name}" placeholders, e.g. "/api/v1/afterservice/orders/{id}".
class ERPBRIDGE_TESTING_EXPORT Emulator : public HttpTransport {
 public:
  /// Answers one request of a route.
  using Handler = std::function<HttpResponse(const EmulatorRequest&)>;

  /// Sends `method` requests matching `pattern` to `handler`.
  void route(HttpMethod method, std::string pattern, Handler handler);

  /// Applies `fault` to requests whose path matches `pattern` (any method when none given).
  void set_fault(std::string pattern, Fault fault, std::optional<HttpMethod> method = {});
  /// Removes every fault.
  void clear_faults();
  /// Adds latency to every route.
  void set_global_latency(std::chrono::milliseconds latency);
  /// Sends every answer's body at `bytes_per_second` (0: as fast as it goes), e.g. 12.5 MB/s
  /// for a 100 Mbit/s link; a fault's own bytes_per_second wins.
  void set_global_bandwidth(std::uint64_t bytes_per_second);
  /// Ends every added-latency wait in progress at once, so a server stopping does not sit out
  /// a slow fault it has already made its point with (EmulatorServer::stop calls it).
  void cut_latency_waits();

  /// Variance mode for requests whose path matches `pattern` (any method when none given):
  /// the family emulators then answer with shapes their documents allow but the samples do
  /// not show (a write's `data` empty, a list without `status`, ISO times, numbers as
  /// strings, exponent amounts, ...). `pattern` "*" switches every route.
  void set_variance(std::string pattern, bool on = true, std::optional<HttpMethod> method = {});

  /// Routes one request (applying faults); unknown paths get 404, known paths with another
  /// method get 405, both with a JSON body.
  EmulatorReply dispatch(const EmulatorRequest& request);

  /// HttpTransport over dispatch(): reset and truncation become Transport errors.
  Result<HttpResponse> send(const HttpRequest& request) override;

  /// Requests dispatched so far, per path (what a test asserts retry counts with).
  std::size_t request_count(const std::string& path) const;
  /// Requests dispatched so far, all paths together.
  std::size_t total_requests() const;
  /// The most requests that were being answered at the same moment: what a concurrency test
  /// checks to prove its calls overlapped.
  std::size_t max_concurrent_requests() const;

  /// Parses an absolute or origin-form URL into an EmulatorRequest (path, query).
  static EmulatorRequest to_emulator_request(const HttpRequest& request);

 private:
  struct Route {
    HttpMethod method;
    std::vector<std::string> segments;
    Handler handler;
  };
  struct FaultRule {
    std::vector<std::string> segments;
    std::optional<HttpMethod> method;
    Fault fault;
  };

  mutable std::mutex mutex_;
  struct VarianceRule {
    std::vector<std::string> segments;  // empty: every path
    std::optional<HttpMethod> method;
    bool on;
  };

  std::vector<Route> routes_;
  std::vector<FaultRule> faults_;
  std::vector<VarianceRule> variance_;
  std::chrono::milliseconds global_latency_{0};
  std::uint64_t global_bandwidth_ = 0;
  std::condition_variable latency_cut_;
  std::uint64_t latency_cuts_ = 0;
  std::map<std::string, std::size_t> counts_;
  std::size_t total_ = 0;
  std::size_t in_flight_ = 0;
  std::size_t max_in_flight_ = 0;
};

}  // namespace erpbridge::testing
