#include "domain/time/time_format.hpp"

#include <fmt/format.h>
#include <array>
#include <cctype>
#include <cstdio>

namespace ombud::domain {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;
using std::chrono::year_month_day;

// Reads exactly `width` digits at `pos`; advances `pos`.
bool ReadDigits(std::string_view text, size_t& pos, size_t width, int& out) {
  if (pos + width > text.size()) return false;
  int value = 0;
  for (size_t i = 0; i < width; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += width;
  out = value;
  return true;
}

bool Expect(std::string_view text, size_t& pos, char c) {
  if (pos < text.size() && text[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

bool ReadDate(std::string_view text, size_t& pos, Date& out) {
  int y = 0, m = 0, d = 0;
  if (!ReadDigits(text, pos, 4, y) || !Expect(text, pos, '-') || !ReadDigits(text, pos, 2, m) ||
      !Expect(text, pos, '-') || !ReadDigits(text, pos, 2, d)) {
    return false;
  }
  year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return false;
  out = Date{ymd};
  return true;
}

// HH:MM[:SS]
bool ReadClock(std::string_view text, size_t& pos, int32_t& out) {
  int h = 0, m = 0, s = 0;
  if (!ReadDigits(text, pos, 2, h) || !Expect(text, pos, ':') || !ReadDigits(text, pos, 2, m)) {
    return false;
  }
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
    if (!ReadDigits(text, pos, 2, s)) return false;
  }
  if (m > 59 || s > 59 || h > 24 || (h == 24 && (m != 0 || s != 0))) return false;
  out = h * 3600 + m * 60 + s;
  return true;
}

}  // namespace

Result<Date> ParseDate(std::string_view text) {
  text = Trim(text);
  size_t pos = 0;
  Date date;
  if (!ReadDate(text, pos, date) || pos != text.size()) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("invalid date '{}' (expected YYYY-MM-DD)", text));
  }
  return date;
}

Result<std::pair<Date, Date>> ParseDateRange(std::string_view text) {
  text = Trim(text);
  size_t dots = text.find("..");
  if (dots == std::string_view::npos) {
    OMBUD_ASSIGN_OR_RETURN(Date date, ParseDate(text));
    return std::pair{date, date};
  }
  OMBUD_ASSIGN_OR_RETURN(Date first, ParseDate(text.substr(0, dots)));
  OMBUD_ASSIGN_OR_RETURN(Date last, ParseDate(text.substr(dots + 2)));
  if (last < first) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("date range '{}' ends before it begins", text));
  }
  return std::pair{first, last};
}

std::string FormatDate(Date date) {
  year_month_day ymd{date};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

Result<int32_t> ParseTimeOfDay(std::string_view text) {
  text = Trim(text);
  size_t pos = 0;
  int32_t seconds = 0;
  if (!ReadClock(text, pos, seconds) || pos != text.size()) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("invalid time of day '{}' (expected HH:MM, 00:00..24:00)", text));
  }
  return seconds;
}

Result<TimeOfDayRange> ParseTimeOfDayRange(std::string_view text) {
  text = Trim(text);
  size_t dash = text.find('-');
  if (dash == std::string_view::npos) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("invalid hours '{}' (expected HH:MM-HH:MM)", text));
  }
  OMBUD_ASSIGN_OR_RETURN(int32_t begin, ParseTimeOfDay(text.substr(0, dash)));
  OMBUD_ASSIGN_OR_RETURN(int32_t end, ParseTimeOfDay(text.substr(dash + 1)));
  if (begin == kSecondsPerDay) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("hours '{}' cannot begin at 24:00", text));
  }
  if (begin == end) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("hours '{}' are empty", text));
  }
  if (end < begin) end += kSecondsPerDay;  // Crosses midnight into the next date.
  return TimeOfDayRange{begin, end};
}

std::string FormatTimeOfDay(int32_t seconds) {
  if (seconds % 60 != 0) {
    return fmt::format("{:02}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60);
  }
  return fmt::format("{:02}:{:02}", seconds / 3600, seconds / 60 % 60);
}

Result<Instant> ParseInstant(std::string_view text) {
  text = Trim(text);
  auto fail = [&] {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("invalid instant '{}' (expected YYYY-MM-DDTHH:MM:SSZ or an offset "
                            "such as +07:00)",
                            text));
  };
  size_t pos = 0;
  Date date;
  if (!ReadDate(text, pos, date)) return fail();
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')) {
    return fail();
  }
  ++pos;
  int32_t clock = 0;
  if (!ReadClock(text, pos, clock) || clock == kSecondsPerDay) return fail();
  int offset = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = 0, om = 0;
    if (!ReadDigits(text, pos, 2, oh)) return fail();
    Expect(text, pos, ':');
    if (!ReadDigits(text, pos, 2, om) || oh > 18 || om > 59) return fail();
    offset = sign * (oh * 3600 + om * 60);
  } else {
    return fail();
  }
  if (pos != text.size()) return fail();
  return Instant{date} + std::chrono::seconds{clock - offset};
}

std::string FormatInstant(Instant instant) {
  Date date = std::chrono::floor<std::chrono::days>(instant);
  int64_t secs = (instant - Instant{date}).count();
  return fmt::format("{}T{:02}:{:02}:{:02}Z", FormatDate(date), secs / 3600, secs / 60 % 60,
                     secs % 60);
}

namespace {
constexpr std::array<std::string_view, 7> kShortDays = {"mon", "tue", "wed", "thu",
                                                        "fri", "sat", "sun"};
constexpr std::array<std::string_view, 7> kLongDays = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
}  // namespace

Result<int> ParseWeekday(std::string_view text) {
  std::string lower;
  for (char c : Trim(text)) lower.push_back(static_cast<char>(std::tolower(c)));
  for (int i = 0; i < 7; ++i) {
    if (lower == kShortDays[i] || lower == kLongDays[i]) return i;
  }
  return Fail(ErrorCode::kInvalidArgument,
              fmt::format("unknown weekday '{}' (expected mon..sun)", text));
}

std::string_view WeekdayName(int iso_index) { return kShortDays.at(iso_index); }

}  // namespace ombud::domain
