#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "domain/clock.hpp"
#include "domain/result.hpp"
#include "domain/time/holidays.hpp"
#include "domain/time/time_format.hpp"
#include "domain/time/time_zone.hpp"

namespace ombud::domain {

// What to answer when a due time lands exactly on a closing instant.
enum class DueAtClose {
  kClosingInstant,  // Default: the closing instant itself (e.g. 16:30:00).
  kNextOpening,     // The next opening (e.g. 08:00:00 of the next working day).
};

struct NamedDateRange {
  Date first;
  Date last;
  std::string name;
};

// A calendar as written by an admin or a pack (see docs/calendars.md). Every field is
// optional so that a department calendar can inherit a company calendar and override
// parts of it (InheritCalendar). For a calendar without parent, a missing weekday is
// closed and a missing time zone is an error.
struct CalendarSpec {
  std::string name;
  std::string timezone;  // IANA name; empty = inherit.
  // Working hours per ISO weekday (0 = Monday); nullopt = inherit (closed without parent);
  // an empty vector = closed. Ranges may cross midnight (end > 86400).
  std::array<std::optional<std::vector<TimeOfDayRange>>, 7> weekly;
  std::vector<NamedDateRange> holidays;      // Added to the parent's.
  std::vector<NamedDateRange> not_holidays;  // Removes holidays (parent, country) from these dates.
  std::optional<Country> country_holidays;   // Built-in public holidays added to `holidays`.
  std::optional<bool> country_decisions;     // Include built-in government decisions; default true.
  // Replaces that date's hours (beats holidays and weekly; may open a weekend). Empty = closed.
  std::map<Date, std::vector<TimeOfDayRange>> hours_on;
  // Closed for part of that date (local wall time on that date).
  std::map<Date, std::vector<TimeOfDayRange>> breaks_on;
  std::optional<DueAtClose> due_at_close;
};

// `child` over `parent`: set fields of the child win, weekdays one by one, holidays and
// not_holidays accumulate, hours_on/breaks_on of the child replace the parent's per date.
CalendarSpec InheritCalendar(const CalendarSpec& parent, const CalendarSpec& child);

// A 24/7 calendar in `timezone` (no holidays).
CalendarSpec AlwaysOpenSpec(std::string timezone = "UTC");

// How "N working days from receipt" ends.
enum class WorkingDayEnd {
  kCloseOfDay,        // Default: the close of working hours of the Nth working day.
  kEndOfCalendarDay,  // 24:00 local time of the Nth working day.
};

struct WorkingDayRule {
  WorkingDayEnd end = WorkingDayEnd::kCloseOfDay;
  // When set, a receipt on a working day before this local time of day counts that day as
  // the first working day.
  std::optional<int32_t> receipt_day_cutoff;
};

// A span during which a clock is stopped: [from, to).
struct Pause {
  Instant from;
  Instant to;
};

struct CalendarOptions {
  int first_year = 2000;  // Table range (local dates); instants outside it are rejected.
  int last_year = 2100;
};

// A compiled calendar: an immutable table, per local date, of working intervals as UTC
// instants, plus prefix sums of working seconds and working days. All arithmetic is
// exact to the second and needs no time-zone lookup. Immutable after Compile, hence
// thread-safe. Every instant argument must lie in the table range (kInvalidArgument).
class Calendar {
 public:
  // Builds the table. kInvalidArgument for an unknown zone, a bad range, or a year range
  // outside 1900..2200.
  [[nodiscard]] static Result<Calendar> Compile(const CalendarSpec& spec,
                                                CalendarOptions options = {});

  const CalendarSpec& spec() const { return spec_; }
  const TimeZone& zone() const { return zone_; }
  DueAtClose due_at_close() const { return due_at_close_; }

  // Adds `amount` of working time (negative: subtracts). Zero returns `from` unchanged,
  // even outside working hours. A start outside hours or inside a break counts from the
  // next opening. A result landing exactly on a closing instant follows due_at_close()
  // (default: the closing instant). Subtraction returns the latest instant with exactly
  // `amount` working time before `from` (an opening, never a closing, at a boundary).
  [[nodiscard]] Result<Instant> AddWorkingTime(Instant from, std::chrono::seconds amount) const;
  // As above while the clock is stopped in each of `pauses` (any order, may overlap).
  [[nodiscard]] Result<Instant> AddWorkingTime(Instant from, std::chrono::seconds amount,
                                               std::span<const Pause> pauses) const;

  // "N working days from receipt": the receipt day is the local date of `from` (or the
  // working day whose overnight shift `from` falls in); the result is the close (per
  // `rule`) of the Nth working day after it. Zero returns `from`; negative days subtract.
  [[nodiscard]] Result<Instant> AddWorkingDays(Instant from, int days,
                                               const WorkingDayRule& rule = {}) const;
  // The opening of the Nth working day before the receipt day of `from`.
  [[nodiscard]] Result<Instant> SubtractWorkingDays(Instant from, int days) const;

  // Working time in [a, b); negative when b < a.
  [[nodiscard]] Result<std::chrono::seconds> WorkingTimeBetween(Instant a, Instant b) const;
  // As above, not counting working time inside `pauses`.
  [[nodiscard]] Result<std::chrono::seconds> WorkingTimeBetween(
      Instant a, Instant b, std::span<const Pause> pauses) const;

  // `at` itself when working, else the next opening.
  [[nodiscard]] Result<Instant> NextOpening(Instant at) const;
  // The end of the working interval containing `at`, or of the next one.
  [[nodiscard]] Result<Instant> NextClosing(Instant at) const;
  [[nodiscard]] Result<bool> IsWorkingTime(Instant at) const;

  // Calendar-day facts (false/nullopt outside the table).
  bool IsWorkingDay(Date date) const;
  std::optional<std::string> HolidayName(Date date) const;
  // The receipt day of `at` as used by AddWorkingDays.
  [[nodiscard]] Result<Date> ReceiptDay(Instant at) const;
  // Holidays in [first, last] that closed a day that would otherwise have worked.
  std::vector<Holiday> SkippedHolidays(Date first, Date last) const;

  Date first_date() const { return first_date_; }
  Date last_date() const { return first_date_ + std::chrono::days{day_count_ - 1}; }

 private:
  Calendar(CalendarSpec spec, TimeZone zone) : spec_(std::move(spec)), zone_(std::move(zone)) {}

  Result<int> DayIndex(int64_t t) const;
  Result<int> ReceiptDayIndex(int64_t t) const;
  // Index of the last segment starting at or before t, or -1.
  int64_t SegmentAtOrBefore(int64_t t, int day) const;
  // Working seconds from the table start to t.
  int64_t Position(int64_t t, int day) const;
  Result<int64_t> PositionOf(int64_t t) const;
  Result<int64_t> InstantAtPosition(int64_t pos, bool forward) const;
  Status RangeError(int64_t t) const;
  // Moves a closing instant to the next opening when due_at_close() says so.
  int64_t ApplyDueAtClose(int64_t r) const;

  CalendarSpec spec_;
  TimeZone zone_;
  DueAtClose due_at_close_ = DueAtClose::kClosingInstant;
  Date first_date_;
  int day_count_ = 0;

  // Per day (size day_count_ + 1 where noted).
  std::vector<int64_t> midnight_;     // UTC of local 00:00; size day_count_ + 1.
  std::vector<int64_t> day_open_;     // First opening of the day's own hours, or 0.
  std::vector<int64_t> day_close_;    // Last closing of the day's own hours, or INT64_MIN.
  std::vector<int32_t> day_rank_;     // Working days before this day; size day_count_ + 1.
  std::vector<int32_t> day_seg_;      // First segment ending after midnight_; size day_count_ + 1.
  std::vector<int32_t> working_day_;  // Day index of the k-th working day.
  std::vector<uint8_t> day_flags_;
  std::map<Date, std::string> holiday_names_;

  // Merged working segments [begin, end) on the UTC line and prefix sums of their length.
  std::vector<int64_t> seg_begin_;
  std::vector<int64_t> seg_end_;
  std::vector<int64_t> seg_cum_;      // Working seconds before the segment.
  std::vector<int64_t> seg_cum_end_;  // seg_cum_ + length.
};

}  // namespace ombud::domain
