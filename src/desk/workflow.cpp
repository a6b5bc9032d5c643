#include "desk/workflow.hpp"

#include <boost/json.hpp>

#include "desk/clocks.hpp"
#include "domain/pack/template.hpp"

namespace ombud::desk {

namespace json = boost::json;
using domain::TicketState;

namespace {

std::string TicketSubject(Id id) { return "ticket:" + std::to_string(id); }

json::object DataOf(const store::CaseRecord& r) {
  boost::system::error_code ec;
  json::value v = json::parse(r.data, ec);
  if (ec || !v.is_object()) return {};
  return std::move(v.as_object());
}

Status AuditRecord(store::WriteTx& tx, const Actor& actor, const std::string& action,
                   const store::CaseRecord& r) {
  return tx.Audit(
      actor.audit_name, action, TicketSubject(r.ticket_id),
      json::serialize(json::object{
          {"record_id", r.id}, {"kind", r.kind}, {"state", r.state}, {"data", DataOf(r)}}));
}

Result<store::CaseRecord> NewRecord(store::WriteTx& tx, const Actor& actor, Id ticket_id,
                                    std::string kind, std::string state, json::object data,
                                    std::optional<Id> department_id = std::nullopt) {
  store::CaseRecord r;
  r.ticket_id = ticket_id;
  r.kind = std::move(kind);
  r.state = std::move(state);
  r.department_id = department_id;
  r.data = json::serialize(data);
  r.created_by = actor.audit_name;
  OMBUD_RETURN_IF_ERROR(tx.InsertCaseRecord(r));
  OMBUD_RETURN_IF_ERROR(AuditRecord(tx, actor, r.kind + ".create", r));
  return r;
}

Result<store::CaseRecord> UpdateRecord(store::WriteTx& tx, const Actor& actor, store::CaseRecord r,
                                       std::string state, json::object data) {
  r.state = std::move(state);
  r.data = json::serialize(data);
  OMBUD_RETURN_IF_ERROR(tx.UpdateCaseRecord(r));
  r.updated_at = tx.Now();
  OMBUD_RETURN_IF_ERROR(AuditRecord(tx, actor, r.kind + "." + r.state, r));
  return r;
}

Result<store::CaseRecord> OpenRecord(store::ReadTx& tx, Id record_id, std::string_view kind) {
  OMBUD_ASSIGN_OR_RETURN(auto r, tx.GetCaseRecord(record_id));
  if (r.kind != kind) return Fail(ErrorCode::kNotFound, std::string(kind) + " not found");
  return r;
}

Result<domain::Ticket> TicketForAct(store::WriteTx& tx, const Actor& actor, Id ticket_id,
                                    const Policy* policy) {
  OMBUD_RETURN_IF_ERROR(RequireStaff(actor));
  OMBUD_ASSIGN_OR_RETURN(auto ticket, tx.GetTicket(ticket_id));
  OMBUD_RETURN_IF_ERROR(CheckMayAct(tx, actor, ticket, policy));
  return ticket;
}

bool IsSupervisor(const Actor& a) {
  return a.role == domain::Role::kAdmin || a.role == domain::Role::kSupervisor;
}

Status SetState(store::WriteTx& tx, const Actor& actor, domain::Ticket& t, TicketState to,
                const std::string& reason) {
  if (t.state == to) return {};
  OMBUD_RETURN_IF_ERROR(domain::CheckTransition(t.state, to));
  const auto from = t.state;
  t.state = to;
  OMBUD_RETURN_IF_ERROR(tx.UpdateTicket(t));
  return tx.Audit(actor.audit_name, "ticket.state", TicketSubject(t.id),
                  json::serialize(json::object{
                      {"from", domain::Name(from)}, {"to", domain::Name(to)}, {"reason", reason}}));
}

// The customer's contact for a channel that sends (e-mail, SMS); nullopt when none.
std::optional<std::string> ContactFor(const domain::Customer& c, domain::Channel method) {
  const auto kind = method == domain::Channel::kEmail       ? domain::IdentityKind::kEmail
                    : method == domain::Channel::kMessenger ? domain::IdentityKind::kFacebook
                                                            : domain::IdentityKind::kPhone;
  for (const auto& i : c.identities) {
    if (i.kind == kind) return i.value;
  }
  return std::nullopt;
}

Status Notify(store::WriteTx& tx, std::optional<Id> user, std::string role, Id ticket_id,
              std::string kind, std::string message) {
  store::Notification n;
  n.user_id = user;
  n.role = std::move(role);
  n.ticket_id = ticket_id;
  n.kind = std::move(kind);
  n.message = std::move(message);
  return tx.InsertNotification(n);
}

std::string EscalationEvent(const std::string& kind, bool answered) {
  if (kind == "regulator") return answered ? "regulator_answered" : "escalated_to_regulator";
  if (kind == "legal_authority") {
    return answered ? "legal_decision_recorded" : "escalated_to_legal";
  }
  return answered ? "escalation_answered" : "escalated";
}

}  // namespace

Status CheckMayAct(store::ReadTx& tx, const Actor& actor, const domain::Ticket& ticket,
                   const Policy* policy) {
  OMBUD_RETURN_IF_ERROR(RequireStaff(actor));
  if (policy == nullptr || IsSupervisor(actor) || !actor.user_id) return {};
  OMBUD_ASSIGN_OR_RETURN(auto user, tx.GetUser(*actor.user_id));
  if (!user.department_id) {
    return Fail(ErrorCode::kPermissionDenied, "you belong to no department (R-CSP-8)");
  }
  OMBUD_ASSIGN_OR_RETURN(auto dept, tx.GetDepartment(*user.department_id));
  if (dept.owner) {
    if (ticket.owner_id == actor.user_id) return {};
    return Fail(ErrorCode::kPermissionDenied,
                "ticket " + ticket.number +
                    " is not assigned to you: take the next ticket from the queue (R-CSP-5)");
  }
  OMBUD_ASSIGN_OR_RETURN(auto handoffs, tx.ListCaseRecords(ticket.id, "handoff"));
  for (const auto& h : handoffs) {
    if (h.state == "open" && h.department_id == dept.id) return {};
  }
  return Fail(ErrorCode::kPermissionDenied,
              "ticket " + ticket.number + " is outside the scope of " + dept.name + " (R-CSP-8)");
}

Result<store::CaseRecord> RequestInfo(store::WriteTx& tx, const Actor& actor, Id ticket_id,
                                      const std::string& asked, const Policy* policy) {
  OMBUD_ASSIGN_OR_RETURN(auto ticket, TicketForAct(tx, actor, ticket_id, policy));
  if (asked.empty()) return Fail(ErrorCode::kInvalidArgument, "say what is needed", "asked");
  OMBUD_ASSIGN_OR_RETURN(auto customer, tx.GetCustomer(ticket.customer_id));
  OMBUD_ASSIGN_OR_RETURN(auto record,
                         NewRecord(tx, actor, ticket.id, "info_request", "open",
                                   json::object{{"asked", asked}, {"asked_at", tx.Now()}}));
  // The request goes to the customer on the ticket's channel where it can send.
  std::string body = asked;
  std::string subject = "[" + ticket.number + "] " + ticket.subject;
  const domain::Channel via = ContactFor(customer, domain::Channel::kEmail)
                                  ? domain::Channel::kEmail
                                  : domain::Channel::kSms;
  if (policy != nullptr) {
    auto vars = TicketVars(tx, *policy, ticket, customer);
    vars["info_request"] = asked;
    auto rendered = domain::RenderAnswer(
        policy->pack(), "request_info",
        customer.language.empty() ? policy->pack().default_language : customer.language, via, vars);
    if (rendered) body = rendered->body;
  }
  domain::Article a;
  a.ticket_id = ticket.id;
  a.direction = domain::Direction::kOutbound;
  a.channel = via;
  a.author_user_id = actor.user_id;
  a.body = body;
  OMBUD_RETURN_IF_ERROR(tx.InsertArticle(a));
  if (auto to = ContactFor(customer, via)) {
    OMBUD_RETURN_IF_ERROR(tx.EnqueueOutbox(
        {via, *to, subject, body, ticket.id, "info:" + std::to_string(record.id), a.id, false}));
  }
  OMBUD_RETURN_IF_ERROR(
      SetState(tx, actor, ticket, TicketState::kPendingCustomer, "information requested"));
  OMBUD_RETURN_IF_ERROR(ApplyClockEvent(tx, policy, ticket, event::kWaitingForCustomer, actor));
  return record;
}

Result<store::CaseRecord> Transfer(store::WriteTx& tx, const Actor& actor, Id ticket_id,
                                   Id department_id, const std::string& note,
                                   const Policy* policy) {
  OMBUD_ASSIGN_OR_RETURN(auto ticket, TicketForAct(tx, actor, ticket_id, policy));
  auto dept = tx.GetDepartment(department_id);
  if (!dept) return Fail(ErrorCode::kInvalidArgument, "no such department", "department_id");
  if (dept->owner) {
    return Fail(ErrorCode::kInvalidArgument, "Customer Support already owns the ticket",
                "department_id");
  }
  if (policy != nullptr && !dept->key.empty() &&
      !domain::InScope(policy->pack(), dept->key, ticket.category)) {
    return Fail(
        ErrorCode::kFailedPrecondition,
        "category '" + ticket.category + "' is outside the scope of " + dept->name + " (R-CSP-8)",
        "department_id");
  }
  OMBUD_ASSIGN_OR_RETURN(auto open, tx.ListCaseRecords(ticket.id, "handoff"));
  for (const auto& h : open) {
    if (h.state == "open" && h.department_id == department_id) {
      return Fail(ErrorCode::kFailedPrecondition, "the ticket is already with " + dept->name);
    }
  }
  OMBUD_ASSIGN_OR_RETURN(
      auto record,
      NewRecord(tx, actor, ticket.id, "handoff", "open",
                json::object{{"request", note}, {"department", dept->name}}, department_id));
  OMBUD_RETURN_IF_ERROR(
      SetState(tx, actor, ticket, TicketState::kPendingDepartment, "handed to " + dept->name));
  OMBUD_RETURN_IF_ERROR(ApplyClockEvent(tx, policy, ticket, event::kTransferred, actor, *dept));
  OMBUD_ASSIGN_OR_RETURN(auto users, tx.ListUsers());
  for (const auto& u : users) {
    if (u.active && u.department_id == department_id) {
      OMBUD_RETURN_IF_ERROR(Notify(tx, u.id, "", ticket.id, "handoff",
                                   ticket.number + " was handed to " + dept->name + ": " + note));
    }
  }
  return record;
}

Result<store::CaseRecord> ReturnResult(store::WriteTx& tx, const Actor& actor, Id record_id,
                                       const std::string& result, const Policy* policy) {
  OMBUD_RETURN_IF_ERROR(RequireStaff(actor));
  OMBUD_ASSIGN_OR_RETURN(auto record, OpenRecord(tx, record_id, "handoff"));
  if (record.state != "open") {
    return Fail(ErrorCode::kFailedPrecondition, "this hand-off was already returned");
  }
  if (result.empty()) return Fail(ErrorCode::kInvalidArgument, "report a result", "result");
  OMBUD_ASSIGN_OR_RETURN(auto ticket, tx.GetTicket(record.ticket_id));
  if (!IsSupervisor(actor) && policy != nullptr) {
    OMBUD_ASSIGN_OR_RETURN(auto user, tx.GetUser(*actor.user_id));
    if (user.department_id != record.department_id) {
      return Fail(ErrorCode::kPermissionDenied,
                  "only the department the ticket was handed to reports its result (R-CSP-8)");
    }
  }
  OMBUD_ASSIGN_OR_RETURN(auto dept, tx.GetDepartment(*record.department_id));
  auto data = DataOf(record);
  data["result"] = result;
  data["returned_by"] = actor.audit_name;
  data["returned_at"] = tx.Now();
  OMBUD_ASSIGN_OR_RETURN(record, UpdateRecord(tx, actor, record, "returned", std::move(data)));
  domain::Article note;
  note.ticket_id = ticket.id;
  note.direction = domain::Direction::kInternal;
  note.channel = ticket.channel;
  note.author_user_id = actor.user_id;
  note.body = dept.name + " result: " + result;
  OMBUD_RETURN_IF_ERROR(tx.InsertArticle(note));
  OMBUD_RETURN_IF_ERROR(ApplyClockEvent(tx, policy, ticket, event::kResultReported, actor, dept));
  OMBUD_ASSIGN_OR_RETURN(auto open, tx.ListCaseRecords(ticket.id, "handoff"));
  const bool still_out =
      std::any_of(open.begin(), open.end(), [](const auto& h) { return h.state == "open"; });
  if (!still_out && ticket.state == TicketState::kPendingDepartment) {
    OMBUD_RETURN_IF_ERROR(
        SetState(tx, actor, ticket, TicketState::kOpen, dept.name + " reported its result"));
  }
  OMBUD_RETURN_IF_ERROR(Notify(tx, ticket.owner_id, ticket.owner_id ? "" : "agent", ticket.id,
                               "handoff.result", ticket.number + ": " + dept.name + " reported"));
  return record;
}

Result<domain::Article> Answer(store::WriteTx& tx, const Actor& actor, Id ticket_id, AnswerCmd cmd,
                               const Policy* policy) {
  OMBUD_ASSIGN_OR_RETURN(auto ticket, TicketForAct(tx, actor, ticket_id, policy));
  OMBUD_ASSIGN_OR_RETURN(auto customer, tx.GetCustomer(ticket.customer_id));
  if (policy != nullptr && !policy->pack().answer_methods.empty() &&
      std::find(policy->pack().answer_methods.begin(), policy->pack().answer_methods.end(),
                cmd.method) == policy->pack().answer_methods.end()) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string("answers do not go out by ") + std::string(domain::Name(cmd.method)) +
                    " in this pack (R-MET-8)",
                "method");
  }
  std::string subject = "[" + ticket.number + "] " + ticket.subject;
  std::string body = cmd.body;
  bool interim = cmd.interim;
  if (policy != nullptr && !cmd.template_key.empty()) {
    for (const auto& t : policy->pack().templates)
      interim = interim || (t.key == cmd.template_key && t.interim);
  }
  if (interim && cmd.resolve) {
    return Fail(ErrorCode::kInvalidArgument, "an interim answer cannot resolve the ticket",
                "resolve");
  }
  if (policy != nullptr) {
    const std::string language =
        customer.language.empty() ? policy->pack().default_language : customer.language;
    if (!cmd.template_key.empty()) {
      auto vars = TicketVars(tx, *policy, ticket, customer);
      vars["answer"] = cmd.body;
      for (const auto& [k, v] : cmd.vars) vars[k] = v;
      OMBUD_ASSIGN_OR_RETURN(auto rendered, domain::RenderAnswer(policy->pack(), cmd.template_key,
                                                                 language, cmd.method, vars));
      body = std::move(rendered.body);
      if (!rendered.subject.empty()) subject = "[" + ticket.number + "] " + rendered.subject;
    } else {
      OMBUD_ASSIGN_OR_RETURN(body, domain::FrameAnswer(policy->pack(), language, cmd.method, body));
      OMBUD_RETURN_IF_ERROR(domain::CheckAnswer(policy->pack(), language, cmd.method, body));
    }
  }
  if (body.empty()) return Fail(ErrorCode::kInvalidArgument, "the answer is empty", "body");
  domain::Article a;
  a.ticket_id = ticket.id;
  a.direction = domain::Direction::kOutbound;
  a.channel = cmd.method;
  a.author_user_id = actor.user_id;
  a.body = body;
  if (!cmd.attachment_ids.empty()) {
    if (cmd.method != domain::Channel::kEmail) {
      return Fail(ErrorCode::kInvalidArgument, "only an e-mail answer carries files",
                  "attachments");
    }
    // Only files already on this ticket (the customer's documents, an agent's upload).
    OMBUD_ASSIGN_OR_RETURN(auto articles, tx.ListArticles(ticket.id));
    for (const Id wanted : cmd.attachment_ids) {
      std::optional<domain::Attachment> found;
      for (const auto& article : articles) {
        for (const auto& file : article.attachments) {
          if (file.id == wanted) found = file;
        }
      }
      if (!found) {
        return Fail(ErrorCode::kInvalidArgument,
                    "attachment " + std::to_string(wanted) + " is not on this ticket",
                    "attachments");
      }
      found->id = 0;  // The answer's own attachment row, same stored file.
      a.attachments.push_back(std::move(*found));
    }
  }
  OMBUD_RETURN_IF_ERROR(tx.InsertArticle(a));
  // A Messenger answer goes to the customer's page-scoped id (PSID), through the Send API.
  const bool sends = cmd.method == domain::Channel::kEmail || cmd.method == domain::Channel::kSms ||
                     cmd.method == domain::Channel::kMessenger;
  std::string delivery = "recorded";
  if (sends) {
    auto to = ContactFor(customer, cmd.method);
    if (!to) {
      return Fail(ErrorCode::kFailedPrecondition,
                  "the customer has no " +
                      std::string(cmd.method == domain::Channel::kEmail       ? "e-mail address"
                                  : cmd.method == domain::Channel::kMessenger ? "Messenger id"
                                                                              : "phone number"),
                  "method");
    }
    OMBUD_RETURN_IF_ERROR(tx.EnqueueOutbox({cmd.method, *to, subject, body, ticket.id,
                                            "answer:" + std::to_string(a.id), a.id, false}));
    delivery = "queued";
  }
  OMBUD_RETURN_IF_ERROR(tx.Audit(actor.audit_name, "ticket.answer", TicketSubject(ticket.id),
                                 json::serialize(json::object{{"article_id", a.id},
                                                              {"method", domain::Name(cmd.method)},
                                                              {"delivery", delivery},
                                                              {"template", cmd.template_key},
                                                              {"interim", interim}})));
  OMBUD_RETURN_IF_ERROR(ApplyClockEvent(tx, policy, ticket,
                                        interim ? event::kAcknowledged : event::kAnswered, actor));
  if (ticket.state == TicketState::kNew) {
    OMBUD_RETURN_IF_ERROR(SetState(tx, actor, ticket, TicketState::kOpen, "answered"));
  }
  if (cmd.resolve) {
    OMBUD_RETURN_IF_ERROR(
        ChangeState(tx, actor, ticket.id, TicketState::kResolved, "answered", policy));
  }
  return a;
}

Result<domain::Ticket> UpdateFields(store::WriteTx& tx, const Actor& actor, Id ticket_id,
                                    const std::string& fields_json, const Policy* policy) {
  OMBUD_ASSIGN_OR_RETURN(auto ticket, TicketForAct(tx, actor, ticket_id, policy));
  boost::system::error_code ec;
  json::value current = json::parse(ticket.custom_fields_json, ec);
  if (ec || !current.is_object()) current = json::object{};
  json::value changes = json::parse(fields_json, ec);
  if (ec || !changes.is_object()) {
    return Fail(ErrorCode::kInvalidArgument, "custom_fields must be an object", "custom_fields");
  }
  json::object before;
  for (const auto& kv : changes.get_object()) {
    auto& fields = current.as_object();
    if (const auto* old = fields.if_contains(kv.key())) before[kv.key()] = *old;
    if (kv.value().is_null()) {
      fields.erase(kv.key());
    } else {
      fields[kv.key()] = kv.value();
    }
  }
  if (current.as_object().size() > 64) {
    return Fail(ErrorCode::kInvalidArgument, "a ticket has at most 64 custom fields",
                "custom_fields");
  }
  ticket.custom_fields_json = json::serialize(current);
  OMBUD_RETURN_IF_ERROR(tx.UpdateTicket(ticket));
  OMBUD_RETURN_IF_ERROR(
      tx.Audit(actor.audit_name, "ticket.fields", TicketSubject(ticket.id),
               json::serialize(json::object{{"before", std::move(before)}, {"after", changes}})));
  return ticket;
}

Result<domain::Ticket> AcceptLate(store::WriteTx& tx, const Actor& actor, Id ticket_id,
                                  const std::string& justification) {
  OMBUD_RETURN_IF_ERROR(RequireStaff(actor));
  if (justification.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "accepting a late complaint needs a justification",
                "justification");
  }
  OMBUD_ASSIGN_OR_RETURN(auto ticket, tx.GetTicket(ticket_id));
  boost::system::error_code ec;
  json::value flags = json::parse(ticket.flags_json, ec);
  if (ec || !flags.is_object() || !flags.as_object().contains("out_of_window")) {
    return Fail(ErrorCode::kFailedPrecondition, "the complaint is not out of its filing window");
  }
  auto& window = flags.as_object()["out_of_window"].as_object();
  window["accepted"] = true;
  window["accepted_by"] = actor.audit_name;
  window["justification"] = justification;
  ticket.flags_json = json::serialize(flags);
  OMBUD_RETURN_IF_ERROR(tx.UpdateTicket(ticket));
  OMBUD_RETURN_IF_ERROR(tx.Audit(actor.audit_name, "ticket.accept_late", TicketSubject(ticket.id),
                                 json::serialize(json::object{{"justification", justification}})));
  return ticket;
}

Result<std::optional<domain::Ticket>> TakeNext(store::WriteTx& tx, const Actor& actor,
                                               const Policy* policy) {
  OMBUD_RETURN_IF_ERROR(RequireStaff(actor));
  if (!actor.user_id) return Fail(ErrorCode::kPermissionDenied, "tickets go to users");
  OMBUD_ASSIGN_OR_RETURN(auto user, tx.GetUser(*actor.user_id));
  std::optional<domain::Department> dept;
  if (user.department_id) {
    OMBUD_ASSIGN_OR_RETURN(auto d, tx.GetDepartment(*user.department_id));
    dept = std::move(d);
  }
  std::optional<domain::Ticket> next;
  if (dept && !dept->owner && policy != nullptr) {
    // A scope department works the oldest hand-off waiting for it.
    store::TicketFilter f;
    f.states = {TicketState::kPendingDepartment};
    f.limit = 200;
    for (;;) {
      OMBUD_ASSIGN_OR_RETURN(auto page, tx.ListTickets(f));
      for (const auto& t : page) {
        OMBUD_ASSIGN_OR_RETURN(auto handoffs, tx.ListCaseRecords(t.id, "handoff"));
        for (const auto& h : handoffs) {
          if (h.state == "open" && h.department_id == dept->id && !DataOf(h).contains("taken_by")) {
            auto data = DataOf(h);
            data["taken_by"] = actor.audit_name;
            OMBUD_RETURN_IF_ERROR(UpdateRecord(tx, actor, h, "open", std::move(data)));
            return std::optional<domain::Ticket>(t);
          }
        }
      }
      if (static_cast<int>(page.size()) < f.limit) return std::optional<domain::Ticket>{};
      f.after_id = page.back().id;
    }
  }
  store::TicketFilter f;
  f.states = {TicketState::kNew, TicketState::kOpen};
  f.unowned_only = true;
  if (dept) f.department_id = dept->id;
  f.limit = 1;
  OMBUD_ASSIGN_OR_RETURN(auto oldest, tx.ListTickets(f));
  if (oldest.empty()) return std::optional<domain::Ticket>{};
  next = oldest.front();
  next->owner_id = actor.user_id;
  OMBUD_RETURN_IF_ERROR(tx.UpdateTicket(*next));
  OMBUD_RETURN_IF_ERROR(tx.Audit(actor.audit_name, "ticket.take", TicketSubject(next->id),
                                 json::serialize(json::object{{"owner_id", *actor.user_id}})));
  if (next->state == TicketState::kNew) {
    OMBUD_RETURN_IF_ERROR(SetState(tx, actor, *next, TicketState::kOpen, "taken from the queue"));
    OMBUD_RETURN_IF_ERROR(ApplyClockEvent(tx, policy, *next, event::kProcessingStarted, actor));
  }
  return next;
}

Result<domain::Ticket> Assign(store::WriteTx& tx, const Actor& actor, Id ticket_id, Id user_id) {
  if (!IsSupervisor(actor)) {
    return Fail(ErrorCode::kPermissionDenied,
                "only supervisors assign tickets; agents take the next one (R-CSP-5)");
  }
  OMBUD_ASSIGN_OR_RETURN(auto ticket, tx.GetTicket(ticket_id));
  OMBUD_ASSIGN_OR_RETURN(auto user, tx.GetUser(user_id));
  if (!user.active || user.role == domain::Role::kCustomer) {
    return Fail(ErrorCode::kInvalidArgument, "assign to an active staff member", "user_id");
  }
  ticket.owner_id = user.id;
  OMBUD_RETURN_IF_ERROR(tx.UpdateTicket(ticket));
  OMBUD_RETURN_IF_ERROR(tx.Audit(actor.audit_name, "ticket.assign", TicketSubject(ticket.id),
                                 json::serialize(json::object{{"owner_id", user.id}})));
  return ticket;
}

Result<store::CaseRecord> Escalate(store::WriteTx& tx, const Actor& actor, Id ticket_id,
                                   const std::string& target, const std::string& reference,
                                   const std::string& body, const Policy* policy) {
  OMBUD_ASSIGN_OR_RETURN(auto ticket, TicketForAct(tx, actor, ticket_id, policy));
  std::string kind = "other";
  std::string name = target;
  if (policy != nullptr) {
    const auto& targets = policy->pack().escalations;
    auto it = std::find_if(targets.begin(), targets.end(),
                           [&](const auto& e) { return e.key == target; });
    if (it == targets.end()) {
      return Fail(ErrorCode::kInvalidArgument, "the pack has no escalation target " + target,
                  "target");
    }
    kind = std::string(domain::Name(it->kind));
    name = domain::LocalizedText(policy->pack(), it->name, policy->pack().default_language);
  } else if (target.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "name the authority", "target");
  }
  json::array messages;
  if (!body.empty()) {
    messages.push_back(json::object{
        {"direction", "out"}, {"body", body}, {"at", tx.Now()}, {"by", actor.audit_name}});
  }
  OMBUD_ASSIGN_OR_RETURN(auto record, NewRecord(tx, actor, ticket.id, "escalation", "open",
                                                json::object{{"target", target},
                                                             {"target_kind", kind},
                                                             {"target_name", name},
                                                             {"reference", reference},
                                                             {"messages", std::move(messages)}}));
  OMBUD_RETURN_IF_ERROR(ApplyClockEvent(tx, policy, ticket, EscalationEvent(kind, false), actor));
  return record;
}

Result<store::CaseRecord> RecordEscalationMessage(store::WriteTx& tx, const Actor& actor,
                                                  Id record_id, const std::string& direction,
                                                  const std::string& body, const Policy* policy) {
  OMBUD_RETURN_IF_ERROR(RequireStaff(actor));
  OMBUD_ASSIGN_OR_RETURN(auto record, OpenRecord(tx, record_id, "escalation"));
  if (direction != "in" && direction != "out") {
    return Fail(ErrorCode::kInvalidArgument, "direction is in or out", "direction");
  }
  if (body.empty()) return Fail(ErrorCode::kInvalidArgument, "the message is empty", "body");
  OMBUD_ASSIGN_OR_RETURN(auto ticket, tx.GetTicket(record.ticket_id));
  OMBUD_RETURN_IF_ERROR(CheckMayAct(tx, actor, ticket, policy));
  auto data = DataOf(record);
  if (!data["messages"].is_array()) data["messages"] = json::array{};
  data["messages"].as_array().push_back(json::object{
      {"direction", direction}, {"body", body}, {"at", tx.Now()}, {"by", actor.audit_name}});
  OMBUD_ASSIGN_OR_RETURN(record, UpdateRecord(tx, actor, record, record.state, std::move(data)));
  if (direction == "in") {
    const std::string kind(DataOf(record)["target_kind"].is_string()
                               ? DataOf(record)["target_kind"].get_string()
                               : "other");
    OMBUD_RETURN_IF_ERROR(ApplyClockEvent(tx, policy, ticket, EscalationEvent(kind, true), actor));
  }
  return record;
}

Result<store::CaseRecord> CloseEscalation(store::WriteTx& tx, const Actor& actor, Id record_id,
                                          const std::string& outcome, const Policy* policy) {
  OMBUD_RETURN_IF_ERROR(RequireStaff(actor));
  OMBUD_ASSIGN_OR_RETURN(auto record, OpenRecord(tx, record_id, "escalation"));
  if (record.state != "open") return Fail(ErrorCode::kFailedPrecondition, "already closed");
  if (outcome.empty()) return Fail(ErrorCode::kInvalidArgument, "record the outcome", "outcome");
  OMBUD_ASSIGN_OR_RETURN(auto ticket, tx.GetTicket(record.ticket_id));
  OMBUD_RETURN_IF_ERROR(CheckMayAct(tx, actor, ticket, policy));
  auto data = DataOf(record);
  data["outcome"] = outcome;
  data["closed_at"] = tx.Now();
  return UpdateRecord(tx, actor, record, "closed", std::move(data));
}

Result<store::CaseRecord> OfferCompensation(store::WriteTx& tx, const Actor& actor, Id ticket_id,
                                            const std::string& description,
                                            const std::string& amount, const std::string& currency,
                                            const Policy* policy) {
  OMBUD_ASSIGN_OR_RETURN(auto ticket, TicketForAct(tx, actor, ticket_id, policy));
  if (policy != nullptr &&
      (!policy->pack().compensation || !policy->pack().compensation->enabled)) {
    return Fail(ErrorCode::kFailedPrecondition, "this pack does not offer compensation");
  }
  if (description.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "describe the offer", "description");
  }
  OMBUD_ASSIGN_OR_RETURN(auto record, NewRecord(tx, actor, ticket.id, "compensation", "offered",
                                                json::object{{"description", description},
                                                             {"amount", amount},
                                                             {"currency", currency},
                                                             {"offered_at", tx.Now()}}));
  OMBUD_RETURN_IF_ERROR(ApplyClockEvent(tx, policy, ticket, "compensation_offered", actor));
  return record;
}

Result<store::CaseRecord> DecideCompensation(store::WriteTx& tx, const Actor& actor, Id record_id,
                                             bool accepted, const std::string& note,
                                             const Policy* policy) {
  OMBUD_RETURN_IF_ERROR(RequireStaff(actor));
  OMBUD_ASSIGN_OR_RETURN(auto record, OpenRecord(tx, record_id, "compensation"));
  if (record.state != "offered") {
    return Fail(ErrorCode::kFailedPrecondition, "the offer was already " + record.state);
  }
  OMBUD_ASSIGN_OR_RETURN(auto ticket, tx.GetTicket(record.ticket_id));
  auto data = DataOf(record);
  data["decided_at"] = tx.Now();
  data["note"] = note;
  OMBUD_ASSIGN_OR_RETURN(
      record, UpdateRecord(tx, actor, record, accepted ? "accepted" : "rejected", std::move(data)));
  // The case stays as it is: a rejection does not close it (R-SMT-5).
  OMBUD_RETURN_IF_ERROR(ApplyClockEvent(tx, policy, ticket, "compensation_answered", actor));
  return record;
}

Result<store::CaseRecord> RequestNegotiation(store::WriteTx& tx, const Actor& actor, Id ticket_id,
                                             const std::string& note, const Policy* policy) {
  OMBUD_ASSIGN_OR_RETURN(auto ticket, TicketForAct(tx, actor, ticket_id, policy));
  OMBUD_ASSIGN_OR_RETURN(auto record,
                         NewRecord(tx, actor, ticket.id, "negotiation", "open",
                                   json::object{{"request", note}, {"requested_at", tx.Now()}}));
  OMBUD_RETURN_IF_ERROR(ApplyClockEvent(tx, policy, ticket, "negotiation_requested", actor));
  return record;
}

Result<store::CaseRecord> RecordNegotiation(store::WriteTx& tx, const Actor& actor, Id record_id,
                                            const std::string& outcome, const Policy* policy) {
  OMBUD_RETURN_IF_ERROR(RequireStaff(actor));
  OMBUD_ASSIGN_OR_RETURN(auto record, OpenRecord(tx, record_id, "negotiation"));
  if (record.state != "open") return Fail(ErrorCode::kFailedPrecondition, "already recorded");
  if (outcome.empty()) return Fail(ErrorCode::kInvalidArgument, "record the outcome", "outcome");
  OMBUD_ASSIGN_OR_RETURN(auto ticket, tx.GetTicket(record.ticket_id));
  OMBUD_RETURN_IF_ERROR(CheckMayAct(tx, actor, ticket, policy));
  auto data = DataOf(record);
  data["outcome"] = outcome;
  data["negotiated_at"] = tx.Now();
  OMBUD_ASSIGN_OR_RETURN(record, UpdateRecord(tx, actor, record, "done", std::move(data)));
  OMBUD_RETURN_IF_ERROR(ApplyClockEvent(tx, policy, ticket, "negotiated", actor));
  return record;
}

Result<std::int64_t> SuspendEmployee(store::WriteTx& tx, const Actor& actor, Id user_id,
                                     const std::string& reason) {
  if (!IsSupervisor(actor)) {
    return Fail(ErrorCode::kPermissionDenied, "only supervisors and administrators suspend");
  }
  if (reason.empty()) return Fail(ErrorCode::kInvalidArgument, "give the reason", "reason");
  if (actor.user_id == user_id) {
    return Fail(ErrorCode::kFailedPrecondition, "you cannot suspend yourself");
  }
  OMBUD_ASSIGN_OR_RETURN(auto user, tx.GetUser(user_id));
  if (user.role == domain::Role::kCustomer) {
    return Fail(ErrorCode::kInvalidArgument, "customers are not employees", "user_id");
  }
  user.active = false;
  OMBUD_RETURN_IF_ERROR(tx.UpdateUser(user));
  OMBUD_RETURN_IF_ERROR(tx.RevokeUserCredentials(user_id));
  OMBUD_ASSIGN_OR_RETURN(const auto released, tx.ReleaseOwnedTickets(user_id));
  OMBUD_RETURN_IF_ERROR(tx.Audit(actor.audit_name, "user.suspend",
                                 "user:" + std::to_string(user_id),
                                 json::serialize(json::object{{"login", user.login},
                                                              {"reason", reason},
                                                              {"credentials", "revoked"},
                                                              {"tickets_released", released}})));
  return released;
}

Result<std::vector<std::string>> ApplyPackDepartments(store::WriteTx& tx, const Actor& actor,
                                                      const domain::Pack& pack) {
  OMBUD_RETURN_IF_ERROR(RequireAdmin(actor));
  std::vector<std::string> changes;
  for (const auto& wanted : domain::WantedDepartments(pack)) {
    OMBUD_ASSIGN_OR_RETURN(auto existing, tx.FindDepartmentByKey(wanted.key));
    domain::Department d;
    if (existing) d = *existing;
    const bool same =
        existing && d.name == wanted.name && d.scope == wanted.scope && d.owner == wanted.owner;
    if (same) continue;
    d.key = wanted.key;
    d.name = wanted.name;
    d.scope = wanted.scope;
    d.owner = wanted.owner;
    if (existing) {
      OMBUD_RETURN_IF_ERROR(UpdateDepartment(tx, actor, d));
      changes.push_back("updated department " + d.key);
    } else {
      OMBUD_RETURN_IF_ERROR(CreateDepartment(tx, actor, d));
      changes.push_back("created department " + d.key);
    }
  }
  return changes;
}

}  // namespace ombud::desk
