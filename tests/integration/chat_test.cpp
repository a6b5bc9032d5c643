// Web chat over real WebSockets (a Boost.Beast client) against a real `ombud serve`: a visitor's
// message becomes a chat ticket, the agent socket hears of it, and the agent's replies — over
// the agent socket or the article API — reach the visitor's socket.
#include <chrono>
#include <string>

#include "integration/server_test.hpp"
#include "integration/ws_client.hpp"

namespace ombud::test {
namespace {

namespace json = boost::json;

class ChatTest : public ServerTest {};

TEST_F(ChatTest, VisitorMessageBecomesTicketAndAgentRepliesReachTheVisitor) {
  WsClient agent;
  ASSERT_TRUE(agent.Connect(server().port(), "/api/v1/agent/ws",
                            {{"Authorization", "Bearer " + admin().bearer()}}));
  ASSERT_EQ(StrAt(agent.Next(), "type"), "ready");

  WsClient visitor;
  ASSERT_TRUE(visitor.Connect(server().port(), "/api/v1/chat/ws?name=Lan&email=lan%40example.com"));
  ASSERT_EQ(StrAt(visitor.Next(), "type"), "ready");

  visitor.Send(json::object{{"type", "message"}, {"body", "My internet is down since noon"}});
  // The visitor sees their own message as the first article of a new chat ticket.
  const json::value echoed = visitor.NextOfType("message");
  ASSERT_FALSE(echoed.is_null());
  EXPECT_EQ(StrAt(echoed, "direction"), "inbound");
  const std::int64_t ticket_id = IntAt(echoed, "ticket_id");
  ASSERT_GT(ticket_id, 0);

  // The agent socket hears of the new ticket.
  const json::value created = agent.NextOfType("ticket.created");
  ASSERT_FALSE(created.is_null());
  EXPECT_EQ(IntAt(created, "ticket.id"), ticket_id);
  EXPECT_EQ(StrAt(created, "ticket.channel"), "chat");
  EXPECT_EQ(StrAt(created, "article.body"), "My internet is down since noon");

  // A second message joins the same ticket.
  visitor.Send(json::object{{"type", "message"}, {"body", "Still down"}});
  EXPECT_EQ(IntAt(visitor.NextOfType("message"), "ticket_id"), ticket_id);
  const json::value added = agent.NextOfType("article.created");
  EXPECT_EQ(IntAt(added, "ticket.id"), ticket_id);
  EXPECT_EQ(StrAt(added, "article.body"), "Still down");

  // The agent replies over the socket; the visitor receives it.
  agent.Send(json::object{{"type", "reply"}, {"ticket_id", ticket_id}, {"body", "Checking now"}});
  EXPECT_GT(IntAt(agent.NextOfType("ack"), "article_id"), 0);
  const json::value reply = visitor.NextOfType("message");
  EXPECT_EQ(StrAt(reply, "direction"), "outbound");
  EXPECT_EQ(StrAt(reply, "body"), "Checking now");

  // An internal note never reaches the visitor; an answer through the article API does.
  const std::string articles = "/api/v1/tickets/" + std::to_string(ticket_id) + "/articles";
  ASSERT_EQ(
      admin()
          .Post(articles, json::object{{"body", "note: line fault"}, {"direction", "internal"}})
          .status,
      201);
  const Response api_reply = admin().Post(
      articles, json::object{{"body", "Fixed, please retry"}, {"direction", "outbound"}});
  ASSERT_EQ(api_reply.status, 201) << Describe(api_reply);
  const json::value fixed = visitor.NextOfType("message");
  EXPECT_EQ(StrAt(fixed, "body"), "Fixed, please retry");
  // So does the written answer of the workflow, sent on the customer's channel (R-MET-8).
  const Response answered =
      admin().Post("/api/v1/tickets/" + std::to_string(ticket_id) + "/answer",
                   json::object{{"method", "chat"}, {"body", "The line is repaired."}});
  ASSERT_EQ(answered.status, 201) << Describe(answered);
  const json::value answer = visitor.NextOfType("message");
  EXPECT_NE(StrAt(answer, "body").find("The line is repaired."), std::string::npos)
      << json::serialize(answer);
  // Agents hear of it too (after the note and the article above).
  const std::int64_t answer_id = IntAt(answered.Json(), "id");
  std::int64_t heard = 0;
  for (int i = 0; i < 4 && heard != answer_id; ++i) {
    heard = IntAt(agent.NextOfType("article.created"), "article.id");
  }
  EXPECT_EQ(heard, answer_id);

  // The conversation is one chat ticket with every message as an article.
  const Response view = admin().Get("/api/v1/tickets/" + std::to_string(ticket_id));
  ASSERT_EQ(view.status, 200);
  EXPECT_EQ(StrAt(view.Json(), "ticket.channel"), "chat");
  EXPECT_EQ(ArrayAt(view.Json(), "articles").size(), 6u);

  // Bad frames get an error frame and change nothing.
  visitor.Send(json::object{{"type", "message"}, {"body", ""}});
  const json::value error = visitor.NextOfType("error");
  EXPECT_EQ(StrAt(error, "error.field"), "body");
  agent.Send(json::object{{"type", "reply"}, {"ticket_id", 999999}, {"body", "x"}});
  EXPECT_EQ(StrAt(agent.NextOfType("error"), "error.code"), "not_found");
  visitor.Close();
  agent.Close();
}

TEST_F(ChatTest, UpgradesAreCheckedLikeRequests) {
  // Plain GETs are told to upgrade.
  HttpClient plain = NewClient();
  EXPECT_EQ(plain.Get("/api/v1/chat/ws").status, 426);
  // The agent socket needs staff credentials; a visitor must say who they are.
  WsClient anonymous_agent;
  EXPECT_FALSE(anonymous_agent.Connect(server().port(), "/api/v1/agent/ws"));
  EXPECT_EQ(anonymous_agent.status, 401);
  WsClient nameless;
  EXPECT_FALSE(nameless.Connect(server().port(), "/api/v1/chat/ws?email=a%40example.com"));
  EXPECT_EQ(nameless.status, 400);
  WsClient no_contact;
  EXPECT_FALSE(no_contact.Connect(server().port(), "/api/v1/chat/ws?name=Lan"));
  EXPECT_EQ(no_contact.status, 400);
  // At most 20 widget sockets per address per 10 minutes (two used above).
  int opened = 0;
  int refused = 0;
  for (int i = 0; i < 20; ++i) {
    WsClient visitor;
    if (visitor.Connect(server().port(), "/api/v1/chat/ws?name=Lan&phone=%2B85512345678")) {
      ++opened;
      visitor.Close();
    } else {
      refused += visitor.status == 503 ? 1 : 0;
    }
  }
  EXPECT_EQ(opened, 18);
  EXPECT_EQ(refused, 2);
}

TEST_F(ChatTest, VisitorsNeverSeeAnotherConversation) {
  WsClient first;
  ASSERT_TRUE(first.Connect(server().port(), "/api/v1/chat/ws?name=Lan&email=lan%40example.com"));
  ASSERT_EQ(StrAt(first.Next(), "type"), "ready");
  first.Send(json::object{{"type", "message"}, {"body", "first conversation"}});
  const std::int64_t first_ticket = IntAt(first.NextOfType("message"), "ticket_id");
  ASSERT_GT(first_ticket, 0);

  // Someone else giving the same address starts their own conversation and hears nothing of
  // the first one.
  WsClient second;
  ASSERT_TRUE(second.Connect(server().port(), "/api/v1/chat/ws?name=Lan&email=lan%40example.com"));
  ASSERT_EQ(StrAt(second.Next(), "type"), "ready");
  second.Send(json::object{{"type", "message"}, {"body", "second conversation"}});
  const std::int64_t second_ticket = IntAt(second.NextOfType("message"), "ticket_id");
  EXPECT_NE(second_ticket, first_ticket);
  ASSERT_EQ(admin()
                .Post("/api/v1/tickets/" + std::to_string(first_ticket) + "/articles",
                      json::object{{"body", "private answer"}, {"direction", "outbound"}})
                .status,
            201);
  EXPECT_EQ(StrAt(first.NextOfType("message"), "body"), "private answer");
  EXPECT_TRUE(second.Next(std::chrono::seconds(1)).is_null());
}

}  // namespace
}  // namespace ombud::test
