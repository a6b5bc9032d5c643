#include "api/http_types.hpp"

#include <boost/json.hpp>

namespace ombud::api {

std::string_view Request::Param(std::string_view name) const {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return {};
}

std::optional<std::string_view> Request::Query(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return std::string_view(v);
  }
  return std::nullopt;
}

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kFailedPrecondition:
      return 422;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

Response ErrorResponse(int status, std::string_view code, std::string_view message,
                       std::string_view field) {
  boost::json::object err{{"code", code}, {"message", message}, {"field", field}};
  return Response{status,
                  boost::json::serialize(boost::json::object{{"error", std::move(err)}}),
                  "application/json",
                  {}};
}

Response ErrorResponse(const Error& error) {
  return ErrorResponse(HttpStatusFor(error.code), ErrorCodeName(error.code), error.message,
                       error.field);
}

}  // namespace ombud::api
