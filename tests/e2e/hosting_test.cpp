// Seed 002, the web and hosting company (packs/hosting.yaml): scopes, calendars, queue order,
// written answers with greeting and closing, through the HTTP API on the test clock. Calendars:
// Asia/Ho_Chi_Minh (+07); staff Mon-Fri 08:00-12:00 and 13:30-16:30 with Vietnamese holidays
// (Tết 2026-02-16..20); technical 24/7. Start: Friday 2026-02-13 10:30 local (03:30Z).
#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "e2e/scenario.hpp"
#include "support/temp_dir.hpp"

namespace ombud::test {
namespace {

namespace json = boost::json;

constexpr std::string_view kFriday1030 = "2026-02-13T03:30:00Z";

json::object SupportRequest(std::string_view email, std::string_view language = "en",
                            std::string_view channel = "web") {
  return json::object{
      {"customer", CustomerJson("Customer " + std::string(email), language, "", email)},
      {"channel", channel},
      {"subject", "How do I use the site builder?"},
      {"body", "Please explain the site builder."},
      {"complaint_type", "support_request"}};
}

json::object TechnicalProblem(std::string_view email) {
  return json::object{
      {"customer", CustomerJson("Customer " + std::string(email), "en", "", email)},
      {"channel", "email"},
      {"subject", "Domain does not resolve"},
      {"body", "example.vn stopped resolving."},
      {"complaint_type", "technical_problem"},
      {"custom_fields", json::object{{"domain", "example.vn"},
                                     {"service", "domain"},
                                     {"description", "NXDOMAIN since this morning."}}}};
}

class HostingScenario : public PackScenario {
 protected:
  HostingScenario() : PackScenario(SeedPackPath("hosting")) {}
  explicit HostingScenario(std::string pack) : PackScenario(std::move(pack)) {}

  void SetUp() override {
    PackScenario::SetUp();
    if (HasFatalFailure()) return;
    SetClock(kFriday1030);
  }
};

// R-CSP-1 (and R-CSP-8 on transfer): Customer Support identifies the scope; a hand-off to a
// department whose scope lacks the category is refused; interface work is Technical's and
// Design's.
TEST_F(HostingScenario, TransferOnlyWithinDepartmentScope_R_CSP_1) {
  HttpClient cs = Staff("cs.agent", "agent", "customer_support");
  const json::value problem = OpenTicket(admin(), TechnicalProblem("a@example.com"));
  ASSERT_FALSE(problem.is_null());
  const std::int64_t id = IntAt(problem, "id");
  EXPECT_EQ(StrAt(problem, "category"), "hosting_domain");
  EXPECT_EQ(StrAt(problem, "flags.routed_to"), "technical");
  EXPECT_EQ(IntAt(problem, "department_id"), DepartmentId("customer_support"));
  ASSERT_EQ(TakeNext(cs), id);

  for (const std::string_view wrong : {"business", "design", "customer_room"}) {
    const Response response =
        cs.Post(TicketPath(id, "/transfer"), json::object{{"department_id", DepartmentId(wrong)}});
    EXPECT_EQ(response.status, 422) << wrong << ": " << Describe(response);
    EXPECT_EQ(response.ErrorField(), "department_id");
  }
  EXPECT_TRUE(Records(id, "handoff").empty());
  Response response = cs.Post(
      TicketPath(id, "/transfer"),
      json::object{{"department_id", DepartmentId("technical")}, {"note", "DNS zone check"}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  EXPECT_EQ(IntAt(response.Json(), "department_id"), DepartmentId("technical"));

  // Interface work sits in two scopes.
  json::object interface_work = SupportRequest("b@example.com");
  interface_work.erase("complaint_type");
  interface_work["category"] = "interface";
  const json::value web = OpenTicket(admin(), interface_work);
  ASSERT_FALSE(web.is_null());
  for (const std::string_view right : {"design", "technical"}) {
    response = admin().Post(TicketPath(IntAt(web, "id"), "/transfer"),
                            json::object{{"department_id", DepartmentId(right)}});
    EXPECT_EQ(response.status, 201) << right << ": " << Describe(response);
  }
  response = admin().Post(TicketPath(IntAt(web, "id"), "/transfer"),
                          json::object{{"department_id", DepartmentId("business")}});
  EXPECT_EQ(response.status, 422) << Describe(response);
}

// R-CSP-3: when a customer's issue is resolved, their next open issue must be taken within
// 24 hours; taken in time the clock is met, otherwise it breaches.
TEST_F(HostingScenario, NextIssueClockStartsWhenPreviousResolved_R_CSP_3) {
  HttpClient cs = Staff("cs.agent", "agent", "customer_support");
  const json::value first = OpenTicket(admin(), SupportRequest("c@example.com"));
  const json::value second = OpenTicket(admin(), SupportRequest("c@example.com"));
  ASSERT_FALSE(first.is_null() || second.is_null());
  EXPECT_EQ(IntAt(first, "customer_id"), IntAt(second, "customer_id"));
  EXPECT_TRUE(ClockOf(IntAt(second, "id"), "next_issue").is_null());

  ASSERT_EQ(TakeNext(cs), IntAt(first, "id"));
  SetClock("2026-02-13T05:00:00Z");
  Response response = cs.Post(
      TicketPath(IntAt(first, "id"), "/answer"),
      json::object{
          {"method", "web"}, {"body", "Open Builder from the dashboard."}, {"resolve", true}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  const json::value next = ClockOf(IntAt(second, "id"), "next_issue");
  EXPECT_EQ(StrAt(next, "state"), "running") << json::serialize(next);
  EXPECT_EQ(StrAt(next, "due_at"), "2026-02-14T05:00:00.000Z");

  SetClock("2026-02-14T04:00:00Z");  // Saturday: technical support works 24/7.
  ASSERT_EQ(TakeNext(cs), IntAt(second, "id"));
  EXPECT_EQ(StrAt(ClockOf(IntAt(second, "id"), "next_issue"), "state"), "met");

  // Another customer's next issue is left waiting past 24 hours.
  const json::value third = OpenTicket(admin(), SupportRequest("d@example.com"));
  const json::value fourth = OpenTicket(admin(), SupportRequest("d@example.com"));
  ASSERT_FALSE(third.is_null() || fourth.is_null());
  SetClock("2026-02-14T06:00:00Z");
  response = admin().Post(TicketPath(IntAt(third, "id"), "/state"),
                          json::object{{"state", "resolved"}, {"reason", "answered by phone"}});
  ASSERT_EQ(response.status, 200) << Describe(response);
  EXPECT_EQ(StrAt(ClockOf(IntAt(fourth, "id"), "next_issue"), "due_at"),
            "2026-02-15T06:00:00.000Z");
  SetClock("2026-02-15T06:00:01Z");
  EXPECT_EQ(StrAt(ClockOf(IntAt(fourth, "id"), "next_issue"), "state"), "breached");
}

// R-CSP-4: one problem is processed within 7 days, counted on the 24/7 technical calendar
// (Tết included); resolved in time it is met, otherwise breached; waiting for the customer
// pauses it.
TEST_F(HostingScenario, ProcessingWithinSevenDays_R_CSP_4) {
  SetClock(kFriday1030);
  const json::value done = OpenTicket(admin(), TechnicalProblem("e@example.com"));
  const json::value slow = OpenTicket(admin(), TechnicalProblem("f@example.com"));
  const json::value waiting = OpenTicket(admin(), SupportRequest("g@example.com"));
  ASSERT_FALSE(done.is_null() || slow.is_null() || waiting.is_null());
  for (const auto* t : {&done, &slow, &waiting}) {
    EXPECT_EQ(StrAt(ClockOf(IntAt(*t, "id"), "processing"), "due_at"), "2026-02-20T03:30:00.000Z");
  }

  SetClock(kFriday1030);
  Response response = admin().Post(TicketPath(IntAt(waiting, "id"), "/request-info"),
                                   json::object{{"asked", "your customer number"}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  EXPECT_EQ(StrAt(ClockOf(IntAt(waiting, "id"), "processing"), "state"), "paused");
  SetClock("2026-02-13T04:30:00Z");  // One hour later the customer answers.
  HttpClient customer = CustomerUser("g.customer", IntAt(waiting, "customer_id"));
  response = customer.Post(TicketPath(IntAt(waiting, "id"), "/articles"),
                           json::object{{"body", "KH-000123"}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  const json::value resumed = ClockOf(IntAt(waiting, "id"), "processing");
  EXPECT_EQ(StrAt(resumed, "state"), "running");
  EXPECT_EQ(StrAt(resumed, "due_at"), "2026-02-20T04:30:00.000Z") << StrAt(resumed, "rule");

  SetClock("2026-02-19T03:30:00Z");  // During Tết: technical support still counts.
  response = admin().Post(
      TicketPath(IntAt(done, "id"), "/answer"),
      json::object{{"method", "email"}, {"body", "The DNS zone is fixed."}, {"resolve", true}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  EXPECT_EQ(StrAt(ClockOf(IntAt(done, "id"), "processing"), "state"), "met");

  SetClock("2026-02-20T03:30:01Z");
  EXPECT_EQ(StrAt(ClockOf(IntAt(slow, "id"), "processing"), "state"), "breached");
  EXPECT_EQ(StrAt(ClockOf(IntAt(waiting, "id"), "processing"), "state"), "running");
  const std::int64_t slow_id = IntAt(slow, "id");
  EXPECT_TRUE(Eventually([&] {
    const auto actions = AuditActions(slow_id);
    return std::find(actions.begin(), actions.end(), "clock.breach") != actions.end();
  }));
}

// R-CSP-5: requests are taken in queue order; an agent acts only on the tickets assigned to
// them and cannot assign; a supervisor can.
TEST_F(HostingScenario, TakeNextGivesOldestAndAgentsActOnlyOnTheirOwn_R_CSP_5) {
  std::int64_t a_id = 0;
  HttpClient a = Staff("cs.a", "agent", "customer_support", &a_id);
  HttpClient b = Staff("cs.b", "agent", "customer_support");
  HttpClient lead = Staff("cs.lead", "supervisor", "customer_support");
  std::vector<std::int64_t> ids;
  for (const std::string_view email : {"h1@example.com", "h2@example.com", "h3@example.com"}) {
    const json::value t = OpenTicket(admin(), SupportRequest(email));
    ASSERT_FALSE(t.is_null());
    ids.push_back(IntAt(t, "id"));
  }
  EXPECT_EQ(TakeNext(a), ids[0]);
  EXPECT_EQ(TakeNext(b), ids[1]);
  EXPECT_EQ(IntAt(Ticket(ids[0]), "owner_id"), a_id);
  EXPECT_EQ(StrAt(Ticket(ids[0]), "state"), "open");

  // No picking favourites: not B's ticket, not an unassigned one, no self-assignment.
  Response response = a.Post(TicketPath(ids[1], "/answer"),
                             json::object{{"method", "web"}, {"body", "Jumping the queue"}});
  EXPECT_EQ(response.status, 403) << Describe(response);
  response = a.Post(TicketPath(ids[2], "/state"), json::object{{"state", "open"}});
  EXPECT_EQ(response.status, 403) << Describe(response);
  response = a.Post(TicketPath(ids[2], "/articles"),
                    json::object{{"body", "note"}, {"direction", "internal"}});
  EXPECT_EQ(response.status, 403) << Describe(response);
  response = a.Post(TicketPath(ids[2], "/assign"), json::object{{"user_id", a_id}});
  EXPECT_EQ(response.status, 403) << Describe(response);

  response = a.Post(TicketPath(ids[0], "/answer"),
                    json::object{{"method", "web"}, {"body", "Here is how."}});
  EXPECT_EQ(response.status, 201) << Describe(response);

  response = lead.Post(TicketPath(ids[2], "/assign"), json::object{{"user_id", a_id}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  response = a.Post(TicketPath(ids[2], "/answer"),
                    json::object{{"method", "web"}, {"body", "Assigned to me now."}});
  EXPECT_EQ(response.status, 201) << Describe(response);
  EXPECT_EQ(TakeNext(b), 0);  // The queue is empty.
}

// R-CSP-6: every issue is answered in writing in the system: no phone or in-person answers.
TEST_F(HostingScenario, AnswersAreWrittenArticles_R_CSP_6) {
  const json::value ticket = OpenTicket(admin(), SupportRequest("i@example.com"));
  ASSERT_FALSE(ticket.is_null());
  const std::int64_t id = IntAt(ticket, "id");
  for (const std::string_view spoken : {"phone", "in_person", "sms"}) {
    const Response response = admin().Post(TicketPath(id, "/answer"),
                                           json::object{{"method", spoken}, {"body", "Said it."}});
    EXPECT_EQ(response.status, 400) << spoken << ": " << Describe(response);
    EXPECT_EQ(response.ErrorField(), "method");
  }
  const Response response = admin().Post(
      TicketPath(id, "/answer"), json::object{{"method", "web"}, {"body", "Written answer."}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  const std::int64_t article = IntAt(response.Json(), "id");
  bool stored = false;
  for (const auto& a : Articles(id)) {
    stored = stored || (IntAt(a, "id") == article && StrAt(a, "direction") == "outbound" &&
                        StrAt(a, "channel") == "web" &&
                        StrAt(a, "body").find("Written answer.") != std::string::npos);
  }
  EXPECT_TRUE(stored);
}

// R-CSP-7: every written answer starts with "Dear customers", every e-mail answer ends with the
// thanks, each in the customer's language; a body that already has them gets them once.
TEST_F(HostingScenario, GreetingAndClosingPerLanguage_R_CSP_7) {
  const json::value english = OpenTicket(admin(), SupportRequest("j@example.com", "en", "email"));
  const json::value vietnamese =
      OpenTicket(admin(), SupportRequest("k@example.com", "vi", "email"));
  ASSERT_FALSE(english.is_null() || vietnamese.is_null());
  constexpr std::string_view kEnGreeting = "Dear customers,";
  constexpr std::string_view kEnClosing =
      "Thank you for your interest in our products and services.";
  constexpr std::string_view kViGreeting = "Kính gửi Quý khách hàng,";
  constexpr std::string_view kViClosing =
      "Cảm ơn Quý khách đã quan tâm đến sản phẩm và dịch vụ của chúng tôi.";

  Response response =
      admin().Post(TicketPath(IntAt(english, "id"), "/answer"),
                   json::object{{"method", "email"}, {"body", "Open Builder from the dashboard."}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  std::string body = StrAt(response.Json(), "body");
  EXPECT_TRUE(StartsWith(body, kEnGreeting)) << body;
  EXPECT_TRUE(EndsWith(body, kEnClosing)) << body;
  EXPECT_NE(body.find("Open Builder from the dashboard."), std::string::npos);
  const auto outbox = Outbox(IntAt(english, "id"));
  ASSERT_EQ(outbox.size(), 2u);
  EXPECT_EQ(outbox[1].body, body);

  response = admin().Post(
      TicketPath(IntAt(vietnamese, "id"), "/answer"),
      json::object{{"method", "email"}, {"body", "Quý khách mở Builder từ bảng điều khiển."}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  body = StrAt(response.Json(), "body");
  EXPECT_TRUE(StartsWith(body, kViGreeting)) << body;
  EXPECT_TRUE(EndsWith(body, kViClosing)) << body;

  // A web answer is written: greeting, but the closing is for e-mail only.
  response = admin().Post(TicketPath(IntAt(english, "id"), "/answer"),
                          json::object{{"method", "web"}, {"body", "See also the FAQ."}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  body = StrAt(response.Json(), "body");
  EXPECT_TRUE(StartsWith(body, kEnGreeting)) << body;
  EXPECT_FALSE(EndsWith(body, kEnClosing)) << body;

  // Already greeted and closed: not twice. With the answer template too.
  const std::string framed =
      std::string(kEnGreeting) + "\n\nAll set.\n\n" + std::string(kEnClosing);
  response =
      admin().Post(TicketPath(IntAt(english, "id"), "/answer"),
                   json::object{{"method", "email"}, {"template", "answer"}, {"body", framed}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  body = StrAt(response.Json(), "body");
  EXPECT_EQ(body.find(kEnGreeting, 1), std::string::npos) << body;
  EXPECT_TRUE(StartsWith(body, kEnGreeting)) << body;
  EXPECT_TRUE(EndsWith(body, kEnClosing)) << body;
  EXPECT_EQ(body.find(kEnClosing), body.size() - kEnClosing.size()) << body;
}

// R-CSP-8: an employee of another department gets 403 on a ticket not handed to that
// department; once handed over, that department works it until it reports back.
TEST_F(HostingScenario, OtherDepartmentForbiddenUnlessHandedOver_R_CSP_8) {
  HttpClient cs = Staff("cs.agent", "agent", "customer_support");
  HttpClient business = Staff("biz.agent", "agent", "business");
  HttpClient tech = Staff("tech.agent", "agent", "technical");
  const json::value ticket = OpenTicket(admin(), TechnicalProblem("l@example.com"));
  ASSERT_FALSE(ticket.is_null());
  const std::int64_t id = IntAt(ticket, "id");

  auto note = [&](HttpClient& who) {
    return who.Post(TicketPath(id, "/articles"),
                    json::object{{"body", "working on it"}, {"direction", "internal"}});
  };
  EXPECT_EQ(note(business).status, 403);
  EXPECT_EQ(note(tech).status, 403);  // Not handed over yet.
  EXPECT_EQ(TakeNext(tech), 0);
  Response response = business.Post(TicketPath(id, "/answer"),
                                    json::object{{"method", "email"}, {"body", "Not mine"}});
  EXPECT_EQ(response.status, 403) << Describe(response);
  EXPECT_EQ(response.ErrorCode(), "permission_denied");

  ASSERT_EQ(TakeNext(cs), id);
  response = cs.Post(
      TicketPath(id, "/transfer"),
      json::object{{"department_id", DepartmentId("technical")}, {"note", "Check the DNS zone"}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  const std::int64_t handoff = IntAt(response.Json(), "id");

  EXPECT_EQ(note(business).status, 403);
  response = business.Post("/api/v1/records/" + std::to_string(handoff) + "/return",
                           json::object{{"result", "done"}});
  EXPECT_EQ(response.status, 403) << Describe(response);
  EXPECT_EQ(TakeNext(business), 0);

  EXPECT_EQ(TakeNext(tech), id);
  EXPECT_EQ(note(tech).status, 201);
  response = tech.Post("/api/v1/records/" + std::to_string(handoff) + "/return",
                       json::object{{"result", "Zone re-published"}});
  ASSERT_EQ(response.status, 200) << Describe(response);
  EXPECT_EQ(note(tech).status, 403);  // Back with Customer Support.
  EXPECT_EQ(note(cs).status, 201);
}

// The hosting pack with two probe clocks, to see R-CSP-2's hours (no clock of the shipped pack
// runs on the staff calendar): `staff_answer`, 3 working hours on the default staff calendar,
// and `technical_answer`, 3 working hours on the technical (24/7) calendar. Calendars unchanged.
std::string StaffHoursPack() {
  static TempDir dir;  // Removed at exit.
  std::ifstream in(SeedPackPath("hosting"));
  std::stringstream text;
  text << in.rdbuf();
  std::string pack = text.str();
  const std::string clocks = "\nclocks:\n";
  const auto at = pack.find(clocks);
  if (at == std::string::npos) return SeedPackPath("hosting");
  pack.insert(at + clocks.size(),
              "  staff_answer:\n"
              "    rule: R-CSP-2\n"
              "    start: received\n"
              "    stop: answered\n"
              "    target: {working_hours: 3}\n"
              "  technical_answer:\n"
              "    rule: R-CSP-2\n"
              "    start: received\n"
              "    stop: answered\n"
              "    target: {working_hours: 3}\n"
              "    calendar: technical\n");
  const std::string defaults = "default_clocks: [processing, next_issue]";
  const auto d = pack.find(defaults);
  if (d != std::string::npos) {
    pack.replace(d, defaults.size(),
                 "default_clocks: [processing, next_issue, staff_answer, technical_answer]");
  }
  const std::string path = dir.File("hosting-staff-hours.yaml");
  std::ofstream(path) << pack;
  return path;
}

class HostingStaffHoursScenario : public HostingScenario {
 protected:
  HostingStaffHoursScenario() : HostingScenario(StaffHoursPack()) {}
};

// R-CSP-2: staff guidance runs 08:00-12:00 and 13:30-16:30 on working days (the lunch break
// and Tết do not count); technical assistance runs 24/7, holidays included.
TEST_F(HostingStaffHoursScenario, StaffHoursSkipLunchAndTetTechnicalRunsAllDay_R_CSP_2) {
  SetClock(kFriday1030);
  const json::value morning = OpenTicket(admin(), SupportRequest("m@example.com"));
  ASSERT_FALSE(morning.is_null());
  // 10:30 + 3 working hours: 1.5 h before lunch, 1.5 h after 13:30 → 15:00 local.
  EXPECT_EQ(StrAt(ClockOf(IntAt(morning, "id"), "staff_answer"), "due_at"),
            "2026-02-13T08:00:00.000Z");
  EXPECT_EQ(StrAt(ClockOf(IntAt(morning, "id"), "technical_answer"), "due_at"),
            "2026-02-13T06:30:00.000Z");

  SetClock("2026-02-13T08:30:00Z");  // Friday 15:30.
  const json::value afternoon = OpenTicket(admin(), SupportRequest("n@example.com"));
  ASSERT_FALSE(afternoon.is_null());
  const std::int64_t id = IntAt(afternoon, "id");
  // 1 h on Friday, then the weekend and Tết (16-20 Feb): Monday 23 February 10:00.
  const json::value staff = ClockOf(id, "staff_answer");
  EXPECT_EQ(StrAt(staff, "due_at"), "2026-02-23T03:00:00.000Z") << StrAt(staff, "rule");
  // Technical assistance: Friday 15:30 + 3 h = 18:30 local, the same evening.
  const json::value technical = ClockOf(id, "technical_answer");
  EXPECT_EQ(StrAt(technical, "due_at"), "2026-02-13T11:30:00.000Z") << StrAt(technical, "rule");
}

}  // namespace
}  // namespace ombud::test
