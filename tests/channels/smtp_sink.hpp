#pragma once

#include <string>
#include <vector>

#include "channels/peer_process.hpp"

namespace ombud::channels::test {

// The aiosmtpd sink (tests/channels/data/smtp_sink.py) on 127.0.0.1 at a free port: message n
// goes to `dir`/n.eml (envelope in n.env). Not thread-safe.
class SmtpSink {
 public:
  // Why the sink cannot run here ("" when it can).
  static std::string Missing();

  explicit SmtpSink(std::string dir);
  // Starts (or restarts on the same port); with a certificate and key it requires STARTTLS
  // and AUTH (user "desk", password "desk-pw"). "" on success.
  std::string Start(const std::string& cert_file = "", const std::string& key_file = "");
  void Stop() { process_.Stop(); }
  int port() const { return port_; }
  // Every message stored so far, in order of arrival.
  std::vector<std::string> Received() const;
  std::string LogTail() const { return process_.LogTail(); }

 private:
  std::string dir_;
  int port_ = 0;
  PeerProcess process_;
};

}  // namespace ombud::channels::test
