#include "app/calendar_file.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace ombud::app {
namespace {

using domain::CalendarSpec;
using domain::TimeOfDayRange;

std::unexpected<Error> Bad(std::string_view source, const YAML::Node& node, std::string_view key,
                           std::string_view what) {
  std::string where(source);
  if (node.IsDefined() && node.Mark().line >= 0)
    where += ":" + std::to_string(node.Mark().line + 1);
  return Fail(ErrorCode::kInvalidArgument,
              where + ": " + std::string(key) + ": " + std::string(what), std::string(key));
}

Result<std::vector<TimeOfDayRange>> ParseRanges(std::string_view source, const YAML::Node& node,
                                                std::string_view key) {
  if (!node.IsSequence()) {
    return Bad(source, node, key, "expected a list of \"HH:MM-HH:MM\" ranges");
  }
  std::vector<TimeOfDayRange> out;
  for (const YAML::Node& item : node) {
    if (!item.IsScalar()) return Bad(source, item, key, "expected \"HH:MM-HH:MM\"");
    auto range = domain::ParseTimeOfDayRange(item.Scalar());
    if (!range) return Bad(source, item, key, range.error().message);
    out.push_back(*range);
  }
  return out;
}

Result<std::vector<domain::NamedDateRange>> ParseDateList(std::string_view source,
                                                          const YAML::Node& node,
                                                          std::string_view key) {
  if (!node.IsSequence()) {
    return Bad(source, node, key, "expected a list of dates or \"FIRST..LAST\" ranges");
  }
  std::vector<domain::NamedDateRange> out;
  for (const YAML::Node& item : node) {
    std::string text;
    std::string name;
    if (item.IsScalar()) {
      text = item.Scalar();
    } else if (item.IsMap() && item["date"] && item["date"].IsScalar()) {
      text = item["date"].Scalar();
      if (item["name"]) name = item["name"].as<std::string>("");
    } else {
      return Bad(source, item, key, "expected \"YYYY-MM-DD\", \"FIRST..LAST\" or {date, name}");
    }
    auto range = domain::ParseDateRange(text);
    if (!range) return Bad(source, item, key, range.error().message);
    out.push_back({range->first, range->second, name});
  }
  return out;
}

Result<std::map<domain::Date, std::vector<TimeOfDayRange>>> ParseDatedRanges(
    std::string_view source, const YAML::Node& node, std::string_view key) {
  if (!node.IsMap()) return Bad(source, node, key, "expected a map of date -> list of ranges");
  std::map<domain::Date, std::vector<TimeOfDayRange>> out;
  for (const auto& entry : node) {
    auto date = domain::ParseDate(entry.first.as<std::string>(""));
    if (!date) return Bad(source, entry.first, key, date.error().message);
    OMBUD_ASSIGN_OR_RETURN(auto ranges, ParseRanges(source, entry.second, key));
    out[*date] = std::move(ranges);
  }
  return out;
}

Result<CalendarSpec> FromNode(const YAML::Node& root, std::string_view source,
                              const std::string* base_dir, int depth) {
  if (!root.IsMap()) return Bad(source, root, "calendar", "expected a mapping of calendar keys");
  CalendarSpec spec;
  static const std::set<std::string> kKeys = {"name",
                                              "timezone",
                                              "weekly",
                                              "holidays",
                                              "not_holidays",
                                              "country_holidays",
                                              "country_decisions",
                                              "hours_on",
                                              "breaks_on",
                                              "due_at_close",
                                              "extends"};
  for (const auto& entry : root) {
    const std::string key = entry.first.as<std::string>("");
    const YAML::Node& value = entry.second;
    if (!kKeys.contains(key)) return Bad(source, entry.first, key, "unknown key");
    if (key == "name") {
      spec.name = value.as<std::string>("");
    } else if (key == "timezone") {
      if (!value.IsScalar()) return Bad(source, value, key, "expected an IANA zone name");
      if (auto zone = domain::TimeZone::Locate(value.Scalar()); !zone) {
        return Bad(source, value, key, zone.error().message);
      }
      spec.timezone = value.Scalar();
    } else if (key == "weekly") {
      if (!value.IsMap()) return Bad(source, value, key, "expected a map of weekday -> ranges");
      for (const auto& day : value) {
        auto index = domain::ParseWeekday(day.first.as<std::string>(""));
        if (!index) return Bad(source, day.first, key, index.error().message);
        if (day.second.IsNull()) {
          spec.weekly[*index] = std::vector<TimeOfDayRange>{};
          continue;
        }
        OMBUD_ASSIGN_OR_RETURN(auto ranges, ParseRanges(source, day.second, "weekly"));
        spec.weekly[*index] = std::move(ranges);
      }
    } else if (key == "holidays") {
      OMBUD_ASSIGN_OR_RETURN(spec.holidays, ParseDateList(source, value, key));
    } else if (key == "not_holidays") {
      OMBUD_ASSIGN_OR_RETURN(spec.not_holidays, ParseDateList(source, value, key));
    } else if (key == "country_holidays") {
      auto country = domain::ParseCountry(value.IsScalar() ? value.Scalar() : "");
      if (!country) return Bad(source, value, key, country.error().message);
      spec.country_holidays = *country;
    } else if (key == "country_decisions") {
      bool flag = false;
      if (!YAML::convert<bool>::decode(value, flag)) {
        return Bad(source, value, key, "expected true or false");
      }
      spec.country_decisions = flag;
    } else if (key == "hours_on") {
      OMBUD_ASSIGN_OR_RETURN(spec.hours_on, ParseDatedRanges(source, value, key));
    } else if (key == "breaks_on") {
      OMBUD_ASSIGN_OR_RETURN(spec.breaks_on, ParseDatedRanges(source, value, key));
    } else if (key == "due_at_close") {
      const std::string v = value.as<std::string>("");
      if (v == "closing_instant") {
        spec.due_at_close = domain::DueAtClose::kClosingInstant;
      } else if (v == "next_opening") {
        spec.due_at_close = domain::DueAtClose::kNextOpening;
      } else {
        return Bad(source, value, key, "expected closing_instant or next_opening");
      }
    }
  }
  if (const YAML::Node parent = root["extends"]) {
    if (base_dir == nullptr) {
      return Bad(source, parent, "extends", "not allowed in an embedded calendar");
    }
    if (depth > 8) return Bad(source, parent, "extends", "calendars extend each other in a loop");
    const std::filesystem::path path =
        std::filesystem::path(*base_dir) / parent.as<std::string>("");
    std::ifstream in(path);
    if (!in) return Bad(source, parent, "extends", "cannot read " + path.string());
    std::stringstream text;
    text << in.rdbuf();
    YAML::Node parent_root;
    try {
      parent_root = YAML::Load(text.str());
    } catch (const YAML::Exception& e) {
      return Fail(ErrorCode::kInvalidArgument,
                  path.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    const std::string parent_dir = path.parent_path().string();
    OMBUD_ASSIGN_OR_RETURN(CalendarSpec base,
                           FromNode(parent_root, path.string(), &parent_dir, depth + 1));
    return domain::InheritCalendar(base, spec);
  }
  if (spec.timezone.empty() && depth == 0) {
    return Bad(source, root, "timezone", "missing (every calendar needs an IANA time zone)");
  }
  return spec;
}

}  // namespace

Result<CalendarSpec> ParseCalendarYaml(std::string_view text, std::string_view source,
                                       const std::string& base_dir) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(source) + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return FromNode(root, source, &base_dir, 0);
}

Result<CalendarSpec> CalendarSpecFromYaml(const YAML::Node& node, std::string_view source) {
  return FromNode(node, source, nullptr, 0);
}

Result<CalendarSpec> LoadCalendarFile(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return Fail(ErrorCode::kInvalidArgument, path + ": cannot read calendar file", "calendar");
  std::stringstream text;
  text << in.rdbuf();
  return ParseCalendarYaml(text.str(), path, std::filesystem::path(path).parent_path().string());
}

}  // namespace ombud::app
