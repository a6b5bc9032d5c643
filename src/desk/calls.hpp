#pragma once

#include <optional>
#include <string>

#include "desk/desk.hpp"
#include "desk/policy.hpp"
#include "store/store.hpp"

// Phone calls on tickets (R-MET-1, R-MET-8): logged by an agent or reported by a telephony
// system (CTI). A call is a case record of kind "call" (its facts as JSON) plus an article on
// the ticket with the notes, in one write with its audit entry.
namespace ombud::desk {

struct LogCallCmd {
  std::string call_id;        // The telephony system's id: a second event with it is dropped.
  domain::Identity caller;    // The customer's number (kPhone, normalised).
  std::string customer_name;  // For a customer created by the call; the number when empty.
  domain::Direction direction = domain::Direction::kInbound;  // kInbound or kOutbound.
  domain::Millis started_at = 0;                              // 0: the transaction's time.
  std::optional<domain::Millis> ended_at;
  std::string outcome = "answered";  // answered, missed, abandoned, voicemail, busy, failed, …
  std::string notes;
  std::string agent;  // The agent's login as the telephony system knows it.
  std::string recording_url;
  std::string subject;  // Of a ticket the call opens; "Phone call from <number>" when empty.
  std::optional<Id> ticket_id;  // Attach to this ticket; else see `join_open_ticket`.
  // With no ticket_id: join the customer's newest unresolved ticket (CTI) instead of opening
  // a new phone ticket (agents logging by hand).
  bool join_open_ticket = false;
  // R-MET-8: the call answered the complaint: the notes are the answer, method "phone".
  bool answers = false;
};

struct CallLogged {
  std::string action;  // created (a new ticket) | appended | updated | duplicate
  domain::Ticket ticket;
  std::optional<domain::Article> article;   // Absent for an update or a duplicate.
  std::optional<store::CaseRecord> record;  // Absent for a duplicate.
};

// Files a call. Staff only; an agent attaching to a ticket must be allowed to act on it.
// kInvalidArgument for a caller that is not a phone number or a direction that is internal.
Result<CallLogged> LogCall(store::WriteTx& tx, const Actor& actor, const LogCallCmd& cmd,
                           const Policy* policy);

}  // namespace ombud::desk
