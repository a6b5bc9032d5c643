#pragma once

#include <sys/types.h>

#include <string>

#include "channels/email/imap_client.hpp"
#include "channels/peer_process.hpp"

// A Dovecot instance of a test's own: config, passwd-file and Maildir under `dir`, IMAP on
// 127.0.0.1 with a free port, user "agent". Plaintext login, or STARTTLS required with a
// self-signed certificate.
namespace ombud::channels::test {

class DovecotPeer {
 public:
  // True when dovecot-imapd is installed.
  static bool Installed();

  // Starts Dovecot; "" on success, else what went wrong.
  std::string Start(const std::string& dir, bool tls);
  void Stop() { server_.Stop(); }

  // Delivers `raw` into the Maildir the way an MDA does (tmp/ then rename to new/); "" on
  // success.
  std::string Deliver(const std::string& raw);

  // A client configuration that logs in as the test user.
  const email::ImapConfig& config() const { return config_; }
  std::string Log() const;
  // The Maildir (new/ and cur/ below it).
  std::string maildir() const { return dir_ + "/home/agent/Maildir"; }

 private:
  std::string dir_;
  PeerProcess server_;
  email::ImapConfig config_;
  int delivered_ = 0;
  uid_t mail_uid_ = 0;
  gid_t mail_gid_ = 0;
};

}  // namespace ombud::channels::test
