#include "app/pack_cli.hpp"

#include <iostream>
#include <memory>
#include <sstream>

#include "app/pack_file.hpp"
#include "domain/time/deadline_clock.hpp"
#include "domain/time/holidays.hpp"
#include "domain/time/time_format.hpp"

namespace ombud::app {
namespace {

using domain::Pack;

constexpr int kBadInput = 2;

std::string Join(const std::vector<std::string>& items, std::string_view sep = ", ") {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += sep;
    out += item;
  }
  return out.empty() ? "-" : out;
}

std::string Channels(const std::vector<domain::Channel>& channels) {
  std::vector<std::string> names;
  for (domain::Channel c : channels) names.emplace_back(domain::Name(c));
  return Join(names);
}

std::string Ranges(const std::vector<domain::TimeOfDayRange>& ranges) {
  std::vector<std::string> out;
  for (const domain::TimeOfDayRange& r : ranges) {
    out.push_back(domain::FormatTimeOfDay(r.begin) + "-" +
                  domain::FormatTimeOfDay(r.end % domain::kSecondsPerDay == 0 && r.end > 0
                                              ? domain::kSecondsPerDay
                                              : r.end % domain::kSecondsPerDay));
  }
  return out.empty() ? "closed" : Join(out, " ");
}

void DescribeCalendar(std::ostream& out, const Pack& pack, const std::string& name,
                      const domain::CalendarSpec& spec) {
  out << "  " << name;
  if (auto parent = pack.calendar_parents.find(name); parent != pack.calendar_parents.end()) {
    out << " (extends " << parent->second << ")";
  }
  if (name == pack.default_calendar) out << " [default]";
  out << ": " << spec.timezone;
  if (spec.country_holidays)
    out << ", " << domain::CountryCode(*spec.country_holidays) << " holidays";
  if (!spec.holidays.empty()) out << ", " << spec.holidays.size() << " own holiday ranges";
  out << "\n";
  for (int day = 0; day < 7; ++day) {
    out << "    " << domain::WeekdayName(day) << " "
        << (spec.weekly[day] ? Ranges(*spec.weekly[day]) : "closed") << "\n";
  }
}

std::string Target(const domain::ClockTarget& target) { return domain::DescribeTarget(target); }

void DescribeClock(std::ostream& out, const domain::PackClock& clock) {
  const domain::ClockDefinition& d = clock.definition;
  out << "  " << d.name;
  if (!clock.rule.empty()) out << " (" << clock.rule << ")";
  out << ": " << Target(d.target) << " from " << d.start_event << " until " << d.stop_event
      << " on " << d.calendar;
  if (clock.applies_to != "ticket") out << ", per " << clock.applies_to;
  if (!d.pause_events.empty()) out << "; pauses on " << Join(d.pause_events);
  if (!clock.waiver_reasons.empty()) out << "; waivable: " << Join(clock.waiver_reasons);
  std::vector<std::string> warnings;
  for (const domain::WarningThreshold& w : d.warnings) {
    if (w.percent) {
      warnings.push_back(std::to_string(*w.percent) + "%");
    } else if (w.before) {
      const domain::ClockTarget before{d.target.unit == domain::TargetUnit::kCalendarSeconds
                                           ? domain::TargetUnit::kCalendarSeconds
                                           : domain::TargetUnit::kWorkingSeconds,
                                       w.before->count()};
      warnings.push_back(Target(before) + " before");
    }
  }
  if (!warnings.empty()) out << "; warns at " << Join(warnings);
  out << "\n";
}

}  // namespace

std::string PackSummary(const Pack& pack) {
  std::ostringstream out;
  out << "pack " << pack.id << ": " << pack.name << "\n";
  std::vector<std::string> languages;
  for (const std::string& lang : pack.languages) {
    languages.push_back(lang == pack.default_language ? lang + " (default)" : lang);
  }
  out << "languages: " << Join(languages) << "\n";
  out << "calendars:\n";
  for (const auto& [name, spec] : pack.calendars) DescribeCalendar(out, pack, name, spec);
  out << "categories:\n";
  for (const auto& [key, label] : pack.categories) {
    auto route = pack.routing.find(key);
    out << "  " << key << " -> " << (route == pack.routing.end() ? "-" : route->second) << ": "
        << domain::LocalizedText(pack, label, pack.default_language) << "\n";
  }
  out << "departments:\n";
  for (const domain::PackDepartment& d : pack.departments) {
    out << "  " << d.key << (d.owner ? " [owner]" : "") << ": "
        << domain::LocalizedText(pack, d.name, pack.default_language) << "; calendar "
        << (d.calendar.empty() ? pack.default_calendar : d.calendar) << "; scope " << Join(d.scope);
    if (!d.members.empty()) out << "; members " << Join(d.members);
    out << "\n";
  }
  out << "complaint types:\n";
  for (const domain::ComplaintType& t : pack.complaint_types) {
    out << "  " << t.key << " (" << domain::Name(t.kind) << ", " << t.category
        << (t.urgent ? ", urgent" : "") << "): clocks "
        << Join(t.clocks.empty() ? pack.default_clocks : t.clocks) << "\n";
    for (const domain::FormField& f : t.form) {
      out << "    " << f.name << (f.required ? "*" : "") << " " << domain::Name(f.type);
      if (!f.values.empty()) out << " [" << Join(f.values, "|") << "]";
      if (f.max_length) out << " max " << *f.max_length;
      if (!f.pattern.empty()) out << " /" << f.pattern << "/";
      if (!f.group.empty()) out << " group " << f.group;
      out << "\n";
    }
  }
  out << "products:\n";
  for (const domain::Product& p : pack.products) {
    out << "  " << p.key << ": " << domain::LocalizedText(pack, p.name, pack.default_language);
    if (p.filing_window) out << "; filing window " << Target(*p.filing_window);
    if (p.reply_deadline) out << "; reply deadline " << Target(*p.reply_deadline);
    for (const auto& [name, target] : p.clocks) out << "; " << name << " " << Target(target);
    out << "\n";
  }
  out << "clocks (defaults: " << Join(pack.default_clocks) << "):\n";
  for (const domain::PackClock& c : pack.clocks) DescribeClock(out, c);
  out << "templates:\n";
  for (const domain::AnswerTemplate& t : pack.templates) {
    std::vector<std::string> parts;
    for (const auto& [lang, by_channel] : t.texts) {
      std::vector<std::string> channels;
      for (const auto& [channel, text] : by_channel) channels.push_back(channel);
      parts.push_back(lang + "[" + Join(channels) + "]");
    }
    out << "  " << t.key << ": " << Join(parts, " ") << "\n";
  }
  const auto salutations = [&](std::string_view title, const std::vector<domain::Salutation>& l) {
    for (const domain::Salutation& s : l) {
      out << title << " on "
          << Channels(std::vector<domain::Channel>(s.channels.begin(), s.channels.end())) << ":\n";
      for (const auto& [lang, text] : s.text) out << "  " << lang << ": " << text << "\n";
    }
  };
  salutations("greeting", pack.greetings);
  salutations("closing", pack.closings);
  out << "channels:\n";
  for (const domain::ChannelSpec& c : pack.channels) {
    out << "  " << domain::Name(c.channel) << ": " << (c.address.empty() ? "-" : c.address)
        << "; calendar " << (c.calendar.empty() ? pack.default_calendar : c.calendar) << "\n";
  }
  out << "answer methods: " << Channels(pack.answer_methods) << "\n";
  out << "escalations:\n";
  for (const domain::EscalationTarget& e : pack.escalations) {
    out << "  " << e.key << " (" << domain::Name(e.kind)
        << "): " << domain::LocalizedText(pack, e.name, pack.default_language);
    if (!e.contact.empty()) out << "; " << e.contact;
    if (!e.clock.empty()) out << "; clock " << e.clock;
    out << "\n";
  }
  if (pack.telecom) {
    out << "telecom: transfer needs consent of " << Join(pack.telecom->transfer_consents)
        << "; prepaid recycling clock "
        << (pack.telecom->prepaid_recycle_clock.empty() ? "-" : pack.telecom->prepaid_recycle_clock)
        << "\n";
  }
  if (pack.compensation) {
    out << "compensation: " << (pack.compensation->enabled ? "enabled" : "disabled")
        << (pack.compensation->keep_open_after_rejection ? "; case stays open after rejection" : "")
        << "\n";
  }
  if (pack.service_contract) {
    const domain::ServiceContractPolicy& s = *pack.service_contract;
    out << "service contract: reservation within " << s.reservation_request_within_days
        << " days of payment, " << s.reservation_notice_days << " days notice, at most "
        << s.reservation_max_days << " days" << (s.reservation_proof_required ? ", proof" : "")
        << " (" << Join(s.reservation_reasons) << "); postponement at most "
        << s.postponement_max_days << " days, notified by " << Channels(s.postponement_notify_via)
        << "; refund when not performed within " << s.refund_not_performed_within_days << " days\n";
  }
  return out.str();
}

int RunPackCheck(const std::string& path, std::ostream& out, std::ostream& err) {
  const PackCheck check = CheckPackFile(path);
  if (!check.ok()) {
    for (const PackDiagnostic& d : check.errors) err << d.ToString() << "\n";
    err << check.errors.size() << (check.errors.size() == 1 ? " error" : " errors") << "\n";
    return kBadInput;
  }
  out << "ok: " << check.pack.id << " (" << check.pack.departments.size() << " departments, "
      << check.pack.complaint_types.size() << " complaint types, " << check.pack.templates.size()
      << " templates)\n";
  return 0;
}

int RunPackShow(const std::string& path, std::ostream& out, std::ostream& err) {
  const PackCheck check = CheckPackFile(path);
  if (!check.ok()) {
    for (const PackDiagnostic& d : check.errors) err << d.ToString() << "\n";
    return kBadInput;
  }
  out << PackSummary(check.pack);
  return 0;
}

void RegisterPackCommands(CLI::App& app, int& exit_code) {
  auto* pack = app.add_subcommand("pack", "Check and show policy packs (docs/packs.md)");
  pack->require_subcommand(1);
  auto check_path = std::make_shared<std::string>();
  auto* check = pack->add_subcommand("check", "Validate a pack file; errors name file:line");
  check->add_option("FILE", *check_path, "Pack YAML file")->required();
  check->callback(
      [check_path, &exit_code] { exit_code = RunPackCheck(*check_path, std::cout, std::cerr); });
  auto show_path = std::make_shared<std::string>();
  auto* show = pack->add_subcommand("show", "Print a normalised summary of a pack");
  show->add_option("FILE", *show_path, "Pack YAML file")->required();
  show->callback(
      [show_path, &exit_code] { exit_code = RunPackShow(*show_path, std::cout, std::cerr); });
}

}  // namespace ombud::app
