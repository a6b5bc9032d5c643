#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/model.hpp"
#include "domain/result.hpp"

// The Store port: what the desk needs from persistence. Adapters (sqlite/, later postgres/)
// implement it; the same contract tests run against each.
namespace ombud::store {

using domain::Id;
using domain::Millis;

struct TicketFilter {
  std::optional<domain::TicketState> state;
  std::vector<domain::TicketState> states;  // Any of these (with `state`, all must match).
  bool unowned_only = false;
  std::optional<Id> department_id;
  std::optional<Id> customer_id;
  std::optional<domain::Channel> channel;
  Id after_id = 0;  // Cursor: only tickets with a larger id (oldest first).
  int limit = 50;
};

struct Session {
  Id user_id = 0;
  std::string csrf_token;
  Millis expires_at = 0;
};

struct StoredResponse {
  std::vector<unsigned char> fingerprint;
  int status = 0;
  std::string body;
};

struct AuditRecord {
  std::int64_t seq = 0;
  Millis at = 0;
  std::string actor;    // "user:12", "system", "customer:7", "cli"
  std::string action;   // "ticket.create"
  std::string subject;  // "ticket:42"
  std::string details;  // JSON object
  std::string prev_hash;
  std::string hash;
};

struct OutboxMessage {
  domain::Channel channel = domain::Channel::kEmail;
  std::string recipient;
  std::string subject;
  std::string body;
  std::optional<Id> ticket_id;
  std::string dedupe_key;        // Unique; lets a delivery retry be recognised by the receiver.
  std::optional<Id> article_id;  // The article this message delivers, when there is one.
  bool auto_submitted = false;   // An automatic message (acknowledgement): never answered.
};

// An outbox row as the delivery worker and admins see it. state: pending | sent | dead.
struct OutboxRow {
  Id id = 0;
  OutboxMessage message;
  std::string state;
  int attempts = 0;  // Send attempts made so far.
  Millis next_attempt_at = 0;
  Millis created_at = 0;
  std::string last_error;
  std::optional<Millis> sent_at;
  std::string message_id;      // The e-mail Message-ID used (without brackets); "" otherwise.
  std::string provider_ref;    // The provider's reference for delivery reports.
  std::string delivery_state;  // Latest delivery report (SMS: delivered, failed, ...); "".
};

struct OutboxFilter {
  std::string state;  // "" for any.
  std::optional<Id> ticket_id;
  Id after_id = 0;  // Cursor: rows with a larger id, oldest first.
  int limit = 50;
};

struct OutboxCount {
  domain::Channel channel = domain::Channel::kEmail;
  std::string state;
  std::int64_t count = 0;
};

// A message id of a ticket's conversation (inbound_messages), oldest first.
struct ThreadMessage {
  std::string message_id;
  bool ours = false;  // A Message-ID we sent (recorded by MarkOutboxSent).
};

// One deadline clock of a ticket. `instance` is the domain ClockInstance as JSON (desk).
struct ClockRow {
  Id id = 0;
  Id ticket_id = 0;
  std::string name;
  std::string scope = "customer";  // customer | department
  std::optional<Id> department_id;
  std::string state;  // running | paused | met | breached | waived
  Millis started_at = 0;
  std::optional<Millis> due_at;
  std::optional<Millis> stopped_at;
  std::string instance;
  std::string rule_text;
};

// A durable timer: fires once at fire_at (kind e.g. "clock.warning", subject "clock:12").
struct Timer {
  Id id = 0;
  Millis fire_at = 0;
  std::string kind;
  std::string subject;
  std::string payload = "{}";
};

struct Notification {
  Id id = 0;
  std::optional<Id> user_id;  // To one user, or
  std::string role;           // to everyone with this role.
  std::optional<Id> ticket_id;
  std::string kind;
  std::string message;
  Millis created_at = 0;
};

// An entry of a ticket's case file: hand-off, information request, escalation,
// compensation offer, negotiation. `data` is a JSON object owned by the desk.
struct CaseRecord {
  Id id = 0;
  Id ticket_id = 0;
  std::string kind;
  std::string state;
  std::optional<Id> department_id;
  std::string data = "{}";
  std::string created_by;
  Millis created_at = 0;
  Millis updated_at = 0;
};

struct PackRecord {
  Id id = 0;
  std::string key;
  std::string name;
  std::string source;  // The YAML text as applied.
  std::string hash;
  Millis applied_at = 0;
};

// A one-time login code of the customer portal: only a salted hash of the code is kept.
struct OneTimeCode {
  Id id = 0;
  Id customer_id = 0;
  domain::IdentityKind kind = domain::IdentityKind::kEmail;
  std::string value;      // The normalised identity the code was sent to.
  std::string code_hash;  // "salt$BLAKE2b(salt:code)", hex.
  Millis expires_at = 0;
  int attempts = 0;               // Wrong guesses so far.
  std::string state = "pending";  // pending | used | locked | replaced
  Millis created_at = 0;
};

struct AuditVerdict {
  bool ok = true;
  std::int64_t entries = 0;
  std::int64_t first_bad_seq = 0;  // 0 when ok.
  std::string problem;             // What is wrong with first_bad_seq.
};

// Queries available in any transaction. Not thread-safe: a transaction belongs to one thread.
class ReadTx {
 public:
  virtual ~ReadTx() = default;

  virtual Result<domain::Ticket> GetTicket(Id id) = 0;
  virtual Result<domain::Ticket> GetTicketByNumber(const std::string& number) = 0;
  virtual Result<std::vector<domain::Ticket>> ListTickets(const TicketFilter& filter) = 0;
  // The same tickets as ListTickets, each lent to `visit` straight from the stored row (the
  // view is valid during the call only); returns how many. For pages written out as they are.
  virtual Result<std::size_t> VisitTickets(
      const TicketFilter& filter, const std::function<void(const domain::TicketView&)>& visit) = 0;
  virtual Result<std::vector<domain::Article>> ListArticles(Id ticket_id) = 0;

  virtual Result<domain::Customer> GetCustomer(Id id) = 0;
  virtual Result<std::optional<Id>> FindCustomerByIdentity(domain::IdentityKind kind,
                                                           const std::string& value) = 0;

  virtual Result<domain::User> GetUser(Id id) = 0;
  virtual Result<std::optional<domain::User>> FindUserByLogin(const std::string& login) = 0;
  virtual Result<std::string> GetPasswordHash(Id user_id) = 0;
  virtual Result<std::vector<domain::User>> ListUsers() = 0;

  virtual Result<domain::Department> GetDepartment(Id id) = 0;
  virtual Result<std::vector<domain::Department>> ListDepartments() = 0;

  virtual Result<std::optional<Session>> FindSession(const std::string& token_hash) = 0;
  virtual Result<std::optional<Id>> FindApiTokenUser(const std::string& token_hash) = 0;

  virtual Result<std::optional<StoredResponse>> FindIdempotent(const std::string& principal,
                                                               const std::string& key) = 0;
  virtual Result<std::int64_t> CountUsers() = 0;

  virtual Result<std::optional<domain::Department>> FindDepartmentByKey(const std::string& key) = 0;
  virtual Result<std::vector<ClockRow>> ListClocks(Id ticket_id) = 0;
  virtual Result<ClockRow> GetClock(Id id) = 0;
  virtual Result<std::vector<ClockRow>> ListOpenClocks() = 0;
  virtual Result<std::optional<Timer>> NextTimer() = 0;  // Earliest unfired.
  virtual Result<std::vector<Timer>> DueTimers(Millis now, int limit) = 0;
  virtual Result<std::vector<Notification>> ListNotifications(Id user_id, const std::string& role,
                                                              Id after_id, int limit) = 0;
  virtual Result<std::vector<CaseRecord>> ListCaseRecords(Id ticket_id,
                                                          const std::string& kind) = 0;
  virtual Result<CaseRecord> GetCaseRecord(Id id) = 0;
  virtual Result<std::optional<PackRecord>> LatestPack() = 0;
  // The ticket an inbound message (by protocol id) was filed on; nullopt when unseen.
  virtual Result<std::optional<Id>> FindInboundMessage(const std::string& message_id) = 0;
  // Audit entries about `subject` ("ticket:42"), oldest first.
  virtual Result<std::vector<AuditRecord>> ListAudit(const std::string& subject, int limit) = 0;
  // The audit entry `seq`, or the newest one when `seq` is 0; nullopt when there is none.
  virtual Result<std::optional<AuditRecord>> GetAuditEntry(std::int64_t seq) = 0;

  // Delivery (jobs/outbox_worker).
  virtual Result<std::vector<OutboxRow>> ListOutbox(const OutboxFilter& filter) = 0;
  virtual Result<OutboxRow> GetOutbox(Id id) = 0;
  virtual Result<std::vector<OutboxCount>> CountOutbox() = 0;  // By channel and state.
  // When the earliest pending row of `channels` may be claimed (its next attempt, or its
  // lease's end); nullopt when none is pending.
  virtual Result<std::optional<Millis>> NextOutboxAttempt(
      const std::vector<domain::Channel>& channels) = 0;
  // The ticket's conversation ids (inbound_messages), oldest first, at most `limit` newest.
  virtual Result<std::vector<ThreadMessage>> ListThreadMessages(Id ticket_id, int limit) = 0;
  // The newest one-time code sent to an identity; nullopt when none.
  virtual Result<std::optional<OneTimeCode>> LatestOneTimeCode(domain::IdentityKind kind,
                                                               const std::string& value) = 0;
  // How many one-time codes were sent to an identity since `since`.
  virtual Result<std::int64_t> CountOneTimeCodes(domain::IdentityKind kind,
                                                 const std::string& value, Millis since) = 0;
  // A channel's durable cursor (e.g. "imap:INBOX" -> IMAP uid_validity and last uid); nullopt
  // when never set. The value's format belongs to the channel job.
  virtual Result<std::optional<std::string>> GetChannelState(const std::string& key) = 0;
};

// A write transaction: everything done through one WriteTx commits or rolls back together,
// audit entries and outbox messages included.
class WriteTx : public ReadTx {
 public:
  virtual Millis Now() const = 0;  // The transaction's time, from the store's Clock.

  virtual Result<Id> InsertCustomer(domain::Customer& customer) = 0;  // Sets id, created_at.
  virtual Status AddIdentity(Id customer_id, const domain::Identity& identity) = 0;
  // Moves identities and tickets of `from` to `into` and marks `from` merged.
  virtual Status MergeCustomers(Id from, Id into) = 0;

  // Assigns id, number, created_at and updated_at.
  virtual Status InsertTicket(domain::Ticket& ticket) = 0;
  virtual Status UpdateTicket(const domain::Ticket& ticket) = 0;
  virtual Status InsertArticle(domain::Article& article) = 0;  // With its attachments.

  virtual Status InsertUser(domain::User& user, const std::string& password_hash) = 0;
  virtual Status UpdateUser(const domain::User& user) = 0;
  virtual Status SetPasswordHash(Id user_id, const std::string& password_hash) = 0;
  virtual Status RevokeUserCredentials(Id user_id) = 0;  // All sessions and API tokens.

  virtual Status InsertDepartment(domain::Department& department) = 0;
  virtual Status UpdateDepartment(const domain::Department& department) = 0;
  virtual Status DeleteDepartment(Id id) = 0;

  virtual Status InsertSession(const std::string& token_hash, const Session& session) = 0;
  virtual Status DeleteSession(const std::string& token_hash) = 0;
  virtual Status InsertApiToken(const std::string& token_hash, Id user_id,
                                const std::string& name) = 0;

  virtual Status SaveIdempotent(const std::string& principal, const std::string& key,
                                const StoredResponse& response) = 0;
  // Deletes up to `limit` stored answers saved before `saved_before`, oldest first; returns how
  // many. A key whose answer is gone executes again.
  virtual Result<std::int64_t> PurgeIdempotent(Millis saved_before, int limit) = 0;
  // Deletes up to `limit` timers that fired before `fired_before`, oldest first; returns how
  // many. Timers not fired yet are never touched.
  virtual Result<std::int64_t> PurgeFiredTimers(Millis fired_before, int limit) = 0;

  // Appends to the audit chain (seq, at, prev_hash and hash are assigned).
  virtual Status Audit(const std::string& actor, const std::string& action,
                       const std::string& subject, const std::string& details_json) = 0;
  virtual Status EnqueueOutbox(const OutboxMessage& message) = 0;

  virtual Status InsertClock(ClockRow& clock) = 0;
  virtual Status UpdateClock(const ClockRow& clock) = 0;
  virtual Status ScheduleTimer(Timer& timer) = 0;
  virtual Status MarkTimerFired(Id timer_id) = 0;
  virtual Status CancelTimers(const std::string& subject) = 0;  // Unfired ones.
  virtual Status InsertNotification(Notification& notification) = 0;
  virtual Status InsertCaseRecord(CaseRecord& record) = 0;
  virtual Status UpdateCaseRecord(const CaseRecord& record) = 0;
  virtual Status InsertPack(PackRecord& pack) = 0;
  virtual Status RecordInboundMessage(const std::string& message_id, std::optional<Id> ticket_id,
                                      std::optional<Id> article_id) = 0;
  // Unassigns the user's tickets that are not resolved or closed; returns how many.
  virtual Result<std::int64_t> ReleaseOwnedTickets(Id user_id) = 0;

  // Delivery. Claims up to `limit` pending rows of `channels` that are due at Now() and not
  // leased, oldest first, leasing them to `owner` until `lease_until`: no other claim returns
  // them before then (a worker that dies mid-send gives its rows back when the lease ends).
  virtual Result<std::vector<OutboxRow>> ClaimOutbox(const std::vector<domain::Channel>& channels,
                                                     const std::string& owner, Millis lease_until,
                                                     int limit) = 0;
  // pending -> sent; records the Message-ID (also as a thread id of the ticket, so a reply to
  // it threads) and the provider's reference. kFailedPrecondition unless pending.
  virtual Status MarkOutboxSent(Id id, const std::string& message_id,
                                const std::string& provider_ref) = 0;
  // A failed attempt: counts it, keeps the error, and either schedules the next attempt at
  // `next_attempt_at` or, with `dead`, makes it a dead letter. Releases the lease.
  virtual Status MarkOutboxFailed(Id id, const std::string& error, Millis next_attempt_at,
                                  bool dead) = 0;
  // dead -> pending, due now, attempts reset. kFailedPrecondition unless dead.
  virtual Status RetryOutbox(Id id) = 0;
  // Records the latest delivery report (e.g. Kannel DLR) of a row; not_found when none.
  virtual Status SetOutboxDelivery(Id id, const std::string& delivery_state) = 0;
  virtual Status InsertOneTimeCode(OneTimeCode& code) = 0;        // Sets id and created_at.
  virtual Status UpdateOneTimeCode(const OneTimeCode& code) = 0;  // attempts and state.
  virtual Status SetChannelState(const std::string& key, const std::string& value) = 0;
};

using WriteFn = std::function<Status(WriteTx&)>;
using DoneFn = std::function<void(Status)>;

struct StoreStats {
  std::int64_t batches = 0;
  std::int64_t batched_writes = 0;
  std::int64_t queue_depth = 0;
  std::int64_t syncs = 0;                        // fsyncs that made batches durable.
  std::int64_t checkpoints = 0;                  // WAL checkpoints run.
  std::vector<std::int64_t> batch_size_buckets;  // Counts for sizes <=1,2,4,...,512,+Inf.
};

// Thread-safe. Writes are serialised and group-committed: Write's `done` runs (on a store
// thread, which it must not block) only after the transaction holding `fn` is durable, or with the
// error that made `fn` roll back. `fn` runs on the writer thread and must not block; it may run
// more than once (only its last run counts), so it must have no effect outside the transaction
// other than overwriting its own results.
class Store {
 public:
  virtual ~Store() = default;
  virtual void Write(WriteFn fn, DoneFn done) = 0;
  // Blocks until durable. Must not be called from a store thread (fn or done).
  Status WriteSync(WriteFn fn);
  // Runs `fn` in a read-only snapshot on a pooled connection; may block for a free one.
  virtual Status Read(const std::function<Status(ReadTx&)>& fn) = 0;
  virtual Result<AuditVerdict> VerifyAudit() = 0;
  virtual StoreStats Stats() const = 0;
  // Called (on the writer thread) after a commit that scheduled timers, with the earliest
  // fire time it scheduled. Set once, before writes start.
  virtual void OnTimerScheduled(std::function<void(Millis)> observer) = 0;
  // Called (on the writer thread) after a commit that enqueued outbox messages or made one
  // due again (RetryOutbox). Set once, before writes start.
  virtual void OnOutboxEnqueued(std::function<void()> observer) = 0;
};

}  // namespace ombud::store
