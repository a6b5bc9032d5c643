#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "domain/result.hpp"

namespace ombud::channels::email {

struct SmtpConfig {
  // smtp://host:port (plain, or STARTTLS when `starttls`) or smtps://host:port (implicit TLS).
  // A path names the EHLO domain: smtp://mx.example:587/desk.example.
  std::string url;
  bool starttls = true;  // Require STARTTLS on smtp:// (refuse to send in clear).
  std::string username;  // Empty: no AUTH.
  std::string password;
  bool verify_peer = true;  // Check the server's certificate and host name.
  std::string ca_file;      // Extra CA bundle; empty: the system's.
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds total_timeout{60000};
};

// Sends one raw message (CRLF line ends, as BuildEmail makes it) to `to` with envelope sender
// `from`. Errors: kUnavailable for anything worth retrying (connection, timeout, TLS, 4xx);
// kInvalidArgument for a permanent 5xx rejection of the sender, a recipient or the message;
// kFailedPrecondition when authentication fails (fix the configuration). Thread-safe.
Status Send(const SmtpConfig& config, const std::string& from, const std::vector<std::string>& to,
            const std::string& raw);

}  // namespace ombud::channels::email
