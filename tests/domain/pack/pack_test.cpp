#include "domain/pack/pack.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace ombud::domain {
namespace {

CalendarSpec Office() {
  CalendarSpec spec;
  spec.name = "office";
  spec.timezone = "Asia/Ho_Chi_Minh";
  for (int d = 0; d < 5; ++d) spec.weekly[d] = std::vector<TimeOfDayRange>{{8 * 3600, 17 * 3600}};
  return spec;
}

PackClock Clock(std::string name, std::string start, std::string stop, int64_t days) {
  PackClock c;
  c.definition.name = std::move(name);
  c.definition.start_event = std::move(start);
  c.definition.stop_event = std::move(stop);
  c.definition.target = {TargetUnit::kWorkingDays, days};
  c.definition.calendar = "office";
  return c;
}

// A small consistent pack in the shape of Metfone (seed 000) and the hosting company (002).
Pack SmallPack() {
  Pack p;
  p.id = "small";
  p.name = "Small";
  p.languages = {"en", "vi"};
  p.default_language = "en";
  p.default_calendar = "office";
  p.calendars["office"] = Office();
  p.categories = {{"general", {{"en", "General"}}},
                  {"hosting", {{"en", "Hosting"}}},
                  {"interface", {{"en", "Interface"}}}};
  p.departments = {
      {"support", {{"en", "Customer Support"}}, {"general"}, "", true, {}},
      {"technical", {{"en", "Technical"}}, {"hosting", "interface"}, "", false, {"an"}},
      {"design", {{"en", "Design"}}, {"interface"}, "", false, {}},
  };
  p.routing = {{"general", "support"}, {"hosting", "technical"}, {"interface", "technical"}};
  p.clocks = {Clock("filing_window", "incident", "received", 7),
              Clock("reply", "received", "answered", 10)};
  p.default_clocks = {"filing_window", "reply"};
  Product roaming;
  roaming.key = "roaming";
  roaming.name = {{"en", "Roaming"}};
  roaming.filing_window = ClockTarget{TargetUnit::kWorkingDays, 30};
  roaming.reply_deadline = ClockTarget{TargetUnit::kWorkingDays, 15};
  Product plain;
  plain.key = "plain";
  plain.name = {{"en", "Plain"}};
  p.products = {roaming, plain};
  ComplaintType billing;
  billing.key = "billing";
  billing.name = {{"en", "Billing"}};
  billing.category = "general";
  FormField msisdn{"msisdn", {}, FieldType::kPhone, true, "", {}, std::nullopt, ""};
  FormField date{"incident_date", {}, FieldType::kDate, true, "", {}, std::nullopt, ""};
  FormField charge{"charge", {}, FieldType::kEnum, false, "", {"voice", "data"}, std::nullopt, ""};
  FormField note{"note", {}, FieldType::kString, false, "", {}, 10, ""};
  FormField code{"code", {}, FieldType::kString, false, "", {}, std::nullopt, "^[A-Z]{3}$"};
  FormField paid{"paid", {}, FieldType::kBool, false, "", {}, std::nullopt, ""};
  FormField mail{"mail", {}, FieldType::kEmail, false, "", {}, std::nullopt, ""};
  FormField amount{"amount", {}, FieldType::kNumber, false, "", {}, std::nullopt, ""};
  billing.form = {msisdn, date, charge, note, code, paid, mail, amount};
  p.complaint_types = {billing};
  p.template_variables = StandardTemplateVariables();
  p.channels = {{Channel::kPhone, "888", ""}};
  return p;
}

bool HasIssue(const std::vector<PackIssue>& issues, std::string_view rule,
              std::string_view fragment) {
  return std::any_of(issues.begin(), issues.end(), [&](const PackIssue& i) {
    return i.rule == rule && i.what.find(fragment) != std::string::npos;
  });
}

TEST(Pack, SmallPackIsConsistent) {
  const auto issues = CheckPack(SmallPack());
  for (const PackIssue& i : issues) ADD_FAILURE() << i.path << ": " << i.key << ": " << i.what;
}

// R-MET-3: a form's required fields, named in the error.
TEST(Pack, ValidateFormNamesTheMissingRequiredField_R_MET_3) {
  const Pack p = SmallPack();
  auto s = ValidateForm(p, "billing", {{"msisdn", "+855 97 960 7168"}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.error().field, "incident_date");
  EXPECT_NE(s.error().message.find("required (R-MET-3)"), std::string::npos);
  EXPECT_TRUE(
      ValidateForm(p, "billing", {{"msisdn", "0979607168"}, {"incident_date", "2026-02-13"}}));
}

TEST(Pack, ValidateFormChecksEachFieldType_R_MET_3) {
  const Pack p = SmallPack();
  const FormValues base = {{"msisdn", "0979607168"}, {"incident_date", "2026-02-13"}};
  const std::vector<std::pair<FormValues, std::string>> bad = {
      {{{"msisdn", "call me"}}, "msisdn"}, {{{"incident_date", "2026-02-30"}}, "incident_date"},
      {{{"charge", "sms"}}, "charge"},     {{{"note", "more than ten"}}, "note"},
      {{{"code", "abc"}}, "code"},         {{{"paid", "yes"}}, "paid"},
      {{{"mail", "nobody@"}}, "mail"},     {{{"amount", "12,5"}}, "amount"},
      {{{"colour", "red"}}, "colour"},
  };
  for (const auto& [change, field] : bad) {
    FormValues values = base;
    for (const auto& [k, v] : change) values[k] = v;
    auto s = ValidateForm(p, "billing", values);
    ASSERT_FALSE(s) << field;
    EXPECT_EQ(s.error().field, field);
  }
  FormValues good = base;
  good.insert({{"charge", "data"},
               {"note", "short"},
               {"code", "ABC"},
               {"paid", "true"},
               {"mail", "a@b.kh"},
               {"amount", "-12.50"}});
  EXPECT_TRUE(ValidateForm(p, "billing", good));
  EXPECT_EQ(ValidateForm(p, "nope", base).error().code, ErrorCode::kNotFound);
}

// R-MET-2, R-MET-7: a product's own filing window and reply deadline replace the defaults.
TEST(Pack, ProductOverridesFilingWindowAndReplyDeadline_R_MET_2_R_MET_7) {
  const Pack p = SmallPack();
  EXPECT_EQ(FilingWindowFor(p)->target.amount, 7);
  EXPECT_EQ(ReplyDeadlineFor(p)->target.amount, 10);
  EXPECT_EQ(FilingWindowFor(p, "roaming")->target.amount, 30);
  EXPECT_EQ(ReplyDeadlineFor(p, "roaming")->target.amount, 15);
  EXPECT_EQ(FilingWindowFor(p, "plain")->target.amount, 7);
  EXPECT_EQ(ReplyDeadlineFor(p, "plain")->target.amount, 10);
  EXPECT_EQ(ReplyDeadlineFor(p, "unknown").error().code, ErrorCode::kNotFound);
  auto clocks = TicketClocksFor(p, "billing", "roaming");
  ASSERT_TRUE(clocks);
  ASSERT_EQ(clocks->size(), 2u);
  EXPECT_EQ((*clocks)[1].name, "reply");
  EXPECT_EQ((*clocks)[1].target.amount, 15);
}

// R-CSP-1, R-CSP-8: routing picks one department; scope says who may handle what.
TEST(Pack, RoutingAndScope_R_CSP_1_R_CSP_8) {
  const Pack p = SmallPack();
  EXPECT_EQ((*DepartmentFor(p, "hosting"))->key, "technical");
  EXPECT_EQ(DepartmentFor(p, "cooking").error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(InScope(p, "design", "interface"));
  EXPECT_TRUE(InScope(p, "technical", "interface"));
  EXPECT_FALSE(InScope(p, "design", "hosting"));
  EXPECT_FALSE(InScope(p, "ghost", "hosting"));
  EXPECT_EQ((*OwnerDepartment(p))->key, "support");
  const auto wanted = WantedDepartments(p);
  ASSERT_EQ(wanted.size(), 3u);
  EXPECT_EQ(wanted[1].name, "Technical");
  EXPECT_EQ(wanted[1].scope, (std::vector<std::string>{"hosting", "interface"}));
  EXPECT_EQ(wanted[1].members, (std::vector<std::string>{"an"}));
}

TEST(Pack, CheckFindsBrokenReferencesAndRules) {
  Pack p = SmallPack();
  p.routing["hosting"] = "design";                 // Not in design's scope (R-CSP-8).
  p.routing["general"] = "kitchen";                // Unknown department (R-MET-6).
  p.departments[0].owner = false;                  // No owner (R-MET-4).
  p.clocks[0].definition.stop_event = "answered";  // R-MET-2.
  p.clocks[1].definition.calendar = "nowhere";
  p.categories["orphan"] = {{"en", "Orphan"}};  // Not routed (R-CSP-1).
  const auto issues = CheckPack(p);
  EXPECT_TRUE(HasIssue(issues, "R-CSP-8", "scope lacks it"));
  EXPECT_TRUE(HasIssue(issues, "R-MET-6", "unknown department 'kitchen'"));
  EXPECT_TRUE(HasIssue(issues, "R-MET-4", "found 0"));
  EXPECT_TRUE(HasIssue(issues, "R-MET-2", "expected 'received'"));
  EXPECT_TRUE(HasIssue(issues, "pack", "unknown calendar 'nowhere'"));
  EXPECT_TRUE(HasIssue(issues, "R-CSP-1", "not routed"));
}

TEST(Pack, CheckRejectsAFormWithoutEnumValuesOrWithABadPattern_R_MET_3) {
  Pack p = SmallPack();
  p.complaint_types[0].form[2].values.clear();
  p.complaint_types[0].form[4].pattern = "([";
  const auto issues = CheckPack(p);
  EXPECT_TRUE(HasIssue(issues, "R-MET-3", "needs values"));
  EXPECT_TRUE(HasIssue(issues, "R-MET-3", "not a valid regex"));
}

}  // namespace
}  // namespace ombud::domain
