#include "domain/time/deadline_clock.hpp"

#include <fmt/format.h>
#include <algorithm>

namespace ombud::domain {
namespace {

using std::chrono::seconds;

bool IsOpen(ClockState s) { return s == ClockState::kRunning || s == ClockState::kPaused; }

std::vector<Pause> ClosedPauses(const ClockInstance& clock) {
  std::vector<Pause> out;
  out.reserve(clock.pauses.size());
  for (const PauseRecord& p : clock.pauses) {
    if (p.to) out.push_back({p.from, *p.to});
  }
  return out;
}

bool HasOpenPause(const ClockInstance& clock) {
  return !clock.pauses.empty() && !clock.pauses.back().to;
}

// Elapsed-time target: the due moves later by every pause that starts before it.
Instant AddElapsed(Instant start, seconds amount, std::vector<Pause> pauses) {
  std::sort(pauses.begin(), pauses.end(),
            [](const Pause& a, const Pause& b) { return a.from < b.from; });
  Instant due = start + amount;
  Instant covered = start;  // Pause time up to here is already accounted for.
  for (const Pause& p : pauses) {
    if (p.from >= due) break;
    Instant from = std::max(p.from, covered);
    if (p.to > from) {
      due += p.to - from;
      covered = p.to;
    }
  }
  return due;
}

Result<Instant> ComputeDue(const ClockDefinition& def, const Calendar& cal, Instant start,
                           const std::vector<Pause>& pauses) {
  switch (def.target.unit) {
    case TargetUnit::kCalendarSeconds:
      return AddElapsed(start, seconds{def.target.amount}, pauses);
    case TargetUnit::kWorkingSeconds:
      return cal.AddWorkingTime(start, seconds{def.target.amount}, pauses);
    case TargetUnit::kWorkingDays: {
      OMBUD_ASSIGN_OR_RETURN(
          Instant base,
          cal.AddWorkingDays(start, static_cast<int>(def.target.amount), def.day_rule));
      if (pauses.empty()) return base;
      // A pause moves the due time later by the working time it covered.
      OMBUD_ASSIGN_OR_RETURN(seconds budget, cal.WorkingTimeBetween(start, base));
      OMBUD_ASSIGN_OR_RETURN(Instant shifted, cal.AddWorkingTime(start, budget, pauses));
      if (def.day_rule.end == WorkingDayEnd::kEndOfCalendarDay) {
        OMBUD_ASSIGN_OR_RETURN(Date day, cal.ReceiptDay(shifted - seconds{1}));
        return cal.zone().ToUtc(
            std::chrono::local_days{(day + std::chrono::days{1}).time_since_epoch()});
      }
      return shifted;
    }
  }
  return Fail(ErrorCode::kInternal, "unknown clock target unit");
}

Result<std::vector<Instant>> ComputeWarnings(const ClockDefinition& def, const Calendar& cal,
                                             Instant start, Instant due,
                                             const std::vector<Pause>& pauses) {
  std::vector<Instant> out;
  const bool elapsed = def.target.unit == TargetUnit::kCalendarSeconds;
  for (const WarningThreshold& w : def.warnings) {
    if (w.before) {
      if (elapsed) {
        out.push_back(due - *w.before);
      } else {
        OMBUD_ASSIGN_OR_RETURN(Instant at, cal.AddWorkingTime(due, -*w.before));
        out.push_back(at);
      }
      continue;
    }
    const int percent = std::clamp(w.percent.value_or(100), 0, 100);
    if (elapsed) {
      out.push_back(AddElapsed(start, seconds{def.target.amount * percent / 100}, pauses));
    } else {
      OMBUD_ASSIGN_OR_RETURN(seconds total, cal.WorkingTimeBetween(start, due, pauses));
      OMBUD_ASSIGN_OR_RETURN(Instant at, cal.AddWorkingTime(start, total * percent / 100, pauses));
      out.push_back(at);
    }
  }
  return out;
}

std::string LocalStamp(const Calendar& cal, Instant t) {
  auto local = cal.zone().ToLocal(t);
  auto day = std::chrono::floor<std::chrono::days>(local);
  int secs = static_cast<int>((local - day).count());
  return fmt::format("{} {}", FormatDate(Date{day.time_since_epoch()}), FormatTimeOfDay(secs));
}

std::string Duration(seconds s) {
  int64_t v = s.count();
  if (v % 3600 == 0) return fmt::format("{}h", v / 3600);
  if (v % 60 == 0) return fmt::format("{}h{:02}m", v / 3600, v / 60 % 60);
  return fmt::format("{}s", v);
}

std::string RuleText(const ClockDefinition& def, const Calendar& cal, const ClockInstance& c) {
  std::string text = fmt::format("{} from {} on {}", DescribeTarget(def.target),
                                 def.start_event.empty() ? "start" : def.start_event,
                                 LocalStamp(cal, c.started_at));
  if (!c.due_at) return text + "; paused, due time set on resume";
  text += fmt::format(" → {} {} ({})", LocalStamp(cal, *c.due_at),
                      cal.zone().Abbreviation(*c.due_at), cal.zone().name());
  if (def.target.unit != TargetUnit::kCalendarSeconds) {
    Date first{
        std::chrono::floor<std::chrono::days>(cal.zone().ToLocal(c.started_at)).time_since_epoch()};
    Date last{
        std::chrono::floor<std::chrono::days>(cal.zone().ToLocal(*c.due_at)).time_since_epoch()};
    std::vector<Holiday> skipped = cal.SkippedHolidays(first, last);
    // Consecutive dates of one holiday print as a range.
    std::string joined;
    for (size_t i = 0; i < skipped.size();) {
      size_t j = i;
      std::string base = skipped[i].name.substr(0, skipped[i].name.find(" ("));
      while (j + 1 < skipped.size() &&
             skipped[j + 1].date == skipped[j].date + std::chrono::days{1} &&
             skipped[j + 1].name.substr(0, skipped[j + 1].name.find(" (")) == base) {
        ++j;
      }
      joined += joined.empty() ? "" : ", ";
      joined += i == j ? fmt::format("{} {}", base, FormatDate(skipped[i].date))
                       : fmt::format("{} {}..{}", base, FormatDate(skipped[i].date),
                                     FormatDate(skipped[j].date));
      i = j + 1;
    }
    if (!joined.empty()) text += "; skipped " + joined;
  }
  seconds paused{0};
  for (const PauseRecord& p : c.pauses) {
    if (p.to) paused += *p.to - p.from;
  }
  if (paused.count() > 0) {
    text += fmt::format("; paused {} in {} span(s)", Duration(paused), c.pauses.size());
  }
  return text;
}

}  // namespace

std::string_view ClockStateName(ClockState state) {
  switch (state) {
    case ClockState::kRunning:
      return "running";
    case ClockState::kPaused:
      return "paused";
    case ClockState::kMet:
      return "met";
    case ClockState::kBreached:
      return "breached";
    case ClockState::kWaived:
      return "waived";
  }
  return "unknown";
}

std::string DescribeTarget(const ClockTarget& target) {
  const int64_t n = target.amount;
  switch (target.unit) {
    case TargetUnit::kWorkingDays:
      return fmt::format("{} working day{}", n, n == 1 ? "" : "s");
    case TargetUnit::kWorkingSeconds:
    case TargetUnit::kCalendarSeconds: {
      const char* kind = target.unit == TargetUnit::kWorkingSeconds ? "working" : "calendar";
      if (n % 3600 == 0) return fmt::format("{} {} hour{}", n / 3600, kind, n == 3600 ? "" : "s");
      if (n % 60 == 0) return fmt::format("{} {} minutes", n / 60, kind);
      return fmt::format("{} {} seconds", n, kind);
    }
  }
  return "unknown target";
}

Status RecomputeClock(ClockInstance& clock, const ClockDefinition& def, const Calendar& cal,
                      bool with_text) {
  const std::vector<Pause> pauses = ClosedPauses(clock);
  if (HasOpenPause(clock)) {
    clock.due_at.reset();
    clock.warn_at.clear();
  } else {
    OMBUD_ASSIGN_OR_RETURN(Instant due, ComputeDue(def, cal, clock.started_at, pauses));
    OMBUD_ASSIGN_OR_RETURN(std::vector<Instant> warn,
                           ComputeWarnings(def, cal, clock.started_at, due, pauses));
    clock.due_at = due;
    clock.warn_at = std::move(warn);
  }
  if (with_text) clock.rule_text = RuleText(def, cal, clock);
  return {};
}

Result<ClockInstance> StartClock(const ClockDefinition& def, const Calendar& cal, Instant at) {
  if (def.target.amount < 0) {
    return Fail(ErrorCode::kInvalidArgument, "clock target must not be negative", "target");
  }
  ClockInstance clock;
  clock.definition = def.name;
  clock.started_at = at;
  OMBUD_RETURN_IF_ERROR(RecomputeClock(clock, def, cal));
  return clock;
}

Status PauseClock(ClockInstance& clock, const ClockDefinition& def, const Calendar& cal, Instant at,
                  std::string_view event, std::string reason, std::string who) {
  if (std::find(def.pause_events.begin(), def.pause_events.end(), event) ==
      def.pause_events.end()) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("clock '{}' may not pause on '{}'", def.name, event), "event");
  }
  if (clock.state != ClockState::kRunning) {
    return Fail(ErrorCode::kFailedPrecondition, fmt::format("clock '{}' is {}, not running",
                                                            def.name, ClockStateName(clock.state)));
  }
  Instant floor = clock.pauses.empty() ? clock.started_at : *clock.pauses.back().to;
  if (at < floor) {
    return Fail(ErrorCode::kInvalidArgument, "pause precedes the clock's start or last resume");
  }
  clock.pauses.push_back({at, std::nullopt, std::move(reason), std::move(who)});
  clock.state = ClockState::kPaused;
  return RecomputeClock(clock, def, cal);
}

Status ResumeClock(ClockInstance& clock, const ClockDefinition& def, const Calendar& cal,
                   Instant at) {
  if (clock.state != ClockState::kPaused || !HasOpenPause(clock)) {
    return Fail(ErrorCode::kFailedPrecondition, fmt::format("clock '{}' is not paused", def.name));
  }
  if (at < clock.pauses.back().from) {
    return Fail(ErrorCode::kInvalidArgument, "resume precedes the pause");
  }
  clock.pauses.back().to = at;
  clock.state = ClockState::kRunning;
  return RecomputeClock(clock, def, cal);
}

Status StopClock(ClockInstance& clock, const ClockDefinition& def, const Calendar& cal,
                 Instant at) {
  if (!IsOpen(clock.state)) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("clock '{}' is already {}", def.name, ClockStateName(clock.state)));
  }
  if (clock.state == ClockState::kPaused) {
    // Stopped while paused: the pause ends with the clock.
    clock.pauses.back().to = std::max(at, clock.pauses.back().from);
    OMBUD_RETURN_IF_ERROR(RecomputeClock(clock, def, cal));
  }
  clock.stopped_at = at;
  clock.state = clock.due_at && at <= *clock.due_at ? ClockState::kMet : ClockState::kBreached;
  return {};
}

Status WaiveClock(ClockInstance& clock, std::string reason) {
  if (reason.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "waiving a clock needs a reason", "reason");
  }
  if (!IsOpen(clock.state)) {
    return Fail(ErrorCode::kFailedPrecondition,
                fmt::format("clock is already {}", ClockStateName(clock.state)));
  }
  clock.state = ClockState::kWaived;
  clock.waive_reason = std::move(reason);
  return {};
}

ClockState StateAt(const ClockInstance& clock, Instant now) {
  if (clock.state == ClockState::kRunning && clock.due_at && now > *clock.due_at) {
    return ClockState::kBreached;
  }
  return clock.state;
}

RecomputeSummary RecomputeClocks(std::span<ClockInstance> clocks, const ClockDefinition& def,
                                 const Calendar& cal) {
  RecomputeSummary summary;
  for (ClockInstance& clock : clocks) {
    if (!IsOpen(clock.state)) continue;
    const std::optional<Instant> before = clock.due_at;
    if (!RecomputeClock(clock, def, cal, /*with_text=*/false)) {
      ++summary.failed;
      continue;
    }
    if (clock.due_at != before || clock.rule_text.empty()) {
      clock.rule_text = RuleText(def, cal, clock);
    }
    ++summary.recomputed;
  }
  return summary;
}

}  // namespace ombud::domain
