#include "app/pack_file.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "app/calendar_file.hpp"

namespace ombud::app {
namespace {

using domain::Channel;
using domain::ClockTarget;
using domain::Localized;
using domain::Pack;
using domain::TargetUnit;

using KeySet = std::set<std::string_view>;

int LineOf(const YAML::Node& node) {
  if (!node.IsDefined() || node.Mark().line < 0) return 0;
  return node.Mark().line + 1;
}

// Reads one pack document. Every problem is collected; parsing goes on past it where the
// rest of the file still makes sense, so `pack check` shows all problems at once.
class PackReader {
 public:
  explicit PackReader(std::string_view source) : source_(source) {}

  PackCheck Read(std::string_view text) {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
      Add(e.mark.line + 1, "yaml", e.msg, "format");
      return Finish();
    }
    try {
      IndexLines(root, "");
      ReadRoot(root);
    } catch (const YAML::Exception& e) {
      Add(e.mark.line + 1, "yaml", e.msg, "format");
    }
    if (errors_.empty()) {
      for (const domain::PackIssue& issue : domain::CheckPack(pack_)) {
        Add(LineForPath(issue.path), issue.key, issue.what, issue.rule);
      }
    }
    return Finish();
  }

 private:
  PackCheck Finish() { return PackCheck{std::move(pack_), std::move(errors_)}; }

  void Add(int line, std::string key, std::string what, std::string rule) {
    errors_.push_back(
        {std::string(source_), line, std::move(key), std::move(what), std::move(rule)});
  }
  void Bad(const YAML::Node& node, std::string key, std::string what) {
    Add(LineOf(node), std::move(key), std::move(what), "format");
  }

  // path -> line of the key (maps) or the item (sequences), for CheckPack's issues.
  void IndexLines(const YAML::Node& node, const std::string& path) {
    if (node.IsMap()) {
      for (const auto& entry : node) {
        const std::string child =
            (path.empty() ? "" : path + ".") + entry.first.as<std::string>("");
        lines_.emplace(child, LineOf(entry.first));
        IndexLines(entry.second, child);
      }
    } else if (node.IsSequence()) {
      for (size_t i = 0; i < node.size(); ++i) {
        const std::string child = path + "." + std::to_string(i);
        lines_.emplace(child, LineOf(node[i]));
        IndexLines(node[i], child);
      }
    }
  }

  int LineForPath(std::string path) const {
    while (!path.empty()) {
      if (auto it = lines_.find(path); it != lines_.end()) return it->second;
      const size_t dot = path.rfind('.');
      path = dot == std::string::npos ? "" : path.substr(0, dot);
    }
    return 1;
  }

  // Reports keys of `node` outside `allowed`; false when `node` is not a mapping.
  bool Keys(const YAML::Node& node, std::string_view what, const KeySet& allowed) {
    if (!node.IsMap()) {
      Bad(node, std::string(what), "expected a mapping");
      return false;
    }
    for (const auto& entry : node) {
      const std::string key = entry.first.as<std::string>("");
      if (!allowed.contains(key)) Bad(entry.first, key, "unknown key in " + std::string(what));
    }
    return true;
  }

  std::string Str(const YAML::Node& node, std::string_view key) {
    if (!node.IsDefined() || node.IsNull()) return {};
    if (!node.IsScalar()) {
      Bad(node, std::string(key), "expected text");
      return {};
    }
    return node.Scalar();
  }

  std::vector<std::string> StrList(const YAML::Node& node, std::string_view key) {
    std::vector<std::string> out;
    if (!node.IsDefined() || node.IsNull()) return out;
    if (!node.IsSequence()) {
      Bad(node, std::string(key), "expected a list");
      return out;
    }
    for (const YAML::Node& item : node) out.push_back(Str(item, key));
    return out;
  }

  bool Bool(const YAML::Node& node, std::string_view key, bool fallback) {
    if (!node.IsDefined() || node.IsNull()) return fallback;
    bool value = fallback;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
      Bad(node, std::string(key), "expected true or false");
    }
    return value;
  }

  int64_t Int(const YAML::Node& node, std::string_view key, int64_t fallback = 0) {
    if (!node.IsDefined() || node.IsNull()) return fallback;
    int64_t value = fallback;
    if (!node.IsScalar() || !YAML::convert<int64_t>::decode(node, value)) {
      Bad(node, std::string(key), "expected a whole number");
      return fallback;
    }
    return value;
  }

  // A scalar (text in the default language) or a map language -> text.
  Localized Text(const YAML::Node& node, std::string_view key) {
    Localized out;
    if (!node.IsDefined() || node.IsNull()) return out;
    if (node.IsScalar()) {
      out[pack_.default_language] = node.Scalar();
      return out;
    }
    if (!node.IsMap()) {
      Bad(node, std::string(key), "expected text or a map language -> text");
      return out;
    }
    for (const auto& entry : node) out[entry.first.as<std::string>("")] = Str(entry.second, key);
    return out;
  }

  std::optional<Channel> ChannelOf(const YAML::Node& node, std::string_view key) {
    auto channel = domain::ParseChannel(Str(node, key), key);
    if (!channel) {
      Bad(node, std::string(key), channel.error().message);
      return std::nullopt;
    }
    return *channel;
  }

  std::vector<Channel> Channels(const YAML::Node& node, std::string_view key) {
    std::vector<Channel> out;
    if (!node.IsDefined() || node.IsNull()) return out;
    if (!node.IsSequence()) {
      Bad(node, std::string(key), "expected a list of channels");
      return out;
    }
    for (const YAML::Node& item : node) {
      if (auto c = ChannelOf(item, key)) out.push_back(*c);
    }
    return out;
  }

  // {working_days: N} | {working_hours: N} | {working_minutes: N} | {calendar_hours: N} |
  // {calendar_days: N}
  std::optional<ClockTarget> Target(const YAML::Node& node, std::string_view key,
                                    bool allow_days = true) {
    static const std::map<std::string, std::pair<TargetUnit, int64_t>, std::less<>> kUnits = {
        {"working_days", {TargetUnit::kWorkingDays, 1}},
        {"working_hours", {TargetUnit::kWorkingSeconds, 3600}},
        {"working_minutes", {TargetUnit::kWorkingSeconds, 60}},
        {"calendar_hours", {TargetUnit::kCalendarSeconds, 3600}},
        {"calendar_days", {TargetUnit::kCalendarSeconds, 86400}},
    };
    if (!node.IsMap() || node.size() != 1) {
      Bad(node, std::string(key),
          "expected one of {working_days|working_hours|working_minutes|calendar_hours|"
          "calendar_days: N}");
      return std::nullopt;
    }
    const auto entry = *node.begin();
    const std::string unit = entry.first.as<std::string>("");
    auto it = kUnits.find(unit);
    if (it == kUnits.end() || (!allow_days && it->second.first == TargetUnit::kWorkingDays)) {
      Bad(entry.first, std::string(key), "unknown unit '" + unit + "'");
      return std::nullopt;
    }
    const int64_t amount = Int(entry.second, unit);
    return ClockTarget{it->second.first, amount * it->second.second};
  }

  void ReadRoot(const YAML::Node& root) {
    static const KeySet kKeys = {
        "id",        "name",         "languages",       "default_language", "calendar",
        "calendars", "categories",   "departments",     "routing",          "complaint_types",
        "products",  "clocks",       "default_clocks",  "templates",        "template_variables",
        "greetings", "closings",     "channels",        "answer_methods",   "escalations",
        "telecom",   "compensation", "service_contract"};
    if (!Keys(root, "pack", kKeys)) return;
    pack_.id = Str(root["id"], "id");
    pack_.name = Str(root["name"], "name");
    pack_.languages = StrList(root["languages"], "languages");
    pack_.default_language = Str(root["default_language"], "default_language");
    if (pack_.default_language.empty() && !pack_.languages.empty()) {
      pack_.default_language = pack_.languages.front();
    }
    pack_.default_calendar = Str(root["calendar"], "calendar");
    ReadCalendars(root["calendars"]);
    if (pack_.default_calendar.empty() && pack_.calendars.size() == 1) {
      pack_.default_calendar = pack_.calendars.begin()->first;
    }
    ReadMap(root["categories"], "categories", [&](const std::string& key, const YAML::Node& value) {
      pack_.categories[key] = Text(value, key);
    });
    ReadMap(root["departments"], "departments",
            [&](const std::string& key, const YAML::Node& value) { ReadDepartment(key, value); });
    ReadMap(root["routing"], "routing", [&](const std::string& key, const YAML::Node& value) {
      pack_.routing[key] = Str(value, key);
    });
    ReadMap(root["clocks"], "clocks",
            [&](const std::string& key, const YAML::Node& value) { ReadClock(key, value); });
    pack_.default_clocks = StrList(root["default_clocks"], "default_clocks");
    ReadMap(root["complaint_types"], "complaint_types",
            [&](const std::string& key, const YAML::Node& value) { ReadType(key, value); });
    ReadMap(root["products"], "products",
            [&](const std::string& key, const YAML::Node& value) { ReadProduct(key, value); });
    pack_.template_variables = domain::StandardTemplateVariables();
    for (std::string& v : StrList(root["template_variables"], "template_variables")) {
      pack_.template_variables.insert(std::move(v));
    }
    ReadMap(root["templates"], "templates",
            [&](const std::string& key, const YAML::Node& value) { ReadTemplate(key, value); });
    pack_.greetings = Salutations(root["greetings"], "greetings");
    pack_.closings = Salutations(root["closings"], "closings");
    ReadChannels(root["channels"]);
    pack_.answer_methods = Channels(root["answer_methods"], "answer_methods");
    ReadMap(root["escalations"], "escalations",
            [&](const std::string& key, const YAML::Node& value) { ReadEscalation(key, value); });
    ReadPolicies(root);
  }

  void ReadMap(const YAML::Node& node, std::string_view what,
               const std::function<void(const std::string&, const YAML::Node&)>& each) {
    if (!node.IsDefined() || node.IsNull()) return;
    if (!node.IsMap()) {
      Bad(node, std::string(what), "expected a mapping of key -> entry");
      return;
    }
    for (const auto& entry : node) each(entry.first.as<std::string>(""), entry.second);
  }

  void ReadCalendars(const YAML::Node& node) {
    std::map<std::string, domain::CalendarSpec> raw;
    ReadMap(node, "calendars", [&](const std::string& name, const YAML::Node& value) {
      if (!value.IsMap()) {
        Bad(value, name, "expected a calendar mapping (docs/calendars.md)");
        return;
      }
      // The embedded-calendar reader knows no parents and insists on a zone; the pack names
      // parents itself, so `extends` is taken out here and an inherited zone filled in later.
      YAML::Node copy(YAML::NodeType::Map);
      bool has_zone = false;
      for (const auto& entry : value) {
        const std::string key = entry.first.as<std::string>("");
        if (key == "extends") {
          pack_.calendar_parents[name] = Str(entry.second, "extends");
          continue;
        }
        has_zone = has_zone || key == "timezone";
        copy.force_insert(entry.first, entry.second);
      }
      const bool child = pack_.calendar_parents.contains(name);
      if (child && !has_zone) copy["timezone"] = "UTC";
      auto spec = CalendarSpecFromYaml(copy, source_);
      if (!spec) {
        AddPreformatted(spec.error(), value);
        return;
      }
      if (child && !has_zone) spec->timezone.clear();
      spec->name = name;
      raw[name] = std::move(*spec);
    });
    std::function<std::optional<domain::CalendarSpec>(const std::string&, int)> resolve =
        [&](const std::string& name, int depth) -> std::optional<domain::CalendarSpec> {
      auto it = raw.find(name);
      if (it == raw.end()) return std::nullopt;
      auto parent = pack_.calendar_parents.find(name);
      if (parent == pack_.calendar_parents.end()) return it->second;
      if (depth > 8) {
        Add(LineForPath("calendars." + name), "extends", "calendars extend each other in a loop",
            "format");
        return std::nullopt;
      }
      auto base = resolve(parent->second, depth + 1);
      if (!base) return std::nullopt;
      domain::CalendarSpec spec = domain::InheritCalendar(*base, it->second);
      spec.name = name;
      return spec;
    };
    for (const auto& [name, spec] : raw) {
      if (auto resolved = resolve(name, 0)) pack_.calendars[name] = std::move(*resolved);
    }
  }

  // Errors of calendar_file.cpp arrive as "SOURCE:LINE: KEY: WHAT".
  void AddPreformatted(const Error& error, const YAML::Node& fallback) {
    std::string text = error.message;
    int line = LineOf(fallback);
    const std::string prefix = std::string(source_) + ":";
    if (text.starts_with(prefix)) {
      text = text.substr(prefix.size());
      size_t digits = 0;
      while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) {
        ++digits;
      }
      if (digits > 0 && digits < text.size() && text[digits] == ':') {
        line = std::stoi(text.substr(0, digits));
        text = text.substr(digits + 1);
        while (!text.empty() && text.front() == ' ') text.erase(0, 1);
      }
    }
    std::string key = error.field.empty() ? "calendar" : error.field;
    if (text.starts_with(key + ": ")) text = text.substr(key.size() + 2);
    Add(line, key, text, "format");
  }

  void ReadDepartment(const std::string& key, const YAML::Node& node) {
    static const KeySet kKeys = {"name", "scope", "calendar", "owner", "members"};
    if (!Keys(node, "department " + key, kKeys)) return;
    domain::PackDepartment d;
    d.key = key;
    d.name = Text(node["name"], "name");
    d.scope = StrList(node["scope"], "scope");
    d.calendar = Str(node["calendar"], "calendar");
    d.owner = Bool(node["owner"], "owner", false);
    d.members = StrList(node["members"], "members");
    pack_.departments.push_back(std::move(d));
  }

  void ReadClock(const std::string& name, const YAML::Node& node) {
    static const KeySet kKeys = {"start",    "stop",     "target",     "calendar",
                                 "pause_on", "warnings", "day_rule",   "applies_to",
                                 "rule",     "waivable", "description"};
    if (!Keys(node, "clock " + name, kKeys)) return;
    domain::PackClock clock;
    domain::ClockDefinition& d = clock.definition;
    d.name = name;
    d.start_event = Str(node["start"], "start");
    d.stop_event = Str(node["stop"], "stop");
    if (!node["target"]) {
      Bad(node, "target", "missing");
    } else if (auto target = Target(node["target"], "target")) {
      d.target = *target;
    }
    d.calendar = Str(node["calendar"], "calendar");
    if (d.calendar.empty()) d.calendar = pack_.default_calendar;
    d.pause_events = StrList(node["pause_on"], "pause_on");
    if (const YAML::Node warnings = node["warnings"]) {
      if (!warnings.IsSequence()) Bad(warnings, "warnings", "expected a list");
      for (const YAML::Node& w : warnings) {
        if (!Keys(w, "warning", {"percent", "before"})) continue;
        domain::WarningThreshold threshold;
        if (w["percent"]) threshold.percent = static_cast<int>(Int(w["percent"], "percent"));
        if (w["before"]) {
          if (auto before = Target(w["before"], "before", false)) {
            threshold.before = std::chrono::seconds(before->amount);
          }
        }
        d.warnings.push_back(threshold);
      }
    }
    if (const YAML::Node rule = node["day_rule"]) {
      if (Keys(rule, "day_rule", {"end", "receipt_day_cutoff"})) {
        const std::string end = Str(rule["end"], "end");
        if (end == "end_of_calendar_day") {
          d.day_rule.end = domain::WorkingDayEnd::kEndOfCalendarDay;
        } else if (!end.empty() && end != "close_of_day") {
          Bad(rule["end"], "end", "expected close_of_day or end_of_calendar_day");
        }
        if (rule["receipt_day_cutoff"]) {
          auto cutoff = domain::ParseTimeOfDay(Str(rule["receipt_day_cutoff"], "cutoff"));
          if (!cutoff) {
            Bad(rule["receipt_day_cutoff"], "receipt_day_cutoff", cutoff.error().message);
          } else {
            d.day_rule.receipt_day_cutoff = *cutoff;
          }
        }
      }
    }
    clock.applies_to = node["applies_to"] ? Str(node["applies_to"], "applies_to") : "ticket";
    clock.rule = Str(node["rule"], "rule");
    clock.waiver_reasons = StrList(node["waivable"], "waivable");
    clock.description = Str(node["description"], "description");
    pack_.clocks.push_back(std::move(clock));
  }

  void ReadType(const std::string& key, const YAML::Node& node) {
    static const KeySet kKeys = {"name", "kind", "category", "urgent", "form", "clocks"};
    if (!Keys(node, "complaint type " + key, kKeys)) return;
    domain::ComplaintType t;
    t.key = key;
    t.name = Text(node["name"], "name");
    if (node["kind"]) {
      auto kind = domain::ParseTicketKind(Str(node["kind"], "kind"));
      if (!kind) {
        Bad(node["kind"], "kind", kind.error().message);
      } else {
        t.kind = *kind;
      }
    }
    t.category = Str(node["category"], "category");
    t.urgent = Bool(node["urgent"], "urgent", false);
    t.clocks = StrList(node["clocks"], "clocks");
    if (const YAML::Node form = node["form"]) {
      if (!form.IsSequence()) {
        Bad(form, "form", "expected a list of fields (order is the form's order)");
      } else {
        for (const YAML::Node& f : form) ReadField(f, t);
      }
    }
    pack_.complaint_types.push_back(std::move(t));
  }

  void ReadField(const YAML::Node& node, domain::ComplaintType& type) {
    static const KeySet kKeys = {"name",   "label",      "type",    "required",
                                 "values", "max_length", "pattern", "group"};
    if (!Keys(node, "form field", kKeys)) return;
    domain::FormField f;
    f.name = Str(node["name"], "name");
    f.label = Text(node["label"], "label");
    if (node["type"]) {
      auto ft = domain::ParseFieldType(Str(node["type"], "type"));
      if (!ft) {
        Bad(node["type"], "type", ft.error().message);
      } else {
        f.type = *ft;
      }
    }
    f.required = Bool(node["required"], "required", false);
    f.values = StrList(node["values"], "values");
    if (node["max_length"]) {
      const int64_t n = Int(node["max_length"], "max_length");
      if (n <= 0) {
        Bad(node["max_length"], "max_length", "must be positive");
      } else {
        f.max_length = static_cast<size_t>(n);
      }
    }
    f.pattern = Str(node["pattern"], "pattern");
    f.group = Str(node["group"], "group");
    type.form.push_back(std::move(f));
  }

  void ReadProduct(const std::string& key, const YAML::Node& node) {
    static const KeySet kKeys = {"name", "filing_window", "reply_deadline", "clocks"};
    if (!Keys(node, "product " + key, kKeys)) return;
    domain::Product p;
    p.key = key;
    p.name = Text(node["name"], "name");
    if (node["filing_window"]) p.filing_window = Target(node["filing_window"], "filing_window");
    if (node["reply_deadline"]) {
      p.reply_deadline = Target(node["reply_deadline"], "reply_deadline");
    }
    ReadMap(node["clocks"], "clocks", [&](const std::string& name, const YAML::Node& value) {
      if (auto target = Target(value, name)) p.clocks[name] = *target;
    });
    pack_.products.push_back(std::move(p));
  }

  void ReadTemplate(const std::string& key, const YAML::Node& node) {
    if (!node.IsMap()) {
      Bad(node, key, "expected description, interim and language -> channel -> {subject, body}");
      return;
    }
    domain::AnswerTemplate t;
    t.key = key;
    for (const auto& entry : node) {
      const std::string lang = entry.first.as<std::string>("");
      if (lang == "description") {
        t.description = Str(entry.second, "description");
        continue;
      }
      if (lang == "interim") {
        t.interim = Bool(entry.second, "interim", false);
        continue;
      }
      ReadMap(entry.second, lang, [&](const std::string& channel, const YAML::Node& value) {
        if (!Keys(value, "template text", {"subject", "body"})) return;
        t.texts[lang][channel] = {Str(value["subject"], "subject"), Str(value["body"], "body")};
      });
    }
    pack_.templates.push_back(std::move(t));
  }

  std::vector<domain::Salutation> Salutations(const YAML::Node& node, std::string_view key) {
    std::vector<domain::Salutation> out;
    if (!node.IsDefined() || node.IsNull()) return out;
    if (!node.IsSequence()) {
      Bad(node, std::string(key), "expected a list of {channels, text}");
      return out;
    }
    for (const YAML::Node& item : node) {
      if (!Keys(item, key, {"channels", "text"})) continue;
      domain::Salutation s;
      for (Channel c : Channels(item["channels"], "channels")) s.channels.insert(c);
      s.text = Text(item["text"], "text");
      out.push_back(std::move(s));
    }
    return out;
  }

  void ReadChannels(const YAML::Node& node) {
    if (!node.IsDefined() || node.IsNull()) return;
    if (!node.IsSequence()) {
      Bad(node, "channels", "expected a list of {channel, address, calendar}");
      return;
    }
    for (const YAML::Node& item : node) {
      if (!Keys(item, "channel", {"channel", "address", "calendar"})) continue;
      domain::ChannelSpec spec;
      if (auto c = ChannelOf(item["channel"], "channel")) spec.channel = *c;
      spec.address = Str(item["address"], "address");
      spec.calendar = Str(item["calendar"], "calendar");
      pack_.channels.push_back(std::move(spec));
    }
  }

  void ReadEscalation(const std::string& key, const YAML::Node& node) {
    if (!Keys(node, "escalation " + key, {"kind", "name", "contact", "clock"})) return;
    domain::EscalationTarget e;
    e.key = key;
    auto kind = domain::ParseEscalationKind(Str(node["kind"], "kind"));
    if (!kind) {
      Bad(node["kind"] ? node["kind"] : node, "kind", kind.error().message);
    } else {
      e.kind = *kind;
    }
    e.name = Text(node["name"], "name");
    e.contact = Str(node["contact"], "contact");
    e.clock = Str(node["clock"], "clock");
    pack_.escalations.push_back(std::move(e));
  }

  void ReadPolicies(const YAML::Node& root) {
    if (const YAML::Node t = root["telecom"]) {
      if (Keys(t, "telecom", {"transfer_consents", "prepaid_recycle_clock"})) {
        pack_.telecom = domain::TelecomPolicy{StrList(t["transfer_consents"], "transfer_consents"),
                                              Str(t["prepaid_recycle_clock"], "clock")};
      }
    }
    if (const YAML::Node c = root["compensation"]) {
      if (Keys(c, "compensation", {"enabled", "keep_open_after_rejection"})) {
        pack_.compensation =
            domain::CompensationPolicy{Bool(c["enabled"], "enabled", true),
                                       Bool(c["keep_open_after_rejection"], "keep_open", true)};
      }
    }
    if (const YAML::Node s = root["service_contract"]) {
      if (!Keys(s, "service_contract", {"reservation", "postponement", "refund"})) return;
      domain::ServiceContractPolicy p;
      if (const YAML::Node r = s["reservation"]) {
        if (Keys(r, "reservation",
                 {"request_within_days", "notice_days", "max_days", "reasons", "proof_required"})) {
          p.reservation_request_within_days =
              static_cast<int>(Int(r["request_within_days"], "request_within_days"));
          p.reservation_notice_days = static_cast<int>(Int(r["notice_days"], "notice_days"));
          p.reservation_max_days = static_cast<int>(Int(r["max_days"], "max_days"));
          p.reservation_reasons = StrList(r["reasons"], "reasons");
          p.reservation_proof_required = Bool(r["proof_required"], "proof_required", false);
        }
      }
      if (const YAML::Node q = s["postponement"]) {
        if (Keys(q, "postponement", {"max_days", "notify_via"})) {
          p.postponement_max_days = static_cast<int>(Int(q["max_days"], "max_days"));
          p.postponement_notify_via = Channels(q["notify_via"], "notify_via");
        }
      }
      if (const YAML::Node r = s["refund"]) {
        if (Keys(r, "refund", {"not_performed_within_days", "exceptions_recorded"})) {
          p.refund_not_performed_within_days =
              static_cast<int>(Int(r["not_performed_within_days"], "not_performed_within_days"));
          p.refund_exceptions_recorded =
              Bool(r["exceptions_recorded"], "exceptions_recorded", true);
        }
      }
      pack_.service_contract = std::move(p);
    }
  }

  std::string_view source_;
  Pack pack_;
  std::vector<PackDiagnostic> errors_;
  std::map<std::string, int> lines_;
};

Result<Pack> ToResult(PackCheck check) {
  if (check.ok()) return std::move(check.pack);
  std::string message;
  for (const PackDiagnostic& d : check.errors) {
    if (!message.empty()) message += "\n";
    message += d.ToString();
  }
  return Fail(ErrorCode::kInvalidArgument, message, check.errors.front().key);
}

}  // namespace

std::string PackDiagnostic::ToString() const {
  std::string out = source;
  if (line > 0) out += ":" + std::to_string(line);
  return out + ": " + key + ": " + what + " (" + rule + ")";
}

PackCheck CheckPackYaml(std::string_view text, std::string_view source) {
  return PackReader(source).Read(text);
}

PackCheck CheckPackFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    PackCheck check;
    check.errors.push_back({path, 0, "file", "cannot read pack file", "format"});
    return check;
  }
  std::stringstream text;
  text << in.rdbuf();
  return CheckPackYaml(text.str(), path);
}

Result<Pack> LoadPackFile(const std::string& path) { return ToResult(CheckPackFile(path)); }

Result<Pack> ParsePackYaml(std::string_view text, std::string_view source) {
  return ToResult(CheckPackYaml(text, source));
}

}  // namespace ombud::app
