#include "domain/time/calendar.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace ombud::domain {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

Instant T(const char* text) {
  auto t = ParseInstant(text);
  EXPECT_TRUE(t) << text;
  return *t;
}
std::string S(const Result<Instant>& r) { return r ? FormatInstant(*r) : r.error().message; }

std::vector<TimeOfDayRange> Hours(std::initializer_list<const char*> ranges) {
  std::vector<TimeOfDayRange> out;
  for (const char* r : ranges) out.push_back(*ParseTimeOfDayRange(r));
  return out;
}

constexpr CalendarOptions kRange{2020, 2030};

// Office hours of 002 (R-CSP-2): 08:00-12:00 and 13:30-16:30, Monday to Friday.
CalendarSpec OfficeSpec(std::string zone = "Asia/Ho_Chi_Minh") {
  CalendarSpec spec;
  spec.timezone = std::move(zone);
  for (int d = 0; d < 5; ++d) spec.weekly[d] = Hours({"08:00-12:00", "13:30-16:30"});
  return spec;
}

Calendar Compile(const CalendarSpec& spec, CalendarOptions options = kRange) {
  auto cal = Calendar::Compile(spec, options);
  EXPECT_TRUE(cal) << (cal ? "" : cal.error().message);
  return std::move(*cal);
}

TEST(Calendar, AddsWorkingMinutesAcrossLunchBreak) {  // R-CSP-2
  Calendar cal = Compile(OfficeSpec());
  // 11:00 ICT + 90 working minutes = 12:00, then 13:30 + 30 min = 14:00 ICT = 07:00Z.
  EXPECT_EQ(S(cal.AddWorkingTime(T("2026-03-03T04:00:00Z"), minutes{90})), "2026-03-03T07:00:00Z");
}

TEST(Calendar, StartInsideBreakOrOutsideHoursCountsFromNextOpening) {
  Calendar cal = Compile(OfficeSpec());
  // 12:30 ICT (in the lunch break) + 30 min -> 14:00 ICT.
  EXPECT_EQ(S(cal.AddWorkingTime(T("2026-03-03T05:30:00Z"), minutes{30})), "2026-03-03T07:00:00Z");
  // Saturday + 1 h -> Monday 09:00 ICT.
  EXPECT_EQ(S(cal.AddWorkingTime(T("2026-03-07T03:00:00Z"), hours{1})), "2026-03-09T02:00:00Z");
}

TEST(Calendar, ZeroDurationIsIdentity) {
  Calendar cal = Compile(OfficeSpec());
  Instant sat = T("2026-03-07T03:00:00Z");
  EXPECT_EQ(*cal.AddWorkingTime(sat, seconds{0}), sat);
  EXPECT_EQ(*cal.AddWorkingDays(sat, 0), sat);
  EXPECT_EQ(cal.WorkingTimeBetween(sat, sat)->count(), 0);
}

TEST(Calendar, DueOnClosingInstantFollowsConvention) {
  CalendarSpec spec = OfficeSpec();
  Calendar closing = Compile(spec);
  // 16:00 ICT + 30 min lands exactly on 16:30: the closing instant by default...
  EXPECT_EQ(S(closing.AddWorkingTime(T("2026-03-03T09:00:00Z"), minutes{30})),
            "2026-03-03T09:30:00Z");
  // ...or the next opening, 08:00 ICT the next day.
  spec.due_at_close = DueAtClose::kNextOpening;
  Calendar next = Compile(spec);
  EXPECT_EQ(S(next.AddWorkingTime(T("2026-03-03T09:00:00Z"), minutes{30})), "2026-03-04T01:00:00Z");
  EXPECT_EQ(S(next.AddWorkingDays(T("2026-03-03T09:00:00Z"), 1)), "2026-03-05T01:00:00Z");
  // Subtraction never lands on a closing instant: 08:00 minus 0 < x, 08:30 - 30 min = 08:00.
  EXPECT_EQ(S(closing.AddWorkingTime(T("2026-03-04T01:30:00Z"), -minutes{30})),
            "2026-03-04T01:00:00Z");
  EXPECT_EQ(S(closing.AddWorkingTime(T("2026-03-04T01:30:00Z"), -minutes{31})),
            "2026-03-03T09:29:00Z");
}

// R-VIE-2: acknowledge within 3 working days of receipt; Tết 2026 (16-20/2) is skipped.
TEST(Calendar, VieonAcknowledgementSkipsTet2026) {
  CalendarSpec spec = OfficeSpec();
  spec.country_holidays = Country::kVietnam;
  Calendar cal = Compile(spec);
  Instant receipt = T("2026-02-13T08:00:00Z");  // Friday 15:00 ICT.
  EXPECT_EQ(S(cal.AddWorkingDays(receipt, 3)), "2026-02-25T09:30:00Z");
  // R-MET-7 shape on the same calendar: 10 working days -> Friday 2026-03-06 16:30 ICT.
  EXPECT_EQ(S(cal.AddWorkingDays(receipt, 10)), "2026-03-06T09:30:00Z");
  // R-VIE-3: negotiate within 7 working days of the request.
  EXPECT_EQ(S(cal.AddWorkingDays(T("2026-04-24T02:00:00Z"), 7)), "2026-05-08T09:30:00Z");
  auto skipped = cal.SkippedHolidays(Date{std::chrono::year{2026} / 2 / 13},
                                     Date{std::chrono::year{2026} / 3 / 6});
  EXPECT_EQ(skipped.size(), 5u);
}

// R-MET-7 / R-MET-2 in Phnom Penh: Khmer New Year 2024 (13-16/4) is skipped.
TEST(Calendar, MetfoneReplyDeadlineSkipsKhmerNewYear) {
  CalendarSpec spec;
  spec.timezone = "Asia/Phnom_Penh";
  for (int d = 0; d < 5; ++d) spec.weekly[d] = Hours({"08:00-17:00"});
  spec.country_holidays = Country::kCambodia;
  Calendar cal = Compile(spec);
  Instant receipt = T("2024-04-10T03:00:00Z");                            // Wednesday 10:00 ICT.
  EXPECT_EQ(S(cal.AddWorkingDays(receipt, 10)), "2024-04-26T10:00:00Z");  // R-MET-7
  EXPECT_EQ(S(cal.AddWorkingDays(receipt, 7)), "2024-04-23T10:00:00Z");   // R-MET-2
}

TEST(Calendar, WorkingDayRuleOptions) {
  Calendar cal = Compile(OfficeSpec());
  Instant morning = T("2026-03-03T02:00:00Z");  // Tuesday 09:00 ICT.
  WorkingDayRule end_of_day{WorkingDayEnd::kEndOfCalendarDay, std::nullopt};
  EXPECT_EQ(S(cal.AddWorkingDays(morning, 1, end_of_day)), "2026-03-04T17:00:00Z");
  WorkingDayRule cutoff{WorkingDayEnd::kCloseOfDay, 12 * 3600};
  EXPECT_EQ(S(cal.AddWorkingDays(morning, 1, cutoff)), "2026-03-03T09:30:00Z");
  EXPECT_EQ(S(cal.AddWorkingDays(T("2026-03-03T06:00:00Z"), 1, cutoff)), "2026-03-04T09:30:00Z");
  // Received on a Saturday: the first working day after it is Monday.
  EXPECT_EQ(S(cal.AddWorkingDays(T("2026-03-07T03:00:00Z"), 1)), "2026-03-09T09:30:00Z");
  EXPECT_EQ(S(cal.SubtractWorkingDays(morning, 1)), "2026-03-02T01:00:00Z");
  EXPECT_EQ(S(cal.AddWorkingDays(morning, -1)), "2026-03-02T01:00:00Z");
}

TEST(Calendar, NextOpeningClosingAndIsWorking) {
  Calendar cal = Compile(OfficeSpec());
  EXPECT_EQ(S(cal.NextOpening(T("2026-03-03T05:15:00Z"))), "2026-03-03T06:30:00Z");
  EXPECT_EQ(S(cal.NextOpening(T("2026-03-03T04:00:00Z"))), "2026-03-03T04:00:00Z");
  EXPECT_EQ(S(cal.NextOpening(T("2026-03-06T09:30:00Z"))), "2026-03-09T01:00:00Z");
  EXPECT_EQ(S(cal.NextClosing(T("2026-03-03T04:00:00Z"))), "2026-03-03T05:00:00Z");
  EXPECT_TRUE(*cal.IsWorkingTime(T("2026-03-03T01:00:00Z")));
  EXPECT_FALSE(*cal.IsWorkingTime(T("2026-03-03T05:00:00Z")));
}

TEST(Calendar, HolidaysReplacementHoursBreaksAndMakeUpDays) {
  CalendarSpec spec = OfficeSpec();
  spec.holidays.push_back({*ParseDate("2026-03-04"), *ParseDate("2026-03-04"), "founders"});
  spec.hours_on[*ParseDate("2026-03-07")] = Hours({"08:00-12:00"});  // Opens a Saturday.
  spec.breaks_on[*ParseDate("2026-03-02")] = Hours({"10:00-11:30"});
  Calendar cal = Compile(spec);
  EXPECT_FALSE(cal.IsWorkingDay(*ParseDate("2026-03-04")));
  EXPECT_EQ(cal.HolidayName(*ParseDate("2026-03-04")).value_or(""), "founders");
  EXPECT_TRUE(cal.IsWorkingDay(*ParseDate("2026-03-07")));
  // Monday 2026-03-02: 7 h minus the 1.5 h break.
  EXPECT_EQ(cal.WorkingTimeBetween(T("2026-03-01T17:00:00Z"), T("2026-03-02T17:00:00Z"))->count(),
            static_cast<int64_t>(5.5 * 3600));
  // Thursday 16:00 + 1 h: 30 min Thursday, Friday, ... -> Friday 08:30.
  EXPECT_EQ(S(cal.AddWorkingTime(T("2026-03-05T09:00:00Z"), hours{1})), "2026-03-06T01:30:00Z");
  // Friday 16:00 + 1 h -> the opened Saturday 08:30.
  EXPECT_EQ(S(cal.AddWorkingTime(T("2026-03-06T09:00:00Z"), hours{1})), "2026-03-07T01:30:00Z");
}

TEST(Calendar, VietnamMakeUpSaturdayWorksTheSwappedDay) {
  CalendarSpec spec = OfficeSpec();
  spec.country_holidays = Country::kVietnam;
  Calendar cal = Compile(spec);
  EXPECT_TRUE(cal.IsWorkingDay(*ParseDate("2025-04-26")));   // Saturday, swapped with 2/5.
  EXPECT_FALSE(cal.IsWorkingDay(*ParseDate("2025-05-02")));  // Friday off.
}

TEST(Calendar, DepartmentInheritsCompanyCalendar) {
  CalendarSpec company = OfficeSpec();
  company.country_holidays = Country::kVietnam;
  CalendarSpec technical;
  technical.weekly[5] = Hours({"08:00-12:00"});
  technical.not_holidays.push_back({*ParseDate("2026-02-16"), *ParseDate("2026-02-16"), ""});
  Calendar cal = Compile(InheritCalendar(company, technical));
  EXPECT_EQ(cal.zone().name(), "Asia/Ho_Chi_Minh");
  EXPECT_TRUE(cal.IsWorkingDay(*ParseDate("2026-03-07")));   // Saturday opened.
  EXPECT_TRUE(cal.IsWorkingDay(*ParseDate("2026-02-16")));   // Holiday removed.
  EXPECT_FALSE(cal.IsWorkingDay(*ParseDate("2026-02-17")));  // Tết inherited.
}

TEST(Calendar, AlwaysOpenCalendar) {  // R-CSP-2 technical assistance, R-CSP-3
  Calendar cal = Compile(AlwaysOpenSpec("Asia/Ho_Chi_Minh"));
  Instant t = T("2026-02-16T23:59:59Z");
  EXPECT_EQ(*cal.AddWorkingTime(t, hours{24}), t + hours{24});
  EXPECT_EQ(cal.WorkingTimeBetween(t, t + hours{24 * 7})->count(), 7 * 86400);
  // One working day = to the end of tomorrow's local day.
  EXPECT_EQ(S(cal.AddWorkingDays(T("2026-02-16T03:00:00Z"), 1)), "2026-02-17T17:00:00Z");
}

TEST(Calendar, EuropeBerlinDstTransitions) {
  CalendarSpec spec = AlwaysOpenSpec("Europe/Berlin");
  Calendar cal = Compile(spec);
  // The local day of 2024-03-31 has 23 hours, 2024-10-27 has 25.
  EXPECT_EQ(cal.WorkingTimeBetween(T("2024-03-30T23:00:00Z"), T("2024-03-31T22:00:00Z"))->count(),
            23 * 3600);
  EXPECT_EQ(S(cal.AddWorkingDays(T("2024-03-30T12:00:00Z"), 1)), "2024-03-31T22:00:00Z");
  EXPECT_EQ(S(cal.AddWorkingDays(T("2024-10-26T12:00:00Z"), 1)), "2024-10-27T23:00:00Z");
  // A night shift 00:00-06:00 local works 5 h in spring and 7 h in autumn.
  CalendarSpec night;
  night.timezone = "Europe/Berlin";
  night.weekly[6] = Hours({"00:00-06:00"});
  Calendar n = Compile(night);
  EXPECT_EQ(n.WorkingTimeBetween(T("2024-03-30T00:00:00Z"), T("2024-04-01T00:00:00Z"))->count(),
            5 * 3600);
  EXPECT_EQ(n.WorkingTimeBetween(T("2024-10-26T00:00:00Z"), T("2024-10-28T00:00:00Z"))->count(),
            7 * 3600);
  // Hours that start inside the spring gap (02:30) open when the gap ends (03:00 CEST).
  CalendarSpec gap;
  gap.timezone = "Europe/Berlin";
  gap.weekly[6] = Hours({"02:30-04:00"});
  EXPECT_EQ(S(Compile(gap).NextOpening(T("2024-03-31T00:00:00Z"))), "2024-03-31T01:00:00Z");
}

TEST(Calendar, AmericaNewYorkDstTransitions) {
  CalendarSpec spec;
  spec.timezone = "America/New_York";
  for (int d = 0; d < 5; ++d) spec.weekly[d] = Hours({"09:00-17:00"});
  Calendar cal = Compile(spec);
  // Friday 2024-03-08 16:00 EST + 2 h -> Monday 10:00 EDT (14:00Z).
  EXPECT_EQ(S(cal.AddWorkingTime(T("2024-03-08T21:00:00Z"), hours{2})), "2024-03-11T14:00:00Z");
  EXPECT_EQ(S(cal.AddWorkingDays(T("2024-03-08T21:00:00Z"), 1)), "2024-03-11T21:00:00Z");
  EXPECT_EQ(S(cal.AddWorkingDays(T("2024-11-01T15:00:00Z"), 1)), "2024-11-04T22:00:00Z");
  EXPECT_EQ(cal.WorkingTimeBetween(T("2024-03-04T00:00:00Z"), T("2024-03-16T00:00:00Z"))->count(),
            10 * 8 * 3600);
}

TEST(Calendar, ShiftsCrossingMidnight) {
  CalendarSpec spec;
  spec.timezone = "Asia/Ho_Chi_Minh";
  spec.weekly[5] = Hours({"22:00-06:00"});  // Saturday night into Sunday.
  spec.weekly[6] = Hours({"00:00-24:00"});  // Overlaps the shift: merged.
  Calendar cal = Compile(spec);
  // Saturday 2026-03-07 22:00 ICT = 15:00Z to Monday 00:00 ICT = Sunday 17:00Z: 26 h.
  EXPECT_EQ(cal.WorkingTimeBetween(T("2026-03-07T00:00:00Z"), T("2026-03-09T00:00:00Z"))->count(),
            26 * 3600);
  CalendarSpec only_night;
  only_night.timezone = "Asia/Ho_Chi_Minh";
  only_night.weekly[5] = Hours({"22:00-06:00"});
  Calendar night = Compile(only_night);
  Instant sunday_3am = T("2026-03-07T20:00:00Z");
  EXPECT_TRUE(*night.IsWorkingTime(sunday_3am));
  EXPECT_EQ(FormatDate(*night.ReceiptDay(sunday_3am)), "2026-03-07");  // Saturday's shift.
  // Received in Saturday's shift: the next working day is the following Saturday.
  EXPECT_EQ(S(night.AddWorkingDays(sunday_3am, 1)), "2026-03-14T23:00:00Z");
  EXPECT_EQ(S(night.AddWorkingTime(sunday_3am, hours{4})), "2026-03-14T16:00:00Z");
  // A break on Sunday 01:00-02:00 cuts Saturday's shift.
  only_night.breaks_on[*ParseDate("2026-03-08")] = Hours({"01:00-02:00"});
  Calendar cut = Compile(only_night);
  EXPECT_EQ(cut.WorkingTimeBetween(T("2026-03-07T00:00:00Z"), T("2026-03-08T12:00:00Z"))->count(),
            7 * 3600);
}

TEST(Calendar, PausesStopTheClock) {
  Calendar cal = Compile(OfficeSpec());
  Instant start = T("2026-03-03T01:00:00Z");  // 08:00 ICT.
  std::vector<Pause> pauses = {{T("2026-03-03T02:00:00Z"), T("2026-03-03T03:00:00Z")}};
  EXPECT_EQ(S(cal.AddWorkingTime(start, hours{2}, pauses)), "2026-03-03T04:00:00Z");
  EXPECT_EQ(cal.WorkingTimeBetween(start, T("2026-03-03T04:00:00Z"), pauses)->count(), 2 * 3600);
  // Due exactly at the pause start stays there.
  EXPECT_EQ(S(cal.AddWorkingTime(start, hours{1}, pauses)), "2026-03-03T02:00:00Z");
  // Overlapping and unsorted pauses.
  std::vector<Pause> messy = {{T("2026-03-03T02:30:00Z"), T("2026-03-03T03:30:00Z")},
                              {T("2026-03-03T02:00:00Z"), T("2026-03-03T03:00:00Z")}};
  EXPECT_EQ(S(cal.AddWorkingTime(start, hours{2}, messy)), "2026-03-03T04:30:00Z");
}

TEST(Calendar, RejectsBadInputAndOutOfRange) {
  CalendarSpec spec = OfficeSpec("Mars/Olympus_Mons");
  EXPECT_FALSE(Calendar::Compile(spec, kRange));
  spec.timezone.clear();
  EXPECT_FALSE(Calendar::Compile(spec, kRange));
  Calendar cal = Compile(OfficeSpec());
  EXPECT_FALSE(cal.AddWorkingTime(T("2019-01-01T00:00:00Z"), hours{1}));
  EXPECT_FALSE(cal.AddWorkingDays(T("2030-12-30T00:00:00Z"), 10));
}

// Deterministic pseudo-random instants and durations.
struct Lcg {
  uint64_t state = 0x9e3779b97f4a7c15ULL;
  uint64_t Next() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 17;
  }
};

class CalendarProperty : public testing::TestWithParam<const char*> {};

TEST_P(CalendarProperty, AddThenBetweenGivesBackTheDurationAndIsMonotonic) {
  CalendarSpec spec = OfficeSpec(GetParam());
  spec.weekly[5] = Hours({"22:00-06:00"});
  spec.country_holidays = Country::kVietnam;
  spec.breaks_on[*ParseDate("2024-03-12")] = Hours({"09:00-10:00"});
  Calendar cal = Compile(spec);
  Lcg rng;
  const int64_t base = T("2024-01-01T00:00:00Z").time_since_epoch().count();
  for (int i = 0; i < 3000; ++i) {
    Instant t{seconds{base + static_cast<int64_t>(rng.Next() % (3 * 365 * 86400ULL))}};
    seconds d{static_cast<int64_t>(rng.Next() % (200 * 3600))};
    auto r = cal.AddWorkingTime(t, d);
    ASSERT_TRUE(r);
    ASSERT_GE(*r, t);
    ASSERT_EQ(*cal.WorkingTimeBetween(t, *r), d) << FormatInstant(t) << " + " << d.count();
    auto r2 = cal.AddWorkingTime(t, d + seconds{1});
    ASSERT_GT(*r2, *r);
    auto back = cal.AddWorkingTime(*r, -d);
    ASSERT_TRUE(back);
    ASSERT_LE(*back, *r);
    ASSERT_EQ(*cal.WorkingTimeBetween(*back, *r), d);
    const int n = static_cast<int>(rng.Next() % 30) + 1;
    auto due = cal.AddWorkingDays(t, n);
    auto due_next = cal.AddWorkingDays(t, n + 1);
    ASSERT_TRUE(due && due_next);
    ASSERT_LT(*due, *due_next);
    ASSERT_GT(*due, t);
  }
}

INSTANTIATE_TEST_SUITE_P(Zones, CalendarProperty,
                         testing::Values("Asia/Ho_Chi_Minh", "Europe/Berlin", "America/New_York"));

}  // namespace
}  // namespace ombud::domain
