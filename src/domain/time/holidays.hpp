#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "domain/result.hpp"
#include "domain/time/time_format.hpp"

namespace ombud::domain {

// Countries whose public holidays ship built in.
enum class Country { kVietnam, kCambodia };

// "VN"/"KH" (any case) -> Country.
[[nodiscard]] Result<Country> ParseCountry(std::string_view code);
std::string_view CountryCode(Country country);  // "VN" / "KH"

// One day off. `substitute` marks a compensatory day (a holiday fell on a rest day);
// `decided` marks a day that comes from a government decision rather than the statute.
struct Holiday {
  Date date;
  std::string name;
  bool substitute = false;
  bool decided = false;
};

// A rest day that a government decision turns into a working day (Vietnam's make-up
// Saturdays); it works the hours of weekday `hours_of` (0 = Monday).
struct MakeUpWorkingDay {
  Date date;
  int hours_of = 0;
  std::string name;
};

struct HolidayYear {
  std::vector<Holiday> days_off;               // Sorted by date, one entry per date.
  std::vector<MakeUpWorkingDay> working_days;  // Sorted by date.
};

inline constexpr int kFirstHolidayYear = 2000;
inline constexpr int kLastHolidayYear = 2100;

// Public holidays of `country` in Gregorian `year` (2000..2100): the statutory days
// computed by rule (lunar ones included), the substitute days of that country's law
// counted against a Monday-Friday week, and, when `with_decisions`, the built-in
// government decisions for that year (they replace the rule's days for the holiday they
// concern and may add make-up working days). Pure; each call recomputes.
[[nodiscard]] Result<HolidayYear> PublicHolidays(Country country, int year,
                                                 bool with_decisions = true);

}  // namespace ombud::domain
