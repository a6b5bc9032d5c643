#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/model.hpp"
#include "domain/pack/template.hpp"
#include "domain/result.hpp"
#include "store/store.hpp"

namespace ombud::desk {
class Policy;
}

// Use cases of the desk. Each runs inside one store write transaction that the caller
// provides, so the change, its audit entry and its outbox messages commit together.
// Functions check the actor's permission first and change nothing on error.
namespace ombud::desk {

using domain::Id;

// Who acts. Built by the API from the authenticated user, or by the CLI/system.
struct Actor {
  std::string audit_name;  // "user:12", "cli", "system"
  domain::Role role = domain::Role::kAgent;
  std::optional<Id> user_id;
  std::optional<Id> customer_id;  // For customer users.

  bool IsStaff() const { return role != domain::Role::kCustomer; }
  bool IsAdmin() const { return role == domain::Role::kAdmin; }
};

// The system itself (start-up seeding, CLI administration).
Actor SystemActor(std::string audit_name);

struct NewCustomer {
  std::string name;
  std::string language = "en";
  std::vector<domain::Identity> identities;  // Normalised by the caller.
};

struct CreateTicketCmd {
  std::optional<Id> customer_id;
  std::optional<NewCustomer> customer;  // Found by any identity, else created.
  domain::TicketKind kind = domain::TicketKind::kComplaint;
  domain::Channel channel = domain::Channel::kWeb;
  std::string subject;
  std::string body;
  std::string category;
  std::string product;
  std::string incident_date;
  std::optional<Id> department_id;
  std::string custom_fields_json = "{}";
  std::vector<domain::Attachment> attachments;  // Content already in the attachment store.
  std::string complaint_type;  // A pack complaint type; its form is validated (R-MET-3).
};

struct TicketCreated {
  domain::Ticket ticket;
  domain::Article article;
  domain::Customer customer;
};

// Intake. With a policy: the complaint type's form must be complete (R-MET-3), the ticket is
// owned by Customer Support and the category's department is suggested (R-MET-4), a
// complaint past its filing window is recorded and flagged with the reason (R-MET-2), the
// pack's clocks start (R-MET-7, R-VIE-2 …) and the acknowledgement is queued from the pack's
// template in the customer's language.
Result<TicketCreated> CreateTicket(store::WriteTx& tx, const Actor& actor, CreateTicketCmd cmd,
                                   const Policy* policy = nullptr);

struct AddArticleCmd {
  domain::Direction direction = domain::Direction::kInbound;
  std::optional<domain::Channel> channel;  // Defaults to the ticket's channel.
  std::string body;
  std::vector<domain::Attachment> attachments;
};

Result<domain::Article> AddArticle(store::WriteTx& tx, const Actor& actor, Id ticket_id,
                                   AddArticleCmd cmd, const Policy* policy = nullptr);

// R-MET-5: marks an information request answered by `article_id` (state and data).
Status MarkInfoRequestAnswered(store::WriteTx& tx, store::CaseRecord& record, Id article_id);

Result<domain::Ticket> ChangeState(store::WriteTx& tx, const Actor& actor, Id ticket_id,
                                   domain::TicketState to, const std::string& reason,
                                   const Policy* policy = nullptr);

// Loads a ticket the actor may see: customers only their own (others look absent).
Result<domain::Ticket> VisibleTicket(store::ReadTx& tx, const Actor& actor, Id ticket_id);

Result<domain::Customer> CreateCustomer(store::WriteTx& tx, const Actor& actor, NewCustomer c);
Result<domain::Customer> AddIdentity(store::WriteTx& tx, const Actor& actor, Id customer_id,
                                     const domain::Identity& identity);
Result<domain::Customer> MergeCustomers(store::WriteTx& tx, const Actor& actor, Id from, Id into);

// `password_hash` is an Argon2id string computed by the caller (slow work stays off the
// writer thread).
Result<domain::User> CreateUser(store::WriteTx& tx, const Actor& actor, domain::User user,
                                const std::string& password_hash);
struct UserChanges {
  std::optional<std::string> display_name;
  std::optional<domain::Role> role;
  std::optional<std::optional<Id>> department_id;
  std::optional<bool> active;
  std::optional<std::string> password_hash;
};
Result<domain::User> UpdateUser(store::WriteTx& tx, const Actor& actor, Id user_id,
                                const UserChanges& changes);
// Deactivates a user and revokes every session and API token at once.
Status DeactivateUser(store::WriteTx& tx, const Actor& actor, Id user_id);

Result<domain::Department> CreateDepartment(store::WriteTx& tx, const Actor& actor,
                                            domain::Department d);
Result<domain::Department> UpdateDepartment(store::WriteTx& tx, const Actor& actor,
                                            domain::Department d);
Status DeleteDepartment(store::WriteTx& tx, const Actor& actor, Id id);

// Sessions and tokens: the caller has verified the password.
Status OpenSession(store::WriteTx& tx, const domain::User& user, const std::string& token_hash,
                   const std::string& csrf_token, domain::Millis expires_at);
Status CloseSession(store::WriteTx& tx, const Actor& actor, const std::string& token_hash);
Status IssueApiToken(store::WriteTx& tx, const Actor& actor, const std::string& token_hash,
                     const std::string& name);

// The template variables of a ticket (pack variables, ticket, customer, due time of the reply
// clock in the pack's time zone).
domain::TemplateVars TicketVars(store::ReadTx& tx, const Policy& policy, const domain::Ticket& t,
                                const domain::Customer& c);

// Requires the actor to be staff (admin, supervisor or agent).
Status RequireStaff(const Actor& actor);
Status RequireAdmin(const Actor& actor);

}  // namespace ombud::desk
