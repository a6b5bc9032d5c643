#include <array>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "integration/server_test.hpp"

namespace ombud::test {
namespace {

using TicketsTest = ServerTest;

const std::regex kTimePattern(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$)");
const std::regex kNumberPattern(R"(^C-\d{4}-\d{6,}$)");

std::string TicketPath(std::int64_t id) { return "/api/v1/tickets/" + std::to_string(id); }

Response ChangeState(HttpClient& client, std::int64_t id, std::string_view state) {
  return client.Post(TicketPath(id) + "/state",
                     boost::json::object{{"state", state}, {"reason", "integration test"}});
}

TEST_F(TicketsTest, CreatesTicketAndNewCustomerFoundByPhone) {
  const Response created =
      admin().Post("/api/v1/tickets", TicketBody("No signal in Kampot", "+85512000001"));
  ASSERT_EQ(created.status, 201) << Describe(created);
  const auto json = created.Json();
  EXPECT_GT(IntAt(json, "ticket.id"), 0);
  EXPECT_TRUE(std::regex_match(StrAt(json, "ticket.number"), kNumberPattern))
      << StrAt(json, "ticket.number");
  EXPECT_EQ(StrAt(json, "ticket.state"), "new");
  EXPECT_EQ(StrAt(json, "ticket.kind"), "complaint");
  EXPECT_EQ(StrAt(json, "ticket.channel"), "phone");
  EXPECT_EQ(StrAt(json, "ticket.subject"), "No signal in Kampot");
  EXPECT_EQ(StrAt(json, "ticket.incident_date"), "");
  EXPECT_TRUE(IsNullAt(json, "ticket.department_id"));
  EXPECT_TRUE(IsNullAt(json, "ticket.owner_id"));
  EXPECT_TRUE(std::regex_match(StrAt(json, "ticket.created_at"), kTimePattern))
      << StrAt(json, "ticket.created_at");
  EXPECT_EQ(StrAt(json, "article.direction"), "inbound");
  EXPECT_EQ(IntAt(json, "article.ticket_id"), IntAt(json, "ticket.id"));
  EXPECT_EQ(StrAt(json, "article.body"), "The complaint: No signal in Kampot");
  EXPECT_EQ(IntAt(json, "customer.id"), IntAt(json, "ticket.customer_id"));
  EXPECT_EQ(StrAt(json, "customer.identities.0.kind"), "phone");
  EXPECT_EQ(StrAt(json, "customer.identities.0.value"), "+85512000001");

  // The same phone, written differently, finds the same customer.
  const Response again =
      admin().Post("/api/v1/tickets", TicketBody("Still no signal", "+855 12-000 001"));
  ASSERT_EQ(again.status, 201) << Describe(again);
  EXPECT_EQ(IntAt(again.Json(), "ticket.customer_id"), IntAt(json, "ticket.customer_id"));
  EXPECT_NE(IntAt(again.Json(), "ticket.id"), IntAt(json, "ticket.id"));
  EXPECT_NE(StrAt(again.Json(), "ticket.number"), StrAt(json, "ticket.number"));
}

TEST_F(TicketsTest, CreatesTicketForCustomerFoundByEmailOrGivenById) {
  boost::json::object by_email{
      {"customer", {{"name", "Nguyen Van An"}, {"language", "vi"}, {"email", "An@Example.VN"}}},
      {"channel", "email"},
      {"kind", "consultancy"},
      {"subject", "Tariff question"},
      {"body", "Which plan?"},
      {"category", "billing"},
      {"product", "Prepaid 5G"},
      {"incident_date", "2026-01-15"},
      {"custom_fields", {{"contract", "K-1"}, {"priority", 2}, {"vip", true}}}};
  const Response first = admin().Post("/api/v1/tickets", by_email);
  ASSERT_EQ(first.status, 201) << Describe(first);
  const auto json = first.Json();
  const std::int64_t customer_id = IntAt(json, "ticket.customer_id");
  EXPECT_EQ(StrAt(json, "ticket.kind"), "consultancy");
  EXPECT_EQ(StrAt(json, "ticket.category"), "billing");
  EXPECT_EQ(StrAt(json, "ticket.product"), "Prepaid 5G");
  EXPECT_EQ(StrAt(json, "ticket.incident_date"), "2026-01-15");
  EXPECT_EQ(StrAt(json, "ticket.custom_fields.contract"), "K-1");
  EXPECT_EQ(IntAt(json, "ticket.custom_fields.priority"), 2);
  EXPECT_EQ(StrAt(json, "customer.language"), "vi");
  EXPECT_EQ(StrAt(json, "customer.identities.0.value"), "an@example.vn");

  by_email["customer"].as_object()["email"] = "an@example.vn";
  by_email["subject"] = "Second question";
  const Response second = admin().Post("/api/v1/tickets", by_email);
  ASSERT_EQ(second.status, 201) << Describe(second);
  EXPECT_EQ(IntAt(second.Json(), "ticket.customer_id"), customer_id);

  const auto by_id = CreateTicket(customer_id, "Third question", "sms");
  ASSERT_FALSE(by_id.is_null());
  EXPECT_EQ(IntAt(by_id, "customer_id"), customer_id);

  const Response unknown = admin().Post(
      "/api/v1/tickets",
      boost::json::object{
          {"customer_id", 987654}, {"channel", "web"}, {"subject", "x"}, {"body", "y"}});
  EXPECT_EQ(unknown.status, 404) << Describe(unknown);
}

TEST_F(TicketsTest, ListsOldestFirstWithFiltersAndCursorPagination) {
  const std::int64_t customer = CreateCustomer("Paging Customer", "+85513000000");
  const std::int64_t other = CreateCustomer("Other Customer", "+85513000001");
  ASSERT_GT(customer, 0);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 7; ++i) {
    const auto ticket =
        CreateTicket(customer, "paged " + std::to_string(i), i % 2 == 0 ? "phone" : "email");
    ASSERT_FALSE(ticket.is_null());
    ids.push_back(IntAt(ticket, "id"));
  }
  ASSERT_FALSE(CreateTicket(other, "someone else's").is_null());

  std::vector<std::int64_t> seen;
  std::vector<std::size_t> page_sizes;
  std::string target = "/api/v1/tickets?customer_id=" + std::to_string(customer) + "&limit=3";
  for (int page = 0; page < 10; ++page) {
    const Response response = admin().Get(target);
    ASSERT_EQ(response.status, 200) << Describe(response);
    const auto json = response.Json();
    const auto tickets = ArrayAt(json, "tickets");
    page_sizes.push_back(tickets.size());
    for (const auto& ticket : tickets) seen.push_back(IntAt(ticket, "id"));
    if (IsNullAt(json, "next_cursor")) break;
    const std::string cursor = StrAt(json, "next_cursor");
    ASSERT_NE(cursor, "<missing>");
    target = "/api/v1/tickets?customer_id=" + std::to_string(customer) +
             "&limit=3&cursor=" + UrlEncode(cursor);
  }
  EXPECT_EQ(seen, ids) << "all 7, oldest first, each once";
  EXPECT_EQ(page_sizes, (std::vector<std::size_t>{3, 3, 1}));

  // Filters combine.
  const auto emails = ListAllTickets(admin(), "channel=email");
  ASSERT_EQ(emails.size(), 3u);
  for (const auto& ticket : emails) EXPECT_EQ(StrAt(ticket, "channel"), "email");

  ASSERT_EQ(ChangeState(admin(), ids[1], "open").status, 200);
  ASSERT_EQ(ChangeState(admin(), ids[4], "open").status, 200);
  const auto open = ListAllTickets(admin(), "state=open");
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(IntAt(open[0], "id"), ids[1]);
  EXPECT_EQ(IntAt(open[1], "id"), ids[4]);
  const auto open_email = ListAllTickets(admin(), "state=open&channel=email");
  ASSERT_EQ(open_email.size(), 1u);
  EXPECT_EQ(IntAt(open_email[0], "id"), ids[1]);
  const auto open_sms = ListAllTickets(admin(), "state=open&channel=sms");
  EXPECT_EQ(open_sms.size(), 0u);
  EXPECT_EQ(ListAllTickets(admin()).size(), 8u);
}

TEST_F(TicketsTest, ListsByDepartment) {
  const Response billing = admin().Post(
      "/api/v1/departments",
      boost::json::object{{"name", "Billing"}, {"scope", boost::json::array{"billing"}}});
  ASSERT_EQ(billing.status, 201) << Describe(billing);
  const std::int64_t department = IntAt(billing.Json(), "id");
  const std::int64_t customer = CreateCustomer("Dept Customer", "+85514000000");
  boost::json::object body{{"customer_id", customer},
                           {"channel", "phone"},
                           {"subject", "routed"},
                           {"body", "to billing"},
                           {"department_id", department}};
  const Response routed = admin().Post("/api/v1/tickets", body);
  ASSERT_EQ(routed.status, 201) << Describe(routed);
  EXPECT_EQ(IntAt(routed.Json(), "ticket.department_id"), department);
  ASSERT_FALSE(CreateTicket(customer, "unrouted").is_null());

  const auto listed = ListAllTickets(admin(), "department_id=" + std::to_string(department));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(StrAt(listed[0], "subject"), "routed");
}

TEST_F(TicketsTest, StoresAttachmentsWithSizeAndHash) {
  boost::json::object body = TicketBody("with attachment", "+85519000000");
  body["attachments"] = boost::json::array{boost::json::object{
      {"filename", "bill.txt"}, {"content_type", "text/plain"}, {"content_base64", "aGVsbG8="}}};
  const Response created = admin().Post("/api/v1/tickets", body);
  ASSERT_EQ(created.status, 201) << Describe(created);
  const auto json = created.Json();
  EXPECT_EQ(StrAt(json, "article.attachments.0.filename"), "bill.txt");
  EXPECT_EQ(StrAt(json, "article.attachments.0.content_type"), "text/plain");
  EXPECT_EQ(IntAt(json, "article.attachments.0.size"), 5);
  EXPECT_TRUE(
      std::regex_match(StrAt(json, "article.attachments.0.sha"), std::regex("^[0-9a-f]{64}$")));
  const Response fetched =
      admin().Get("/api/v1/tickets/" + std::to_string(IntAt(json, "ticket.id")));
  const auto fetched_json = fetched.Json();
  const boost::json::value* first_article = Find(fetched_json, "articles.0");
  ASSERT_NE(first_article, nullptr) << Describe(fetched);
  EXPECT_EQ(*first_article, *Find(json, "article"));

  boost::json::array eleven;
  for (int i = 0; i < 11; ++i) {
    eleven.push_back(boost::json::object{{"filename", "f" + std::to_string(i)},
                                         {"content_type", "text/plain"},
                                         {"content_base64", "aGVsbG8="}});
  }
  body["attachments"] = eleven;
  body["subject"] = "too many attachments";
  const Response too_many = admin().Post("/api/v1/tickets", body);
  EXPECT_EQ(too_many.status, 400) << Describe(too_many);
  EXPECT_EQ(too_many.ErrorField(), "attachments");
}

TEST_F(TicketsTest, GetsTicketByIdAndByNumber) {
  const std::int64_t customer = CreateCustomer("Lookup", "+85515000000");
  const auto ticket = CreateTicket(customer, "find me");
  ASSERT_FALSE(ticket.is_null());
  const std::int64_t id = IntAt(ticket, "id");
  const std::string number = StrAt(ticket, "number");

  const Response by_id = admin().Get(TicketPath(id));
  ASSERT_EQ(by_id.status, 200) << Describe(by_id);
  const Response by_number = admin().Get("/api/v1/tickets/" + number);
  ASSERT_EQ(by_number.status, 200) << Describe(by_number);
  EXPECT_EQ(by_id.Json(), by_number.Json());
  EXPECT_EQ(IntAt(by_id.Json(), "ticket.id"), id);
  EXPECT_EQ(StrAt(by_id.Json(), "ticket.number"), number);
  const auto articles = ArrayAt(by_id.Json(), "articles");
  ASSERT_EQ(articles.size(), 1u);
  EXPECT_EQ(StrAt(articles[0], "direction"), "inbound");
  EXPECT_EQ(StrAt(articles[0], "body"), "Details of find me");

  const Response missing = admin().Get(TicketPath(id + 1000));
  EXPECT_EQ(missing.status, 404) << Describe(missing);
  EXPECT_EQ(missing.ErrorCode(), "not_found");
  const Response missing_number = admin().Get("/api/v1/tickets/C-1999-000001");
  EXPECT_EQ(missing_number.status, 404) << Describe(missing_number);
}

TEST_F(TicketsTest, AddsArticles) {
  const std::int64_t customer = CreateCustomer("Articles", "+85516000000");
  const auto ticket = CreateTicket(customer, "needs an answer");
  const std::int64_t id = IntAt(ticket, "id");
  const Response me = admin().Get("/api/v1/auth/me");
  ASSERT_EQ(me.status, 200);

  const Response answer = admin().Post(
      TicketPath(id) + "/articles",
      boost::json::object{{"body", "We fixed it."}, {"direction", "outbound"}, {"channel", "sms"}});
  ASSERT_EQ(answer.status, 201) << Describe(answer);
  const auto json = answer.Json();
  EXPECT_GT(IntAt(json, "id"), 0);
  EXPECT_EQ(IntAt(json, "ticket_id"), id);
  EXPECT_EQ(StrAt(json, "direction"), "outbound");
  EXPECT_EQ(StrAt(json, "channel"), "sms");
  EXPECT_EQ(IntAt(json, "author_user_id"), IntAt(me.Json(), "id"));
  EXPECT_TRUE(IsNullAt(json, "author_customer_id"));
  EXPECT_TRUE(std::regex_match(StrAt(json, "created_at"), kTimePattern));

  const Response note =
      admin().Post(TicketPath(id) + "/articles",
                   boost::json::object{{"body", "internal note"}, {"direction", "internal"}});
  ASSERT_EQ(note.status, 201) << Describe(note);

  const Response full = admin().Get(TicketPath(id));
  const auto articles = ArrayAt(full.Json(), "articles");
  ASSERT_EQ(articles.size(), 3u);
  EXPECT_EQ(StrAt(articles[1], "body"), "We fixed it.");
  EXPECT_EQ(StrAt(articles[2], "direction"), "internal");

  const Response on_missing =
      admin().Post(TicketPath(id + 1000) + "/articles",
                   boost::json::object{{"body", "nobody home"}, {"direction", "outbound"}});
  EXPECT_EQ(on_missing.status, 404) << Describe(on_missing);
}

// The ticket state machine of docs/api.md, checked for every (from, to) pair.
TEST_F(TicketsTest, AppliesEveryStateTransitionRule) {
  const std::array<std::string_view, 6> states = {
      "new", "open", "pending_customer", "pending_department", "resolved", "closed"};
  const std::set<std::pair<std::string_view, std::string_view>> allowed = {
      {"new", "open"},
      {"new", "pending_customer"},
      {"new", "pending_department"},
      {"new", "resolved"},
      {"new", "closed"},
      {"open", "pending_customer"},
      {"open", "pending_department"},
      {"open", "resolved"},
      {"open", "closed"},
      {"pending_customer", "open"},
      {"pending_customer", "resolved"},
      {"pending_customer", "closed"},
      {"pending_department", "open"},
      {"pending_department", "resolved"},
      {"pending_department", "closed"},
      {"resolved", "closed"},
      {"resolved", "open"},
      {"closed", "open"},
  };
  const std::int64_t customer = CreateCustomer("States", "+85517000000");
  for (const auto from : states) {
    for (const auto to : states) {
      SCOPED_TRACE(std::string(from) + " -> " + std::string(to));
      const auto ticket = CreateTicket(customer, std::string(from) + "->" + std::string(to));
      const std::int64_t id = IntAt(ticket, "id");
      if (from != "new") {
        ASSERT_EQ(ChangeState(admin(), id, from).status, 200);
      }
      const Response moved = ChangeState(admin(), id, to);
      const bool ok = allowed.contains({from, to});
      EXPECT_EQ(moved.status, ok ? 200 : 422) << Describe(moved);
      if (ok) {
        EXPECT_EQ(StrAt(moved.Json(), "state"), to);
      } else {
        EXPECT_EQ(moved.ErrorCode(), "failed_precondition");
      }
      const Response now = admin().Get(TicketPath(id));
      EXPECT_EQ(StrAt(now.Json(), "ticket.state"), ok ? to : from);
    }
  }
  const Response bogus = ChangeState(admin(), IntAt(CreateTicket(customer, "bogus"), "id"), "gone");
  EXPECT_EQ(bogus.status, 400) << Describe(bogus);
  EXPECT_EQ(bogus.ErrorField(), "state");
}

TEST_F(TicketsTest, InboundArticleReopensTicketPendingOnCustomer) {
  const std::int64_t customer = CreateCustomer("Reopen", "+85518000000");
  const std::int64_t id = IntAt(CreateTicket(customer, "waiting for customer"), "id");
  ASSERT_EQ(ChangeState(admin(), id, "open").status, 200);
  ASSERT_EQ(ChangeState(admin(), id, "pending_customer").status, 200);

  const Response outbound = admin().Post(
      TicketPath(id) + "/articles",
      boost::json::object{{"body", "Please send your contract"}, {"direction", "outbound"}});
  ASSERT_EQ(outbound.status, 201) << Describe(outbound);
  EXPECT_EQ(StrAt(admin().Get(TicketPath(id)).Json(), "ticket.state"), "pending_customer");

  const Response inbound = admin().Post(
      TicketPath(id) + "/articles",
      boost::json::object{{"body", "Here it is"}, {"direction", "inbound"}, {"channel", "email"}});
  ASSERT_EQ(inbound.status, 201) << Describe(inbound);
  EXPECT_EQ(StrAt(admin().Get(TicketPath(id)).Json(), "ticket.state"), "open");

  // On a ticket in another state an inbound article changes nothing.
  ASSERT_EQ(ChangeState(admin(), id, "pending_department").status, 200);
  ASSERT_EQ(admin()
                .Post(TicketPath(id) + "/articles",
                      boost::json::object{{"body", "any news?"}, {"direction", "inbound"}})
                .status,
            201);
  EXPECT_EQ(StrAt(admin().Get(TicketPath(id)).Json(), "ticket.state"), "pending_department");
}

}  // namespace
}  // namespace ombud::test
