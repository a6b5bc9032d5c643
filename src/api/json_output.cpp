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
  const auto in_day = (t - day).count();  // Milliseconds since midnight.
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) return "0000-01-01T00:00:00.000Z";  // Outside RFC 3339.
  // Digits written by hand: snprintf was the largest cost of listing tickets.
  std::string out = "0000-00-00T00:00:00.000Z";
  auto put = [&out](std::size_t at, long long value, int width) {
    for (int i = width - 1; i >= 0; --i) {
      out[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(0, year, 4);
  put(5, static_cast<unsigned>(ymd.month()), 2);
  put(8, static_cast<unsigned>(ymd.day()), 2);
  put(11, in_day / 3'600'000, 2);
  put(14, in_day / 60'000 % 60, 2);
  put(17, in_day / 1000 % 60, 2);
  put(20, in_day % 1000, 3);
  return out;
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

void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t run = 0;  // Start of the pending run of characters that need no escape.
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    out += '\\';
    switch (c) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '\b':
        out += 'b';
        break;
      case '\f':
        out += 'f';
        break;
      case '\n':
        out += 'n';
        break;
      case '\r':
        out += 'r';
        break;
      case '\t':
        out += 't';
        break;
      default:
        out += "u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

namespace {

void AppendKey(std::string& out, std::string_view key) {
  out += '"';
  out += key;  // Keys are fixed ASCII names.
  out += "\":";
}

void AppendField(std::string& out, std::string_view key, std::string_view value) {
  AppendKey(out, key);
  AppendJsonString(out, value);
  out += ',';
}

void AppendField(std::string& out, std::string_view key, domain::Id value) {
  AppendKey(out, key);
  out += std::to_string(value);
  out += ',';
}

void AppendField(std::string& out, std::string_view key, std::optional<domain::Id> value) {
  if (value) return AppendField(out, key, *value);
  AppendKey(out, key);
  out += "null,";
}

// A stored JSON object (written by the store as serialized JSON) as it is; "{}" for none.
void AppendStoredObject(std::string& out, std::string_view key, std::string_view text) {
  AppendKey(out, key);
  if (text.size() >= 2 && text.front() == '{' && text.back() == '}') {
    out += text;
  } else {
    out += "{}";
  }
  out += ',';
}

}  // namespace

void AppendJson(std::string& out, const domain::Ticket& t) { AppendJson(out, domain::View(t)); }

void AppendJson(std::string& out, const domain::TicketView& t) {
  out += '{';
  AppendField(out, "id", t.id);
  AppendField(out, "number", t.number);
  AppendField(out, "kind", t.kind);
  AppendField(out, "channel", t.channel);
  AppendField(out, "customer_id", t.customer_id);
  AppendField(out, "subject", t.subject);
  AppendField(out, "category", t.category);
  AppendField(out, "product", t.product);
  AppendField(out, "incident_date", t.incident_date);
  AppendField(out, "state", t.state);
  AppendField(out, "department_id", t.department_id);
  AppendField(out, "owner_id", t.owner_id);
  AppendStoredObject(out, "custom_fields", t.custom_fields_json);
  AppendField(out, "created_at", FormatTime(t.created_at));
  AppendField(out, "updated_at", FormatTime(t.updated_at));
  AppendField(out, "complaint_type", t.complaint_type);
  AppendField(out, "language", t.language);
  AppendStoredObject(out, "flags", t.flags_json);
  out.back() = '}';
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
          {"created_at", FormatTime(a.created_at)},
          {"delivery",
           a.delivery.empty()
               ? json::value(nullptr)
               : json::value(json::object{{"state", a.delivery}, {"report", a.delivery_report}})}};
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
