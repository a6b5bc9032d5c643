#include "domain/time/time_zone.hpp"

#include <date/tz.h>

#include <fmt/format.h>
#include <exception>

namespace ombud::domain {

Result<TimeZone> TimeZone::Locate(std::string_view name) {
  // date-tz reports unknown zones (and an unreadable tz database) by throwing; this is the
  // module boundary where that becomes a Result.
  try {
    const date::time_zone* zone = date::locate_zone(name);
    return TimeZone(zone, std::string(name));
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("unknown time zone '{}' (expected an IANA name such as "
                            "Asia/Ho_Chi_Minh)",
                            name),
                "timezone");
  }
}

Instant TimeZone::ToUtc(std::chrono::local_seconds local) const {
  date::local_seconds l{local.time_since_epoch()};
  auto info = zone_->get_info(l);
  switch (info.result) {
    case date::local_info::unique:
    case date::local_info::ambiguous:
      return Instant{l.time_since_epoch() - info.first.offset};
    case date::local_info::nonexistent:
      return Instant{info.first.end.time_since_epoch()};
  }
  return Instant{l.time_since_epoch() - info.first.offset};
}

std::chrono::local_seconds TimeZone::ToLocal(Instant instant) const {
  date::sys_seconds s{instant.time_since_epoch()};
  auto info = zone_->get_info(s);
  return std::chrono::local_seconds{instant.time_since_epoch() + info.offset};
}

std::string TimeZone::Abbreviation(Instant instant) const {
  return zone_->get_info(date::sys_seconds{instant.time_since_epoch()}).abbrev;
}

std::chrono::seconds TimeZone::Offset(Instant instant) const {
  return zone_->get_info(date::sys_seconds{instant.time_since_epoch()}).offset;
}

}  // namespace ombud::domain
