#include "desk/desk.hpp"

#include <boost/json.hpp>

#include <algorithm>

#include "desk/clocks.hpp"
#include "desk/policy.hpp"
#include "domain/pack/template.hpp"
#include "domain/time/time_format.hpp"

#include <string>
#include <utility>

namespace ombud::desk {

namespace json = boost::json;
using domain::Role;
using domain::TicketState;

namespace {

std::string Subject(std::string_view kind, Id id) {
  return std::string(kind) + ":" + std::to_string(id);
}

// The acknowledgement's text in the customer's language. Packs replace it with their own
// templates; this is the fallback of a desk without a pack.
std::string AckText(const domain::Customer& c, const domain::Ticket& t) {
  if (c.language == "vi") {
    return "Kính gửi Quý khách, chúng tôi đã tiếp nhận khiếu nại " + t.number +
           " và sẽ phản hồi trong thời hạn quy định.";
  }
  if (c.language == "km") {
    return "សូមគោរព អតិថិជន យើងបានទទួលពាក្យបណ្តឹង " + t.number + " ហើយនឹងឆ្លើយតបក្នុងរយៈពេលកំណត់។";
  }
  return "Dear customer, we have received your request " + t.number +
         " and will answer within the committed time.";
}

std::optional<store::OutboxMessage> Acknowledgement(const domain::Customer& c,
                                                    const domain::Ticket& t,
                                                    const domain::TemplateVars* vars,
                                                    const Policy* policy) {
  const domain::Identity* email = nullptr;
  const domain::Identity* phone = nullptr;
  for (const auto& i : c.identities) {
    if (i.kind == domain::IdentityKind::kEmail && email == nullptr) email = &i;
    if (i.kind == domain::IdentityKind::kPhone && phone == nullptr) phone = &i;
  }
  const bool prefer_sms =
      t.channel == domain::Channel::kSms || t.channel == domain::Channel::kPhone;
  const domain::Identity* to = prefer_sms ? (phone ? phone : email) : (email ? email : phone);
  if (to == nullptr) return std::nullopt;
  store::OutboxMessage m;
  m.channel =
      to->kind == domain::IdentityKind::kEmail ? domain::Channel::kEmail : domain::Channel::kSms;
  m.recipient = to->value;
  m.subject = "[" + t.number + "] " + t.subject;
  m.body = AckText(c, t);
  if (policy != nullptr && vars != nullptr) {
    auto rendered = domain::RenderAnswer(
        policy->pack(), "acknowledgement",
        c.language.empty() ? policy->pack().default_language : c.language, m.channel, *vars);
    if (rendered) {
      if (!rendered->subject.empty()) m.subject = "[" + t.number + "] " + rendered->subject;
      m.body = rendered->body;
    }
  }
  m.ticket_id = t.id;
  m.dedupe_key = "ack:" + t.number;
  m.auto_submitted = true;
  return m;
}

Result<domain::Customer> FindOrCreateCustomer(store::WriteTx& tx, const Actor& actor,
                                              const NewCustomer& nc) {
  for (const auto& identity : nc.identities) {
    OMBUD_ASSIGN_OR_RETURN(auto found, tx.FindCustomerByIdentity(identity.kind, identity.value));
    if (found) {
      OMBUD_ASSIGN_OR_RETURN(auto customer, tx.GetCustomer(*found));
      // Identities the customer did not have yet are learnt from this contact.
      for (const auto& other : nc.identities) {
        OMBUD_ASSIGN_OR_RETURN(auto owner, tx.FindCustomerByIdentity(other.kind, other.value));
        if (!owner) {
          OMBUD_RETURN_IF_ERROR(tx.AddIdentity(customer.id, other));
          customer.identities.push_back(other);
        }
      }
      return customer;
    }
  }
  return CreateCustomer(tx, actor, nc);
}

// A local time for customers: "2026-03-03 16:30 ICT".
std::string LocalTime(const Policy& policy, ombud::Instant at) {
  auto cal = policy.CalendarFor("");
  if (!cal) return domain::FormatInstant(at);
  const auto local = (*cal)->zone().ToLocal(at);
  const auto day = std::chrono::floor<std::chrono::days>(local);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss hms(local - day);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d %s", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                (*cal)->zone().Abbreviation(at).c_str());
  return buf;
}

// Form values of a ticket: its custom fields as text.
domain::FormValues FormValuesOf(const std::string& custom_fields_json) {
  domain::FormValues values;
  boost::system::error_code ec;
  const json::value v = json::parse(custom_fields_json, ec);
  if (ec || !v.is_object()) return values;
  for (const auto& kv : v.get_object()) {
    const auto& x = kv.value();
    if (x.is_string()) {
      values[std::string(kv.key())] = std::string(x.get_string());
    } else if (!x.is_null()) {
      values[std::string(kv.key())] = json::serialize(x);
    }
  }
  return values;
}

// An instant as the API writes times: 2026-03-28T05:00:00.000Z.
std::string ApiTime(ombud::Instant at) {
  std::string text = domain::FormatInstant(at);
  if (text.ends_with('Z')) text.insert(text.size() - 1, ".000");
  return text;
}

// R-MET-3, R-MET-4, R-MET-2: form, ownership and routing, filing window.
Status ApplyIntakePolicy(store::WriteTx& tx, const Policy& policy, domain::Ticket& t,
                         ombud::Instant now) {
  const domain::Pack& pack = policy.pack();
  json::object flags;
  // R-MET-1, R-SMT-8, R-VIE-1: only the channels the company runs take complaints.
  if (!pack.channels.empty() &&
      std::none_of(pack.channels.begin(), pack.channels.end(),
                   [&](const domain::ChannelSpec& c) { return c.channel == t.channel; })) {
    return Fail(ErrorCode::kInvalidArgument,
                pack.name + " takes no complaints by " + std::string(domain::Name(t.channel)),
                "channel");
  }
  if (t.complaint_type.empty() && !t.category.empty()) {
    // The complaint type of the category, when exactly that one is set up.
    for (const auto& type : pack.complaint_types) {
      if (type.category == t.category && type.form.empty()) {
        t.complaint_type = type.key;
        break;
      }
    }
  }
  if (!t.complaint_type.empty()) {
    OMBUD_ASSIGN_OR_RETURN(const auto* type, domain::FindComplaintType(pack, t.complaint_type));
    OMBUD_RETURN_IF_ERROR(domain::ValidateForm(*type, FormValuesOf(t.custom_fields_json)));
    t.kind = type->kind;
    if (t.category.empty()) t.category = type->category;
    if (type->urgent) flags["urgent"] = true;
  }
  if (!t.product.empty()) OMBUD_RETURN_IF_ERROR(domain::FindProduct(pack, t.product));
  if (!t.department_id) {
    OMBUD_ASSIGN_OR_RETURN(const auto* owner, domain::OwnerDepartment(pack));
    OMBUD_ASSIGN_OR_RETURN(auto dept, tx.FindDepartmentByKey(owner->key));
    if (dept) t.department_id = dept->id;
  }
  if (!t.category.empty()) {
    if (auto routed = domain::DepartmentFor(pack, t.category); routed) {
      flags["routed_to"] = (*routed)->key;
    }
  }
  if (!t.incident_date.empty()) {
    auto window = domain::FilingWindowFor(pack, t.product);
    if (window) {
      OMBUD_ASSIGN_OR_RETURN(const auto* cal, policy.CalendarFor(window->calendar));
      OMBUD_ASSIGN_OR_RETURN(const auto day, domain::ParseDate(t.incident_date));
      const ombud::Instant incident =
          cal->zone().ToUtc(std::chrono::local_seconds(day.time_since_epoch()));
      OMBUD_ASSIGN_OR_RETURN(auto clock, domain::StartClock(*window, *cal, incident));
      if (clock.due_at && now > *clock.due_at) {
        flags["out_of_window"] =
            json::object{{"incident_date", t.incident_date},
                         {"window_closed_at", ApiTime(*clock.due_at)},
                         {"reason", "received " + domain::FormatInstant(now) +
                                        " after the filing window: " + clock.rule_text},
                         {"accepted", false}};
      }
    }
  }
  t.flags_json = json::serialize(flags);
  return {};
}
}  // namespace

domain::TemplateVars TicketVars(store::ReadTx& tx, const Policy& policy, const domain::Ticket& t,
                                const domain::Customer& c) {
  domain::TemplateVars vars;
  for (const auto& name : policy.pack().template_variables) vars[name] = "";
  vars["company_name"] = policy.pack().name;
  vars["customer_name"] = c.name;
  vars["ticket_ref"] = t.number;
  vars["ticket_subject"] = t.subject;
  vars["category"] = t.category;
  vars["product"] = t.product;
  vars["channel"] = std::string(domain::Name(t.channel));
  vars["incident_date"] = t.incident_date;
  vars["received_at"] = LocalTime(policy, FromMillis(t.created_at));
  for (const auto& ch : policy.pack().channels) {
    if (ch.channel == domain::Channel::kPhone && vars["hotline"].empty())
      vars["hotline"] = ch.address;
    if (ch.channel == domain::Channel::kEmail && vars["support_email"].empty()) {
      vars["support_email"] = ch.address;
    }
  }
  if (auto clocks = tx.ListClocks(t.id); clocks) {
    for (const auto& clock : *clocks) {
      if (clock.scope == "customer" && clock.due_at &&
          (clock.name == domain::kReplyClock || vars["due_at"].empty())) {
        vars["due_at"] = LocalTime(policy, FromMillis(*clock.due_at));
      }
    }
  }
  return vars;
}

Actor SystemActor(std::string audit_name) {
  return Actor{std::move(audit_name), Role::kAdmin, std::nullopt, std::nullopt};
}

Status RequireStaff(const Actor& actor) {
  if (actor.IsStaff()) return {};
  return Fail(ErrorCode::kPermissionDenied, "only staff may do this");
}

Status RequireAdmin(const Actor& actor) {
  if (actor.IsAdmin()) return {};
  return Fail(ErrorCode::kPermissionDenied, "only an administrator may do this");
}

Result<domain::Ticket> VisibleTicket(store::ReadTx& tx, const Actor& actor, Id ticket_id) {
  auto ticket = tx.GetTicket(ticket_id);
  if (!ticket) return ticket;
  if (!actor.IsStaff() && actor.customer_id != ticket->customer_id) {
    return Fail(ErrorCode::kNotFound, "ticket not found");
  }
  return ticket;
}

Result<TicketCreated> CreateTicket(store::WriteTx& tx, const Actor& actor, CreateTicketCmd cmd,
                                   const Policy* policy) {
  domain::Customer customer;
  if (!actor.IsStaff()) {
    if (!actor.customer_id) {
      return Fail(ErrorCode::kPermissionDenied, "this account is not linked to a customer");
    }
    if ((cmd.customer_id && *cmd.customer_id != *actor.customer_id) || cmd.customer) {
      return Fail(ErrorCode::kPermissionDenied, "customers file tickets for themselves only",
                  "customer");
    }
    cmd.customer_id = actor.customer_id;
  }
  if (cmd.customer_id) {
    OMBUD_ASSIGN_OR_RETURN(customer, tx.GetCustomer(*cmd.customer_id));
    if (customer.merged_into) {
      OMBUD_ASSIGN_OR_RETURN(customer, tx.GetCustomer(*customer.merged_into));
    }
  } else if (cmd.customer) {
    OMBUD_ASSIGN_OR_RETURN(customer, FindOrCreateCustomer(tx, actor, *cmd.customer));
  } else {
    return Fail(ErrorCode::kInvalidArgument, "customer_id or customer is required", "customer");
  }
  if (cmd.department_id) {
    auto dept = tx.GetDepartment(*cmd.department_id);
    if (!dept) return Fail(ErrorCode::kInvalidArgument, "no such department", "department_id");
  }

  domain::Ticket t;
  t.kind = cmd.kind;
  t.channel = cmd.channel;
  t.customer_id = customer.id;
  t.subject = std::move(cmd.subject);
  t.category = std::move(cmd.category);
  t.product = std::move(cmd.product);
  t.incident_date = std::move(cmd.incident_date);
  t.state = TicketState::kNew;
  t.department_id = cmd.department_id;
  t.custom_fields_json = std::move(cmd.custom_fields_json);
  t.complaint_type = cmd.complaint_type;
  t.language = customer.language;
  if (policy != nullptr)
    OMBUD_RETURN_IF_ERROR(ApplyIntakePolicy(tx, *policy, t, FromMillis(tx.Now())));
  OMBUD_RETURN_IF_ERROR(tx.InsertTicket(t));

  domain::Article a;
  a.ticket_id = t.id;
  a.direction = domain::Direction::kInbound;
  a.channel = t.channel;
  a.author_customer_id = customer.id;
  if (actor.IsStaff()) a.author_user_id = actor.user_id;
  a.body = std::move(cmd.body);
  a.attachments = std::move(cmd.attachments);
  OMBUD_RETURN_IF_ERROR(tx.InsertArticle(a));

  OMBUD_RETURN_IF_ERROR(tx.Audit(actor.audit_name, "ticket.create", Subject("ticket", t.id),
                                 AuditDetails({{"number", t.number},
                                               {"customer_id", customer.id},
                                               {"channel", domain::Name(t.channel)},
                                               {"kind", domain::Name(t.kind)},
                                               {"article_id", a.id}})));
  OMBUD_RETURN_IF_ERROR(ApplyClockEvent(tx, policy, t, event::kReceived, actor));
  std::optional<domain::TemplateVars> vars;
  if (policy != nullptr) vars = TicketVars(tx, *policy, t, customer);
  if (auto ack = Acknowledgement(customer, t, vars ? &*vars : nullptr, policy)) {
    OMBUD_RETURN_IF_ERROR(tx.EnqueueOutbox(*ack));
    OMBUD_RETURN_IF_ERROR(ApplyClockEvent(tx, policy, t, event::kAcknowledged, actor));
  }
  return TicketCreated{std::move(t), std::move(a), std::move(customer)};
}

Status MarkInfoRequestAnswered(store::WriteTx& tx, store::CaseRecord& record, Id article_id) {
  boost::system::error_code ec;
  json::value data = json::parse(record.data, ec);
  if (ec || !data.is_object()) data = json::object{};
  data.as_object()["answer_article_id"] = article_id;
  data.as_object()["answered_at"] = tx.Now();
  record.state = "answered";
  record.data = json::serialize(data);
  return tx.UpdateCaseRecord(record);
}

Result<domain::Article> AddArticle(store::WriteTx& tx, const Actor& actor, Id ticket_id,
                                   AddArticleCmd cmd, const Policy* policy) {
  OMBUD_ASSIGN_OR_RETURN(auto ticket, VisibleTicket(tx, actor, ticket_id));
  if (!actor.IsStaff() && cmd.direction != domain::Direction::kInbound) {
    return Fail(ErrorCode::kPermissionDenied, "customers may only write inbound articles",
                "direction");
  }
  domain::Article a;
  a.ticket_id = ticket.id;
  a.direction = cmd.direction;
  a.channel = cmd.channel.value_or(ticket.channel);
  if (actor.IsStaff()) {
    a.author_user_id = actor.user_id;
  } else {
    a.author_customer_id = ticket.customer_id;
  }
  a.body = std::move(cmd.body);
  a.attachments = std::move(cmd.attachments);
  OMBUD_RETURN_IF_ERROR(tx.InsertArticle(a));
  OMBUD_RETURN_IF_ERROR(tx.Audit(actor.audit_name, "article.create", Subject("ticket", ticket.id),
                                 AuditDetails({{"article_id", a.id},
                                               {"direction", domain::Name(a.direction)},
                                               {"channel", domain::Name(a.channel)}})));
  // R-MET-5: the customer's answer to an information request resumes the work.
  if (a.direction == domain::Direction::kInbound && ticket.state == TicketState::kPendingCustomer) {
    ticket.state = TicketState::kOpen;
    OMBUD_RETURN_IF_ERROR(tx.UpdateTicket(ticket));
    OMBUD_RETURN_IF_ERROR(tx.Audit(
        actor.audit_name, "ticket.state", Subject("ticket", ticket.id),
        AuditDetails(
            {{"from", "pending_customer"}, {"to", "open"}, {"reason", "customer replied"}})));
    OMBUD_ASSIGN_OR_RETURN(auto requests, tx.ListCaseRecords(ticket.id, "info_request"));
    for (auto& r : requests) {
      if (r.state == "open") OMBUD_RETURN_IF_ERROR(MarkInfoRequestAnswered(tx, r, a.id));
    }
    OMBUD_RETURN_IF_ERROR(ApplyClockEvent(tx, policy, ticket, event::kCustomerReplied, actor));
  }
  return a;
}

Result<domain::Ticket> ChangeState(store::WriteTx& tx, const Actor& actor, Id ticket_id,
                                   TicketState to, const std::string& reason,
                                   const Policy* policy) {
  OMBUD_RETURN_IF_ERROR(RequireStaff(actor));
  OMBUD_ASSIGN_OR_RETURN(auto ticket, tx.GetTicket(ticket_id));
  OMBUD_RETURN_IF_ERROR(domain::CheckTransition(ticket.state, to));
  const auto from = ticket.state;
  ticket.state = to;
  if (!ticket.owner_id && actor.user_id) ticket.owner_id = actor.user_id;
  OMBUD_RETURN_IF_ERROR(tx.UpdateTicket(ticket));
  OMBUD_RETURN_IF_ERROR(tx.Audit(
      actor.audit_name, "ticket.state", Subject("ticket", ticket.id),
      AuditDetails({{"from", domain::Name(from)}, {"to", domain::Name(to)}, {"reason", reason}})));
  ticket.updated_at = tx.Now();
  if (to == TicketState::kResolved || to == TicketState::kClosed) {
    OMBUD_RETURN_IF_ERROR(
        ApplyClockEvent(tx, policy, ticket,
                        to == TicketState::kResolved ? event::kResolved : event::kClosed, actor));
    // R-CSP-3: the customer's next open issue starts its sequencing clock now.
    store::TicketFilter next;
    next.customer_id = ticket.customer_id;
    next.states = {TicketState::kNew, TicketState::kOpen};
    next.limit = 2;
    OMBUD_ASSIGN_OR_RETURN(auto others, tx.ListTickets(next));
    for (const auto& other : others) {
      if (other.id == ticket.id) continue;
      OMBUD_RETURN_IF_ERROR(
          ApplyClockEvent(tx, policy, other, event::kPreviousIssueProcessed, actor));
      break;
    }
  } else if (to == TicketState::kPendingCustomer) {
    OMBUD_RETURN_IF_ERROR(ApplyClockEvent(tx, policy, ticket, event::kWaitingForCustomer, actor));
  } else if (to == TicketState::kOpen && from == TicketState::kPendingCustomer) {
    OMBUD_RETURN_IF_ERROR(ApplyClockEvent(tx, policy, ticket, event::kCustomerReplied, actor));
  }
  return ticket;
}

Result<domain::Customer> CreateCustomer(store::WriteTx& tx, const Actor& actor, NewCustomer nc) {
  OMBUD_RETURN_IF_ERROR(RequireStaff(actor));
  domain::Customer c;
  c.name = std::move(nc.name);
  c.language = std::move(nc.language);
  c.identities = std::move(nc.identities);
  OMBUD_RETURN_IF_ERROR(tx.InsertCustomer(c));
  json::array ids;
  for (const auto& i : c.identities) {
    ids.push_back(json::object{{"kind", domain::Name(i.kind)}, {"value", i.value}});
  }
  OMBUD_RETURN_IF_ERROR(tx.Audit(actor.audit_name, "customer.create", Subject("customer", c.id),
                                 AuditDetails({{"name", c.name}, {"identities", std::move(ids)}})));
  return c;
}

Result<domain::Customer> AddIdentity(store::WriteTx& tx, const Actor& actor, Id customer_id,
                                     const domain::Identity& identity) {
  OMBUD_RETURN_IF_ERROR(RequireStaff(actor));
  OMBUD_ASSIGN_OR_RETURN(auto customer, tx.GetCustomer(customer_id));
  OMBUD_RETURN_IF_ERROR(tx.AddIdentity(customer_id, identity));
  OMBUD_RETURN_IF_ERROR(
      tx.Audit(actor.audit_name, "customer.identity.add", Subject("customer", customer_id),
               AuditDetails({{"kind", domain::Name(identity.kind)}, {"value", identity.value}})));
  customer.identities.push_back(identity);
  return customer;
}

Result<domain::Customer> MergeCustomers(store::WriteTx& tx, const Actor& actor, Id from, Id into) {
  OMBUD_RETURN_IF_ERROR(RequireStaff(actor));
  if (from == into) {
    return Fail(ErrorCode::kInvalidArgument, "a customer cannot be merged into itself",
                "from_customer_id");
  }
  OMBUD_ASSIGN_OR_RETURN(auto source, tx.GetCustomer(from));
  OMBUD_ASSIGN_OR_RETURN(auto target, tx.GetCustomer(into));
  if (source.merged_into || target.merged_into) {
    return Fail(ErrorCode::kFailedPrecondition, "a merged customer cannot be merged again",
                source.merged_into ? "from_customer_id" : "id");
  }
  OMBUD_RETURN_IF_ERROR(tx.MergeCustomers(from, into));
  OMBUD_RETURN_IF_ERROR(tx.Audit(actor.audit_name, "customer.merge", Subject("customer", into),
                                 AuditDetails({{"from_customer_id", from}})));
  return tx.GetCustomer(into);
}

Result<domain::User> CreateUser(store::WriteTx& tx, const Actor& actor, domain::User user,
                                const std::string& password_hash) {
  OMBUD_RETURN_IF_ERROR(RequireAdmin(actor));
  if (user.department_id && !tx.GetDepartment(*user.department_id)) {
    return Fail(ErrorCode::kInvalidArgument, "no such department", "department_id");
  }
  if (user.role == Role::kCustomer) {
    if (!user.customer_id) {
      return Fail(ErrorCode::kInvalidArgument, "a customer user needs customer_id", "customer_id");
    }
    OMBUD_RETURN_IF_ERROR(tx.GetCustomer(*user.customer_id));
  } else if (user.customer_id) {
    return Fail(ErrorCode::kInvalidArgument, "only customer users have customer_id", "customer_id");
  }
  OMBUD_RETURN_IF_ERROR(tx.InsertUser(user, password_hash));
  OMBUD_RETURN_IF_ERROR(
      tx.Audit(actor.audit_name, "user.create", Subject("user", user.id),
               AuditDetails({{"login", user.login}, {"role", domain::Name(user.role)}})));
  return user;
}

Result<domain::User> UpdateUser(store::WriteTx& tx, const Actor& actor, Id user_id,
                                const UserChanges& changes) {
  OMBUD_RETURN_IF_ERROR(RequireAdmin(actor));
  OMBUD_ASSIGN_OR_RETURN(auto user, tx.GetUser(user_id));
  json::object details;
  if (changes.display_name) {
    user.display_name = *changes.display_name;
    details["display_name"] = user.display_name;
  }
  if (changes.role) {
    if ((*changes.role == Role::kCustomer) != (user.role == Role::kCustomer)) {
      return Fail(ErrorCode::kInvalidArgument,
                  "staff and customer accounts cannot change into "
                  "each other",
                  "role");
    }
    user.role = *changes.role;
    details["role"] = domain::Name(user.role);
  }
  if (changes.department_id) {
    if (*changes.department_id && !tx.GetDepartment(**changes.department_id)) {
      return Fail(ErrorCode::kInvalidArgument, "no such department", "department_id");
    }
    user.department_id = *changes.department_id;
    details["department_id"] = user.department_id ? json::value(*user.department_id) : nullptr;
  }
  if (changes.active) {
    user.active = *changes.active;
    details["active"] = user.active;
  }
  OMBUD_RETURN_IF_ERROR(tx.UpdateUser(user));
  if (changes.password_hash) {
    OMBUD_RETURN_IF_ERROR(tx.SetPasswordHash(user_id, *changes.password_hash));
    details["password"] = "changed";
  }
  if (!user.active || changes.password_hash)
    OMBUD_RETURN_IF_ERROR(tx.RevokeUserCredentials(user_id));
  OMBUD_RETURN_IF_ERROR(tx.Audit(actor.audit_name, "user.update", Subject("user", user_id),
                                 json::serialize(details)));
  return user;
}

Status DeactivateUser(store::WriteTx& tx, const Actor& actor, Id user_id) {
  OMBUD_RETURN_IF_ERROR(RequireAdmin(actor));
  if (actor.user_id == user_id) {
    return Fail(ErrorCode::kFailedPrecondition, "an administrator cannot deactivate themself");
  }
  OMBUD_ASSIGN_OR_RETURN(auto user, tx.GetUser(user_id));
  user.active = false;
  OMBUD_RETURN_IF_ERROR(tx.UpdateUser(user));
  OMBUD_RETURN_IF_ERROR(tx.RevokeUserCredentials(user_id));
  return tx.Audit(actor.audit_name, "user.deactivate", Subject("user", user_id),
                  AuditDetails({{"login", user.login}, {"credentials", "revoked"}}));
}

Result<domain::Department> CreateDepartment(store::WriteTx& tx, const Actor& actor,
                                            domain::Department d) {
  OMBUD_RETURN_IF_ERROR(RequireAdmin(actor));
  OMBUD_RETURN_IF_ERROR(tx.InsertDepartment(d));
  json::array scope(d.scope.begin(), d.scope.end());
  OMBUD_RETURN_IF_ERROR(tx.Audit(actor.audit_name, "department.create", Subject("department", d.id),
                                 AuditDetails({{"name", d.name}, {"scope", std::move(scope)}})));
  return d;
}

Result<domain::Department> UpdateDepartment(store::WriteTx& tx, const Actor& actor,
                                            domain::Department d) {
  OMBUD_RETURN_IF_ERROR(RequireAdmin(actor));
  OMBUD_RETURN_IF_ERROR(tx.UpdateDepartment(d));
  json::array scope(d.scope.begin(), d.scope.end());
  OMBUD_RETURN_IF_ERROR(tx.Audit(actor.audit_name, "department.update", Subject("department", d.id),
                                 AuditDetails({{"name", d.name}, {"scope", std::move(scope)}})));
  return tx.GetDepartment(d.id);
}

Status DeleteDepartment(store::WriteTx& tx, const Actor& actor, Id id) {
  OMBUD_RETURN_IF_ERROR(RequireAdmin(actor));
  OMBUD_RETURN_IF_ERROR(tx.DeleteDepartment(id));
  return tx.Audit(actor.audit_name, "department.delete", Subject("department", id), "{}");
}

Status OpenSession(store::WriteTx& tx, const domain::User& user, const std::string& token_hash,
                   const std::string& csrf_token, domain::Millis expires_at) {
  OMBUD_RETURN_IF_ERROR(tx.InsertSession(token_hash, {user.id, csrf_token, expires_at}));
  return tx.Audit(Subject("user", user.id), "session.open", Subject("user", user.id), "{}");
}

Status CloseSession(store::WriteTx& tx, const Actor& actor, const std::string& token_hash) {
  OMBUD_RETURN_IF_ERROR(tx.DeleteSession(token_hash));
  return tx.Audit(actor.audit_name, "session.close", actor.audit_name, "{}");
}

Status IssueApiToken(store::WriteTx& tx, const Actor& actor, const std::string& token_hash,
                     const std::string& name) {
  if (!actor.user_id) return Fail(ErrorCode::kPermissionDenied, "tokens belong to users");
  OMBUD_RETURN_IF_ERROR(tx.InsertApiToken(token_hash, *actor.user_id, name));
  return tx.Audit(actor.audit_name, "token.issue", actor.audit_name,
                  AuditDetails({{"name", name}}));
}

}  // namespace ombud::desk
