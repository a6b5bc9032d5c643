#pragma once

#include <boost/json.hpp>

#include <string>

#include "domain/model.hpp"

// JSON shapes of the API (docs/api.md).
namespace ombud::api {

// RFC 3339 UTC with milliseconds: 2026-11-22T04:30:11.123Z
std::string FormatTime(domain::Millis ms);

boost::json::object ToJson(const domain::Ticket& t);
boost::json::object ToJson(const domain::Article& a);
boost::json::object ToJson(const domain::Customer& c);
boost::json::object ToJson(const domain::User& u);
boost::json::object ToJson(const domain::Department& d);

}  // namespace ombud::api
