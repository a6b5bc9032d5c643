#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/clock.hpp"
#include "domain/result.hpp"
#include "domain/time/calendar.hpp"

namespace ombud::domain {

// What a deadline clock counts.
enum class TargetUnit {
  kWorkingDays,     // "10 working days from receipt" (Calendar::AddWorkingDays).
  kWorkingSeconds,  // Working time on the calendar ("24 working hours").
  kCalendarSeconds  // Elapsed time, calendar ignored ("24 hours", R-SMT-2).
};

struct ClockTarget {
  TargetUnit unit = TargetUnit::kWorkingDays;
  int64_t amount = 0;  // Days, or seconds.
};

// A warning fires at `percent` of the target, or `before` (working time for working
// targets, elapsed time for calendar targets) ahead of the due time; set exactly one.
struct WarningThreshold {
  std::optional<int> percent;
  std::optional<std::chrono::seconds> before;
};

// A clock as a pack defines it (R-MET-7: "reply", start "received", stop "answered",
// 10 working days). `pause_events` empty: the clock cannot pause.
struct ClockDefinition {
  std::string name;
  std::string start_event;
  std::string stop_event;
  ClockTarget target;
  std::string calendar;
  std::vector<std::string> pause_events;
  std::vector<WarningThreshold> warnings;
  WorkingDayRule day_rule;
};

enum class ClockState { kRunning, kPaused, kMet, kBreached, kWaived };
std::string_view ClockStateName(ClockState state);

struct PauseRecord {
  Instant from;
  std::optional<Instant> to;  // nullopt: still paused.
  std::string reason;
  std::string who;
};

// One running deadline of one ticket. Plain data; the functions below keep it consistent.
struct ClockInstance {
  std::string definition;
  Instant started_at;
  std::vector<PauseRecord> pauses;
  std::optional<Instant> due_at;  // nullopt while paused (it depends on when it resumes).
  std::optional<Instant> stopped_at;
  ClockState state = ClockState::kRunning;
  std::string waive_reason;
  std::vector<Instant> warn_at;  // One per definition warning, same order; empty while paused.
  // How due_at came about, e.g. "10 working days from receipt on 2026-02-13 09:00 → 2026-03-06
  // 16:30 +07 (Asia/Ho_Chi_Minh); skipped Tết Nguyên Đán 2026-02-16..2026-02-20".
  std::string rule_text;
};

// Starts a clock at `at` and computes its due time.
[[nodiscard]] Result<ClockInstance> StartClock(const ClockDefinition& definition,
                                               const Calendar& calendar, Instant at);
// Pauses on `event`; kFailedPrecondition when the definition does not allow it or the clock
// is not running, kInvalidArgument when `at` precedes the start or the last pause.
[[nodiscard]] Status PauseClock(ClockInstance& clock, const ClockDefinition& definition,
                                const Calendar& calendar, Instant at, std::string_view event,
                                std::string reason, std::string who);
[[nodiscard]] Status ResumeClock(ClockInstance& clock, const ClockDefinition& definition,
                                 const Calendar& calendar, Instant at);
// Stops a running or paused clock: met when `at` <= due, else breached.
[[nodiscard]] Status StopClock(ClockInstance& clock, const ClockDefinition& definition,
                               const Calendar& calendar, Instant at);
// Waives an open clock; `reason` must not be empty.
[[nodiscard]] Status WaiveClock(ClockInstance& clock, std::string reason);
// The state as seen at `now`: a running clock past its due time reads as breached.
ClockState StateAt(const ClockInstance& clock, Instant now);

// Recomputes due_at, warn_at and (when `with_text`) rule_text from the start, the pause
// ledger and the calendar; closed clocks keep their state.
[[nodiscard]] Status RecomputeClock(ClockInstance& clock, const ClockDefinition& definition,
                                    const Calendar& calendar, bool with_text = true);

struct RecomputeSummary {
  size_t recomputed = 0;
  size_t failed = 0;  // Due time outside the calendar's range; clock left unchanged.
};
// After a calendar change: recomputes every open clock of `definition` in `clocks`. Rule texts
// are rebuilt only for clocks whose due time moved. Single-threaded; callers may shard.
RecomputeSummary RecomputeClocks(std::span<ClockInstance> clocks, const ClockDefinition& definition,
                                 const Calendar& calendar);

// "10 working days", "24 working hours", "24 calendar hours", "90 working minutes".
std::string DescribeTarget(const ClockTarget& target);

}  // namespace ombud::domain
