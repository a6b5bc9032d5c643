// Seed 000, Metfone (packs/metfone.yaml): the whole complaint and consultancy process through
// the HTTP API on the test clock. Calendar: Asia/Phnom_Penh (+07), Mon-Fri 08:00-12:00 and
// 13:30-17:30, Sat 08:00-12:00, Cambodian holidays (Khmer New Year 2026-04-14..16, Labour Day
// 2026-05-01). The scenarios start on Friday 2026-04-10 09:00 local (02:00Z).
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "e2e/scenario.hpp"

namespace ombud::test {
namespace {

namespace json = boost::json;

constexpr std::string_view kFriday0900 = "2026-04-10T02:00:00Z";

class MetfoneScenario : public PackScenario {
 protected:
  MetfoneScenario() : PackScenario(SeedPackPath("metfone")) {}

  void SetUp() override {
    PackScenario::SetUp();
    if (HasFatalFailure()) return;
    SetClock(kFriday0900);
  }

  // A consultancy request by phone (form-less type), optionally for a product.
  json::object Consultancy(std::string_view phone, std::string_view product = {}) {
    json::object body{{"customer", CustomerJson("Sok " + std::string(phone), "en", phone)},
                      {"channel", "phone"},
                      {"subject", "How do I activate a data package?"},
                      {"body", "Caller asks how to activate a data package."},
                      {"category", "consultancy"}};
    if (!product.empty()) body["product"] = product;
    return body;
  }

  // A billing dispute with every required field of its form (R-MET-3).
  static json::object BillingDispute(std::string_view channel) {
    return json::object{
        {"customer", CustomerJson("Dara", "en", "+85597123457", "dara@example.com")},
        {"channel", channel},
        {"subject", "Charged twice for data"},
        {"body", "I was charged twice for my data package."},
        {"complaint_type", "billing_dispute"},
        {"custom_fields", json::object{{"msisdn", "0971234567"},
                                       {"incident_date", "2026-04-08"},
                                       {"charge_type", "data"},
                                       {"amount_usd", 5},
                                       {"description", "Two charges of 5 USD on 8 April."}}}};
  }
};

// R-MET-1: the hotline (phone) and e-mail are intake channels; the acknowledgement goes out by
// SMS for a call and by e-mail for a mail, in the customer's language, from the pack template.
TEST_F(MetfoneScenario, HotlineAndEmailIntakeAcknowledged_R_MET_1) {
  const json::value by_phone = OpenTicket(admin(), Consultancy("+85597100001"));
  ASSERT_FALSE(by_phone.is_null());
  EXPECT_EQ(StrAt(by_phone, "channel"), "phone");
  EXPECT_EQ(StrAt(by_phone, "state"), "new");
  EXPECT_EQ(StrAt(by_phone, "kind"), "consultancy");

  json::object mail = Consultancy("+85597100002");
  mail["channel"] = "email";
  mail["customer"].as_object()["email"] = "chan@example.com";
  const json::value by_mail = OpenTicket(admin(), mail);
  ASSERT_FALSE(by_mail.is_null());
  EXPECT_EQ(StrAt(by_mail, "channel"), "email");

  const auto sms = Outbox(IntAt(by_phone, "id"));
  ASSERT_EQ(sms.size(), 1u);
  EXPECT_EQ(sms[0].channel, "sms");
  EXPECT_EQ(sms[0].recipient, "+85597100001");
  EXPECT_NE(sms[0].body.find("Metfone received request " + StrAt(by_phone, "number") +
                             "; answer by 2026-04-25 12:00"),
            std::string::npos)
      << sms[0].body;

  const auto email = Outbox(IntAt(by_mail, "id"));
  ASSERT_EQ(email.size(), 1u);
  EXPECT_EQ(email[0].channel, "email");
  EXPECT_EQ(email[0].recipient, "chan@example.com");
  EXPECT_NE(email[0].subject.find("Metfone: request " + StrAt(by_mail, "number") + " received"),
            std::string::npos)
      << email[0].subject;
}

// R-MET-2: a complaint filed after 7 working days is recorded, flagged with the reason, and
// accepted late with a justification; a product's own window applies instead.
TEST_F(MetfoneScenario, LateComplaintFlaggedAndAcceptedWithJustification_R_MET_2) {
  auto complaint = [](std::string_view phone, std::string_view incident, std::string_view product) {
    json::object body{{"customer", CustomerJson("Vanna", "en", phone)},
                      {"channel", "phone"},
                      {"subject", "Ringback tone charged"},
                      {"body", "A value-added service was charged."},
                      {"category", "value_added"},
                      {"incident_date", incident}};
    if (!product.empty()) body["product"] = product;
    return body;
  };
  // Wednesday 1 April: 7 working days (Saturdays work) close Thursday 9 April 17:30.
  const json::value late = OpenTicket(admin(), complaint("+85597100010", "2026-04-01", ""));
  ASSERT_FALSE(late.is_null());
  EXPECT_EQ(StrAt(late, "complaint_type"), "value_added_service");
  EXPECT_EQ(StrAt(late, "flags.out_of_window.incident_date"), "2026-04-01");
  EXPECT_EQ(BoolAt(late, "flags.out_of_window.accepted"), std::optional<bool>(false));
  EXPECT_NE(StrAt(late, "flags.out_of_window.reason").find("7 working days"), std::string::npos)
      << StrAt(late, "flags.out_of_window.reason");
  const std::string closed = StrAt(late, "flags.out_of_window.window_closed_at");
  EXPECT_TRUE(closed.starts_with("2026-04-09T10:30:00")) << closed;

  // Thursday 2 April: the window closes Friday 10 April 17:30, so today is in time.
  const json::value in_time = OpenTicket(admin(), complaint("+85597100011", "2026-04-02", ""));
  ASSERT_FALSE(in_time.is_null());
  EXPECT_EQ(Find(in_time, "flags.out_of_window"), nullptr) << json::serialize(in_time);

  // International roaming has 30 working days: 20 March is still in time.
  const json::value roaming =
      OpenTicket(admin(), complaint("+85597100012", "2026-03-20", "international_roaming"));
  ASSERT_FALSE(roaming.is_null());
  EXPECT_EQ(Find(roaming, "flags.out_of_window"), nullptr) << json::serialize(roaming);
  // ... while the lucky draw has 3: Monday 6 April closed Thursday 9 April 17:30.
  const json::value draw =
      OpenTicket(admin(), complaint("+85597100013", "2026-04-06", "lucky_draw_programme"));
  ASSERT_FALSE(draw.is_null());
  EXPECT_TRUE(StrAt(draw, "flags.out_of_window.window_closed_at").starts_with("2026-04-09T10:30"))
      << json::serialize(draw);
  EXPECT_NE(StrAt(draw, "flags.out_of_window.reason").find("3 working days"), std::string::npos);
  // The general window would have let 6 April in.
  const json::value general = OpenTicket(admin(), complaint("+85597100014", "2026-04-06", ""));
  EXPECT_EQ(Find(general, "flags.out_of_window"), nullptr) << json::serialize(general);

  // Accepting needs a justification, and only a late complaint can be accepted late.
  const std::int64_t id = IntAt(late, "id");
  Response response = admin().Post(TicketPath(id, "/accept-late"), json::object{});
  EXPECT_EQ(response.status, 400) << Describe(response);
  EXPECT_EQ(response.ErrorField(), "justification");
  response = admin().Post(TicketPath(IntAt(in_time, "id"), "/accept-late"),
                          json::object{{"justification", "x"}});
  EXPECT_EQ(response.status, 422) << Describe(response);
  response = admin().Post(TicketPath(id, "/accept-late"),
                          json::object{{"justification", "Customer was abroad in hospital"}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  const json::value accepted = Ticket(id);
  EXPECT_EQ(BoolAt(accepted, "flags.out_of_window.accepted"), std::optional<bool>(true))
      << json::serialize(accepted);
  EXPECT_EQ(StrAt(accepted, "flags.out_of_window.justification"),
            "Customer was abroad in hospital");
  const auto actions = AuditActions(id);
  EXPECT_NE(std::find(actions.begin(), actions.end(), "ticket.accept_late"), actions.end());
}

// docs/api.md: "Times are RFC 3339 UTC with milliseconds" (also in flags.out_of_window).
TEST_F(MetfoneScenario, OutOfWindowCloseTimeUsesApiTimeFormat_R_MET_2) {
  json::object body{{"customer", CustomerJson("Vanna", "en", "+85597100015")},
                    {"channel", "phone"},
                    {"subject", "Late"},
                    {"body", "Late complaint"},
                    {"category", "value_added"},
                    {"incident_date", "2026-03-20"}};
  const json::value late = OpenTicket(admin(), body);
  EXPECT_EQ(StrAt(late, "flags.out_of_window.window_closed_at"), "2026-03-28T05:00:00.000Z");
}

// R-MET-3: a complaint type with a form needs its required fields on every channel, including
// the customer's own web intake; the error names the field.
TEST_F(MetfoneScenario, BillingDisputeFormRequiredOnEveryChannel_R_MET_3) {
  for (const std::string_view channel : {"phone", "email"}) {
    json::object body = BillingDispute(channel);
    body["custom_fields"].as_object().erase("charge_type");
    Response response = admin().Post("/api/v1/tickets", body);
    EXPECT_EQ(response.status, 400) << Describe(response);
    EXPECT_TRUE(response.ErrorField().ends_with("charge_type")) << Describe(response);
    EXPECT_NE(response.Json().at("error").at("message").as_string().find("R-MET-3"),
              std::string::npos);

    body = BillingDispute(channel);
    body["custom_fields"].as_object()["msisdn"] = "0121234567";  // Not a Metfone prefix.
    response = admin().Post("/api/v1/tickets", body);
    EXPECT_EQ(response.status, 400) << Describe(response);
    EXPECT_TRUE(response.ErrorField().ends_with("msisdn")) << Describe(response);

    body = BillingDispute(channel);
    body["custom_fields"].as_object()["charge_type"] = "lottery";
    response = admin().Post("/api/v1/tickets", body);
    EXPECT_EQ(response.status, 400) << Describe(response);
    EXPECT_TRUE(response.ErrorField().ends_with("charge_type")) << Describe(response);
  }
  // Nothing was recorded by the refused attempts.
  EXPECT_TRUE(ListAllTickets(admin()).empty());

  const json::value ticket = OpenTicket(admin(), BillingDispute("email"));
  ASSERT_FALSE(ticket.is_null());
  EXPECT_EQ(StrAt(ticket, "complaint_type"), "billing_dispute");
  EXPECT_EQ(StrAt(ticket, "kind"), "complaint");
  EXPECT_EQ(StrAt(ticket, "category"), "billing");
  EXPECT_EQ(StrAt(ticket, "custom_fields.charge_type"), "data");

  // The customer's own intake (by e-mail, one of Metfone's channels) is held to the same form.
  HttpClient customer = CustomerUser("dara", IntAt(ticket, "customer_id"));
  json::object self{{"channel", "email"},
                    {"subject", "Charged again"},
                    {"body", "Charged again today."},
                    {"complaint_type", "billing_dispute"},
                    {"custom_fields", json::object{{"msisdn", "0971234567"}}}};
  const Response response = customer.Post("/api/v1/tickets", self);
  EXPECT_EQ(response.status, 400) << Describe(response);
  EXPECT_TRUE(response.ErrorField().ends_with("incident_date")) << Describe(response);
}

// R-MET-4 and R-MET-6 (c): Customer Support owns the billing dispute, confirms it and transfers
// it to Finance (in scope), Finance reports its result back, Customer Support answers.
TEST_F(MetfoneScenario, TransferToFinanceResultBackThenSupportAnswers_R_MET_4_R_MET_6) {
  std::int64_t cs_id = 0;
  HttpClient cs = Staff("cs.agent", "agent", "customer_support", &cs_id);
  HttpClient finance = Staff("fin.agent", "agent", "finance");
  HttpClient network = Staff("net.agent", "agent", "network");

  const json::value ticket = OpenTicket(admin(), BillingDispute("email"));
  ASSERT_FALSE(ticket.is_null());
  const std::int64_t id = IntAt(ticket, "id");
  EXPECT_EQ(IntAt(ticket, "department_id"), DepartmentId("customer_support"));
  EXPECT_EQ(StrAt(ticket, "flags.routed_to"), "finance");

  ASSERT_EQ(TakeNext(cs), id);
  // Finance cannot act before the hand-off (R-CSP-8 holds for Metfone too).
  Response response = finance.Post(TicketPath(id, "/articles"),
                                   json::object{{"body", "peek"}, {"direction", "internal"}});
  EXPECT_EQ(response.status, 403) << Describe(response);

  // Network Operations' scope lacks billing.
  response = cs.Post(TicketPath(id, "/transfer"),
                     json::object{{"department_id", DepartmentId("network")}, {"note", "x"}});
  EXPECT_EQ(response.status, 422) << Describe(response);
  EXPECT_EQ(response.ErrorField(), "department_id");

  response = cs.Post(TicketPath(id, "/transfer"),
                     json::object{{"department_id", DepartmentId("finance")},
                                  {"note", "Check the double charge on 8 April"}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  const std::int64_t handoff = IntAt(response.Json(), "id");
  EXPECT_EQ(StrAt(response.Json(), "kind"), "handoff");
  EXPECT_EQ(StrAt(response.Json(), "state"), "open");
  json::value now = Ticket(id);
  EXPECT_EQ(StrAt(now, "state"), "pending_department");
  EXPECT_EQ(IntAt(now, "department_id"), DepartmentId("customer_support"));  // Still owns it.
  EXPECT_EQ(IntAt(now, "owner_id"), cs_id);

  // Finance's result clock: 5 working days on the company calendar, Khmer New Year skipped.
  const json::value department_clock = ClockOf(id, "department_result");
  EXPECT_EQ(StrAt(department_clock, "scope"), "department");
  EXPECT_EQ(IntAt(department_clock, "department_id"), DepartmentId("finance"));
  EXPECT_EQ(StrAt(department_clock, "due_at"), "2026-04-20T10:30:00.000Z");
  EXPECT_EQ(StrAt(department_clock, "state"), "running");

  // Finance hears of it and reports; Network cannot report Finance's result.
  bool notified = false;
  for (const auto& n : Notifications(finance)) {
    notified = notified || (StrAt(n, "kind") == "handoff" && IntAt(n, "ticket_id") == id);
  }
  EXPECT_TRUE(notified);
  response = network.Post("/api/v1/records/" + std::to_string(handoff) + "/return",
                          json::object{{"result", "not ours"}});
  EXPECT_EQ(response.status, 403) << Describe(response);

  SetClock("2026-04-13T03:00:00Z");  // Monday 10:00.
  response = finance.Post("/api/v1/records/" + std::to_string(handoff) + "/return",
                          json::object{{"result", "Duplicate charge confirmed; 5 USD refunded"}});
  ASSERT_EQ(response.status, 200) << Describe(response);
  EXPECT_EQ(StrAt(response.Json(), "state"), "returned");
  EXPECT_EQ(StrAt(response.Json(), "data.result"), "Duplicate charge confirmed; 5 USD refunded");
  EXPECT_EQ(StrAt(Ticket(id), "state"), "open");
  EXPECT_EQ(StrAt(ClockOf(id, "department_result"), "state"), "met");
  bool internal_result = false;
  for (const auto& a : Articles(id)) {
    internal_result =
        internal_result || (StrAt(a, "direction") == "internal" &&
                            StrAt(a, "body").find("5 USD refunded") != std::string::npos);
  }
  EXPECT_TRUE(internal_result);
  bool told = false;
  for (const auto& n : Notifications(cs)) {
    told = told || (StrAt(n, "kind") == "handoff.result" && IntAt(n, "ticket_id") == id);
  }
  EXPECT_TRUE(told);
  // The hand-off is over: Finance is out again.
  response = finance.Post(TicketPath(id, "/articles"),
                          json::object{{"body", "late note"}, {"direction", "internal"}});
  EXPECT_EQ(response.status, 403) << Describe(response);

  // Customer Support answers the customer by e-mail (R-MET-8) with the pack's answer template.
  response = cs.Post(TicketPath(id, "/answer"),
                     json::object{{"method", "email"},
                                  {"template", "answer"},
                                  {"body", "We refunded the duplicate charge of 5 USD."},
                                  {"resolve", true}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  EXPECT_EQ(StrAt(Ticket(id), "state"), "resolved");
  EXPECT_EQ(StrAt(ClockOf(id, "reply"), "state"), "met");
  const auto outbox = Outbox(id);
  ASSERT_EQ(outbox.size(), 2u);  // Acknowledgement, answer.
  EXPECT_EQ(outbox[1].recipient, "dara@example.com");
  EXPECT_NE(outbox[1].subject.find("Answer to request " + StrAt(ticket, "number")),
            std::string::npos)
      << outbox[1].subject;
  EXPECT_NE(outbox[1].body.find("We refunded the duplicate charge"), std::string::npos);

  const auto actions = AuditActions(id);
  for (const std::string_view action :
       {"ticket.create", "ticket.take", "handoff.create", "handoff.returned", "ticket.answer"}) {
    EXPECT_NE(std::find(actions.begin(), actions.end(), action), actions.end()) << action;
  }
}

// R-MET-5 and R-MET-6 (a): Customer Support asks for documents; the request is recorded, the
// reply clock pauses, the customer's own inbound article answers it and reopens the ticket.
TEST_F(MetfoneScenario, RequestInfoRecordedAndCustomerReplyReopens_R_MET_5_R_MET_6) {
  HttpClient cs = Staff("cs.agent", "agent", "customer_support");
  const json::value ticket = OpenTicket(admin(), BillingDispute("email"));
  ASSERT_FALSE(ticket.is_null());
  const std::int64_t id = IntAt(ticket, "id");
  ASSERT_EQ(TakeNext(cs), id);
  EXPECT_EQ(StrAt(ClockOf(id, "reply"), "due_at"), "2026-04-25T05:00:00.000Z");

  SetClock(kFriday0900);
  Response response = cs.Post(TicketPath(id, "/request-info"),
                              json::object{{"asked", "a photo of your ID card and the bill"}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  const std::int64_t record = IntAt(response.Json(), "id");
  EXPECT_EQ(StrAt(response.Json(), "kind"), "info_request");
  EXPECT_EQ(StrAt(response.Json(), "state"), "open");
  EXPECT_EQ(StrAt(response.Json(), "data.asked"), "a photo of your ID card and the bill");
  EXPECT_EQ(StrAt(Ticket(id), "state"), "pending_customer");
  const json::value paused = ClockOf(id, "reply");
  EXPECT_EQ(StrAt(paused, "state"), "paused");
  EXPECT_TRUE(IsNullAt(paused, "due_at")) << json::serialize(paused);
  const auto outbox = Outbox(id);
  ASSERT_EQ(outbox.size(), 2u);
  EXPECT_NE(outbox[1].body.find("To settle request " + StrAt(ticket, "number") +
                                " please send us: a photo of your ID card and the bill"),
            std::string::npos)
      << outbox[1].body;

  // Monday 09:00: the customer answers through the portal.
  SetClock("2026-04-13T02:00:00Z");
  HttpClient customer = CustomerUser("dara", IntAt(ticket, "customer_id"));
  response = customer.Post(TicketPath(id, "/articles"),
                           json::object{{"body", "ID card and bill attached."}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  const std::int64_t answer_article = IntAt(response.Json(), "id");
  EXPECT_EQ(StrAt(response.Json(), "direction"), "inbound");
  EXPECT_EQ(StrAt(Ticket(id), "state"), "open");
  const json::array requests = Records(id, "info_request");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(IntAt(requests[0], "id"), record);
  EXPECT_EQ(StrAt(requests[0], "state"), "answered");
  EXPECT_EQ(IntAt(requests[0], "data.answer_article_id"), answer_article);
  // The pause covered 12 working hours (Fri 09:00-17:30 less lunch, Sat morning, Mon
  // 08:00-09:00): Saturday 25 April 12:00 moves to Tuesday 28 April 12:00.
  const json::value resumed = ClockOf(id, "reply");
  EXPECT_EQ(StrAt(resumed, "state"), "running");
  EXPECT_EQ(StrAt(resumed, "due_at"), "2026-04-28T05:00:00.000Z") << StrAt(resumed, "rule");
  EXPECT_EQ(ArrayAt(resumed, "pauses").size(), 1u);

  // R-MET-6 (b): now it can be resolved at once.
  response = cs.Post(
      TicketPath(id, "/answer"),
      json::object{{"method", "sms"}, {"body", "Refund of 5 USD done."}, {"resolve", true}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  EXPECT_EQ(StrAt(Ticket(id), "state"), "resolved");
  EXPECT_EQ(StrAt(ClockOf(id, "reply"), "state"), "met");
}

// R-MET-7: the reply is due 10 working days after receipt (Saturday mornings count, Khmer New
// Year does not); answered in time it is met, otherwise it breaches and the supervisors are
// told. A product's own reply deadline applies instead.
TEST_F(MetfoneScenario, ReplyDueTenWorkingDaysSkippingKhmerNewYear_R_MET_7) {
  std::int64_t cs_id = 0;
  HttpClient cs = Staff("cs.agent", "agent", "customer_support", &cs_id);
  HttpClient supervisor = Staff("cs.lead", "supervisor", "customer_support");

  SetClock(kFriday0900);
  const json::value answered = OpenTicket(admin(), Consultancy("+85597100020"));
  const json::value forgotten = OpenTicket(admin(), Consultancy("+85597100021"));
  const json::value roaming =
      OpenTicket(admin(), Consultancy("+85597100022", "international_roaming"));
  const json::value draw = OpenTicket(admin(), Consultancy("+85597100023", "lucky_draw_programme"));
  ASSERT_FALSE(answered.is_null() || forgotten.is_null() || roaming.is_null() || draw.is_null());

  const json::value reply = ClockOf(IntAt(answered, "id"), "reply");
  EXPECT_EQ(StrAt(reply, "state"), "running");
  EXPECT_EQ(StrAt(reply, "due_at"), "2026-04-25T05:00:00.000Z");
  EXPECT_NE(StrAt(reply, "rule").find("Khmer New Year"), std::string::npos) << StrAt(reply, "rule");
  // 15 working days for roaming: Labour Day (1 May) skipped, Saturday 2 May 12:00.
  EXPECT_EQ(StrAt(ClockOf(IntAt(roaming, "id"), "reply"), "due_at"), "2026-05-02T05:00:00.000Z");
  // 5 working days for the lucky draw: Monday 20 April 17:30.
  EXPECT_EQ(StrAt(ClockOf(IntAt(draw, "id"), "reply"), "due_at"), "2026-04-20T10:30:00.000Z");

  ASSERT_EQ(TakeNext(cs), IntAt(answered, "id"));
  SetClock("2026-04-24T09:00:00Z");  // Friday 16:00, the day before the deadline.
  Response response =
      cs.Post(TicketPath(IntAt(answered, "id"), "/answer"),
              json::object{{"method", "phone"}, {"body", "Dial *123# to activate the package."}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  const json::value met = ClockOf(IntAt(answered, "id"), "reply");
  EXPECT_EQ(StrAt(met, "state"), "met");
  EXPECT_TRUE(StrAt(met, "stopped_at").starts_with("2026-04-24T09:00")) << json::serialize(met);

  // One second before the deadline the other one still runs; one second after it is breached.
  SetClock("2026-04-25T04:59:59Z");
  EXPECT_EQ(StrAt(ClockOf(IntAt(forgotten, "id"), "reply"), "state"), "running");
  Advance(2);
  EXPECT_EQ(StrAt(ClockOf(IntAt(forgotten, "id"), "reply"), "state"), "breached");
  const std::int64_t forgotten_id = IntAt(forgotten, "id");
  EXPECT_TRUE(Eventually([&] {
    for (const auto& n : Notifications(supervisor)) {
      if (StrAt(n, "kind") == "clock.breach" && IntAt(n, "ticket_id") == forgotten_id) return true;
    }
    return false;
  })) << "no clock.breach notification for supervisors";
  const auto actions = AuditActions(forgotten_id);
  EXPECT_NE(std::find(actions.begin(), actions.end(), "clock.breach"), actions.end());
  // The 70 % warning fired before, for the unassigned ticket's agents.
  EXPECT_NE(std::find(actions.begin(), actions.end(), "clock.warning"), actions.end());
  // Answering late stops the clock as breached, not met.
  response = admin().Post(TicketPath(forgotten_id, "/answer"),
                          json::object{{"method", "sms"}, {"body", "Sorry for the delay."}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  EXPECT_EQ(StrAt(ClockOf(forgotten_id, "reply"), "state"), "breached");
}

// R-MET-8: the answer goes out by e-mail, SMS, phone or in person and the method is recorded;
// a method the pack does not list is refused.
TEST_F(MetfoneScenario, AnswerMethodRecordedAndLimitedToPack_R_MET_8) {
  const json::value ticket = OpenTicket(admin(), BillingDispute("phone"));
  ASSERT_FALSE(ticket.is_null());
  const std::int64_t id = IntAt(ticket, "id");

  for (const std::string_view method : {"web", "chat", "messenger"}) {
    const Response response = admin().Post(TicketPath(id, "/answer"),
                                           json::object{{"method", method}, {"body", "Answer"}});
    EXPECT_EQ(response.status, 400) << method << ": " << Describe(response);
    EXPECT_EQ(response.ErrorField(), "method");
  }
  for (const std::string_view method : {"in_person", "phone", "sms", "email"}) {
    const Response response =
        admin().Post(TicketPath(id, "/answer"),
                     json::object{{"method", method}, {"body", "Answer " + std::string(method)}});
    ASSERT_EQ(response.status, 201) << method << ": " << Describe(response);
    EXPECT_EQ(StrAt(response.Json(), "channel"), method);
    EXPECT_EQ(StrAt(response.Json(), "direction"), "outbound");
  }
  std::vector<std::string> methods;
  for (const auto& entry : AuditEntries(id)) {
    if (StrAt(entry, "action") == "ticket.answer") {
      methods.push_back(StrAt(entry, "details.method") + "/" + StrAt(entry, "details.delivery"));
    }
  }
  EXPECT_EQ(methods, (std::vector<std::string>{"in_person/recorded", "phone/recorded", "sms/queued",
                                               "email/queued"}));
  // Only the SMS and the e-mail were queued to the customer (after the acknowledgement).
  const auto outbox = Outbox(id);
  ASSERT_EQ(outbox.size(), 3u);
  EXPECT_EQ(outbox[1].channel, "sms");
  EXPECT_EQ(outbox[1].recipient, "+85597123457");
  EXPECT_EQ(outbox[2].channel, "email");
  EXPECT_EQ(outbox[2].recipient, "dara@example.com");
}

}  // namespace
}  // namespace ombud::test
