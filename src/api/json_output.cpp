#include "api/json_output.hpp"

#include <chrono>
#include <cstdio>

namespace ombud::api {

namespace json = boost::json;

namespace {

json::value OptId(const std::optional<domain::Id>& id) {
  if (id) return json::value(*id);
  return nullptr;
}

// A stored JSON object; most tickets have none, so "{}" skips the parser.
json::value ObjectOrEmpty(const std::string& text) {
  if (text.empty() || text == "{}") return json::object{};
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return json::object{};
  return v;
}

}  // namespace

std::string FormatTime(domain::Millis ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> t{milliseconds(ms)};
  const auto day = floor<days>(t);
  const year_month_day ymd(day);
  const hh_mm_ss hms(floor<milliseconds>(t - day));
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
                static_cast<int>(hms.subseconds().count()));
  return buf;
}

json::object ToJson(const domain::Ticket& t) {
  json::value custom = ObjectOrEmpty(t.custom_fields_json);
  json::value flags = ObjectOrEmpty(t.flags_json);
  return {{"id", t.id},
          {"number", t.number},
          {"kind", domain::Name(t.kind)},
          {"channel", domain::Name(t.channel)},
          {"customer_id", t.customer_id},
          {"subject", t.subject},
          {"category", t.category},
          {"product", t.product},
          {"incident_date", t.incident_date},
          {"state", domain::Name(t.state)},
          {"department_id", OptId(t.department_id)},
          {"owner_id", OptId(t.owner_id)},
          {"custom_fields", std::move(custom)},
          {"created_at", FormatTime(t.created_at)},
          {"updated_at", FormatTime(t.updated_at)},
          {"complaint_type", t.complaint_type},
          {"language", t.language},
          {"flags", std::move(flags)}};
}

json::object ToJson(const domain::Article& a) {
  json::array attachments;
  for (const auto& at : a.attachments) {
    attachments.push_back(json::object{{"id", at.id},
                                       {"filename", at.filename},
                                       {"content_type", at.content_type},
                                       {"size", at.size},
                                       {"sha", at.sha}});
  }
  return {{"id", a.id},
          {"ticket_id", a.ticket_id},
          {"direction", domain::Name(a.direction)},
          {"channel", domain::Name(a.channel)},
          {"author_user_id", OptId(a.author_user_id)},
          {"author_customer_id", OptId(a.author_customer_id)},
          {"body", a.body},
          {"attachments", std::move(attachments)},
          {"created_at", FormatTime(a.created_at)}};
}

json::object ToJson(const domain::Customer& c) {
  json::array identities;
  for (const auto& i : c.identities) {
    identities.push_back(json::object{{"kind", domain::Name(i.kind)}, {"value", i.value}});
  }
  return {{"id", c.id},
          {"name", c.name},
          {"language", c.language},
          {"identities", std::move(identities)},
          {"merged_into", OptId(c.merged_into)},
          {"created_at", FormatTime(c.created_at)}};
}

json::object ToJson(const domain::User& u) {
  return {{"id", u.id},
          {"login", u.login},
          {"display_name", u.display_name},
          {"role", domain::Name(u.role)},
          {"department_id", OptId(u.department_id)},
          {"customer_id", OptId(u.customer_id)},
          {"active", u.active},
          {"created_at", FormatTime(u.created_at)}};
}

json::object ToJson(const domain::Department& d) {
  return {{"id", d.id},
          {"name", d.name},
          {"scope", json::array(d.scope.begin(), d.scope.end())},
          {"created_at", FormatTime(d.created_at)},
          {"key", d.key},
          {"owner", d.owner}};
}

}  // namespace ombud::api
