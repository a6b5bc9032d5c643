#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "domain/result.hpp"

// IMAP intake over libcurl: the job remembers (uid_validity, last_uid) per mailbox, lists the
// UIDs above last_uid, fetches each, hands it to ParseEmail and the desk, then marks it \Seen.
// Between polls it waits with IDLE (RFC 2177) where the server offers it, on a session libcurl
// connects and logs in (CURLOPT_CONNECT_ONLY), so new mail is filed at once; otherwise it
// polls on its interval. Thread-safe: each call opens its own connection.
namespace ombud::channels::email {

struct ImapConfig {
  std::string url;                // imap://host:port or imaps://host:port
  std::string mailbox = "INBOX";  // ASCII names only (no modified UTF-7).
  bool starttls = true;           // Require STARTTLS on imap://.
  std::string username;
  std::string password;
  bool verify_peer = true;
  std::string ca_file;
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds total_timeout{60000};
};

struct MailboxStatus {
  std::uint32_t uid_validity = 0;  // When it changes, every stored last_uid is void.
  std::uint32_t uid_next = 0;
  std::uint32_t messages = 0;
};

// STATUS of the configured mailbox.
Result<MailboxStatus> GetMailboxStatus(const ImapConfig& config);

// UIDs greater than `last_uid`, ascending.
Result<std::vector<std::uint32_t>> ListUidsAbove(const ImapConfig& config, std::uint32_t last_uid);

// The raw RFC 5322 bytes of message `uid` (sets \Seen as a side effect of BODY[]).
Result<std::string> FetchMessage(const ImapConfig& config, std::uint32_t uid);

// Adds \Seen to message `uid`.
Status MarkSeen(const ImapConfig& config, std::uint32_t uid);
enum class IdleOutcome { kChanged, kWaited, kNotOffered };
// Selects the mailbox and waits in IDLE until the server reports a change (a new, removed or
// flagged message: kChanged), `max_wait` passes or `stop()` (checked twice a second) is true
// (kWaited). `known_uid_next` is the UIDNEXT the caller's last look saw: a larger one at
// SELECT means mail came in since, kChanged at once (0: not known). kNotOffered at once when
// the server has no IDLE capability.
Result<IdleOutcome> WaitForChange(const ImapConfig& config, std::chrono::milliseconds max_wait,
                                  const std::function<bool()>& stop,
                                  std::uint32_t known_uid_next = 0);

// Errors of all four: kUnavailable (connection, timeout, TLS, server busy), kFailedPrecondition
// (login refused), kNotFound (no such mailbox or message), kInvalidArgument (bad configuration).

}  // namespace ombud::channels::email
