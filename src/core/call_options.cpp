#include "erpbridge/core/options.hpp"

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {
namespace {

thread_local CallOptions current_call_options;
}  // namespace

CallOptions CallOptions::overridden_by(const CallOptions& other) const {
  CallOptions merged = *this;
  if (other.idempotent) merged.idempotent = other.idempotent;
  if (other.request_timeout) merged.request_timeout = other.request_timeout;
  if (other.overall_deadline) merged.overall_deadline = other.overall_deadline;
  if (other.retry) merged.retry = other.retry;
  if (other.traceparent) merged.traceparent = other.traceparent;
  merged.extensions.override_with(other.extensions);
  return merged;
}

CallOptionsScope::CallOptionsScope(const CallOptions& options) : previous_(current_call_options) {
  current_call_options = previous_.overridden_by(options);
}

CallOptionsScope::~CallOptionsScope() {
  current_call_options = std::move(previous_);
}

const CallOptions& CallOptionsScope::current() noexcept {
  return current_call_options;
}

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
