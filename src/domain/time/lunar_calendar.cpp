#include "domain/time/lunar_calendar.hpp"

#include <fmt/format.h>
#include <cmath>
#include <numbers>

namespace ombud::domain {
namespace {

constexpr double kPi = std::numbers::pi;
// Julian day number of the 1900-01-01 new moon epoch used by the lunation count.
constexpr double kNewMoonEpoch = 2415021.076998695;
constexpr double kSynodicMonth = 29.530588853;

int64_t Floor(double x) { return static_cast<int64_t>(std::floor(x)); }

// Julian day number <-> civil date (proleptic Gregorian).
int64_t ToJdn(Date date) { return date.time_since_epoch().count() + 2440588; }
Date FromJdn(int64_t jdn) { return Date{std::chrono::days{jdn - 2440588}}; }

// Julian date (TT-corrected) of the k-th new moon after 1900-01-01 (Meeus ch. 49, abridged).
double NewMoon(int64_t k) {
  const double kd = static_cast<double>(k);
  const double t = kd / 1236.85;
  const double t2 = t * t;
  const double t3 = t2 * t;
  const double dr = kPi / 180;
  double jd1 = 2415020.75933 + 29.53058868 * kd + 0.0001178 * t2 - 0.000000155 * t3;
  jd1 += 0.00033 * std::sin((166.56 + 132.87 * t - 0.009173 * t2) * dr);
  const double m = 359.2242 + 29.10535608 * kd - 0.0000333 * t2 - 0.00000347 * t3;
  const double mpr = 306.0253 + 385.81691806 * kd + 0.0107306 * t2 + 0.00001236 * t3;
  const double f = 21.2964 + 390.67050646 * kd - 0.0016528 * t2 - 0.00000239 * t3;
  double c1 = (0.1734 - 0.000393 * t) * std::sin(m * dr) + 0.0021 * std::sin(2 * dr * m);
  c1 = c1 - 0.4068 * std::sin(mpr * dr) + 0.0161 * std::sin(dr * 2 * mpr);
  c1 = c1 - 0.0004 * std::sin(dr * 3 * mpr);
  c1 = c1 + 0.0104 * std::sin(dr * 2 * f) - 0.0051 * std::sin(dr * (m + mpr));
  c1 = c1 - 0.0074 * std::sin(dr * (m - mpr)) + 0.0004 * std::sin(dr * (2 * f + m));
  c1 = c1 - 0.0004 * std::sin(dr * (2 * f - m)) - 0.0006 * std::sin(dr * (2 * f + mpr));
  c1 = c1 + 0.0010 * std::sin(dr * (2 * f - mpr)) + 0.0005 * std::sin(dr * (2 * mpr + m));
  double delta_t;
  if (t < -11) {
    delta_t = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3;
  } else {
    delta_t = -0.000278 + 0.000265 * t + 0.000262 * t2;
  }
  return jd1 + c1 - delta_t;
}

// Apparent solar longitude in radians [0, 2π) at Julian date `jd` (Meeus ch. 25, low precision).
double SunLongitude(double jd) {
  const double t = (jd - 2451545.0) / 36525;
  const double t2 = t * t;
  const double dr = kPi / 180;
  const double m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2;
  const double l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2;
  double dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * std::sin(dr * m);
  dl += (0.019993 - 0.000101 * t) * std::sin(dr * 2 * m) + 0.000290 * std::sin(dr * 3 * m);
  double l = (l0 + dl) * dr;
  l -= kPi * 2 * std::floor(l / (kPi * 2));
  return l;
}

// Local day (JDN) of the k-th new moon in a zone `zone` hours east of UTC.
int64_t NewMoonDay(int64_t k, double zone) { return Floor(NewMoon(k) + 0.5 + zone / 24); }

// Major solar term index 0..11 (sun longitude / 30°) at the start of local day `jdn`.
int64_t SolarTerm(int64_t jdn, double zone) {
  return Floor(SunLongitude(static_cast<double>(jdn) - 0.5 - zone / 24) / kPi * 6);
}

// JDN of the start of lunar month 11 (the month holding the December solstice) of `year`.
int64_t LunarMonth11(int year, double zone) {
  const double off = static_cast<double>(ToJdn(Date{std::chrono::year{year} / 12 / 31})) - 2415021;
  const int64_t k = Floor(off / kSynodicMonth);
  int64_t nm = NewMoonDay(k, zone);
  if (SolarTerm(nm, zone) >= 9) nm = NewMoonDay(k - 1, zone);
  return nm;
}

// In a 13-month year starting at month 11 `a11`: offset of the leap month (the first
// month without a major solar term).
int64_t LeapMonthOffset(int64_t a11, double zone) {
  const int64_t k = Floor((static_cast<double>(a11) - kNewMoonEpoch) / kSynodicMonth + 0.5);
  int64_t i = 1;
  int64_t arc = SolarTerm(NewMoonDay(k + i, zone), zone);
  int64_t last;
  do {
    last = arc;
    ++i;
    arc = SolarTerm(NewMoonDay(k + i, zone), zone);
  } while (arc != last && i < 14);
  return i - 1;
}

}  // namespace

LunarDate SolarToLunar(Date date, double zone) {
  const int64_t day_number = ToJdn(date);
  const int year = static_cast<int>(std::chrono::year_month_day{date}.year());
  const int64_t k = Floor((static_cast<double>(day_number) - kNewMoonEpoch) / kSynodicMonth);
  int64_t month_start = NewMoonDay(k + 1, zone);
  if (month_start > day_number) month_start = NewMoonDay(k, zone);
  int64_t a11 = LunarMonth11(year, zone);
  int64_t b11 = a11;
  LunarDate out;
  if (a11 >= month_start) {
    out.year = year;
    a11 = LunarMonth11(year - 1, zone);
  } else {
    out.year = year + 1;
    b11 = LunarMonth11(year + 1, zone);
  }
  out.day = static_cast<int>(day_number - month_start + 1);
  const int64_t diff = Floor(static_cast<double>(month_start - a11) / 29);
  out.month = static_cast<int>(diff + 11);
  if (b11 - a11 > 365) {
    const int64_t leap_diff = LeapMonthOffset(a11, zone);
    if (diff >= leap_diff) {
      out.month = static_cast<int>(diff + 10);
      if (diff == leap_diff) out.leap = true;
    }
  }
  if (out.month > 12) out.month -= 12;
  if (out.month >= 11 && diff < 4) out.year -= 1;
  return out;
}

Result<Date> LunarToSolar(const LunarDate& lunar, double zone) {
  if (lunar.month < 1 || lunar.month > 12 || lunar.day < 1 || lunar.day > 30) {
    return Fail(ErrorCode::kInvalidArgument, "lunar month must be 1..12 and day 1..30");
  }
  int64_t a11, b11;
  if (lunar.month < 11) {
    a11 = LunarMonth11(lunar.year - 1, zone);
    b11 = LunarMonth11(lunar.year, zone);
  } else {
    a11 = LunarMonth11(lunar.year, zone);
    b11 = LunarMonth11(lunar.year + 1, zone);
  }
  const int64_t k = Floor(0.5 + (static_cast<double>(a11) - kNewMoonEpoch) / kSynodicMonth);
  int64_t off = lunar.month - 11;
  if (off < 0) off += 12;
  if (b11 - a11 > 365) {
    const int64_t leap_off = LeapMonthOffset(a11, zone);
    int64_t leap_month = leap_off - 2;
    if (leap_month < 0) leap_month += 12;
    if (lunar.leap && lunar.month != leap_month) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("lunar year {} has no leap month {}", lunar.year, lunar.month));
    }
    if (lunar.leap || off >= leap_off) off += 1;
  } else if (lunar.leap) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("lunar year {} has no leap month", lunar.year));
  }
  const int64_t month_start = NewMoonDay(k + off, zone);
  const int64_t next_start = NewMoonDay(k + off + 1, zone);
  if (lunar.day > next_start - month_start) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("lunar month {}/{} has only {} days", lunar.month, lunar.year,
                            next_start - month_start));
  }
  return FromJdn(month_start + lunar.day - 1);
}

Date LunarNewYear(int year, double zone) {
  // Month 1 day 1 always exists.
  return *LunarToSolar(LunarDate{1, 1, year, false}, zone);
}

}  // namespace ombud::domain
