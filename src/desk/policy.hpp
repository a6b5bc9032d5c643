#pragma once

#include <map>
#include <memory>
#include <string>

#include "domain/pack/pack.hpp"
#include "domain/result.hpp"
#include "domain/time/calendar.hpp"

namespace ombud::desk {

// The active policy pack with its calendars compiled. Immutable once built, so it is shared
// by every thread; a new pack means a new Policy.
class Policy {
 public:
  static Result<std::shared_ptr<const Policy>> Build(domain::Pack pack);

  const domain::Pack& pack() const { return pack_; }
  // The compiled calendar `name` ("" = the pack's default).
  Result<const domain::Calendar*> CalendarFor(const std::string& name) const;
  // The calendar a department works on.
  Result<const domain::Calendar*> DepartmentCalendar(const std::string& department_key) const;

 private:
  explicit Policy(domain::Pack pack) : pack_(std::move(pack)) {}
  domain::Pack pack_;
  std::map<std::string, domain::Calendar> calendars_;
};

}  // namespace ombud::desk
