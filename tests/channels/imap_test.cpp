#include <gtest/gtest.h>

#include "channels/dovecot_peer.hpp"
#include "channels/email/imap_client.hpp"
#include "channels/email/mime_parser.hpp"
#include "channels/peer_process.hpp"
#include "channels/test_data.hpp"
#include "support/temp_dir.hpp"

namespace ombud::channels::email {
namespace {

using channels::test::FreePort;

// A Dovecot of the test's own (tests/channels/dovecot_peer.hpp).
class DovecotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!channels::test::DovecotPeer::Installed()) GTEST_SKIP() << "dovecot-imapd is not installed";
    ASSERT_EQ(dovecot_.Start(dir_.path(), tls_), "");
    config_ = dovecot_.config();
  }

  void Deliver(const std::string& raw) { ASSERT_EQ(dovecot_.Deliver(raw), ""); }
  std::string Log() const { return dovecot_.Log(); }

  ombud::test::TempDir dir_;
  channels::test::DovecotPeer dovecot_;
  ImapConfig config_;
  bool tls_ = false;  // STARTTLS required, with a self-signed certificate for 127.0.0.1.
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
