#include "domain/time/time_format.hpp"

#include <gtest/gtest.h>

namespace ombud::domain {
namespace {

TEST(TimeFormat, ParsesAndFormatsInstants) {
  auto t = ParseInstant("2026-02-13T09:00:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatInstant(*t), "2026-02-13T09:00:00Z");
  EXPECT_EQ(FormatInstant(*ParseInstant("2026-02-13T16:00+07:00")), "2026-02-13T09:00:00Z");
  EXPECT_EQ(FormatInstant(*ParseInstant("2026-02-13T04:00:00-05:00")), "2026-02-13T09:00:00Z");
  EXPECT_FALSE(ParseInstant("2026-02-13 09:00"));
  EXPECT_FALSE(ParseInstant("2026-02-30T09:00:00Z"));
  EXPECT_FALSE(ParseInstant("2026-02-13T25:00:00Z"));
}

TEST(TimeFormat, ParsesTimeRangesIncludingMidnightCrossing) {
  EXPECT_EQ(*ParseTimeOfDayRange("08:00-12:00"), (TimeOfDayRange{8 * 3600, 12 * 3600}));
  EXPECT_EQ(*ParseTimeOfDayRange("22:00-06:00"), (TimeOfDayRange{22 * 3600, 30 * 3600}));
  EXPECT_EQ(*ParseTimeOfDayRange("00:00-24:00"), (TimeOfDayRange{0, 24 * 3600}));
  EXPECT_FALSE(ParseTimeOfDayRange("08:00-08:00"));
  EXPECT_FALSE(ParseTimeOfDayRange("24:00-06:00"));
  EXPECT_FALSE(ParseTimeOfDayRange("8-12"));
}

TEST(TimeFormat, ParsesDateRangesAndWeekdays) {
  auto r = ParseDateRange("2026-02-16..2026-02-20");
  ASSERT_TRUE(r);
  EXPECT_EQ(FormatDate(r->first), "2026-02-16");
  EXPECT_EQ(FormatDate(r->second), "2026-02-20");
  EXPECT_FALSE(ParseDateRange("2026-02-20..2026-02-16"));
  EXPECT_EQ(*ParseWeekday("Sat"), 5);
  EXPECT_EQ(*ParseWeekday("sunday"), 6);
  EXPECT_FALSE(ParseWeekday("someday"));
}

}  // namespace
}  // namespace ombud::domain
