#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "domain/result.hpp"

// IMAP intake over libcurl, polled: the job remembers (uid_validity, last_uid) per mailbox,
// lists the UIDs above last_uid, fetches each, hands it to ParseEmail and the desk, then marks
// it \Seen. IDLE is not used (libcurl cannot hold an IDLE); docs/channels.md gives the
// polling interval. Thread-safe: each call opens its own connection.
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

// Errors of all four: kUnavailable (connection, timeout, TLS, server busy), kFailedPrecondition
// (login refused), kNotFound (no such mailbox or message), kInvalidArgument (bad configuration).

}  // namespace ombud::channels::email
