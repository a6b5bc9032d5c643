// Seed 003, VieON (packs/vieon.yaml): the receipt ticket, acknowledgement, negotiation,
// verification and the proactive result, through the HTTP API on the test clock. Office
// calendar: Asia/Ho_Chi_Minh (+07), Mon-Fri 08:30-12:00 and 13:00-17:30, Vietnamese holidays
// (Tết 2026-02-16..20). Start: Thursday 2026-02-12 10:00 local (03:00Z).
#include <algorithm>
#include <string>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "e2e/scenario.hpp"

namespace ombud::test {
namespace {

namespace json = boost::json;

constexpr std::string_view kThursday1000 = "2026-02-12T03:00:00Z";

class VieonScenario : public PackScenario {
 protected:
  VieonScenario() : PackScenario(SeedPackPath("vieon")) {}

  void SetUp() override {
    PackScenario::SetUp();
    if (HasFatalFailure()) return;
    SetClock(kThursday1000);
  }

  // The receipt ticket of R-VIE-4: account, content and payment groups.
  static json::object ReceiptFields() {
    return json::object{{"account_name", "Trần Minh"},           {"account_login", "0912345678"},
                        {"facebook_account", "fb.com/tranminh"}, {"title", "Gặp Nhau Cuối Năm"},
                        {"payment_time", "2026-02-10"},          {"package", "VIP 1 tháng"},
                        {"payment_method", "e_wallet"}};
  }

  static json::object Complaint(const json::object& customer, std::string_view channel) {
    return json::object{{"customer", customer},
                        {"channel", channel},
                        {"subject", "Không xem được phim sau khi thanh toán"},
                        {"body", "Đã mua gói VIP nhưng phim vẫn bị khóa."},
                        {"complaint_type", "complaint"},
                        {"custom_fields", ReceiptFields()}};
  }

  // A customer reachable only on the Facebook page: no acknowledgement can go out.
  static json::object FacebookOnly(std::string_view page) {
    return json::object{{"name", "Khách Facebook"}, {"language", "vi"}, {"facebook", page}};
  }
};

// R-VIE-1: hotline (phone), in-app chat, e-mail and the Facebook page are intake channels.
TEST_F(VieonScenario, HotlineChatEmailAndFacebookIntake_R_VIE_1) {
  const json::value call =
      OpenTicket(admin(), Complaint(CustomerJson("Minh", "vi", "0912345601"), "phone"));
  const json::value chat =
      OpenTicket(admin(), Complaint(CustomerJson("Lan", "vi", "", "lan@gmail.com"), "chat"));
  const json::value mail =
      OpenTicket(admin(), Complaint(CustomerJson("Hoa", "en", "", "hoa@gmail.com"), "email"));
  const json::value page =
      OpenTicket(admin(), Complaint(FacebookOnly("fb.com/khach1"), "messenger"));
  ASSERT_FALSE(call.is_null() || chat.is_null() || mail.is_null() || page.is_null());
  EXPECT_EQ(StrAt(call, "channel"), "phone");
  EXPECT_EQ(StrAt(chat, "channel"), "chat");
  EXPECT_EQ(StrAt(mail, "channel"), "email");
  EXPECT_EQ(StrAt(page, "channel"), "messenger");

  const auto sms = Outbox(IntAt(call, "id"));
  ASSERT_EQ(sms.size(), 1u);
  EXPECT_EQ(sms[0].channel, "sms");
  EXPECT_NE(sms[0].body.find("VieON đã tiếp nhận yêu cầu " + StrAt(call, "number")),
            std::string::npos)
      << sms[0].body;
  const auto email = Outbox(IntAt(mail, "id"));
  ASSERT_EQ(email.size(), 1u);
  EXPECT_EQ(email[0].recipient, "hoa@gmail.com");
  EXPECT_NE(email[0].subject.find("VieON received " + StrAt(mail, "number")), std::string::npos)
      << email[0].subject;
  EXPECT_TRUE(Outbox(IntAt(page, "id")).empty());
}

// R-VIE-2: acknowledged within 3 working days (the automatic acknowledgement meets it at
// once); where none could be sent, force majeure waives it and is recorded as such; otherwise
// it breaches after the third working day (Tết skipped).
TEST_F(VieonScenario, AcknowledgementWithinThreeWorkingDaysOrForceMajeure_R_VIE_2) {
  SetClock(kThursday1000);
  const json::value acked =
      OpenTicket(admin(), Complaint(CustomerJson("Minh", "vi", "0912345602"), "phone"));
  const json::value waived =
      OpenTicket(admin(), Complaint(FacebookOnly("fb.com/khach2"), "messenger"));
  const json::value late =
      OpenTicket(admin(), Complaint(FacebookOnly("fb.com/khach3"), "messenger"));
  ASSERT_FALSE(acked.is_null() || waived.is_null() || late.is_null());

  const json::value met = ClockOf(IntAt(acked, "id"), "acknowledgement");
  EXPECT_EQ(StrAt(met, "state"), "met");
  EXPECT_EQ(StrAt(met, "due_at"), "2026-02-24T10:30:00.000Z") << StrAt(met, "rule");
  EXPECT_TRUE(StrAt(met, "stopped_at").starts_with("2026-02-12T03:00")) << json::serialize(met);

  const json::value running = ClockOf(IntAt(waived, "id"), "acknowledgement");
  EXPECT_EQ(StrAt(running, "state"), "running");
  EXPECT_EQ(StrAt(running, "due_at"), "2026-02-24T10:30:00.000Z");
  const std::string waive_path =
      TicketPath(IntAt(waived, "id"), "/clocks/" + std::to_string(IntAt(running, "id")) + "/waive");
  // Only the pack's reasons waive it: anything else is refused and changes nothing.
  Response refused = admin().Post(waive_path, json::object{{"reason", "customer_unreachable"}});
  EXPECT_EQ(refused.status, 400) << Describe(refused);
  EXPECT_EQ(StrAt(refused.Json(), "error.field"), "reason");
  EXPECT_EQ(StrAt(ClockOf(IntAt(waived, "id"), "acknowledgement"), "state"), "running");
  Response response = admin().Post(
      waive_path, json::object{{"reason", "force_majeure"}, {"note", "typhoon: office closed"}});
  ASSERT_EQ(response.status, 200) << Describe(response);
  EXPECT_EQ(StrAt(response.Json(), "state"), "waived");
  EXPECT_EQ(StrAt(ClockOf(IntAt(waived, "id"), "acknowledgement"), "state"), "waived");
  bool recorded = false;
  for (const auto& entry : AuditEntries(IntAt(waived, "id"))) {
    recorded = recorded || (StrAt(entry, "action") == "clock.waive" &&
                            StrAt(entry, "details.reason") == "force_majeure");
  }
  EXPECT_TRUE(recorded);

  SetClock("2026-02-24T10:29:59Z");
  EXPECT_EQ(StrAt(ClockOf(IntAt(late, "id"), "acknowledgement"), "state"), "running");
  Advance(2);
  EXPECT_EQ(StrAt(ClockOf(IntAt(late, "id"), "acknowledgement"), "state"), "breached");
  EXPECT_EQ(StrAt(ClockOf(IntAt(waived, "id"), "acknowledgement"), "state"), "waived");
  const std::int64_t late_id = IntAt(late, "id");
  EXPECT_TRUE(Eventually([&] {
    const auto actions = AuditActions(late_id);
    return std::find(actions.begin(), actions.end(), "clock.breach") != actions.end();
  }));
}

// R-VIE-3: the negotiation clock runs 7 working days from the customer's request to negotiate
// and is met when the negotiation is recorded.
TEST_F(VieonScenario, NegotiationWithinSevenWorkingDays_R_VIE_3) {
  const json::value ticket =
      OpenTicket(admin(), Complaint(CustomerJson("Minh", "vi", "0912345603"), "phone"));
  ASSERT_FALSE(ticket.is_null());
  const std::int64_t id = IntAt(ticket, "id");
  EXPECT_TRUE(ClockOf(id, "negotiation").is_null()) << "starts only on request";

  SetClock(kThursday1000);
  Response response = admin().Post(TicketPath(id, "/negotiation"),
                                   json::object{{"note", "Customer asks for a refund"}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  const std::int64_t record = IntAt(response.Json(), "id");
  EXPECT_EQ(StrAt(response.Json(), "kind"), "negotiation");
  const json::value clock = ClockOf(id, "negotiation");
  EXPECT_EQ(StrAt(clock, "state"), "running");
  // Fri 13 Feb, (Tết 16-20), 23, 24, 25, 26, 27 Feb, Mon 2 March 17:30.
  EXPECT_EQ(StrAt(clock, "due_at"), "2026-03-02T10:30:00.000Z") << StrAt(clock, "rule");

  SetClock("2026-02-25T03:00:00Z");
  response = admin().Post("/api/v1/records/" + std::to_string(record) + "/negotiated",
                          json::object{{"outcome", "Refund of one month agreed"}});
  ASSERT_EQ(response.status, 200) << Describe(response);
  EXPECT_EQ(StrAt(response.Json(), "state"), "done");
  EXPECT_EQ(StrAt(response.Json(), "data.outcome"), "Refund of one month agreed");
  EXPECT_EQ(StrAt(ClockOf(id, "negotiation"), "state"), "met");
}

// R-VIE-4: the receipt ticket needs the account fields; content and payment are typed.
TEST_F(VieonScenario, ReceiptTicketHoldsAccountContentPayment_R_VIE_4) {
  const json::object customer = CustomerJson("Minh", "vi", "0912345604");
  struct Case {
    std::string field;
    json::value value;  // null: left out.
  };
  for (const Case& c : {Case{"account_name", nullptr}, Case{"account_login", nullptr},
                        Case{"account_login", "minh@yahoo.com"}, Case{"payment_method", "cash"},
                        Case{"payment_time", "10/02/2026"}}) {
    json::object body = Complaint(customer, "chat");
    auto& fields = body["custom_fields"].as_object();
    if (c.value.is_null()) {
      fields.erase(c.field);
    } else {
      fields[c.field] = c.value;
    }
    const Response response = admin().Post("/api/v1/tickets", body);
    EXPECT_EQ(response.status, 400) << c.field << ": " << Describe(response);
    EXPECT_TRUE(response.ErrorField().ends_with(c.field)) << c.field << ": " << Describe(response);
  }
  json::object body = Complaint(customer, "chat");
  body["custom_fields"].as_object()["account_login"] = "minh.tran@gmail.com";
  const json::value ticket = OpenTicket(admin(), body);
  ASSERT_FALSE(ticket.is_null());
  EXPECT_EQ(StrAt(ticket, "complaint_type"), "complaint");
  EXPECT_EQ(StrAt(ticket, "custom_fields.account_login"), "minh.tran@gmail.com");
  EXPECT_EQ(StrAt(ticket, "custom_fields.title"), "Gặp Nhau Cuối Năm");
  EXPECT_EQ(StrAt(ticket, "custom_fields.payment_method"), "e_wallet");
  EXPECT_EQ(StrAt(ticket, "flags.routed_to"), "content_ops");
}

// R-VIE-5: the verification and its root cause are recorded on the receipt ticket, from the
// pack's list of causes.
TEST_F(VieonScenario, VerificationAndRootCauseRecorded_R_VIE_5) {
  const json::object customer = CustomerJson("Minh", "vi", "0912345605");
  json::object body = Complaint(customer, "phone");
  body["custom_fields"].as_object()["root_cause"] = "gremlins";
  Response response = admin().Post("/api/v1/tickets", body);
  EXPECT_EQ(response.status, 400) << Describe(response);
  EXPECT_TRUE(response.ErrorField().ends_with("root_cause")) << Describe(response);
  body = Complaint(customer, "phone");
  body["custom_fields"].as_object()["verified"] = "maybe";
  response = admin().Post("/api/v1/tickets", body);
  EXPECT_EQ(response.status, 400) << Describe(response);
  EXPECT_TRUE(response.ErrorField().ends_with("verified")) << Describe(response);

  body = Complaint(customer, "phone");
  body["custom_fields"].as_object()["verified"] = true;
  body["custom_fields"].as_object()["root_cause"] = "payment_gateway";
  const json::value ticket = OpenTicket(admin(), body);
  ASSERT_FALSE(ticket.is_null());
  EXPECT_EQ(BoolAt(ticket, "custom_fields.verified"), std::optional<bool>(true));
  EXPECT_EQ(StrAt(ticket, "custom_fields.root_cause"), "payment_gateway");
  EXPECT_EQ(StrAt(Ticket(IntAt(ticket, "id")), "custom_fields.root_cause"), "payment_gateway");
}

// R-VIE-6: (a) a question answered now is explained, recorded and resolved; (b) a complaint
// that needs more time waits on the customer with the result clock paused, then resumes.
TEST_F(VieonScenario, AnswerNowOrLater_R_VIE_6) {
  const json::value question =
      OpenTicket(admin(), json::object{{"customer", CustomerJson("Hoa", "en", "", "hoa@gmail.com")},
                                       {"channel", "chat"},
                                       {"subject", "How do I cast to my TV?"},
                                       {"body", "Which TVs are supported?"},
                                       {"complaint_type", "question"}});
  ASSERT_FALSE(question.is_null());
  const std::int64_t now_id = IntAt(question, "id");
  EXPECT_TRUE(ClockOf(now_id, "negotiation").is_null());  // The type lists its clocks.
  Response response =
      admin().Post(TicketPath(now_id, "/answer"),
                   json::object{{"method", "chat"},
                                {"template", "result"},
                                {"body", "Open the app, tap Cast and choose your TV."},
                                {"resolve", true}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  EXPECT_EQ(StrAt(Ticket(now_id), "state"), "resolved");
  EXPECT_EQ(StrAt(ClockOf(now_id, "result"), "state"), "met");

  SetClock(kThursday1000);
  const json::value complaint =
      OpenTicket(admin(), Complaint(CustomerJson("Minh", "vi", "0912345606"), "phone"));
  ASSERT_FALSE(complaint.is_null());
  const std::int64_t later_id = IntAt(complaint, "id");
  // 10 working days after Thursday 12 February, Tết skipped: Thursday 5 March 17:30.
  EXPECT_EQ(StrAt(ClockOf(later_id, "result"), "due_at"), "2026-03-05T10:30:00.000Z");
  // (b) "More time is needed" is not the answer: it acknowledges, the result clock runs on.
  response = admin().Post(TicketPath(later_id, "/answer"),
                          json::object{{"method", "phone"}, {"template", "answer_later"}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  EXPECT_NE(StrAt(response.Json(), "body").find("cần thêm thời gian"), std::string::npos)
      << Describe(response);
  EXPECT_EQ(StrAt(ClockOf(later_id, "acknowledgement"), "state"), "met");
  EXPECT_EQ(StrAt(ClockOf(later_id, "result"), "state"), "running");
  response = admin().Post(
      TicketPath(later_id, "/answer"),
      json::object{{"method", "phone"}, {"template", "answer_later"}, {"resolve", true}});
  EXPECT_EQ(response.status, 400) << Describe(response);
  EXPECT_EQ(StrAt(Ticket(later_id), "state"), "open");
  response = admin().Post(TicketPath(later_id, "/request-info"),
                          json::object{{"asked", "ảnh chụp giao dịch thanh toán"}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  EXPECT_EQ(StrAt(Ticket(later_id), "state"), "pending_customer");
  EXPECT_EQ(StrAt(ClockOf(later_id, "result"), "state"), "paused");
  HttpClient customer = CustomerUser("minh", IntAt(complaint, "customer_id"));
  response = customer.Post(TicketPath(later_id, "/articles"),
                           json::object{{"body", "Ảnh giao dịch đính kèm."}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  EXPECT_EQ(StrAt(Ticket(later_id), "state"), "open");
  EXPECT_EQ(StrAt(ClockOf(later_id, "result"), "state"), "running");
  EXPECT_EQ(StrAt(Records(later_id, "info_request")[0], "state"), "answered");
}

// R-VIE-7: VieON tells the customer the result proactively with the result template (greeting
// and closing of the channel) and stores it on the receipt-and-resolution ticket.
TEST_F(VieonScenario, ProactiveResultNoticeStoredOnTicket_R_VIE_7) {
  const json::value ticket =
      OpenTicket(admin(), Complaint(CustomerJson("Hoa", "en", "", "hoa@gmail.com"), "email"));
  ASSERT_FALSE(ticket.is_null());
  const std::int64_t id = IntAt(ticket, "id");
  SetClock("2026-02-24T03:00:00Z");
  const Response response = admin().Post(
      TicketPath(id, "/answer"),
      json::object{{"method", "email"},
                   {"template", "result"},
                   {"body", "The payment gateway failed; your VIP package is now active."},
                   {"resolve", true}});
  ASSERT_EQ(response.status, 201) << Describe(response);
  const std::string body = StrAt(response.Json(), "body");
  EXPECT_TRUE(StartsWith(body, "Dear customer,")) << body;
  EXPECT_NE(body.find("your VIP package is now active."), std::string::npos) << body;
  EXPECT_TRUE(EndsWith(body,
                       "Kind regards, VieON Customer Care. Hotline 1800 599920 (free of "
                       "charge)."))
      << body;
  EXPECT_EQ(StrAt(Ticket(id), "state"), "resolved");
  EXPECT_EQ(StrAt(ClockOf(id, "result"), "state"), "met");
  bool stored = false;
  for (const auto& a : Articles(id)) {
    stored = stored || (StrAt(a, "direction") == "outbound" && StrAt(a, "body") == body);
  }
  EXPECT_TRUE(stored);
  const auto outbox = Outbox(id);
  ASSERT_EQ(outbox.size(), 2u);
  EXPECT_NE(outbox[1].subject.find("Result of " + StrAt(ticket, "number")), std::string::npos)
      << outbox[1].subject;
  EXPECT_EQ(outbox[1].body, body);
}

}  // namespace
}  // namespace ombud::test
