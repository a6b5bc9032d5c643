#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "channels/peer_process.hpp"
#include "channels/sms/kannel.hpp"

namespace ombud::channels::test {

// Kannel on 127.0.0.1 for tests: bearerbox with a fake SMSC, smsbox with sendsms (user "desk",
// password "desk-pw") and a catch-all get-url service, and fakesmsc (kannel-extras) as the
// handset. Files go to `dir`. Not thread-safe.
class KannelPeer {
 public:
  // Why Kannel cannot run here ("" when it can).
  static std::string Missing();

  // Picks ports and writes kannel.conf; `get_url` is the sms-service get-url (with Kannel's
  // escapes; its host must be 127.0.0.1).
  KannelPeer(std::string dir, const std::string& get_url);
  ~KannelPeer();
  // Rewrites kannel.conf with another get-url (for the next StartBoxes).
  void SetGetUrl(const std::string& get_url);

  // Starts (or restarts, on the same ports) bearerbox and smsbox. "" on success.
  std::string StartBoxes();
  void StopBoxes();
  // (Re)starts the handset sending one MO message ("from to type text"); it stays connected
  // to receive MT messages.
  std::string StartHandset(const std::string& message);
  // Lines fakesmsc printed for messages it received, waiting until there are `n`.
  std::vector<std::string> HandsetReceived(std::size_t n) const;

  // A sendsms configuration for this Kannel (from "1234").
  sms::KannelConfig Config() const;
  std::string Logs() const;

 private:
  std::string dir_;
  int admin_port_ = 0;
  int smsc_port_ = 0;
  int box_port_ = 0;
  int sendsms_port_ = 0;
  // Destroyed in reverse: the handset first.
  PeerProcess bearerbox_, smsbox_, fakesmsc_;
};

}  // namespace ombud::channels::test
