#include "app/pack_file.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "app/pack_cli.hpp"
#include "domain/pack/template.hpp"
#include "domain/time/calendar.hpp"
#include "domain/time/time_format.hpp"

namespace ombud::app {
namespace {

using domain::Channel;

std::string PackPath(std::string_view id) {
  return std::string(OMBUD_SOURCE_DIR) + "/packs/" + std::string(id) + ".yaml";
}

domain::Pack Load(std::string_view id) {
  auto pack = LoadPackFile(PackPath(id));
  EXPECT_TRUE(pack) << pack.error().message;
  return pack ? *pack : domain::Pack{};
}

// The first diagnostic of `yaml`, as text; "" when it loads.
std::string FirstError(const std::string& yaml) {
  const PackCheck check = CheckPackYaml(yaml, "t.yaml");
  return check.ok() ? "" : check.errors.front().ToString();
}

bool AnyError(const std::string& yaml, std::string_view expected) {
  const PackCheck check = CheckPackYaml(yaml, "t.yaml");
  for (const PackDiagnostic& d : check.errors) {
    if (d.ToString().find(expected) != std::string::npos) return true;
  }
  ADD_FAILURE() << "no error containing: " << expected << "\ngot:\n"
                << [&] {
                     std::string all;
                     for (const PackDiagnostic& d : check.errors) all += d.ToString() + "\n";
                     return all;
                   }();
  return false;
}

// A minimal valid pack; tests append or replace lines to break it.
constexpr std::string_view kMinimal = R"(id: t
name: T
languages: [en, km]
calendar: office
calendars:
  office:
    timezone: Asia/Phnom_Penh
    weekly: {mon: ["08:00-17:00"], tue: ["08:00-17:00"]}
    country_holidays: KH
categories:
  general: {en: General}
departments:
  support:
    name: Customer Support
    owner: true
    scope: [general]
routing:
  general: support
clocks:
  reply:
    start: received
    stop: answered
    target: {working_days: 10}
channels:
  - {channel: phone, address: "888"}
greetings:
  - channels: [email]
    text: {en: "Dear customers,", km: "អតិថិជនជាទីគោរព"}
templates:
  answer:
    en: {any: {body: "{{answer}}"}}
    km: {any: {body: "{{answer}}"}}
)";

std::string Minimal() { return std::string(kMinimal); }

TEST(PackFile, EveryShippedPackLoads) {
  int count = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(OMBUD_SOURCE_DIR) + "/packs")) {
    if (entry.path().extension() != ".yaml") continue;
    ++count;
    const PackCheck check = CheckPackFile(entry.path().string());
    for (const PackDiagnostic& d : check.errors) ADD_FAILURE() << d.ToString();
    EXPECT_EQ(check.pack.id, entry.path().stem().string());
    EXPECT_FALSE(PackSummary(check.pack).empty());
  }
  EXPECT_GE(count, 6);  // default + the five seed companies.
}

TEST(PackFile, MinimalPackLoadsAndChecksOk) {
  const PackCheck check = CheckPackYaml(kMinimal, "t.yaml");
  for (const PackDiagnostic& d : check.errors) ADD_FAILURE() << d.ToString();
  EXPECT_EQ(check.pack.default_language, "en");
  EXPECT_EQ(check.pack.clocks[0].definition.calendar, "office");  // The pack default.
}

TEST(PackFile, CheckAndShowCommands) {
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunPackCheck(PackPath("hosting"), out, err), 0) << err.str();
  EXPECT_EQ(out.str(), "ok: hosting (5 departments, 4 complaint types, 3 templates)\n");
  out.str("");
  EXPECT_EQ(RunPackShow(PackPath("smart"), out, err), 0);
  EXPECT_NE(out.str().find("block_number (R-SMT-2): 24 calendar hours"), std::string::npos)
      << out.str();
  EXPECT_EQ(RunPackCheck("/nonexistent/pack.yaml", out, err), 2);
  EXPECT_NE(err.str().find("/nonexistent/pack.yaml: file: cannot read pack file (format)"),
            std::string::npos);
}

TEST(PackFile, ErrorsNameFileLineKeyAndRule) {
  EXPECT_EQ(FirstError(Minimal() + "colour: blue\n"),
            "t.yaml:33: colour: unknown key in pack (format)");
  std::string s = Minimal();
  s.replace(s.find("general: support"), 16, "general: kitchen");
  EXPECT_TRUE(AnyError(s, "t.yaml:18: general: routes to unknown department 'kitchen' (R-MET-6)"));
  EXPECT_EQ(FirstError("id: [unclosed\n"),
            "t.yaml:2: yaml: end of sequence flow not found (format)");
}

TEST(PackFile, TemplatePlaceholderMustBeAnAllowedVariable) {
  std::string s = Minimal();
  s.replace(s.find("en: {any: {body: \"{{answer}}\"}}"), 31,
            "en: {any: {body: \"{{answer}} {{secret}}\"}}");
  EXPECT_TRUE(AnyError(s, "t.yaml:31: body: placeholder {{secret}} is not an allowed variable"));
  // A pack may allow its own variables.
  EXPECT_EQ(FirstError(s + "template_variables: [secret]\n"), "");
}

// R-CSP-7: a greeting must exist in every language of the pack.
TEST(PackFile, LanguageWithoutGreetingIsAnError_R_CSP_7) {
  std::string s = Minimal();
  s.replace(s.find(", km: \"អតិថិជនជាទីគោរព\""), std::string(", km: \"អតិថិជនជាទីគោរព\"").size(), "");
  EXPECT_TRUE(AnyError(s, "t.yaml:27: text: no text in language km (R-CSP-7)"));
}

TEST(PackFile, ClockOnUnknownCalendarNamesItsLine) {
  std::string s = Minimal();
  s.replace(s.find("    target: {working_days: 10}"), 30,
            "    target: {working_days: 10}\n    calendar: moon");
  EXPECT_TRUE(AnyError(s, "t.yaml:24: calendar: unknown calendar 'moon' (pack)"));
}

TEST(PackFile, FilingWindowMustCloseAtReceipt_R_MET_2) {
  std::string s = Minimal();
  s.replace(s.find("channels:"), 9, R"(  filing_window:
    start: incident
    stop: answered
    target: {working_days: 7}
channels:)");
  EXPECT_TRUE(AnyError(s,
                       "t.yaml:26: stop: the filing window closes when the complaint is "
                       "received: expected 'received' (R-MET-2)"));
}

TEST(PackFile, EmbeddedCalendarErrorsKeepTheirLine) {
  std::string s = Minimal();
  s.replace(s.find("timezone: Asia/Phnom_Penh"), 25, "timezone: Mars/Olympus");
  EXPECT_TRUE(AnyError(s, "t.yaml:7: timezone:"));
  s = Minimal();
  s.replace(s.find("    country_holidays: KH"), 24, "    country_holidays: KH\n    colour: red");
  EXPECT_TRUE(AnyError(s, "t.yaml:10: colour: unknown key"));
}

TEST(PackFile, CalendarsInheritAndLoopsAreErrors) {
  std::string s = Minimal();
  s.replace(s.find("categories:"), 11,
            "  late:\n    extends: office\n    weekly: {tue: [\"12:00-20:00\"]}\ncategories:");
  auto pack = ParsePackYaml(s, "t.yaml");
  ASSERT_TRUE(pack) << pack.error().message;
  const domain::CalendarSpec& late = pack->calendars.at("late");
  EXPECT_EQ(late.timezone, "Asia/Phnom_Penh");
  EXPECT_EQ(late.country_holidays, domain::Country::kCambodia);
  ASSERT_TRUE(late.weekly[0].has_value());  // Monday inherited.
  EXPECT_EQ((*late.weekly[1])[0].begin, 12 * 3600);
  EXPECT_EQ(pack->calendar_parents.at("late"), "office");

  s = Minimal();
  s.replace(s.find("categories:"), 11, "  a:\n    extends: b\n  b:\n    extends: a\ncategories:");
  EXPECT_TRUE(AnyError(s, "extends: calendars extend each other in a loop"));
}

// R-MET-1, R-MET-2, R-MET-3, R-MET-7, R-MET-8: Metfone's pack.
TEST(PackFile, MetfoneWindowsFormsChannels_R_MET_1_2_3_7_8) {
  const domain::Pack p = Load("metfone");
  EXPECT_EQ(p.languages, (std::vector<std::string>{"km", "en"}));
  EXPECT_EQ(p.calendars.at("company").timezone, "Asia/Phnom_Penh");
  ASSERT_EQ(p.channels.size(), 2u);  // R-MET-1
  EXPECT_EQ(p.channels[0].channel, Channel::kPhone);
  EXPECT_EQ(p.channels[1].channel, Channel::kEmail);
  EXPECT_EQ(p.answer_methods, (std::vector<Channel>{Channel::kEmail, Channel::kSms, Channel::kPhone,
                                                    Channel::kInPerson}));
  EXPECT_EQ(domain::FilingWindowFor(p)->target.amount, 7);                            // R-MET-2
  EXPECT_EQ(domain::FilingWindowFor(p, "international_roaming")->target.amount, 30);  // R-MET-2
  EXPECT_EQ(domain::ReplyDeadlineFor(p)->target.amount, 10);                          // R-MET-7
  EXPECT_EQ(domain::ReplyDeadlineFor(p, "international_roaming")->target.amount, 15);
  auto missing = domain::ValidateForm(p, "billing_dispute", {{"msisdn", "0979607168"}});
  ASSERT_FALSE(missing);  // R-MET-3
  EXPECT_EQ(missing.error().field, "incident_date");
  EXPECT_TRUE(domain::ValidateForm(p, "billing_dispute",
                                   {{"msisdn", "+855979607168"},
                                    {"incident_date", "2026-02-13"},
                                    {"charge_type", "data"},
                                    {"description", "Charged twice for a data pack."}}));
  EXPECT_EQ(domain::ValidateForm(p, "billing_dispute",
                                 {{"msisdn", "+84912345678"},
                                  {"incident_date", "2026-02-13"},
                                  {"charge_type", "data"},
                                  {"description", "x"}})
                .error()
                .field,
            "msisdn");
  // R-MET-7 end to end: 10 working days from receipt on Monday 2026-03-02 09:00 on the pack's
  // KH calendar (Saturday mornings work) end at the close of Friday 2026-03-13.
  auto reply = domain::ReplyDeadlineFor(p);
  auto calendar = domain::Calendar::Compile(p.calendars.at(reply->calendar));
  ASSERT_TRUE(calendar);
  auto clock = domain::StartClock(*reply, *calendar, *domain::ParseInstant("2026-03-02T02:00:00Z"));
  ASSERT_TRUE(clock) << clock.error().message;
  EXPECT_EQ(domain::FormatInstant(*clock->due_at), "2026-03-13T10:30:00Z");
}

// R-SMT-1, R-SMT-2, R-SMT-4, R-SMT-5, R-SMT-6, R-SMT-8: Smart's pack.
TEST(PackFile, SmartUrgentBlockRegulatorRecycling_R_SMT_1_2_4_5_6_8) {
  const domain::Pack p = Load("smart");
  auto type = domain::FindComplaintType(p, "number_taken");
  ASSERT_TRUE(type);
  EXPECT_TRUE((*type)->urgent);  // R-SMT-2
  auto clocks = domain::TicketClocksFor(p, "number_taken");
  ASSERT_TRUE(clocks);
  EXPECT_EQ((*clocks)[0].name, "block_number");
  EXPECT_EQ((*clocks)[0].target.unit, domain::TargetUnit::kCalendarSeconds);
  EXPECT_EQ((*clocks)[0].target.amount, 24 * 3600);
  auto trc = std::find_if(p.escalations.begin(), p.escalations.end(),
                          [](const auto& e) { return e.key == "trc"; });
  ASSERT_NE(trc, p.escalations.end());  // R-SMT-4
  EXPECT_EQ(trc->kind, domain::EscalationKind::kRegulator);
  EXPECT_EQ(trc->clock, "regulator_answer");
  ASSERT_TRUE(p.telecom);
  EXPECT_EQ(p.telecom->transfer_consents.size(), 2u);  // R-SMT-1
  auto recycle = domain::FindClock(p, p.telecom->prepaid_recycle_clock);
  ASSERT_TRUE(recycle);  // R-SMT-6
  EXPECT_EQ((*recycle)->applies_to, "subscriber");
  EXPECT_EQ((*recycle)->definition.target.amount, 90 * 86400);
  EXPECT_GE((*recycle)->definition.warnings.size(), 2u);
  ASSERT_TRUE(p.compensation);  // R-SMT-5
  EXPECT_TRUE(p.compensation->keep_open_after_rejection);
  std::set<Channel> channels;  // R-SMT-8
  for (const auto& c : p.channels) channels.insert(c.channel);
  EXPECT_EQ(channels, (std::set<Channel>{Channel::kPhone, Channel::kMessenger, Channel::kEmail,
                                         Channel::kInPerson}));
  auto km = domain::RenderAnswer(p, "number_blocked", "km", Channel::kSms, {{"number", "010 888"}});
  ASSERT_TRUE(km) << km.error().message;
  EXPECT_TRUE(km->body.starts_with("អតិថិជនជាទីគោរព\n\nលេខ 010 888"));
}

// R-CSP-1, R-CSP-2, R-CSP-3, R-CSP-4, R-CSP-7, R-CSP-8: the hosting company's pack.
TEST(PackFile, HostingScopesCalendarsAndAnswers_R_CSP_1_2_3_4_7_8) {
  const domain::Pack p = Load("hosting");
  const auto scope = [&](std::string_view key) { return (*domain::FindDepartment(p, key))->scope; };
  using V = std::vector<std::string>;
  EXPECT_EQ(scope("business"), (V{"product_usage", "quotation", "mail_account", "account_login",
                                  "debt_collection", "invoice", "contract_liquidation"}));
  EXPECT_EQ(scope("technical"), (V{"hosting_domain", "interface", "service_installation"}));
  EXPECT_EQ(scope("design"), (V{"design", "interface"}));
  EXPECT_EQ(scope("customer_room"),
            (V{"dispute_satisfaction", "contract_transfer", "contract_printing",
               "stamped_documents", "requirement_approval"}));
  EXPECT_TRUE(domain::InScope(p, "design", "interface"));        // R-CSP-1
  EXPECT_FALSE(domain::InScope(p, "design", "hosting_domain"));  // R-CSP-8
  EXPECT_FALSE(domain::InScope(p, "business", "contract_transfer"));
  EXPECT_FALSE(domain::InScope(p, "customer_support", "invoice"));
  EXPECT_EQ((*domain::DepartmentFor(p, "contract_transfer"))->key, "customer_room");
  // R-CSP-2: staff hours with the lunch break; technical 24/7 including Tết.
  auto staff = domain::Calendar::Compile(p.calendars.at("staff"));
  auto technical = domain::Calendar::Compile(*domain::DepartmentCalendar(p, "technical"));
  ASSERT_TRUE(staff && technical);
  EXPECT_FALSE(*staff->IsWorkingTime(*domain::ParseInstant("2026-03-02T12:45:00+07:00")));
  EXPECT_TRUE(*staff->IsWorkingTime(*domain::ParseInstant("2026-03-02T13:30:00+07:00")));
  EXPECT_FALSE(*staff->IsWorkingTime(*domain::ParseInstant("2026-03-02T16:30:00+07:00")));
  EXPECT_TRUE(*technical->IsWorkingTime(*domain::ParseInstant("2026-02-17T03:00:00+07:00")));
  EXPECT_EQ(domain::ClockFor(p, "next_issue")->target.amount, 24 * 3600);  // R-CSP-3
  EXPECT_EQ(domain::ClockFor(p, "processing")->target.amount, 7 * 86400);  // R-CSP-4
  const domain::TemplateVars vars = {{"ticket_ref", "H-1"}, {"answer", "Done."}};
  auto en = domain::RenderAnswer(p, "answer", "en", Channel::kEmail, vars);  // R-CSP-7
  ASSERT_TRUE(en);
  EXPECT_TRUE(en->body.starts_with("Dear customers"));
  EXPECT_TRUE(en->body.ends_with("Thank you for your interest in our products and services."));
  auto vi = domain::RenderAnswer(p, "answer", "vi", Channel::kWeb, vars);
  ASSERT_TRUE(vi);
  EXPECT_EQ(vi->body, "Kính gửi Quý khách hàng,\n\nDone.");
  EXPECT_EQ(p.answer_methods, (std::vector<Channel>{Channel::kWeb, Channel::kEmail}));  // R-CSP-6
}

// R-VIE-1, R-VIE-2, R-VIE-3, R-VIE-4, R-VIE-5: VieON's pack.
TEST(PackFile, VieonReceiptTicketAndClocks_R_VIE_1_2_3_4_5) {
  const domain::Pack p = Load("vieon");
  auto ack = domain::FindClock(p, "acknowledgement");
  ASSERT_TRUE(ack);  // R-VIE-2
  EXPECT_EQ((*ack)->definition.target.amount, 3);
  EXPECT_EQ((*ack)->waiver_reasons, (std::vector<std::string>{"force_majeure"}));
  EXPECT_EQ(domain::ClockFor(p, "negotiation")->target.amount, 7);  // R-VIE-3
  EXPECT_EQ(domain::ClockFor(p, "negotiation")->start_event, "negotiation_requested");
  EXPECT_EQ(p.channels.size(), 4u);  // R-VIE-1
  EXPECT_EQ(p.channels[0].calendar, "always");
  auto type = domain::FindComplaintType(p, "complaint");
  ASSERT_TRUE(type);  // R-VIE-4: account, content and payment groups; R-VIE-5 root cause.
  std::set<std::string> groups;
  for (const auto& f : (*type)->form) groups.insert(f.group);
  EXPECT_EQ(groups, (std::set<std::string>{"account", "content", "payment", "verification"}));
  auto s = domain::ValidateForm(p, "complaint",
                                {{"account_name", "Lan"}, {"account_login", "lan@yahoo.com"}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().field, "account_login");
  EXPECT_TRUE(domain::ValidateForm(p, "complaint",
                                   {{"account_name", "Lan"},
                                    {"account_login", "0912345678"},
                                    {"payment_method", "e_wallet"},
                                    {"root_cause", "payment_gateway"}}));
}

// R-QM-1, R-QM-2, R-QM-4, R-QM-5, R-QM-8: Quang Mobile's pack.
TEST(PackFile, QuangMobileServiceContractAndLegalEscalation_R_QM_1_2_4_5_8) {
  const domain::Pack p = Load("quangmobile");
  ASSERT_TRUE(p.service_contract);
  const domain::ServiceContractPolicy& s = *p.service_contract;
  EXPECT_EQ(s.reservation_request_within_days, 60);  // R-QM-2
  EXPECT_EQ(s.reservation_notice_days, 7);
  EXPECT_EQ(s.reservation_max_days, 60);
  EXPECT_EQ(s.reservation_reasons.size(), 6u);        // R-QM-1
  EXPECT_EQ(s.postponement_max_days, 14);             // R-QM-4
  EXPECT_EQ(s.refund_not_performed_within_days, 30);  // R-QM-5
  EXPECT_EQ(domain::ClockFor(p, "performance")->target.amount, 30 * 86400);
  auto legal = std::find_if(p.escalations.begin(), p.escalations.end(),
                            [](const auto& e) { return e.key == "legal_authority"; });
  ASSERT_NE(legal, p.escalations.end());  // R-QM-8
  EXPECT_EQ(legal->kind, domain::EscalationKind::kLegalAuthority);
  EXPECT_EQ(p.channels[0].channel, Channel::kPhone);
  EXPECT_EQ(domain::ValidateForm(p, "reservation_request",
                                 {{"invoice_number", "HD-1"},
                                  {"payment_date", "2026-01-05"},
                                  {"reason", "holiday"},
                                  {"new_date", "2026-02-20"}})
                .error()
                .field,
            "reason");
}

}  // namespace
}  // namespace ombud::app
