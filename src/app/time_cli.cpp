#include "app/time_cli.hpp"

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "app/calendar_file.hpp"
#include "domain/time/calendar.hpp"
#include "domain/time/holidays.hpp"

namespace ombud::app {
namespace {

using domain::Calendar;
using domain::FormatInstant;
using domain::Pause;

constexpr int kBadInput = 2;

struct TimeArgs {
  std::string calendar;
  std::string from;
  std::vector<std::string> pauses;
  std::vector<std::string> positional;
  int64_t seconds = 0;
  int64_t minutes = 0;
  int64_t hours = 0;
  int working_days = 0;
  CLI::Option* seconds_opt = nullptr;
  CLI::Option* minutes_opt = nullptr;
  CLI::Option* hours_opt = nullptr;
  CLI::Option* days_opt = nullptr;
};

struct HolidayArgs {
  std::string country;
  int year = 0;
  bool no_decisions = false;
};

int Report(const Error& error) {
  std::cerr << "ombud: error: " << error.message << "\n";
  return kBadInput;
}

Result<Calendar> LoadCalendar(const std::string& path) {
  OMBUD_ASSIGN_OR_RETURN(domain::CalendarSpec spec, LoadCalendarFile(path));
  auto cal = Calendar::Compile(spec);
  if (!cal) return Fail(ErrorCode::kInvalidArgument, path + ": " + cal.error().message);
  return cal;
}

Result<std::vector<Pause>> ParsePauses(const std::vector<std::string>& texts) {
  std::vector<Pause> out;
  for (const std::string& text : texts) {
    const size_t dots = text.find("..");
    if (dots == std::string::npos) {
      return Fail(ErrorCode::kInvalidArgument,
                  "--pause '" + text + "': expected FROM..TO (two instants)", "pause");
    }
    OMBUD_ASSIGN_OR_RETURN(Instant from, domain::ParseInstant(text.substr(0, dots)));
    OMBUD_ASSIGN_OR_RETURN(Instant to, domain::ParseInstant(text.substr(dots + 2)));
    if (to < from) {
      return Fail(ErrorCode::kInvalidArgument, "--pause '" + text + "' ends before it begins",
                  "pause");
    }
    out.push_back({from, to});
  }
  return out;
}

// Exactly one amount option; its value in seconds (or days when `days`).
Result<int64_t> Amount(const TimeArgs& a, bool& days) {
  int given = 0;
  int64_t value = 0;
  days = false;
  if (*a.seconds_opt) ++given, value = a.seconds;
  if (*a.minutes_opt) ++given, value = a.minutes * 60;
  if (*a.hours_opt) ++given, value = a.hours * 3600;
  if (*a.days_opt) ++given, value = a.working_days, days = true;
  if (given != 1) {
    return Fail(ErrorCode::kInvalidArgument,
                "give exactly one of --seconds, --minutes, --hours, --working-days");
  }
  if (value < 0) return Fail(ErrorCode::kInvalidArgument, "the amount must not be negative");
  return value;
}

Result<Instant> AddOrSub(const TimeArgs& a, bool subtract) {
  OMBUD_ASSIGN_OR_RETURN(Calendar cal, LoadCalendar(a.calendar));
  OMBUD_ASSIGN_OR_RETURN(Instant from, domain::ParseInstant(a.from));
  bool days = false;
  OMBUD_ASSIGN_OR_RETURN(int64_t amount, Amount(a, days));
  OMBUD_ASSIGN_OR_RETURN(std::vector<Pause> pauses, ParsePauses(a.pauses));
  if (subtract) {
    if (!pauses.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "--pause applies to add and between only");
    }
    if (days) return cal.SubtractWorkingDays(from, static_cast<int>(amount));
    return cal.AddWorkingTime(from, -std::chrono::seconds{amount});
  }
  if (!days) return cal.AddWorkingTime(from, std::chrono::seconds{amount}, pauses);
  OMBUD_ASSIGN_OR_RETURN(Instant due, cal.AddWorkingDays(from, static_cast<int>(amount)));
  if (pauses.empty()) return due;
  // Pauses move a working-day due time later by the working time they covered.
  OMBUD_ASSIGN_OR_RETURN(std::chrono::seconds budget, cal.WorkingTimeBetween(from, due));
  return cal.AddWorkingTime(from, budget, pauses);
}

void AddAmountOptions(CLI::App* cmd, TimeArgs& a) {
  cmd->add_option("--calendar", a.calendar, "Calendar file (YAML)")->required();
  cmd->add_option("--from", a.from, "Start instant, e.g. 2026-02-13T02:00:00Z")->required();
  a.seconds_opt = cmd->add_option("--seconds", a.seconds, "Working seconds");
  a.minutes_opt = cmd->add_option("--minutes", a.minutes, "Working minutes");
  a.hours_opt = cmd->add_option("--hours", a.hours, "Working hours");
  a.days_opt = cmd->add_option("--working-days", a.working_days, "Working days");
}

}  // namespace

void RegisterTimeCommands(CLI::App& app, int& exit_code) {
  auto add_args = std::make_shared<TimeArgs>();
  auto sub_args = std::make_shared<TimeArgs>();
  auto between_args = std::make_shared<TimeArgs>();
  auto open_args = std::make_shared<TimeArgs>();
  auto holiday_args = std::make_shared<HolidayArgs>();

  CLI::App* time = app.add_subcommand("time", "Working-time arithmetic on a calendar file");
  time->require_subcommand(1);

  CLI::App* add = time->add_subcommand("add", "Add working time or working days to an instant");
  AddAmountOptions(add, *add_args);
  add->add_option("--pause", add_args->pauses, "FROM..TO: the clock is stopped in that span");
  add->callback([add_args, &exit_code] {
    auto r = AddOrSub(*add_args, false);
    if (!r) {
      exit_code = Report(r.error());
      return;
    }
    std::cout << FormatInstant(*r) << "\n";
    exit_code = 0;
  });

  CLI::App* sub = time->add_subcommand("sub", "Subtract working time or working days");
  AddAmountOptions(sub, *sub_args);
  sub->callback([sub_args, &exit_code] {
    auto r = AddOrSub(*sub_args, true);
    if (!r) {
      exit_code = Report(r.error());
      return;
    }
    std::cout << FormatInstant(*r) << "\n";
    exit_code = 0;
  });

  CLI::App* between = time->add_subcommand("between", "Working seconds from A to B");
  between->add_option("--calendar", between_args->calendar, "Calendar file (YAML)")->required();
  between->add_option("instants", between_args->positional, "A B")->expected(2)->required();
  between->add_option("--pause", between_args->pauses, "FROM..TO: not counted");
  between->callback([between_args, &exit_code] {
    auto run = [&]() -> Result<std::chrono::seconds> {
      OMBUD_ASSIGN_OR_RETURN(Calendar cal, LoadCalendar(between_args->calendar));
      OMBUD_ASSIGN_OR_RETURN(Instant a, domain::ParseInstant(between_args->positional[0]));
      OMBUD_ASSIGN_OR_RETURN(Instant b, domain::ParseInstant(between_args->positional[1]));
      OMBUD_ASSIGN_OR_RETURN(std::vector<Pause> pauses, ParsePauses(between_args->pauses));
      return cal.WorkingTimeBetween(a, b, pauses);
    };
    auto r = run();
    if (!r) {
      exit_code = Report(r.error());
      return;
    }
    std::cout << r->count() << "\n";
    exit_code = 0;
  });

  CLI::App* next_open = time->add_subcommand("next-open", "The next opening at or after AT");
  next_open->add_option("--calendar", open_args->calendar, "Calendar file (YAML)")->required();
  next_open->add_option("at", open_args->from, "Instant")->required();
  next_open->callback([open_args, &exit_code] {
    auto run = [&]() -> Result<Instant> {
      OMBUD_ASSIGN_OR_RETURN(Calendar cal, LoadCalendar(open_args->calendar));
      OMBUD_ASSIGN_OR_RETURN(Instant at, domain::ParseInstant(open_args->from));
      return cal.NextOpening(at);
    };
    auto r = run();
    if (!r) {
      exit_code = Report(r.error());
      return;
    }
    std::cout << FormatInstant(*r) << "\n";
    exit_code = 0;
  });

  CLI::App* calendar = app.add_subcommand("calendar", "Calendars and built-in holidays");
  calendar->require_subcommand(1);
  CLI::App* holidays = calendar->add_subcommand(
      "holidays", "Built-in public holidays, one 'YYYY-MM-DD name' a line");
  holidays->add_option("--country", holiday_args->country, "VN or KH")->required();
  holidays->add_option("--year", holiday_args->year, "2000..2100")->required();
  holidays->add_flag("--no-decisions", holiday_args->no_decisions,
                     "Rule-based days only, without built-in government decisions");
  holidays->callback([holiday_args, &exit_code] {
    auto run = [&]() -> Result<domain::HolidayYear> {
      OMBUD_ASSIGN_OR_RETURN(domain::Country country, domain::ParseCountry(holiday_args->country));
      return domain::PublicHolidays(country, holiday_args->year, !holiday_args->no_decisions);
    };
    auto r = run();
    if (!r) {
      exit_code = Report(r.error());
      return;
    }
    for (const domain::Holiday& h : r->days_off) {
      std::cout << domain::FormatDate(h.date) << " " << h.name << "\n";
    }
    exit_code = 0;
  });
}

}  // namespace ombud::app
