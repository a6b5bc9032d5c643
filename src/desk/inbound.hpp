#pragma once

#include <optional>
#include <string>
#include <vector>

#include "desk/desk.hpp"
#include "desk/policy.hpp"
#include "store/store.hpp"

namespace ombud::desk {

// A message a channel received, in plain values (the channel has parsed its protocol).
struct InboundMessage {
  domain::Channel channel = domain::Channel::kEmail;
  std::string sender_name;
  domain::Identity sender;  // Normalised.
  std::string subject;
  std::string body;
  std::string message_id;                // Protocol id for dedupe; "" when none.
  std::vector<std::string> thread_keys;  // Ids this message answers (In-Reply-To, References).
  std::string ticket_number;             // Found in the subject, "" when none.
  bool must_not_answer = false;          // Auto-reply or bounce: recorded, never answered.
  std::vector<domain::Attachment> attachments;
};

struct IngestOutcome {
  std::string action;  // created | appended | duplicate | ignored
  std::optional<domain::Ticket> ticket;
  std::optional<domain::Article> article;
};

// Files an inbound message: a message id seen before is dropped; a reply (ticket number in
// the subject, or a known id it refers to) is appended to its ticket as an inbound article
// (which resumes a ticket waiting for the customer); anything else becomes a new ticket
// through intake. Auto-replies and bounces are appended as internal notes or, without a
// ticket, only audited: they never create a ticket or an acknowledgement (no mail loops).
Result<IngestOutcome> IngestMessage(store::WriteTx& tx, const InboundMessage& message,
                                    const Policy* policy);

// The customer's newest ticket that is not resolved or closed (on `channel` when given): the
// conversation a chat-like message (Messenger, a phone call) joins.
Result<std::optional<domain::Ticket>> NewestOpenTicket(store::ReadTx& tx, domain::Id customer_id,
                                                       std::optional<domain::Channel> channel);

}  // namespace ombud::desk
