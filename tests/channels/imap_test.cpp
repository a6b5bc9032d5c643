#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "channels/email/imap_client.hpp"
#include "channels/email/mime_parser.hpp"
#include "channels/peer_process.hpp"
#include "channels/test_data.hpp"
#include "support/temp_dir.hpp"

namespace ombud::channels::email {
namespace {

namespace fs = std::filesystem;
using channels::test::FreePort;
using channels::test::PeerProcess;

// A Dovecot instance of our own: config, passwd-file and Maildir in a temporary directory,
// IMAP on 127.0.0.1 with a free port, plaintext login allowed (no TLS on loopback).
class DovecotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string dovecot = channels::test::FindExecutable({"/usr/sbin/dovecot"});
    if (dovecot.empty()) GTEST_SKIP() << "dovecot-imapd is not installed";
    const std::string d = dir_.path();
    // Dovecot's auth process runs as its own user: it must reach the passwd file.
    chmod(d.c_str(), 0711);
    for (const char* sub : {"run", "state", "home/agent/Maildir/new", "home/agent/Maildir/cur",
                            "home/agent/Maildir/tmp"}) {
      fs::create_directories(d + "/" + sub);
    }
    WriteFile(dir_.File("passwd"), "agent:{PLAIN}s3cret-pass\n");
    chmod(dir_.File("passwd").c_str(), 0644);
    // Dovecot never gives mail access to uid 0: as root, the mail belongs to the dovecot user.
    uid_t uid = getuid();
    gid_t gid = getgid();
    std::string users;
    if (uid == 0) {
      const passwd* pw = getpwnam("dovecot");
      if (pw == nullptr) pw = getpwnam("nobody");
      ASSERT_NE(pw, nullptr);
      uid = pw->pw_uid;
      gid = pw->pw_gid;
      for (const auto& entry : fs::recursive_directory_iterator(d + "/home")) {
        ASSERT_EQ(lchown(entry.path().c_str(), uid, gid), 0);
      }
      ASSERT_EQ(chown((d + "/home").c_str(), uid, gid), 0);
    } else {
      const passwd* pw = getpwuid(uid);
      const group* gr = getgrgid(gid);
      ASSERT_NE(pw, nullptr);
      users = "default_internal_user = " + std::string(pw->pw_name) +
              "\ndefault_login_user = " + pw->pw_name +
              "\ndefault_internal_group = " + (gr != nullptr ? gr->gr_name : pw->pw_name) + "\n";
    }
    std::string ssl = "ssl = no\ndisable_plaintext_auth = no\n";
    if (tls_) {
      ASSERT_EQ(channels::test::MakeSelfSignedCert(d), "");
      ssl = "ssl = required\nssl_cert = <" + d + "/cert.pem\nssl_key = <" + d +
            "/key.pem\ndisable_plaintext_auth = yes\n";
    }
    mail_uid_ = uid;
    mail_gid_ = gid;
    port_ = FreePort();
    WriteFile(
        dir_.File("dovecot.conf"),
        "protocols = imap\nlisten = 127.0.0.1\nbase_dir = " + d + "/run\nstate_dir = " + d +
            "/state\nlog_path = " + d + "/dovecot.log\n" + ssl +
            "auth_mechanisms = plain login\n"
            "auth_failure_delay = 0\n"
            "first_valid_uid = 1\n" +
            users + "passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u " +
            d + "/passwd\n}\nuserdb {\n  driver = static\n  args = uid=" + std::to_string(uid) +
            " gid=" + std::to_string(gid) + " home=" + d +
            "/home/%u\n}\nmail_location = maildir:~/Maildir\n"
            "service imap-login {\n  inet_listener imap {\n    address = 127.0.0.1\n"
            "    port = " +
            std::to_string(port_) +
            "\n  }\n  inet_listener imaps {\n"
            "    port = 0\n  }\n}\n");
    const std::string error = server_.Start({dovecot, "-F", "-c", dir_.File("dovecot.conf")},
                                            dir_.File("dovecot.out"), port_);
    ASSERT_EQ(error, "") << channels::test::ReadFile(dir_.File("dovecot.log"));
    config_.url = "imap://127.0.0.1:" + std::to_string(port_);
    config_.starttls = tls_;
    if (tls_) config_.ca_file = dir_.File("cert.pem");
    config_.username = "agent";
    config_.password = "s3cret-pass";
    config_.connect_timeout = std::chrono::milliseconds(10000);
    config_.total_timeout = std::chrono::milliseconds(15000);
  }

  static void WriteFile(const std::string& path, const std::string& content) {
    std::ofstream(path, std::ios::binary) << content;
  }

  // Delivers `raw` into the Maildir the way an MDA does (tmp/ then rename to new/).
  void Deliver(const std::string& raw) {
    const std::string name = "17000000" + std::to_string(10 + delivered_++) + ".M1P1.ombud";
    const std::string tmp = dir_.path() + "/home/agent/Maildir/tmp/" + name;
    WriteFile(tmp, raw);
    ASSERT_EQ(lchown(tmp.c_str(), mail_uid_, mail_gid_), 0);
    fs::rename(tmp, dir_.path() + "/home/agent/Maildir/new/" + name);
  }

  std::string Log() const { return channels::test::ReadFile(dir_.File("dovecot.log")); }

  ombud::test::TempDir dir_;
  PeerProcess server_;
  ImapConfig config_;
  int port_ = 0;
  int delivered_ = 0;
  bool tls_ = false;  // STARTTLS required, with a self-signed certificate for 127.0.0.1.
  uid_t mail_uid_ = 0;
  gid_t mail_gid_ = 0;
};

TEST_F(DovecotTest, ListsFetchesAndMarksSeen) {
  const std::string first = ReadChannelData("vi_utf8.eml");
  const std::string second = ReadChannelData("attachments.eml");
  Deliver(first);
  Deliver(second);

  const auto status = GetMailboxStatus(config_);
  ASSERT_TRUE(status.has_value()) << status.error().message << Log();
  EXPECT_NE(status->uid_validity, 0u);
  EXPECT_EQ(status->messages, 2u);
  EXPECT_EQ(status->uid_next, 3u);

  const auto uids = ListUidsAbove(config_, 0);
  ASSERT_TRUE(uids.has_value()) << uids.error().message;
  ASSERT_EQ(*uids, (std::vector<std::uint32_t>{1, 2}));

  const auto raw = FetchMessage(config_, 1);
  ASSERT_TRUE(raw.has_value()) << raw.error().message;
  EXPECT_EQ(*raw, first);  // The stored file is CRLF already: Dovecot returns it unchanged.
  const auto parsed = ParseEmail(*raw);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->message_id, "msg-vi-1@example.vn");
  EXPECT_EQ(parsed->ticket_number, "C-2026-000123");

  const auto attachments = FetchMessage(config_, 2);
  ASSERT_TRUE(attachments.has_value());
  const auto parsed2 = ParseEmail(*attachments);
  ASSERT_TRUE(parsed2.has_value());
  EXPECT_EQ(parsed2->attachments.size(), 2u);

  ASSERT_TRUE(MarkSeen(config_, 2).has_value());
  const auto above_two = ListUidsAbove(config_, 2);
  ASSERT_TRUE(above_two.has_value());
  EXPECT_TRUE(above_two->empty());  // "3:*" matches UID 2 on the server; filtered out.

  Deliver(ReadChannelData("auto_reply.eml"));
  const auto more = ListUidsAbove(config_, 2);
  ASSERT_TRUE(more.has_value());
  EXPECT_EQ(*more, (std::vector<std::uint32_t>{3}));
}

TEST_F(DovecotTest, ErrorsAreClassified) {
  Deliver(ReadChannelData("vi_utf8.eml"));
  const auto missing = FetchMessage(config_, 42);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound) << missing.error().message;

  ImapConfig no_box = config_;
  no_box.mailbox = "Nope";
  const auto box = ListUidsAbove(no_box, 0);
  ASSERT_FALSE(box.has_value());
  EXPECT_NE(box.error().code, ErrorCode::kUnavailable) << box.error().message;

  no_box.mailbox = "bad\"name";
  EXPECT_EQ(ListUidsAbove(no_box, 0).error().field, "mailbox");

  // Last: Dovecot slows every login from an address after a failed one.
  ImapConfig bad_password = config_;
  bad_password.password = "wrong";
  const auto refused = ListUidsAbove(bad_password, 0);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition) << refused.error().message;
}

class DovecotTlsTest : public DovecotTest {
 protected:
  void SetUp() override {
    tls_ = true;
    DovecotTest::SetUp();
  }
};

TEST_F(DovecotTlsTest, FetchesOverStartTls) {
  Deliver(ReadChannelData("km_subject.eml"));
  const auto uids = ListUidsAbove(config_, 0);
  ASSERT_TRUE(uids.has_value()) << uids.error().message << Log();
  ASSERT_EQ(*uids, (std::vector<std::uint32_t>{1}));
  const auto raw = FetchMessage(config_, 1);
  ASSERT_TRUE(raw.has_value());
  EXPECT_EQ(ParseEmail(*raw)->subject, "សំណើរប្តឹងតវ៉ា");

  // Dovecot takes loopback as secure and would accept a clear login too: check the log.
  EXPECT_NE(Log().find("method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, mpid="), std::string::npos);
  EXPECT_NE(Log().find(", TLS, session="), std::string::npos) << Log();
}

TEST(ImapClient, RefusedConnectionIsUnavailable) {
  ImapConfig config;
  config.url = "imap://127.0.0.1:" + std::to_string(FreePort());
  config.starttls = false;
  const auto uids = ListUidsAbove(config, 0);
  ASSERT_FALSE(uids.has_value());
  EXPECT_EQ(uids.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace ombud::channels::email
