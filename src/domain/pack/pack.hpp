#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "domain/model.hpp"
#include "domain/result.hpp"
#include "domain/time/calendar.hpp"
#include "domain/time/deadline_clock.hpp"

// A policy pack: one company's whole complaint process as plain data (DOMAIN.md "policy
// pack", docs/packs.md). Built by the YAML loader (app/pack_file.hpp) or by hand in tests,
// checked by CheckPack, then read-only; all functions below are pure and thread-safe on a
// const Pack.
namespace ombud::domain {

// Text per language code ("en", "vi", "km").
using Localized = std::map<std::string, std::string>;

// The well-known clock names a pack may define (docs/packs.md "clocks").
inline constexpr std::string_view kFilingWindowClock = "filing_window";  // R-MET-2
inline constexpr std::string_view kReplyClock = "reply";                 // R-MET-7

// The customer-facing languages Ombud ships text for.
inline constexpr std::string_view kKnownLanguages[] = {"en", "vi", "km"};

enum class FieldType { kString, kText, kDate, kPhone, kEmail, kNumber, kEnum, kBool, kFile };
std::string_view Name(FieldType type);
[[nodiscard]] Result<FieldType> ParseFieldType(std::string_view s, std::string_view field = "type");

// One field of a complaint type's form (R-MET-3, R-VIE-4).
struct FormField {
  std::string name;  // Key in FormValues.
  Localized label;
  FieldType type = FieldType::kString;
  bool required = false;
  std::string group;                 // Display group, e.g. "account", "payment" (R-VIE-4).
  std::vector<std::string> values;   // Allowed values of an enum field.
  std::optional<size_t> max_length;  // In bytes of UTF-8.
  std::string pattern;               // ECMAScript regex the whole value must match; "" = none.
};

// A form as filled in: field name -> value as text ("2026-02-13", "true", "42", a file id).
using FormValues = std::map<std::string, std::string>;

struct ComplaintType {
  std::string key;
  Localized name;
  TicketKind kind = TicketKind::kComplaint;
  std::string category;             // Default category, hence department (routing).
  bool urgent = false;              // Shown first in queues (R-SMT-2).
  std::vector<FormField> form;      // Empty: no form (R-MET-3).
  std::vector<std::string> clocks;  // Clocks that apply; empty = the pack's defaults.
};

// A clock as a pack defines it: the deadline-engine definition plus what the pack says about
// it. `definition.calendar` is always a calendar of the pack after loading.
struct PackClock {
  ClockDefinition definition;
  std::string applies_to = "ticket";        // ticket | subscriber | contract.
  std::string rule;                         // The rule it serves, e.g. "R-MET-7".
  std::vector<std::string> waiver_reasons;  // Recorded reasons that may waive it (R-VIE-2).
  std::string description;
};

// A product, programme or service with its own deadlines (R-MET-2, R-MET-7).
struct Product {
  std::string key;
  Localized name;
  std::optional<ClockTarget> filing_window;   // Replaces the filing_window clock's target.
  std::optional<ClockTarget> reply_deadline;  // Replaces the reply clock's target.
  std::map<std::string, ClockTarget> clocks;  // Other clocks' targets, by clock name.
};

struct PackDepartment {
  std::string key;
  Localized name;
  std::vector<std::string> scope;    // Categories it may handle (R-CSP-1, R-CSP-8).
  std::string calendar;              // A pack calendar; "" = the pack's default.
  bool owner = false;                // Customer Support: owns every request (R-MET-4).
  std::vector<std::string> members;  // Logins, optional.
};

// A fixed text every answer on `channels` must start (greeting) or end (closing) with, per
// language (R-CSP-7).
struct Salutation {
  std::set<Channel> channels;
  Localized text;
};

// One template text for one language and channel. `subject` is empty for non-mail channels.
struct TemplateText {
  std::string subject;
  std::string body;
};

// The texts of one template: language -> channel -> text. Channel "any" is the fallback.
struct AnswerTemplate {
  std::string key;
  std::string description;
  // An interim answer (R-VIE-6 b: "more time is needed"): it acknowledges the complaint but
  // is not the answer, so the answer clocks keep running.
  bool interim = false;
  std::map<std::string, std::map<std::string, TemplateText>> texts;
};

struct ChannelSpec {
  Channel channel = Channel::kEmail;
  std::string address;   // Hotline number, mailbox, page or shop list, as shown to customers.
  std::string calendar;  // When it is staffed; "" = the pack's default.
};

enum class EscalationKind { kSupervisor, kRegulator, kLegalAuthority, kOther };
std::string_view Name(EscalationKind kind);
[[nodiscard]] Result<EscalationKind> ParseEscalationKind(std::string_view s,
                                                         std::string_view field = "kind");

// Someone a case can be escalated to (R-SMT-4, R-QM-8), with the clock of its answer.
struct EscalationTarget {
  std::string key;
  EscalationKind kind = EscalationKind::kSupervisor;
  Localized name;
  std::string contact;
  std::string clock;  // A pack clock, or "".
};

// Telecom rules (seed 001).
struct TelecomPolicy {
  std::vector<std::string> transfer_consents;  // Parties that must consent (R-SMT-1).
  std::string prepaid_recycle_clock;           // A pack clock (R-SMT-6).
};

// Compensation offers (R-SMT-5).
struct CompensationPolicy {
  bool enabled = false;
  bool keep_open_after_rejection = true;
};

// Service contracts: reservation, postponement, refund (seed 004).
struct ServiceContractPolicy {
  int reservation_request_within_days = 0;       // After payment (R-QM-2).
  int reservation_notice_days = 0;               // Before the change (R-QM-2).
  int reservation_max_days = 0;                  // Reserved for at most (R-QM-2).
  std::vector<std::string> reservation_reasons;  // Legitimate reasons (R-QM-1).
  bool reservation_proof_required = false;       // "with proof where there is any" (R-QM-1).
  int postponement_max_days = 0;                 // R-QM-4.
  std::vector<Channel> postponement_notify_via;  // R-QM-4.
  int refund_not_performed_within_days = 0;      // R-QM-5.
  bool refund_exceptions_recorded = true;        // Who decided and why (R-QM-3).
};

struct Pack {
  std::string id;
  std::string name;
  std::string default_language;
  std::vector<std::string> languages;
  std::string default_calendar;
  std::map<std::string, CalendarSpec> calendars;        // Resolved: parents already applied.
  std::map<std::string, std::string> calendar_parents;  // Child -> parent, as written.
  std::map<std::string, Localized> categories;
  std::vector<ComplaintType> complaint_types;
  std::vector<Product> products;
  std::vector<PackDepartment> departments;
  std::map<std::string, std::string> routing;  // Category -> department key.
  std::vector<PackClock> clocks;
  std::vector<std::string> default_clocks;  // Started for a complaint type without `clocks`.
  std::vector<AnswerTemplate> templates;
  std::set<std::string> template_variables;  // Allowed placeholders, built-ins included.
  std::vector<Salutation> greetings;
  std::vector<Salutation> closings;
  std::vector<ChannelSpec> channels;    // Intake channels (R-MET-1, R-SMT-8, R-VIE-1).
  std::vector<Channel> answer_methods;  // How answers go out (R-MET-8).
  std::vector<EscalationTarget> escalations;
  std::optional<TelecomPolicy> telecom;
  std::optional<CompensationPolicy> compensation;
  std::optional<ServiceContractPolicy> service_contract;
};

// Placeholders every pack may use in templates (docs/packs.md "templates").
const std::set<std::string>& StandardTemplateVariables();

// One problem found by CheckPack. `path` locates it in pack terms ("departments.technical.
// calendar"); the loader turns it into file:line. `rule` is a DOMAIN.md ID or "pack".
struct PackIssue {
  std::string path;
  std::string key;
  std::string what;
  std::string rule;
};

// Every cross-reference and rule of the pack, in a stable order; empty = consistent.
// Calendars are compiled over 2020..2035 to prove they work.
std::vector<PackIssue> CheckPack(const Pack& pack);

// Lookups. kNotFound names the unknown key in `field`.
[[nodiscard]] Result<const ComplaintType*> FindComplaintType(const Pack& pack,
                                                             std::string_view key);
[[nodiscard]] Result<const Product*> FindProduct(const Pack& pack, std::string_view key);
[[nodiscard]] Result<const PackDepartment*> FindDepartment(const Pack& pack, std::string_view key);
[[nodiscard]] Result<const PackClock*> FindClock(const Pack& pack, std::string_view name);
// The department that owns every request (R-MET-4); kFailedPrecondition when none.
[[nodiscard]] Result<const PackDepartment*> OwnerDepartment(const Pack& pack);

// R-MET-3: kInvalidArgument naming the first field (in form order) that is missing, empty
// when required, of the wrong type, too long, not an allowed value, or not matching its
// pattern; unknown fields are rejected too. A type without form accepts only no values.
[[nodiscard]] Status ValidateForm(const ComplaintType& type, const FormValues& values);
[[nodiscard]] Status ValidateForm(const Pack& pack, std::string_view type_key,
                                  const FormValues& values);

// A clock of the pack with the product's target when the product overrides it; `product`
// empty = the pack default. kNotFound for an unknown product or clock.
[[nodiscard]] Result<ClockDefinition> ClockFor(const Pack& pack, std::string_view clock,
                                               std::string_view product = {});
// R-MET-2 / R-MET-7: ClockFor the filing_window / reply clock.
[[nodiscard]] Result<ClockDefinition> FilingWindowFor(const Pack& pack,
                                                      std::string_view product = {});
[[nodiscard]] Result<ClockDefinition> ReplyDeadlineFor(const Pack& pack,
                                                       std::string_view product = {});
// The clocks that apply to a ticket of `type_key` (its own list, else the pack defaults), with
// `product`'s targets; each starts when its start event happens on the ticket.
[[nodiscard]] Result<std::vector<ClockDefinition>> TicketClocksFor(const Pack& pack,
                                                                   std::string_view type_key,
                                                                   std::string_view product = {});

// Routing: the department a category goes to; kNotFound when the pack does not route it.
[[nodiscard]] Result<const PackDepartment*> DepartmentFor(const Pack& pack,
                                                          std::string_view category);
// R-CSP-8: whether `department` may handle `category` (unknown department: false).
bool InScope(const Pack& pack, std::string_view department, std::string_view category);

// The calendar a department works on (its own, else the pack default), resolved.
[[nodiscard]] Result<CalendarSpec> DepartmentCalendar(const Pack& pack,
                                                      std::string_view department);

// Greeting / closing every answer on `channel` in `language` must carry (R-CSP-7): nullopt
// when the channel needs none, "" when it needs one the pack lacks in that language.
std::optional<std::string> GreetingFor(const Pack& pack, Channel channel,
                                       std::string_view language);
std::optional<std::string> ClosingFor(const Pack& pack, Channel channel, std::string_view language);

// The departments a pack wants, for `pack apply` to diff against the store.
struct WantedDepartment {
  std::string key;
  std::string name;  // In the pack's default language.
  std::vector<std::string> scope;
  bool owner = false;
  std::vector<std::string> members;
};
std::vector<WantedDepartment> WantedDepartments(const Pack& pack);

// `text` in `language`, else the pack's default language, else any; "" when empty.
std::string LocalizedText(const Pack& pack, const Localized& text, std::string_view language);

}  // namespace ombud::domain
