#pragma once

#include <string>
#include <string_view>

#include "domain/result.hpp"
#include "domain/time/calendar.hpp"

namespace YAML {
class Node;
}  // namespace YAML

namespace ombud::app {

// Reads a calendar file (YAML, see docs/calendars.md) into a CalendarSpec, following
// `extends:` to a parent calendar file (path relative to the file). Errors are
// kInvalidArgument with a message "FILE:LINE: KEY: what is wrong".
[[nodiscard]] Result<domain::CalendarSpec> LoadCalendarFile(const std::string& path);

// Parses calendar YAML text; `source` names it in error messages. `extends:` is resolved
// relative to `base_dir` (empty: the working directory).
[[nodiscard]] Result<domain::CalendarSpec> ParseCalendarYaml(std::string_view text,
                                                             std::string_view source,
                                                             const std::string& base_dir = {});

// The same structure embedded in a pack: `node` is the calendar's mapping; `source` names
// the pack file in errors. `extends:` is not allowed here (packs name parents themselves).
[[nodiscard]] Result<domain::CalendarSpec> CalendarSpecFromYaml(const YAML::Node& node,
                                                                std::string_view source);

}  // namespace ombud::app
