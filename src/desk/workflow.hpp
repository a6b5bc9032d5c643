#pragma once

#include <map>
#include <optional>
#include <string>

#include "desk/desk.hpp"
#include "desk/policy.hpp"
#include "store/store.hpp"

// The complaint process beyond intake (R-MET-4..8, R-CSP-*, R-VIE-*, R-SMT-3..5, R-QM-8):
// triage, hand-offs to departments, answers, escalations, compensation, negotiation and
// employee suspension. Each function is one use case inside the caller's write transaction;
// `policy` may be null (no pack: no scopes, clocks or templates).
namespace ombud::desk {

// R-CSP-5, R-CSP-8: whether `actor` may act on `ticket`. Without a policy every staff member
// may. With one: supervisors and admins may; an agent of the owner department (Customer
// Support) only on tickets assigned to them; an agent of another department only while the
// ticket is handed to that department.
Status CheckMayAct(store::ReadTx& tx, const Actor& actor, const domain::Ticket& ticket,
                   const Policy* policy);

// R-MET-5 / R-MET-6(a): asks the customer for information; the ticket waits for them.
Result<store::CaseRecord> RequestInfo(store::WriteTx& tx, const Actor& actor, Id ticket_id,
                                      const std::string& asked, const Policy* policy);

// R-MET-4 / R-MET-6(c): hands the ticket to a department whose scope covers its category;
// Customer Support keeps ownership and the customer clocks; the department's clock starts.
Result<store::CaseRecord> Transfer(store::WriteTx& tx, const Actor& actor, Id ticket_id,
                                   Id department_id, const std::string& note, const Policy* policy);
// The department reports its result back to Customer Support.
Result<store::CaseRecord> ReturnResult(store::WriteTx& tx, const Actor& actor, Id record_id,
                                       const std::string& result, const Policy* policy);

struct AnswerCmd {
  std::string template_key;                          // "" = free text in `body`.
  std::map<std::string, std::string> vars;           // Extra template variables.
  std::string body;                                  // The answer text ({{answer}} for templates).
  domain::Channel method = domain::Channel::kEmail;  // email, sms, phone, in_person, … (R-MET-8)
  bool resolve = false;
  // Not the answer yet (R-VIE-6 b), also implied by an `interim` template: counts as the
  // acknowledgement, and the answer clocks keep running.
  bool interim = false;
  // Files already on the ticket (attachment ids) sent with an e-mail answer.
  std::vector<Id> attachment_ids;
};
// R-MET-8, R-CSP-6, R-CSP-7, R-VIE-7: a written answer in the customer's language with the
// required greeting and closing, its delivery method recorded, queued when the method sends.
Result<domain::Article> Answer(store::WriteTx& tx, const Actor& actor, Id ticket_id, AnswerCmd cmd,
                               const Policy* policy);

// R-VIE-4, R-VIE-5: merges `fields_json` (a JSON object) into the ticket's custom fields, e.g.
// the verification result and root cause recorded after checking; null removes a field.
Result<domain::Ticket> UpdateFields(store::WriteTx& tx, const Actor& actor, Id ticket_id,
                                    const std::string& fields_json, const Policy* policy);

// R-MET-2: an agent accepts a complaint that arrived after its filing window.
Result<domain::Ticket> AcceptLate(store::WriteTx& tx, const Actor& actor, Id ticket_id,
                                  const std::string& justification);

// R-CSP-5: gives the agent the oldest waiting ticket of their scope and assigns it.
Result<std::optional<domain::Ticket>> TakeNext(store::WriteTx& tx, const Actor& actor,
                                               const Policy* policy);
// A supervisor assigns a ticket.
Result<domain::Ticket> Assign(store::WriteTx& tx, const Actor& actor, Id ticket_id, Id user_id);

// R-SMT-4, R-QM-8: escalation to a regulator or legal authority, with its correspondence.
Result<store::CaseRecord> Escalate(store::WriteTx& tx, const Actor& actor, Id ticket_id,
                                   const std::string& target, const std::string& reference,
                                   const std::string& body, const Policy* policy);
Result<store::CaseRecord> RecordEscalationMessage(store::WriteTx& tx, const Actor& actor,
                                                  Id record_id, const std::string& direction,
                                                  const std::string& body, const Policy* policy);
Result<store::CaseRecord> CloseEscalation(store::WriteTx& tx, const Actor& actor, Id record_id,
                                          const std::string& outcome, const Policy* policy);

// R-SMT-5: compensation offers; a rejection leaves the case open.
Result<store::CaseRecord> OfferCompensation(store::WriteTx& tx, const Actor& actor, Id ticket_id,
                                            const std::string& description,
                                            const std::string& amount, const std::string& currency,
                                            const Policy* policy);
Result<store::CaseRecord> DecideCompensation(store::WriteTx& tx, const Actor& actor, Id record_id,
                                             bool accepted, const std::string& note,
                                             const Policy* policy);

// R-VIE-3: the customer asks to negotiate; the negotiation clock runs until it is recorded.
Result<store::CaseRecord> RequestNegotiation(store::WriteTx& tx, const Actor& actor, Id ticket_id,
                                             const std::string& note, const Policy* policy);
Result<store::CaseRecord> RecordNegotiation(store::WriteTx& tx, const Actor& actor, Id record_id,
                                            const std::string& outcome, const Policy* policy);

// R-SMT-3: suspends an employee at once: deactivated, every session and token revoked,
// open tickets released to the queue, audited with the reason.
Result<std::int64_t> SuspendEmployee(store::WriteTx& tx, const Actor& actor, Id user_id,
                                     const std::string& reason);

// Creates or updates the pack's departments by key; returns one line per change.
Result<std::vector<std::string>> ApplyPackDepartments(store::WriteTx& tx, const Actor& actor,
                                                      const domain::Pack& pack);

}  // namespace ombud::desk
