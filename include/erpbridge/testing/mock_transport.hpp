// A scripted HttpTransport for unit tests: expected requests in, canned responses out.
#pragma once

#include "erpbridge/testing/export.hpp"
#include "erpbridge/version.hpp"

#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "erpbridge/core/http.hpp"

namespace erpbridge::testing {

/// The path of an absolute URL without query ("http://h:1/a/b?x=1" -> "/a/b").
ERPBRIDGE_TESTING_EXPORT std::string url_path(const std::string& url);

/// Expectations are answered in the order they were queued. A request that does not match
/// the next expectation (method, path, body matcher) gets an Unimplemented error naming
/// what was expected and what arrived, and is recorded as a failure.
class ERPBRIDGE_TESTING_EXPORT MockTransport : public HttpTransport {
 public:
  /// Whether a request body is the one expected.
  using BodyMatcher = std::function<bool(const std::string& body)>;

  /// One expected request and its answer.
  struct Expectation {
    HttpMethod method = HttpMethod::Get;          ///< The verb expected.
    std::string path;                             ///< The URL path expected (no query).
    BodyMatcher body_matcher;                     ///< Empty matches any body.
    Result<HttpResponse> reply = HttpResponse{};  ///< The response, or a transport error.
  };

  /// Queues an expected request answered by `response`.
  MockTransport& expect(HttpMethod method, std::string path, HttpResponse response,
                        BodyMatcher body_matcher = {});
  /// Queues an expected request answered by a transport-level error.
  MockTransport& expect_error(HttpMethod method, std::string path, Error error,
                              BodyMatcher body_matcher = {});

  /// Answers `request` with the next expectation, in order, when method, path and body match
  /// it; otherwise records the mismatch and returns Unimplemented naming it.
  Result<HttpResponse> send(const HttpRequest& request) override;

  /// Every request received, matched or not, in arrival order.
  std::vector<HttpRequest> requests() const;
  /// One line per request that did not match; empty when all matched.
  std::vector<std::string> failures() const;
  /// Expectations not yet consumed.
  std::size_t pending() const;
  /// True when every expectation was consumed and no request failed to match.
  bool satisfied() const;

 private:
  mutable std::mutex mutex_;
  std::vector<Expectation> expectations_;
  std::size_t next_ = 0;
  std::vector<HttpRequest> requests_;
  std::vector<std::string> failures_;
};

/// A body matcher: true when `needle` occurs in the body.
ERPBRIDGE_TESTING_EXPORT MockTransport::BodyMatcher body_contains(std::string needle);

/// An HttpResponse with a JSON body and Content-Type.
ERPBRIDGE_TESTING_EXPORT HttpResponse json_response(int status, std::string body);

}  // namespace erpbridge::testing
