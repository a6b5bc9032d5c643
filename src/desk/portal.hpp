#pragma once

#include <optional>
#include <string>
#include <vector>

#include "desk/desk.hpp"
#include "store/store.hpp"

// Use cases of the customer portal and web chat: one-time login codes, the public complaint
// form, documents and answers to information requests, chat messages. Each runs inside the
// caller's write transaction. Random values (codes, salts, tokens) are drawn by the caller, so
// a retried transaction writes the same thing.
namespace ombud::desk {

inline constexpr domain::Millis kLoginCodeTtlMillis = 10LL * 60 * 1000;
inline constexpr int kLoginCodeMaxAttempts = 5;  // Wrong guesses before the code locks.
inline constexpr int kLoginCodesPerHour = 5;     // Codes sent to one identity per hour.

struct LoginCodeRequest {
  domain::IdentityKind kind = domain::IdentityKind::kEmail;  // kEmail or kPhone.
  std::string value;                                         // Normalised.
  std::string code;                                          // The digits sent.
  std::string salt;                                          // Random hex for the stored hash.
  std::string requested_by;                                  // Audit actor, e.g. "web:1.2.3.4".
};

// Sends a login code to a known customer identity through the outbox (e-mail or SMS) and keeps
// only its salted hash. An unknown identity, or one that asked too often, gets nothing sent;
// either way the outcome is only in the audit log, so callers answer alike (no enumeration).
Status RequestLoginCode(store::WriteTx& tx, const LoginCodeRequest& request);

struct LoginCodeCheck {
  domain::IdentityKind kind = domain::IdentityKind::kEmail;
  std::string value;  // Normalised.
  std::string code;
  std::string session_hash;  // Hash of the new session token, used when the code is right.
  std::string csrf_token;
  domain::Millis session_expires_at = 0;
  std::string requested_by;
};

struct LoginCodeOutcome {
  bool ok = false;
  std::optional<domain::User> user;  // The customer's portal user, when ok.
};

// Checks a login code (constant-time). Right: the code is used up, the customer's portal user
// (role customer) is found or created and a session opened. Wrong: the attempt is counted and
// the code locks after kLoginCodeMaxAttempts. Both outcomes commit and are audited, so a wrong
// guess is an OK result with ok=false, not an error.
Result<LoginCodeOutcome> CheckLoginCode(store::WriteTx& tx, const LoginCodeCheck& check);

// The public complaint form: files a web ticket for the customer named in `cmd.customer`
// (found by identity, else created), validated against the pack's form.
Result<TicketCreated> FileWebComplaint(store::WriteTx& tx, const std::string& requested_by,
                                       CreateTicketCmd cmd, const Policy* policy);

// R-MET-5: the customer answers an open information request of their ticket; the answer is an
// inbound article, the request is marked answered and the ticket resumes.
Result<domain::Article> AnswerInfoRequest(store::WriteTx& tx, const Actor& actor, Id ticket_id,
                                          Id record_id, AddArticleCmd cmd, const Policy* policy);

// Open information requests of a ticket the actor may see.
Result<std::vector<store::CaseRecord>> OpenInfoRequests(store::ReadTx& tx, const Actor& actor,
                                                        Id ticket_id);

struct ChatPosted {
  domain::Ticket ticket;
  domain::Article article;
  bool ticket_created = false;
};

// A chat message from a customer: continues `ticket_id` (the socket's ticket) while it is open,
// else joins the signed-in customer's open chat ticket, else starts a ticket (channel chat).
// An anonymous visitor (actor without customer_id) gives `visitor`, whose identity finds or
// creates the customer; a visitor never joins a ticket the socket did not start.
Result<ChatPosted> PostChatMessage(store::WriteTx& tx, const Actor& actor,
                                   const std::optional<NewCustomer>& visitor,
                                   std::optional<Id> ticket_id, const std::string& body,
                                   const Policy* policy);

}  // namespace ombud::desk
