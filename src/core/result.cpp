#include "erpbridge/core/result.hpp"

#include <cstdio>
#include <cstdlib>

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {

const char* to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::InvalidArgument:
      return "InvalidArgument";
    case ErrorCode::Unauthenticated:
      return "Unauthenticated";
    case ErrorCode::NotFound:
      return "NotFound";
    case ErrorCode::FailedPrecondition:
      return "FailedPrecondition";
    case ErrorCode::Unimplemented:
      return "Unimplemented";
    case ErrorCode::Transport:
      return "Transport";
    case ErrorCode::Timeout:
      return "Timeout";
    case ErrorCode::Http:
      return "Http";
    case ErrorCode::Api:
      return "Api";
    case ErrorCode::Decode:
      return "Decode";
    case ErrorCode::Cancelled:
      return "Cancelled";
    case ErrorCode::Internal:
      return "Internal";
  }
  return "Unknown";
}

std::string Error::to_string() const {
  std::string text = erpbridge::to_string(code);
  text += ": ";
  text += message;
  std::string details;
  if (http_status != 0) details += "http " + std::to_string(http_status);
  if (!vendor_code.empty() || !vendor_message.empty()) {
    if (!details.empty()) details += ", ";
    details += "vendor code " + (vendor_code.empty() ? std::string("-") : vendor_code);
    if (!vendor_message.empty()) details += ": " + vendor_message;
  }
  if (!details.empty()) text += " (" + details + ")";
  if (outcome_unknown) text += "; the write may have been applied";
  return text;
}

std::string DecodeNote::to_string() const {
  std::string text = path.empty() ? std::string("(root)") : path;
  text += ": ";
  text += problem;
  if (!raw.empty()) {
    text += " (received ";
    // A long value is shortened on a character boundary: notes go to logs.
    std::size_t cut = raw.size() <= 80 ? raw.size() : 80;
    while (cut < raw.size() && cut > 0 && (static_cast<unsigned char>(raw[cut]) & 0xC0) == 0x80) {
      --cut;
    }
    text.append(raw, 0, cut);
    if (cut < raw.size()) text += "…";
    text += ")";
  }
  return text;
}

Error make_error(ErrorCode code, std::string message) {
  Error error;
  error.code = code;
  error.message = std::move(message);
  return error;
}

RuntimeError::RuntimeError(Error error)
    : std::runtime_error(error.to_string()), error_(std::move(error)) {}

namespace detail {
void precondition_failed(const char* what) noexcept {
  std::fprintf(stderr, "erpbridge: precondition failed: %s\n", what);
  std::abort();
}
}  // namespace detail

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
