#include "store/sqlite/migrations.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

namespace ombud::store::sqlite {
namespace {

// Append only. Never edit a migration that has shipped; add a new one.
constexpr std::array<std::string_view, 12> kMigrations = {
    R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;

CREATE TABLE departments (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  scope TEXT NOT NULL DEFAULT '[]',
  deleted INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX departments_name ON departments(name) WHERE deleted = 0;

CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  language TEXT NOT NULL DEFAULT 'en',
  merged_into INTEGER REFERENCES customers(id),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE customer_identities (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  UNIQUE (kind, value)
);
CREATE INDEX customer_identities_customer ON customer_identities(customer_id);

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  login TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL DEFAULT '',
  department_id INTEGER REFERENCES departments(id),
  customer_id INTEGER REFERENCES customers(id),
  active INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  csrf_token TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  user_id INTEGER NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);

CREATE TABLE tickets (
  id INTEGER PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  channel TEXT NOT NULL,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  subject TEXT NOT NULL,
  category TEXT NOT NULL DEFAULT '',
  product TEXT NOT NULL DEFAULT '',
  incident_date TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL,
  department_id INTEGER REFERENCES departments(id),
  owner_id INTEGER REFERENCES users(id),
  custom_fields TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX tickets_queue ON tickets(department_id, state, id);
CREATE INDEX tickets_state ON tickets(state, id);
CREATE INDEX tickets_customer ON tickets(customer_id, id);

CREATE TABLE articles (
  id INTEGER PRIMARY KEY,
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  direction TEXT NOT NULL,
  channel TEXT NOT NULL,
  author_user_id INTEGER REFERENCES users(id),
  author_customer_id INTEGER REFERENCES customers(id),
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX articles_ticket ON articles(ticket_id, id);
CREATE TABLE attachments (
  id INTEGER PRIMARY KEY,
  article_id INTEGER NOT NULL REFERENCES articles(id),
  filename TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha TEXT NOT NULL
);
CREATE INDEX attachments_article ON attachments(article_id);

CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);

CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  ticket_id INTEGER REFERENCES tickets(id),
  dedupe_key TEXT NOT NULL UNIQUE,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);

CREATE TABLE idempotency_keys (
  principal TEXT NOT NULL,
  key TEXT NOT NULL,
  fingerprint BLOB NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (principal, key)
) WITHOUT ROWID;
)sql",
    R"sql(
CREATE TABLE packs (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  name TEXT NOT NULL,
  source TEXT NOT NULL,
  hash TEXT NOT NULL,
  applied_at INTEGER NOT NULL
);
ALTER TABLE departments ADD COLUMN key TEXT NOT NULL DEFAULT '';
ALTER TABLE departments ADD COLUMN owner INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN complaint_type TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN flags TEXT NOT NULL DEFAULT '{}';

CREATE TABLE ticket_clocks (
  id INTEGER PRIMARY KEY,
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  name TEXT NOT NULL,
  scope TEXT NOT NULL DEFAULT 'customer',
  department_id INTEGER REFERENCES departments(id),
  state TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  due_at INTEGER,
  stopped_at INTEGER,
  instance TEXT NOT NULL,
  rule_text TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX ticket_clocks_ticket ON ticket_clocks(ticket_id);
CREATE INDEX ticket_clocks_open ON ticket_clocks(state) WHERE state IN ('running', 'paused');

CREATE TABLE timers (
  id INTEGER PRIMARY KEY,
  fire_at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  payload TEXT NOT NULL DEFAULT '{}',
  fired_at INTEGER
);
CREATE INDEX timers_due ON timers(fire_at) WHERE fired_at IS NULL;
CREATE INDEX timers_subject ON timers(subject) WHERE fired_at IS NULL;

CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  user_id INTEGER REFERENCES users(id),
  role TEXT NOT NULL DEFAULT '',
  ticket_id INTEGER REFERENCES tickets(id),
  kind TEXT NOT NULL,
  message TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  read_at INTEGER
);
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_role ON notifications(role, id);

-- The case file beside the conversation: department hand-offs, information requests,
-- escalations to regulators or courts, compensation offers, negotiations. `data` is the
-- JSON document of its kind (desk/case_records.hpp).
CREATE TABLE case_records (
  id INTEGER PRIMARY KEY,
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  department_id INTEGER REFERENCES departments(id),
  data TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX case_records_ticket ON case_records(ticket_id, kind, id);
CREATE INDEX case_records_open ON case_records(kind, state, department_id, id);
)sql",
    R"sql(
-- Inbound messages by their protocol id (e-mail Message-ID, Messenger mid): a message seen
-- twice is dropped, and a reply finds its ticket through the ids it refers to.
CREATE TABLE inbound_messages (
  message_id TEXT PRIMARY KEY,
  ticket_id INTEGER REFERENCES tickets(id),
  article_id INTEGER REFERENCES articles(id),
  received_at INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    R"sql(
-- Delivery (jobs/outbox_worker): a claimed row carries a lease (lease_until) so no second
-- worker sends it until the lease expires; state is pending | sent | dead. message_id is the
-- e-mail Message-ID we sent (stable per row), provider_ref what the provider (Kannel's DLR
-- reference) calls it, delivery_state the latest delivery report.
ALTER TABLE outbox ADD COLUMN article_id INTEGER REFERENCES articles(id);
ALTER TABLE outbox ADD COLUMN auto_submitted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN sent_at INTEGER;
ALTER TABLE outbox ADD COLUMN message_id TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN provider_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN delivery_state TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN delivery_at INTEGER;
CREATE INDEX outbox_state ON outbox(state, id);
CREATE INDEX outbox_message_id ON outbox(message_id);
CREATE INDEX inbound_messages_ticket ON inbound_messages(ticket_id, received_at);
)sql",
    R"sql(
-- Migration 5 (web portal): one-time login codes sent to a customer's e-mail or phone. Only
-- a salted hash of the code is kept, with its expiry and the wrong guesses so far.
CREATE TABLE one_time_codes (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX one_time_codes_identity ON one_time_codes(kind, value, id);
)sql",
    R"sql(
-- Migration 6 (issue 5: IMAP poller). Durable cursors of channel jobs, e.g. "imap:INBOX" ->
-- {"uid_validity":…,"last_uid":…}, so a restart resumes where the job stopped.
CREATE TABLE channel_state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    R"sql(
-- Migration 7: an article's delivery (the latest outbox row made for it) shown with it.
CREATE INDEX outbox_article ON outbox(article_id, id) WHERE article_id IS NOT NULL;
)sql",
    R"sql(
-- Migration 8 (issue 2: write throughput). Stored idempotent answers move out of the
-- (principal, key) b-tree into an append-only rowid table with a narrow unique index: keys are
-- random, and a random insert into leaves holding whole answers split a page every few writes.
-- Outbox rows index their Message-ID only once they have one.
CREATE TABLE idempotency_answers (
  id INTEGER PRIMARY KEY,
  principal TEXT NOT NULL,
  key TEXT NOT NULL,
  fingerprint BLOB NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
INSERT INTO idempotency_answers(principal, key, fingerprint, status, body, created_at)
  SELECT principal, key, fingerprint, status, body, created_at FROM idempotency_keys
  ORDER BY created_at;
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_answers RENAME TO idempotency_keys;
CREATE UNIQUE INDEX idempotency_keys_principal_key ON idempotency_keys(principal, key);
DROP INDEX outbox_message_id;
CREATE INDEX outbox_message_id ON outbox(message_id) WHERE message_id IS NOT NULL;
)sql",
    R"sql(
-- Migration 9 (issue 2: write throughput). message_id is '' until the row is sent, so
-- migration 8's `IS NOT NULL` index still held an entry for every row written.
DROP INDEX outbox_message_id;
CREATE INDEX outbox_message_id ON outbox(message_id) WHERE message_id <> '';
)sql",
    R"sql(
-- Migration 10 (/metrics at scale): rows sent per channel are counted as they turn sent
-- (counters "outbox.sent:<channel>"), so the outbox gauge no longer reads the whole table.
INSERT INTO counters(name, value)
  SELECT 'outbox.sent:' || channel, COUNT(*) FROM outbox WHERE state = 'sent' GROUP BY channel;
)sql",
    R"sql(
-- Migration 11 (issue 2: write throughput): two b-trees fewer per new customer and message.
-- Identities are keyed by (kind, value) in a WITHOUT ROWID table instead of a rowid table plus
-- a unique index; their id, which orders a customer's identities, is given by the writer from
-- the counter "customer_identity". The outbox keeps one state index, (state, next_attempt_at):
-- lists by state in id order read the table (sent rows) or sort the backlog (pending, dead).
CREATE TABLE customer_identities_by_value (
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  id INTEGER NOT NULL,
  PRIMARY KEY (kind, value)
) WITHOUT ROWID;
INSERT INTO customer_identities_by_value(kind, value, customer_id, id)
  SELECT kind, value, customer_id, id FROM customer_identities;
DROP TABLE customer_identities;
ALTER TABLE customer_identities_by_value RENAME TO customer_identities;
CREATE INDEX customer_identities_customer ON customer_identities(customer_id, id);
INSERT INTO counters(name, value)
  SELECT 'customer_identity', COALESCE(MAX(id), 0) FROM customer_identities;
DROP INDEX outbox_state;
)sql",
    R"sql(
-- Migration 12: a ticket's audit trail (GET /api/v1/tickets/{id}/audit) read through an index
-- instead of the whole log. Only ticket entries are indexed: the index costs every write that
-- audits, and other subjects are not listed by subject.
CREATE INDEX audit_log_ticket ON audit_log(subject, seq)
  WHERE subject >= 'ticket:' AND subject < 'ticket;';
)sql",
};

Result<int> CurrentVersion(Db& db) {
  OMBUD_RETURN_IF_ERROR(
      db.Exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
              "applied_at INTEGER NOT NULL)"));
  OMBUD_ASSIGN_OR_RETURN(Stmt * st,
                         db.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
  const int version = row ? static_cast<int>(st->Int(0)) : 0;
  st->Reset();
  return version;
}

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(kMigrations.size()); }

Status Migrate(Db& db) { return Migrate(db, LatestSchemaVersion()); }

Status Migrate(Db& db, int up_to) {
  OMBUD_ASSIGN_OR_RETURN(const int current, CurrentVersion(db));
  if (current > LatestSchemaVersion()) {
    return Fail(ErrorCode::kFailedPrecondition,
                "database schema version " + std::to_string(current) +
                    " is newer than this binary's " + std::to_string(LatestSchemaVersion()));
  }
  for (int v = current + 1; v <= std::min(up_to, LatestSchemaVersion()); ++v) {
    OMBUD_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
    auto applied = db.Exec(kMigrations[static_cast<std::size_t>(v - 1)]);
    if (applied) {
      applied = db.Exec("INSERT INTO schema_migrations(version, applied_at) VALUES (" +
                        std::to_string(v) + ", CAST(strftime('%s','now') AS INTEGER))");
    }
    if (!applied) {
      (void)db.Exec("ROLLBACK");
      return Fail(applied.error().code,
                  "migration " + std::to_string(v) + " failed: " + applied.error().message);
    }
    OMBUD_RETURN_IF_ERROR(db.Exec("COMMIT"));
  }
  return {};
}

}  // namespace ombud::store::sqlite
