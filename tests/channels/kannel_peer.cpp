#include "channels/kannel_peer.hpp"

#include <chrono>
#include <fstream>
#include <sstream>
#include <string_view>
#include <thread>

namespace ombud::channels::test {

namespace {

constexpr const char* kBearerbox = "/usr/sbin/bearerbox";
constexpr const char* kSmsbox = "/usr/sbin/smsbox";
constexpr const char* kFakesmsc = "/usr/lib/kannel/test/fakesmsc";
constexpr std::string_view kSmsboxReady = "Connected to bearerbox";

std::size_t Count(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string_view::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

std::string KannelPeer::Missing() {
  if (FindExecutable({kBearerbox}).empty() || FindExecutable({kSmsbox}).empty()) {
    return "kannel is not installed";
  }
  if (FindExecutable({kFakesmsc}).empty()) return "kannel-extras (fakesmsc) is not installed";
  return "";
}

KannelPeer::KannelPeer(std::string dir, const std::string& get_url) : dir_(std::move(dir)) {
  admin_port_ = FreePort();
  box_port_ = FreePort();
  smsc_port_ = FreePort();
  sendsms_port_ = FreePort();
  SetGetUrl(get_url);
}

void KannelPeer::SetGetUrl(const std::string& get_url) {
  const int admin = admin_port_;
  std::ostringstream conf;
  conf << "group = core\nadmin-port = " << admin
       << "\nadmin-password = admin-pw\nadmin-interface = 127.0.0.1\nsmsbox-port = " << box_port_
       << "\nsmsbox-interface = 127.0.0.1\nbox-allow-ip = 127.0.0.1\nlog-file = \"" << dir_
       << "/bearerbox.log\"\nlog-level = 0\ndlr-storage = internal\n\n"
       << "group = smsc\nsmsc = fake\nsmsc-id = fake\nport = " << smsc_port_
       << "\nconnect-allow-ip = 127.0.0.1\n\n"
       << "group = smsbox\nbearerbox-host = 127.0.0.1\nbearerbox-port = " << box_port_
       << "\nsendsms-port = " << sendsms_port_ << "\nsendsms-interface = 127.0.0.1\nlog-file = \""
       << dir_ << "/smsbox.log\"\nlog-level = 0\n\n"
       << "group = sendsms-user\nusername = desk\npassword = desk-pw\nconcatenation = true\n"
       << "max-messages = 10\n\n"
       << "group = sms-service\nkeyword = default\ncatch-all = true\nmax-messages = 0\n"
       << "get-url = \"" << get_url << "\"\n";
  std::ofstream(dir_ + "/kannel.conf") << conf.str();
}

KannelPeer::~KannelPeer() {
  fakesmsc_.Stop();
  StopBoxes();
}

std::string KannelPeer::StartBoxes() {
  const std::string conf = dir_ + "/kannel.conf";
  const std::string log = dir_ + "/smsbox.log";
  const std::size_t connected_before = Count(ReadFile(log), kSmsboxReady);
  std::string error = bearerbox_.Start({kBearerbox, conf}, dir_ + "/bearerbox.out", box_port_);
  if (error.empty()) error = smsbox_.Start({kSmsbox, conf}, dir_ + "/smsbox.out", sendsms_port_);
  if (!error.empty()) return error;
  // smsbox opens sendsms before it has loaded its services and crashes on a request that
  // comes in between (urltrans_find_username); it connects to bearerbox after loading them.
  for (int attempt = 0; attempt < 200; ++attempt) {
    if (Count(ReadFile(log), kSmsboxReady) > connected_before) return "";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return "smsbox did not connect to bearerbox:\n" + ReadFile(log).substr(0, 4000);
}

void KannelPeer::StopBoxes() {
  smsbox_.Stop();
  bearerbox_.Stop();
}

std::string KannelPeer::StartHandset(const std::string& message) {
  fakesmsc_.Stop();
  return fakesmsc_.Start({kFakesmsc, "-H", "127.0.0.1", "-r", std::to_string(smsc_port_), "-i",
                          "0.1", "-m", "1", message},
                         dir_ + "/fakesmsc.out", 0);
}

std::vector<std::string> KannelPeer::HandsetReceived(std::size_t n) const {
  std::vector<std::string> out;
  for (int attempt = 0; attempt < 300; ++attempt) {
    out.clear();
    std::istringstream lines(ReadFile(dir_ + "/fakesmsc.out"));
    for (std::string line; std::getline(lines, line);) {
      const std::size_t at = line.find("Got message");
      if (at != std::string::npos) out.push_back(line.substr(at));
    }
    if (out.size() >= n) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return out;
}

sms::KannelConfig KannelPeer::Config() const {
  sms::KannelConfig config;
  config.sendsms_url = "http://127.0.0.1:" + std::to_string(sendsms_port_) + "/cgi-bin/sendsms";
  config.username = "desk";
  config.password = "desk-pw";
  config.from = "1234";
  config.timeout = std::chrono::milliseconds(5000);
  return config;
}

std::string KannelPeer::Logs() const {
  return ReadFile(dir_ + "/bearerbox.log").substr(0, 4000) + "\n" +
         ReadFile(dir_ + "/smsbox.log").substr(0, 4000);
}

}  // namespace ombud::channels::test
