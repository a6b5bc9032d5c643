#pragma once

#include <curl/curl.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

// libcurl handles owned by unique_ptr, and the session options the mail clients share.
// Internal to ombud_channels.
namespace ombud::channels::http {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;
using CurlList = std::unique_ptr<curl_slist, SlistDeleter>;

// A CURLOPT_WRITEFUNCTION appending to the std::string in CURLOPT_WRITEDATA, up to kMaxBytes
// (more aborts the transfer with CURLE_WRITE_ERROR).
template <std::size_t kMaxBytes>
std::size_t AppendUpTo(char* data, std::size_t size, std::size_t count, void* user) {
  auto* out = static_cast<std::string*>(user);
  const std::size_t n = size * count;
  if (out->size() + n > kMaxBytes) return 0;
  out->append(data, n);
  return n;
}

// Timeouts, TLS (STARTTLS required on the plain scheme when `config.starttls`), peer checks
// and login of a mail-server session (SMTP or IMAP config: same fields). `error` must hold
// CURL_ERROR_SIZE bytes and outlive the transfer.
template <typename MailConfig>
void SetMailSessionOptions(CURL* c, const MailConfig& config, const char* protocols,
                           std::string_view plain_scheme, char* error) {
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, protocols);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(config.total_timeout.count()));
  if (std::string_view(config.url).starts_with(plain_scheme)) {
    curl_easy_setopt(
        c, CURLOPT_USE_SSL,
        config.starttls ? static_cast<long>(CURLUSESSL_ALL) : static_cast<long>(CURLUSESSL_NONE));
  }
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, config.verify_peer ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, config.verify_peer ? 2L : 0L);
  if (!config.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, config.ca_file.c_str());
  if (!config.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, config.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, config.password.c_str());
  }
}

}  // namespace ombud::channels::http
