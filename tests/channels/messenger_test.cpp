#include "channels/messenger/messenger.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <sstream>
#include <thread>

#include "channels/http_sink.hpp"
#include "channels/test_data.hpp"
#include "support/temp_dir.hpp"

namespace ombud::channels::messenger {
namespace {

constexpr std::string_view kSecret = "a8f5f167f44f4964e6c998dee827110c";

TEST(MessengerSignature, AcceptsTheRightSignatureOnly) {
  const std::string body = ReadChannelData("messenger_message.json");
  const std::string header = SignatureHeader(kSecret, body);
  EXPECT_EQ(header.size(), 71u);
  EXPECT_TRUE(VerifySignature(kSecret, body, header));
  EXPECT_FALSE(VerifySignature("other-secret", body, header));
  EXPECT_FALSE(VerifySignature(kSecret, body + " ", header));
  std::string flipped = header;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  EXPECT_FALSE(VerifySignature(kSecret, body, flipped));
  EXPECT_FALSE(VerifySignature(kSecret, body, ""));
  EXPECT_FALSE(VerifySignature(kSecret, body, "sha1=" + header.substr(7)));
  EXPECT_FALSE(VerifySignature(kSecret, body, header.substr(0, 70)));
  EXPECT_FALSE(VerifySignature(kSecret, body, "sha256=" + std::string(64, 'z')));
  EXPECT_FALSE(VerifySignature("", body, SignatureHeader("", body)));
}

TEST(MessengerSignature, MatchesAKnownHmacSha256Vector) {
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
  EXPECT_EQ(SignatureHeader("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_TRUE(
      VerifySignature("Jefe", "what do ya want for nothing?",
                      "sha256=5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843"));
}

TEST(MessengerSubscription, AnswersTheChallengeForTheRightToken) {
  EXPECT_EQ(VerifySubscription("subscribe", "tok-123", "1158201444", "tok-123").value(),
            "1158201444");
  EXPECT_EQ(VerifySubscription("subscribe", "tok-124", "1", "tok-123").error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(VerifySubscription("unsubscribe", "tok-123", "1", "tok-123").error().field, "hub.mode");
  EXPECT_EQ(VerifySubscription("subscribe", "tok-123", "", "tok-123").error().field,
            "hub.challenge");
  EXPECT_EQ(VerifySubscription("subscribe", "", "1", "").error().code,
            ErrorCode::kFailedPrecondition);
}

TEST(MessengerWebhook, ParsesMessagesPostbacksEchoesAndOthers) {
  const auto events = ParseWebhook(ReadChannelData("messenger_message.json"));
  ASSERT_TRUE(events.has_value()) << events.error().message;
  ASSERT_EQ(events->size(), 5u);
  const MessengerEvent& m = (*events)[0];
  EXPECT_EQ(m.kind, EventKind::kMessage);
  EXPECT_EQ(m.page_id, "106677441234567");
  EXPECT_EQ(m.sender_id, "6543210987654321");
  EXPECT_EQ(m.recipient_id, "106677441234567");
  EXPECT_EQ(m.timestamp, 1772500000001);
  EXPECT_EQ(m.mid, "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM");
  EXPECT_EQ(m.text, "Tôi không xem được phim, tài khoản bị trừ tiền 2 lần");
  ASSERT_EQ(m.attachments.size(), 1u);
  EXPECT_EQ(m.attachments[0].type, "image");
  EXPECT_EQ(m.attachments[0].url, "https://127.0.0.1/screenshot.jpg");
  EXPECT_EQ((*events)[1].kind, EventKind::kPostback);
  EXPECT_EQ((*events)[1].postback_payload, "COMPLAINT");
  EXPECT_EQ((*events)[1].text, "Khiếu nại");
  EXPECT_EQ((*events)[2].kind, EventKind::kEcho);
  EXPECT_EQ((*events)[2].mid, "m_echo1");
  EXPECT_EQ((*events)[3].kind, EventKind::kDelivery);
  EXPECT_EQ((*events)[4].kind, EventKind::kOther);
}

TEST(MessengerWebhook, ErrorsNameThePath) {
  const auto field = [](std::string_view body) {
    const auto r = ParseWebhook(body);
    return r ? std::string("(ok)") : r.error().field;
  };
  EXPECT_EQ(field("not json"), "body");
  EXPECT_EQ(field("[]"), "body");
  EXPECT_EQ(field(R"({"object":"user","entry":[]})"), "object");
  EXPECT_EQ(field(R"({"object":"page"})"), "entry");
  EXPECT_EQ(field(R"({"object":"page","entry":[1]})"), "entry[0]");
  EXPECT_EQ(
      field(
          R"({"object":"page","entry":[{"id":"1","messaging":[{"recipient":{"id":"2"},"timestamp":1}]}]})"),
      "entry[0].messaging[0].sender");
  EXPECT_EQ(
      field(
          R"({"object":"page","entry":[{"id":"1","messaging":[{"sender":{"id":true},"recipient":{"id":"2"},"timestamp":1}]}]})"),
      "entry[0].messaging[0].sender.id");
  EXPECT_EQ(
      field(
          R"({"object":"page","entry":[{"id":"1","messaging":[{"sender":{"id":"3"},"recipient":{"id":"2"},"timestamp":"x"}]}]})"),
      "entry[0].messaging[0].timestamp");
  EXPECT_EQ(
      field(
          R"({"object":"page","entry":[{"id":"1","messaging":[{"sender":{"id":"3"},"recipient":{"id":"2"},"timestamp":1,"message":{"text":"hi"}}]}]})"),
      "entry[0].messaging[0].message.mid");
  EXPECT_EQ(
      field(
          R"({"object":"page","entry":[{"id":"1","messaging":[{"sender":{"id":"3"},"recipient":{"id":"2"},"timestamp":1,"message":{"mid":"m","attachments":[{"payload":{}}]}}]}]})"),
      "entry[0].messaging[0].message.attachments[0].type");
  EXPECT_EQ(field(std::string(40, '[') + std::string(40, ']')), "body");  // Depth limit.
  EXPECT_EQ(field(R"({"object":"page","entry":[{"id":123,"time":1}]})"), "(ok)");
}

TEST(MessengerSend, BuildsTheSendApiBody) {
  const std::string body = BuildSendRequest("6543210987654321", "Chào \"bạn\"\n");
  EXPECT_EQ(body, R"({"recipient":{"id":"6543210987654321"},"messaging_type":"RESPONSE",)"
                  R"("message":{"text":"Chào \"bạn\"\n"}})");
}

// The Send API against a local endpoint (tests/channels/http_sink.hpp).
class SendApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!channels::test::HttpSink::Installed()) GTEST_SKIP() << "python3 is not installed";
    ASSERT_EQ(sink_.Start(dir_.path()), "");
    base_ = sink_.base_url();
  }
  std::vector<boost::json::object> Requests() const { return sink_.Requests(); }

  ombud::test::TempDir dir_;
  channels::test::HttpSink sink_;
  std::string base_;
};

TEST_F(SendApiTest, PostsTheBodyWithTheTokenToTheConfiguredBaseUrl) {
  const std::string body = BuildSendRequest("6543210987654321", "Đã nhận khiếu nại C-2026-000123");
  const auto sent = SendMessage(base_ + "/v18.0", "PAGE-TOKEN-1", body);
  ASSERT_TRUE(sent.has_value()) << sent.error().message;
  const auto requests = Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].at("method").as_string(), "POST");
  EXPECT_EQ(requests[0].at("path").as_string(), "/v18.0/me/messages");
  EXPECT_EQ(requests[0].at("headers").at("authorization").as_string(), "Bearer PAGE-TOKEN-1");
  EXPECT_EQ(requests[0].at("headers").at("content-type").as_string(), "application/json");
  EXPECT_EQ(requests[0].at("body").as_string(), body);
}

TEST_F(SendApiTest, ErrorsAreClassified) {
  const std::string body = BuildSendRequest("1", "x");
  EXPECT_EQ(SendMessage(base_ + "/status-400", "T", body).error().code,
            ErrorCode::kInvalidArgument);
  const auto denied = SendMessage(base_ + "/status-401", "T", body);
  EXPECT_EQ(denied.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(denied.error().message.find("Invalid OAuth access token"), std::string::npos);
  EXPECT_EQ(SendMessage(base_ + "/status-429", "T", body).error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(SendMessage(base_ + "/status-503", "T", body).error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(SendMessage(base_, "", body).error().code, ErrorCode::kFailedPrecondition);
  sink_.Stop();
  EXPECT_EQ(SendMessage(base_, "T", body).error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace ombud::channels::messenger
