#pragma once

#include "domain/time/time_format.hpp"

namespace ombud::domain {

// A date of the East-Asian lunisolar calendar (month 1..12, leap marks the intercalary
// month that repeats `month`). `year` is the Gregorian year in which the lunar year starts.
struct LunarDate {
  int day = 1;
  int month = 1;
  int year = 2000;
  bool leap = false;
  friend bool operator==(const LunarDate&, const LunarDate&) = default;
};

// Time zones the lunisolar calendar is computed for: Vietnam uses UTC+7 (since 1968),
// China UTC+8. The same astronomical rule at a different meridian moves new moons that
// fall between 16:00 and 17:00 UTC to another day (Tết 2007, 1985).
inline constexpr double kVietnamLunarZone = 7.0;
inline constexpr double kChinaLunarZone = 8.0;

// Gregorian -> lunar and back, by the astronomical rule (new moon starts a month, the
// month containing the December solstice is month 11, a 13-month year repeats the first
// month without a major solar term). Mean lunation and solar longitude after Meeus,
// "Astronomical Algorithms", as arranged by Hồ Ngọc Đức for the Vietnamese calendar;
// exact for 1800..2199. Pure.
LunarDate SolarToLunar(Date date, double zone_hours = kVietnamLunarZone);
// kInvalidArgument when the date does not exist (day 30 of a short month, a leap month
// the year does not have).
[[nodiscard]] Result<Date> LunarToSolar(const LunarDate& lunar,
                                        double zone_hours = kVietnamLunarZone);
// First day of the lunar year starting in Gregorian `year` (Tết / Chinese New Year).
Date LunarNewYear(int year, double zone_hours = kVietnamLunarZone);

}  // namespace ombud::domain
