#include "channels/http/curl_http.hpp"

#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "channels/http/curl_handle.hpp"

namespace ombud::channels::http {

namespace {

constexpr std::size_t kMaxResponseBytes = 8 * 1024 * 1024;

Result<HttpResponse> Perform(const std::string& url, const std::string* post_body,
                             std::string_view content_type, const HttpOptions& options) {
  EnsureCurlInitialised();
  CurlHandle curl(curl_easy_init());
  if (!curl) return Fail(ErrorCode::kInternal, "curl_easy_init failed");
  HttpResponse response;
  CurlList headers;
  const auto add_header = [&](const std::string& h) {
    headers.reset(curl_slist_append(headers.release(), h.c_str()));
  };
  for (const auto& h : options.headers) add_header(h);
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options.total_timeout.count()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, AppendUpTo<kMaxResponseBytes>);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
  if (post_body != nullptr) {
    add_header("Content-Type: " + std::string(content_type));
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, post_body->data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post_body->size()));
  }
  if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    const ErrorCode code = rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL
                               ? ErrorCode::kInvalidArgument
                               : ErrorCode::kUnavailable;
    return Fail(code, std::string("HTTP request failed: ") + curl_easy_strerror(rc));
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace

void EnsureCurlInitialised() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Result<HttpResponse> Get(const std::string& url, const HttpOptions& options) {
  return Perform(url, nullptr, {}, options);
}

Result<HttpResponse> Post(const std::string& url, std::string_view content_type,
                          std::string_view body, const HttpOptions& options) {
  const std::string copy(body);
  return Perform(url, &copy, content_type, options);
}

}  // namespace ombud::channels::http
