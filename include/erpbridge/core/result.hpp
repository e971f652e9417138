// Errors as values: every fallible call in erpbridge returns Result<T>.
#pragma once

#include "erpbridge/core/export.hpp"
#include "erpbridge/version.hpp"

#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace erpbridge {
inline namespace ERPBRIDGE_ABI_NAMESPACE {

/// What kind of failure an Error describes.
enum class ErrorCode {
  InvalidArgument,     ///< The caller's input breaks a documented rule; nothing was sent.
  Unauthenticated,     ///< Credentials missing, wrong or expired.
  NotFound,            ///< The addressed object does not exist.
  FailedPrecondition,  ///< The object is not in a state that allows the operation.
  Unimplemented,       ///< The connection does not implement this endpoint.
  Transport,           ///< Connecting, sending or receiving failed.
  Timeout,             ///< A per-try timeout or the overall deadline passed.
  Http,                ///< The server answered with an unexpected HTTP status.
  Api,                 ///< The vendor's envelope reported a failure.
  Decode,              ///< The response could not be decoded into the expected type.
  Cancelled,           ///< The caller cancelled the operation.
  Internal,            ///< Code of the caller's failed inside the SDK (a continuation threw).
};

/// The stable English name of a code, e.g. "InvalidArgument".
ERPBRIDGE_CORE_EXPORT const char* to_string(ErrorCode code) noexcept;

/// A failure: what went wrong, and enough context to decide what to do about it.
struct ERPBRIDGE_CORE_EXPORT Error {
  ErrorCode code = ErrorCode::Transport;  ///< The kind of failure.
  std::string message;                    ///< Human-readable, never contains a secret.
  int http_status = 0;                    ///< HTTP status when a response arrived, else 0.
  std::string vendor_code;     ///< The vendor's own code (`res`, `errorCode`, `status`...).
  std::string vendor_message;  ///< The vendor's own message text.
  bool retryable = false;      ///< Whether repeating the same request may succeed.
  /// A write that may have been applied although the call failed (the connection broke
  /// after the request was sent, or the reply's success code could not be read). Check the
  /// server's state before repeating it, or the write may be made twice.
  bool outcome_unknown = false;

  /// One line: "Api: message (http 200, vendor code 1: 签名无效)", with "; the write may
  /// have been applied" when the outcome is unknown.
  std::string to_string() const;
};

/// A reply field that did not fit its typed form. The call still succeeded: the member was
/// left empty and the value as received is kept here. Only a reply's success code decides
/// a call's outcome; every other field is read leniently and reports problems this way.
struct ERPBRIDGE_CORE_EXPORT DecodeNote {
  std::string path;     ///< JSON path of the field: "data[0].billdate".
  std::string problem;  ///< What was wrong: "invalid date-time \"…\": expected …".
  std::string raw;      ///< The value as received, as compact JSON text.

  /// "data[0].billdate: <problem> (received <raw>)".
  std::string to_string() const;
};

/// The decode notes of one result, in the order the fields arrived.
using DecodeNotes = std::vector<DecodeNote>;

/// Builds an Error with just a code and a message.
ERPBRIDGE_CORE_EXPORT Error make_error(ErrorCode code, std::string message);

/// Thrown by Result::value() for callers who prefer exceptions.
class ERPBRIDGE_CORE_EXPORT RuntimeError : public std::runtime_error {
 public:
  /// Carries `error`; what() is error.to_string().
  explicit RuntimeError(Error error);
  /// The error that was thrown.
  const Error& error() const noexcept { return error_; }

 private:
  Error error_;
};

namespace detail {
/// Reports a broken precondition (e.g. dereferencing an error Result) and aborts.
[[noreturn]] ERPBRIDGE_CORE_EXPORT void precondition_failed(const char* what) noexcept;
}  // namespace detail

/// Either a value of type T or an Error.
template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same<T, Error>::value, "Result<Error> is not meaningful");

 public:
  using value_type = T;  ///< The type of the value.

  /// A success holding `value`.
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT implicit
  /// A failure holding `error`.
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT implicit

  /// Whether this holds a value.
  bool ok() const noexcept { return state_.index() == 0; }
  /// Same as ok().
  explicit operator bool() const noexcept { return ok(); }

  ///@{
  /// The value; throws RuntimeError carrying the Error if there is none.
  T& value() & {
    throw_if_error();
    return std::get<0>(state_);
  }
  const T& value() const& {
    throw_if_error();
    return std::get<0>(state_);
  }
  /// By value, so `for (auto& x : f().value())` does not dangle.
  T value() && {
    throw_if_error();
    return std::get<0>(std::move(state_));
  }
  ///@}

  ///@{
  /// The error; a checked precondition that there is one.
  const Error& error() const& {
    if (ok()) detail::precondition_failed("Result::error() called on a value");
    return std::get<1>(state_);
  }
  Error&& error() && {
    if (ok()) detail::precondition_failed("Result::error() called on a value");
    return std::get<1>(std::move(state_));
  }
  ///@}

  ///@{
  /// Access to the value; a checked precondition that there is one.
  T& operator*() & { return checked(); }
  const T& operator*() const& { return checked(); }
  T operator*() && { return std::move(checked()); }
  T* operator->() { return &checked(); }
  const T* operator->() const { return &checked(); }
  ///@}

  /// The value, or `fallback` when this holds an error.
  template <typename U>
  T value_or(U&& fallback) const& {
    return ok() ? std::get<0>(state_) : static_cast<T>(std::forward<U>(fallback));
  }

  /// Reply fields that did not fit their typed form (empty when everything fit).
  const DecodeNotes& notes() const noexcept { return notes_; }
  /// Appends `notes` to this result's notes.
  void add_notes(DecodeNotes notes) {
    if (notes_.empty()) {
      notes_ = std::move(notes);
    } else {
      for (auto& note : notes) notes_.push_back(std::move(note));
    }
  }

 private:
  void throw_if_error() const {
    if (!ok()) throw RuntimeError(std::get<1>(state_));
  }
  T& checked() {
    if (!ok()) detail::precondition_failed("dereferenced a Result that holds an error");
    return std::get<0>(state_);
  }
  const T& checked() const {
    if (!ok()) detail::precondition_failed("dereferenced a Result that holds an error");
    return std::get<0>(state_);
  }

  std::variant<T, Error> state_;
  DecodeNotes notes_;
};

/// Success without a value, or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  using value_type = void;  ///< No value.

  /// A success.
  Result() = default;
  /// A failure holding `error`.
  Result(Error error) : error_(std::move(error)) {}  // NOLINT implicit

  /// Whether this is a success.
  bool ok() const noexcept { return !error_.has_value(); }
  /// Same as ok().
  explicit operator bool() const noexcept { return ok(); }

  /// Throws RuntimeError if this holds an error.
  void value() const {
    if (error_) throw RuntimeError(*error_);
  }
  ///@{
  /// The error; a checked precondition that there is one.
  const Error& error() const& {
    if (!error_) detail::precondition_failed("Result<void>::error() called on success");
    return *error_;
  }
  Error&& error() && {
    if (!error_) detail::precondition_failed("Result<void>::error() called on success");
    return std::move(*error_);
  }
  ///@}

  /// Reply fields that did not fit their typed form (empty when everything fit).
  const DecodeNotes& notes() const noexcept { return notes_; }
  /// Appends `notes` to this result's notes.
  void add_notes(DecodeNotes notes) {
    for (auto& note : notes) notes_.push_back(std::move(note));
  }

 private:
  std::optional<Error> error_;
  DecodeNotes notes_;
};

/// An empty success, for `return ok();` in functions returning Result<void>.
inline Result<void> ok() {
  return Result<void>();
}

}  // namespace ERPBRIDGE_ABI_NAMESPACE
}  // namespace erpbridge
