#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "domain/result.hpp"

// A minimal blocking HTTP client over libcurl for outbound channel calls (Kannel sendsms,
// Messenger Send API). Thread-safe: every call uses its own handle.
namespace ombud::channels::http {

struct HttpResponse {
  long status = 0;
  std::string body;
};

struct HttpOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{20000};
  std::vector<std::string> headers;  // "Name: value"
};

// Calls curl_global_init once; every libcurl user in this library calls it first.
void EnsureCurlInitialised();

// GET `url`. A transport failure (refused, timeout, DNS) is kUnavailable; any HTTP status is
// returned as a response for the caller to judge.
Result<HttpResponse> Get(const std::string& url, const HttpOptions& options = {});

// POST `body` with `content_type` to `url`; errors as for Get.
Result<HttpResponse> Post(const std::string& url, std::string_view content_type,
                          std::string_view body, const HttpOptions& options = {});

}  // namespace ombud::channels::http
