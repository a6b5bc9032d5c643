#pragma once

#include <optional>

#include "domain/time/time_format.hpp"

namespace ombud::domain {

// Months of the Khmer lunisolar calendar (Chhankitek). In a leap-month year (Adhikameas)
// Asadh is doubled into kPathamasadh and kTutiyasadh.
enum class KhmerMonth {
  kMigasir = 1,
  kBoss,
  kMeak,
  kPhalkun,
  kChet,
  kPisak,
  kJesth,
  kAsadh,
  kSrap,
  kPhatrabot,
  kAssoch,
  kKadeuk,
  kPathamasadh,
  kTutiyasadh,
};

// The Gregorian date of day `day` (1..30: 1..15 waxing "keit", 16..30 waning "roch" 1..15)
// of Khmer month `month` whose first day falls in Gregorian `year` or, for months starting
// in the last weeks of the year, whose middle does. nullopt outside 1900..2150 or when the
// month is shorter than `day`. The calendar arithmetic follows the Chhankitek rules
// (aharkun, avoman, bodithey; leap day in Jesth, leap month doubling Asadh) as published
// in Roath Kim Soeun, "Pratitin Soryakkatik-Chankatik 1900-1999" and
// http://www.cam-cc.org/calendar/. Pure.
std::optional<Date> KhmerLunarDay(int year, KhmerMonth month, int day);

// Khmer New Year (Moha Sangkran) of Gregorian `year`: the first day and the number of
// days from Moha Sangkran to Leung Sak inclusive (3, or 4 when Vanabat lasts two days),
// computed with the Soriyatra Lerng Sak rules (same sources).
struct KhmerNewYear {
  Date first;
  int days = 3;
};
std::optional<KhmerNewYear> KhmerNewYearOf(int year);

}  // namespace ombud::domain
