#include "domain/time/lunar_calendar.hpp"

#include <gtest/gtest.h>
#include <unicode/calendar.h>
#include <unicode/gregocal.h>
#include <unicode/locid.h>

#include <memory>
#include <vector>

namespace ombud::domain {
namespace {

Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}};
}

// Vietnamese Tết as published in the Vietnamese lunar calendar (lịch âm Việt Nam,
// UTC+7) and in the Government's yearly Tết notices.
TEST(LunarCalendar, VietnameseTetDates) {
  const std::pair<int, Date> kTet[] = {
      {2000, D(2000, 2, 5)},  {2001, D(2001, 1, 24)}, {2004, D(2004, 1, 22)},
      {2007, D(2007, 2, 17)}, {2008, D(2008, 2, 7)},  {2010, D(2010, 2, 14)},
      {2013, D(2013, 2, 10)}, {2015, D(2015, 2, 19)}, {2017, D(2017, 1, 28)},
      {2019, D(2019, 2, 5)},  {2020, D(2020, 1, 25)}, {2021, D(2021, 2, 12)},
      {2022, D(2022, 2, 1)},  {2023, D(2023, 1, 22)}, {2024, D(2024, 2, 10)},
      {2025, D(2025, 1, 29)}, {2026, D(2026, 2, 17)}, {2027, D(2027, 2, 6)},
      {2030, D(2030, 2, 2)},  // China: 2030-02-03 (new moon 16:07 UTC).
  };
  for (const auto& [year, date] : kTet) {
    EXPECT_EQ(FormatDate(LunarNewYear(year)), FormatDate(date)) << year;
  }
}

// The new moons of 2007-02-17 and 1985-01-21 fall between 16:00 and 17:00 UTC: the same
// day at UTC+7, the next day at UTC+8. Vietnam celebrated Tết a day (1985: a month) earlier.
TEST(LunarCalendar, VietnamDiffersFromChinaWhereTheMeridianMatters) {
  EXPECT_EQ(FormatDate(LunarNewYear(2007, kVietnamLunarZone)), "2007-02-17");
  EXPECT_EQ(FormatDate(LunarNewYear(2007, kChinaLunarZone)), "2007-02-18");
  EXPECT_EQ(FormatDate(LunarNewYear(1985, kVietnamLunarZone)), "1985-01-21");
  EXPECT_EQ(FormatDate(LunarNewYear(1985, kChinaLunarZone)), "1985-02-20");
}

TEST(LunarCalendar, HungKingsDay) {
  EXPECT_EQ(FormatDate(*LunarToSolar({10, 3, 2024, false})), "2024-04-18");
  EXPECT_EQ(FormatDate(*LunarToSolar({10, 3, 2025, false})), "2025-04-07");
  EXPECT_EQ(FormatDate(*LunarToSolar({10, 3, 2026, false})), "2026-04-26");
}

TEST(LunarCalendar, RoundTripsEveryDay) {
  for (Date d = D(2000, 1, 1); d < D(2101, 1, 1); d += std::chrono::days{7}) {
    LunarDate l = SolarToLunar(d);
    auto back = LunarToSolar(l);
    ASSERT_TRUE(back) << FormatDate(d);
    ASSERT_EQ(*back, d) << FormatDate(d);
  }
  EXPECT_FALSE(LunarToSolar({1, 1, 2024, true}));
}

// ICU's Chinese calendar is computed for UTC+8: at that meridian our rule must agree with
// it on every lunar new year 2000..2100, except where ICU's coarser astronomy misplaces a
// new moon within minutes of midnight: 2027 (new moon 15:56 UTC, Hong Kong Observatory
// gives 2027-02-06) and 2030 (16:07 UTC, HKO gives 2030-02-03). There we follow HKO.
TEST(LunarCalendar, MatchesIcuChineseCalendarAtUtcPlus8) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::Calendar> chinese(icu::Calendar::createInstance(
      icu::TimeZone::getGMT()->clone(), icu::Locale("en@calendar=chinese"), status));
  ASSERT_TRUE(U_SUCCESS(status));
  std::vector<int> differ;
  for (int year = 2000; year <= 2100; ++year) {
    Date ours = LunarNewYear(year, kChinaLunarZone);
    const double ms = static_cast<double>(ours.time_since_epoch().count()) * 86400000.0;
    chinese->setTime(ms, status);
    ASSERT_TRUE(U_SUCCESS(status));
    if (chinese->get(UCAL_MONTH, status) != 0 || chinese->get(UCAL_DATE, status) != 1) {
      differ.push_back(year);
    }
  }
  EXPECT_EQ(differ, (std::vector<int>{2027, 2030}));
  EXPECT_EQ(FormatDate(LunarNewYear(2027, kChinaLunarZone)), "2027-02-06");
  EXPECT_EQ(FormatDate(LunarNewYear(2030, kChinaLunarZone)), "2030-02-03");
}

}  // namespace
}  // namespace ombud::domain
