#include "channels/email/smtp_client.hpp"

#include <curl/curl.h>

#include <cstring>
#include <memory>

#include "channels/http/curl_handle.hpp"
#include "channels/http/curl_http.hpp"

namespace ombud::channels::email {

namespace {

struct Upload {
  const std::string* data;
  std::size_t offset = 0;
};

std::size_t ReadUpload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const std::size_t n = std::min(size * count, upload->data->size() - upload->offset);
  std::memcpy(buffer, upload->data->data() + upload->offset, n);
  upload->offset += n;
  return n;
}

bool HasLineBreak(const std::string& s) { return s.find_first_of("\r\n") != std::string::npos; }

}  // namespace

Status Send(const SmtpConfig& config, const std::string& from, const std::vector<std::string>& to,
            const std::string& raw) {
  if (to.empty()) return Fail(ErrorCode::kInvalidArgument, "no recipient", "to");
  if (HasLineBreak(from)) return Fail(ErrorCode::kInvalidArgument, "bad sender", "from");
  for (const auto& r : to) {
    if (r.empty() || HasLineBreak(r))
      return Fail(ErrorCode::kInvalidArgument, "bad recipient", "to");
  }
  if (config.url.rfind("smtp://", 0) != 0 && config.url.rfind("smtps://", 0) != 0) {
    return Fail(ErrorCode::kInvalidArgument, "SMTP URL must start with smtp:// or smtps://", "url");
  }
  http::EnsureCurlInitialised();
  http::CurlHandle curl(curl_easy_init());
  if (!curl) return Fail(ErrorCode::kInternal, "curl_easy_init failed");
  CURL* c = curl.get();
  http::CurlList rcpt;
  for (const auto& r : to) rcpt.reset(curl_slist_append(rcpt.release(), ("<" + r + ">").c_str()));
  const std::string mail_from = "<" + from + ">";
  Upload upload{&raw};
  char error[CURL_ERROR_SIZE] = {0};

  curl_easy_setopt(c, CURLOPT_URL, config.url.c_str());
  http::SetMailSessionOptions(c, config, "smtp,smtps", "smtp://", error);
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(raw.size()));

  const CURLcode rc = curl_easy_perform(c);
  if (rc == CURLE_OK) return {};
  long reply = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
  std::string detail = error[0] != '\0' ? error : curl_easy_strerror(rc);
  if (reply != 0) detail += " (SMTP " + std::to_string(reply) + ")";
  if (rc == CURLE_LOGIN_DENIED) {
    return Fail(ErrorCode::kFailedPrecondition, "SMTP authentication failed: " + detail);
  }
  if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) {
    return Fail(ErrorCode::kInvalidArgument, "bad SMTP URL: " + detail, "url");
  }
  if (reply >= 500 && reply < 600) {
    return Fail(ErrorCode::kInvalidArgument, "SMTP server rejected the message: " + detail);
  }
  return Fail(ErrorCode::kUnavailable, "SMTP delivery failed, retry later: " + detail);
}

}  // namespace ombud::channels::email
