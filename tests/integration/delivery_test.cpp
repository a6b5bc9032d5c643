// Outbox delivery through `ombud serve` against real peers on 127.0.0.1: an aiosmtpd sink and
// Kannel (bearerbox, smsbox, fakesmsc), including an outage of both.
#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "channels/kannel_peer.hpp"
#include "channels/smtp_sink.hpp"
#include "integration/server_test.hpp"
#include "support/temp_dir.hpp"

namespace ombud::test {
namespace {

using channels::test::KannelPeer;
using channels::test::SmtpSink;

constexpr std::string_view kSecret = "kannel-s3cret";

class DeliveryTest : public ServerTest {
 protected:
  void SetUp() override {
    for (const std::string& missing : {SmtpSink::Missing(), KannelPeer::Missing()}) {
      if (!missing.empty()) GTEST_SKIP() << missing;
    }
    kannel_ = std::make_unique<KannelPeer>(kannel_dir_.path(), "http://127.0.0.1:9/");
    ServerTest::SetUp();
    kannel_->SetGetUrl("http://127.0.0.1:" + std::to_string(server().port()) +
                       "/api/v1/sms/kannel/inbound?secret=" + std::string(kSecret) +
                       "&from=%p&to=%P&text=%b&coding=%c&charset=%C&smsc=%i&ts=%T");
  }
  void TearDown() override {
    ServerTest::TearDown();
    kannel_.reset();
  }

  virtual int Attempts() const { return 100; }
  std::vector<std::string> ExtraArgs() const override {
    const auto kannel = kannel_->Config();
    return {"--smtp-url",
            "smtp://127.0.0.1:" + std::to_string(sink_.port()) + "/desk.example",
            "--smtp-plain",
            "--mail-from",
            "CSKH <cskh@desk.example>",
            "--kannel-url",
            kannel.sendsms_url,
            "--kannel-user",
            kannel.username,
            "--kannel-password",
            kannel.password,
            "--kannel-from",
            kannel.from,
            "--kannel-secret",
            std::string(kSecret),
            "--delivery-backoff-ms",
            "100",
            "--delivery-backoff-max-ms",
            "400",
            "--delivery-attempts",
            std::to_string(Attempts())};
  }

  void StartSink() { ASSERT_EQ(sink_.Start(), ""); }
  void StartKannel() {
    ASSERT_EQ(kannel_->StartBoxes(), "");
    ASSERT_EQ(kannel_->StartHandset("85500000000 1234 text ping"), "");
  }
  std::vector<std::string> Received() { return sink_.Received(); }

  boost::json::array Outbox(std::string_view query = "") {
    const auto response =
        admin().Get("/api/v1/outbox?limit=200" + (query.empty() ? "" : "&" + std::string(query)));
    EXPECT_EQ(response.status, 200) << Describe(response);
    if (response.status != 200) return {};
    return ArrayAt(response.Json(), "messages");
  }

  static bool WaitFor(const std::function<bool()>& done, int seconds = 30) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < until) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return done();
  }

  boost::json::value CreateEmailTicket(std::string_view subject, std::string_view email) {
    boost::json::object body;
    body["customer"] =
        boost::json::object{{"name", "Khách " + std::string(email)}, {"email", email}};
    body["channel"] = "email";
    body["subject"] = subject;
    body["body"] = "Chi tiết: " + std::string(subject);
    const auto response = admin().Post("/api/v1/tickets", body);
    EXPECT_EQ(response.status, 201) << Describe(response);
    return response.status == 201 ? *Find(response.Json(), "ticket") : nullptr;
  }

  // The Message-ID header's value (without brackets) of a raw message.
  static std::string MessageId(const std::string& raw) {
    const auto at = raw.find("Message-Id: <");
    if (at == std::string::npos) return "";
    const auto start = at + std::string("Message-Id: <").size();
    return raw.substr(start, raw.find('>', start) - start);
  }

  TempDir sink_dir_;
  TempDir kannel_dir_;
  SmtpSink sink_{sink_dir_.path()};
  std::unique_ptr<KannelPeer> kannel_;
};

TEST_F(DeliveryTest, AcknowledgementArrivesAutoSubmittedAndAReplyToItThreads) {
  StartSink();
  const auto ticket = CreateEmailTicket("Mất sóng từ hôm qua", "hoa@example.vn");
  ASSERT_FALSE(ticket.is_null());
  const std::string number = StrAt(ticket, "number");
  ASSERT_TRUE(WaitFor([&] { return Received().size() == 1; }));
  const std::string ack = Received()[0];
  EXPECT_NE(ack.find("Auto-Submitted: auto-replied"), std::string::npos) << ack;
  EXPECT_NE(ack.find("To: hoa@example.vn"), std::string::npos) << ack;
  const std::string id = MessageId(ack);
  ASSERT_EQ(id.rfind(number + ".", 0), 0u) << ack;
  ASSERT_TRUE(WaitFor([&] {
    const auto sent = Outbox("state=sent");
    return sent.size() == 1 && StrAt(sent[0], "message_id") == id;
  }));

  // The customer answers the acknowledgement; the subject lost the ticket number.
  const std::string reply =
      "From: Hoa <hoa@example.vn>\r\nTo: cskh@desk.example\r\nSubject: Re: cảm ơn\r\n"
      "Message-ID: <reply-1@example.vn>\r\nIn-Reply-To: <" +
      id + ">\r\nReferences: <" + id +
      ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
      "Vẫn chưa có sóng.\r\n";
  const auto filed =
      admin().Request("POST", "/api/v1/mail/inbound", reply, {{"Content-Type", "message/rfc822"}});
  ASSERT_EQ(filed.status, 200) << Describe(filed);
  EXPECT_EQ(StrAt(filed.Json(), "action"), "appended");
  EXPECT_EQ(IntAt(filed.Json(), "ticket.id"), IntAt(ticket, "id"));
}

TEST_F(DeliveryTest, AnEmailAnswerCarriesTheTicketsFilesAsAttachments) {
  StartSink();
  boost::json::object body;
  body["customer"] = boost::json::object{{"name", "Dara"}, {"email", "dara@example.kh"}};
  body["channel"] = "email";
  body["subject"] = "Invoice is wrong";
  body["body"] = "See the invoice attached.";
  // "%PDF-1.4 invoice 42" in base64.
  body["attachments"] =
      boost::json::array{boost::json::object{{"filename", "invoice-42.pdf"},
                                             {"content_type", "application/pdf"},
                                             {"content_base64", "JVBERi0xLjQgaW52b2ljZSA0Mg=="}}};
  const auto created = admin().Post("/api/v1/tickets", body);
  ASSERT_EQ(created.status, 201) << Describe(created);
  const std::int64_t ticket_id = IntAt(created.Json(), "ticket.id");
  const std::int64_t file_id = IntAt(created.Json(), "article.attachments.0.id");
  ASSERT_GT(file_id, 0) << Describe(created);
  ASSERT_TRUE(WaitFor([&] { return Received().size() == 1; }));  // The acknowledgement.

  const std::string answer_path = "/api/v1/tickets/" + std::to_string(ticket_id) + "/answer";
  // Only files of this ticket, and only by e-mail.
  auto refused = admin().Post(
      answer_path,
      boost::json::object{
          {"method", "email"}, {"body", "x"}, {"attachments", boost::json::array{file_id + 1000}}});
  EXPECT_EQ(refused.status, 400) << Describe(refused);
  EXPECT_EQ(StrAt(refused.Json(), "error.field"), "attachments");
  refused =
      admin().Post(answer_path, boost::json::object{{"method", "sms"},
                                                    {"body", "x"},
                                                    {"attachments", boost::json::array{file_id}}});
  EXPECT_EQ(refused.status, 400) << Describe(refused);

  const auto answered =
      admin().Post(answer_path, boost::json::object{{"method", "email"},
                                                    {"body", "The corrected invoice is attached."},
                                                    {"attachments", boost::json::array{file_id}}});
  ASSERT_EQ(answered.status, 201) << Describe(answered);
  EXPECT_EQ(StrAt(answered.Json(), "attachments.0.filename"), "invoice-42.pdf");
  ASSERT_TRUE(WaitFor([&] { return Received().size() == 2; }));
  const std::string mail = Received()[1];
  EXPECT_NE(mail.find("The corrected invoice is attached."), std::string::npos) << mail;
  EXPECT_NE(mail.find("multipart/mixed"), std::string::npos) << mail;
  EXPECT_NE(mail.find("invoice-42.pdf"), std::string::npos) << mail;
  EXPECT_NE(mail.find("JVBERi0xLjQgaW52b2ljZSA0Mg=="), std::string::npos) << mail;
  EXPECT_EQ(mail.find("Auto-Submitted"), std::string::npos) << "an agent's answer is no auto-reply";
  // The answer's article shows how it went out.
  const std::int64_t answer_id = IntAt(answered.Json(), "id");
  ASSERT_TRUE(WaitFor([&] {
    const auto view = admin().Get("/api/v1/tickets/" + std::to_string(ticket_id));
    for (const auto& a : ArrayAt(view.Json(), "articles")) {
      if (IntAt(a, "id") == answer_id) return StrAt(a, "delivery.state") == "sent";
    }
    return false;
  }));
}

TEST_F(DeliveryTest, OutageOfSmtpAndKannelDeliversEveryMessageOnceWhenTheyReturn) {
  // Both peers are down while customers complain.
  for (int i = 1; i <= 3; ++i) {
    ASSERT_FALSE(
        CreateEmailTicket("Email " + std::to_string(i), "c" + std::to_string(i) + "@example.vn")
            .is_null());
  }
  for (int i = 1; i <= 2; ++i) {
    const auto r = admin().Post("/api/v1/tickets", TicketBody("Phone " + std::to_string(i),
                                                              "+8491234560" + std::to_string(i)));
    ASSERT_EQ(r.status, 201) << Describe(r);
  }
  // Every message is tried and kept.
  ASSERT_TRUE(WaitFor([&] {
    const auto pending = Outbox("state=pending");
    if (pending.size() != 5) return false;
    for (const auto& m : pending) {
      if (IntAt(m, "attempts") < 2 || StrAt(m, "last_error").empty()) return false;
    }
    return true;
  })) << boost::json::serialize(Outbox());
  EXPECT_TRUE(Received().empty());

  StartSink();
  StartKannel();
  // (The handset's own MO "ping" files a sixth ticket, acknowledged by SMS too.)
  ASSERT_TRUE(WaitFor([&] {
    return Outbox("state=sent").size() >= 5 && Outbox("state=pending").empty();
  })) << boost::json::serialize(Outbox())
      << kannel_->Logs();
  // Settle: nothing more arrives.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto mails = Received();
  ASSERT_EQ(mails.size(), 3u);
  std::set<std::string> ids;
  for (const auto& m : mails) ids.insert(MessageId(m));
  EXPECT_EQ(ids.size(), 3u);  // Each Message-ID exactly once.
  const auto sms = kannel_->HandsetReceived(3);
  ASSERT_EQ(sms.size(), 3u) << kannel_->Logs();
  for (const std::string phone : {"+84912345601", "+84912345602"}) {
    EXPECT_EQ(std::count_if(sms.begin(), sms.end(),
                            [&](const std::string& line) {
                              return line.find(" " + phone + " ") != std::string::npos;
                            }),
              1)
        << phone;
  }
  // Kannel reports delivery to the dlr-url: the SMS rows learn it.
  ASSERT_TRUE(WaitFor([&] {
    int delivered = 0;
    for (const auto& m : Outbox("state=sent")) {
      if (StrAt(m, "channel") == "sms" && StrAt(m, "delivery_state") == "delivered") ++delivered;
    }
    return delivered == 3;
  })) << boost::json::serialize(Outbox())
      << kannel_->Logs();
  const auto metrics = NewClient().Get("/metrics");
  EXPECT_NE(metrics.body.find("ombud_outbox_messages{channel=\"email\",state=\"sent\"} 3"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("ombud_delivery_channel_configured{channel=\"sms\"} 1"),
            std::string::npos);
}

TEST_F(DeliveryTest, KannelCallbacksNeedTheSecretAndFileInboundSms) {
  HttpClient kannel = NewClient();
  const std::string base = "/api/v1/sms/kannel/inbound?from=%2B85512345678&text=hi";
  for (const std::string& target : {base, base + "&secret=wrong"}) {
    const auto r = kannel.Get(target);
    EXPECT_EQ(r.status, 401) << Describe(r);
    EXPECT_EQ(StrAt(r.Json(), "error.field"), "secret");
  }
  const auto no_from =
      kannel.Get("/api/v1/sms/kannel/inbound?text=hi&secret=" + std::string(kSecret));
  EXPECT_EQ(no_from.status, 400);
  EXPECT_EQ(StrAt(no_from.Json(), "error.field"), "from");
  const auto unknown =
      kannel.Get("/api/v1/sms/kannel/dlr?ref=999&type=1&secret=" + std::string(kSecret));
  EXPECT_EQ(unknown.status, 404) << Describe(unknown);
  const auto bad_type =
      kannel.Get("/api/v1/sms/kannel/dlr?ref=1&type=3&secret=" + std::string(kSecret));
  EXPECT_EQ(bad_type.status, 400) << Describe(bad_type);
  EXPECT_TRUE(ListAllTickets(admin()).empty());

  // A customer texts through Kannel: a ticket on the SMS channel, acknowledged by SMS.
  ASSERT_EQ(kannel_->StartBoxes(), "");
  ASSERT_EQ(kannel_->StartHandset("85512345678 1234 text Mat song tu hom qua"), "");
  ASSERT_TRUE(WaitFor([&] { return ListAllTickets(admin()).size() == 1; }));
  const auto tickets = ListAllTickets(admin());
  EXPECT_EQ(StrAt(tickets[0], "channel"), "sms");
  ASSERT_TRUE(WaitFor([&] {
    const auto sent = Outbox("state=sent");
    return sent.size() == 1 && StrAt(sent[0], "recipient") == "85512345678";
  })) << boost::json::serialize(Outbox());
  EXPECT_EQ(ListAllTickets(admin()).size(), 1u);  // fakesmsc sent once; filed once.

  // A text quoting the ticket number is appended to that ticket.
  const std::string number = StrAt(tickets[0], "number");
  ASSERT_EQ(kannel_->StartHandset("85512345678 1234 text Re " + number + " van mat song"), "");
  const std::string path = "/api/v1/tickets/" + std::to_string(IntAt(tickets[0], "id"));
  ASSERT_TRUE(WaitFor([&] { return ArrayAt(admin().Get(path).Json(), "articles").size() == 2; }))
      << admin().Get(path).body;
  EXPECT_EQ(ListAllTickets(admin()).size(), 1u);

  // The answer goes back by SMS; Kannel's delivery report shows on the answer's article.
  const auto answered = admin().Post(
      path + "/answer", boost::json::object{{"method", "sms"}, {"body", "Da sua, xin thu lai."}});
  ASSERT_EQ(answered.status, 201) << Describe(answered);
  const std::int64_t answer_id = IntAt(answered.Json(), "id");
  std::string report;
  ASSERT_TRUE(WaitFor([&] {
    for (const auto& a : ArrayAt(admin().Get(path).Json(), "articles")) {
      if (IntAt(a, "id") == answer_id) report = StrAt(a, "delivery.report");
    }
    return report == "delivered";
  })) << "last report: '"
      << report << "'\n"
      << admin().Get(path).body;
  EXPECT_EQ(StrAt(ArrayAt(admin().Get(path).Json(), "articles").back(), "delivery.state"), "sent");
}

// A malformed delivery setting stops the start instead of dead-lettering every message.
TEST(DeliveryConfigTest, MalformedSettingsStopTheStart) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--smtp-url", "http://127.0.0.1:25", "--mail-from", "a@desk.example"}, "--smtp-url"},
      {{"--smtp-url", "smtp://127.0.0.1:25", "--mail-from", "nobody"}, "--mail-from"},
      {{"--kannel-url", "ftp://127.0.0.1/sendsms"}, "--kannel-url"}};
  for (const auto& [args, flag] : cases) {
    ServerOptions options;
    options.extra_args = args;
    ServerProcess server(options);
    EXPECT_FALSE(server.Start()) << flag;
    EXPECT_NE(server.StderrTail().find(flag), std::string::npos) << server.StderrTail();
  }
}

class DeadLetterTest : public DeliveryTest {
 protected:
  int Attempts() const override { return 2; }
};

TEST_F(DeadLetterTest, DeadLettersAfterTheLimitAndAnAdminRetryDeliversThem) {
  const auto ticket = CreateEmailTicket("Email dead", "dead@example.vn");
  ASSERT_FALSE(ticket.is_null());
  ASSERT_TRUE(WaitFor([&] { return Outbox("state=dead").size() == 1; }))
      << boost::json::serialize(Outbox());
  const auto dead = Outbox("state=dead")[0];
  EXPECT_EQ(IntAt(dead, "attempts"), 2);
  const std::int64_t id = IntAt(dead, "id");
  const std::string retry = "/api/v1/outbox/" + std::to_string(id) + "/retry";

  // Only admins see and retry dead letters; bad input changes nothing.
  CreateUser("agent1", "agent");
  HttpClient agent = LoggedInClient("agent1");
  EXPECT_EQ(agent.Get("/api/v1/outbox?state=dead").status, 403);
  // Staff see the delivery of a ticket they can see.
  const auto own = agent.Get("/api/v1/outbox?ticket_id=" + std::to_string(IntAt(ticket, "id")));
  EXPECT_EQ(own.status, 200) << Describe(own);
  EXPECT_EQ(ArrayAt(own.Json(), "messages").size(), 1u);
  EXPECT_EQ(agent.Post(retry, boost::json::object{}).status, 403);
  const auto bad_state = admin().Get("/api/v1/outbox?state=lost");
  EXPECT_EQ(bad_state.status, 400);
  EXPECT_EQ(StrAt(bad_state.Json(), "error.field"), "state");
  EXPECT_EQ(admin().Get("/api/v1/outbox?colour=red").status, 400);
  EXPECT_EQ(admin().Post("/api/v1/outbox/abc/retry", boost::json::object{}).status, 400);
  EXPECT_EQ(admin().Post("/api/v1/outbox/999/retry", boost::json::object{}).status, 404);
  EXPECT_EQ(Outbox("state=dead").size(), 1u);

  StartSink();
  const auto retried = admin().Post(retry, boost::json::object{});
  ASSERT_EQ(retried.status, 200) << Describe(retried);
  EXPECT_EQ(StrAt(retried.Json(), "state"), "pending");
  EXPECT_EQ(IntAt(retried.Json(), "attempts"), 0);
  ASSERT_TRUE(WaitFor([&] { return Outbox("state=sent").size() == 1; }));
  EXPECT_EQ(Received().size(), 1u);
  // Retrying what was delivered is refused.
  const auto again = admin().Post(retry, boost::json::object{});
  EXPECT_EQ(again.status, 422) << Describe(again);
  const auto audit =
      admin().Get("/api/v1/tickets/" + std::to_string(IntAt(ticket, "id")) + "/audit");
  ASSERT_EQ(audit.status, 200) << Describe(audit);
  EXPECT_NE(audit.body.find("outbox.dead"), std::string::npos) << audit.body;
  EXPECT_NE(audit.body.find("outbox.retry"), std::string::npos);
  EXPECT_NE(audit.body.find("outbox.sent"), std::string::npos);
}

}  // namespace
}  // namespace ombud::test
