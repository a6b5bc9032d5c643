#pragma once

#include <boost/json.hpp>

#include <string>
#include <string_view>

#include "domain/model.hpp"

// JSON shapes of the API (docs/api.md).
namespace ombud::api {

// RFC 3339 UTC with milliseconds: 2026-11-22T04:30:11.123Z
std::string FormatTime(domain::Millis ms);

boost::json::object ToJson(const domain::Ticket& t);
// Appends the same document as serialize(ToJson(t)) to `out` without building a json::value:
// ticket lists are the hottest read (tests/api/json_output_test.cpp keeps the two equal).
void AppendJson(std::string& out, const domain::Ticket& t);
void AppendJson(std::string& out, const domain::TicketView& t);
void AppendJson(std::string& out, const domain::Article& a);
void AppendJson(std::string& out, const domain::Customer& c);
// Appends `s` as a JSON string literal, escaped as boost::json::serialize escapes it.
void AppendJsonString(std::string& out, std::string_view s);
boost::json::object ToJson(const domain::Article& a);
boost::json::object ToJson(const domain::Customer& c);
boost::json::object ToJson(const domain::User& u);
boost::json::object ToJson(const domain::Department& d);

}  // namespace ombud::api
