// Messenger webhooks, the CTI webhook and calls logged by agents, against a real `ombud serve`
// (issue 5, R-MET-1, R-MET-8).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "channels/dovecot_peer.hpp"
#include "channels/http_sink.hpp"
#include "channels/messenger/messenger.hpp"
#include "integration/server_test.hpp"

namespace ombud::test {
namespace {

constexpr std::string_view kAppSecret = "a8f5f167f44f4964e6c998dee827110c";
constexpr std::string_view kVerifyToken = "verify-me-123";
constexpr std::string_view kCtiSecret = "cti-shared-secret-0123456789";
constexpr std::string_view kPsid = "6543210987654321";

std::string ChannelData(const std::string& name) {
  std::ifstream in(std::string(OMBUD_SOURCE_DIR) + "/tests/channels/data/" + name,
                   std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

class ChannelsTest : public ServerTest {
 protected:
  // The Send API of these tests: a local endpoint, never graph.facebook.com.
  void SetUp() override {
    if (!channels::test::HttpSink::Installed()) GTEST_SKIP() << "python3 is not installed";
    const std::string started = graph_.Start(graph_dir_.path());
    ASSERT_EQ(started, "") << started;
    ServerTest::SetUp();
  }
  void TearDown() override {
    ServerTest::TearDown();
    graph_.Stop();
  }

  std::vector<std::string> ExtraArgs() const override {
    return {"--messenger-graph-url",
            graph_.base_url(),
            "--messenger-app-secret",
            std::string(kAppSecret),
            "--messenger-verify-token",
            std::string(kVerifyToken),
            "--messenger-page",
            "106677441234567=PAGE-TOKEN",
            "--cti-secret",
            std::string(kCtiSecret)};
  }

  Response PostWebhook(const std::string& body, const std::string& signature) {
    HttpClient facebook = NewClient();
    Headers headers{{"Content-Type", "application/json"}};
    if (!signature.empty()) headers.emplace_back("X-Hub-Signature-256", signature);
    return facebook.Request("POST", "/api/v1/messenger/webhook", body, headers);
  }
  Response PostSigned(const std::string& body) {
    return PostWebhook(body, channels::messenger::SignatureHeader(kAppSecret, body));
  }
  Response PostCti(const std::string& body, std::string_view secret = kCtiSecret) {
    HttpClient pbx = NewClient();
    return pbx.Request(
        "POST", "/api/v1/cti/events", body,
        {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + std::string(secret)}});
  }
  std::vector<std::string> AuditActions(std::int64_t ticket_id) {
    std::vector<std::string> actions;
    const auto audit = admin().Get("/api/v1/tickets/" + std::to_string(ticket_id) + "/audit");
    for (const auto& e : ArrayAt(audit.Json(), "entries")) {
      actions.push_back(StrAt(e, "action") + ":" +
                        boost::json::serialize(e.as_object().at("details")));
    }
    return actions;
  }
  static bool Contains(const std::vector<std::string>& all, std::string_view part) {
    return std::any_of(all.begin(), all.end(),
                       [&](const std::string& s) { return s.find(part) != std::string::npos; });
  }

  TempDir graph_dir_;
  channels::test::HttpSink graph_;
};

TEST_F(ChannelsTest, MessengerHandshakeAnswersTheChallengeForTheRightTokenOnly) {
  HttpClient facebook = NewClient();
  const auto ok = facebook.Get("/api/v1/messenger/webhook?hub.mode=subscribe&hub.verify_token=" +
                               std::string(kVerifyToken) + "&hub.challenge=1158201444");
  ASSERT_EQ(ok.status, 200) << Describe(ok);
  EXPECT_EQ(ok.body, "1158201444");
  const auto wrong = facebook.Get(
      "/api/v1/messenger/webhook?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1");
  EXPECT_EQ(wrong.status, 403) << Describe(wrong);
  EXPECT_EQ(wrong.ErrorCode(), "permission_denied");
}

TEST_F(ChannelsTest, MessengerRefusesUnsignedOrMissignedBodiesAndChangesNothing) {
  const std::string body = ChannelData("messenger_message.json");
  EXPECT_EQ(PostWebhook(body, "").status, 403);
  const auto forged = PostWebhook(body, channels::messenger::SignatureHeader("other", body));
  EXPECT_EQ(forged.status, 403);
  EXPECT_EQ(forged.ErrorField(), "X-Hub-Signature-256");
  // Signed, then changed by one byte: the signature covers the raw body.
  std::string changed = body;
  changed.insert(changed.find('{') + 1, " ");
  EXPECT_EQ(PostWebhook(changed, channels::messenger::SignatureHeader(kAppSecret, body)).status,
            403);
  const auto bad_json = PostSigned("{\"object\":\"page\"");
  EXPECT_EQ(bad_json.status, 400) << Describe(bad_json);
  EXPECT_EQ(bad_json.ErrorField(), "body");
  EXPECT_TRUE(ListAllTickets(admin()).empty());
}

TEST_F(ChannelsTest, MessengerMessagesBecomeATicketRetriesAreDroppedAndAnswersAreQueued) {
  const std::string body = ChannelData("messenger_message.json");
  const auto first = PostSigned(body);
  ASSERT_EQ(first.status, 200) << Describe(first);
  const auto filed = ArrayAt(first.Json(), "filed");
  ASSERT_EQ(filed.size(), 2u);  // The message and the postback; echo, delivery, reaction not.
  EXPECT_EQ(StrAt(filed[0], "action"), "created");
  EXPECT_EQ(StrAt(filed[1], "action"), "appended");  // Joins the open Messenger conversation.
  const std::string number = StrAt(filed[0], "ticket");

  // Facebook retries a webhook it thinks failed: the same mids are dropped.
  const auto retry = PostSigned(body);
  ASSERT_EQ(retry.status, 200) << Describe(retry);
  EXPECT_EQ(StrAt(retry.Json(), "filed.0.action"), "duplicate");
  EXPECT_EQ(StrAt(retry.Json(), "filed.1.action"), "duplicate");

  const auto ticket = admin().Get("/api/v1/tickets/" + number);
  ASSERT_EQ(ticket.status, 200) << Describe(ticket);
  EXPECT_EQ(StrAt(ticket.Json(), "ticket.channel"), "messenger");
  EXPECT_EQ(StrAt(ticket.Json(), "ticket.subject"),
            "Tôi không xem được phim, tài khoản bị trừ tiền 2 lần");
  const auto articles = ArrayAt(ticket.Json(), "articles");
  ASSERT_EQ(articles.size(), 2u);
  EXPECT_NE(StrAt(articles[0], "body").find("[image] https://127.0.0.1/screenshot.jpg"),
            std::string::npos);
  EXPECT_EQ(StrAt(articles[1], "body"), "Khiếu nại");

  const auto customer = admin().Get("/api/v1/customers?facebook=" + std::string(kPsid));
  ASSERT_EQ(customer.status, 200) << Describe(customer);

  // The agent answers on Messenger: queued for the customer's PSID (R-MET-8).
  const std::int64_t id = IntAt(ticket.Json(), "ticket.id");
  boost::json::object answer{{"method", "messenger"}, {"body", "Chúng tôi đã hoàn tiền."}};
  const auto answered = admin().Post("/api/v1/tickets/" + number + "/answer", answer);
  ASSERT_LT(answered.status, 300) << Describe(answered);
  EXPECT_EQ(StrAt(answered.Json(), "channel"), "messenger");
  const auto actions = AuditActions(id);
  EXPECT_TRUE(Contains(actions, R"("method":"messenger","delivery":"queued")"))
      << ::testing::PrintToString(actions);
  // The outbox worker delivers it through the Send API with the page's token.
  std::vector<boost::json::object> sent;
  for (int i = 0; i < 100 && sent.empty(); ++i) {
    for (const auto& r : graph_.Requests()) {
      if (boost::json::value_to<std::string>(r.at("path")).ends_with("/me/messages")) {
        sent.push_back(r);
      }
    }
    if (sent.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(sent.size(), 1u);
  const auto send_body = boost::json::parse(boost::json::value_to<std::string>(sent[0].at("body")));
  EXPECT_EQ(StrAt(send_body, "recipient.id"), kPsid);
  EXPECT_NE(StrAt(send_body, "message.text").find("Chúng tôi đã hoàn tiền."), std::string::npos)
      << boost::json::serialize(send_body);
  EXPECT_EQ(boost::json::value_to<std::string>(sent[0].at("headers").at("authorization")),
            "Bearer PAGE-TOKEN");

  // A later message of the same customer joins the same open ticket.
  const std::string later =
      R"({"object":"page","entry":[{"id":"106677441234567","time":1,"messaging":[{"sender":{"id":")" +
      std::string(kPsid) +
      R"("},"recipient":{"id":"106677441234567"},"timestamp":1772500009000,"message":{"mid":"m_later","text":"Cảm ơn"}}]}]})";
  const auto thanks = PostSigned(later);
  ASSERT_EQ(thanks.status, 200) << Describe(thanks);
  EXPECT_EQ(StrAt(thanks.Json(), "filed.0.action"), "appended");
  EXPECT_EQ(StrAt(thanks.Json(), "filed.0.ticket"), number);
  EXPECT_EQ(ListAllTickets(admin()).size(), 1u);
}

TEST_F(ChannelsTest, CtiEventsNeedTheSecretAndAreFiledOnceOnTheCustomersOpenTicket) {
  const std::string event = ChannelData("cti_inbound.json");
  EXPECT_EQ(PostCti(event, "wrong-secret").status, 401);
  HttpClient anonymous = NewClient();
  EXPECT_EQ(anonymous.Request("POST", "/api/v1/cti/events", event).status, 401);
  const auto unknown = PostCti(R"({"call_id":"x","color":"red"})");
  EXPECT_EQ(unknown.status, 400) << Describe(unknown);
  EXPECT_TRUE(ListAllTickets(admin()).empty());

  const auto first = PostCti(event);
  ASSERT_EQ(first.status, 201) << Describe(first);
  EXPECT_EQ(StrAt(first.Json(), "action"), "created");
  EXPECT_EQ(StrAt(first.Json(), "ticket.channel"), "phone");
  EXPECT_EQ(StrAt(first.Json(), "call.outcome"), "answered");
  EXPECT_EQ(StrAt(first.Json(), "call.data.call_id"), "pbx-2026-03-01-000017");
  EXPECT_EQ(StrAt(first.Json(), "call.data.agent"), "sokha");
  EXPECT_EQ(IntAt(first.Json(), "call.data.ended_at") - IntAt(first.Json(), "call.data.started_at"),
            252500);
  const std::int64_t ticket_id = IntAt(first.Json(), "ticket.id");

  const auto again = PostCti(event);
  ASSERT_EQ(again.status, 200) << Describe(again);
  EXPECT_EQ(StrAt(again.Json(), "action"), "duplicate");

  // The PBX reports the same call again with more facts: the record is updated, no article.
  std::string later = event;
  later.replace(later.find("Customer says"), 13, "Caller says");
  const auto updated = PostCti(later);
  ASSERT_EQ(updated.status, 200) << Describe(updated);
  EXPECT_EQ(StrAt(updated.Json(), "action"), "updated");
  EXPECT_EQ(StrAt(updated.Json(), "call.data.notes"), "Caller says number was taken (R-SMT-2)");
  EXPECT_EQ(StrAt(PostCti(later).Json(), "action"), "duplicate");

  std::string second = event;
  second.replace(second.find("000017"), 6, "000018");
  second.replace(second.find("answered"), 8, "missed");
  const auto missed = PostCti(second);
  ASSERT_EQ(missed.status, 200) << Describe(missed);
  EXPECT_EQ(StrAt(missed.Json(), "action"), "appended");
  EXPECT_EQ(IntAt(missed.Json(), "ticket.id"), ticket_id);
  EXPECT_EQ(ListAllTickets(admin()).size(), 1u);
  const auto actions = AuditActions(ticket_id);
  EXPECT_TRUE(Contains(actions, R"(call.log:{"record_id":)"));
  EXPECT_TRUE(Contains(actions, R"(call.update:{"record_id":)"));
  const auto records = admin().Get("/api/v1/tickets/" + std::to_string(ticket_id) + "/records");
  EXPECT_EQ(ArrayAt(records.Json(), "records").size(), 2u) << Describe(records);
  const auto ticket = admin().Get("/api/v1/tickets/" + std::to_string(ticket_id));
  EXPECT_EQ(ArrayAt(ticket.Json(), "articles").size(), 2u);  // One per call.
}

TEST_F(ChannelsTest, AgentsLogCallsAndAnswerByPhone) {
  boost::json::object call{{"number", "+855 12 999 000"},
                           {"name", "Sok Dara"},
                           {"notes", "Asks why the bill doubled."},
                           {"duration_seconds", 95}};
  const auto logged = admin().Post("/api/v1/calls", call);
  ASSERT_EQ(logged.status, 201) << Describe(logged);
  EXPECT_EQ(StrAt(logged.Json(), "action"), "created");
  EXPECT_EQ(StrAt(logged.Json(), "ticket.channel"), "phone");
  EXPECT_EQ(StrAt(logged.Json(), "article.direction"), "inbound");
  EXPECT_EQ(
      IntAt(logged.Json(), "call.data.ended_at") - IntAt(logged.Json(), "call.data.started_at"),
      95000);
  const std::int64_t ticket_id = IntAt(logged.Json(), "ticket.id");
  const auto customer = admin().Get("/api/v1/customers?phone=" + UrlEncode("+85512999000"));
  ASSERT_EQ(customer.status, 200) << Describe(customer);
  EXPECT_EQ(StrAt(customer.Json(), "name"), "Sok Dara");

  // R-MET-8: the agent calls back and answers the complaint on the phone.
  boost::json::object back{{"number", "+85512999000"},
                           {"direction", "outbound"},
                           {"ticket_id", ticket_id},
                           {"answers", true},
                           {"notes", "Explained the roaming charge; refund agreed."}};
  const auto answered = admin().Post("/api/v1/calls", back);
  ASSERT_EQ(answered.status, 201) << Describe(answered);
  EXPECT_EQ(StrAt(answered.Json(), "action"), "appended");
  EXPECT_EQ(StrAt(answered.Json(), "article.direction"), "outbound");
  EXPECT_EQ(StrAt(answered.Json(), "article.channel"), "phone");
  EXPECT_EQ(StrAt(answered.Json(), "ticket.state"), "open");
  const auto actions = AuditActions(ticket_id);
  EXPECT_TRUE(Contains(actions, R"(ticket.answer:{"article_id":)"));
  EXPECT_TRUE(Contains(actions, R"("method":"phone","delivery":"recorded")"));
}

TEST_F(ChannelsTest, BadCallsAreRefusedWithTheFieldAndChangeNothing) {
  const auto field = [&](boost::json::object body) {
    const auto r = admin().Post("/api/v1/calls", body);
    EXPECT_GE(r.status, 400) << Describe(r);
    return std::to_string(r.status) + " " + r.ErrorField();
  };
  EXPECT_EQ(field({}), "400 number");
  EXPECT_EQ(field({{"number", "not a number"}}), "400 number");
  EXPECT_EQ(field({{"number", "+85512999000"}, {"direction", "sideways"}}), "400 direction");
  EXPECT_EQ(field({{"number", "+85512999000"}, {"direction", "internal"}}), "400 direction");
  EXPECT_EQ(field({{"number", "+85512999000"}, {"outcome", "great"}}), "400 outcome");
  EXPECT_EQ(field({{"number", "+85512999000"}, {"ticket_id", 987654}}), "404 ticket_id");
  EXPECT_EQ(field({{"number", "+85512999000"}, {"duration_seconds", -1}}), "400 duration_seconds");
  EXPECT_EQ(field({{"number", "+85512999000"}, {"colour", "red"}}), "400 colour");
  EXPECT_TRUE(ListAllTickets(admin()).empty());
  EXPECT_EQ(admin().Get("/api/v1/customers?phone=" + UrlEncode("+85512999000")).status, 404);
}

using UnconfiguredChannelsTest = ServerTest;

TEST_F(UnconfiguredChannelsTest, WebhooksAnswerNotFoundWithoutConfiguration) {
  HttpClient anonymous = NewClient();
  const auto get = anonymous.Get(
      "/api/v1/messenger/webhook?hub.mode=subscribe&hub.verify_token=&hub.challenge=1");
  EXPECT_EQ(get.status, 404);
  EXPECT_EQ(get.ErrorCode(), "not_found");
  EXPECT_EQ(anonymous.Request("POST", "/api/v1/messenger/webhook", "{}").status, 404);
  EXPECT_EQ(anonymous.Request("POST", "/api/v1/cti/events", "{}").status, 404);
}

// `ombud serve --imap-url …` starts the IMAP poller: a message delivered to a Dovecot mailbox
// becomes a ticket without any request.
class ImapServeTest : public ServerTest {
 protected:
  void SetUp() override {
    if (!channels::test::DovecotPeer::Installed()) GTEST_SKIP() << "dovecot-imapd is not installed";
    ASSERT_EQ(dovecot_.Start(mail_dir_.path(), false), "");
    ServerTest::SetUp();
  }
  std::vector<std::string> ExtraArgs() const override {
    return {"--imap-url",
            dovecot_.config().url,
            "--imap-user",
            dovecot_.config().username,
            "--imap-password",
            dovecot_.config().password,
            "--imap-plaintext",
            "--imap-interval",
            "1"};
  }

  TempDir mail_dir_;
  channels::test::DovecotPeer dovecot_;
};

TEST_F(ImapServeTest, PollsTheConfiguredMailbox) {
  ASSERT_EQ(dovecot_.Deliver("From: Tran Thi Binh <binh@example.vn>\r\nTo: support@example.com\r\n"
                             "Subject: Mat song\r\nMessage-ID: <imap-serve-1@example.vn>\r\n\r\n"
                             "Mat song tu hom qua.\r\n"),
            "");
  std::vector<boost::json::object> tickets;
  for (int i = 0; i < 200 && tickets.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    tickets = ListAllTickets(admin());
  }
  ASSERT_EQ(tickets.size(), 1u) << dovecot_.Log();
  EXPECT_EQ(StrAt(tickets[0], "subject"), "Mat song");
  EXPECT_EQ(StrAt(tickets[0], "channel"), "email");
}

}  // namespace
}  // namespace ombud::test
