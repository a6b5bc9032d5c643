#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "channels/email/mime_builder.hpp"
#include "channels/email/smtp_client.hpp"
#include "channels/peer_process.hpp"
#include "channels/smtp_sink.hpp"
#include "channels/text.hpp"
#include "support/temp_dir.hpp"

namespace ombud::channels::email {
namespace {

using channels::test::FreePort;
using channels::test::ReadFile;
using channels::test::SmtpSink;

// An aiosmtpd sink (tests/channels/data/smtp_sink.py) on 127.0.0.1 with a free port.
class SmtpSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string missing = SmtpSink::Missing(); !missing.empty()) GTEST_SKIP() << missing;
    ASSERT_EQ(sink_.Start(), "");
    config_.url = "smtp://127.0.0.1:" + std::to_string(sink_.port()) + "/desk.example";
    config_.starttls = false;  // The sink has no certificate; TLS is covered by libcurl.
    config_.connect_timeout = std::chrono::milliseconds(3000);
    config_.total_timeout = std::chrono::milliseconds(10000);
  }

  // The bytes the sink stored for its `n`-th message (waits for the file to appear).
  std::string Received(int n) {
    const std::string path = dir_.File(std::to_string(n) + ".eml");
    for (int i = 0; i < 200 && !std::filesystem::exists(path); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return ReadFile(path);
  }

  ombud::test::TempDir dir_;
  SmtpSink sink_{dir_.path()};
  SmtpConfig config_;
};

OutboundEmail Reply() {
  OutboundEmail e;
  e.from = {"VieON CSKH", "cskh@desk.example"};
  e.to = {{"Lê Thị Hoa", "hoa@example.vn"}};
  e.subject = "[C-2026-000045] Phản hồi khiếu nại";
  e.date = MillisFromCivil(2026, 3, 5, 2, 0, 0);
  e.message_id = MakeMessageId("C-2026-000045", "desk.example");
  e.in_reply_to = "msg-vi-2@example.vn";
  e.references = {"msg-vi-2@example.vn"};
  e.auto_submitted = true;
  e.text = "Dear customer,\n.a line that starts with a dot\nThank you.\n";
  e.html = "<p>Dear customer,</p>";
  e.attachments = {{"bien-ban.pdf", "application/pdf", "", "%PDF-1.4 test"}};
  return e;
}

TEST_F(SmtpSinkTest, DeliversTheBuiltMessageByteForByte) {
  const OutboundEmail e = Reply();
  const auto raw = BuildEmail(e);
  ASSERT_TRUE(raw.has_value());
  const auto sent = Send(config_, "cskh@desk.example", {"hoa@example.vn", "cc@example.vn"}, *raw);
  ASSERT_TRUE(sent.has_value()) << sent.error().message;
  const std::string got = Received(1);
  EXPECT_EQ(got, *raw);  // Dot-stuffing undone by the sink; nothing added or changed.
  EXPECT_EQ(ReadFile(dir_.File("1.env")), "cskh@desk.example\nhoa@example.vn\ncc@example.vn\n");
  for (const std::string& header : {"Message-Id: <" + e.message_id + ">\r\n",
                                    std::string("In-Reply-To: <msg-vi-2@example.vn>\r\n"),
                                    std::string("References: <msg-vi-2@example.vn>\r\n"),
                                    std::string("Auto-Submitted: auto-replied\r\n")}) {
    EXPECT_NE(got.find(header), std::string::npos) << header;
  }
}

TEST_F(SmtpSinkTest, PermanentRejectionIsInvalidArgument) {
  const auto raw = BuildEmail(Reply());
  ASSERT_TRUE(raw.has_value());
  const auto sent = Send(config_, "cskh@desk.example", {"reject-me@example.vn"}, *raw);
  ASSERT_FALSE(sent.has_value());
  EXPECT_EQ(sent.error().code, ErrorCode::kInvalidArgument) << sent.error().message;
  EXPECT_NE(sent.error().message.find("550"), std::string::npos) << sent.error().message;
}

TEST_F(SmtpSinkTest, TemporaryRejectionIsUnavailable) {
  const auto raw = BuildEmail(Reply());
  ASSERT_TRUE(raw.has_value());
  const auto sent = Send(config_, "cskh@desk.example", {"later@example.vn"}, *raw);
  ASSERT_FALSE(sent.has_value());
  EXPECT_EQ(sent.error().code, ErrorCode::kUnavailable) << sent.error().message;
}

TEST_F(SmtpSinkTest, StartTlsRequiredButNotOfferedIsUnavailable) {
  config_.starttls = true;
  const auto sent =
      Send(config_, "cskh@desk.example", {"hoa@example.vn"}, "Subject: x\r\n\r\nx\r\n");
  ASSERT_FALSE(sent.has_value());
  EXPECT_EQ(sent.error().code, ErrorCode::kUnavailable) << sent.error().message;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("1.eml")));  // Nothing sent in clear.
}

// The sink again, now requiring STARTTLS (self-signed certificate for 127.0.0.1) and AUTH.
class SmtpTlsSinkTest : public SmtpSinkTest {
 protected:
  void SetUp() override {
    if (const std::string missing = SmtpSink::Missing(); !missing.empty()) GTEST_SKIP() << missing;
    ASSERT_EQ(channels::test::MakeSelfSignedCert(dir_.path()), "");
    ASSERT_EQ(sink_.Start(dir_.File("cert.pem"), dir_.File("key.pem")), "");
    config_.url = "smtp://127.0.0.1:" + std::to_string(sink_.port());
    config_.starttls = true;
    config_.verify_peer = true;
    config_.ca_file = dir_.File("cert.pem");
    config_.username = "desk";
    config_.password = "desk-pw";
    config_.connect_timeout = std::chrono::milliseconds(5000);
    config_.total_timeout = std::chrono::milliseconds(15000);
  }
};

TEST_F(SmtpTlsSinkTest, SendsOverStartTlsWithAuth) {
  const auto raw = BuildEmail(Reply());
  ASSERT_TRUE(raw.has_value());
  const auto sent = Send(config_, "cskh@desk.example", {"hoa@example.vn"}, *raw);
  ASSERT_TRUE(sent.has_value()) << sent.error().message << sink_.LogTail();
  EXPECT_EQ(Received(1), *raw);
}

TEST_F(SmtpTlsSinkTest, WrongPasswordIsAPreconditionFailure) {
  config_.password = "wrong";
  const auto sent =
      Send(config_, "cskh@desk.example", {"hoa@example.vn"}, "Subject: x\r\n\r\nx\r\n");
  ASSERT_FALSE(sent.has_value());
  EXPECT_EQ(sent.error().code, ErrorCode::kFailedPrecondition) << sent.error().message;
}

TEST_F(SmtpTlsSinkTest, UntrustedCertificateIsRefused) {
  config_.ca_file.clear();  // The system CAs do not know the test certificate.
  const auto sent =
      Send(config_, "cskh@desk.example", {"hoa@example.vn"}, "Subject: x\r\n\r\nx\r\n");
  ASSERT_FALSE(sent.has_value());
  EXPECT_EQ(sent.error().code, ErrorCode::kUnavailable) << sent.error().message;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("1.eml")));
}

TEST(SmtpClient, RefusedConnectionIsUnavailableAndBadUrlInvalid) {
  SmtpConfig config;
  config.url = "smtp://127.0.0.1:" + std::to_string(FreePort());
  config.starttls = false;
  auto sent = Send(config, "a@desk.example", {"b@example.vn"}, "Subject: x\r\n\r\nx\r\n");
  ASSERT_FALSE(sent.has_value());
  EXPECT_EQ(sent.error().code, ErrorCode::kUnavailable);
  config.url = "http://127.0.0.1:1";
  sent = Send(config, "a@desk.example", {"b@example.vn"}, "x");
  EXPECT_EQ(sent.error().field, "url");
  config.url = "smtp://127.0.0.1:1";
  sent = Send(config, "a@desk.example\r\nRCPT TO:<x@y>", {"b@example.vn"}, "x");
  EXPECT_EQ(sent.error().field, "from");
}

}  // namespace
}  // namespace ombud::channels::email
