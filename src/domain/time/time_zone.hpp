#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "domain/clock.hpp"
#include "domain/result.hpp"

namespace date {
class time_zone;
}  // namespace date

namespace ombud::domain {

// An IANA time zone (rules from the system tz database through Howard Hinnant's date-tz
// library; no offset tables of our own). Cheap to copy; the zone data lives for the
// whole process. Thread-safe.
class TimeZone {
 public:
  // kInvalidArgument when `name` is not an IANA zone ("Asia/Ho_Chi_Minh", "UTC", ...).
  [[nodiscard]] static Result<TimeZone> Locate(std::string_view name);

  const std::string& name() const { return name_; }

  // Local wall time -> instant. A wall time that does not exist (inside a spring-forward
  // gap) maps to the instant the gap ends; one that occurs twice (fall-back overlap) maps
  // to its first occurrence.
  Instant ToUtc(std::chrono::local_seconds local) const;
  // Instant -> local wall time.
  std::chrono::local_seconds ToLocal(Instant instant) const;
  // Abbreviation in force at `instant` as the tz database spells it ("CET", "+07").
  std::string Abbreviation(Instant instant) const;
  // UTC offset in force at `instant`.
  std::chrono::seconds Offset(Instant instant) const;

 private:
  TimeZone(const date::time_zone* zone, std::string name) : zone_(zone), name_(std::move(name)) {}

  const date::time_zone* zone_;
  std::string name_;
};

}  // namespace ombud::domain
