#include "domain/time/calendar.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <limits>
#include <set>

namespace ombud::domain {
namespace {

using std::chrono::days;
using std::chrono::local_days;
using std::chrono::local_seconds;
using std::chrono::seconds;

constexpr int64_t kNoClose = std::numeric_limits<int64_t>::min();
constexpr uint8_t kFlagHoliday = 1;    // Closed by a holiday.
constexpr uint8_t kFlagWouldWork = 2;  // The weekly hours would have opened this day.

int64_t Secs(Instant t) { return t.time_since_epoch().count(); }
Instant At(int64_t s) { return Instant{seconds{s}}; }

// Removes [cut.begin, cut.end) from every range in `ranges`.
std::vector<TimeOfDayRange> Subtract(const std::vector<TimeOfDayRange>& ranges,
                                     TimeOfDayRange cut) {
  std::vector<TimeOfDayRange> out;
  for (const TimeOfDayRange& r : ranges) {
    if (cut.end <= r.begin || cut.begin >= r.end) {
      out.push_back(r);
      continue;
    }
    if (r.begin < cut.begin) out.push_back({r.begin, cut.begin});
    if (cut.end < r.end) out.push_back({cut.end, r.end});
  }
  return out;
}

// Pauses sorted by start and merged where they overlap or touch; empty ones dropped.
std::vector<Pause> Normalize(std::span<const Pause> pauses) {
  std::vector<Pause> sorted;
  sorted.reserve(pauses.size());
  for (const Pause& p : pauses) {
    if (p.from < p.to) sorted.push_back(p);
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const Pause& a, const Pause& b) { return a.from < b.from; });
  std::vector<Pause> merged;
  for (const Pause& p : sorted) {
    if (!merged.empty() && p.from <= merged.back().to) {
      merged.back().to = std::max(merged.back().to, p.to);
    } else {
      merged.push_back(p);
    }
  }
  return merged;
}

}  // namespace

CalendarSpec InheritCalendar(const CalendarSpec& parent, const CalendarSpec& child) {
  CalendarSpec out = parent;
  if (!child.name.empty()) out.name = child.name;
  if (!child.timezone.empty()) out.timezone = child.timezone;
  for (int d = 0; d < 7; ++d) {
    if (child.weekly[d]) out.weekly[d] = child.weekly[d];
  }
  out.holidays.insert(out.holidays.end(), child.holidays.begin(), child.holidays.end());
  out.not_holidays.insert(out.not_holidays.end(), child.not_holidays.begin(),
                          child.not_holidays.end());
  if (child.country_holidays) out.country_holidays = child.country_holidays;
  if (child.country_decisions) out.country_decisions = child.country_decisions;
  for (const auto& [date, hours] : child.hours_on) out.hours_on[date] = hours;
  for (const auto& [date, hours] : child.breaks_on) out.breaks_on[date] = hours;
  if (child.due_at_close) out.due_at_close = child.due_at_close;
  return out;
}

CalendarSpec AlwaysOpenSpec(std::string timezone) {
  CalendarSpec spec;
  spec.name = "24/7";
  spec.timezone = std::move(timezone);
  for (auto& day : spec.weekly) day = std::vector<TimeOfDayRange>{{0, kSecondsPerDay}};
  return spec;
}

Result<Calendar> Calendar::Compile(const CalendarSpec& spec, CalendarOptions options) {
  if (spec.timezone.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "calendar has no time zone", "timezone");
  }
  if (options.first_year < 1900 || options.last_year > 2200 ||
      options.last_year < options.first_year) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("calendar year range {}..{} must lie within 1900..2200",
                            options.first_year, options.last_year));
  }
  for (int d = 0; d < 7; ++d) {
    if (!spec.weekly[d]) continue;
    for (const TimeOfDayRange& r : *spec.weekly[d]) {
      if (r.begin < 0 || r.begin >= kSecondsPerDay || r.end <= r.begin ||
          r.end > r.begin + kSecondsPerDay) {
        return Fail(ErrorCode::kInvalidArgument, fmt::format("invalid hours on {}", WeekdayName(d)),
                    "weekly");
      }
    }
  }
  OMBUD_ASSIGN_OR_RETURN(TimeZone zone, TimeZone::Locate(spec.timezone));
  Calendar cal(spec, zone);
  cal.due_at_close_ = spec.due_at_close.value_or(DueAtClose::kClosingInstant);
  cal.first_date_ = Date{std::chrono::year{options.first_year} / 1 / 1};
  Date end_date = Date{std::chrono::year{options.last_year + 1} / 1 / 1};
  cal.day_count_ = static_cast<int>((end_date - cal.first_date_).count());
  const Date last = end_date - days{1};

  // Holidays: built-in country days first, then the spec's own (their names win), then
  // the not_holidays exceptions.
  std::map<Date, std::string>& names = cal.holiday_names_;
  std::map<Date, int> make_up;  // Date -> weekday whose hours it works.
  if (spec.country_holidays) {
    int y0 = std::max(options.first_year, kFirstHolidayYear);
    int y1 = std::min(options.last_year, kLastHolidayYear);
    for (int y = y0; y <= y1; ++y) {
      OMBUD_ASSIGN_OR_RETURN(
          HolidayYear year,
          PublicHolidays(*spec.country_holidays, y, spec.country_decisions.value_or(true)));
      for (Holiday& h : year.days_off) names[h.date] = std::move(h.name);
      for (const MakeUpWorkingDay& w : year.working_days) make_up[w.date] = w.hours_of;
    }
  }
  for (const NamedDateRange& r : spec.holidays) {
    for (Date d = std::max(r.first, cal.first_date_); d <= std::min(r.last, last); d += days{1}) {
      names[d] = r.name.empty() ? "holiday" : r.name;
    }
  }
  for (const NamedDateRange& r : spec.not_holidays) {
    for (Date d = std::max(r.first, cal.first_date_); d <= std::min(r.last, last); d += days{1}) {
      names.erase(d);
      make_up.erase(d);
    }
  }

  const int n = cal.day_count_;
  cal.midnight_.resize(n + 1);
  cal.day_open_.assign(n, 0);
  cal.day_close_.assign(n, kNoClose);
  cal.day_flags_.assign(n, 0);
  cal.day_rank_.assign(n + 1, 0);
  cal.day_seg_.assign(n + 1, 0);
  for (int i = 0; i <= n; ++i) {
    cal.midnight_[i] = Secs(zone.ToUtc(local_days{(cal.first_date_ + days{i}).time_since_epoch()}));
  }

  struct Span {
    int64_t begin;
    int64_t end;
  };
  std::vector<Span> spans;
  spans.reserve(static_cast<size_t>(n) * 2);
  static const std::vector<TimeOfDayRange> kClosed;
  for (int i = 0; i < n; ++i) {
    const Date date = cal.first_date_ + days{i};
    const int wd = IsoWeekdayIndex(date);
    const std::vector<TimeOfDayRange>& weekly = spec.weekly[wd] ? *spec.weekly[wd] : kClosed;
    const std::vector<TimeOfDayRange>* hours = &weekly;
    if (auto it = spec.hours_on.find(date); it != spec.hours_on.end()) {
      hours = &it->second;
    } else if (auto mu = make_up.find(date); mu != make_up.end()) {
      hours = spec.weekly[mu->second] ? &*spec.weekly[mu->second] : &kClosed;
    } else if (names.contains(date)) {
      hours = &kClosed;
      cal.day_flags_[i] |= kFlagHoliday;
      if (!weekly.empty()) cal.day_flags_[i] |= kFlagWouldWork;
    }
    std::vector<TimeOfDayRange> local = *hours;
    // Breaks of this date, and of the next date for hours that run past midnight.
    if (auto it = spec.breaks_on.find(date); it != spec.breaks_on.end()) {
      for (const TimeOfDayRange& b : it->second) local = Subtract(local, b);
    }
    if (auto it = spec.breaks_on.find(date + days{1}); it != spec.breaks_on.end()) {
      for (const TimeOfDayRange& b : it->second) {
        local = Subtract(local, {b.begin + kSecondsPerDay, b.end + kSecondsPerDay});
      }
    }
    const local_seconds base{local_days{date.time_since_epoch()}};
    for (const TimeOfDayRange& r : local) {
      int64_t b = Secs(zone.ToUtc(base + seconds{r.begin}));
      int64_t e = Secs(zone.ToUtc(base + seconds{r.end}));
      if (e <= b) continue;  // Swallowed by a DST gap.
      spans.push_back({b, e});
      if (cal.day_close_[i] == kNoClose) {
        cal.day_open_[i] = b;
        cal.day_close_[i] = e;
      } else {
        cal.day_open_[i] = std::min(cal.day_open_[i], b);
        cal.day_close_[i] = std::max(cal.day_close_[i], e);
      }
    }
    cal.day_rank_[i + 1] = cal.day_rank_[i] + (cal.day_close_[i] != kNoClose ? 1 : 0);
    if (cal.day_close_[i] != kNoClose) cal.working_day_.push_back(i);
  }

  std::sort(spans.begin(), spans.end(),
            [](const Span& a, const Span& b) { return a.begin < b.begin; });
  for (const Span& s : spans) {
    if (!cal.seg_end_.empty() && s.begin <= cal.seg_end_.back()) {
      cal.seg_end_.back() = std::max(cal.seg_end_.back(), s.end);
    } else {
      cal.seg_begin_.push_back(s.begin);
      cal.seg_end_.push_back(s.end);
    }
  }
  cal.seg_cum_.resize(cal.seg_begin_.size());
  cal.seg_cum_end_.resize(cal.seg_begin_.size());
  int64_t cum = 0;
  for (size_t j = 0; j < cal.seg_begin_.size(); ++j) {
    cal.seg_cum_[j] = cum;
    cum += cal.seg_end_[j] - cal.seg_begin_[j];
    cal.seg_cum_end_[j] = cum;
  }
  for (int i = 0; i <= n; ++i) {
    cal.day_seg_[i] = static_cast<int32_t>(
        std::upper_bound(cal.seg_end_.begin(), cal.seg_end_.end(), cal.midnight_[i]) -
        cal.seg_end_.begin());
  }
  return cal;
}

Status Calendar::RangeError(int64_t t) const {
  return Fail(ErrorCode::kInvalidArgument,
              fmt::format("instant {} lies outside the calendar's range {}..{}",
                          FormatInstant(At(t)), FormatDate(first_date_), FormatDate(last_date())));
}

Result<int> Calendar::DayIndex(int64_t t) const {
  if (t < midnight_.front() || t >= midnight_.back()) {
    return std::unexpected(RangeError(t).error());
  }
  int i = static_cast<int>((t - midnight_.front()) / kSecondsPerDay);
  i = std::clamp(i, 0, day_count_ - 1);
  while (midnight_[i] > t) --i;
  while (midnight_[i + 1] <= t) ++i;
  return i;
}

Result<int> Calendar::ReceiptDayIndex(int64_t t) const {
  OMBUD_ASSIGN_OR_RETURN(int i, DayIndex(t));
  // Still inside (or in a break of) the previous day's overnight hours.
  if (i > 0 && day_close_[i - 1] != kNoClose && t < day_close_[i - 1]) --i;
  return i;
}

int64_t Calendar::SegmentAtOrBefore(int64_t t, int day) const {
  int64_t j = day_seg_[day];
  const int64_t count = static_cast<int64_t>(seg_begin_.size());
  while (j < count && seg_begin_[j] <= t) ++j;
  return j - 1;
}

int64_t Calendar::Position(int64_t t, int day) const {
  int64_t j = SegmentAtOrBefore(t, day);
  if (j < 0) return 0;
  return seg_cum_[j] + std::min(t, seg_end_[j]) - seg_begin_[j];
}

Result<int64_t> Calendar::PositionOf(int64_t t) const {
  OMBUD_ASSIGN_OR_RETURN(int day, DayIndex(t));
  return Position(t, day);
}

// forward: the first instant reaching `pos` (a closing instant at a boundary);
// backward: the last instant at `pos` (an opening at a boundary).
Result<int64_t> Calendar::InstantAtPosition(int64_t pos, bool forward) const {
  if (seg_begin_.empty() || pos < 0 || pos > seg_cum_end_.back()) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("result lies outside the calendar's range {}..{}",
                            FormatDate(first_date_), FormatDate(last_date())));
  }
  if (forward) {
    auto it = std::lower_bound(seg_cum_end_.begin(), seg_cum_end_.end(), pos);
    size_t j = static_cast<size_t>(it - seg_cum_end_.begin());
    return seg_begin_[j] + (pos - seg_cum_[j]);
  }
  auto it = std::upper_bound(seg_cum_.begin(), seg_cum_.end(), pos);
  size_t j = static_cast<size_t>(it - seg_cum_.begin()) - 1;
  return seg_begin_[j] + (pos - seg_cum_[j]);
}

Result<Instant> Calendar::AddWorkingTime(Instant from, std::chrono::seconds amount) const {
  const int64_t t = Secs(from);
  OMBUD_ASSIGN_OR_RETURN(int64_t pos, PositionOf(t));
  if (amount.count() == 0) return from;
  if (amount.count() < 0) {
    OMBUD_ASSIGN_OR_RETURN(int64_t r, InstantAtPosition(pos + amount.count(), false));
    return At(r);
  }
  OMBUD_ASSIGN_OR_RETURN(int64_t r, InstantAtPosition(pos + amount.count(), true));
  return At(ApplyDueAtClose(r));
}

Result<Instant> Calendar::AddWorkingTime(Instant from, std::chrono::seconds amount,
                                         std::span<const Pause> pauses) const {
  if (pauses.empty() || amount.count() <= 0) return AddWorkingTime(from, amount);
  std::vector<Pause> merged = Normalize(pauses);
  Instant cur = from;
  seconds remaining = amount;
  for (const Pause& p : merged) {
    if (p.to <= cur) continue;
    if (p.from > cur) {
      OMBUD_ASSIGN_OR_RETURN(seconds before, WorkingTimeBetween(cur, p.from));
      if (before >= remaining) break;  // Due before (or exactly at) the pause.
      remaining -= before;
    }
    cur = p.to;
  }
  return AddWorkingTime(cur, remaining);
}

Result<Instant> Calendar::AddWorkingDays(Instant from, int days_to_add,
                                         const WorkingDayRule& rule) const {
  if (days_to_add == 0) return from;
  if (days_to_add < 0) return SubtractWorkingDays(from, -days_to_add);
  const int64_t t = Secs(from);
  OMBUD_ASSIGN_OR_RETURN(int i, ReceiptDayIndex(t));
  int64_t k = day_rank_[i + 1];
  if (rule.receipt_day_cutoff && day_close_[i] != kNoClose) {
    const local_seconds cutoff{local_days{(first_date_ + days{i}).time_since_epoch()} +
                               seconds{*rule.receipt_day_cutoff}};
    if (t < Secs(zone_.ToUtc(cutoff))) k = day_rank_[i];
  }
  k += days_to_add - 1;
  if (k >= static_cast<int64_t>(working_day_.size())) {
    return Fail(
        ErrorCode::kInvalidArgument,
        fmt::format("{} working days after {} lie outside the calendar's range {}..{}", days_to_add,
                    FormatInstant(from), FormatDate(first_date_), FormatDate(last_date())));
  }
  const int d = working_day_[static_cast<size_t>(k)];
  if (rule.end == WorkingDayEnd::kEndOfCalendarDay) return At(midnight_[d + 1]);
  return At(ApplyDueAtClose(day_close_[d]));
}

Result<Instant> Calendar::SubtractWorkingDays(Instant from, int days_to_sub) const {
  if (days_to_sub == 0) return from;
  if (days_to_sub < 0) return AddWorkingDays(from, -days_to_sub);
  OMBUD_ASSIGN_OR_RETURN(int i, ReceiptDayIndex(Secs(from)));
  int64_t k = static_cast<int64_t>(day_rank_[i]) - days_to_sub;
  if (k < 0) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("{} working days before {} lie outside the calendar's range {}..{}",
                            days_to_sub, FormatInstant(from), FormatDate(first_date_),
                            FormatDate(last_date())));
  }
  return At(day_open_[working_day_[static_cast<size_t>(k)]]);
}

int64_t Calendar::ApplyDueAtClose(int64_t r) const {
  if (due_at_close_ != DueAtClose::kNextOpening) return r;
  // r is a closing instant exactly when it ends a merged segment.
  auto it = std::lower_bound(seg_end_.begin(), seg_end_.end(), r);
  if (it != seg_end_.end() && *it == r && it + 1 != seg_end_.end()) {
    return seg_begin_[static_cast<size_t>(it - seg_end_.begin()) + 1];
  }
  return r;
}

Result<std::chrono::seconds> Calendar::WorkingTimeBetween(Instant a, Instant b) const {
  OMBUD_ASSIGN_OR_RETURN(int64_t pa, PositionOf(Secs(a)));
  OMBUD_ASSIGN_OR_RETURN(int64_t pb, PositionOf(Secs(b)));
  return seconds{pb - pa};
}

Result<std::chrono::seconds> Calendar::WorkingTimeBetween(Instant a, Instant b,
                                                          std::span<const Pause> pauses) const {
  if (b < a) {
    OMBUD_ASSIGN_OR_RETURN(seconds reversed, WorkingTimeBetween(b, a, pauses));
    return -reversed;
  }
  OMBUD_ASSIGN_OR_RETURN(seconds total, WorkingTimeBetween(a, b));
  for (const Pause& p : Normalize(pauses)) {
    Instant from = std::max(p.from, a);
    Instant to = std::min(p.to, b);
    if (from >= to) continue;
    OMBUD_ASSIGN_OR_RETURN(seconds paused, WorkingTimeBetween(from, to));
    total -= paused;
  }
  return total;
}

Result<Instant> Calendar::NextOpening(Instant at) const {
  const int64_t t = Secs(at);
  OMBUD_ASSIGN_OR_RETURN(int day, DayIndex(t));
  int64_t j = SegmentAtOrBefore(t, day);
  if (j >= 0 && t < seg_end_[j]) return at;
  if (j + 1 >= static_cast<int64_t>(seg_begin_.size())) {
    return std::unexpected(RangeError(t).error());
  }
  return At(seg_begin_[j + 1]);
}

Result<Instant> Calendar::NextClosing(Instant at) const {
  const int64_t t = Secs(at);
  OMBUD_ASSIGN_OR_RETURN(int day, DayIndex(t));
  int64_t j = SegmentAtOrBefore(t, day);
  if (j >= 0 && t < seg_end_[j]) return At(seg_end_[j]);
  if (j + 1 >= static_cast<int64_t>(seg_begin_.size())) {
    return std::unexpected(RangeError(t).error());
  }
  return At(seg_end_[j + 1]);
}

Result<bool> Calendar::IsWorkingTime(Instant at) const {
  const int64_t t = Secs(at);
  OMBUD_ASSIGN_OR_RETURN(int day, DayIndex(t));
  int64_t j = SegmentAtOrBefore(t, day);
  return j >= 0 && t < seg_end_[j];
}

bool Calendar::IsWorkingDay(Date date) const {
  int64_t i = (date - first_date_).count();
  if (i < 0 || i >= day_count_) return false;
  return day_close_[static_cast<size_t>(i)] != kNoClose;
}

std::optional<std::string> Calendar::HolidayName(Date date) const {
  auto it = holiday_names_.find(date);
  if (it == holiday_names_.end()) return std::nullopt;
  return it->second;
}

Result<Date> Calendar::ReceiptDay(Instant at) const {
  OMBUD_ASSIGN_OR_RETURN(int i, ReceiptDayIndex(Secs(at)));
  return first_date_ + days{i};
}

std::vector<Holiday> Calendar::SkippedHolidays(Date first, Date last) const {
  std::vector<Holiday> out;
  for (auto it = holiday_names_.lower_bound(first); it != holiday_names_.end() && it->first <= last;
       ++it) {
    int64_t i = (it->first - first_date_).count();
    if (i < 0 || i >= day_count_) continue;
    uint8_t flags = day_flags_[static_cast<size_t>(i)];
    if ((flags & kFlagHoliday) && (flags & kFlagWouldWork)) out.push_back({it->first, it->second});
  }
  return out;
}

}  // namespace ombud::domain
