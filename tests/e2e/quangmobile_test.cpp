// Seed 004, Quang Mobile (packs/quangmobile.yaml): a hotline dispute recorded quickly, mediated,
// then referred to the legal authorities, through the HTTP API on the test clock. Office
// calendar: Asia/Ho_Chi_Minh (+07), Mon-Fri 08:00-12:00 and 13:30-17:30, Sat 08:00-12:00,
// Vietnamese holidays (Tết 2026-02-16..20). Start: Thursday 2026-02-12 10:00 local.
#include <algorithm>
#include <string>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "e2e/scenario.hpp"

namespace ombud::test {
namespace {

namespace json = boost::json;

class QuangMobileScenario : public PackScenario {
 protected:
  QuangMobileScenario() : PackScenario(SeedPackPath("quangmobile")) {}

  void SetUp() override {
    PackScenario::SetUp();
    if (HasFatalFailure()) return;
    SetClock("2026-02-12T03:00:00Z");
  }

  static json::object HotlineDispute() {
    return json::object{
        {"customer", CustomerJson("Nguyễn Thị Lan", "vi", "0904000111")},
        {"channel", "phone"},
        {"subject", "Kết quả thi công không như cam kết"},
        {"body", "Khách hàng gọi hotline phản ánh kết quả sau thi công."},
        {"complaint_type", "service_dispute"},
        {"custom_fields", json::object{{"contract_number", "QM-2026-0042"},
                                       {"service_date", "2026-02-02"},
                                       {"commitment_signed", true},
                                       {"description", "Kết quả khác với ảnh trước thi công."}}}};
  }
};

// R-QM-8: (1) a hotline complaint, (2) recorded quickly by Customer Support against the
// commitment signed before the service, mediated; (3) when mediation fails, referred to the
// legal authorities with its record, their decision and the outcome.
TEST_F(QuangMobileScenario, HotlineDisputeMediatedThenReferredToLegalAuthority_R_QM_8) {
  json::object incomplete = HotlineDispute();
  incomplete["custom_fields"].as_object().erase("commitment_signed");
  Response response = admin().Post("/api/v1/tickets", incomplete);
  EXPECT_EQ(response.status, 400) << Describe(response);
  EXPECT_TRUE(response.ErrorField().ends_with("commitment_signed")) << Describe(response);

  const json::value ticket = OpenTicket(admin(), HotlineDispute());
  ASSERT_FALSE(ticket.is_null());
  const std::int64_t id = IntAt(ticket, "id");
  EXPECT_EQ(StrAt(ticket, "channel"), "phone");
  EXPECT_EQ(StrAt(ticket, "kind"), "complaint");
  EXPECT_EQ(StrAt(ticket, "flags.routed_to"), "operations");
  EXPECT_EQ(BoolAt(ticket, "custom_fields.commitment_signed"), std::optional<bool>(true));

  // Recorded quickly: the acknowledgement went out by SMS at once and met its clock.
  const json::value ack = ClockOf(id, "acknowledgement");
  EXPECT_EQ(StrAt(ack, "state"), "met") << json::serialize(ack);
  const auto outbox = Outbox(id);
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox[0].channel, "sms");
  EXPECT_EQ(outbox[0].recipient, "0904000111");
  EXPECT_NE(outbox[0].body.find("Quang Mobile đã ghi nhận khiếu nại " + StrAt(ticket, "number")),
            std::string::npos)
      << outbox[0].body;
  // 10 working days (Saturday mornings count, Tết does not): Monday 2 March 17:30.
  EXPECT_EQ(StrAt(ClockOf(id, "reply"), "due_at"), "2026-03-02T10:30:00.000Z");

  // Negotiation and mediation fail.
  response = admin().Post(TicketPath(id, "/negotiation"),
                          json::object{{"note", "Mediation meeting with the customer"}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  const std::int64_t mediation = IntAt(response.Json(), "id");
  response = admin().Post(RecordPath(mediation, "/negotiated"),
                          json::object{{"outcome", "Mediation failed: no agreement"}});
  ASSERT_EQ(response.status, 200) << Describe(response);
  EXPECT_EQ(StrAt(response.Json(), "data.outcome"), "Mediation failed: no agreement");

  // The pack knows no TRC; the legal authority is its target.
  response = admin().Post(TicketPath(id, "/escalations"), json::object{{"target", "trc"}});
  EXPECT_EQ(response.status, 400) << Describe(response);
  SetClock("2026-02-13T03:00:00Z");
  response =
      admin().Post(TicketPath(id, "/escalations"),
                   json::object{{"target", "legal_authority"},
                                {"reference", "TAND-Q1-2026-015"},
                                {"body", "Dossier: photos before/after, signed commitment."}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  const std::int64_t referral = IntAt(response.Json(), "id");
  EXPECT_EQ(StrAt(response.Json(), "kind"), "escalation");
  EXPECT_EQ(StrAt(response.Json(), "data.target_kind"), "legal_authority");
  EXPECT_EQ(StrAt(response.Json(), "data.reference"), "TAND-Q1-2026-015");
  const json::value legal = ClockOf(id, "legal_referral");
  EXPECT_EQ(StrAt(legal, "state"), "running");
  EXPECT_EQ(StrAt(legal, "due_at"), "2026-05-14T03:00:00.000Z");  // 90 calendar days.

  SetClock("2026-04-01T03:00:00Z");
  response = admin().Post(
      RecordPath(referral, "/messages"),
      json::object{{"direction", "in"}, {"body", "Decision: the commitment was honoured."}});
  ASSERT_EQ(response.status, 200) << Describe(response);
  EXPECT_EQ(StrAt(ClockOf(id, "legal_referral"), "state"), "met");
  response = admin().Post(RecordPath(referral, "/close"),
                          json::object{{"outcome", "Claim dismissed by the court"}});
  ASSERT_EQ(response.status, 200) << Describe(response);
  EXPECT_EQ(StrAt(response.Json(), "state"), "closed");

  const json::array records = Records(id);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(StrAt(records[0], "kind"), "negotiation");
  EXPECT_EQ(StrAt(records[1], "kind"), "escalation");
  EXPECT_EQ(StrAt(records[1], "data.outcome"), "Claim dismissed by the court");
  EXPECT_EQ(StrAt(records[1], "data.messages.1.body"), "Decision: the commitment was honoured.");

  response = admin().Post(TicketPath(id, "/answer"),
                          json::object{{"method", "phone"},
                                       {"body", "Đã thông báo quyết định của tòa cho khách."},
                                       {"resolve", true}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  EXPECT_EQ(StrAt(Ticket(id), "state"), "resolved");
  const auto actions = AuditActions(id);
  for (const std::string_view action :
       {"negotiation.create", "negotiation.done", "escalation.create", "escalation.closed"}) {
    EXPECT_NE(std::find(actions.begin(), actions.end(), action), actions.end()) << action;
  }
}

}  // namespace
}  // namespace ombud::test
