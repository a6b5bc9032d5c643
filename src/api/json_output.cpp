#include "api/json_output.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>

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

namespace {

// Writes `ms` as RFC 3339 UTC with milliseconds (24 characters) at `p`; returns the end.
char* WriteTime(char* p, domain::Millis ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> t{milliseconds(ms)};
  const auto day = floor<days>(t);
  const year_month_day ymd(day);
  const auto in_day = (t - day).count();  // Milliseconds since midnight.
  const int year = static_cast<int>(ymd.year());
  constexpr std::string_view kOutOfRange = "0000-01-01T00:00:00.000Z";  // Outside RFC 3339.
  if (year < 0 || year > 9999) return std::copy(kOutOfRange.begin(), kOutOfRange.end(), p);
  // Digits written by hand: snprintf was the largest cost of listing tickets.
  constexpr std::string_view kShape = "0000-00-00T00:00:00.000Z";
  std::copy(kShape.begin(), kShape.end(), p);
  auto put = [p](std::size_t at, long long value, int width) {
    for (int i = width - 1; i >= 0; --i) {
      p[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
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
  return p + kShape.size();
}

// Writes JSON text into a buffer the caller sized for the worst case (an escaped byte takes at
// most 6), without the per-piece capacity checks of std::string::append.
class RawJson {
 public:
  explicit RawJson(char* p) : p_(p) {}
  char* end() const { return p_; }
  void Raw(std::string_view s) {
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  void Int(std::int64_t v) { p_ = std::to_chars(p_, p_ + 20, v).ptr; }
  void OptInt(const std::optional<std::int64_t>& v) {
    if (v) return Int(*v);
    Raw("null");
  }
  void Time(domain::Millis ms) {
    *p_++ = '"';
    p_ = WriteTime(p_, ms);
    *p_++ = '"';
  }
  // A stored JSON object as it is; "{}" for none.
  void StoredObject(std::string_view text) {
    Raw(text.size() >= 2 && text.front() == '{' && text.back() == '}' ? text : "{}");
  }
  void String(std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    *p_++ = '"';
    for (const char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      if (c >= 0x20 && c != '"' && c != '\\') {
        *p_++ = ch;
        continue;
      }
      *p_++ = '\\';
      switch (c) {
        case '"':
          *p_++ = '"';
          break;
        case '\\':
          *p_++ = '\\';
          break;
        case '\b':
          *p_++ = 'b';
          break;
        case '\f':
          *p_++ = 'f';
          break;
        case '\n':
          *p_++ = 'n';
          break;
        case '\r':
          *p_++ = 'r';
          break;
        case '\t':
          *p_++ = 't';
          break;
        default:
          Raw("u00");
          *p_++ = kHex[c >> 4];
          *p_++ = kHex[c & 0xf];
      }
    }
    *p_++ = '"';
  }

 private:
  char* p_;
};

constexpr std::size_t kMaxEscaped = 6;  // "\u001f" for one byte.

// Appends what `write` writes through a RawJson, given at most `bound` bytes of room.
template <typename Write>
void AppendBounded(std::string& out, std::size_t bound, Write write) {
  const std::size_t start = out.size();
  out.resize(start + bound);
  RawJson w(out.data() + start);
  write(w);
  out.resize(static_cast<std::size_t>(w.end() - out.data()));
}

}  // namespace

std::string FormatTime(domain::Millis ms) {
  std::string out(24, '0');
  WriteTime(out.data(), ms);
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
  AppendBounded(out, 2 + kMaxEscaped * s.size(), [&](RawJson& w) { w.String(s); });
}

void AppendJson(std::string& out, const domain::Ticket& t) { AppendJson(out, domain::View(t)); }

void AppendJson(std::string& out, const domain::TicketView& t) {
  // One resize to the worst case, then plain stores: a page of tickets is what agents poll.
  const std::size_t text = t.number.size() + t.kind.size() + t.channel.size() + t.subject.size() +
                           t.category.size() + t.product.size() + t.incident_date.size() +
                           t.state.size() + t.complaint_type.size() + t.language.size();
  constexpr std::size_t kFixed = 640;  // Keys, punctuation, numbers, times, quotes.
  AppendBounded(out,
                kFixed + kMaxEscaped * text + t.custom_fields_json.size() + t.flags_json.size(),
                [&](RawJson& w) {
                  w.Raw("{\"id\":");
                  w.Int(t.id);
                  w.Raw(",\"number\":");
                  w.String(t.number);
                  w.Raw(",\"kind\":");
                  w.String(t.kind);
                  w.Raw(",\"channel\":");
                  w.String(t.channel);
                  w.Raw(",\"customer_id\":");
                  w.Int(t.customer_id);
                  w.Raw(",\"subject\":");
                  w.String(t.subject);
                  w.Raw(",\"category\":");
                  w.String(t.category);
                  w.Raw(",\"product\":");
                  w.String(t.product);
                  w.Raw(",\"incident_date\":");
                  w.String(t.incident_date);
                  w.Raw(",\"state\":");
                  w.String(t.state);
                  w.Raw(",\"department_id\":");
                  w.OptInt(t.department_id);
                  w.Raw(",\"owner_id\":");
                  w.OptInt(t.owner_id);
                  w.Raw(",\"custom_fields\":");
                  w.StoredObject(t.custom_fields_json);
                  w.Raw(",\"created_at\":");
                  w.Time(t.created_at);
                  w.Raw(",\"updated_at\":");
                  w.Time(t.updated_at);
                  w.Raw(",\"complaint_type\":");
                  w.String(t.complaint_type);
                  w.Raw(",\"language\":");
                  w.String(t.language);
                  w.Raw(",\"flags\":");
                  w.StoredObject(t.flags_json);
                  w.Raw("}");
                });
}

void AppendJson(std::string& out, const domain::Article& a) {
  std::size_t bound =
      512 + kMaxEscaped * (a.body.size() + a.delivery.size() + a.delivery_report.size());
  for (const auto& at : a.attachments) {
    bound += 160 + kMaxEscaped * (at.filename.size() + at.content_type.size() + at.sha.size());
  }
  AppendBounded(out, bound, [&](RawJson& w) {
    w.Raw("{\"id\":");
    w.Int(a.id);
    w.Raw(",\"ticket_id\":");
    w.Int(a.ticket_id);
    w.Raw(",\"direction\":");
    w.String(domain::Name(a.direction));
    w.Raw(",\"channel\":");
    w.String(domain::Name(a.channel));
    w.Raw(",\"author_user_id\":");
    w.OptInt(a.author_user_id);
    w.Raw(",\"author_customer_id\":");
    w.OptInt(a.author_customer_id);
    w.Raw(",\"body\":");
    w.String(a.body);
    w.Raw(",\"attachments\":[");
    for (std::size_t i = 0; i < a.attachments.size(); ++i) {
      const auto& at = a.attachments[i];
      w.Raw(i == 0 ? "{\"id\":" : ",{\"id\":");
      w.Int(at.id);
      w.Raw(",\"filename\":");
      w.String(at.filename);
      w.Raw(",\"content_type\":");
      w.String(at.content_type);
      w.Raw(",\"size\":");
      w.Int(at.size);
      w.Raw(",\"sha\":");
      w.String(at.sha);
      w.Raw("}");
    }
    w.Raw("],\"created_at\":");
    w.Time(a.created_at);
    w.Raw(",\"delivery\":");
    if (a.delivery.empty()) {
      w.Raw("null");
    } else {
      w.Raw("{\"state\":");
      w.String(a.delivery);
      w.Raw(",\"report\":");
      w.String(a.delivery_report);
      w.Raw("}");
    }
    w.Raw("}");
  });
}

void AppendJson(std::string& out, const domain::Customer& c) {
  std::size_t bound = 256 + kMaxEscaped * (c.name.size() + c.language.size());
  for (const auto& i : c.identities) bound += 48 + kMaxEscaped * i.value.size();
  AppendBounded(out, bound, [&](RawJson& w) {
    w.Raw("{\"id\":");
    w.Int(c.id);
    w.Raw(",\"name\":");
    w.String(c.name);
    w.Raw(",\"language\":");
    w.String(c.language);
    w.Raw(",\"identities\":[");
    for (std::size_t k = 0; k < c.identities.size(); ++k) {
      w.Raw(k == 0 ? "{\"kind\":" : ",{\"kind\":");
      w.String(domain::Name(c.identities[k].kind));
      w.Raw(",\"value\":");
      w.String(c.identities[k].value);
      w.Raw("}");
    }
    w.Raw("],\"merged_into\":");
    w.OptInt(c.merged_into);
    w.Raw(",\"created_at\":");
    w.Time(c.created_at);
    w.Raw("}");
  });
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
