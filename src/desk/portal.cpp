#include "desk/portal.hpp"

#include <boost/json.hpp>

#include <algorithm>

#include "store/audit_chain.hpp"

namespace ombud::desk {

namespace json = boost::json;
using domain::IdentityKind;
using domain::TicketState;

namespace {

std::string SaltedHash(const std::string& salt, const std::string& code) {
  return salt + "$" + store::HashHex(salt + ":" + code);
}

// Compares without an early exit, so the time taken does not tell how much matched.
bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

std::string IdentitySubject(IdentityKind kind, const std::string& value) {
  return std::string(domain::Name(kind)) + ":" + value;
}

std::string Json(json::object o) { return json::serialize(o); }

Result<domain::User> PortalUserFor(store::WriteTx& tx, Id customer_id) {
  const std::string login = "customer-" + std::to_string(customer_id);
  OMBUD_ASSIGN_OR_RETURN(auto found, tx.FindUserByLogin(login));
  if (found) {
    // Never a session for someone else's account that happens to bear the name.
    if (found->role != domain::Role::kCustomer || found->customer_id != customer_id) {
      return Fail(ErrorCode::kConflict, "the portal login " + login + " belongs to another user");
    }
    return *found;
  }
  OMBUD_ASSIGN_OR_RETURN(auto customer, tx.GetCustomer(customer_id));
  domain::User u;
  u.login = login;
  u.display_name = customer.name;
  u.role = domain::Role::kCustomer;
  u.customer_id = customer_id;
  // No password: portal users log in with one-time codes only.
  OMBUD_RETURN_IF_ERROR(tx.InsertUser(u, ""));
  OMBUD_RETURN_IF_ERROR(
      tx.Audit("system", "user.create", "user:" + std::to_string(u.id),
               Json({{"login", u.login}, {"role", "customer"}, {"customer_id", customer_id}})));
  return u;
}

}  // namespace

Status RequestLoginCode(store::WriteTx& tx, const LoginCodeRequest& r) {
  if (r.kind != IdentityKind::kEmail && r.kind != IdentityKind::kPhone) {
    return Fail(ErrorCode::kInvalidArgument, "codes go to an email or phone", "kind");
  }
  const std::string subject = IdentitySubject(r.kind, r.value);
  OMBUD_ASSIGN_OR_RETURN(auto customer_id, tx.FindCustomerByIdentity(r.kind, r.value));
  if (!customer_id) {
    return tx.Audit(r.requested_by, "portal.code.unknown", subject, "{}");
  }
  OMBUD_ASSIGN_OR_RETURN(const auto recent,
                         tx.CountOneTimeCodes(r.kind, r.value, tx.Now() - 3600 * 1000));
  if (recent >= kLoginCodesPerHour) {
    return tx.Audit(r.requested_by, "portal.code.throttled", subject,
                    Json({{"customer_id", *customer_id}}));
  }
  OMBUD_ASSIGN_OR_RETURN(auto previous, tx.LatestOneTimeCode(r.kind, r.value));
  if (previous && previous->state == "pending") {
    previous->state = "replaced";
    OMBUD_RETURN_IF_ERROR(tx.UpdateOneTimeCode(*previous));
  }
  store::OneTimeCode code;
  code.customer_id = *customer_id;
  code.kind = r.kind;
  code.value = r.value;
  code.code_hash = SaltedHash(r.salt, r.code);
  code.expires_at = tx.Now() + kLoginCodeTtlMillis;
  OMBUD_RETURN_IF_ERROR(tx.InsertOneTimeCode(code));
  const auto channel =
      r.kind == IdentityKind::kEmail ? domain::Channel::kEmail : domain::Channel::kSms;
  OMBUD_RETURN_IF_ERROR(
      tx.EnqueueOutbox({channel, r.value, "Your login code",
                        "Your login code is " + r.code +
                            ". It is valid for 10 minutes. If you did not ask for it, "
                            "ignore this message.",
                        std::nullopt, "otp:" + std::to_string(code.id)}));
  return tx.Audit(r.requested_by, "portal.code.sent", "customer:" + std::to_string(*customer_id),
                  Json({{"code_id", code.id},
                        {"channel", domain::Name(channel)},
                        {"expires_at", code.expires_at}}));
}

Result<LoginCodeOutcome> CheckLoginCode(store::WriteTx& tx, const LoginCodeCheck& c) {
  const std::string subject = IdentitySubject(c.kind, c.value);
  OMBUD_ASSIGN_OR_RETURN(auto code, tx.LatestOneTimeCode(c.kind, c.value));
  if (!code || code->state != "pending" || code->expires_at <= tx.Now()) {
    const std::string why = !code ? "no code" : code->state != "pending" ? code->state : "expired";
    OMBUD_RETURN_IF_ERROR(
        tx.Audit(c.requested_by, "portal.login.failed", subject, Json({{"reason", why}})));
    return LoginCodeOutcome{};
  }
  const auto dollar = code->code_hash.find('$');
  const std::string salt = code->code_hash.substr(0, dollar);
  if (dollar == std::string::npos ||
      !ConstantTimeEquals(SaltedHash(salt, c.code), code->code_hash)) {
    ++code->attempts;
    if (code->attempts >= kLoginCodeMaxAttempts) code->state = "locked";
    OMBUD_RETURN_IF_ERROR(tx.UpdateOneTimeCode(*code));
    OMBUD_RETURN_IF_ERROR(tx.Audit(
        c.requested_by, "portal.login.failed", subject,
        Json({{"reason", "wrong code"}, {"attempts", code->attempts}, {"state", code->state}})));
    return LoginCodeOutcome{};
  }
  code->state = "used";
  OMBUD_RETURN_IF_ERROR(tx.UpdateOneTimeCode(*code));
  OMBUD_ASSIGN_OR_RETURN(auto user, PortalUserFor(tx, code->customer_id));
  if (!user.active) {
    OMBUD_RETURN_IF_ERROR(tx.Audit(c.requested_by, "portal.login.failed", subject,
                                   Json({{"reason", "portal user deactivated"}})));
    return LoginCodeOutcome{};
  }
  OMBUD_RETURN_IF_ERROR(
      tx.InsertSession(c.session_hash, {user.id, c.csrf_token, c.session_expires_at}));
  OMBUD_RETURN_IF_ERROR(tx.Audit("user:" + std::to_string(user.id), "portal.login",
                                 "customer:" + std::to_string(code->customer_id),
                                 Json({{"code_id", code->id}, {"via", domain::Name(c.kind)}})));
  return LoginCodeOutcome{true, user};
}

Result<TicketCreated> FileWebComplaint(store::WriteTx& tx, const std::string& requested_by,
                                       CreateTicketCmd cmd, const Policy* policy) {
  if (!cmd.customer || cmd.customer->identities.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "give an email or phone so we can answer", "email");
  }
  cmd.customer_id.reset();
  cmd.channel = domain::Channel::kWeb;
  cmd.department_id.reset();
  return CreateTicket(tx, SystemActor(requested_by), std::move(cmd), policy);
}

Result<std::vector<store::CaseRecord>> OpenInfoRequests(store::ReadTx& tx, const Actor& actor,
                                                        Id ticket_id) {
  OMBUD_ASSIGN_OR_RETURN(auto ticket, VisibleTicket(tx, actor, ticket_id));
  OMBUD_ASSIGN_OR_RETURN(auto records, tx.ListCaseRecords(ticket.id, "info_request"));
  std::erase_if(records, [](const store::CaseRecord& r) { return r.state != "open"; });
  return records;
}

Result<domain::Article> AnswerInfoRequest(store::WriteTx& tx, const Actor& actor, Id ticket_id,
                                          Id record_id, AddArticleCmd cmd, const Policy* policy) {
  OMBUD_ASSIGN_OR_RETURN(auto ticket, VisibleTicket(tx, actor, ticket_id));
  auto record = tx.GetCaseRecord(record_id);
  if (!record || record->ticket_id != ticket.id || record->kind != "info_request") {
    return Fail(ErrorCode::kNotFound, "information request not found", "record_id");
  }
  if (record->state != "open") {
    return Fail(ErrorCode::kFailedPrecondition, "this information request is already answered",
                "record_id");
  }
  cmd.direction = domain::Direction::kInbound;
  OMBUD_ASSIGN_OR_RETURN(auto article, AddArticle(tx, actor, ticket.id, std::move(cmd), policy));
  // AddArticle marks the open requests answered when the ticket was waiting for the customer;
  // a request answered while the ticket had moved on is marked here.
  OMBUD_ASSIGN_OR_RETURN(auto now, tx.GetCaseRecord(record_id));
  if (now.state == "open") OMBUD_RETURN_IF_ERROR(MarkInfoRequestAnswered(tx, now, article.id));
  OMBUD_RETURN_IF_ERROR(tx.Audit(actor.audit_name, "info_request.answer",
                                 "ticket:" + std::to_string(ticket.id),
                                 Json({{"record_id", record_id}, {"article_id", article.id}})));
  return article;
}

Result<ChatPosted> PostChatMessage(store::WriteTx& tx, const Actor& actor,
                                   const std::optional<NewCustomer>& visitor,
                                   std::optional<Id> ticket_id, const std::string& body,
                                   const Policy* policy) {
  if (body.empty()) return Fail(ErrorCode::kInvalidArgument, "say something", "body");
  if (actor.IsStaff()) return Fail(ErrorCode::kPermissionDenied, "staff reply as agents");
  if (!actor.customer_id && !visitor) {
    return Fail(ErrorCode::kInvalidArgument, "a visitor gives a name and an email or phone",
                "visitor");
  }
  std::optional<domain::Ticket> open;
  if (ticket_id) {
    OMBUD_ASSIGN_OR_RETURN(auto t, tx.GetTicket(*ticket_id));
    if (actor.customer_id && t.customer_id != *actor.customer_id) {
      return Fail(ErrorCode::kNotFound, "ticket not found");
    }
    if (t.state != TicketState::kResolved && t.state != TicketState::kClosed) open = t;
  } else if (actor.customer_id) {
    store::TicketFilter f;
    f.customer_id = *actor.customer_id;
    f.channel = domain::Channel::kChat;
    f.states = {TicketState::kNew, TicketState::kOpen, TicketState::kPendingCustomer,
                TicketState::kPendingDepartment};
    f.limit = 200;
    OMBUD_ASSIGN_OR_RETURN(auto tickets, tx.ListTickets(f));
    if (!tickets.empty()) open = tickets.back();
  }
  if (open) {
    const Actor as_customer{actor.audit_name, domain::Role::kCustomer, actor.user_id,
                            open->customer_id};
    AddArticleCmd cmd;
    cmd.channel = domain::Channel::kChat;
    cmd.body = body;
    OMBUD_ASSIGN_OR_RETURN(auto article,
                           AddArticle(tx, as_customer, open->id, std::move(cmd), policy));
    OMBUD_ASSIGN_OR_RETURN(auto ticket, tx.GetTicket(open->id));
    return ChatPosted{std::move(ticket), std::move(article), false};
  }
  CreateTicketCmd cmd;
  if (actor.customer_id) {
    cmd.customer_id = actor.customer_id;
  } else {
    cmd.customer = visitor;
  }
  cmd.channel = domain::Channel::kChat;
  // The subject is the message's start, cut at a character boundary.
  std::size_t cut = std::min<std::size_t>(body.size(), 60);
  while (cut < body.size() && cut > 0 && (static_cast<unsigned char>(body[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  cmd.subject = "Chat: " + body.substr(0, cut);
  cmd.body = body;
  OMBUD_ASSIGN_OR_RETURN(auto created,
                         CreateTicket(tx, SystemActor(actor.audit_name), std::move(cmd), policy));
  return ChatPosted{std::move(created.ticket), std::move(created.article), true};
}

}  // namespace ombud::desk
