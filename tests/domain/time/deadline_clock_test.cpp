#include "domain/time/deadline_clock.hpp"

#include <gtest/gtest.h>

namespace ombud::domain {
namespace {

using std::chrono::hours;

Instant T(const char* text) { return *ParseInstant(text); }

CalendarSpec VietnamOffice() {
  CalendarSpec spec;
  spec.timezone = "Asia/Ho_Chi_Minh";
  for (int d = 0; d < 5; ++d) {
    spec.weekly[d] = {*ParseTimeOfDayRange("08:00-12:00"), *ParseTimeOfDayRange("13:30-16:30")};
  }
  spec.country_holidays = Country::kVietnam;
  return spec;
}

Calendar Compile(const CalendarSpec& spec) {
  return std::move(*Calendar::Compile(spec, {2024, 2028}));
}

ClockDefinition Reply() {  // R-MET-7 shape: 10 working days from receipt.
  ClockDefinition def;
  def.name = "reply";
  def.start_event = "receipt";
  def.stop_event = "answered";
  def.target = {TargetUnit::kWorkingDays, 10};
  def.pause_events = {"waiting_for_customer"};
  def.warnings = {{80, std::nullopt}, {std::nullopt, hours{1}}};
  return def;
}

TEST(DeadlineClock, StartsWithDueTimeAndRuleText) {
  Calendar cal = Compile(VietnamOffice());
  auto clock = StartClock(Reply(), cal, T("2026-02-13T02:00:00Z"));
  ASSERT_TRUE(clock);
  EXPECT_EQ(FormatInstant(*clock->due_at), "2026-03-06T09:30:00Z");
  EXPECT_EQ(clock->state, ClockState::kRunning);
  EXPECT_NE(clock->rule_text.find("10 working days from receipt on 2026-02-13 09:00"),
            std::string::npos)
      << clock->rule_text;
  EXPECT_NE(clock->rule_text.find("2026-03-06 16:30"), std::string::npos) << clock->rule_text;
  EXPECT_NE(clock->rule_text.find("skipped Tết Nguyên Đán 2026-02-16..2026-02-20"),
            std::string::npos)
      << clock->rule_text;
  ASSERT_EQ(clock->warn_at.size(), 2u);
  EXPECT_EQ(FormatInstant(clock->warn_at[1]), "2026-03-06T08:30:00Z");  // 1 working hour before.
  EXPECT_LT(clock->warn_at[0], *clock->due_at);
}

TEST(DeadlineClock, PauseMovesTheDueTimeByTheWorkingTimeCovered) {
  Calendar cal = Compile(VietnamOffice());
  ClockDefinition def = Reply();
  auto clock = StartClock(def, cal, T("2026-03-02T01:00:00Z"));  // Monday 08:00 ICT.
  ASSERT_TRUE(clock);
  EXPECT_EQ(FormatInstant(*clock->due_at), "2026-03-16T09:30:00Z");
  ASSERT_TRUE(PauseClock(*clock, def, cal, T("2026-03-03T01:00:00Z"), "waiting_for_customer",
                         "asked for invoice", "agent-7"));
  EXPECT_EQ(clock->state, ClockState::kPaused);
  EXPECT_FALSE(clock->due_at);
  // Paused for Tuesday's whole working day (7 h): the due time moves one working day.
  ASSERT_TRUE(ResumeClock(*clock, def, cal, T("2026-03-04T01:00:00Z")));
  EXPECT_EQ(FormatInstant(*clock->due_at), "2026-03-17T09:30:00Z");
  EXPECT_NE(clock->rule_text.find("paused 24h"), std::string::npos) << clock->rule_text;
  ASSERT_TRUE(StopClock(*clock, def, cal, T("2026-03-10T03:00:00Z")));
  EXPECT_EQ(clock->state, ClockState::kMet);
}

TEST(DeadlineClock, RejectsPauseOnEventsTheDefinitionDoesNotAllow) {
  Calendar cal = Compile(VietnamOffice());
  ClockDefinition def = Reply();
  def.pause_events.clear();
  auto clock = StartClock(def, cal, T("2026-03-02T01:00:00Z"));
  auto status =
      PauseClock(*clock, def, cal, T("2026-03-03T01:00:00Z"), "waiting_for_customer", "", "");
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kFailedPrecondition);
}

TEST(DeadlineClock, NumberBlockWithin24CalendarHours) {  // R-SMT-2
  Calendar cal = Compile(VietnamOffice());
  ClockDefinition def;
  def.name = "block_number";
  def.target = {TargetUnit::kCalendarSeconds, 24 * 3600};
  auto clock = StartClock(def, cal, T("2026-02-14T10:00:00Z"));  // During Tết: still counts.
  EXPECT_EQ(FormatInstant(*clock->due_at), "2026-02-15T10:00:00Z");
  EXPECT_EQ(StateAt(*clock, T("2026-02-15T10:00:01Z")), ClockState::kBreached);
  EXPECT_EQ(StateAt(*clock, T("2026-02-15T10:00:00Z")), ClockState::kRunning);
  ASSERT_TRUE(StopClock(*clock, def, cal, T("2026-02-15T11:00:00Z")));
  EXPECT_EQ(clock->state, ClockState::kBreached);
}

TEST(DeadlineClock, ServiceContractCalendarDayClocks) {  // R-QM-2, R-QM-4, R-QM-5, R-CSP-4
  Calendar cal = Compile(VietnamOffice());
  const std::pair<int64_t, const char*> kCases[] = {
      {60 * 86400, "2026-05-02T03:00:00Z"},  // R-QM-2: reserve within 60 days of payment.
      {14 * 86400, "2026-03-17T03:00:00Z"},  // R-QM-4: postpone by at most 2 weeks.
      {30 * 86400, "2026-04-02T03:00:00Z"},  // R-QM-5: refund when not performed in 30 days.
      {7 * 86400, "2026-03-10T03:00:00Z"},   // R-CSP-4: one problem in at most 7 days.
  };
  for (const auto& [amount, due] : kCases) {
    ClockDefinition def;
    def.name = "contract";
    def.target = {TargetUnit::kCalendarSeconds, amount};
    auto clock = StartClock(def, cal, T("2026-03-03T03:00:00Z"));
    EXPECT_EQ(FormatInstant(*clock->due_at), due);
  }
}

TEST(DeadlineClock, WaiveNeedsReason) {
  Calendar cal = Compile(VietnamOffice());
  auto clock = StartClock(Reply(), cal, T("2026-03-02T01:00:00Z"));
  EXPECT_FALSE(WaiveClock(*clock, ""));
  ASSERT_TRUE(WaiveClock(*clock, "force majeure: flood"));  // R-VIE-2 exception.
  EXPECT_EQ(clock->state, ClockState::kWaived);
  EXPECT_FALSE(StopClock(*clock, Reply(), cal, T("2026-03-03T01:00:00Z")));
}

TEST(DeadlineClock, RecomputesOpenClocksWhenTheCalendarChanges) {
  CalendarSpec spec = VietnamOffice();
  Calendar before = Compile(spec);
  ClockDefinition def = Reply();
  std::vector<ClockInstance> clocks;
  for (int i = 0; i < 50; ++i) {
    clocks.push_back(*StartClock(def, before, T("2026-03-02T01:00:00Z") + hours{i}));
  }
  ASSERT_TRUE(WaiveClock(clocks[0], "duplicate"));
  spec.holidays.push_back({*ParseDate("2026-03-10"), *ParseDate("2026-03-10"), "storm"});
  Calendar after = Compile(spec);
  RecomputeSummary summary = RecomputeClocks(clocks, def, after);
  EXPECT_EQ(summary.recomputed, 49u);
  EXPECT_EQ(FormatInstant(*clocks[1].due_at), "2026-03-17T09:30:00Z");
  EXPECT_NE(clocks[1].rule_text.find("storm 2026-03-10"), std::string::npos) << clocks[1].rule_text;
  EXPECT_EQ(FormatInstant(*clocks[0].due_at), "2026-03-16T09:30:00Z");  // Waived: untouched.
}

}  // namespace
}  // namespace ombud::domain
