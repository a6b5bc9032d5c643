#include "domain/pack/pack.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>
#include <utility>

#include "domain/pack/template.hpp"
#include "domain/time/time_format.hpp"

namespace ombud::domain {
namespace {

constexpr std::array<std::pair<FieldType, std::string_view>, 9> kFieldTypes{{
    {FieldType::kString, "string"},
    {FieldType::kText, "text"},
    {FieldType::kDate, "date"},
    {FieldType::kPhone, "phone"},
    {FieldType::kEmail, "email"},
    {FieldType::kNumber, "number"},
    {FieldType::kEnum, "enum"},
    {FieldType::kBool, "bool"},
    {FieldType::kFile, "file"},
}};

constexpr std::array<std::pair<EscalationKind, std::string_view>, 4> kEscalationKinds{{
    {EscalationKind::kSupervisor, "supervisor"},
    {EscalationKind::kRegulator, "regulator"},
    {EscalationKind::kLegalAuthority, "legal_authority"},
    {EscalationKind::kOther, "other"},
}};

template <typename E, size_t N>
Result<E> ParseIn(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view s,
                  std::string_view field) {
  std::string allowed;
  for (const auto& [e, name] : table) {
    if (name == s) return e;
    if (!allowed.empty()) allowed += ", ";
    allowed += name;
  }
  return Fail(ErrorCode::kInvalidArgument,
              std::string(field) + ": '" + std::string(s) + "' is not one of " + allowed,
              std::string(field));
}

template <typename T>
const T* FindByKey(const std::vector<T>& items, std::string_view key) {
  for (const T& item : items) {
    if (item.key == key) return &item;
  }
  return nullptr;
}

bool IsPhone(std::string_view s) {
  size_t digits = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      ++digits;
    } else if (c == '+' && i == 0) {
      continue;
    } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') {
      return false;
    }
  }
  return digits >= 3 && digits <= 15;  // 3: short codes such as Smart's 888 call centre.
}

bool IsEmail(std::string_view s) {
  const size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  const std::string_view domain = s.substr(at + 1);
  const size_t dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == domain.size()) return false;
  return std::none_of(s.begin(), s.end(),
                      [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

bool IsNumber(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t int_digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t frac_digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++frac_digits;
    if (frac_digits == 0) return false;
  }
  return int_digits > 0 && i == s.size();
}

Status FieldError(const ComplaintType& type, const std::string& field, const std::string& what) {
  return Fail(ErrorCode::kInvalidArgument,
              "complaint type " + type.key + ": field " + field + ": " + what + " (R-MET-3)",
              field);
}

Status CheckValue(const ComplaintType& type, const FormField& f, const std::string& v) {
  switch (f.type) {
    case FieldType::kString:
      if (v.find('\n') != std::string::npos) return FieldError(type, f.name, "must be one line");
      break;
    case FieldType::kText:
    case FieldType::kFile:
      break;
    case FieldType::kDate:
      if (!ParseDate(v)) return FieldError(type, f.name, "expected a date YYYY-MM-DD");
      break;
    case FieldType::kPhone:
      if (!IsPhone(v)) return FieldError(type, f.name, "expected a phone number");
      break;
    case FieldType::kEmail:
      if (!IsEmail(v)) return FieldError(type, f.name, "expected an e-mail address");
      break;
    case FieldType::kNumber:
      if (!IsNumber(v)) return FieldError(type, f.name, "expected a number");
      break;
    case FieldType::kBool:
      if (v != "true" && v != "false") return FieldError(type, f.name, "expected true or false");
      break;
    case FieldType::kEnum:
      if (std::find(f.values.begin(), f.values.end(), v) == f.values.end()) {
        std::string allowed;
        for (const std::string& a : f.values) allowed += (allowed.empty() ? "" : ", ") + a;
        return FieldError(type, f.name, "'" + v + "' is not one of " + allowed);
      }
      break;
  }
  if (f.max_length && v.size() > *f.max_length) {
    return FieldError(type, f.name, "longer than " + std::to_string(*f.max_length) + " bytes");
  }
  if (!f.pattern.empty()) {
    try {
      if (!std::regex_match(v, std::regex(f.pattern, std::regex::ECMAScript))) {
        return FieldError(type, f.name, "does not match " + f.pattern);
      }
    } catch (const std::regex_error&) {
      return FieldError(type, f.name, "the pack's pattern is not a valid regex");
    }
  }
  return {};
}

class IssueList {
 public:
  void Add(std::string path, std::string key, std::string what, std::string rule = "pack") {
    issues_.push_back({std::move(path), std::move(key), std::move(what), std::move(rule)});
  }
  std::vector<PackIssue> Take() { return std::move(issues_); }

 private:
  std::vector<PackIssue> issues_;
};

template <typename T>
void CheckUniqueKeys(const std::vector<T>& items, std::string_view section, IssueList& issues) {
  std::set<std::string> seen;
  for (const T& item : items) {
    const std::string path = std::string(section) + "." + item.key;
    if (item.key.empty()) issues.Add(std::string(section), "key", "empty key");
    if (!seen.insert(item.key).second) issues.Add(path, item.key, "defined twice");
  }
}

// Customer-facing fixed text (greetings, closings) needs every language of the pack; names and
// labels need at least the default language.
void CheckLocalized(const Pack& pack, const Localized& text, const std::string& path,
                    const std::string& key, const std::string& rule, IssueList& issues) {
  const bool all = rule != "pack";
  for (const std::string& lang : pack.languages) {
    if (!all && lang != pack.default_language) continue;
    auto it = text.find(lang);
    if (it == text.end() || it->second.empty()) {
      issues.Add(path, key, "no text in language " + lang, rule);
    }
  }
  for (const auto& [lang, value] : text) {
    if (std::find(pack.languages.begin(), pack.languages.end(), lang) == pack.languages.end()) {
      issues.Add(path, key, "language " + lang + " is not one of the pack's languages");
    }
  }
}

void CheckTarget(const ClockTarget& target, const std::string& path, const std::string& key,
                 IssueList& issues) {
  if (target.amount <= 0) issues.Add(path, key, "the target must be positive");
}

void CheckClock(const Pack& pack, const PackClock& clock, IssueList& issues) {
  const ClockDefinition& d = clock.definition;
  const std::string path = "clocks." + d.name;
  if (!pack.calendars.contains(d.calendar)) {
    issues.Add(path + ".calendar", "calendar", "unknown calendar '" + d.calendar + "'");
  }
  if (d.start_event.empty()) issues.Add(path, "start", "missing start event");
  if (d.stop_event.empty()) issues.Add(path, "stop", "missing stop event");
  if (!d.start_event.empty() && d.start_event == d.stop_event) {
    issues.Add(path + ".stop", "stop", "the clock stops on the event that starts it");
  }
  for (const std::string& e : d.pause_events) {
    if (e == d.start_event || e == d.stop_event) {
      issues.Add(path + ".pause_on", "pause_on", "'" + e + "' also starts or stops the clock");
    }
  }
  CheckTarget(d.target, path + ".target", "target", issues);
  for (size_t i = 0; i < d.warnings.size(); ++i) {
    const WarningThreshold& w = d.warnings[i];
    const std::string wpath = path + ".warnings." + std::to_string(i);
    if (w.percent.has_value() == w.before.has_value()) {
      issues.Add(wpath, "warnings", "set exactly one of percent and before");
    } else if (w.percent && (*w.percent <= 0 || *w.percent >= 100)) {
      issues.Add(wpath, "percent", "expected 1..99");
    } else if (w.before) {
      const int64_t before = w.before->count();
      const bool days = d.target.unit == TargetUnit::kWorkingDays;
      if (before <= 0) {
        issues.Add(wpath, "before", "must be positive");
      } else if (!days && before >= d.target.amount) {
        issues.Add(wpath, "before", "warns before the clock even starts: not less than target");
      }
    }
  }
  static const std::set<std::string> kSubjects = {"ticket", "subscriber", "contract"};
  if (!kSubjects.contains(clock.applies_to)) {
    issues.Add(path + ".applies_to", "applies_to", "expected ticket, subscriber or contract");
  }
  if (d.name == kFilingWindowClock) {
    if (d.stop_event != "received") {
      issues.Add(path + ".stop", "stop",
                 "the filing window closes when the complaint is received: expected 'received'",
                 "R-MET-2");
    }
    if (d.start_event == "received") {
      issues.Add(path + ".start", "start",
                 "the filing window runs from the incident, not from receipt", "R-MET-2");
    }
  }
  if (d.name == kReplyClock && d.start_event != "received") {
    issues.Add(path + ".start", "start",
               "the reply deadline runs from receipt of the complaint: expected 'received'",
               "R-MET-7");
  }
}

void CheckRouting(const Pack& pack, IssueList& issues) {
  for (const auto& [category, dept_key] : pack.routing) {
    const std::string path = "routing." + category;
    if (!pack.categories.contains(category)) {
      issues.Add(path, category, "unknown category", "R-CSP-1");
    }
    const PackDepartment* dept = FindByKey(pack.departments, dept_key);
    if (dept == nullptr) {
      issues.Add(path, category, "routes to unknown department '" + dept_key + "'", "R-MET-6");
    } else if (std::find(dept->scope.begin(), dept->scope.end(), category) == dept->scope.end()) {
      issues.Add(path, category, "routes to department '" + dept_key + "' whose scope lacks it",
                 "R-CSP-8");
    }
  }
  for (const auto& [category, label] : pack.categories) {
    if (!pack.routing.contains(category)) {
      issues.Add("categories." + category, category, "not routed to any department", "R-CSP-1");
    }
    CheckLocalized(pack, label, "categories." + category, category, "pack", issues);
  }
}

void CheckDepartments(const Pack& pack, IssueList& issues) {
  CheckUniqueKeys(pack.departments, "departments", issues);
  int owners = 0;
  for (const PackDepartment& d : pack.departments) {
    const std::string path = "departments." + d.key;
    if (d.owner) ++owners;
    if (!d.calendar.empty() && !pack.calendars.contains(d.calendar)) {
      issues.Add(path + ".calendar", "calendar", "unknown calendar '" + d.calendar + "'");
    }
    std::set<std::string> seen;
    for (const std::string& c : d.scope) {
      if (!pack.categories.contains(c)) {
        issues.Add(path + ".scope", "scope", "unknown category '" + c + "'", "R-CSP-1");
      }
      if (!seen.insert(c).second) issues.Add(path + ".scope", "scope", "'" + c + "' twice");
    }
    if (d.scope.empty() && !d.owner) {
      issues.Add(path + ".scope", "scope", "a department without scope handles nothing", "R-CSP-8");
    }
    CheckLocalized(pack, d.name, path + ".name", "name", "pack", issues);
  }
  if (owners != 1) {
    issues.Add("departments", "owner",
               "exactly one department must be the owner (Customer Support), found " +
                   std::to_string(owners),
               "R-MET-4");
  }
}

void CheckForm(const ComplaintType& t, IssueList& issues) {
  std::set<std::string> names;
  for (size_t i = 0; i < t.form.size(); ++i) {
    const FormField& f = t.form[i];
    const std::string path = "complaint_types." + t.key + ".form." + std::to_string(i);
    if (f.name.empty()) issues.Add(path, "name", "a field needs a name", "R-MET-3");
    if (!names.insert(f.name).second) issues.Add(path, "name", "field '" + f.name + "' twice");
    if (f.type == FieldType::kEnum && f.values.empty()) {
      issues.Add(path, "values", "an enum field needs values", "R-MET-3");
    }
    if (f.type != FieldType::kEnum && !f.values.empty()) {
      issues.Add(path, "values", "only enum fields have values");
    }
    if (f.max_length && *f.max_length == 0) issues.Add(path, "max_length", "must be positive");
    if (!f.pattern.empty()) {
      try {
        std::regex re(f.pattern, std::regex::ECMAScript);
      } catch (const std::regex_error& e) {
        issues.Add(path, "pattern", std::string("not a valid regex: ") + e.what(), "R-MET-3");
      }
    }
  }
}

void CheckComplaintTypes(const Pack& pack, IssueList& issues) {
  CheckUniqueKeys(pack.complaint_types, "complaint_types", issues);
  for (const ComplaintType& t : pack.complaint_types) {
    const std::string path = "complaint_types." + t.key;
    if (!pack.categories.contains(t.category)) {
      issues.Add(path + ".category", "category", "unknown category '" + t.category + "'",
                 "R-MET-6");
    }
    for (const std::string& c : t.clocks) {
      const PackClock* clock = nullptr;
      for (const PackClock& k : pack.clocks) {
        if (k.definition.name == c) clock = &k;
      }
      if (clock == nullptr) {
        issues.Add(path + ".clocks", "clocks", "unknown clock '" + c + "'");
      } else if (clock->applies_to != "ticket") {
        issues.Add(path + ".clocks", "clocks", "clock '" + c + "' does not apply to tickets");
      }
    }
    CheckForm(t, issues);
    CheckLocalized(pack, t.name, path + ".name", "name", "pack", issues);
  }
}

bool HasClock(const Pack& pack, std::string_view name) {
  return std::any_of(pack.clocks.begin(), pack.clocks.end(),
                     [&](const PackClock& c) { return c.definition.name == name; });
}

void CheckProducts(const Pack& pack, IssueList& issues) {
  CheckUniqueKeys(pack.products, "products", issues);
  for (const Product& p : pack.products) {
    const std::string path = "products." + p.key;
    if (p.filing_window) {
      CheckTarget(*p.filing_window, path + ".filing_window", "filing_window", issues);
      if (!HasClock(pack, kFilingWindowClock)) {
        issues.Add(path + ".filing_window", "filing_window",
                   "the pack has no filing_window clock to override", "R-MET-2");
      }
    }
    if (p.reply_deadline) {
      CheckTarget(*p.reply_deadline, path + ".reply_deadline", "reply_deadline", issues);
      if (!HasClock(pack, kReplyClock)) {
        issues.Add(path + ".reply_deadline", "reply_deadline",
                   "the pack has no reply clock to override", "R-MET-7");
      }
    }
    for (const auto& [name, target] : p.clocks) {
      CheckTarget(target, path + ".clocks." + name, name, issues);
      if (!HasClock(pack, name)) {
        issues.Add(path + ".clocks." + name, name, "unknown clock '" + name + "'");
      }
    }
    CheckLocalized(pack, p.name, path + ".name", "name", "pack", issues);
  }
}

void CheckTemplates(const Pack& pack, IssueList& issues) {
  CheckUniqueKeys(pack.templates, "templates", issues);
  for (const AnswerTemplate& t : pack.templates) {
    const std::string path = "templates." + t.key;
    for (const std::string& lang : pack.languages) {
      if (!t.texts.contains(lang)) {
        issues.Add(path, t.key, "no text in language " + lang, "R-CSP-7");
      }
    }
    for (const auto& [lang, by_channel] : t.texts) {
      if (std::find(pack.languages.begin(), pack.languages.end(), lang) == pack.languages.end()) {
        issues.Add(path + "." + lang, lang, "not one of the pack's languages");
      }
      for (const auto& [channel, text] : by_channel) {
        const std::string tpath = path + "." + lang + "." + channel;
        if (channel != "any" && !ParseChannel(channel)) {
          issues.Add(tpath, channel, "unknown channel");
        }
        if (text.body.empty()) issues.Add(tpath, "body", "empty body");
        for (const std::string* part : {&text.subject, &text.body}) {
          auto vars = TemplateVariables(*part);
          if (!vars) {
            issues.Add(tpath, part == &text.subject ? "subject" : "body", vars.error().message);
            continue;
          }
          for (const std::string& v : *vars) {
            if (!pack.template_variables.contains(v)) {
              issues.Add(tpath, part == &text.subject ? "subject" : "body",
                         "placeholder {{" + v + "}} is not an allowed variable");
            }
          }
        }
      }
    }
  }
}

void CheckSalutations(const Pack& pack, const std::vector<Salutation>& list,
                      std::string_view section, IssueList& issues) {
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string path = std::string(section) + "." + std::to_string(i);
    if (list[i].channels.empty()) issues.Add(path, "channels", "names no channel", "R-CSP-7");
    CheckLocalized(pack, list[i].text, path, "text", "R-CSP-7", issues);
  }
  for (size_t i = 0; i < list.size(); ++i) {
    for (size_t j = i + 1; j < list.size(); ++j) {
      for (Channel c : list[i].channels) {
        if (list[j].channels.contains(c)) {
          issues.Add(std::string(section) + "." + std::to_string(j), "channels",
                     "channel " + std::string(Name(c)) + " already has one", "R-CSP-7");
        }
      }
    }
  }
}

void CheckChannelsAndEscalations(const Pack& pack, IssueList& issues) {
  if (pack.channels.empty()) issues.Add("channels", "channels", "no intake channel", "R-MET-1");
  std::set<std::pair<Channel, std::string>> seen;
  for (size_t i = 0; i < pack.channels.size(); ++i) {
    const ChannelSpec& c = pack.channels[i];
    const std::string path = "channels." + std::to_string(i);
    if (!c.calendar.empty() && !pack.calendars.contains(c.calendar)) {
      issues.Add(path, "calendar", "unknown calendar '" + c.calendar + "'");
    }
    if (!seen.insert({c.channel, c.address}).second) {
      issues.Add(path, "channel", std::string(Name(c.channel)) + " listed twice");
    }
  }
  std::set<Channel> methods;
  for (Channel m : pack.answer_methods) {
    if (!methods.insert(m).second) {
      issues.Add("answer_methods", "answer_methods", std::string(Name(m)) + " twice", "R-MET-8");
    }
  }
  CheckUniqueKeys(pack.escalations, "escalations", issues);
  for (const EscalationTarget& e : pack.escalations) {
    const std::string path = "escalations." + e.key;
    if (!e.clock.empty() && !HasClock(pack, e.clock)) {
      issues.Add(path + ".clock", "clock", "unknown clock '" + e.clock + "'", "R-SMT-4");
    }
    CheckLocalized(pack, e.name, path + ".name", "name", "pack", issues);
  }
}

void CheckPolicies(const Pack& pack, IssueList& issues) {
  if (pack.telecom) {
    if (pack.telecom->transfer_consents.size() < 2) {
      issues.Add("telecom.transfer_consents", "transfer_consents",
                 "both the current and the new owner must consent", "R-SMT-1");
    }
    const std::string& clock = pack.telecom->prepaid_recycle_clock;
    if (!clock.empty()) {
      const PackClock* found = nullptr;
      for (const PackClock& c : pack.clocks) {
        if (c.definition.name == clock) found = &c;
      }
      if (found == nullptr) {
        issues.Add("telecom.prepaid_recycle_clock", "prepaid_recycle_clock",
                   "unknown clock '" + clock + "'", "R-SMT-6");
      } else if (found->definition.warnings.size() < 2) {
        issues.Add("clocks." + clock, "warnings",
                   "subscribers are warned several times before recycling", "R-SMT-6");
      }
    }
  }
  if (pack.service_contract) {
    const ServiceContractPolicy& s = *pack.service_contract;
    const std::pair<int, std::string_view> numbers[] = {
        {s.reservation_request_within_days, "reservation.request_within_days"},
        {s.reservation_notice_days, "reservation.notice_days"},
        {s.reservation_max_days, "reservation.max_days"},
        {s.postponement_max_days, "postponement.max_days"},
        {s.refund_not_performed_within_days, "refund.not_performed_within_days"}};
    for (const auto& [value, key] : numbers) {
      if (value <= 0) {
        issues.Add("service_contract." + std::string(key), std::string(key),
                   "must be a positive number of days", "R-QM-2");
      }
    }
    if (s.reservation_notice_days >= s.reservation_max_days && s.reservation_max_days > 0) {
      issues.Add("service_contract.reservation.notice_days", "notice_days",
                 "notice is not shorter than the longest reservation", "R-QM-2");
    }
    if (s.reservation_reasons.empty()) {
      issues.Add("service_contract.reservation.reasons", "reasons",
                 "a reservation needs legitimate reasons", "R-QM-1");
    }
  }
}

void CheckCalendars(const Pack& pack, IssueList& issues) {
  if (pack.calendars.empty()) issues.Add("calendars", "calendars", "no calendar");
  if (!pack.calendars.contains(pack.default_calendar)) {
    issues.Add("calendar", "calendar",
               "default calendar '" + pack.default_calendar + "' is not in calendars");
  }
  for (const auto& [name, parent] : pack.calendar_parents) {
    if (!pack.calendars.contains(parent)) {
      issues.Add("calendars." + name, "extends", "unknown calendar '" + parent + "'");
    }
  }
  for (const auto& [name, spec] : pack.calendars) {
    auto compiled = Calendar::Compile(spec, CalendarOptions{2020, 2035});
    if (!compiled) issues.Add("calendars." + name, name, compiled.error().message);
  }
}

}  // namespace

std::string_view Name(FieldType type) {
  for (const auto& [t, name] : kFieldTypes) {
    if (t == type) return name;
  }
  return "unknown";
}

Result<FieldType> ParseFieldType(std::string_view s, std::string_view field) {
  return ParseIn(kFieldTypes, s, field);
}

std::string_view Name(EscalationKind kind) {
  for (const auto& [k, name] : kEscalationKinds) {
    if (k == kind) return name;
  }
  return "unknown";
}

Result<EscalationKind> ParseEscalationKind(std::string_view s, std::string_view field) {
  return ParseIn(kEscalationKinds, s, field);
}

const std::set<std::string>& StandardTemplateVariables() {
  static const std::set<std::string> kVars = {
      "company_name",  "customer_name",  "ticket_ref",   "ticket_subject", "category",
      "product",       "department",     "agent_name",   "received_at",    "due_at",
      "answer",        "info_request",   "hotline",      "support_email",  "channel",
      "incident_date", "reason",         "amount",       "currency",       "regulator",
      "number",        "block_deadline", "recycle_date", "service_date",   "new_date",
  };
  return kVars;
}

std::vector<PackIssue> CheckPack(const Pack& pack) {
  IssueList issues;
  if (pack.id.empty()) issues.Add("id", "id", "missing");
  if (pack.name.empty()) issues.Add("name", "name", "missing");
  if (pack.languages.empty()) issues.Add("languages", "languages", "no language");
  for (const std::string& lang : pack.languages) {
    if (std::find(std::begin(kKnownLanguages), std::end(kKnownLanguages), lang) ==
        std::end(kKnownLanguages)) {
      issues.Add("languages", "languages", "unknown language '" + lang + "' (en, vi, km)");
    }
  }
  if (std::find(pack.languages.begin(), pack.languages.end(), pack.default_language) ==
      pack.languages.end()) {
    issues.Add("default_language", "default_language",
               "'" + pack.default_language + "' is not one of the pack's languages");
  }
  CheckCalendars(pack, issues);
  CheckRouting(pack, issues);
  CheckDepartments(pack, issues);
  CheckComplaintTypes(pack, issues);
  std::set<std::string> clock_names;
  for (const PackClock& c : pack.clocks) {
    if (!clock_names.insert(c.definition.name).second) {
      issues.Add("clocks." + c.definition.name, c.definition.name, "defined twice");
    }
    CheckClock(pack, c, issues);
  }
  for (const std::string& c : pack.default_clocks) {
    if (!clock_names.contains(c)) {
      issues.Add("default_clocks", "default_clocks", "unknown clock '" + c + "'");
    }
  }
  CheckProducts(pack, issues);
  CheckTemplates(pack, issues);
  CheckSalutations(pack, pack.greetings, "greetings", issues);
  CheckSalutations(pack, pack.closings, "closings", issues);
  CheckChannelsAndEscalations(pack, issues);
  CheckPolicies(pack, issues);
  return issues.Take();
}

Result<const ComplaintType*> FindComplaintType(const Pack& pack, std::string_view key) {
  if (const ComplaintType* t = FindByKey(pack.complaint_types, key)) return t;
  return Fail(ErrorCode::kNotFound,
              "pack " + pack.id + " has no complaint type '" + std::string(key) + "'",
              "complaint_type");
}

Result<const Product*> FindProduct(const Pack& pack, std::string_view key) {
  if (const Product* p = FindByKey(pack.products, key)) return p;
  return Fail(ErrorCode::kNotFound,
              "pack " + pack.id + " has no product '" + std::string(key) + "'", "product");
}

Result<const PackDepartment*> FindDepartment(const Pack& pack, std::string_view key) {
  if (const PackDepartment* d = FindByKey(pack.departments, key)) return d;
  return Fail(ErrorCode::kNotFound,
              "pack " + pack.id + " has no department '" + std::string(key) + "'", "department");
}

Result<const PackClock*> FindClock(const Pack& pack, std::string_view name) {
  for (const PackClock& c : pack.clocks) {
    if (c.definition.name == name) return &c;
  }
  return Fail(ErrorCode::kNotFound, "pack " + pack.id + " has no clock '" + std::string(name) + "'",
              "clock");
}

Result<const PackDepartment*> OwnerDepartment(const Pack& pack) {
  for (const PackDepartment& d : pack.departments) {
    if (d.owner) return &d;
  }
  return Fail(ErrorCode::kFailedPrecondition,
              "pack " + pack.id + " has no owner department (R-MET-4)", "departments");
}

Status ValidateForm(const ComplaintType& type, const FormValues& values) {
  for (const FormField& f : type.form) {
    auto it = values.find(f.name);
    if (it == values.end() || it->second.empty()) {
      if (f.required) return FieldError(type, f.name, "required");
      continue;
    }
    OMBUD_RETURN_IF_ERROR(CheckValue(type, f, it->second));
  }
  for (const auto& [name, value] : values) {
    const bool known = std::any_of(type.form.begin(), type.form.end(),
                                   [&](const FormField& f) { return f.name == name; });
    if (!known) return FieldError(type, name, "not a field of this form");
  }
  return {};
}

Status ValidateForm(const Pack& pack, std::string_view type_key, const FormValues& values) {
  OMBUD_ASSIGN_OR_RETURN(const ComplaintType* type, FindComplaintType(pack, type_key));
  return ValidateForm(*type, values);
}

Result<ClockDefinition> ClockFor(const Pack& pack, std::string_view clock,
                                 std::string_view product) {
  OMBUD_ASSIGN_OR_RETURN(const PackClock* found, FindClock(pack, clock));
  ClockDefinition out = found->definition;
  if (product.empty()) return out;
  OMBUD_ASSIGN_OR_RETURN(const Product* p, FindProduct(pack, product));
  if (clock == kFilingWindowClock && p->filing_window) {
    out.target = *p->filing_window;
  } else if (clock == kReplyClock && p->reply_deadline) {
    out.target = *p->reply_deadline;
  } else if (auto it = p->clocks.find(std::string(clock)); it != p->clocks.end()) {
    out.target = it->second;
  }
  return out;
}

Result<ClockDefinition> FilingWindowFor(const Pack& pack, std::string_view product) {
  return ClockFor(pack, kFilingWindowClock, product);
}

Result<ClockDefinition> ReplyDeadlineFor(const Pack& pack, std::string_view product) {
  return ClockFor(pack, kReplyClock, product);
}

Result<std::vector<ClockDefinition>> TicketClocksFor(const Pack& pack, std::string_view type_key,
                                                     std::string_view product) {
  OMBUD_ASSIGN_OR_RETURN(const ComplaintType* type, FindComplaintType(pack, type_key));
  const std::vector<std::string>& names = type->clocks.empty() ? pack.default_clocks : type->clocks;
  std::vector<ClockDefinition> out;
  for (const std::string& name : names) {
    OMBUD_ASSIGN_OR_RETURN(ClockDefinition d, ClockFor(pack, name, product));
    out.push_back(std::move(d));
  }
  return out;
}

Result<const PackDepartment*> DepartmentFor(const Pack& pack, std::string_view category) {
  auto it = pack.routing.find(std::string(category));
  if (it == pack.routing.end()) {
    return Fail(ErrorCode::kNotFound,
                "pack " + pack.id + " routes no category '" + std::string(category) + "'",
                "category");
  }
  return FindDepartment(pack, it->second);
}

bool InScope(const Pack& pack, std::string_view department, std::string_view category) {
  const PackDepartment* d = FindByKey(pack.departments, department);
  return d != nullptr && std::find(d->scope.begin(), d->scope.end(), category) != d->scope.end();
}

Result<CalendarSpec> DepartmentCalendar(const Pack& pack, std::string_view department) {
  OMBUD_ASSIGN_OR_RETURN(const PackDepartment* d, FindDepartment(pack, department));
  const std::string& name = d->calendar.empty() ? pack.default_calendar : d->calendar;
  auto it = pack.calendars.find(name);
  if (it == pack.calendars.end()) {
    return Fail(ErrorCode::kNotFound, "pack " + pack.id + " has no calendar '" + name + "'",
                "calendar");
  }
  return it->second;
}

namespace {

std::optional<std::string> SalutationFor(const std::vector<Salutation>& list, Channel channel,
                                         std::string_view language) {
  for (const Salutation& s : list) {
    if (!s.channels.contains(channel)) continue;
    auto it = s.text.find(std::string(language));
    if (it == s.text.end()) return std::string();  // Required but missing: caller reports.
    return it->second;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> GreetingFor(const Pack& pack, Channel channel,
                                       std::string_view language) {
  return SalutationFor(pack.greetings, channel, language);
}

std::optional<std::string> ClosingFor(const Pack& pack, Channel channel,
                                      std::string_view language) {
  return SalutationFor(pack.closings, channel, language);
}

std::vector<WantedDepartment> WantedDepartments(const Pack& pack) {
  std::vector<WantedDepartment> out;
  for (const PackDepartment& d : pack.departments) {
    out.push_back(
        {d.key, LocalizedText(pack, d.name, pack.default_language), d.scope, d.owner, d.members});
  }
  return out;
}

std::string LocalizedText(const Pack& pack, const Localized& text, std::string_view language) {
  if (auto it = text.find(std::string(language)); it != text.end()) return it->second;
  if (auto it = text.find(pack.default_language); it != text.end()) return it->second;
  return text.empty() ? std::string() : text.begin()->second;
}

}  // namespace ombud::domain
