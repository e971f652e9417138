#include "call/reply.hpp"
#include "erpbridge/version.hpp"  // first: the versioned namespaces

namespace erpbridge::internal {
namespace {

bool is_success(int status) {
  return status >= 200 && status < 300;
}

// A server error (or a gateway's) says nothing reliable about what the server did before it
// failed: a write answered so may have been applied, whatever the body says.
bool leaves_write_open(int status) {
  return status == 500 || status == 502 || status == 504;
}

// The first 200 bytes of a body, with secret-named JSON values masked: enough to recognise a
// proxy's error page or a vendor's message.
std::string excerpt(const std::string& body) {
  std::size_t cut = std::min<std::size_t>(body.size(), 200);
  // Never split a UTF-8 character: the excerpt goes into messages and logs.
  while (cut < body.size() && cut > 0 && (static_cast<unsigned char>(body[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return RedactionPolicy::json_body(std::string_view(body).substr(0, cut));
}

}  // namespace

ErrorCode code_for_status(int status) noexcept {
  switch (status) {
    case 400:
    case 422:
      return ErrorCode::InvalidArgument;
    case 401:
    case 403:
      return ErrorCode::Unauthenticated;
    case 404:
      return ErrorCode::NotFound;
    case 409:
    case 412:
      return ErrorCode::FailedPrecondition;
    default:
      return ErrorCode::Http;
  }
}

Error status_error(const HttpResponse& response, const CallContext& call) {
  Error error;
  error.code = code_for_status(response.status);
  error.http_status = response.status;
  error.retryable = is_retryable_status(response.status);
  error.outcome_unknown = call.write && leaves_write_open(response.status);
  const std::string text = excerpt(response.body);
  error.message = call.what + ": HTTP " + std::to_string(response.status) +
                  (text.empty() ? std::string() : ": " + text);
  return error;
}

Error unreadable_reply(const HttpResponse& response, const CallContext& call,
                       const std::string& problem) {
  Error error = make_error(ErrorCode::Decode, call.what + " reply: " + problem);
  error.http_status = response.status;
  if (call.write) {
    error.outcome_unknown = true;
    error.message += " (the server may have applied the write: check before repeating it)";
  }
  return error;
}

Error decoder_threw(const char* what, bool write) {
  Error error = make_error(ErrorCode::Internal, std::string("decoding the reply threw: ") + what);
  if (write) {
    error.outcome_unknown = true;
    error.message += " (the server may have applied the write: check before repeating it)";
  }
  return error;
}

Error vendor_error(ErrorCode code, const char* code_name, std::string vendor_code,
                   std::string vendor_message, const HttpResponse& response,
                   const CallContext& call) {
  Error error;
  error.code = code == ErrorCode::Api && !is_success(response.status)
                   ? code_for_status(response.status)
                   : code;
  error.http_status = response.status;
  error.retryable = is_retryable_status(response.status);
  error.outcome_unknown = call.write && leaves_write_open(response.status);
  error.message = call.what + " failed: " + code_name + " " +
                  (vendor_code.empty() ? "-" : vendor_code) +
                  (vendor_message.empty() ? "" : " " + vendor_message);
  error.vendor_code = std::move(vendor_code);
  error.vendor_message = std::move(vendor_message);
  return error;
}

}  // namespace erpbridge::internal
