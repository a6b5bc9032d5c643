#include "desk/policy.hpp"

namespace ombud::desk {

Result<std::shared_ptr<const Policy>> Policy::Build(domain::Pack pack) {
  std::shared_ptr<Policy> policy(new Policy(std::move(pack)));
  for (const auto& [name, spec] : policy->pack_.calendars) {
    auto compiled = domain::Calendar::Compile(spec);
    if (!compiled) {
      return Fail(compiled.error().code, "calendar " + name + ": " + compiled.error().message,
                  "calendars." + name);
    }
    policy->calendars_.emplace(name, std::move(*compiled));
  }
  return std::shared_ptr<const Policy>(std::move(policy));
}

Result<const domain::Calendar*> Policy::CalendarFor(const std::string& name) const {
  const std::string& key = name.empty() ? pack_.default_calendar : name;
  const auto it = calendars_.find(key);
  if (it == calendars_.end()) {
    return Fail(ErrorCode::kFailedPrecondition, "the pack has no calendar " + key, "calendar");
  }
  return &it->second;
}

Result<const domain::Calendar*> Policy::DepartmentCalendar(
    const std::string& department_key) const {
  OMBUD_ASSIGN_OR_RETURN(const auto* dept, domain::FindDepartment(pack_, department_key));
  return CalendarFor(dept->calendar);
}

}  // namespace ombud::desk
