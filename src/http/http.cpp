#include "erpbridge/core/http.hpp"

#include <atomic>

#include <cctype>

#include "core/text.hpp"

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {

const char* to_string(HttpMethod method) noexcept {
  switch (method) {
    case HttpMethod::Get:
      return "GET";
    case HttpMethod::Post:
      return "POST";
    case HttpMethod::Put:
      return "PUT";
    case HttpMethod::Delete:
      return "DELETE";
    case HttpMethod::Patch:
      return "PATCH";
  }
  return "GET";
}

const std::string* find_header(const HttpHeaders& headers, std::string_view name) noexcept {
  for (const auto& header : headers) {
    if (internal::iequals(header.first, name)) return &header.second;
  }
  return nullptr;
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    // RFC 3986's unreserved set spelled out: isalnum would follow the process locale.
    const bool letter_or_digit =
        (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    if (letter_or_digit || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string url_decode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 &&
               hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::vector<Result<HttpResponse>> HttpTransport::send_all(const std::vector<HttpRequest>& requests,
                                                          std::size_t /*max_concurrency*/) {
  std::vector<Result<HttpResponse>> results;
  results.reserve(requests.size());
  for (const auto& request : requests) results.push_back(send(request));
  return results;
}

Future<HttpResponse> HttpTransport::send_async(HttpRequest request) {
  // Kept alive until the send is done (a transport owned by a shared_ptr, as clients own
  // theirs; one that is not must outlive its calls).
  std::shared_ptr<HttpTransport> self = weak_from_this().lock();
  HttpTransport* transport = self ? self.get() : this;
  Promise<HttpResponse> promise;
  auto started = std::make_shared<std::atomic<bool>>(false);
  const bool idempotent = request.idempotent;
  promise.on_cancel([promise, started, idempotent] {
    Error error = make_error(ErrorCode::Cancelled, "cancelled");
    // send() cannot be interrupted: once it began, a write may reach the server.
    error.outcome_unknown = started->load() && !idempotent;
    promise.complete(std::move(error));
  });
  background_.run(
      [promise, started, self = std::move(self), transport, request = std::move(request)] {
        if (promise.cancel_requested()) return;
        started->store(true);
        promise.complete(transport->send(request));
      });
  return promise.future();
}

void HttpTransport::schedule(std::chrono::milliseconds delay, std::function<void()> task) {
  background_.run_after(delay, std::move(task));
}

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
