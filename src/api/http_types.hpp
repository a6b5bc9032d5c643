#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "desk/desk.hpp"
#include "domain/result.hpp"

namespace ombud::api {

// What a handler answers. Built on any thread, sent on the connection's I/O thread.
struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

// What a handler sees of a request. Valid until the handler's Reply is called.
struct Request {
  std::string method;                                       // "GET", "POST", ...
  std::string path;                                         // Decoded path, no query.
  std::string target;                                       // As sent.
  std::vector<std::pair<std::string, std::string>> query;   // Decoded, in order.
  std::vector<std::pair<std::string, std::string>> params;  // From the route pattern.
  std::string body;
  std::function<std::string_view(std::string_view)> header;  // "" when absent.
  std::optional<desk::Actor> actor;                          // Set for authenticated routes.
  std::string session_hash;                                  // Set when authenticated by cookie.
  std::string remote_address;                                // The peer's IP address.

  std::string_view Param(std::string_view name) const;
  std::optional<std::string_view> Query(std::string_view name) const;
};

// Call exactly once, from any thread.
using Reply = std::function<void(Response)>;

// Maps an error code to its HTTP status: the one table of the API.
int HttpStatusFor(ErrorCode code);
// {"error":{"code","message","field"}} with the mapped status.
Response ErrorResponse(const Error& error);
Response ErrorResponse(int status, std::string_view code, std::string_view message,
                       std::string_view field = "");

}  // namespace ombud::api
