#include "domain/time/holidays.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace ombud::domain {
namespace {

std::set<std::string> DaysOff(Country country, int year, bool decisions = true) {
  auto result = PublicHolidays(country, year, decisions);
  EXPECT_TRUE(result);
  std::set<std::string> out;
  for (const Holiday& h : result->days_off) out.insert(FormatDate(h.date));
  return out;
}

// Vietnam 2024, weekdays off as announced: Tết 8-14/2 (MOLISA notice on Tết Giáp Thìn,
// approved by the Prime Minister), Hùng Kings 18/4, 29/4 (swapped with Saturday 4/5),
// 30/4, 1/5, National Day 2/9 + 3/9.
TEST(VietnamHolidays, Matches2024OfficialList) {
  EXPECT_EQ(
      DaysOff(Country::kVietnam, 2024),
      (std::set<std::string>{"2024-01-01", "2024-02-08", "2024-02-09", "2024-02-10", "2024-02-11",
                             "2024-02-12", "2024-02-13", "2024-02-14", "2024-04-18", "2024-04-29",
                             "2024-04-30", "2024-05-01", "2024-09-02", "2024-09-03"}));
  auto year = PublicHolidays(Country::kVietnam, 2024);
  ASSERT_EQ(year->working_days.size(), 1u);
  EXPECT_EQ(FormatDate(year->working_days[0].date), "2024-05-04");
}

// Vietnam 2025: Tết 27-31/1 (25/1-2/2 with weekends), Hùng Kings 7/4, 30/4, 1/5, 2/5
// (swapped with Saturday 26/4), National Day 1/9 + 2/9.
TEST(VietnamHolidays, Matches2025OfficialList) {
  EXPECT_EQ(DaysOff(Country::kVietnam, 2025),
            (std::set<std::string>{"2025-01-01", "2025-01-27", "2025-01-28", "2025-01-29",
                                   "2025-01-30", "2025-01-31", "2025-04-07", "2025-04-30",
                                   "2025-05-01", "2025-05-02", "2025-09-01", "2025-09-02"}));
}

// Vietnam 2026 by rule: Tết Bính Ngọ 16-20/2 (the announced 14-22/2 with weekends),
// Hùng Kings 26/4 is a Sunday -> substitute Monday 27/4 (Labour Code 2019 art. 112(3)).
TEST(VietnamHolidays, Computes2026ByRule) {
  EXPECT_EQ(DaysOff(Country::kVietnam, 2026),
            (std::set<std::string>{"2026-01-01", "2026-02-16", "2026-02-17", "2026-02-18",
                                   "2026-02-19", "2026-02-20", "2026-04-26", "2026-04-27",
                                   "2026-04-30", "2026-05-01", "2026-09-01", "2026-09-02"}));
}

// 2023: 1/1 on Sunday -> 2/1; Hùng Kings 29/4 (Sat) and 30/4 (Sun) -> 2/5 and 3/5;
// National Day 2/9 (Sat) with 1/9 and substitute 4/9 -- as the 2023 notices gave.
TEST(VietnamHolidays, SubstitutesWeekendHolidays2023) {
  std::set<std::string> off = DaysOff(Country::kVietnam, 2023);
  for (const char* d : {"2023-01-02", "2023-05-02", "2023-05-03", "2023-09-01", "2023-09-04"}) {
    EXPECT_TRUE(off.contains(d)) << d;
  }
}

TEST(VietnamHolidays, RuleSetsFollowTheLabourCodes) {
  // Before 2007 no Hùng Kings' day; before 2014 Tết has four days; before 2021 one day 2/9.
  auto y2005 = DaysOff(Country::kVietnam, 2005, false);
  EXPECT_FALSE(y2005.contains("2005-04-18"));
  auto y2012 = PublicHolidays(Country::kVietnam, 2012, false);
  int tet = 0;
  for (const Holiday& h : y2012->days_off) {
    tet += h.name.starts_with("Tết Nguyên") && !h.substitute ? 1 : 0;
  }
  EXPECT_EQ(tet, 4);  // 2012-01-22..25; Sunday 22/1 adds a substitute day 26/1.
  auto y2020 = DaysOff(Country::kVietnam, 2020);
  EXPECT_TRUE(y2020.contains("2020-09-02"));
  EXPECT_FALSE(y2020.contains("2020-09-01"));
  EXPECT_FALSE(y2020.contains("2020-09-03"));
  EXPECT_FALSE(PublicHolidays(Country::kVietnam, 1999));
  EXPECT_FALSE(PublicHolidays(Country::kVietnam, 2101));
}

// Cambodia 2017 (28 days): Sub-decree 223 ANKr.BK and MoLVT Prakas 466 -- the lunar days
// Meak Bochea 11/2, Khmer New Year 14-16/4, Visak Bochea 10/5, Royal Ploughing 14/5.
TEST(CambodiaHolidays, Matches2017SubDecree) {
  std::set<std::string> off = DaysOff(Country::kCambodia, 2017);
  for (const char* d : {"2017-01-07", "2017-02-11", "2017-03-08", "2017-04-14", "2017-04-15",
                        "2017-04-16", "2017-05-10", "2017-05-13", "2017-05-14", "2017-05-15",
                        "2017-06-01", "2017-09-19", "2017-09-20", "2017-09-21", "2017-10-23",
                        "2017-11-02", "2017-11-03", "2017-11-04", "2017-12-10"}) {
    EXPECT_TRUE(off.contains(d)) << d;
  }
}

// Cambodia 2024 (sub-decree for 2024): KNY 13-16/4 (two Vanabat days), Visak Bochea 22/5,
// Royal Ploughing 26/5, Pchum Ben 1-3/10, Water Festival 14-16/11, Peace Day 29/12.
TEST(CambodiaHolidays, Matches2024SubDecree) {
  EXPECT_EQ(DaysOff(Country::kCambodia, 2024),
            (std::set<std::string>{
                "2024-01-01", "2024-01-07", "2024-03-08", "2024-04-13", "2024-04-14", "2024-04-15",
                "2024-04-16", "2024-05-01", "2024-05-14", "2024-05-22", "2024-05-26", "2024-06-18",
                "2024-09-24", "2024-10-01", "2024-10-02", "2024-10-03", "2024-10-15", "2024-10-29",
                "2024-11-09", "2024-11-14", "2024-11-15", "2024-11-16", "2024-12-29"}));
}

// Cambodia 2025: KNY 14-16/4, Visak Bochea 11/5, Royal Ploughing 15/5, Pchum Ben 21-23/9,
// Water Festival 4-6/11; no Sunday substitutes since the 2021 Labour Law amendment.
TEST(CambodiaHolidays, Matches2025SubDecree) {
  std::set<std::string> off = DaysOff(Country::kCambodia, 2025);
  for (const char* d :
       {"2025-04-14", "2025-04-15", "2025-04-16", "2025-05-11", "2025-05-15", "2025-09-21",
        "2025-09-22", "2025-09-23", "2025-11-04", "2025-11-05", "2025-11-06"}) {
    EXPECT_TRUE(off.contains(d)) << d;
  }
  EXPECT_FALSE(off.contains("2025-05-12"));  // Visak Bochea on Sunday 11/5: no substitute.
  EXPECT_EQ(off.size(), 22u);
}

// 2023: Visak Bochea 4/5, Royal Ploughing 8/5, Pchum Ben 13-15/10, Water Festival 26-28/11.
TEST(CambodiaHolidays, LunarDays2023) {
  std::set<std::string> off = DaysOff(Country::kCambodia, 2023);
  for (const char* d : {"2023-04-14", "2023-04-16", "2023-05-04", "2023-05-08", "2023-10-13",
                        "2023-10-14", "2023-10-15", "2023-11-26", "2023-11-27", "2023-11-28"}) {
    EXPECT_TRUE(off.contains(d)) << d;
  }
}

TEST(CambodiaHolidays, KhmerNewYear2020MovedByDecision) {
  std::set<std::string> off = DaysOff(Country::kCambodia, 2020);
  EXPECT_FALSE(off.contains("2020-04-13"));
  EXPECT_TRUE(off.contains("2020-08-17"));
  EXPECT_TRUE(DaysOff(Country::kCambodia, 2020, false).contains("2020-04-13"));
}

TEST(Holidays, EveryYearComputes) {
  for (int y = kFirstHolidayYear; y <= kLastHolidayYear; ++y) {
    for (Country c : {Country::kVietnam, Country::kCambodia}) {
      auto r = PublicHolidays(c, y);
      ASSERT_TRUE(r) << y;
      EXPECT_GE(r->days_off.size(), c == Country::kVietnam ? 8u : 18u) << y;
      for (const Holiday& h : r->days_off) {
        EXPECT_EQ(static_cast<int>(std::chrono::year_month_day{h.date}.year()), y)
            << FormatDate(h.date) << " " << h.name;
      }
    }
  }
}

}  // namespace
}  // namespace ombud::domain
