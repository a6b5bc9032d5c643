// Seed 001, Smart Axiata (packs/smart.yaml): suspension of an employee, escalation to the
// regulator and compensation, through the HTTP API on the test clock. Office calendar:
// Asia/Phnom_Penh (+07), Mon-Fri 08:00-12:00 and 13:30-17:30, Cambodian holidays (Khmer New
// Year 2026-04-14..16, 1 May, Royal Ploughing 5 May). Start: Friday 2026-04-10 09:00 local.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "e2e/scenario.hpp"

namespace ombud::test {
namespace {

namespace json = boost::json;

class SmartScenario : public PackScenario {
 protected:
  SmartScenario() : PackScenario(SeedPackPath("smart")) {}

  void SetUp() override {
    PackScenario::SetUp();
    if (HasFatalFailure()) return;
    SetClock("2026-04-10T02:00:00Z");
  }

  json::value BillingComplaint(std::string_view phone) {
    return OpenTicket(
        admin(), json::object{{"customer", CustomerJson("Srey " + std::string(phone), "en", phone)},
                              {"channel", "phone"},
                              {"subject", "Charged for a service I never ordered"},
                              {"body", "Caller disputes a 5 USD charge."},
                              {"complaint_type", "billing"}});
  }
};

// R-SMT-3: a supervisor suspends an employee at once: sessions and tokens stop working, the
// employee's open tickets go back to the queue, and the suspension is in the audit log; every
// action of the employee was attributed to them.
TEST_F(SmartScenario, SuspendedEmployeeLosesAccessAndTicketsReturnToQueue_R_SMT_3) {
  std::int64_t agent_id = 0;
  std::int64_t supervisor_id = 0;
  HttpClient agent = Staff("care.agent", "agent", "customer_care", &agent_id);
  HttpClient supervisor = Staff("care.lead", "supervisor", "customer_care", &supervisor_id);
  HttpClient colleague = Staff("care.agent2", "agent", "customer_care");
  HttpClient agent_session(server().port());
  ASSERT_EQ(agent_session.Login("care.agent", kPassword).status, 200);

  const json::value ticket = BillingComplaint("+85510100001");
  ASSERT_FALSE(ticket.is_null());
  const std::int64_t id = IntAt(ticket, "id");
  ASSERT_EQ(TakeNext(agent), id);
  Response response = agent.Post(
      TicketPath(id, "/articles"),
      json::object{{"body", "Looked up the subscriber's usage."}, {"direction", "internal"}});
  ASSERT_EQ(response.status, 201) << Describe(response);

  // Attributable: the agent's actions carry the agent's id.
  const std::string agent_actor = "user:" + std::to_string(agent_id);
  bool take_attributed = false;
  bool note_attributed = false;
  for (const auto& entry : AuditEntries(id)) {
    take_attributed = take_attributed || (StrAt(entry, "action") == "ticket.take" &&
                                          StrAt(entry, "actor") == agent_actor);
    note_attributed = note_attributed || (StrAt(entry, "action") == "article.create" &&
                                          StrAt(entry, "actor") == agent_actor);
  }
  EXPECT_TRUE(take_attributed);
  EXPECT_TRUE(note_attributed);

  // Agents do not suspend.
  response = colleague.Post("/api/v1/users/" + std::to_string(agent_id) + "/suspend",
                            json::object{{"reason", "x"}});
  EXPECT_EQ(response.status, 403) << Describe(response);

  response = supervisor.Post("/api/v1/users/" + std::to_string(agent_id) + "/suspend",
                             json::object{{"reason", "Transferred a number without consent"}});
  ASSERT_EQ(response.status, 200) << Describe(response);
  EXPECT_EQ(IntAt(response.Json(), "user_id"), agent_id);
  EXPECT_EQ(BoolAt(response.Json(), "suspended"), std::optional<bool>(true));
  EXPECT_EQ(IntAt(response.Json(), "tickets_released"), 1);

  // All access revoked at once: token, session and a new login.
  response = agent.Get("/api/v1/auth/me");
  EXPECT_EQ(response.status, 401) << Describe(response);
  response = agent_session.Get("/api/v1/auth/me");
  EXPECT_EQ(response.status, 401) << Describe(response);
  response = agent.Post(TicketPath(id, "/articles"), json::object{{"body", "one more"}});
  EXPECT_EQ(response.status, 401) << Describe(response);
  HttpClient again(server().port());
  EXPECT_EQ(again.Login("care.agent", kPassword).status, 401);
  response = admin().Get("/api/v1/users/" + std::to_string(agent_id));
  EXPECT_EQ(BoolAt(response.Json(), "active"), std::optional<bool>(false)) << Describe(response);

  // The open work is back in the queue for a colleague.
  EXPECT_TRUE(IsNullAt(Ticket(id), "owner_id")) << json::serialize(Ticket(id));
  EXPECT_EQ(TakeNext(colleague), id);

  const auto rows = AuditRowsAbout("user:" + std::to_string(agent_id));
  const auto suspend = std::find_if(rows.begin(), rows.end(),
                                    [](const AuditRow& r) { return r.action == "user.suspend"; });
  ASSERT_NE(suspend, rows.end());
  EXPECT_EQ(suspend->actor, "user:" + std::to_string(supervisor_id));
  const json::value details = json::parse(suspend->details);
  EXPECT_EQ(StrAt(details, "reason"), "Transferred a number without consent");
  EXPECT_EQ(StrAt(details, "credentials"), "revoked");
  EXPECT_EQ(IntAt(details, "tickets_released"), 1);
}

// R-SMT-4: a case escalated to TRC records what was sent and when, TRC's answer (which meets
// the 15-working-day regulator clock) and the outcome when it is closed.
TEST_F(SmartScenario, EscalationToTrcRecordsMessagesAndClose_R_SMT_4) {
  const json::value ticket = BillingComplaint("+85510100002");
  ASSERT_FALSE(ticket.is_null());
  const std::int64_t id = IntAt(ticket, "id");

  Response response = admin().Post(TicketPath(id, "/escalations"),
                                   json::object{{"target", "police"}, {"body", "x"}});
  EXPECT_EQ(response.status, 400) << Describe(response);
  EXPECT_EQ(response.ErrorField(), "target");

  SetClock("2026-04-10T02:00:00Z");
  response = admin().Post(TicketPath(id, "/escalations"),
                          json::object{{"target", "trc"},
                                       {"reference", "TRC-2026-0417"},
                                       {"body", "Case file: disputed charge, our analysis."}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  const std::int64_t record = IntAt(response.Json(), "id");
  EXPECT_EQ(StrAt(response.Json(), "kind"), "escalation");
  EXPECT_EQ(StrAt(response.Json(), "state"), "open");
  EXPECT_EQ(StrAt(response.Json(), "data.target"), "trc");
  EXPECT_EQ(StrAt(response.Json(), "data.target_kind"), "regulator");
  EXPECT_EQ(StrAt(response.Json(), "data.reference"), "TRC-2026-0417");
  EXPECT_EQ(StrAt(response.Json(), "data.messages.0.direction"), "out");
  EXPECT_EQ(StrAt(response.Json(), "data.messages.0.body"),
            "Case file: disputed charge, our analysis.");
  EXPECT_NE(Find(response.Json(), "data.messages.0.at"), nullptr);

  // 15 working days on the office calendar: Khmer New Year, 1 May and 5 May skipped.
  const json::value clock = ClockOf(id, "regulator_answer");
  EXPECT_EQ(StrAt(clock, "state"), "running");
  EXPECT_EQ(StrAt(clock, "due_at"), "2026-05-08T10:30:00.000Z") << StrAt(clock, "rule");

  response = admin().Post(RecordPath(record, "/messages"),
                          json::object{{"direction", "out"}, {"body", "Call records attached."}});
  ASSERT_EQ(response.status, 200) << Describe(response);
  EXPECT_EQ(StrAt(ClockOf(id, "regulator_answer"), "state"), "running");
  SetClock("2026-04-20T03:00:00Z");
  response = admin().Post(RecordPath(record, "/messages"),
                          json::object{{"direction", "in"}, {"body", "TRC: refund the customer."}});
  ASSERT_EQ(response.status, 200) << Describe(response);
  const json::array messages = ArrayAt(response.Json(), "data.messages");
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(StrAt(messages[2], "direction"), "in");
  EXPECT_EQ(StrAt(messages[2], "body"), "TRC: refund the customer.");
  EXPECT_EQ(StrAt(ClockOf(id, "regulator_answer"), "state"), "met");

  response = admin().Post(RecordPath(record, "/close"),
                          json::object{{"outcome", "Refunded as TRC asked"}});
  ASSERT_EQ(response.status, 200) << Describe(response);
  EXPECT_EQ(StrAt(response.Json(), "state"), "closed");
  EXPECT_EQ(StrAt(response.Json(), "data.outcome"), "Refunded as TRC asked");
  response = admin().Post(RecordPath(record, "/close"), json::object{{"outcome", "again"}});
  EXPECT_EQ(response.status, 422) << Describe(response);

  const json::array records = Records(id, "escalation");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(StrAt(records[0], "state"), "closed");
  const auto actions = AuditActions(id);
  for (const std::string_view action : {"escalation.create", "escalation.closed"}) {
    EXPECT_NE(std::find(actions.begin(), actions.end(), action), actions.end()) << action;
  }
}

// R-SMT-5: an offer and its rejection are recorded and the case stays open; a second offer is
// accepted. The customer's answer meets the compensation clock.
TEST_F(SmartScenario, CompensationRejectedKeepsCaseOpenThenAccepted_R_SMT_5) {
  HttpClient agent = Staff("care.agent", "agent", "customer_care");
  const json::value ticket = BillingComplaint("+85510100003");
  ASSERT_FALSE(ticket.is_null());
  const std::int64_t id = IntAt(ticket, "id");
  ASSERT_EQ(TakeNext(agent), id);

  SetClock("2026-04-10T02:00:00Z");
  Response response = agent.Post(
      TicketPath(id, "/compensation"),
      json::object{{"description", "Refund of the charge"}, {"amount", "5"}, {"currency", "USD"}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  const std::int64_t first = IntAt(response.Json(), "id");
  EXPECT_EQ(StrAt(response.Json(), "kind"), "compensation");
  EXPECT_EQ(StrAt(response.Json(), "state"), "offered");
  EXPECT_EQ(StrAt(response.Json(), "data.amount"), "5");
  EXPECT_EQ(StrAt(response.Json(), "data.currency"), "USD");
  // 10 working days for the customer's answer: Wednesday 29 April 17:30.
  EXPECT_EQ(StrAt(ClockOf(id, "compensation_answer"), "due_at"), "2026-04-29T10:30:00.000Z");

  response = agent.Post(RecordPath(first, "/decision"),
                        json::object{{"accepted", false}, {"note", "Wants 20 USD"}});
  ASSERT_EQ(response.status, 200) << Describe(response);
  EXPECT_EQ(StrAt(response.Json(), "state"), "rejected");
  EXPECT_EQ(StrAt(response.Json(), "data.note"), "Wants 20 USD");
  // The case stays open after the rejection.
  json::value now = Ticket(id);
  EXPECT_EQ(StrAt(now, "state"), "open");
  EXPECT_EQ(StrAt(ClockOf(id, "reply"), "state"), "running");
  EXPECT_EQ(StrAt(ClockOf(id, "compensation_answer"), "state"), "met");
  response = agent.Post(RecordPath(first, "/decision"), json::object{{"accepted", true}});
  EXPECT_EQ(response.status, 422) << Describe(response);

  response = agent.Post(
      TicketPath(id, "/compensation"),
      json::object{
          {"description", "Refund and one month free"}, {"amount", "10"}, {"currency", "USD"}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  const std::int64_t second = IntAt(response.Json(), "id");
  response = agent.Post(RecordPath(second, "/decision"), json::object{{"accepted", true}});
  ASSERT_EQ(response.status, 200) << Describe(response);
  EXPECT_EQ(StrAt(response.Json(), "state"), "accepted");
  EXPECT_EQ(StrAt(Ticket(id), "state"), "open");

  const json::array offers = Records(id, "compensation");
  ASSERT_EQ(offers.size(), 2u);
  EXPECT_EQ(StrAt(offers[0], "state"), "rejected");
  EXPECT_EQ(StrAt(offers[1], "state"), "accepted");
  const auto actions = AuditActions(id);
  for (const std::string_view action :
       {"compensation.create", "compensation.rejected", "compensation.accepted"}) {
    EXPECT_NE(std::find(actions.begin(), actions.end(), action), actions.end()) << action;
  }
}

}  // namespace
}  // namespace ombud::test
