// The customer portal against a real `ombud serve`: one-time codes read from the outbox table
// of the server's SQLite file, sessions, isolation between customers, information requests,
// document uploads sniffed by libmagic, and the public complaint form.

#include <string>
#include <vector>

#include "integration/server_test.hpp"
#include "integration/ws_client.hpp"

namespace ombud::test {
namespace {

namespace json = boost::json;

// The six digits of the newest login code message to `recipient` in the outbox, or "".
std::string CodeSentTo(const std::string& db_path, const std::string& recipient) {
  const auto rows = Query(db_path, "SELECT body FROM outbox WHERE recipient = '" + recipient +
                                       "' AND dedupe_key LIKE 'otp:%' ORDER BY id DESC LIMIT 1");
  if (rows.empty()) return "";
  const std::string& body = rows[0][0];
  const auto at = body.find("code is ");
  return at == std::string::npos ? "" : body.substr(at + 8, 6);
}

// Credentials of a portal session: the cookie and CSRF token the verify answer gave.
struct Portal {
  std::string cookie;
  std::string csrf;
  Headers headers() const { return {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}; }
};

class PortalTest : public ServerTest {
 protected:
  std::int64_t CreateEmailCustomer(std::string_view name, std::string_view email) {
    const Response r =
        admin().Post("/api/v1/customers", json::object{{"name", name}, {"email", email}});
    EXPECT_EQ(r.status, 201) << Describe(r);
    return IntAt(r.Json(), "id");
  }

  Response RequestCode(HttpClient& client, std::string_view email) {
    return client.Post("/api/v1/portal/login/code", json::object{{"email", email}});
  }

  Response Verify(HttpClient& client, std::string_view email, std::string_view code) {
    return client.Post("/api/v1/portal/login/verify",
                       json::object{{"email", email}, {"code", code}});
  }

  // Logs in through a code sent to `email`; empty credentials on failure.
  Portal LogIn(HttpClient& client, const std::string& email) {
    const Response asked = RequestCode(client, email);
    EXPECT_EQ(asked.status, 202) << Describe(asked);
    const std::string code = CodeSentTo(server().db_path(), email);
    EXPECT_EQ(code.size(), 6u);
    const Response r = Verify(client, email, code);
    EXPECT_EQ(r.status, 200) << Describe(r);
    Portal p;
    const std::string set_cookie = r.Header("Set-Cookie");
    p.cookie = set_cookie.substr(0, set_cookie.find(';'));
    p.csrf = StrAt(r.Json(), "csrf_token");
    return p;
  }
};

TEST_F(PortalTest, CodeLoginGivesACustomerSessionThatSeesOnlyItsOwnTickets) {
  const auto ann = CreateEmailCustomer("Ann", "ann@example.com");
  const auto bob = CreateEmailCustomer("Bob", "bob@example.com");
  const auto ann_ticket = IntAt(CreateTicket(ann, "Ann's bill"), "id");
  const auto bob_ticket = IntAt(CreateTicket(bob, "Bob's bill"), "id");
  ASSERT_GT(ann_ticket, 0);
  ASSERT_GT(bob_ticket, 0);
  const Response note = admin().Post(
      "/api/v1/tickets/" + std::to_string(ann_ticket) + "/articles",
      json::object{{"body", "internal: customer is difficult"}, {"direction", "internal"}});
  ASSERT_EQ(note.status, 201) << Describe(note);

  HttpClient web = NewClient();
  // No enumeration: a known and an unknown address get the same answer.
  const Response known = RequestCode(web, "Ann@Example.com");
  const Response unknown = RequestCode(web, "nobody@example.com");
  EXPECT_EQ(known.status, 202);
  EXPECT_EQ(unknown.status, known.status);
  EXPECT_EQ(unknown.body, known.body);
  EXPECT_EQ(CodeSentTo(server().db_path(), "nobody@example.com"), "");
  const std::string code = CodeSentTo(server().db_path(), "ann@example.com");
  ASSERT_EQ(code.size(), 6u);
  // Only a salted hash of the code is stored.
  const auto stored = Query(server().db_path(), "SELECT code_hash FROM one_time_codes");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0][0].find(code), std::string::npos);
  const auto outbox_channel = Query(
      server().db_path(),
      "SELECT channel FROM outbox WHERE recipient = 'ann@example.com' AND dedupe_key LIKE 'otp:%'");
  ASSERT_EQ(outbox_channel.size(), 1u);
  EXPECT_EQ(outbox_channel[0][0], "email");

  const std::string wrong = code == "000000" ? "111111" : "000000";
  const Response bad = Verify(web, "ann@example.com", wrong);
  EXPECT_EQ(bad.status, 401) << Describe(bad);
  EXPECT_EQ(bad.ErrorField(), "code");
  const Response unknown_verify = Verify(web, "nobody@example.com", code);
  EXPECT_EQ(unknown_verify.status, 401);
  EXPECT_EQ(unknown_verify.body, bad.body);
  const Response malformed = Verify(web, "ann@example.com", "12ab56");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(malformed.ErrorField(), "code");

  const Response ok = Verify(web, "ann@example.com", code);
  ASSERT_EQ(ok.status, 200) << Describe(ok);
  EXPECT_EQ(StrAt(ok.Json(), "user.role"), "customer");
  EXPECT_EQ(IntAt(ok.Json(), "user.customer_id"), ann);
  // The code is used up.
  EXPECT_EQ(Verify(web, "ann@example.com", code).status, 401);

  Portal p;
  p.cookie = ok.Header("Set-Cookie").substr(0, ok.Header("Set-Cookie").find(';'));
  p.csrf = StrAt(ok.Json(), "csrf_token");
  const Response mine = web.Get("/api/v1/portal/tickets", p.headers());
  ASSERT_EQ(mine.status, 200) << Describe(mine);
  const auto tickets = ArrayAt(mine.Json(), "tickets");
  ASSERT_EQ(tickets.size(), 1u);
  EXPECT_EQ(IntAt(tickets[0], "id"), ann_ticket);

  const Response one = web.Get("/api/v1/portal/tickets/" + std::to_string(ann_ticket), p.headers());
  ASSERT_EQ(one.status, 200) << Describe(one);
  for (const auto& a : ArrayAt(one.Json(), "articles")) {
    EXPECT_NE(StrAt(a, "direction"), "internal") << ToJson(a);
    EXPECT_EQ(StrAt(a, "body").find("difficult"), std::string::npos);
  }

  // Another customer's ticket does not exist for Ann, whichever route she tries.
  const std::string bobs = std::to_string(bob_ticket);
  EXPECT_EQ(web.Get("/api/v1/portal/tickets/" + bobs, p.headers()).status, 404);
  EXPECT_EQ(web.Get("/api/v1/tickets/" + bobs, p.headers()).status, 404);
  const Response reply_bob = web.Post("/api/v1/portal/tickets/" + bobs + "/replies",
                                      json::object{{"body", "hijack"}}, p.headers());
  EXPECT_EQ(reply_bob.status, 404) << Describe(reply_bob);
  const Response upload_bob =
      web.Request("POST", "/api/v1/portal/tickets/" + bobs + "/documents?filename=a.txt",
                  "hello there\n", p.headers());
  EXPECT_EQ(upload_bob.status, 404) << Describe(upload_bob);
  const Response bob_view = admin().Get("/api/v1/tickets/" + bobs);
  EXPECT_EQ(ArrayAt(bob_view.Json(), "articles").size(), 1u);

  // A reply to her own ticket is an inbound article.
  const Response reply =
      web.Post("/api/v1/portal/tickets/" + std::to_string(ann_ticket) + "/replies",
               json::object{{"body", "Any news?"}}, p.headers());
  ASSERT_EQ(reply.status, 201) << Describe(reply);
  EXPECT_EQ(StrAt(reply.Json(), "direction"), "inbound");
  // Staff are sent to the staff API.
  EXPECT_EQ(admin().Get("/api/v1/portal/tickets").status, 403);

  const auto audit = Query(
      server().db_path(), "SELECT action FROM audit_log WHERE action LIKE 'portal.%' ORDER BY seq");
  std::vector<std::string> actions;
  for (const auto& row : audit) actions.push_back(row[0]);
  EXPECT_EQ(actions, (std::vector<std::string>{"portal.code.sent", "portal.code.unknown",
                                               "portal.login.failed", "portal.login.failed",
                                               "portal.login", "portal.login.failed"}));
}

TEST_F(PortalTest, WrongCodesLockTheCode) {
  CreateEmailCustomer("Ann", "ann@example.com");
  HttpClient web = NewClient();
  ASSERT_EQ(RequestCode(web, "ann@example.com").status, 202);
  const std::string code = CodeSentTo(server().db_path(), "ann@example.com");
  ASSERT_EQ(code.size(), 6u);
  const std::string wrong = code == "000000" ? "111111" : "000000";
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Verify(web, "ann@example.com", wrong).status, 401);
  // Locked: even the right code no longer opens a session.
  EXPECT_EQ(Verify(web, "ann@example.com", code).status, 401);
  const auto state = Query(server().db_path(), "SELECT state, attempts FROM one_time_codes");
  ASSERT_EQ(state.size(), 1u);
  EXPECT_EQ(state[0][0], "locked");
  EXPECT_EQ(state[0][1], "5");
  // A new code works again.
  const Portal p = LogIn(web, "ann@example.com");
  EXPECT_FALSE(p.cookie.empty());
}

// The portal user of customer N is "customer-N"; a staff account that bears that name is never
// handed out through a code.
TEST_F(PortalTest, CodeNeverOpensAStaffAccountThatBearsThePortalName) {
  const auto ann = CreateEmailCustomer("Ann", "ann@example.com");
  ASSERT_GT(CreateUser("customer-" + std::to_string(ann), "agent"), 0);
  HttpClient web = NewClient();
  ASSERT_EQ(RequestCode(web, "ann@example.com").status, 202);
  const Response r =
      Verify(web, "ann@example.com", CodeSentTo(server().db_path(), "ann@example.com"));
  EXPECT_EQ(r.status, 409) << Describe(r);
  EXPECT_TRUE(r.Header("Set-Cookie").empty());
}

class PortalClockTest : public PortalTest {
 protected:
  std::vector<std::string> ExtraArgs() const override { return {"--test-clock"}; }
};

TEST_F(PortalClockTest, CodesExpireAfterTenMinutes) {
  CreateEmailCustomer("Ann", "ann@example.com");
  HttpClient web = NewClient();
  ASSERT_EQ(RequestCode(web, "ann@example.com").status, 202);
  const std::string code = CodeSentTo(server().db_path(), "ann@example.com");
  ASSERT_EQ(code.size(), 6u);
  const Response moved =
      admin().Post("/api/v1/_test/clock", json::object{{"advance_seconds", 601}});
  ASSERT_EQ(moved.status, 200) << Describe(moved);
  EXPECT_EQ(Verify(web, "ann@example.com", code).status, 401);
  const auto why = Query(server().db_path(),
                         "SELECT details FROM audit_log WHERE action = 'portal.login.failed'");
  ASSERT_EQ(why.size(), 1u);
  EXPECT_NE(why[0][0].find("expired"), std::string::npos);
}

// R-MET-5: the customer answers an information request from the portal; the ticket resumes.
TEST_F(PortalTest, CustomerAnswersAnInformationRequest) {
  const auto ann = CreateEmailCustomer("Ann", "ann@example.com");
  const auto ticket = IntAt(CreateTicket(ann, "Dropped calls"), "id");
  const std::string path = "/api/v1/tickets/" + std::to_string(ticket);
  const Response asked =
      admin().Post(path + "/request-info", json::object{{"asked", "Which days did it happen?"}});
  ASSERT_EQ(asked.status, 201) << Describe(asked);
  const auto record = IntAt(asked.Json(), "id");

  HttpClient web = NewClient();
  const Portal p = LogIn(web, "ann@example.com");
  const std::string mine = "/api/v1/portal/tickets/" + std::to_string(ticket);
  const Response before = web.Get(mine, p.headers());
  ASSERT_EQ(before.status, 200) << Describe(before);
  EXPECT_EQ(StrAt(before.Json(), "ticket.state"), "pending_customer");
  const auto open = ArrayAt(before.Json(), "info_requests");
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(IntAt(open[0], "id"), record);
  EXPECT_EQ(StrAt(open[0], "asked"), "Which days did it happen?");

  const Response bad =
      web.Post(mine + "/info-requests/999999/answer", json::object{{"body", "x"}}, p.headers());
  EXPECT_EQ(bad.status, 404);
  const Response empty = web.Post(mine + "/info-requests/" + std::to_string(record) + "/answer",
                                  json::object{{"body", ""}}, p.headers());
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(empty.ErrorField(), "body");
  const Response answered = web.Post(mine + "/info-requests/" + std::to_string(record) + "/answer",
                                     json::object{{"body", "Monday and Tuesday"}}, p.headers());
  ASSERT_EQ(answered.status, 201) << Describe(answered);

  const Response after = web.Get(mine, p.headers());
  EXPECT_EQ(StrAt(after.Json(), "ticket.state"), "open");
  EXPECT_TRUE(ArrayAt(after.Json(), "info_requests").empty());
  const auto rows = Query(server().db_path(),
                          "SELECT state FROM case_records WHERE id = " + std::to_string(record));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "answered");
  // Answered once only.
  const Response again = web.Post(mine + "/info-requests/" + std::to_string(record) + "/answer",
                                  json::object{{"body", "again"}}, p.headers());
  EXPECT_EQ(again.status, 422) << Describe(again);
}

TEST_F(PortalTest, UploadsAreCheckedBySniffedTypeAndSize) {
  const auto ann = CreateEmailCustomer("Ann", "ann@example.com");
  const auto ticket = IntAt(CreateTicket(ann, "Refund"), "id");
  HttpClient web = NewClient();
  const Portal p = LogIn(web, "ann@example.com");
  const std::string docs = "/api/v1/portal/tickets/" + std::to_string(ticket) + "/documents";
  Headers h = p.headers();
  h.emplace_back("Content-Type", "application/octet-stream");

  const std::string pdf =
      "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
      "2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
  const Response ok = web.Request("POST", docs + "?filename=receipt.pdf", pdf, h);
  ASSERT_EQ(ok.status, 201) << Describe(ok);
  const auto attachments = ArrayAt(ok.Json(), "attachments");
  ASSERT_EQ(attachments.size(), 1u);
  EXPECT_EQ(StrAt(attachments[0], "content_type"), "application/pdf");
  EXPECT_EQ(StrAt(attachments[0], "filename"), "receipt.pdf");

  // An executable renamed to .pdf: sniffed as what it is and refused.
  std::string elf(
      "\x7f"
      "ELF\x02\x01\x01",
      7);
  elf.resize(64, '\0');
  elf[16] = 2;   // ET_EXEC
  elf[18] = 62;  // x86-64
  const Response exe = web.Request("POST", docs + "?filename=invoice.pdf", elf, h);
  EXPECT_EQ(exe.status, 415) << Describe(exe);
  EXPECT_EQ(exe.ErrorCode(), "unsupported_media_type");
  EXPECT_EQ(exe.ErrorField(), "body");

  const std::string big(600 * 1024, 'a');
  const Response too_big = web.Request("POST", docs + "?filename=big.txt", big, h);
  EXPECT_EQ(too_big.status, 413) << Describe(too_big);
  EXPECT_EQ(too_big.ErrorField(), "body");
  const Response no_name = web.Request("POST", docs, pdf, h);
  EXPECT_EQ(no_name.status, 400);
  EXPECT_EQ(no_name.ErrorField(), "filename");
  const Response path_name = web.Request("POST", docs + "?filename=..%2Fetc%2Fpasswd", pdf, h);
  EXPECT_EQ(path_name.status, 400);

  // Only the accepted document reached the ticket.
  const Response view = admin().Get("/api/v1/tickets/" + std::to_string(ticket));
  int with_files = 0;
  for (const auto& a : ArrayAt(view.Json(), "articles")) {
    with_files += ArrayAt(a, "attachments").empty() ? 0 : 1;
  }
  EXPECT_EQ(with_files, 1);
}

TEST_F(PortalTest, PublicFormFilesAWebTicketWithLimits) {
  HttpClient web = NewClient();
  const json::object form{{"name", "Chi"},
                          {"email", "chi@example.com"},
                          {"subject", "Wrong charge"},
                          {"body", "I was charged twice."}};
  const Response filed = web.Post("/api/v1/portal/complaints", form);
  ASSERT_EQ(filed.status, 201) << Describe(filed);
  const std::string number = StrAt(filed.Json(), "ticket_number");
  EXPECT_EQ(number.rfind("C-", 0), 0u);
  EXPECT_EQ(Find(filed.Json(), "customer"), nullptr);  // Nothing about customers leaks back.

  const Response staff = admin().Get("/api/v1/tickets/" + number);
  ASSERT_EQ(staff.status, 200) << Describe(staff);
  EXPECT_EQ(StrAt(staff.Json(), "ticket.channel"), "web");

  json::object no_contact = form;
  no_contact.erase("email");
  const Response missing = web.Post("/api/v1/portal/complaints", no_contact);
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.ErrorField(), "email");
  json::object extra = form;
  extra["customer_id"] = 1;
  EXPECT_EQ(web.Post("/api/v1/portal/complaints", extra).status, 400);
  json::object future = form;
  future["incident_date"] = "2999-01-01";
  const Response late = web.Post("/api/v1/portal/complaints", future);
  EXPECT_EQ(late.status, 400);
  EXPECT_EQ(late.ErrorField(), "incident_date");

  // Per-address limit: ten forms per window (four used above), then 429.
  int accepted = 0;
  Response last;
  for (int i = 0; i < 8; ++i) {
    last = web.Post("/api/v1/portal/complaints", form);
    if (last.status == 201) ++accepted;
  }
  EXPECT_EQ(accepted, 6);
  EXPECT_EQ(last.status, 429) << Describe(last);
  EXPECT_EQ(last.ErrorCode(), "rate_limited");
}

// A signed-in customer chats over the widget socket with their portal session; another
// customer's widget hears nothing of it.
TEST_F(PortalTest, SignedInCustomerChatsWithTheirSession) {
  const auto ann = CreateEmailCustomer("Ann", "ann@example.com");
  CreateEmailCustomer("Bob", "bob@example.com");
  HttpClient web = NewClient();
  const Portal ann_session = LogIn(web, "ann@example.com");
  const Portal bob_session = LogIn(web, "bob@example.com");

  WsClient ann_socket;
  ASSERT_TRUE(
      ann_socket.Connect(server().port(), "/api/v1/chat/ws", {{"Cookie", ann_session.cookie}}));
  ASSERT_EQ(StrAt(ann_socket.Next(), "type"), "ready");
  WsClient bob_socket;
  ASSERT_TRUE(
      bob_socket.Connect(server().port(), "/api/v1/chat/ws", {{"Cookie", bob_session.cookie}}));
  ASSERT_EQ(StrAt(bob_socket.Next(), "type"), "ready");

  ann_socket.Send(json::object{{"type", "message"}, {"body", "Hello from Ann"}});
  const auto ticket_id = IntAt(ann_socket.NextOfType("message"), "ticket_id");
  ASSERT_GT(ticket_id, 0);
  const Response view = admin().Get("/api/v1/tickets/" + std::to_string(ticket_id));
  EXPECT_EQ(IntAt(view.Json(), "ticket.customer_id"), ann);
  EXPECT_EQ(StrAt(view.Json(), "ticket.channel"), "chat");
  // Her portal lists the chat ticket.
  EXPECT_EQ(
      ArrayAt(web.Get("/api/v1/portal/tickets", ann_session.headers()).Json(), "tickets").size(),
      1u);

  ASSERT_EQ(admin()
                .Post("/api/v1/tickets/" + std::to_string(ticket_id) + "/articles",
                      json::object{{"body", "Hello Ann"}, {"direction", "outbound"}})
                .status,
            201);
  EXPECT_EQ(StrAt(ann_socket.NextOfType("message"), "body"), "Hello Ann");
  EXPECT_TRUE(bob_socket.Next(std::chrono::seconds(1)).is_null());

  // Staff sessions are sent to the agent socket.
  WsClient staff;
  EXPECT_FALSE(staff.Connect(server().port(), "/api/v1/chat/ws",
                             {{"Authorization", "Bearer " + admin().bearer()}}));
  EXPECT_EQ(staff.status, 403);
}

}  // namespace
}  // namespace ombud::test
