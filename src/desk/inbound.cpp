#include "desk/inbound.hpp"

#include <boost/json.hpp>

namespace ombud::desk {

namespace json = boost::json;

namespace {

Result<std::optional<domain::Ticket>> FindThread(store::WriteTx& tx, const InboundMessage& m) {
  if (!m.ticket_number.empty()) {
    auto t = tx.GetTicketByNumber(m.ticket_number);
    if (t) return std::optional<domain::Ticket>(std::move(*t));
  }
  for (const auto& key : m.thread_keys) {
    OMBUD_ASSIGN_OR_RETURN(auto ticket_id, tx.FindInboundMessage(key));
    if (ticket_id && *ticket_id > 0) {
      OMBUD_ASSIGN_OR_RETURN(auto t, tx.GetTicket(*ticket_id));
      return std::optional<domain::Ticket>(std::move(t));
    }
  }
  return std::optional<domain::Ticket>{};
}

}  // namespace

Result<IngestOutcome> IngestMessage(store::WriteTx& tx, const InboundMessage& m,
                                    const Policy* policy) {
  const Actor channel = SystemActor("channel:" + std::string(domain::Name(m.channel)));
  IngestOutcome out;
  if (!m.message_id.empty()) {
    OMBUD_ASSIGN_OR_RETURN(auto seen, tx.FindInboundMessage(m.message_id));
    if (seen) {
      out.action = "duplicate";
      if (*seen > 0) {
        OMBUD_ASSIGN_OR_RETURN(auto t, tx.GetTicket(*seen));
        out.ticket = std::move(t);
      }
      return out;
    }
  }
  OMBUD_ASSIGN_OR_RETURN(auto thread, FindThread(tx, m));
  const std::string body = m.body.empty() ? "(empty message)" : m.body;
  if (thread) {
    OMBUD_ASSIGN_OR_RETURN(auto sender, tx.FindCustomerByIdentity(m.sender.kind, m.sender.value));
    AddArticleCmd cmd;
    cmd.channel = m.channel;
    cmd.body = body;
    cmd.attachments = m.attachments;
    if (m.must_not_answer) {
      cmd.direction = domain::Direction::kInternal;
      cmd.body = "Automatic message (not answered): " + m.subject + "\n\n" + body;
      OMBUD_ASSIGN_OR_RETURN(auto a, AddArticle(tx, channel, thread->id, std::move(cmd), policy));
      out.article = std::move(a);
    } else {
      cmd.direction = domain::Direction::kInbound;
      // The ticket's customer writes as themself; anyone else is recorded by the channel.
      const bool own = sender && *sender == thread->customer_id;
      const Actor author = own ? Actor{"customer:" + std::to_string(*sender),
                                       domain::Role::kCustomer, std::nullopt, *sender}
                               : channel;
      OMBUD_ASSIGN_OR_RETURN(auto a, AddArticle(tx, author, thread->id, std::move(cmd), policy));
      out.article = std::move(a);
    }
    OMBUD_ASSIGN_OR_RETURN(auto t, tx.GetTicket(thread->id));
    out.ticket = std::move(t);
    out.action = "appended";
  } else if (m.must_not_answer) {
    OMBUD_RETURN_IF_ERROR(tx.Audit(channel.audit_name, "message.ignored",
                                   "sender:" + m.sender.value,
                                   json::serialize(json::object{{"message_id", m.message_id},
                                                                {"subject", m.subject},
                                                                {"reason", "automatic message"}})));
    out.action = "ignored";
  } else {
    CreateTicketCmd cmd;
    cmd.customer = NewCustomer{m.sender_name.empty() ? m.sender.value : m.sender_name,
                               policy != nullptr && !policy->pack().default_language.empty()
                                   ? policy->pack().default_language
                                   : "en",
                               {m.sender}};
    cmd.channel = m.channel;
    cmd.subject = m.subject.empty() ? "(no subject)" : m.subject.substr(0, 300);
    cmd.body = body;
    cmd.attachments = m.attachments;
    OMBUD_ASSIGN_OR_RETURN(auto created, CreateTicket(tx, channel, std::move(cmd), policy));
    out.ticket = std::move(created.ticket);
    out.article = std::move(created.article);
    out.action = "created";
  }
  if (!m.message_id.empty()) {
    OMBUD_RETURN_IF_ERROR(tx.RecordInboundMessage(
        m.message_id, out.ticket ? std::optional<domain::Id>(out.ticket->id) : std::nullopt,
        out.article ? std::optional<domain::Id>(out.article->id) : std::nullopt));
  }
  return out;
}

Result<std::optional<domain::Ticket>> NewestOpenTicket(store::ReadTx& tx, domain::Id customer_id,
                                                       std::optional<domain::Channel> channel) {
  store::TicketFilter filter;
  filter.customer_id = customer_id;
  filter.channel = channel;
  filter.states = {domain::TicketState::kNew, domain::TicketState::kOpen,
                   domain::TicketState::kPendingCustomer, domain::TicketState::kPendingDepartment};
  filter.limit = 200;
  std::optional<domain::Ticket> newest;
  for (;;) {
    OMBUD_ASSIGN_OR_RETURN(auto page, tx.ListTickets(filter));
    if (page.empty()) break;
    filter.after_id = page.back().id;
    const bool full = static_cast<int>(page.size()) == filter.limit;
    newest = std::move(page.back());
    if (!full) break;
  }
  return newest;
}

}  // namespace ombud::desk
