// E-mail intake through the MTA pipe and over HTTP: a new message opens a ticket, the same
// Message-ID again writes nothing, a reply with the ticket number is appended, an auto-reply
// never opens a ticket (issue 5, R-MET-1, R-VIE-1).
#include <gtest/gtest.h>

#include "integration/server_test.hpp"

namespace ombud::test {
namespace {

class MailIngestTest : public ServerTest {};

std::string Mail(const std::string& id, const std::string& subject, const std::string& extra,
                 const std::string& body) {
  return "From: =?UTF-8?B?Tmd1eeG7hW4gVsSDbiBBbg==?= <An.Nguyen@Example.vn>\r\n"
         "To: support@example.com\r\nSubject: " +
         subject + "\r\nMessage-ID: <" + id + ">\r\n" + extra +
         "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
         "Content-Transfer-Encoding: 8bit\r\n\r\n" +
         body + "\r\n";
}

TEST_F(MailIngestTest, FilesNewRepliesDuplicatesAndAutoRepliesOverHttp) {
  HttpClient& client = admin();
  auto first =
      client.Request("POST", "/api/v1/mail/inbound",
                     Mail("a1@example.vn", "=?UTF-8?B?S2jDtG5nIHhlbSDEkcaw4bujYyBwaGlt?=", "",
                          "Tôi không xem được phim."),
                     {{"Content-Type", "message/rfc822"}});
  ASSERT_EQ(first.status, 201) << first.body;
  const auto created = first.Json();
  const std::string number(created.at("ticket").at("number").as_string());
  EXPECT_EQ(created.at("ticket").at("subject").as_string(), "Không xem được phim");
  EXPECT_EQ(created.at("ticket").at("channel").as_string(), "email");

  auto again =
      client.Request("POST", "/api/v1/mail/inbound", Mail("a1@example.vn", "whatever", "", "again"),
                     {{"Content-Type", "message/rfc822"}});
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.Json().at("action").as_string(), "duplicate");

  auto reply = client.Request("POST", "/api/v1/mail/inbound",
                              Mail("a2@example.vn", "Re: [" + number + "] receipt",
                                   "In-Reply-To: <a1@example.vn>\r\n", "Đây là biên lai."),
                              {{"Content-Type", "message/rfc822"}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Json().at("action").as_string(), "appended");

  auto away = client.Request(
      "POST", "/api/v1/mail/inbound",
      Mail("a3@example.vn", "Out of office", "Auto-Submitted: auto-replied\r\n", "Away."),
      {{"Content-Type", "message/rfc822"}});
  ASSERT_EQ(away.status, 200) << away.body;
  EXPECT_EQ(away.Json().at("action").as_string(), "ignored");

  auto ticket = client.Get("/api/v1/tickets/" + number);
  ASSERT_EQ(ticket.status, 200);
  EXPECT_EQ(ticket.Json().at("articles").as_array().size(), 2u);
  auto list = client.Get("/api/v1/tickets?limit=200");
  EXPECT_EQ(list.Json().at("tickets").as_array().size(), 1u);
}

TEST_F(MailIngestTest, RefusesAMessageWithoutSender) {
  auto r = admin().Request("POST", "/api/v1/mail/inbound", "this is not a message at all",
                           {{"Content-Type", "message/rfc822"}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(admin().Get("/api/v1/tickets").Json().at("tickets").as_array().size(), 0u);
}

}  // namespace
}  // namespace ombud::test
