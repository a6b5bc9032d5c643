#include "desk/clocks.hpp"

#include <boost/json.hpp>

#include <algorithm>

#include "domain/time/time_format.hpp"

namespace ombud::desk {

namespace json = boost::json;
using domain::ClockInstance;
using domain::ClockState;
using ombud::Instant;

namespace {

std::int64_t Secs(Instant t) { return t.time_since_epoch().count(); }
Instant FromSecs(std::int64_t s) { return Instant(std::chrono::seconds(s)); }

ClockState ParseState(std::string_view s) {
  for (auto st : {ClockState::kRunning, ClockState::kPaused, ClockState::kMet,
                  ClockState::kBreached, ClockState::kWaived}) {
    if (domain::ClockStateName(st) == s) return st;
  }
  return ClockState::kRunning;
}

std::string Subject(domain::Id clock_id) { return "clock:" + std::to_string(clock_id); }

// The definition a stored clock was started from (product overrides included).
Result<domain::ClockDefinition> DefinitionOf(const Policy& policy, const domain::Ticket& t,
                                             const std::string& name) {
  return domain::ClockFor(policy.pack(), name, t.product);
}

Result<const domain::Calendar*> CalendarOf(const Policy& policy, const domain::ClockDefinition& def,
                                           const std::optional<domain::Department>& department) {
  // A department clock runs on the department's own calendar when the pack gives it one
  // (e.g. a 24/7 technical team, R-CSP-2).
  if (department && !department->key.empty()) {
    auto pack_department = domain::FindDepartment(policy.pack(), department->key);
    if (pack_department && !(*pack_department)->calendar.empty()) {
      return policy.CalendarFor((*pack_department)->calendar);
    }
  }
  return policy.CalendarFor(def.calendar);
}

Status ScheduleTimers(store::WriteTx& tx, const store::ClockRow& row, const ClockInstance& c) {
  if (c.state != ClockState::kRunning || !c.due_at) return {};
  for (std::size_t i = 0; i < c.warn_at.size(); ++i) {
    store::Timer warn{0, Secs(c.warn_at[i]) * 1000, "clock.warning", Subject(row.id),
                      json::serialize(json::object{{"warning", i}})};
    OMBUD_RETURN_IF_ERROR(tx.ScheduleTimer(warn));
  }
  store::Timer breach{0, Secs(*c.due_at) * 1000, "clock.breach", Subject(row.id), "{}"};
  return tx.ScheduleTimer(breach);
}

void Fill(store::ClockRow& row, const ClockInstance& c) {
  row.state = std::string(domain::ClockStateName(c.state));
  row.due_at = c.due_at ? std::optional<domain::Millis>(Secs(*c.due_at) * 1000) : std::nullopt;
  row.stopped_at =
      c.stopped_at ? std::optional<domain::Millis>(Secs(*c.stopped_at) * 1000) : std::nullopt;
  row.instance = ClockInstanceToJson(c);
  row.rule_text = c.rule_text;
}

bool IsOpen(const std::string& state) { return state == "running" || state == "paused"; }

}  // namespace

std::string AuditDetails(
    std::initializer_list<std::pair<json::string_view, json::value_ref>> fields) {
  unsigned char buffer[2048];
  json::monotonic_resource resource(buffer, sizeof buffer);
  const json::object details(fields, &resource);
  return json::serialize(details);
}

std::string ClockInstanceToJson(const ClockInstance& c) {
  json::array pauses;
  for (const auto& p : c.pauses) {
    pauses.push_back(json::object{{"from", Secs(p.from)},
                                  {"to", p.to ? json::value(Secs(*p.to)) : json::value(nullptr)},
                                  {"reason", p.reason},
                                  {"who", p.who}});
  }
  json::array warns;
  for (const auto& w : c.warn_at) warns.push_back(Secs(w));
  return json::serialize(json::object{
      {"definition", c.definition},
      {"started_at", Secs(c.started_at)},
      {"pauses", std::move(pauses)},
      {"due_at", c.due_at ? json::value(Secs(*c.due_at)) : json::value(nullptr)},
      {"stopped_at", c.stopped_at ? json::value(Secs(*c.stopped_at)) : json::value(nullptr)},
      {"state", domain::ClockStateName(c.state)},
      {"waive_reason", c.waive_reason},
      {"warn_at", std::move(warns)},
      {"rule_text", c.rule_text}});
}

Result<ClockInstance> ClockInstanceFromJson(std::string_view text) {
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return Fail(ErrorCode::kInternal, "stored clock is not JSON");
  const auto& o = v.get_object();
  ClockInstance c;
  auto num = [&o](std::string_view k) -> std::optional<std::int64_t> {
    const auto* x = o.if_contains(k);
    if (x == nullptr || !x->is_int64()) return std::nullopt;
    return x->get_int64();
  };
  auto str = [&o](std::string_view k) -> std::string {
    const auto* x = o.if_contains(k);
    return x != nullptr && x->is_string() ? std::string(x->get_string()) : std::string();
  };
  c.definition = str("definition");
  c.started_at = FromSecs(num("started_at").value_or(0));
  if (auto d = num("due_at")) c.due_at = FromSecs(*d);
  if (auto s = num("stopped_at")) c.stopped_at = FromSecs(*s);
  c.state = ParseState(str("state"));
  c.waive_reason = str("waive_reason");
  c.rule_text = str("rule_text");
  if (const auto* p = o.if_contains("pauses"); p != nullptr && p->is_array()) {
    for (const auto& item : p->get_array()) {
      if (!item.is_object()) continue;
      const auto& po = item.get_object();
      domain::PauseRecord r;
      if (const auto* f = po.if_contains("from"); f && f->is_int64())
        r.from = FromSecs(f->get_int64());
      if (const auto* t = po.if_contains("to"); t && t->is_int64()) r.to = FromSecs(t->get_int64());
      if (const auto* s = po.if_contains("reason"); s && s->is_string()) r.reason = s->get_string();
      if (const auto* s = po.if_contains("who"); s && s->is_string()) r.who = s->get_string();
      c.pauses.push_back(std::move(r));
    }
  }
  if (const auto* w = o.if_contains("warn_at"); w != nullptr && w->is_array()) {
    for (const auto& item : w->get_array()) {
      if (item.is_int64()) c.warn_at.push_back(FromSecs(item.get_int64()));
    }
  }
  return c;
}

Status ApplyClockEvent(store::WriteTx& tx, const Policy* policy, const domain::Ticket& ticket,
                       std::string_view ev, const Actor& actor,
                       std::optional<domain::Department> department) {
  if (policy == nullptr) return {};
  const domain::Pack& pack = policy->pack();
  const Instant now = FromMillis(tx.Now());
  OMBUD_ASSIGN_OR_RETURN(auto rows, tx.ListClocks(ticket.id));
  const bool terminal = ev == event::kResolved || ev == event::kClosed;

  // Stop, pause or resume the clocks already running.
  for (auto& row : rows) {
    if (!IsOpen(row.state)) continue;
    OMBUD_ASSIGN_OR_RETURN(auto def, DefinitionOf(*policy, ticket, row.name));
    std::optional<domain::Department> row_department;
    if (row.department_id) {
      OMBUD_ASSIGN_OR_RETURN(auto d, tx.GetDepartment(*row.department_id));
      row_department = std::move(d);
    }
    // A department clock stops only on its own department's event.
    if (row.scope == "department" && department && row.department_id != department->id) continue;
    OMBUD_ASSIGN_OR_RETURN(const auto* cal, CalendarOf(*policy, def, row_department));
    OMBUD_ASSIGN_OR_RETURN(auto instance, ClockInstanceFromJson(row.instance));
    std::string action;
    if (def.stop_event == ev || terminal) {
      if (instance.state == ClockState::kPaused) {
        OMBUD_RETURN_IF_ERROR(domain::ResumeClock(instance, def, *cal, now));
      }
      OMBUD_RETURN_IF_ERROR(domain::StopClock(instance, def, *cal, now));
      action = "clock.stop";
    } else if (instance.state == ClockState::kRunning &&
               std::find(def.pause_events.begin(), def.pause_events.end(), ev) !=
                   def.pause_events.end()) {
      OMBUD_RETURN_IF_ERROR(
          domain::PauseClock(instance, def, *cal, now, ev, std::string(ev), actor.audit_name));
      action = "clock.pause";
    } else if (instance.state == ClockState::kPaused && ev == event::kCustomerReplied) {
      OMBUD_RETURN_IF_ERROR(domain::ResumeClock(instance, def, *cal, now));
      action = "clock.resume";
    } else {
      continue;
    }
    OMBUD_RETURN_IF_ERROR(tx.CancelTimers(Subject(row.id)));
    Fill(row, instance);
    OMBUD_RETURN_IF_ERROR(tx.UpdateClock(row));
    OMBUD_RETURN_IF_ERROR(ScheduleTimers(tx, row, instance));
    OMBUD_RETURN_IF_ERROR(tx.Audit(
        actor.audit_name, action, "ticket:" + std::to_string(ticket.id),
        AuditDetails(
            {{"clock", row.name}, {"clock_id", row.id}, {"event", ev}, {"state", row.state}})));
  }
  if (terminal) return {};

  // Start the clocks that start on this event.
  std::vector<std::string> starting;
  if (ev == event::kReceived) {
    if (ticket.complaint_type.empty()) {
      for (const auto& name : pack.default_clocks) {
        OMBUD_ASSIGN_OR_RETURN(auto d, domain::ClockFor(pack, name, ticket.product));
        if (d.start_event == ev) starting.push_back(d.name);
      }
    } else {
      OMBUD_ASSIGN_OR_RETURN(auto defs,
                             domain::TicketClocksFor(pack, ticket.complaint_type, ticket.product));
      for (const auto& d : defs) {
        if (d.start_event == ev) starting.push_back(d.name);
      }
    }
  } else {
    for (const auto& pc : pack.clocks) {
      if (pc.applies_to == "ticket" && pc.definition.start_event == ev) {
        starting.push_back(pc.definition.name);
      }
    }
  }
  for (const auto& name : starting) {
    OMBUD_ASSIGN_OR_RETURN(auto def, DefinitionOf(*policy, ticket, name));
    const bool dept_scope = ev == event::kTransferred && department.has_value();
    OMBUD_ASSIGN_OR_RETURN(const auto* cal,
                           CalendarOf(*policy, def, dept_scope ? department : std::nullopt));
    OMBUD_ASSIGN_OR_RETURN(auto instance, domain::StartClock(def, *cal, now));
    store::ClockRow row;
    row.ticket_id = ticket.id;
    row.name = name;
    row.scope = dept_scope ? "department" : "customer";
    if (dept_scope) row.department_id = department->id;
    row.started_at = tx.Now();
    Fill(row, instance);
    OMBUD_RETURN_IF_ERROR(tx.InsertClock(row));
    OMBUD_RETURN_IF_ERROR(ScheduleTimers(tx, row, instance));
    OMBUD_RETURN_IF_ERROR(tx.Audit(
        actor.audit_name, "clock.start", "ticket:" + std::to_string(ticket.id),
        AuditDetails(
            {{"clock", name}, {"clock_id", row.id}, {"event", ev}, {"rule", row.rule_text}})));
  }
  return {};
}

Status FireTimer(store::WriteTx& tx, const store::Timer& timer) {
  OMBUD_RETURN_IF_ERROR(tx.MarkTimerFired(timer.id));
  if (!timer.subject.starts_with("clock:")) return {};
  const domain::Id clock_id = std::stoll(timer.subject.substr(6));
  OMBUD_ASSIGN_OR_RETURN(auto row, tx.GetClock(clock_id));
  if (row.state != "running") return {};
  OMBUD_ASSIGN_OR_RETURN(auto ticket, tx.GetTicket(row.ticket_id));
  const std::string subject = "ticket:" + std::to_string(ticket.id);
  const std::string due = row.due_at ? domain::FormatInstant(FromMillis(*row.due_at)) : "";
  store::Notification to_owner;
  to_owner.user_id = ticket.owner_id;
  if (!ticket.owner_id) to_owner.role = "agent";
  to_owner.ticket_id = ticket.id;
  if (timer.kind == "clock.warning") {
    to_owner.kind = "clock.warning";
    to_owner.message = ticket.number + ": " + row.name + " is due at " + due;
    OMBUD_RETURN_IF_ERROR(tx.InsertNotification(to_owner));
    return tx.Audit("system", "clock.warning", subject,
                    AuditDetails({{"clock", row.name}, {"clock_id", row.id}, {"due_at", due}}));
  }
  // Breach: the clock is over its target while still running.
  OMBUD_ASSIGN_OR_RETURN(auto instance, ClockInstanceFromJson(row.instance));
  instance.state = ClockState::kBreached;
  Fill(row, instance);
  OMBUD_RETURN_IF_ERROR(tx.UpdateClock(row));
  to_owner.kind = "clock.breach";
  to_owner.message = ticket.number + ": " + row.name + " was due at " + due + " and is breached";
  OMBUD_RETURN_IF_ERROR(tx.InsertNotification(to_owner));
  store::Notification to_supervisors = to_owner;
  to_supervisors.user_id.reset();
  to_supervisors.role = "supervisor";
  OMBUD_RETURN_IF_ERROR(tx.InsertNotification(to_supervisors));
  return tx.Audit("system", "clock.breach", subject,
                  AuditDetails({{"clock", row.name},
                                {"clock_id", row.id},
                                {"due_at", due},
                                {"escalated_to", "supervisor"}}));
}

Result<std::int64_t> RecomputeOpenClocks(store::WriteTx& tx, const Policy& policy,
                                         const Actor& actor) {
  OMBUD_ASSIGN_OR_RETURN(auto rows, tx.ListOpenClocks());
  std::int64_t moved = 0;
  for (auto& row : rows) {
    OMBUD_ASSIGN_OR_RETURN(auto ticket, tx.GetTicket(row.ticket_id));
    auto def = DefinitionOf(policy, ticket, row.name);
    if (!def) continue;  // The new pack no longer has this clock: it keeps its due time.
    std::optional<domain::Department> department;
    if (row.department_id) {
      OMBUD_ASSIGN_OR_RETURN(auto d, tx.GetDepartment(*row.department_id));
      department = std::move(d);
    }
    OMBUD_ASSIGN_OR_RETURN(const auto* cal, CalendarOf(policy, *def, department));
    OMBUD_ASSIGN_OR_RETURN(auto instance, ClockInstanceFromJson(row.instance));
    const auto before = instance.due_at;
    OMBUD_RETURN_IF_ERROR(domain::RecomputeClock(instance, *def, *cal));
    if (instance.due_at == before) continue;
    OMBUD_RETURN_IF_ERROR(tx.CancelTimers(Subject(row.id)));
    Fill(row, instance);
    OMBUD_RETURN_IF_ERROR(tx.UpdateClock(row));
    OMBUD_RETURN_IF_ERROR(ScheduleTimers(tx, row, instance));
    OMBUD_RETURN_IF_ERROR(tx.Audit(
        actor.audit_name, "clock.recompute", "ticket:" + std::to_string(row.ticket_id),
        AuditDetails({{"clock", row.name}, {"clock_id", row.id}, {"rule", row.rule_text}})));
    ++moved;
  }
  return moved;
}

Status WaiveClock(store::WriteTx& tx, const Actor& actor, domain::Id clock_id,
                  const std::string& reason, const Policy* policy, const std::string& note) {
  OMBUD_RETURN_IF_ERROR(RequireStaff(actor));
  if (reason.empty()) return Fail(ErrorCode::kInvalidArgument, "a waiver needs a reason", "reason");
  OMBUD_ASSIGN_OR_RETURN(auto row, tx.GetClock(clock_id));
  if (!IsOpen(row.state)) {
    return Fail(ErrorCode::kFailedPrecondition, "clock " + row.name + " is already " + row.state);
  }
  if (policy != nullptr) {
    auto pack_clock = domain::FindClock(policy->pack(), row.name);
    if (pack_clock) {
      const auto& allowed = (*pack_clock)->waiver_reasons;
      if (allowed.empty()) {
        return Fail(
            ErrorCode::kFailedPrecondition,
            "pack " + policy->pack().id + " lets no reason waive the " + row.name + " clock",
            "reason");
      }
      if (std::find(allowed.begin(), allowed.end(), reason) == allowed.end()) {
        std::string list;
        for (const auto& r : allowed) list += (list.empty() ? "" : ", ") + r;
        return Fail(ErrorCode::kInvalidArgument,
                    "the " + row.name + " clock may be waived only for: " + list, "reason");
      }
    }
  }
  OMBUD_ASSIGN_OR_RETURN(auto instance, ClockInstanceFromJson(row.instance));
  OMBUD_RETURN_IF_ERROR(domain::WaiveClock(instance, reason));
  OMBUD_RETURN_IF_ERROR(tx.CancelTimers(Subject(row.id)));
  Fill(row, instance);
  OMBUD_RETURN_IF_ERROR(tx.UpdateClock(row));
  return tx.Audit(
      actor.audit_name, "clock.waive", "ticket:" + std::to_string(row.ticket_id),
      AuditDetails(
          {{"clock", row.name}, {"clock_id", row.id}, {"reason", reason}, {"note", note}}));
}

}  // namespace ombud::desk
