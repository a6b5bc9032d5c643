#include "channels/email/imap_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <memory>

#include "channels/http/curl_handle.hpp"
#include "channels/http/curl_http.hpp"
#include "channels/text.hpp"

namespace ombud::channels::email {

namespace {

constexpr std::size_t kMaxFetchBytes = 64 * 1024 * 1024;

std::size_t Collect(char* data, std::size_t size, std::size_t count, void* user) {
  auto* out = static_cast<std::string*>(user);
  const std::size_t n = size * count;
  if (out->size() + n > kMaxFetchBytes) return 0;
  out->append(data, n);
  return n;
}

Status CheckConfig(const ImapConfig& config) {
  if (config.url.rfind("imap://", 0) != 0 && config.url.rfind("imaps://", 0) != 0) {
    return Fail(ErrorCode::kInvalidArgument, "IMAP URL must start with imap:// or imaps://", "url");
  }
  if (config.mailbox.empty()) return Fail(ErrorCode::kInvalidArgument, "empty mailbox", "mailbox");
  for (const char c : config.mailbox) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7E || c == '"' || c == '\\') {
      return Fail(ErrorCode::kInvalidArgument, "mailbox names must be printable ASCII", "mailbox");
    }
  }
  return {};
}

std::string Base(const ImapConfig& config) {
  std::string base = config.url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

// Runs one IMAP operation: `path` is appended to the base URL, `command` (when not empty) is
// sent as a custom request. Returns what libcurl wrote (untagged responses or the body).
Result<std::string> Perform(const ImapConfig& config, const std::string& path,
                            const std::string& command) {
  OMBUD_RETURN_IF_ERROR(CheckConfig(config));
  http::EnsureCurlInitialised();
  http::CurlHandle curl(curl_easy_init());
  if (!curl) return Fail(ErrorCode::kInternal, "curl_easy_init failed");
  CURL* c = curl.get();
  std::string out;
  char error[CURL_ERROR_SIZE] = {0};
  const std::string url = Base(config) + path;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  http::SetMailSessionOptions(c, config, "imap,imaps", "imap://", error);
  if (!command.empty()) curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, command.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
  const CURLcode rc = curl_easy_perform(c);
  if (rc == CURLE_OK) return out;
  const std::string detail = error[0] != '\0' ? error : curl_easy_strerror(rc);
  switch (rc) {
    case CURLE_LOGIN_DENIED:
      return Fail(ErrorCode::kFailedPrecondition, "IMAP login refused: " + detail);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Fail(ErrorCode::kInvalidArgument, "bad IMAP URL: " + detail, "url");
    case CURLE_REMOTE_FILE_NOT_FOUND:
      return Fail(ErrorCode::kNotFound, "IMAP mailbox or message not found: " + detail);
    case CURLE_QUOTE_ERROR:
      return Fail(ErrorCode::kNotFound, "IMAP command refused: " + detail);
    default:
      return Fail(ErrorCode::kUnavailable, "IMAP request failed, retry later: " + detail);
  }
}

std::string MailboxPath(const ImapConfig& config) { return "/" + UrlEncode(config.mailbox); }

// Parses the numbers after "NAME" in an untagged line's list, e.g. "UIDNEXT 12".
std::uint32_t StatusItem(std::string_view text, std::string_view name) {
  std::size_t pos = 0;
  while ((pos = text.find(name, pos)) != std::string_view::npos) {
    const std::size_t after = pos + name.size();
    const bool boundary_before = pos == 0 || text[pos - 1] == '(' || text[pos - 1] == ' ';
    if (boundary_before && after < text.size() && text[after] == ' ') {
      std::uint32_t value = 0;
      const char* first = text.data() + after + 1;
      const auto [ptr, ec] = std::from_chars(first, text.data() + text.size(), value);
      if (ec == std::errc()) return value;
    }
    pos = after;
  }
  return 0;
}

}  // namespace

Result<MailboxStatus> GetMailboxStatus(const ImapConfig& config) {
  OMBUD_ASSIGN_OR_RETURN(
      const std::string out,
      Perform(config, "/", "STATUS \"" + config.mailbox + "\" (UIDVALIDITY UIDNEXT MESSAGES)"));
  const std::size_t at = out.find("* STATUS");
  if (at == std::string::npos) {
    return Fail(ErrorCode::kNotFound, "no STATUS answer for mailbox " + config.mailbox, "mailbox");
  }
  const std::string_view line = std::string_view(out).substr(at);
  MailboxStatus status;
  status.uid_validity = StatusItem(line, "UIDVALIDITY");
  status.uid_next = StatusItem(line, "UIDNEXT");
  status.messages = StatusItem(line, "MESSAGES");
  return status;
}

Result<std::vector<std::uint32_t>> ListUidsAbove(const ImapConfig& config, std::uint32_t last_uid) {
  OMBUD_ASSIGN_OR_RETURN(const std::string out,
                         Perform(config, MailboxPath(config),
                                 "UID SEARCH UID " + std::to_string(last_uid + 1ULL) + ":*"));
  std::vector<std::uint32_t> uids;
  std::size_t pos = 0;
  while ((pos = out.find("* SEARCH", pos)) != std::string::npos) {
    pos += 8;
    while (pos < out.size() && out[pos] != '\r' && out[pos] != '\n') {
      while (pos < out.size() && out[pos] == ' ') ++pos;
      std::uint32_t uid = 0;
      const auto [ptr, ec] = std::from_chars(out.data() + pos, out.data() + out.size(), uid);
      if (ec != std::errc()) break;
      pos = static_cast<std::size_t>(ptr - out.data());
      // "n:*" also matches the highest UID when it is below n (RFC 3501 §6.4.8).
      if (uid > last_uid) uids.push_back(uid);
    }
  }
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  return uids;
}

Result<std::string> FetchMessage(const ImapConfig& config, std::uint32_t uid) {
  OMBUD_ASSIGN_OR_RETURN(std::string out,
                         Perform(config, MailboxPath(config) + "/;UID=" + std::to_string(uid), ""));
  if (out.empty()) {
    return Fail(ErrorCode::kNotFound, "no message with UID " + std::to_string(uid), "uid");
  }
  return out;
}

Status MarkSeen(const ImapConfig& config, std::uint32_t uid) {
  OMBUD_ASSIGN_OR_RETURN(const std::string out,
                         Perform(config, MailboxPath(config),
                                 "UID STORE " + std::to_string(uid) + " +FLAGS (\\Seen)"));
  (void)out;
  return {};
}

}  // namespace ombud::channels::email
