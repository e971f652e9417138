#include "core/redact.hpp"
#include "erpbridge/version.hpp"  // first: the versioned namespaces

#include "core/text.hpp"

#include <algorithm>
#include <cctype>

namespace erpbridge::internal {
namespace {

bool contains_name(const std::vector<std::string>& names, std::string_view name) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& n) { return iequals(n, name); });
}

// The name lists below are built once and never destroyed: a transport's I/O thread may still
// read them (an error text of a cancelled transfer) while the process exits, and a destructor
// run at exit would race with it.

// Header and query names whose values carry no secret.
const std::vector<std::string>& kDefaultVisibleHeaders =
    *new const std::vector<std::string>{"Content-Type",     "Content-Length",
                                        "Accept",           "Accept-Encoding",
                                        "Content-Encoding", "User-Agent",
                                        "Connection",       "Date",
                                        "Retry-After",      "Server",
                                        "groupName",        "accountid",
                                        "X-GW-Router-Addr", "Transfer-Encoding",
                                        "Keep-Alive",       "Expect"};
const std::vector<std::string>& kDefaultVisibleQuery = *new const std::vector<std::string>{
    "type", "page", "per_page", "status", "workflow_status", "creator_name", "key_word", "app_key"};

// JSON's own white space (not the locale's isspace).
bool is_json_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// JSON keys whose values are secrets, compared case-insensitively.
const std::vector<std::string>& kSecretJsonKeys = *new const std::vector<std::string>{
    "key",       "access_token", "app_secret",    "app_signature", "authorization",
    "token",     "password",     "secret",        "refresh_token", "app-token",
    "app_token", "appSecret",    "client_secret", "auth_data"};

}  // namespace

RedactionPolicy::RedactionPolicy() : RedactionPolicy({}, {}) {}

RedactionPolicy::RedactionPolicy(const std::vector<std::string>& extra_headers,
                                 const std::vector<std::string>& extra_query_params)
    : visible_headers_(kDefaultVisibleHeaders), visible_query_params_(kDefaultVisibleQuery) {
  // Secrets stay masked even if a caller lists them as visible.
  for (const auto& name : extra_headers) {
    if (!contains_name(kSecretJsonKeys, name)) visible_headers_.push_back(name);
  }
  for (const auto& name : extra_query_params) {
    if (!contains_name(kSecretJsonKeys, name)) visible_query_params_.push_back(name);
  }
}

bool RedactionPolicy::header_visible(std::string_view name) const {
  return contains_name(visible_headers_, name);
}

bool RedactionPolicy::query_param_visible(std::string_view name) const {
  return contains_name(visible_query_params_, name);
}

std::string RedactionPolicy::url(std::string_view url) const {
  std::size_t query_start = url.find('?');
  if (query_start == std::string_view::npos) return std::string(url);
  std::size_t fragment = url.find('#', query_start);
  std::string_view query =
      url.substr(query_start + 1, fragment == std::string_view::npos ? std::string_view::npos
                                                                     : fragment - query_start - 1);
  std::string out(url.substr(0, query_start + 1));
  std::size_t pos = 0;
  while (pos <= query.size()) {
    std::size_t end = query.find('&', pos);
    if (end == std::string_view::npos) end = query.size();
    std::string_view pair = query.substr(pos, end - pos);
    std::size_t eq = pair.find('=');
    std::string_view name = pair.substr(0, eq);
    if (pos != 0) out += '&';
    if (eq == std::string_view::npos || query_param_visible(url_decode(name))) {
      out.append(pair.data(), pair.size());
    } else {
      out.append(name.data(), name.size());
      out += '=';
      out += kMask;
    }
    pos = end + 1;
  }
  return out;
}

std::string RedactionPolicy::headers(const HttpHeaders& headers) const {
  std::string out;
  for (const auto& header : headers) {
    if (!out.empty()) out += ", ";
    out += header.first;
    out += ": ";
    if (header_visible(header.first)) {
      out += header.second;
    } else {
      out += kMask;
    }
  }
  return out;
}

std::string RedactionPolicy::json_body(std::string_view body) {
  std::string out;
  out.reserve(body.size());
  std::size_t i = 0;
  const std::size_t n = body.size();
  // Scan string tokens; when a string is an object key naming a secret, mask its value.
  while (i < n) {
    char c = body[i];
    if (c != '"') {
      out += c;
      ++i;
      continue;
    }
    std::size_t start = i++;
    while (i < n && body[i] != '"') i += body[i] == '\\' ? 2 : 1;
    std::size_t end = std::min(i + 1, n);
    std::string_view token = body.substr(start, end - start);
    out.append(token.data(), token.size());
    i = end;
    std::size_t colon = i;
    while (colon < n && is_json_space(body[colon])) ++colon;
    if (colon >= n || body[colon] != ':' || token.size() < 2) continue;
    std::string_view name = token.substr(1, token.size() - 2);
    if (!contains_name(kSecretJsonKeys, name)) continue;
    // Copy up to the value, then replace the value (string or scalar) by the mask.
    std::size_t value = colon + 1;
    while (value < n && is_json_space(body[value])) ++value;
    out.append(body.substr(i, value - i));
    if (value < n && body[value] == '"') {
      std::size_t j = value + 1;
      while (j < n && body[j] != '"') j += body[j] == '\\' ? 2 : 1;
      out += '"';
      out += kMask;
      out += '"';
      i = std::min(j + 1, n);
    } else if (value < n && body[value] != '{' && body[value] != '[') {
      std::size_t j = value;
      while (j < n && body[j] != ',' && body[j] != '}' && body[j] != ']' &&
             !is_json_space(body[j])) {
        ++j;
      }
      out += '"';
      out += kMask;
      out += '"';
      i = j;
    } else {
      i = value;  // objects/arrays under a secret name: their own keys are scanned
    }
  }
  return out;
}

}  // namespace erpbridge::internal
