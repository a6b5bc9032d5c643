// Messenger replies through the Send API, against a local HTTP endpoint on 127.0.0.1
// (tests/channels/data/http_sink.py) that records what it receives (issue 5).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "channels/http_sink.hpp"
#include "jobs/messenger.hpp"
#include "support/temp_dir.hpp"

namespace ombud::jobs {
namespace {

namespace json = boost::json;

TEST(MessengerText, SplitsLongTextAtBreaksWithinTheLimit) {
  EXPECT_EQ(SplitMessengerText("short"), std::vector<std::string>{"short"});
  EXPECT_TRUE(SplitMessengerText("").empty());
  const auto pieces = SplitMessengerText("aaaa bbbb cccc", 10);
  EXPECT_EQ(pieces, (std::vector<std::string>{"aaaa bbbb", "cccc"}));
  // Characters, not bytes: "ễ" is three bytes and counts once; no break → a hard cut.
  const auto vi = SplitMessengerText("ễễễễễ", 2);
  EXPECT_EQ(vi, (std::vector<std::string>{"ễễ", "ễễ", "ễ"}));
}

TEST(MessengerIntake, MapsEventsToDeskMessages) {
  channels::messenger::MessengerEvent e;
  e.kind = channels::messenger::EventKind::kMessage;
  e.sender_id = "6543210987654321";
  e.mid = "m_1";
  e.reply_to_mid = "m_0";
  e.text = "Tôi không xem được phim\nchi tiết";
  e.attachments.push_back({"image", "https://127.0.0.1/a.jpg"});
  const auto m = ToInboundMessage(e);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->channel, domain::Channel::kMessenger);
  EXPECT_EQ(m->sender.kind, domain::IdentityKind::kFacebook);
  EXPECT_EQ(m->sender.value, "6543210987654321");
  EXPECT_EQ(m->message_id, "fb:m_1");
  EXPECT_EQ(m->thread_keys, std::vector<std::string>{"fb:m_0"});
  EXPECT_EQ(m->subject, "Tôi không xem được phim");
  EXPECT_EQ(m->body, "Tôi không xem được phim\nchi tiết\n[image] https://127.0.0.1/a.jpg");
  e.kind = channels::messenger::EventKind::kEcho;
  EXPECT_FALSE(ToInboundMessage(e).has_value());
  e.kind = channels::messenger::EventKind::kRead;
  EXPECT_FALSE(ToInboundMessage(e).has_value());
}

class MessengerSenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!channels::test::HttpSink::Installed()) GTEST_SKIP() << "python3 is not installed";
    ASSERT_EQ(sink_.Start(dir_.path()), "");
    settings_.graph_base_url = sink_.base_url() + "/v18.0";
    settings_.app_secret = "secret";
    settings_.pages = {{"111", "TOKEN-111"}, {"222", "TOKEN-222"}};
  }

  std::vector<json::object> Requests() const { return sink_.Requests(); }

  static store::OutboxMessage Outbox(std::string recipient, std::string body) {
    store::OutboxMessage m;
    m.channel = domain::Channel::kMessenger;
    m.recipient = std::move(recipient);
    m.body = std::move(body);
    m.ticket_id = 1;
    m.dedupe_key = "answer:1";
    return m;
  }

  ombud::test::TempDir dir_;
  channels::test::HttpSink sink_;
  MessengerSettings settings_;
};

TEST_F(MessengerSenderTest, SendsThroughTheDefaultPageOrTheNamedOne) {
  ASSERT_TRUE(SendMessengerOutbox(settings_, Outbox("6543210987654321", "Chào bạn, đã nhận.")));
  ASSERT_TRUE(SendMessengerOutbox(settings_, Outbox("222:7777", "Xin chào")));
  const auto requests = Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].at("path").as_string(), "/v18.0/me/messages");
  EXPECT_EQ(requests[0].at("headers").at("authorization").as_string(), "Bearer TOKEN-111");
  const auto body = json::parse(requests[0].at("body").as_string());
  EXPECT_EQ(body.at("recipient").at("id").as_string(), "6543210987654321");
  EXPECT_EQ(body.at("messaging_type").as_string(), "RESPONSE");
  EXPECT_EQ(body.at("message").at("text").as_string(), "Chào bạn, đã nhận.");
  EXPECT_EQ(requests[1].at("headers").at("authorization").as_string(), "Bearer TOKEN-222");
  EXPECT_EQ(json::parse(requests[1].at("body").as_string()).at("recipient").at("id").as_string(),
            "7777");
}

TEST_F(MessengerSenderTest, SplitsAnAnswerLongerThanMessengerAllows) {
  std::string text;
  for (int i = 0; i < 600; ++i) text += "Xin lỗi ";  // 4,800 characters.
  text.pop_back();
  ASSERT_TRUE(SendMessengerOutbox(settings_, Outbox("42", text)));
  const auto requests = Requests();
  ASSERT_EQ(requests.size(), 3u);
  std::string joined;
  for (const auto& r : requests) {
    const auto piece =
        std::string(json::parse(r.at("body").as_string()).at("message").at("text").as_string());
    EXPECT_LE(piece.size(), 2000u * 4);
    joined += (joined.empty() ? "" : " ") + piece;
  }
  EXPECT_EQ(joined, text);
}

TEST_F(MessengerSenderTest, ErrorsAreClassified) {
  auto wrong_channel = Outbox("42", "x");
  wrong_channel.channel = domain::Channel::kSms;
  EXPECT_EQ(SendMessengerOutbox(settings_, wrong_channel).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(SendMessengerOutbox(settings_, Outbox("999:42", "x")).error().code,
            ErrorCode::kFailedPrecondition);
  MessengerSettings no_pages = settings_;
  no_pages.pages.clear();
  EXPECT_EQ(SendMessengerOutbox(no_pages, Outbox("42", "x")).error().code,
            ErrorCode::kFailedPrecondition);
  MessengerSettings failing = settings_;
  failing.graph_base_url += "/status-503";
  EXPECT_EQ(SendMessengerOutbox(failing, Outbox("42", "x")).error().code, ErrorCode::kUnavailable);
  failing.graph_base_url = settings_.graph_base_url + "/status-401";
  EXPECT_EQ(SendMessengerOutbox(failing, Outbox("42", "x")).error().code,
            ErrorCode::kFailedPrecondition);
  sink_.Stop();
  EXPECT_EQ(SendMessengerOutbox(settings_, Outbox("42", "x")).error().code,
            ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace ombud::jobs
