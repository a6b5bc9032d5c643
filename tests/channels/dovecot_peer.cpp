#include "channels/dovecot_peer.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace ombud::channels::test {

namespace fs = std::filesystem;

namespace {

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

}  // namespace

bool DovecotPeer::Installed() { return !FindExecutable({"/usr/sbin/dovecot"}).empty(); }

std::string DovecotPeer::Start(const std::string& d, bool tls) {
  const std::string dovecot = FindExecutable({"/usr/sbin/dovecot"});
  if (dovecot.empty()) return "dovecot-imapd is not installed";
  dir_ = d;
  // Dovecot's auth process runs as its own user: it must reach the passwd file.
  chmod(d.c_str(), 0711);
  for (const char* sub : {"run", "state", "home/agent/Maildir/new", "home/agent/Maildir/cur",
                          "home/agent/Maildir/tmp"}) {
    fs::create_directories(d + "/" + sub);
  }
  WriteFile(d + "/passwd", "agent:{PLAIN}s3cret-pass\n");
  chmod((d + "/passwd").c_str(), 0644);
  // Dovecot never gives mail access to uid 0: as root, the mail belongs to the dovecot user.
  uid_t uid = getuid();
  gid_t gid = getgid();
  std::string users;
  if (uid == 0) {
    const passwd* pw = getpwnam("dovecot");
    if (pw == nullptr) pw = getpwnam("nobody");
    if (pw == nullptr) return "neither a dovecot nor a nobody user";
    uid = pw->pw_uid;
    gid = pw->pw_gid;
    for (const auto& entry : fs::recursive_directory_iterator(d + "/home")) {
      if (lchown(entry.path().c_str(), uid, gid) != 0)
        return "cannot chown " + entry.path().string();
    }
    if (chown((d + "/home").c_str(), uid, gid) != 0) return "cannot chown " + d + "/home";
  } else {
    const passwd* pw = getpwuid(uid);
    const group* gr = getgrgid(gid);
    if (pw == nullptr) return "no passwd entry for the current user";
    users = "default_internal_user = " + std::string(pw->pw_name) +
            "\ndefault_login_user = " + pw->pw_name +
            "\ndefault_internal_group = " + (gr != nullptr ? gr->gr_name : pw->pw_name) + "\n";
  }
  std::string ssl = "ssl = no\ndisable_plaintext_auth = no\n";
  if (tls) {
    if (auto error = MakeSelfSignedCert(d); !error.empty()) return error;
    ssl = "ssl = required\nssl_cert = <" + d + "/cert.pem\nssl_key = <" + d +
          "/key.pem\ndisable_plaintext_auth = yes\n";
  }
  mail_uid_ = uid;
  mail_gid_ = gid;
  const int port = FreePort();
  WriteFile(d + "/dovecot.conf",
            "protocols = imap\nlisten = 127.0.0.1\nbase_dir = " + d + "/run\nstate_dir = " + d +
                "/state\nlog_path = " + d + "/dovecot.log\n" + ssl +
                "auth_mechanisms = plain login\n"
                "auth_failure_delay = 0\n"
                "first_valid_uid = 1\n" +
                users +
                "passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u " + d +
                "/passwd\n}\nuserdb {\n  driver = static\n  args = uid=" + std::to_string(uid) +
                " gid=" + std::to_string(gid) + " home=" + d +
                "/home/%u\n}\nmail_location = maildir:~/Maildir\n"
                "service imap-login {\n  inet_listener imap {\n    address = 127.0.0.1\n"
                "    port = " +
                std::to_string(port) +
                "\n  }\n  inet_listener imaps {\n"
                "    port = 0\n  }\n}\n");
  const std::string error =
      server_.Start({dovecot, "-F", "-c", d + "/dovecot.conf"}, d + "/dovecot.out", port);
  if (!error.empty()) return error + "\n" + Log();
  config_.url = "imap://127.0.0.1:" + std::to_string(port);
  config_.starttls = tls;
  if (tls) config_.ca_file = d + "/cert.pem";
  config_.username = "agent";
  config_.password = "s3cret-pass";
  config_.connect_timeout = std::chrono::milliseconds(10000);
  config_.total_timeout = std::chrono::milliseconds(15000);
  return "";
}

std::string DovecotPeer::Deliver(const std::string& raw) {
  const std::string name = "17000000" + std::to_string(10 + delivered_++) + ".M1P1.ombud";
  const std::string tmp = maildir() + "/tmp/" + name;
  WriteFile(tmp, raw);
  if (lchown(tmp.c_str(), mail_uid_, mail_gid_) != 0) return "cannot chown " + tmp;
  std::error_code ec;
  fs::rename(tmp, maildir() + "/new/" + name, ec);
  return ec ? ec.message() : "";
}

std::string DovecotPeer::Log() const { return ReadFile(dir_ + "/dovecot.log"); }

}  // namespace ombud::channels::test
