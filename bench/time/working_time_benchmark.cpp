#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "domain/time/calendar.hpp"
#include "domain/time/deadline_clock.hpp"

namespace ombud::domain {
namespace {

CalendarSpec OfficeSpec() {
  CalendarSpec spec;
  spec.timezone = "Asia/Ho_Chi_Minh";
  for (int d = 0; d < 5; ++d) {
    spec.weekly[d] = {*ParseTimeOfDayRange("08:00-12:00"), *ParseTimeOfDayRange("13:30-16:30")};
  }
  spec.country_holidays = Country::kVietnam;
  return spec;
}

const Calendar& Office() {
  static const Calendar cal = *Calendar::Compile(OfficeSpec());
  return cal;
}

// Instants spread over 2024..2027 so lookups do not stay in cache lines of one day.
std::vector<Instant> Instants(size_t n) {
  std::vector<Instant> out;
  uint64_t s = 88172645463325252ULL;
  const int64_t base = ParseInstant("2024-01-01T00:00:00Z")->time_since_epoch().count();
  for (size_t i = 0; i < n; ++i) {
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    out.push_back(
        Instant{std::chrono::seconds{base + static_cast<int64_t>(s % (3 * 365 * 86400ULL))}});
  }
  return out;
}

void BM_AddWorkingDays(benchmark::State& state) {
  const Calendar& cal = Office();
  const std::vector<Instant> at = Instants(4096);
  size_t i = 0;
  for (auto _ : state) {
    auto r = cal.AddWorkingDays(at[i++ & 4095], 10);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AddWorkingDays);

void BM_AddWorkingTime(benchmark::State& state) {
  const Calendar& cal = Office();
  const std::vector<Instant> at = Instants(4096);
  size_t i = 0;
  for (auto _ : state) {
    auto r = cal.AddWorkingTime(at[i++ & 4095], std::chrono::hours{24});
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AddWorkingTime);

void BM_WorkingTimeBetween(benchmark::State& state) {
  const Calendar& cal = Office();
  const std::vector<Instant> at = Instants(4096);
  size_t i = 0;
  for (auto _ : state) {
    auto r = cal.WorkingTimeBetween(at[i & 4095], at[(i + 1) & 4095]);
    ++i;
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WorkingTimeBetween);

void BM_CompileCalendar(benchmark::State& state) {
  const CalendarSpec spec = OfficeSpec();
  for (auto _ : state) {
    auto cal = Calendar::Compile(spec);
    benchmark::DoNotOptimize(cal);
  }
}
BENCHMARK(BM_CompileCalendar)->Unit(benchmark::kMillisecond);

// A calendar change (one new holiday) followed by recomputing 1,000,000 open clocks.
void BM_RecomputeMillionClocks(benchmark::State& state) {
  CalendarSpec spec = OfficeSpec();
  const Calendar& before = Office();
  ClockDefinition def;
  def.name = "reply";
  def.start_event = "receipt";
  def.target = {TargetUnit::kWorkingDays, 10};
  def.warnings = {{80, std::nullopt}};
  const std::vector<Instant> at = Instants(1'000'000);
  std::vector<ClockInstance> clocks;
  clocks.reserve(at.size());
  for (Instant t : at) clocks.push_back(*StartClock(def, before, t));
  bool flip = false;
  for (auto _ : state) {
    state.PauseTiming();
    CalendarSpec changed = spec;
    if (flip)
      changed.holidays.push_back({*ParseDate("2025-06-02"), *ParseDate("2025-06-06"), "storm"});
    flip = !flip;
    Calendar cal = *Calendar::Compile(changed);
    state.ResumeTiming();
    RecomputeSummary summary = RecomputeClocks(clocks, def, cal);
    benchmark::DoNotOptimize(summary);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(clocks.size()));
}
BENCHMARK(BM_RecomputeMillionClocks)->Unit(benchmark::kMillisecond)->Iterations(4);

}  // namespace
}  // namespace ombud::domain
