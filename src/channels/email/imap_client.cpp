#include "channels/email/imap_client.hpp"

#include <curl/curl.h>
#include <poll.h>

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

Status CurlFailure(CURLcode rc, const char* error);

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
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http::AppendUpTo<kMaxFetchBytes>);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
  const CURLcode rc = curl_easy_perform(c);
  if (rc == CURLE_OK) return out;
  return std::unexpected(CurlFailure(rc, error).error());
}

// What a failed libcurl IMAP transfer means to the caller.
Status CurlFailure(CURLcode rc, const char* error) {
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

namespace {

// A logged-in IMAP session on a libcurl connection (CONNECT_ONLY: libcurl does the greeting,
// STARTTLS and LOGIN), spoken line by line with curl_easy_send/recv.
class RawSession {
 public:
  Status Open(const ImapConfig& config) {
    OMBUD_RETURN_IF_ERROR(CheckConfig(config));
    http::EnsureCurlInitialised();
    curl_.reset(curl_easy_init());
    if (!curl_) return Fail(ErrorCode::kInternal, "curl_easy_init failed");
    CURL* c = curl_.get();
    curl_easy_setopt(c, CURLOPT_URL, (Base(config) + "/").c_str());
    http::SetMailSessionOptions(c, config, "imap,imaps", "imap://", error_);
    curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
    const CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) return CurlFailure(rc, error_);
    curl_socket_t socket = CURL_SOCKET_BAD;
    curl_easy_getinfo(c, CURLINFO_ACTIVESOCKET, &socket);
    if (socket == CURL_SOCKET_BAD) return Fail(ErrorCode::kUnavailable, "IMAP: no socket");
    socket_ = socket;
    return {};
  }

  Status Send(const std::string& line) {
    const std::string data = line + "\r\n";
    std::size_t sent = 0;
    while (sent < data.size()) {
      std::size_t n = 0;
      const CURLcode rc = curl_easy_send(curl_.get(), data.data() + sent, data.size() - sent, &n);
      if (rc == CURLE_AGAIN) {
        if (!Wait(POLLOUT, std::chrono::seconds(10))) {
          return Fail(ErrorCode::kUnavailable, "IMAP: send timed out");
        }
        continue;
      }
      if (rc != CURLE_OK) return CurlFailure(rc, error_);
      sent += n;
    }
    return {};
  }

  // The next line (without CRLF); nullopt when `deadline` passed or `stop()` said so first.
  Result<std::optional<std::string>> ReadLine(std::chrono::steady_clock::time_point deadline,
                                              const std::function<bool()>& stop) {
    for (;;) {
      if (const auto eol = buffer_.find("\r\n"); eol != std::string::npos) {
        std::string line = buffer_.substr(0, eol);
        buffer_.erase(0, eol + 2);
        return std::optional<std::string>(std::move(line));
      }
      if (buffer_.size() > 1 << 20) return Fail(ErrorCode::kUnavailable, "IMAP: line too long");
      char chunk[4096];
      std::size_t n = 0;
      const CURLcode rc = curl_easy_recv(curl_.get(), chunk, sizeof chunk, &n);
      if (rc == CURLE_OK) {
        if (n == 0) return Fail(ErrorCode::kUnavailable, "IMAP: the server closed the connection");
        buffer_.append(chunk, n);
        continue;
      }
      if (rc != CURLE_AGAIN) return std::unexpected(CurlFailure(rc, error_).error());
      if (std::chrono::steady_clock::now() >= deadline || (stop && stop())) {
        return std::optional<std::string>{};
      }
      Wait(POLLIN, std::chrono::milliseconds(500));
    }
  }

  // Reads until the tagged answer of `tag`; the untagged lines before it are in `untagged`.
  Status Expect(const std::string& tag, std::vector<std::string>* untagged = nullptr) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (;;) {
      OMBUD_ASSIGN_OR_RETURN(auto line, ReadLine(deadline, nullptr));
      if (!line) return Fail(ErrorCode::kUnavailable, "IMAP: no answer to " + tag);
      if (line->rfind(tag + " ", 0) == 0) {
        if (line->rfind(tag + " OK", 0) == 0) return {};
        return Fail(ErrorCode::kUnavailable, "IMAP: " + *line);
      }
      if (untagged != nullptr) untagged->push_back(std::move(*line));
    }
  }

 private:
  bool Wait(short events, std::chrono::milliseconds timeout) {
    pollfd p{static_cast<int>(socket_), events, 0};
    return ::poll(&p, 1, static_cast<int>(timeout.count())) > 0;
  }

  http::CurlHandle curl_;
  curl_socket_t socket_ = CURL_SOCKET_BAD;
  std::string buffer_;
  char error_[CURL_ERROR_SIZE] = {0};
};

bool HasCapability(const std::vector<std::string>& lines, std::string_view capability) {
  for (const auto& line : lines) {
    if (line.rfind("* CAPABILITY ", 0) != 0) continue;
    std::string upper(line);
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
    if ((upper + " ").find(" " + std::string(capability) + " ") != std::string::npos) return true;
  }
  return false;
}

// "* 12 EXISTS", "* 3 EXPUNGE", "* 4 FETCH (FLAGS …)", "* 1 RECENT": the mailbox changed.
bool IsChange(const std::string& line) {
  if (line.rfind("* ", 0) != 0) return false;
  for (const char* word : {" EXISTS", " EXPUNGE", " RECENT", " FETCH "}) {
    if (line.find(word) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

Result<IdleOutcome> WaitForChange(const ImapConfig& config, std::chrono::milliseconds max_wait,
                                  const std::function<bool()>& stop, std::uint32_t known_uid_next) {
  RawSession session;
  OMBUD_RETURN_IF_ERROR(session.Open(config));
  std::vector<std::string> capabilities;
  OMBUD_RETURN_IF_ERROR(session.Send("i1 CAPABILITY"));
  OMBUD_RETURN_IF_ERROR(session.Expect("i1", &capabilities));
  if (!HasCapability(capabilities, "IDLE")) return IdleOutcome::kNotOffered;
  OMBUD_RETURN_IF_ERROR(session.Send("i2 SELECT \"" + config.mailbox + "\""));
  std::vector<std::string> selected;
  OMBUD_RETURN_IF_ERROR(session.Expect("i2", &selected));
  for (const auto& line : selected) {
    // "* OK [UIDNEXT 12] Predicted next UID": mail that came in after the caller looked.
    const std::uint32_t uid_next = StatusItem(line, "[UIDNEXT");
    if (known_uid_next != 0 && uid_next > known_uid_next) {
      (void)session.Send("i4 LOGOUT");
      return IdleOutcome::kChanged;
    }
  }
  OMBUD_RETURN_IF_ERROR(session.Send("i3 IDLE"));
  // RFC 2177: servers may drop an IDLE after 30 minutes; never wait longer than 29.
  const auto deadline = std::chrono::steady_clock::now() +
                        std::min<std::chrono::milliseconds>(max_wait, std::chrono::minutes(29));
  bool idling = false;
  bool changed = false;
  for (;;) {
    OMBUD_ASSIGN_OR_RETURN(auto line, session.ReadLine(deadline, stop));
    if (!line) break;  // Time is up, or stopping.
    if (!idling) {
      if (line->rfind("+", 0) == 0) {
        idling = true;
        continue;
      }
      if (line->rfind("i3 ", 0) == 0) return Fail(ErrorCode::kUnavailable, "IMAP: " + *line);
    }
    if (IsChange(*line)) {
      changed = true;
      break;
    }
  }
  if (idling) {
    OMBUD_RETURN_IF_ERROR(session.Send("DONE"));
    OMBUD_RETURN_IF_ERROR(session.Expect("i3"));
  }
  (void)session.Send("i4 LOGOUT");
  return changed ? IdleOutcome::kChanged : IdleOutcome::kWaited;
}

}  // namespace ombud::channels::email
