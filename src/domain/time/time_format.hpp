#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/clock.hpp"
#include "domain/result.hpp"

namespace ombud::domain {

// A civil date with no time zone (a day of a calendar, a holiday).
using Date = std::chrono::sys_days;

// Seconds since the local midnight of a date; a range may end at 24:00 (86400) and,
// when it crosses midnight, up to 48:00 (the end lies on the following date).
struct TimeOfDayRange {
  int32_t begin = 0;
  int32_t end = 0;
  friend bool operator==(const TimeOfDayRange&, const TimeOfDayRange&) = default;
};

inline constexpr int32_t kSecondsPerDay = 86400;

// "2026-02-13" -> Date. Pure; rejects impossible dates (2026-02-30).
[[nodiscard]] Result<Date> ParseDate(std::string_view text);
// "2026-02-16..2026-02-20" or a single date; first <= last.
[[nodiscard]] Result<std::pair<Date, Date>> ParseDateRange(std::string_view text);
// "YYYY-MM-DD"
std::string FormatDate(Date date);

// "08:00-12:00", "22:00-06:00" (crosses midnight), "00:00-24:00"; seconds optional
// ("08:00:30"). A range whose end is not after its begin crosses midnight; an empty
// range ("08:00-08:00") is an error.
[[nodiscard]] Result<TimeOfDayRange> ParseTimeOfDayRange(std::string_view text);
// "HH:MM" or "HH:MM:SS", 00:00..24:00 -> seconds since midnight.
[[nodiscard]] Result<int32_t> ParseTimeOfDay(std::string_view text);
// "08:00", or "08:00:30" when the seconds are not zero.
std::string FormatTimeOfDay(int32_t seconds);

// Parses a UTC instant: "2026-02-13T09:00:00Z", "2026-02-13T09:00Z", or with an offset
// "2026-02-13T16:00:00+07:00". Lower-case 't'/'z' and a space separator are accepted.
[[nodiscard]] Result<Instant> ParseInstant(std::string_view text);
// "YYYY-MM-DDTHH:MM:SSZ"
std::string FormatInstant(Instant instant);

// "mon".."sun" (also full English names, any case) -> 0 (Monday) .. 6 (Sunday).
[[nodiscard]] Result<int> ParseWeekday(std::string_view text);
std::string_view WeekdayName(int iso_index);  // 0 -> "mon"

// ISO weekday index of a date, Monday = 0.
inline int IsoWeekdayIndex(Date date) {
  return static_cast<int>(std::chrono::weekday(date).iso_encoding()) - 1;
}

}  // namespace ombud::domain
