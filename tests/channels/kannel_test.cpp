#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <sstream>
#include <thread>

#include "channels/kannel_peer.hpp"
#include "channels/peer_process.hpp"
#include "channels/sms/kannel.hpp"
#include "channels/sms/sms_split.hpp"
#include "channels/text.hpp"
#include "support/temp_dir.hpp"

namespace ombud::channels::sms {
namespace {

using channels::test::FindExecutable;
using channels::test::FreePort;
using channels::test::KannelPeer;
using channels::test::PeerProcess;
using channels::test::ReadFile;

// Kannel end to end on 127.0.0.1 (KannelPeer) with a local HTTP endpoint
// (data/http_sink.py) receiving the get-url and dlr-url callbacks.
class KannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string missing = KannelPeer::Missing(); !missing.empty()) {
      GTEST_SKIP() << missing;
    }
    python_ = FindExecutable({"/usr/bin/python3"});
    if (python_.empty()) GTEST_SKIP() << "python3 is not installed";
    http_port_ = FreePort();
    const std::string callback = "http://127.0.0.1:" + std::to_string(http_port_);
    kannel_ = std::make_unique<KannelPeer>(
        dir_.path(), callback + "/sms/in?from=%p&to=%P&text=%b&coding=%c&charset=%C&smsc=%i&ts=%T");
    ASSERT_EQ(
        http_.Start({python_, std::string(OMBUD_SOURCE_DIR) + "/tests/channels/data/http_sink.py",
                     std::to_string(http_port_), dir_.path()},
                    dir_.File("http.log"), http_port_),
        "");
    ASSERT_EQ(kannel_->StartBoxes(), "");
    config_ = kannel_->Config();
    config_.timeout = std::chrono::milliseconds(15000);
    dlr_callback_ = callback + "/sms/dlr";
  }

  // fakesmsc picks randomly among several messages, hence one per run.
  void StartHandset(const std::string& message) { ASSERT_EQ(kannel_->StartHandset(message), ""); }

  // Query strings of the callbacks received on `path`, waiting until there are `n`.
  std::vector<QueryParams> Callbacks(std::string_view path, std::size_t n) {
    std::vector<QueryParams> out;
    for (int attempt = 0; attempt < 300; ++attempt) {
      out.clear();
      std::istringstream lines(ReadFile(dir_.File("requests.jsonl")));
      for (std::string line; std::getline(lines, line);) {
        const std::string target(boost::json::parse(line).at("path").as_string());
        if (target.rfind(std::string(path) + "?", 0) != 0) continue;
        auto params = DecodeQuery(target.substr(path.size() + 1));
        if (params) out.push_back(*params);
      }
      if (out.size() >= n) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return out;
  }

  std::vector<std::string> HandsetReceived(std::size_t n) { return kannel_->HandsetReceived(n); }
  std::string Logs() { return kannel_->Logs(); }

  ombud::test::TempDir dir_;
  std::string python_;
  int http_port_ = 0;
  // Destroyed in reverse: Kannel first, the HTTP endpoint last.
  PeerProcess http_;
  std::unique_ptr<KannelPeer> kannel_;
  KannelConfig config_;
  std::string dlr_callback_;
};

TEST_F(KannelTest, ReceivesGsmAndUcs2MessagesThroughGetUrl) {
  // "សួស្តី" (hello) in UTF-16BE, as a Khmer handset sends it.
  StartHandset("85512345678 1234 text Hello desk");
  ASSERT_EQ(Callbacks("/sms/in", 1).size(), 1u) << Logs();
  StartHandset("85599999999 1234 ucs2 %17%9F%17%BD%17%9F%17%D2%17%8F%17%B8");
  const auto callbacks = Callbacks("/sms/in", 2);
  ASSERT_EQ(callbacks.size(), 2u) << Logs();
  std::vector<InboundSms> received;
  for (const auto& params : callbacks) {
    const auto sms = ParseKannelCallback(params);
    ASSERT_TRUE(sms.has_value()) << sms.error().message;
    received.push_back(*sms);
  }
  std::sort(received.begin(), received.end(),
            [](const InboundSms& a, const InboundSms& b) { return a.from < b.from; });
  EXPECT_EQ(received[0].from, "85512345678");
  EXPECT_EQ(received[0].to, "1234");
  EXPECT_EQ(received[0].text, "Hello desk");
  EXPECT_EQ(received[0].smsc_id, "fake");
  EXPECT_TRUE(received[0].received_at.has_value());
  EXPECT_EQ(received[1].from, "85599999999");
  EXPECT_EQ(received[1].text, "សួស្តី");
}

TEST_F(KannelTest, SendsConcatenatedUcs2AndReportsDelivery) {
  StartHandset("85500000000 1234 text ping");  // With no message fakesmsc reads stdin.
  // Vietnamese, 90 UTF-16 units: two concatenated UCS-2 parts.
  std::string text;
  for (int i = 0; i < 5; ++i) text += "Cảm ơn quý khách. ";
  ASSERT_EQ(SplitSms(text).parts(), 2);
  Status sent;
  for (int attempt = 0; attempt < 50; ++attempt) {  // Until the fake SMSC has connected.
    sent = KannelSend(config_, "+84912345678", text, KannelDlrUrl(dlr_callback_, "out-7"));
    if (sent) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(sent.has_value()) << sent.error().message << Logs();
  const auto parts = HandsetReceived(2);
  ASSERT_EQ(parts.size(), 2u) << ReadFile(dir_.File("fakesmsc.out"));
  for (const auto& part : parts) {
    EXPECT_NE(part.find("1234 +84912345678 udh"), std::string::npos) << part;  // With a UDH.
  }
  // The fake SMSC acknowledges (8) and then reports delivery (1); Kannel reports once for the
  // whole concatenated message.
  const auto dlrs = Callbacks("/sms/dlr", 2);
  ASSERT_EQ(dlrs.size(), 2u) << Logs();
  bool delivered = false;
  bool submitted = false;
  for (const auto& params : dlrs) {
    const auto dlr = ParseKannelDlr(params);
    ASSERT_TRUE(dlr.has_value()) << dlr.error().message;
    EXPECT_EQ(dlr->message_ref, "out-7");
    EXPECT_EQ(dlr->smsc_id, "fake");
    delivered = delivered || dlr->state == DeliveryState::kDelivered;
    submitted = submitted || dlr->state == DeliveryState::kSmscSubmitted;
  }
  EXPECT_TRUE(submitted);
  EXPECT_TRUE(delivered);
}

TEST_F(KannelTest, WrongCredentialsAreAPreconditionFailure) {
  config_.password = "wrong";
  const auto sent = KannelSend(config_, "+84912345678", "hello", "");
  ASSERT_FALSE(sent.has_value());
  EXPECT_EQ(sent.error().code, ErrorCode::kFailedPrecondition) << sent.error().message;
}

}  // namespace
}  // namespace ombud::channels::sms
