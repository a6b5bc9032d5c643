#include "desk/calls.hpp"

#include <boost/json.hpp>

#include "desk/inbound.hpp"
#include "desk/workflow.hpp"

namespace ombud::desk {

namespace json = boost::json;

namespace {

constexpr std::string_view kCallKeyPrefix = "call:";

std::string CallText(const LogCallCmd& cmd, domain::Millis started_at) {
  std::string text = "Phone call (" + std::string(domain::Name(cmd.direction)) + ", " + cmd.outcome;
  if (cmd.ended_at && *cmd.ended_at >= started_at) {
    text += ", " + std::to_string((*cmd.ended_at - started_at + 500) / 1000) + " s";
  }
  text += cmd.direction == domain::Direction::kInbound ? ") from " : ") to ";
  text += cmd.caller.value;
  if (!cmd.notes.empty()) text += "\n\n" + cmd.notes;
  return text;
}

json::object CallData(const LogCallCmd& cmd, domain::Millis started_at, Id article_id) {
  json::object data{{"call_id", cmd.call_id},
                    {"number", cmd.caller.value},
                    {"direction", domain::Name(cmd.direction)},
                    {"started_at", started_at},
                    {"outcome", cmd.outcome},
                    {"notes", cmd.notes},
                    {"agent", cmd.agent},
                    {"recording_url", cmd.recording_url},
                    {"answered_complaint", cmd.answers},
                    {"article_id", article_id}};
  data["ended_at"] = cmd.ended_at ? json::value(*cmd.ended_at) : json::value(nullptr);
  return data;
}

// A second event about a known call (the telephony system reports a call when it is answered
// and again when it ends): the record takes the new facts; the same facts are a duplicate.
Result<CallLogged> UpdateCall(store::WriteTx& tx, const Actor& actor, const LogCallCmd& cmd,
                              Id ticket_id) {
  CallLogged out;
  OMBUD_ASSIGN_OR_RETURN(out.ticket, tx.GetTicket(ticket_id));
  out.action = "duplicate";
  OMBUD_ASSIGN_OR_RETURN(auto records, tx.ListCaseRecords(ticket_id, "call"));
  for (auto& r : records) {
    boost::system::error_code ec;
    json::value parsed = json::parse(r.data, ec);
    if (ec || !parsed.is_object() || parsed.as_object()["call_id"] != json::value(cmd.call_id)) {
      continue;
    }
    json::object& old = parsed.as_object();
    const json::value article_id = old["article_id"];
    const domain::Millis started_at = cmd.started_at > 0             ? cmd.started_at
                                      : old["started_at"].is_int64() ? old["started_at"].as_int64()
                                                                     : tx.Now();
    json::object data =
        CallData(cmd, started_at, article_id.is_int64() ? article_id.as_int64() : 0);
    data["answered_complaint"] = old["answered_complaint"];
    if (data == old && r.state == cmd.outcome) return out;
    r.state = cmd.outcome;
    r.data = json::serialize(data);
    r.updated_at = tx.Now();
    OMBUD_RETURN_IF_ERROR(tx.UpdateCaseRecord(r));
    OMBUD_RETURN_IF_ERROR(
        tx.Audit(actor.audit_name, "call.update", "ticket:" + std::to_string(ticket_id),
                 json::serialize(json::object{
                     {"record_id", r.id}, {"call_id", cmd.call_id}, {"outcome", cmd.outcome}})));
    out.action = "updated";
    out.record = std::move(r);
    return out;
  }
  return out;
}

}  // namespace

Result<CallLogged> LogCall(store::WriteTx& tx, const Actor& actor, const LogCallCmd& cmd,
                           const Policy* policy) {
  OMBUD_RETURN_IF_ERROR(RequireStaff(actor));
  if (cmd.caller.kind != domain::IdentityKind::kPhone || cmd.caller.value.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "the caller must be a phone number", "number");
  }
  if (cmd.direction == domain::Direction::kInternal) {
    return Fail(ErrorCode::kInvalidArgument, "a call is inbound or outbound", "direction");
  }
  CallLogged out;
  const std::string key = std::string(kCallKeyPrefix) + cmd.call_id;
  if (!cmd.call_id.empty()) {
    OMBUD_ASSIGN_OR_RETURN(auto seen, tx.FindInboundMessage(key));
    if (seen && *seen > 0) return UpdateCall(tx, actor, cmd, *seen);
  }
  const domain::Millis started_at = cmd.started_at > 0 ? cmd.started_at : tx.Now();
  const std::string text = CallText(cmd, started_at);
  OMBUD_ASSIGN_OR_RETURN(auto customer_id,
                         tx.FindCustomerByIdentity(domain::IdentityKind::kPhone, cmd.caller.value));
  std::optional<domain::Ticket> ticket;
  if (cmd.ticket_id) {
    auto found = tx.GetTicket(*cmd.ticket_id);
    if (!found) return Fail(ErrorCode::kNotFound, "ticket not found", "ticket_id");
    OMBUD_RETURN_IF_ERROR(CheckMayAct(tx, actor, *found, policy));
    ticket = std::move(*found);
  } else if (cmd.join_open_ticket && customer_id) {
    OMBUD_ASSIGN_OR_RETURN(ticket, NewestOpenTicket(tx, *customer_id, std::nullopt));
  }
  const domain::Direction article_direction = cmd.direction;
  if (ticket) {
    out.action = "appended";
    if (!cmd.answers) {
      AddArticleCmd add;
      add.direction = article_direction;
      add.channel = domain::Channel::kPhone;
      add.body = text;
      OMBUD_ASSIGN_OR_RETURN(out.article,
                             AddArticle(tx, actor, ticket->id, std::move(add), policy));
    }
  } else {
    CreateTicketCmd create;
    create.customer_id = customer_id;
    if (!customer_id) {
      create.customer =
          NewCustomer{cmd.customer_name.empty() ? cmd.caller.value : cmd.customer_name,
                      policy != nullptr && !policy->pack().default_language.empty()
                          ? policy->pack().default_language
                          : "en",
                      {cmd.caller}};
    }
    create.channel = domain::Channel::kPhone;
    create.subject = cmd.subject.empty() ? "Phone call from " + cmd.caller.value : cmd.subject;
    create.body = text;
    OMBUD_ASSIGN_OR_RETURN(auto created, CreateTicket(tx, actor, std::move(create), policy));
    ticket = std::move(created.ticket);
    out.article = std::move(created.article);
    out.action = "created";
  }
  if (cmd.answers) {
    AnswerCmd answer;
    answer.method = domain::Channel::kPhone;
    answer.body = cmd.notes.empty() ? text : cmd.notes;
    OMBUD_ASSIGN_OR_RETURN(out.article, Answer(tx, actor, ticket->id, std::move(answer), policy));
  }
  store::CaseRecord record;
  record.ticket_id = ticket->id;
  record.kind = "call";
  record.state = cmd.outcome;
  record.data = json::serialize(CallData(cmd, started_at, out.article->id));
  record.created_by = actor.audit_name;
  record.created_at = tx.Now();
  record.updated_at = record.created_at;
  OMBUD_RETURN_IF_ERROR(tx.InsertCaseRecord(record));
  OMBUD_RETURN_IF_ERROR(
      tx.Audit(actor.audit_name, "call.log", "ticket:" + std::to_string(ticket->id),
               json::serialize(json::object{{"record_id", record.id},
                                            {"call_id", cmd.call_id},
                                            {"direction", domain::Name(cmd.direction)},
                                            {"outcome", cmd.outcome},
                                            {"answered_complaint", cmd.answers}})));
  if (!cmd.call_id.empty()) {
    OMBUD_RETURN_IF_ERROR(tx.RecordInboundMessage(key, ticket->id, out.article->id));
  }
  OMBUD_ASSIGN_OR_RETURN(out.ticket, tx.GetTicket(ticket->id));
  out.record = std::move(record);
  return out;
}

}  // namespace ombud::desk
