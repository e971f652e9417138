// Masks secrets before anything reaches a log line or an error text.
#pragma once

#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "erpbridge/core/http.hpp"

namespace erpbridge::internal {

inline constexpr std::string_view kMask = "***";

/// How many of a body's first bytes a response keeps once the body has been decoded in place
/// or streamed to a decoder: logs and error texts quote no more.
inline constexpr std::size_t kKeptBodyBytes = 512;

/// Names of headers, query parameters and JSON keys whose values may be shown. Everything
/// not on it is masked in headers and queries; JSON bodies mask only known secret keys.
class RedactionPolicy {
 public:
  RedactionPolicy();
  RedactionPolicy(const std::vector<std::string>& extra_headers,
                  const std::vector<std::string>& extra_query_params);

  bool header_visible(std::string_view name) const;
  bool query_param_visible(std::string_view name) const;

  /// "http://h/p?access_token=***&page=2".
  std::string url(std::string_view url) const;
  /// "Content-Type: application/json, Authorization: ***".
  std::string headers(const HttpHeaders& headers) const;
  /// The body with the values of secret JSON keys (key, access_token, app_secret,
  /// Authorization, token, password, ...) masked. Works on any text: a body that is not
  /// JSON is still scanned for "key": value pairs.
  static std::string json_body(std::string_view body);

 private:
  std::vector<std::string> visible_headers_;
  std::vector<std::string> visible_query_params_;
};

}  // namespace erpbridge::internal
