#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace ombud {

// The one error vocabulary of Ombud. Choosing a code:
//   kInvalidArgument    the caller sent something wrong; retrying the same request fails again.
//   kNotFound           the named thing does not exist (or the caller may not know it does).
//   kAlreadyExists      a create collided with an existing unique thing.
//   kPermissionDenied   the caller is known but may not do this.
//   kUnauthenticated    the caller is not known (no or bad credentials).
//   kFailedPrecondition the system is not in a state that allows this; fix the state first.
//   kConflict           a concurrent change or a reused idempotency key won; re-read and retry.
//   kUnavailable        transient: retry later with backoff.
//   kInternal           a bug or broken invariant.
enum class ErrorCode {
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kPermissionDenied,
  kUnauthenticated,
  kFailedPrecondition,
  kConflict,
  kUnavailable,
  kPayloadTooLarge,
  kInternal,
};

// Stable snake_case name of a code, as it appears in API bodies and logs.
std::string_view ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string field;  // The input field at fault, when there is one.
};

template <typename T>
using Result = std::expected<T, Error>;

using Status = std::expected<void, Error>;

inline std::unexpected<Error> Fail(ErrorCode code, std::string message, std::string field = {}) {
  return std::unexpected(Error{code, std::move(message), std::move(field)});
}

}  // namespace ombud

// Propagates an error from an expression yielding Result/Status.
#define OMBUD_RETURN_IF_ERROR(expr)                             \
  do {                                                          \
    if (auto ombud_status_ = (expr); !ombud_status_) {          \
      return std::unexpected(std::move(ombud_status_).error()); \
    }                                                           \
  } while (false)

#define OMBUD_CONCAT_INNER_(a, b) a##b
#define OMBUD_CONCAT_(a, b) OMBUD_CONCAT_INNER_(a, b)

// Declares or assigns `lhs` from a Result's value, or returns its error. Expands to several
// statements: put it in braces under an `if`.
#define OMBUD_ASSIGN_OR_RETURN(lhs, expr) \
  OMBUD_ASSIGN_OR_RETURN_IMPL_(OMBUD_CONCAT_(ombud_result_, __COUNTER__), lhs, expr)
#define OMBUD_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr)        \
  auto tmp = (expr);                                        \
  if (!tmp) return std::unexpected(std::move(tmp).error()); \
  lhs = std::move(*tmp)
