#include "store/sqlite/sqlite_store.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <utility>

#include "store/audit_chain.hpp"
#include "store/sqlite/migrations.hpp"

namespace ombud::store::sqlite {

using domain::Id;

namespace {

// Database pages outside the page cache are read through a memory map of the file, so a
// page-cache miss (and the reset of a reader's cache after every commit) costs no system call.
constexpr std::int64_t kMmapBytes = std::int64_t{1} << 30;

// Background checkpoint passes before the writer copies the rest (CheckpointLoop).
constexpr int kCheckpointPasses = 2;

constexpr std::string_view kTicketColumns =
    "id, number, kind, channel, customer_id, subject, category, product, incident_date, state, "
    "department_id, owner_id, custom_fields, created_at, updated_at, complaint_type, language, "
    "flags";

// The row the statement stands on, borrowed (valid until the statement steps or resets).
domain::TicketView TicketViewOfRow(const Stmt& st) {
  return domain::TicketView{.id = st.Int(0),
                            .number = st.View(1),
                            .kind = st.View(2),
                            .channel = st.View(3),
                            .customer_id = st.Int(4),
                            .subject = st.View(5),
                            .category = st.View(6),
                            .product = st.View(7),
                            .incident_date = st.View(8),
                            .state = st.View(9),
                            .department_id = st.OptInt(10),
                            .owner_id = st.OptInt(11),
                            .custom_fields_json = st.View(12),
                            .created_at = st.Int(13),
                            .updated_at = st.Int(14),
                            .complaint_type = st.View(15),
                            .language = st.View(16),
                            .flags_json = st.View(17)};
}

domain::Ticket TicketFromRow(const Stmt& st) {
  const domain::TicketView v = TicketViewOfRow(st);
  domain::Ticket t;
  t.id = v.id;
  t.number = v.number;
  t.kind = domain::ParseTicketKind(v.kind).value_or(domain::TicketKind::kComplaint);
  t.channel = domain::ParseChannel(v.channel).value_or(domain::Channel::kWeb);
  t.customer_id = v.customer_id;
  t.subject = v.subject;
  t.category = v.category;
  t.product = v.product;
  t.incident_date = v.incident_date;
  t.state = domain::ParseTicketState(v.state).value_or(domain::TicketState::kNew);
  t.department_id = v.department_id;
  t.owner_id = v.owner_id;
  t.custom_fields_json = v.custom_fields_json;
  t.created_at = v.created_at;
  t.updated_at = v.updated_at;
  t.complaint_type = v.complaint_type;
  t.language = v.language;
  t.flags_json = v.flags_json;
  return t;
}

constexpr std::string_view kUserColumns =
    "id, login, display_name, role, department_id, customer_id, active, created_at";

domain::User UserFromRow(const Stmt& st) {
  domain::User u;
  u.id = st.Int(0);
  u.login = st.Text(1);
  u.display_name = st.Text(2);
  u.role = domain::ParseRole(st.Text(3)).value_or(domain::Role::kAgent);
  u.department_id = st.OptInt(4);
  u.customer_id = st.OptInt(5);
  u.active = st.Int(6) != 0;
  u.created_at = st.Int(7);
  return u;
}

// Scope is stored as a JSON array of strings; names are restricted at the API edge to
// characters that need no escaping beyond quotes and backslashes.
std::string ScopeToJson(const std::vector<std::string>& scope) {
  std::string out = "[";
  for (const auto& s : scope) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (const char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "]";
}

std::vector<std::string> ScopeFromJson(std::string_view json) {
  std::vector<std::string> out;
  std::string cur;
  bool in = false;
  bool esc = false;
  for (const char c : json) {
    if (!in) {
      if (c == '"') in = true;
      continue;
    }
    if (esc) {
      cur += c;
      esc = false;
    } else if (c == '\\') {
      esc = true;
    } else if (c == '"') {
      out.push_back(std::move(cur));
      cur.clear();
      in = false;
    } else {
      cur += c;
    }
  }
  return out;
}

constexpr std::string_view kDepartmentColumns = "id, name, scope, created_at, key, owner";

domain::Department DepartmentFromRow(const Stmt& st) {
  domain::Department d{st.Int(0), st.Text(1), ScopeFromJson(st.Text(2)), st.Int(3)};
  d.key = st.Text(4);
  d.owner = st.Int(5) != 0;
  return d;
}

constexpr std::string_view kClockColumns =
    "id, ticket_id, name, scope, department_id, state, started_at, due_at, stopped_at, instance, "
    "rule_text";

ClockRow ClockFromRow(const Stmt& st) {
  return ClockRow{st.Int(0), st.Int(1),    st.Text(2),   st.Text(3), st.OptInt(4), st.Text(5),
                  st.Int(6), st.OptInt(7), st.OptInt(8), st.Text(9), st.Text(10)};
}

constexpr std::string_view kCaseColumns =
    "id, ticket_id, kind, state, department_id, data, created_by, created_at, updated_at";

CaseRecord CaseFromRow(const Stmt& st) {
  return CaseRecord{st.Int(0),  st.Int(1),  st.Text(2), st.Text(3), st.OptInt(4),
                    st.Text(5), st.Text(6), st.Int(7),  st.Int(8)};
}

Timer TimerFromRow(const Stmt& st) {
  return Timer{st.Int(0), st.Int(1), st.Text(2), st.Text(3), st.Text(4)};
}

// counters(name) of the outbox rows sent per channel: "outbox.sent:email" (migration 10).
constexpr std::string_view kSentCounterPrefix = "outbox.sent:";
// Gives identities their id (migration 11): they are keyed by (kind, value), without a rowid.
const std::string kIdentityCounter = "customer_identity";

constexpr std::string_view kOutboxColumns =
    "id, channel, recipient, subject, body, ticket_id, dedupe_key, article_id, auto_submitted, "
    "state, attempts, next_attempt_at, created_at, last_error, sent_at, message_id, "
    "provider_ref, delivery_state";

OutboxRow OutboxFromRow(const Stmt& st) {
  OutboxRow r;
  r.id = st.Int(0);
  r.message.channel = domain::ParseChannel(st.Text(1)).value_or(domain::Channel::kEmail);
  r.message.recipient = st.Text(2);
  r.message.subject = st.Text(3);
  r.message.body = st.Text(4);
  r.message.ticket_id = st.OptInt(5);
  r.message.dedupe_key = st.Text(6);
  r.message.article_id = st.OptInt(7);
  r.message.auto_submitted = st.Int(8) != 0;
  r.state = st.Text(9);
  r.attempts = static_cast<int>(st.Int(10));
  r.next_attempt_at = st.Int(11);
  r.created_at = st.Int(12);
  r.last_error = st.Text(13);
  r.sent_at = st.OptInt(14);
  r.message_id = st.Text(15);
  r.provider_ref = st.Text(16);
  r.delivery_state = st.Text(17);
  return r;
}

// ",email,sms," for matching a channel column with instr() in one cached statement.
std::string ChannelList(const std::vector<domain::Channel>& channels) {
  std::string list = ",";
  for (const auto c : channels) list += std::string(domain::Name(c)) + ",";
  return list;
}

Status NotFoundUnless(bool found, std::string_view what) {
  if (found) return {};
  return Fail(ErrorCode::kNotFound, std::string(what) + " not found");
}

}  // namespace

// One transaction on one connection. Writes are only valid on the writer connection.
class SqliteTx final : public WriteTx {
 public:
  SqliteTx(Db& db, SqliteStore* store, Millis now) : db_(db), store_(store), now_(now) {}

  Millis Now() const override { return now_; }
  // For writes added to the open transaction later (SqliteStore::HoldForJobs); never earlier.
  void AdvanceNow(Millis now) { now_ = std::max(now_, now); }

  Result<domain::Ticket> GetTicket(Id id) override {
    static const std::string sql =
        "SELECT " + std::string(kTicketColumns) + " FROM tickets WHERE id = ?";
    return OneTicket(sql, [id](Stmt& st) { st.Bind(1, id); });
  }

  Result<domain::Ticket> GetTicketByNumber(const std::string& number) override {
    static const std::string sql =
        "SELECT " + std::string(kTicketColumns) + " FROM tickets WHERE number = ?";
    return OneTicket(sql, [&number](Stmt& st) { st.Bind(1, number); });
  }

  Result<std::vector<domain::Ticket>> ListTickets(const TicketFilter& f) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, PrepareTicketList(f));
    return Rows<domain::Ticket>(*st, TicketFromRow);
  }

  Result<std::size_t> VisitTickets(
      const TicketFilter& f, const std::function<void(const domain::TicketView&)>& visit) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, PrepareTicketList(f));
    std::size_t n = 0;
    for (;; ++n) {
      OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
      if (!row) break;
      visit(TicketViewOfRow(*st));
    }
    return n;
  }

  Result<std::vector<domain::Article>> ListArticles(Id ticket_id) override {
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st,
        db_.Prepare(
            "SELECT r.id, r.direction, r.channel, r.author_user_id, r.author_customer_id, "
            "r.body, r.created_at, o.state, o.delivery_state FROM articles r "
            "LEFT JOIN outbox o ON o.id = (SELECT MAX(id) FROM outbox WHERE article_id = r.id) "
            "WHERE r.ticket_id = ? ORDER BY r.id"));
    st->Bind(1, ticket_id);
    std::vector<domain::Article> out;
    for (;;) {
      OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
      if (!row) break;
      domain::Article a;
      a.id = st->Int(0);
      a.ticket_id = ticket_id;
      a.direction = domain::ParseDirection(st->Text(1)).value_or(domain::Direction::kInbound);
      a.channel = domain::ParseChannel(st->Text(2)).value_or(domain::Channel::kWeb);
      a.author_user_id = st->OptInt(3);
      a.author_customer_id = st->OptInt(4);
      a.body = st->Text(5);
      a.created_at = st->Int(6);
      a.delivery = st->Text(7);
      a.delivery_report = st->Text(8);
      out.push_back(std::move(a));
    }
    st->Reset();
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * at,
        db_.Prepare("SELECT a.id, a.article_id, a.filename, a.content_type, a.size, a.sha "
                    "FROM attachments a JOIN articles r ON r.id = a.article_id "
                    "WHERE r.ticket_id = ? ORDER BY a.id"));
    at->Bind(1, ticket_id);
    for (;;) {
      OMBUD_ASSIGN_OR_RETURN(const bool row, at->Step());
      if (!row) break;
      const Id article_id = at->Int(1);
      auto it = std::find_if(out.begin(), out.end(),
                             [article_id](const domain::Article& a) { return a.id == article_id; });
      if (it == out.end()) continue;
      it->attachments.push_back({at->Int(0), at->Text(2), at->Text(3), at->Int(4), at->Text(5)});
    }
    return out;
  }

  Result<domain::Customer> GetCustomer(Id id) override {
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st, db_.Prepare("SELECT id, name, language, merged_into, created_at FROM customers "
                               "WHERE id = ?"));
    st->Bind(1, id);
    OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
    OMBUD_RETURN_IF_ERROR(NotFoundUnless(row, "customer " + std::to_string(id)));
    domain::Customer c;
    c.id = st->Int(0);
    c.name = st->Text(1);
    c.language = st->Text(2);
    c.merged_into = st->OptInt(3);
    c.created_at = st->Int(4);
    st->Reset();
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * ids, db_.Prepare("SELECT kind, value FROM customer_identities WHERE customer_id = ? "
                                "ORDER BY id"));
    ids->Bind(1, id);
    for (;;) {
      OMBUD_ASSIGN_OR_RETURN(const bool more, ids->Step());
      if (!more) break;
      c.identities.push_back(
          {domain::ParseIdentityKind(ids->Text(0)).value_or(domain::IdentityKind::kAccount),
           ids->Text(1)});
    }
    return c;
  }

  Result<std::optional<Id>> FindCustomerByIdentity(domain::IdentityKind kind,
                                                   const std::string& value) override {
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st,
        db_.Prepare("SELECT customer_id FROM customer_identities WHERE kind = ? AND value = ?"));
    st->Bind(1, domain::Name(kind)).Bind(2, value);
    OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
    if (!row) return std::optional<Id>{};
    return std::optional<Id>{st->Int(0)};
  }

  Result<domain::User> GetUser(Id id) override {
    static const std::string sql =
        "SELECT " + std::string(kUserColumns) + " FROM users WHERE id = ?";
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare(sql));
    st->Bind(1, id);
    OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
    OMBUD_RETURN_IF_ERROR(NotFoundUnless(row, "user " + std::to_string(id)));
    return UserFromRow(*st);
  }

  Result<std::optional<domain::User>> FindUserByLogin(const std::string& login) override {
    static const std::string sql =
        "SELECT " + std::string(kUserColumns) + " FROM users WHERE login = ?";
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare(sql));
    st->Bind(1, login);
    OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
    if (!row) return std::optional<domain::User>{};
    return std::optional<domain::User>{UserFromRow(*st)};
  }

  Result<std::string> GetPasswordHash(Id user_id) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare("SELECT password_hash FROM users WHERE id = ?"));
    st->Bind(1, user_id);
    OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
    OMBUD_RETURN_IF_ERROR(NotFoundUnless(row, "user"));
    return st->Text(0);
  }

  Result<std::vector<domain::User>> ListUsers() override {
    static const std::string sql =
        "SELECT " + std::string(kUserColumns) + " FROM users ORDER BY id";
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare(sql));
    std::vector<domain::User> out;
    for (;;) {
      OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
      if (!row) break;
      out.push_back(UserFromRow(*st));
    }
    return out;
  }

  Result<domain::Department> GetDepartment(Id id) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st,
                           db_.Prepare("SELECT " + std::string(kDepartmentColumns) +
                                       " FROM departments WHERE id = ? AND deleted = 0"));
    st->Bind(1, id);
    OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
    OMBUD_RETURN_IF_ERROR(NotFoundUnless(row, "department " + std::to_string(id)));
    return DepartmentFromRow(*st);
  }

  Result<std::vector<domain::Department>> ListDepartments() override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st,
                           db_.Prepare("SELECT " + std::string(kDepartmentColumns) +
                                       " FROM departments WHERE deleted = 0 ORDER BY id"));
    std::vector<domain::Department> out;
    for (;;) {
      OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
      if (!row) break;
      out.push_back(DepartmentFromRow(*st));
    }
    return out;
  }

  Result<std::optional<Session>> FindSession(const std::string& token_hash) override {
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st,
        db_.Prepare("SELECT user_id, csrf_token, expires_at FROM sessions WHERE token_hash = ?"));
    st->Bind(1, token_hash);
    OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
    if (!row) return std::optional<Session>{};
    return std::optional<Session>{Session{st->Int(0), st->Text(1), st->Int(2)}};
  }

  Result<std::optional<Id>> FindApiTokenUser(const std::string& token_hash) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare("SELECT user_id FROM api_tokens WHERE "
                                                  "token_hash = ? AND revoked_at IS NULL"));
    st->Bind(1, token_hash);
    OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
    if (!row) return std::optional<Id>{};
    return std::optional<Id>{st->Int(0)};
  }

  Result<std::optional<StoredResponse>> FindIdempotent(const std::string& principal,
                                                       const std::string& key) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st,
                           db_.Prepare("SELECT fingerprint, status, body FROM "
                                       "idempotency_keys WHERE principal = ? AND key = ?"));
    st->Bind(1, principal).Bind(2, key);
    OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
    if (!row) return std::optional<StoredResponse>{};
    StoredResponse r;
    const auto* blob = static_cast<const unsigned char*>(sqlite3_column_blob(st->raw(), 0));
    r.fingerprint.assign(blob, blob + sqlite3_column_bytes(st->raw(), 0));
    r.status = static_cast<int>(st->Int(1));
    r.body = st->Text(2);
    return std::optional<StoredResponse>{std::move(r)};
  }

  Result<std::int64_t> CountUsers() override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare("SELECT COUNT(*) FROM users"));
    OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
    return row ? st->Int(0) : 0;
  }

  // Writes.

  Result<Id> InsertCustomer(domain::Customer& c) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare("INSERT INTO customers(name, language, "
                                                  "created_at, updated_at) VALUES (?, ?, ?, ?)"));
    OMBUD_RETURN_IF_ERROR(
        st->Bind(1, c.name).Bind(2, c.language).Bind(3, now_).Bind(4, now_).Run());
    c.id = db_.LastInsertId();
    c.created_at = now_;
    for (const auto& identity : c.identities) OMBUD_RETURN_IF_ERROR(AddIdentity(c.id, identity));
    return c.id;
  }

  Status AddIdentity(Id customer_id, const domain::Identity& identity) override {
    OMBUD_ASSIGN_OR_RETURN(const std::int64_t id, NextCounter(kIdentityCounter));
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare("INSERT INTO customer_identities(customer_id, "
                                                  "kind, value, id) VALUES (?, ?, ?, ?)"));
    auto r = st->Bind(1, customer_id)
                 .Bind(2, domain::Name(identity.kind))
                 .Bind(3, identity.value)
                 .Bind(4, id)
                 .Run();
    if (!r && r.error().code == ErrorCode::kAlreadyExists) {
      return Fail(ErrorCode::kAlreadyExists,
                  std::string(domain::Name(identity.kind)) + " " + identity.value +
                      " already belongs to a customer",
                  std::string(domain::Name(identity.kind)));
    }
    return r;
  }

  Status MergeCustomers(Id from, Id into) override {
    for (const char* sql :
         {"UPDATE customer_identities SET customer_id = ?2 WHERE customer_id = ?1",
          "UPDATE tickets SET customer_id = ?2 WHERE customer_id = ?1",
          "UPDATE users SET customer_id = ?2 WHERE customer_id = ?1",
          "UPDATE customers SET merged_into = ?2, updated_at = ?3 WHERE id = ?1"}) {
      OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare(sql));
      OMBUD_RETURN_IF_ERROR(st->Bind(1, from).Bind(2, into).Bind(3, now_).Run());
    }
    return {};
  }

  Status InsertTicket(domain::Ticket& t) override {
    const auto days = std::chrono::floor<std::chrono::days>(
        std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(now_)));
    const int year = static_cast<int>(std::chrono::year_month_day(days).year());
    OMBUD_ASSIGN_OR_RETURN(const std::int64_t seq, NextCounter("ticket:" + std::to_string(year)));
    t.number = domain::FormatTicketNumber(year, seq);
    t.created_at = t.updated_at = now_;
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st,
        db_.Prepare("INSERT INTO tickets(number, kind, channel, customer_id, subject, category, "
                    "product, incident_date, state, department_id, owner_id, custom_fields, "
                    "created_at, updated_at, complaint_type, language, flags) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    OMBUD_RETURN_IF_ERROR(st->Bind(1, t.number)
                              .Bind(2, domain::Name(t.kind))
                              .Bind(3, domain::Name(t.channel))
                              .Bind(4, t.customer_id)
                              .Bind(5, t.subject)
                              .Bind(6, t.category)
                              .Bind(7, t.product)
                              .Bind(8, t.incident_date)
                              .Bind(9, domain::Name(t.state))
                              .Bind(10, t.department_id)
                              .Bind(11, t.owner_id)
                              .Bind(12, t.custom_fields_json)
                              .Bind(13, now_)
                              .Bind(14, now_)
                              .Bind(15, t.complaint_type)
                              .Bind(16, t.language)
                              .Bind(17, t.flags_json)
                              .Run());
    t.id = db_.LastInsertId();
    return {};
  }

  Status UpdateTicket(const domain::Ticket& t) override {
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st,
        db_.Prepare(
            "UPDATE tickets SET kind=?, channel=?, customer_id=?, subject=?, "
            "category=?, product=?, incident_date=?, state=?, department_id=?, "
            "owner_id=?, custom_fields=?, updated_at=?, complaint_type=?, language=?, flags=? "
            "WHERE id=?"));
    OMBUD_RETURN_IF_ERROR(st->Bind(1, domain::Name(t.kind))
                              .Bind(2, domain::Name(t.channel))
                              .Bind(3, t.customer_id)
                              .Bind(4, t.subject)
                              .Bind(5, t.category)
                              .Bind(6, t.product)
                              .Bind(7, t.incident_date)
                              .Bind(8, domain::Name(t.state))
                              .Bind(9, t.department_id)
                              .Bind(10, t.owner_id)
                              .Bind(11, t.custom_fields_json)
                              .Bind(12, now_)
                              .Bind(13, t.complaint_type)
                              .Bind(14, t.language)
                              .Bind(15, t.flags_json)
                              .Bind(16, t.id)
                              .Run());
    return NotFoundUnless(db_.Changes() == 1, "ticket");
  }

  Status InsertArticle(domain::Article& a) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st,
                           db_.Prepare("INSERT INTO articles(ticket_id, direction, channel, "
                                       "author_user_id, author_customer_id, body, created_at) "
                                       "VALUES (?,?,?,?,?,?,?)"));
    OMBUD_RETURN_IF_ERROR(st->Bind(1, a.ticket_id)
                              .Bind(2, domain::Name(a.direction))
                              .Bind(3, domain::Name(a.channel))
                              .Bind(4, a.author_user_id)
                              .Bind(5, a.author_customer_id)
                              .Bind(6, a.body)
                              .Bind(7, now_)
                              .Run());
    a.id = db_.LastInsertId();
    a.created_at = now_;
    for (auto& att : a.attachments) {
      OMBUD_ASSIGN_OR_RETURN(
          Stmt * as, db_.Prepare("INSERT INTO attachments(article_id, filename, content_type, "
                                 "size, sha) VALUES (?,?,?,?,?)"));
      OMBUD_RETURN_IF_ERROR(as->Bind(1, a.id)
                                .Bind(2, att.filename)
                                .Bind(3, att.content_type)
                                .Bind(4, att.size)
                                .Bind(5, att.sha)
                                .Run());
      att.id = db_.LastInsertId();
    }
    return {};
  }

  Status InsertUser(domain::User& u, const std::string& password_hash) override {
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st, db_.Prepare("INSERT INTO users(login, display_name, role, password_hash, "
                               "department_id, customer_id, active, created_at, updated_at) "
                               "VALUES (?,?,?,?,?,?,?,?,?)"));
    auto r = st->Bind(1, u.login)
                 .Bind(2, u.display_name)
                 .Bind(3, domain::Name(u.role))
                 .Bind(4, password_hash)
                 .Bind(5, u.department_id)
                 .Bind(6, u.customer_id)
                 .Bind(7, std::int64_t{u.active ? 1 : 0})
                 .Bind(8, now_)
                 .Bind(9, now_)
                 .Run();
    if (!r && r.error().code == ErrorCode::kAlreadyExists) {
      return Fail(ErrorCode::kAlreadyExists, "login " + u.login + " is taken", "login");
    }
    OMBUD_RETURN_IF_ERROR(r);
    u.id = db_.LastInsertId();
    u.created_at = now_;
    return {};
  }

  Status UpdateUser(const domain::User& u) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st,
                           db_.Prepare("UPDATE users SET display_name=?, role=?, department_id=?, "
                                       "customer_id=?, active=?, updated_at=? WHERE id=?"));
    OMBUD_RETURN_IF_ERROR(st->Bind(1, u.display_name)
                              .Bind(2, domain::Name(u.role))
                              .Bind(3, u.department_id)
                              .Bind(4, u.customer_id)
                              .Bind(5, std::int64_t{u.active ? 1 : 0})
                              .Bind(6, now_)
                              .Bind(7, u.id)
                              .Run());
    return NotFoundUnless(db_.Changes() == 1, "user");
  }

  Status SetPasswordHash(Id user_id, const std::string& hash) override {
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st, db_.Prepare("UPDATE users SET password_hash=?, updated_at=? WHERE id=?"));
    OMBUD_RETURN_IF_ERROR(st->Bind(1, hash).Bind(2, now_).Bind(3, user_id).Run());
    return NotFoundUnless(db_.Changes() == 1, "user");
  }

  Status RevokeUserCredentials(Id user_id) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare("DELETE FROM sessions WHERE user_id = ?"));
    OMBUD_RETURN_IF_ERROR(st->Bind(1, user_id).Run());
    OMBUD_ASSIGN_OR_RETURN(Stmt * tk, db_.Prepare("UPDATE api_tokens SET revoked_at = ? WHERE "
                                                  "user_id = ? AND revoked_at IS NULL"));
    return tk->Bind(1, now_).Bind(2, user_id).Run();
  }

  Status InsertDepartment(domain::Department& d) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare("INSERT INTO departments(name, scope, "
                                                  "created_at, key, owner) VALUES (?,?,?,?,?)"));
    auto r = st->Bind(1, d.name)
                 .Bind(2, ScopeToJson(d.scope))
                 .Bind(3, now_)
                 .Bind(4, d.key)
                 .Bind(5, std::int64_t{d.owner ? 1 : 0})
                 .Run();
    if (!r && r.error().code == ErrorCode::kAlreadyExists) {
      return Fail(ErrorCode::kAlreadyExists, "department " + d.name + " exists", "name");
    }
    OMBUD_RETURN_IF_ERROR(r);
    d.id = db_.LastInsertId();
    d.created_at = now_;
    return {};
  }

  Status UpdateDepartment(const domain::Department& d) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare("UPDATE departments SET name=?, scope=?, key=?, "
                                                  "owner=? WHERE id=? AND deleted = 0"));
    auto r = st->Bind(1, d.name)
                 .Bind(2, ScopeToJson(d.scope))
                 .Bind(3, d.key)
                 .Bind(4, std::int64_t{d.owner ? 1 : 0})
                 .Bind(5, d.id)
                 .Run();
    if (!r && r.error().code == ErrorCode::kAlreadyExists) {
      return Fail(ErrorCode::kAlreadyExists, "department " + d.name + " exists", "name");
    }
    OMBUD_RETURN_IF_ERROR(r);
    return NotFoundUnless(db_.Changes() == 1, "department");
  }

  Status DeleteDepartment(Id id) override {
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st, db_.Prepare("UPDATE departments SET deleted = 1 WHERE id = ? AND deleted = 0"));
    OMBUD_RETURN_IF_ERROR(st->Bind(1, id).Run());
    return NotFoundUnless(db_.Changes() == 1, "department");
  }

  Status InsertSession(const std::string& token_hash, const Session& s) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare("INSERT INTO sessions(token_hash, user_id, "
                                                  "csrf_token, expires_at) VALUES (?,?,?,?)"));
    return st->Bind(1, token_hash)
        .Bind(2, s.user_id)
        .Bind(3, s.csrf_token)
        .Bind(4, s.expires_at)
        .Run();
  }

  Status DeleteSession(const std::string& token_hash) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare("DELETE FROM sessions WHERE token_hash = ?"));
    return st->Bind(1, token_hash).Run();
  }

  Status InsertApiToken(const std::string& token_hash, Id user_id,
                        const std::string& name) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare("INSERT INTO api_tokens(token_hash, user_id, "
                                                  "name, created_at) VALUES (?,?,?,?)"));
    return st->Bind(1, token_hash).Bind(2, user_id).Bind(3, name).Bind(4, now_).Run();
  }

  Status SaveIdempotent(const std::string& principal, const std::string& key,
                        const StoredResponse& r) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare("INSERT INTO idempotency_keys(principal, key, "
                                                  "fingerprint, status, body, created_at) "
                                                  "VALUES (?,?,?,?,?,?)"));
    return st->Bind(1, principal)
        .Bind(2, key)
        .BindBlob(3, r.fingerprint.data(), r.fingerprint.size())
        .Bind(4, std::int64_t{r.status})
        .Bind(5, r.body)
        .Bind(6, now_)
        .Run();
  }

  Result<std::int64_t> PurgeIdempotent(Millis saved_before, int limit) override {
    // Rows are appended in time order, so the oldest are the lowest ids: only the first `limit`
    // rows are read, never the whole table (a row saved while the clock stood further ahead
    // waits for the ones before it).
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st, db_.Prepare("DELETE FROM idempotency_keys WHERE id IN (SELECT id FROM "
                               "idempotency_keys ORDER BY id LIMIT ?2) AND created_at < ?1"));
    OMBUD_RETURN_IF_ERROR(st->Bind(1, saved_before).Bind(2, std::int64_t{limit}).Run());
    return db_.Changes();
  }

  Result<std::int64_t> PurgeFiredTimers(Millis fired_before, int limit) override {
    // Fired timers are mostly the oldest rows; the scan in id order stops after `limit` of them.
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st, db_.Prepare("DELETE FROM timers WHERE id IN (SELECT id FROM timers WHERE "
                               "fired_at IS NOT NULL AND fired_at < ?1 ORDER BY id LIMIT ?2)"));
    OMBUD_RETURN_IF_ERROR(st->Bind(1, fired_before).Bind(2, std::int64_t{limit}).Run());
    return db_.Changes();
  }

  Status Audit(const std::string& actor, const std::string& action, const std::string& subject,
               const std::string& details_json) override {
    auto& head = store_->head_;
    AuditRecord rec{head.seq + 1, now_, actor, action, subject, details_json, head.hash, {}};
    rec.hash = ChainHash(rec);
    head.seq = rec.seq;
    head.hash = rec.hash;
    // Inserted with the batch's other entries before it commits (FlushAudit).
    store_->batch_audit_.push_back(std::move(rec));
    return {};
  }

  Status EnqueueOutbox(const OutboxMessage& m) override {
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st, db_.Prepare("INSERT INTO outbox(channel, recipient, subject, body, ticket_id, "
                               "dedupe_key, next_attempt_at, created_at, article_id, "
                               "auto_submitted) VALUES (?,?,?,?,?,?,?,?,?,?)"));
    OMBUD_RETURN_IF_ERROR(st->Bind(1, domain::Name(m.channel))
                              .Bind(2, m.recipient)
                              .Bind(3, m.subject)
                              .Bind(4, m.body)
                              .Bind(5, m.ticket_id)
                              .Bind(6, m.dedupe_key)
                              .Bind(7, now_)
                              .Bind(8, now_)
                              .Bind(9, m.article_id)
                              .Bind(10, std::int64_t{m.auto_submitted ? 1 : 0})
                              .Run());
    store_->batch_outbox_enqueued_ = true;
    return {};
  }

  Result<std::optional<domain::Department>> FindDepartmentByKey(const std::string& key) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st,
                           db_.Prepare("SELECT " + std::string(kDepartmentColumns) +
                                       " FROM departments WHERE key = ? AND deleted = 0"));
    st->Bind(1, key);
    OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
    if (!row) return std::optional<domain::Department>{};
    return std::optional<domain::Department>{DepartmentFromRow(*st)};
  }

  Result<std::vector<ClockRow>> ListClocks(Id ticket_id) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st,
                           db_.Prepare("SELECT " + std::string(kClockColumns) +
                                       " FROM ticket_clocks WHERE ticket_id = ? ORDER BY id"));
    st->Bind(1, ticket_id);
    return Rows<ClockRow>(*st, ClockFromRow);
  }

  Result<ClockRow> GetClock(Id id) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare("SELECT " + std::string(kClockColumns) +
                                                  " FROM ticket_clocks WHERE id = ?"));
    st->Bind(1, id);
    OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
    OMBUD_RETURN_IF_ERROR(NotFoundUnless(row, "clock " + std::to_string(id)));
    return ClockFromRow(*st);
  }

  Result<std::vector<ClockRow>> ListOpenClocks() override {
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st,
        db_.Prepare("SELECT " + std::string(kClockColumns) +
                    " FROM ticket_clocks WHERE state IN ('running', 'paused') ORDER BY id"));
    return Rows<ClockRow>(*st, ClockFromRow);
  }

  Result<std::optional<Timer>> NextTimer() override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st,
                           db_.Prepare("SELECT id, fire_at, kind, subject, payload FROM timers "
                                       "WHERE fired_at IS NULL ORDER BY fire_at, id LIMIT 1"));
    OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
    if (!row) return std::optional<Timer>{};
    return std::optional<Timer>{TimerFromRow(*st)};
  }

  Result<std::vector<Timer>> DueTimers(Millis now, int limit) override {
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st,
        db_.Prepare("SELECT id, fire_at, kind, subject, payload FROM timers "
                    "WHERE fired_at IS NULL AND fire_at <= ? ORDER BY fire_at, id LIMIT ?"));
    st->Bind(1, now).Bind(2, std::int64_t{limit});
    return Rows<Timer>(*st, TimerFromRow);
  }

  Result<std::vector<Notification>> ListNotifications(Id user_id, const std::string& role,
                                                      Id after_id, int limit) override {
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st, db_.Prepare("SELECT id, user_id, role, ticket_id, kind, message, created_at "
                               "FROM notifications WHERE id > ? AND (user_id = ? OR role = ?) "
                               "ORDER BY id LIMIT ?"));
    st->Bind(1, after_id).Bind(2, user_id).Bind(3, role).Bind(4, std::int64_t{limit});
    return Rows<Notification>(*st, [](const Stmt& r) {
      return Notification{r.Int(0),  r.OptInt(1), r.Text(2), r.OptInt(3),
                          r.Text(4), r.Text(5),   r.Int(6)};
    });
  }

  Result<std::vector<CaseRecord>> ListCaseRecords(Id ticket_id, const std::string& kind) override {
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st, db_.Prepare("SELECT " + std::string(kCaseColumns) +
                               " FROM case_records WHERE ticket_id = ? AND (? = '' OR kind = ?) "
                               "ORDER BY id"));
    st->Bind(1, ticket_id).Bind(2, kind).Bind(3, kind);
    return Rows<CaseRecord>(*st, CaseFromRow);
  }

  Result<CaseRecord> GetCaseRecord(Id id) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare("SELECT " + std::string(kCaseColumns) +
                                                  " FROM case_records WHERE id = ?"));
    st->Bind(1, id);
    OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
    OMBUD_RETURN_IF_ERROR(NotFoundUnless(row, "record " + std::to_string(id)));
    return CaseFromRow(*st);
  }

  Result<std::optional<PackRecord>> LatestPack() override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st,
                           db_.Prepare("SELECT id, key, name, source, hash, applied_at FROM packs "
                                       "ORDER BY id DESC LIMIT 1"));
    OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
    if (!row) return std::optional<PackRecord>{};
    return std::optional<PackRecord>{
        PackRecord{st->Int(0), st->Text(1), st->Text(2), st->Text(3), st->Text(4), st->Int(5)}};
  }

  Result<std::vector<AuditRecord>> ListAudit(const std::string& subject, int limit) override {
    OMBUD_RETURN_IF_ERROR(FlushPendingAudit());
    // A ticket's entries through the partial index of migration 12, whose terms the statement
    // must repeat for SQLite to use it; other subjects are not indexed.
    const bool ticket = subject.starts_with("ticket:");
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st,
        db_.Prepare(ticket ? "SELECT seq, at, actor, action, subject, details, prev_hash, hash "
                             "FROM audit_log WHERE subject = ? AND subject >= 'ticket:' AND "
                             "subject < 'ticket;' ORDER BY seq LIMIT ?"
                           : "SELECT seq, at, actor, action, subject, details, prev_hash, hash "
                             "FROM audit_log WHERE subject = ? ORDER BY seq LIMIT ?"));
    st->Bind(1, subject).Bind(2, std::int64_t{limit});
    return Rows<AuditRecord>(*st, [](const Stmt& r) {
      return AuditRecord{r.Int(0),  r.Int(1),  r.Text(2), r.Text(3),
                         r.Text(4), r.Text(5), r.Text(6), r.Text(7)};
    });
  }

  Result<std::optional<AuditRecord>> GetAuditEntry(std::int64_t seq) override {
    OMBUD_RETURN_IF_ERROR(FlushPendingAudit());
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st,
        db_.Prepare(seq == 0 ? "SELECT seq, at, actor, action, subject, details, prev_hash, hash "
                               "FROM audit_log ORDER BY seq DESC LIMIT 1"
                             : "SELECT seq, at, actor, action, subject, details, prev_hash, hash "
                               "FROM audit_log WHERE seq = ?"));
    if (seq != 0) st->Bind(1, seq);
    OMBUD_ASSIGN_OR_RETURN(auto rows, Rows<AuditRecord>(*st, [](const Stmt& r) {
                             return AuditRecord{r.Int(0),  r.Int(1),  r.Text(2), r.Text(3),
                                                r.Text(4), r.Text(5), r.Text(6), r.Text(7)};
                           }));
    if (rows.empty()) return std::optional<AuditRecord>{};
    return std::optional<AuditRecord>{std::move(rows.front())};
  }

  Result<std::optional<Id>> FindInboundMessage(const std::string& message_id) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st,
                           db_.Prepare("SELECT COALESCE(ticket_id, 0) FROM inbound_messages WHERE "
                                       "message_id = ?"));
    st->Bind(1, message_id);
    OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
    if (!row) return std::optional<Id>{};
    return std::optional<Id>{st->Int(0)};
  }

  Status RecordInboundMessage(const std::string& message_id, std::optional<Id> ticket_id,
                              std::optional<Id> article_id) override {
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st, db_.Prepare("INSERT INTO inbound_messages(message_id, ticket_id, article_id, "
                               "received_at) VALUES (?,?,?,?) ON CONFLICT(message_id) DO NOTHING"));
    return st->Bind(1, message_id).Bind(2, ticket_id).Bind(3, article_id).Bind(4, now_).Run();
  }

  Status InsertClock(ClockRow& c) override {
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st, db_.Prepare("INSERT INTO ticket_clocks(ticket_id, name, scope, department_id, "
                               "state, started_at, due_at, stopped_at, instance, rule_text, "
                               "updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)"));
    OMBUD_RETURN_IF_ERROR(st->Bind(1, c.ticket_id)
                              .Bind(2, c.name)
                              .Bind(3, c.scope)
                              .Bind(4, c.department_id)
                              .Bind(5, c.state)
                              .Bind(6, c.started_at)
                              .Bind(7, c.due_at)
                              .Bind(8, c.stopped_at)
                              .Bind(9, c.instance)
                              .Bind(10, c.rule_text)
                              .Bind(11, now_)
                              .Run());
    c.id = db_.LastInsertId();
    return {};
  }

  Status UpdateClock(const ClockRow& c) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st,
                           db_.Prepare("UPDATE ticket_clocks SET state=?, due_at=?, stopped_at=?, "
                                       "instance=?, rule_text=?, updated_at=? WHERE id=?"));
    OMBUD_RETURN_IF_ERROR(st->Bind(1, c.state)
                              .Bind(2, c.due_at)
                              .Bind(3, c.stopped_at)
                              .Bind(4, c.instance)
                              .Bind(5, c.rule_text)
                              .Bind(6, now_)
                              .Bind(7, c.id)
                              .Run());
    return NotFoundUnless(db_.Changes() == 1, "clock");
  }

  Status ScheduleTimer(Timer& t) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare("INSERT INTO timers(fire_at, kind, subject, "
                                                  "payload) VALUES (?,?,?,?)"));
    OMBUD_RETURN_IF_ERROR(
        st->Bind(1, t.fire_at).Bind(2, t.kind).Bind(3, t.subject).Bind(4, t.payload).Run());
    t.id = db_.LastInsertId();
    auto& earliest = store_->batch_earliest_timer_;
    if (!earliest || t.fire_at < *earliest) earliest = t.fire_at;
    return {};
  }

  Status MarkTimerFired(Id timer_id) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare("UPDATE timers SET fired_at = ? WHERE id = ? "
                                                  "AND fired_at IS NULL"));
    OMBUD_RETURN_IF_ERROR(st->Bind(1, now_).Bind(2, timer_id).Run());
    return NotFoundUnless(db_.Changes() == 1, "unfired timer");
  }

  Status CancelTimers(const std::string& subject) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare("DELETE FROM timers WHERE subject = ? AND "
                                                  "fired_at IS NULL"));
    return st->Bind(1, subject).Run();
  }

  Status InsertNotification(Notification& n) override {
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st, db_.Prepare("INSERT INTO notifications(user_id, role, ticket_id, kind, message, "
                               "created_at) VALUES (?,?,?,?,?,?)"));
    OMBUD_RETURN_IF_ERROR(st->Bind(1, n.user_id)
                              .Bind(2, n.role)
                              .Bind(3, n.ticket_id)
                              .Bind(4, n.kind)
                              .Bind(5, n.message)
                              .Bind(6, now_)
                              .Run());
    n.id = db_.LastInsertId();
    n.created_at = now_;
    return {};
  }

  Status InsertCaseRecord(CaseRecord& r) override {
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st,
        db_.Prepare("INSERT INTO case_records(ticket_id, kind, state, department_id, "
                    "data, created_by, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)"));
    OMBUD_RETURN_IF_ERROR(st->Bind(1, r.ticket_id)
                              .Bind(2, r.kind)
                              .Bind(3, r.state)
                              .Bind(4, r.department_id)
                              .Bind(5, r.data)
                              .Bind(6, r.created_by)
                              .Bind(7, now_)
                              .Bind(8, now_)
                              .Run());
    r.id = db_.LastInsertId();
    r.created_at = r.updated_at = now_;
    return {};
  }

  Status UpdateCaseRecord(const CaseRecord& r) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st,
                           db_.Prepare("UPDATE case_records SET state=?, "
                                       "department_id=?, data=?, updated_at=? WHERE id=?"));
    OMBUD_RETURN_IF_ERROR(st->Bind(1, r.state)
                              .Bind(2, r.department_id)
                              .Bind(3, r.data)
                              .Bind(4, now_)
                              .Bind(5, r.id)
                              .Run());
    return NotFoundUnless(db_.Changes() == 1, "record");
  }

  Status InsertPack(PackRecord& p) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare("INSERT INTO packs(key, name, source, hash, "
                                                  "applied_at) VALUES (?,?,?,?,?)"));
    OMBUD_RETURN_IF_ERROR(
        st->Bind(1, p.key).Bind(2, p.name).Bind(3, p.source).Bind(4, p.hash).Bind(5, now_).Run());
    p.id = db_.LastInsertId();
    p.applied_at = now_;
    return {};
  }

  Result<std::int64_t> ReleaseOwnedTickets(Id user_id) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st,
                           db_.Prepare("UPDATE tickets SET owner_id = NULL, updated_at = ? WHERE "
                                       "owner_id = ? AND state NOT IN ('resolved', 'closed')"));
    OMBUD_RETURN_IF_ERROR(st->Bind(1, now_).Bind(2, user_id).Run());
    return std::int64_t{db_.Changes()};
  }

  Result<std::vector<OutboxRow>> ListOutbox(const OutboxFilter& f) override {
    // Only the filters given are in the statement. Pending and dead rows (the backlog; dead
    // letters are rare) are found through the state index and sorted; sent ones, nearly all
    // rows, are read from the table in id order.
    std::string sql = "SELECT " + std::string(kOutboxColumns) + " FROM outbox" +
                      (f.state == "sent" ? " NOT INDEXED" : "") + " WHERE id > ?1";
    if (!f.state.empty()) sql += " AND state = ?2";
    if (f.ticket_id) sql += " AND ticket_id = ?3";
    sql += " ORDER BY id LIMIT ?4";
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare(sql));
    st->Bind(1, f.after_id).Bind(4, std::int64_t{f.limit});
    if (!f.state.empty()) st->Bind(2, f.state);
    if (f.ticket_id) st->Bind(3, *f.ticket_id);
    return Rows<OutboxRow>(*st, OutboxFromRow);
  }

  Result<OutboxRow> GetOutbox(Id id) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare("SELECT " + std::string(kOutboxColumns) +
                                                  " FROM outbox WHERE id = ?"));
    st->Bind(1, id);
    OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
    OMBUD_RETURN_IF_ERROR(NotFoundUnless(row, "outbox message " + std::to_string(id)));
    return OutboxFromRow(*st);
  }

  Result<std::vector<OutboxCount>> CountOutbox() override {
    // Pending and dead rows are counted through the state index: as many rows as the
    // backlog. Sent ones, nearly all rows, come from the counters MarkOutboxSent keeps.
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st,
        db_.Prepare("SELECT channel, state, COUNT(*) FROM outbox WHERE state IN ('dead', "
                    "'pending') GROUP BY channel, state UNION ALL SELECT substr(name, ?1), "
                    "'sent', value FROM counters WHERE name > ?2 AND name < ?2 || '~' "
                    "ORDER BY 1, 2"));
    st->Bind(1, std::int64_t{kSentCounterPrefix.size() + 1}).Bind(2, kSentCounterPrefix);
    return Rows<OutboxCount>(*st, [](const Stmt& r) {
      return OutboxCount{domain::ParseChannel(r.Text(0)).value_or(domain::Channel::kEmail),
                         r.Text(1), r.Int(2)};
    });
  }

  Result<std::optional<Millis>> NextOutboxAttempt(
      const std::vector<domain::Channel>& channels) override {
    const std::string list = ChannelList(channels);
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st, db_.Prepare("SELECT MIN(MAX(next_attempt_at, lease_until)) FROM outbox WHERE "
                               "state = 'pending' AND instr(?, ',' || channel || ',') > 0"));
    st->Bind(1, list);
    OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
    if (!row || st->IsNull(0)) return std::optional<Millis>{};
    return std::optional<Millis>{st->Int(0)};
  }

  Result<std::vector<ThreadMessage>> ListThreadMessages(Id ticket_id, int limit) override {
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st,
        db_.Prepare("SELECT message_id, ours FROM (SELECT i.message_id, EXISTS (SELECT 1 FROM "
                    "outbox o WHERE o.message_id = i.message_id AND o.message_id <> '') "
                    "AS ours, i.received_at "
                    "FROM inbound_messages i WHERE i.ticket_id = ? ORDER BY "
                    "i.received_at DESC, i.message_id DESC LIMIT ?) ORDER BY received_at, "
                    "message_id"));
    st->Bind(1, ticket_id).Bind(2, std::int64_t{limit});
    return Rows<ThreadMessage>(*st, [](const Stmt& r) {
      return ThreadMessage{r.Text(0), r.Int(1) != 0};
    });
  }

  Result<std::vector<OutboxRow>> ClaimOutbox(const std::vector<domain::Channel>& channels,
                                             const std::string& owner, Millis lease_until,
                                             int limit) override {
    const std::string list = ChannelList(channels);
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st,
        db_.Prepare("UPDATE outbox SET lease_until = ?, lease_owner = ? WHERE id IN (SELECT id "
                    "FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? AND "
                    "lease_until <= ? AND instr(?, ',' || channel || ',') > 0 ORDER BY "
                    "next_attempt_at, id LIMIT ?) RETURNING " +
                    std::string(kOutboxColumns)));
    st->Bind(1, lease_until)
        .Bind(2, owner)
        .Bind(3, now_)
        .Bind(4, now_)
        .Bind(5, list)
        .Bind(6, std::int64_t{limit});
    OMBUD_ASSIGN_OR_RETURN(auto rows, Rows<OutboxRow>(*st, OutboxFromRow));
    std::sort(rows.begin(), rows.end(),
              [](const OutboxRow& a, const OutboxRow& b) { return a.id < b.id; });
    return rows;
  }

  Status MarkOutboxSent(Id id, const std::string& message_id,
                        const std::string& provider_ref) override {
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st,
        db_.Prepare("UPDATE outbox SET state = 'sent', sent_at = ?, message_id = ?, "
                    "provider_ref = ?, attempts = attempts + 1, last_error = '', lease_until = 0, "
                    "lease_owner = '' WHERE id = ? AND state = 'pending' "
                    "RETURNING ticket_id, article_id, channel"));
    st->Bind(1, now_).Bind(2, message_id).Bind(3, provider_ref).Bind(4, id);
    OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
    if (!row) {
      return Fail(ErrorCode::kFailedPrecondition,
                  "outbox message " + std::to_string(id) + " is not pending");
    }
    const std::optional<Id> ticket_id = st->OptInt(0);
    const std::optional<Id> article_id = st->OptInt(1);
    const std::string counter = std::string(kSentCounterPrefix) + st->Text(2);
    st->Reset();
    // Sent is final and the most common state: counted as rows turn sent, not by reading them.
    OMBUD_RETURN_IF_ERROR(NextCounter(counter));
    if (message_id.empty()) return {};
    return RecordInboundMessage(message_id, ticket_id, article_id);
  }

  Status MarkOutboxFailed(Id id, const std::string& error, Millis next_attempt_at,
                          bool dead) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st,
                           db_.Prepare("UPDATE outbox SET state = ?, attempts = attempts + 1, "
                                       "last_error = ?, next_attempt_at = ?, lease_until = 0, "
                                       "lease_owner = '' WHERE id = ? AND state = 'pending'"));
    OMBUD_RETURN_IF_ERROR(st->Bind(1, dead ? "dead" : "pending")
                              .Bind(2, error)
                              .Bind(3, next_attempt_at)
                              .Bind(4, id)
                              .Run());
    if (db_.Changes() == 1) return {};
    return Fail(ErrorCode::kFailedPrecondition,
                "outbox message " + std::to_string(id) + " is not pending");
  }

  Status RetryOutbox(Id id) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st,
                           db_.Prepare("UPDATE outbox SET state = 'pending', attempts = 0, "
                                       "next_attempt_at = ?, lease_until = 0 WHERE id = ? AND "
                                       "state = 'dead'"));
    OMBUD_RETURN_IF_ERROR(st->Bind(1, now_).Bind(2, id).Run());
    if (db_.Changes() != 1) {
      OMBUD_RETURN_IF_ERROR(GetOutbox(id));
      return Fail(ErrorCode::kFailedPrecondition,
                  "outbox message " + std::to_string(id) + " is not a dead letter");
    }
    store_->batch_outbox_enqueued_ = true;
    return {};
  }

  Status SetOutboxDelivery(Id id, const std::string& delivery_state) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare("UPDATE outbox SET delivery_state = ?, "
                                                  "delivery_at = ? WHERE id = ?"));
    OMBUD_RETURN_IF_ERROR(st->Bind(1, delivery_state).Bind(2, now_).Bind(3, id).Run());
    return NotFoundUnless(db_.Changes() == 1, "outbox message " + std::to_string(id));
  }

  Result<std::optional<OneTimeCode>> LatestOneTimeCode(domain::IdentityKind kind,
                                                       const std::string& value) override {
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st, db_.Prepare("SELECT id, customer_id, code_hash, expires_at, attempts, state, "
                               "created_at FROM one_time_codes WHERE kind = ? AND value = ? "
                               "ORDER BY id DESC LIMIT 1"));
    st->Bind(1, domain::Name(kind)).Bind(2, value);
    OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
    if (!row) return std::optional<OneTimeCode>{};
    OneTimeCode c;
    c.id = st->Int(0);
    c.customer_id = st->Int(1);
    c.kind = kind;
    c.value = value;
    c.code_hash = st->Text(2);
    c.expires_at = st->Int(3);
    c.attempts = static_cast<int>(st->Int(4));
    c.state = st->Text(5);
    c.created_at = st->Int(6);
    st->Reset();
    return std::optional<OneTimeCode>{std::move(c)};
  }

  Result<std::int64_t> CountOneTimeCodes(domain::IdentityKind kind, const std::string& value,
                                         Millis since) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st,
                           db_.Prepare("SELECT COUNT(*) FROM one_time_codes WHERE kind = ? AND "
                                       "value = ? AND created_at >= ?"));
    st->Bind(1, domain::Name(kind)).Bind(2, value).Bind(3, since);
    OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
    const std::int64_t n = row ? st->Int(0) : 0;
    st->Reset();
    return n;
  }

  Status InsertOneTimeCode(OneTimeCode& c) override {
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st,
        db_.Prepare("INSERT INTO one_time_codes(customer_id, kind, value, code_hash, "
                    "expires_at, attempts, state, created_at) VALUES (?,?,?,?,?,?,?,?)"));
    OMBUD_RETURN_IF_ERROR(st->Bind(1, c.customer_id)
                              .Bind(2, domain::Name(c.kind))
                              .Bind(3, c.value)
                              .Bind(4, c.code_hash)
                              .Bind(5, c.expires_at)
                              .Bind(6, std::int64_t{c.attempts})
                              .Bind(7, c.state)
                              .Bind(8, now_)
                              .Run());
    c.id = db_.LastInsertId();
    c.created_at = now_;
    return {};
  }

  Status UpdateOneTimeCode(const OneTimeCode& c) override {
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st, db_.Prepare("UPDATE one_time_codes SET attempts = ?, state = ? WHERE id = ?"));
    OMBUD_RETURN_IF_ERROR(
        st->Bind(1, std::int64_t{c.attempts}).Bind(2, c.state).Bind(3, c.id).Run());
    return NotFoundUnless(db_.Changes() == 1, "one-time code");
  }

  Result<std::optional<std::string>> GetChannelState(const std::string& key) override {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare("SELECT value FROM channel_state WHERE key = ?"));
    st->Bind(1, key);
    OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
    if (!row) return std::optional<std::string>{};
    return std::optional<std::string>{st->Text(0)};
  }

  Status SetChannelState(const std::string& key, const std::string& value) override {
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st, db_.Prepare("INSERT INTO channel_state(key, value, updated_at) VALUES (?,?,?) "
                               "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
                               "updated_at = excluded.updated_at"));
    return st->Bind(1, key).Bind(2, value).Bind(3, now_).Run();
  }

 private:
  template <typename T, typename FromRow>
  static Result<std::vector<T>> Rows(Stmt& st, FromRow from_row) {
    std::vector<T> out;
    for (;;) {
      OMBUD_ASSIGN_OR_RETURN(const bool row, st.Step());
      if (!row) return out;
      out.push_back(from_row(st));
    }
  }

  Result<Stmt*> PrepareTicketList(const TicketFilter& f) {
    std::string sql = "SELECT " + std::string(kTicketColumns) + " FROM tickets WHERE id > ?";
    if (f.department_id) sql += " AND department_id = ?";
    if (f.state) sql += " AND state = ?";
    if (f.customer_id) sql += " AND customer_id = ?";
    if (f.channel) sql += " AND channel = ?";
    if (!f.states.empty()) {
      sql += " AND state IN (?";
      for (std::size_t k = 1; k < f.states.size(); ++k) sql += ",?";
      sql += ")";
    }
    if (f.unowned_only) sql += " AND owner_id IS NULL";
    sql += " ORDER BY id LIMIT ?";
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare(sql));
    int i = 1;
    st->Bind(i++, f.after_id);
    if (f.department_id) st->Bind(i++, *f.department_id);
    if (f.state) st->Bind(i++, domain::Name(*f.state));
    if (f.customer_id) st->Bind(i++, *f.customer_id);
    if (f.channel) st->Bind(i++, domain::Name(*f.channel));
    for (const auto state : f.states) st->Bind(i++, domain::Name(state));
    st->Bind(i, static_cast<std::int64_t>(f.limit));
    return st;
  }

  template <typename BindFn>
  Result<domain::Ticket> OneTicket(const std::string& sql, BindFn bind) {
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare(sql));
    bind(*st);
    OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
    OMBUD_RETURN_IF_ERROR(NotFoundUnless(row, "ticket"));
    return TicketFromRow(*st);
  }

  // Counters are read once per batch and written back once before it commits (FlushCounters),
  // instead of an upsert per ticket.
  Result<std::int64_t> NextCounter(const std::string& name) {
    auto& counters = store_->batch_counters_;
    auto it = counters.find(name);
    if (it == counters.end()) {
      OMBUD_ASSIGN_OR_RETURN(Stmt * st, db_.Prepare("SELECT value FROM counters WHERE name = ?"));
      st->Bind(1, name);
      OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
      const std::int64_t stored = row ? st->Int(0) : 0;
      st->Reset();
      it = counters.emplace(name, stored).first;
    }
    return ++it->second;
  }

  // A write that reads the audit log sees its own batch's entries.
  Status FlushPendingAudit() {
    if (&db_ != store_->writer_db_.get()) return {};  // Readers: the batch is not theirs.
    if (store_->batch_audit_flushed_ == store_->batch_audit_.size()) return {};
    return store_->FlushAudit(db_);
  }

  Db& db_;
  SqliteStore* store_;
  Millis now_;
};

SqliteStore::SqliteStore(const Options& options) : options_(options) {}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const Options& options) {
  if (options.clock == nullptr) return Fail(ErrorCode::kInvalidArgument, "store needs a clock");
  std::unique_ptr<SqliteStore> store(new SqliteStore(options));
  OMBUD_RETURN_IF_ERROR(store->Init());
  return store;
}

Status SqliteStore::Init() {
  OMBUD_ASSIGN_OR_RETURN(writer_db_, Db::Open(options_.path, false));
  OMBUD_RETURN_IF_ERROR(writer_db_->Exec("PRAGMA journal_mode=WAL"));
  // NORMAL: COMMIT writes the WAL without syncing it; SyncLoop syncs before anyone is answered.
  OMBUD_RETURN_IF_ERROR(writer_db_->Exec("PRAGMA synchronous=NORMAL"));
  OMBUD_RETURN_IF_ERROR(writer_db_->Exec("PRAGMA foreign_keys=ON"));
  // 8 MiB of cache, pages beyond it read through the memory map. A larger cache costs the writer
  // more than it saves: SQLite walks the whole page-cache hash table at the end of every
  // transaction in which a b-tree balance renumbered a page (most batches, with random-key
  // indexes such as idempotency keys), and that walk grows with the cache (docs/benchmarks.md).
  OMBUD_RETURN_IF_ERROR(writer_db_->Exec("PRAGMA cache_size=-8192"));
  OMBUD_RETURN_IF_ERROR(writer_db_->Exec("PRAGMA mmap_size=" + std::to_string(kMmapBytes)));
  OMBUD_RETURN_IF_ERROR(Migrate(*writer_db_));
  // Checkpoints run on their own thread and connection (CheckpointLoop), not in the writer.
  sqlite3_wal_hook(writer_db_->raw(), &SqliteStore::OnWalCommit, this);
  OMBUD_ASSIGN_OR_RETURN(checkpoint_db_, Db::Open(options_.path, false));
  OMBUD_RETURN_IF_ERROR(checkpoint_db_->Exec("PRAGMA synchronous=NORMAL"));
  checkpoint_db_fd_ = ::open(options_.path.c_str(), O_RDONLY | O_CLOEXEC);
  OMBUD_RETURN_IF_ERROR(LoadChainHead());
  for (int i = 0; i < std::max(1, options_.readers); ++i) {
    OMBUD_ASSIGN_OR_RETURN(auto reader, Db::Open(options_.path, true));
    OMBUD_RETURN_IF_ERROR(reader->Exec("PRAGMA mmap_size=" + std::to_string(kMmapBytes)));
    free_readers_.push_back(std::move(reader));
  }
  reader_count_ = free_readers_.size();
  writer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "ombud-writer");
    WriterLoop();
  });
  syncer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "ombud-sync");
    SyncLoop();
  });
  checkpointer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "ombud-ckpt");
    // Background upkeep: yields the CPU to the writer and to requests (Linux nice is per
    // thread; lowering it needs no privilege).
    (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
    CheckpointLoop();
  });
  return {};
}

int SqliteStore::OnWalCommit(void* self, sqlite3* /*db*/, const char* /*name*/, int pages) {
  auto* store = static_cast<SqliteStore*>(self);
  store->wal_pages_ = pages;
  auto idle = CheckpointPhase::kIdle;
  if (pages >= store->options_.checkpoint_pages &&
      store->checkpoint_phase_.compare_exchange_strong(idle, CheckpointPhase::kBackground)) {
    // Taking the lock orders the phase change before the checkpointer's next look at it.
    { const std::lock_guard lock(store->checkpoint_mu_); }
    store->checkpoint_cv_.notify_one();
  }
  return SQLITE_OK;
}

void SqliteStore::CheckpointLoop() {
  for (;;) {
    {
      std::unique_lock lock(checkpoint_mu_);
      checkpoint_cv_.wait(lock, [this] {
        return checkpoint_stopping_ || checkpoint_phase_.load() == CheckpointPhase::kBackground;
      });
      if (checkpoint_stopping_) return;
    }
    // PASSIVE: copies what no reader still needs, never blocks the writer. With
    // synchronous=NORMAL it syncs the WAL first, and the database file only after a pass that
    // copied the whole WAL. Under steady writes that is never a background pass (the writer
    // appends meanwhile), so the copied pages would all be flushed by the sync in the writer's
    // RESTART (FinishCheckpoint): 6-11 ms during which no batch commits. So each pass is followed
    // by a sync of the database file here, off the writer's path, and a second pass copies the
    // frames the writer appended during the first one and its sync. The writer then has only
    // what came during the second pass to copy and flush. A failed sync here answers no one:
    // the RESTART's own sync reports the file's state to SQLite.
    int rc = SQLITE_OK;
    for (int pass = 0; pass < kCheckpointPasses && rc == SQLITE_OK; ++pass) {
      rc = sqlite3_wal_checkpoint_v2(checkpoint_db_->raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                     nullptr, nullptr);
      if (rc == SQLITE_OK && checkpoint_db_fd_ >= 0) (void)::fdatasync(checkpoint_db_fd_);
    }
    if (rc != SQLITE_OK) {
      // Busy (another process checkpoints) or failed: the writer must not copy the whole WAL
      // itself; a later commit asks again.
      checkpoint_phase_.store(CheckpointPhase::kIdle, std::memory_order_release);
      continue;
    }
    checkpoints_.fetch_add(1, std::memory_order_relaxed);
    // The writer went on meanwhile, so the WAL's tail is not copied yet and SQLite cannot start
    // the WAL over: under steady load it would keep growing. The writer copies that short tail
    // itself between two batches (FinishCheckpoint).
    checkpoint_phase_.store(CheckpointPhase::kWriterFinishes, std::memory_order_release);
  }
}

namespace {

// RESTART checkpoint on the writer's connection, waiting at most `polls` times 100 us for
// readers on older snapshots instead of the usual busy timeout.
void RestartWal(sqlite3* db, int polls) {
  sqlite3_busy_handler(
      db,
      [](void* left, int) -> int {
        if (--*static_cast<int*>(left) < 0) return 0;
        std::this_thread::sleep_for(std::chrono::microseconds(100));
        return 1;
      },
      &polls);
  (void)sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
}

}  // namespace

void SqliteStore::FinishCheckpoint() {
  // RESTART copies the tail and waits for readers still on older snapshots, so that the next
  // transaction writes the WAL from its beginning. Readers take microseconds; one that takes
  // longer (an export, or a reader thread the scheduler put aside) must not stall every write, so
  // the first tries wait ~2 ms at most and the WAL starts over after a later checkpoint.
  if (wal_pages_ <= 4 * options_.checkpoint_pages) {
    RestartWal(writer_db_->raw(), 20);
    return;
  }
  // SQLite waits by polling, and readers that keep starting transactions hold a read lock at
  // almost every poll: under steady reads the restart can fail for seconds while the WAL grows.
  // So once the WAL has grown to four times the checkpoint size, the writer holds back new reads
  // of its own pool until the running ones end (at most 200 ms, in case a running read waits on
  // something else), then restarts. Readers outside the pool (audit verification, another
  // process) are waited for 20 ms at most: the writer must not stall on them.
  constexpr auto kReadersDrainWait = std::chrono::milliseconds(200);
  std::unique_lock lock(readers_mu_);
  readers_held_ = true;
  const bool drained = readers_drained_cv_.wait_for(
      lock, kReadersDrainWait, [this] { return free_readers_.size() == reader_count_; });
  lock.unlock();
  RestartWal(writer_db_->raw(), drained ? 200 : 20);
  lock.lock();
  readers_held_ = false;
  lock.unlock();
  readers_cv_.notify_all();
}

Status SqliteStore::LoadChainHead() {
  OMBUD_ASSIGN_OR_RETURN(
      Stmt * st, writer_db_->Prepare("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"));
  OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
  head_ = row ? ChainHead{st->Int(0), st->Text(1)} : ChainHead{0, kGenesisHash};
  st->Reset();
  return {};
}

namespace {

// Sets `stopping` under `mu`, wakes the thread waiting on `cv` and waits for it to end.
void StopLoop(std::mutex& mu, std::condition_variable& cv, bool& stopping, std::thread& thread) {
  {
    std::lock_guard lock(mu);
    stopping = true;
  }
  cv.notify_all();
  if (thread.joinable()) thread.join();
}

}  // namespace

SqliteStore::~SqliteStore() {
  // In this order: queued writes are committed, then synced and answered.
  StopLoop(queue_mu_, queue_cv_, stopping_, writer_);
  StopLoop(sync_mu_, sync_cv_, sync_stopping_, syncer_);
  StopLoop(checkpoint_mu_, checkpoint_cv_, checkpoint_stopping_, checkpointer_);
  checkpoint_db_.reset();
  if (checkpoint_db_fd_ >= 0) ::close(checkpoint_db_fd_);
  if (wal_fd_ >= 0) ::close(wal_fd_);
}

void SqliteStore::Write(WriteFn fn, DoneFn done) {
  bool wake = false;
  {
    std::lock_guard lock(queue_mu_);
    if (stopping_) {
      done(Fail(ErrorCode::kUnavailable, "store is shutting down"));
      return;
    }
    queue_.push_back(Job{std::move(fn), std::move(done)});
    wake = queue_.size() >= writer_wake_at_;
  }
  queue_depth_.fetch_add(1, std::memory_order_relaxed);
  if (wake) queue_cv_.notify_one();
}

Status SqliteStore::FlushCounters(Db& db) {
  for (const auto& [name, value] : batch_counters_) {
    OMBUD_ASSIGN_OR_RETURN(
        Stmt * st, db.Prepare("INSERT INTO counters(name, value) VALUES (?, ?) ON CONFLICT(name) "
                              "DO UPDATE SET value = excluded.value"));
    OMBUD_RETURN_IF_ERROR(st->Bind(1, name).Bind(2, value).Run());
  }
  batch_counters_.clear();
  return {};
}

namespace {

// "INSERT INTO audit_log(...) VALUES (?,...),(?,...)…" for `rows` rows.
std::string AuditInsertSql(std::size_t rows) {
  std::string sql =
      "INSERT INTO audit_log(seq, at, actor, action, subject, details, prev_hash, hash) VALUES ";
  for (std::size_t i = 0; i < rows; ++i) sql += i == 0 ? "(?,?,?,?,?,?,?,?)" : ",(?,?,?,?,?,?,?,?)";
  return sql;
}

}  // namespace

Status SqliteStore::FlushAudit(Db& db) {
  // One statement per power of two up to 32 rows: a batch's entries go in a few statements
  // whose table cursor stays on the last page, instead of a statement per entry that seeks
  // from the root each time.
  static const std::array<std::string, 6> kSql = {AuditInsertSql(1),  AuditInsertSql(2),
                                                  AuditInsertSql(4),  AuditInsertSql(8),
                                                  AuditInsertSql(16), AuditInsertSql(32)};
  while (batch_audit_flushed_ < batch_audit_.size()) {
    const std::size_t left = batch_audit_.size() - batch_audit_flushed_;
    const auto log2 = std::min<std::size_t>(std::bit_width(left) - 1, kSql.size() - 1);
    const std::size_t rows = std::size_t{1} << log2;
    OMBUD_ASSIGN_OR_RETURN(Stmt * st, db.Prepare(kSql[log2]));
    int col = 1;
    for (std::size_t i = 0; i < rows; ++i) {
      const AuditRecord& rec = batch_audit_[batch_audit_flushed_ + i];
      st->Bind(col, rec.seq)
          .Bind(col + 1, rec.at)
          .Bind(col + 2, rec.actor)
          .Bind(col + 3, rec.action)
          .Bind(col + 4, rec.subject)
          .Bind(col + 5, rec.details)
          .Bind(col + 6, rec.prev_hash)
          .Bind(col + 7, rec.hash);
      col += 8;
    }
    OMBUD_RETURN_IF_ERROR(st->Run());
    batch_audit_flushed_ += rows;
  }
  return {};
}

namespace {

// While a sync runs, the writer holding its transaction open is woken once this many writes
// are queued rather than for each one (a wake-up costs about what a write does), and takes at
// most this many at a time, so that it sees the sync end soon even when a burst of writes
// arrived just before.
constexpr std::size_t kHoldStep = 4;

Millis NowMillis(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch())
      .count();
}

}  // namespace

void SqliteStore::WriterLoop() {
  std::vector<Job> batch;
  while (WaitForJobs(batch)) {
    CommitBatch(batch);
    batch.clear();
    if (checkpoint_phase_.load(std::memory_order_acquire) == CheckpointPhase::kWriterFinishes) {
      FinishCheckpoint();
      checkpoint_phase_.store(CheckpointPhase::kIdle, std::memory_order_release);
    }
  }
}

bool SqliteStore::WaitForJobs(std::vector<Job>& batch) {
  std::size_t n = 0;
  {
    std::unique_lock lock(queue_mu_);
    queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return false;  // Stopping and drained.
    n = std::min<std::size_t>(queue_.size(), static_cast<std::size_t>(options_.max_batch));
    for (std::size_t i = 0; i < n; ++i) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
  }
  queue_depth_.fetch_sub(static_cast<std::int64_t>(n), std::memory_order_relaxed);
  return true;
}

bool SqliteStore::HoldForJobs(std::vector<Job>& batch) {
  const auto max_batch = static_cast<std::size_t>(options_.max_batch);
  std::size_t n = 0;
  bool commit = false;
  {
    std::unique_lock lock(queue_mu_);
    const auto ready = [this] { return stopping_ || sync_ready_ || queue_.size() >= kHoldStep; };
    if (!ready()) {
      writer_wake_at_ = kHoldStep;
      queue_cv_.wait(lock, ready);
      writer_wake_at_ = 1;
    }
    // Once the sync thread is free, writes still queued wait for the next transaction: adding
    // them would hold back the next sync, for the writes in this transaction too.
    commit = stopping_ || sync_ready_;
    n = commit ? 0 : std::min({queue_.size(), max_batch - batch.size(), kHoldStep});
    for (std::size_t i = 0; i < n; ++i) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
  }
  queue_depth_.fetch_sub(static_cast<std::int64_t>(n), std::memory_order_relaxed);
  return commit || batch.size() >= max_batch;
}

Status SqliteStore::BeginBatch() {
  batch_counters_.clear();
  batch_audit_.clear();
  batch_audit_flushed_ = 0;
  batch_earliest_timer_.reset();
  batch_outbox_enqueued_ = false;
  OMBUD_RETURN_IF_ERROR(writer_db_->Run("BEGIN IMMEDIATE"));
  // Another process (the CLI) may have appended to the chain since the last batch; the write
  // lock is held now, so the head read here is the one to extend.
  if (Status loaded = LoadChainHead(); !loaded) {
    (void)writer_db_->Run("ROLLBACK");
    return loaded;
  }
  batch_start_ = head_;
  return {};
}

bool SqliteStore::ApplyJobs(SqliteTx& tx, std::vector<Job>& batch, std::vector<Status>& results,
                            std::size_t from, bool isolate) {
  Db& db = *writer_db_;
  for (std::size_t i = from; i < batch.size(); ++i) {
    const ChainHead before = head_;
    const std::size_t audit_before = batch_audit_.size();
    const std::size_t audit_flushed_before = batch_audit_flushed_;
    auto counters_before = isolate ? batch_counters_ : decltype(batch_counters_){};
    if (isolate) {
      if (auto sp = db.Run("SAVEPOINT w"); !sp) {
        results[i] = sp;
        continue;
      }
    }
    results[i] = batch[i].fn(tx);
    db.ResetAll();
    if (!results[i]) {
      if (!isolate) return false;
      (void)db.Run("ROLLBACK TO w");
      head_ = before;
      // The rollback also took back entries of earlier writes flushed during this one.
      batch_audit_.resize(audit_before);
      batch_audit_flushed_ = std::min(batch_audit_flushed_, audit_flushed_before);
      batch_counters_ = std::move(counters_before);
    }
    if (isolate) (void)db.Run("RELEASE w");
  }
  return true;
}

void SqliteStore::CommitBatch(std::vector<Job>& batch) {
  Db& db = *writer_db_;
  std::vector<Status> results;
  Status committed = BeginBatch();
  SqliteTx tx(db, this, NowMillis(*options_.clock));
  // First without savepoints: a savepoint copies every page a write touches into the
  // sub-journal, which costs more than the write itself. When a write fails, the whole
  // transaction rolls back and its writes run again with one savepoint each, so the failing
  // write rolls back alone. Writes therefore may run twice (Store::Write).
  bool isolate = false;
  std::size_t applied = 0;
  bool commit_now = false;
  while (committed) {
    results.resize(batch.size());
    if (!ApplyJobs(tx, batch, results, applied, isolate)) {
      (void)db.Run("ROLLBACK");
      head_ = batch_start_;
      committed = BeginBatch();
      isolate = true;
      applied = 0;
      continue;
    }
    applied = batch.size();
    if (commit_now) break;
    // When the writer is about to wait for more writes, the audit entries so far are inserted
    // now, while the sync runs, rather than after it.
    if (queue_depth_.load(std::memory_order_relaxed) == 0) committed = FlushAudit(db);
    if (!committed) {
      (void)db.Run("ROLLBACK");
      head_ = batch_start_;
      break;
    }
    commit_now = HoldForJobs(batch);
    tx.AdvanceNow(NowMillis(*options_.clock));
  }
  if (committed) {
    committed = FlushAudit(db);
    if (committed) committed = FlushCounters(db);
    if (committed && head_.seq != batch_start_.seq) {
      auto st = db.Prepare(
          "INSERT INTO meta(key, value) VALUES ('audit_head', ?) "
          "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
      const std::string value = std::to_string(head_.seq) + " " + head_.hash;
      committed = st ? (*st)->Bind(1, value).Run() : Status(std::unexpected(st.error()));
    }
    if (committed) committed = db.Run("COMMIT");
    if (committed && batch_earliest_timer_ && timer_observer_) {
      timer_observer_(*batch_earliest_timer_);
    }
    if (committed && batch_outbox_enqueued_ && outbox_observer_) outbox_observer_();
    if (!committed) {
      (void)db.Run("ROLLBACK");
      head_ = batch_start_;
      for (auto& r : results) {
        if (r) r = Fail(ErrorCode::kUnavailable, "commit failed: " + committed.error().message);
      }
    }
  } else {
    results.assign(batch.size(), committed);  // BEGIN or an audit insert failed: nothing kept.
  }
  batches_.fetch_add(1, std::memory_order_relaxed);
  batched_writes_.fetch_add(static_cast<std::int64_t>(batch.size()), std::memory_order_relaxed);
  const auto bucket =
      std::min<std::size_t>(std::bit_width(batch.size() - 1), batch_buckets_.size() - 1);
  batch_buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  Acks acks;
  acks.committed = std::any_of(results.begin(), results.end(), [](const Status& r) { return r; });
  acks.results = std::move(results);
  acks.done.reserve(batch.size());
  for (auto& job : batch) acks.done.push_back(std::move(job.done));
  {
    // Before the hand-off: the sync thread sets it again once this batch is synced.
    std::lock_guard lock(queue_mu_);
    sync_ready_ = false;
  }
  {
    std::lock_guard lock(sync_mu_);
    unsynced_.push_back(std::move(acks));
  }
  sync_cv_.notify_one();
}

void SqliteStore::SyncLoop() {
  std::vector<Acks> taken;
  for (;;) {
    {
      std::unique_lock lock(sync_mu_);
      sync_cv_.wait(lock, [this] { return sync_stopping_ || !unsynced_.empty(); });
      if (unsynced_.empty()) return;  // Stopping and drained.
      taken.swap(unsynced_);
    }
    // Every batch taken had committed (its WAL frames written) before this sync starts.
    const bool any_committed =
        std::any_of(taken.begin(), taken.end(), [](const Acks& a) { return a.committed; });
    Status synced;
    if (any_committed) {
      synced = SyncWal();
      syncs_.fetch_add(1, std::memory_order_relaxed);
    }
    {
      // The writer may commit its open transaction now, while the callbacks below run.
      std::lock_guard lock(queue_mu_);
      sync_ready_ = true;
    }
    queue_cv_.notify_one();
    for (auto& acks : taken) {
      for (std::size_t i = 0; i < acks.done.size(); ++i) {
        if (!acks.done[i]) continue;
        Status& r = acks.results[i];
        // Committed but maybe not on disk: the caller must not take it as done. A retry with
        // the same Idempotency-Key finds the answer if the write survived.
        if (r && !synced) r = Fail(ErrorCode::kUnavailable, synced.error().message);
        acks.done[i](std::move(r));
      }
    }
    taken.clear();
  }
}

namespace {

// Only the file's identity: asking for its times (stat, fstat) marks them as seen, and the
// kernel then stamps the next write with a fine-grained time, which dirties the inode, so
// every fdatasync also wrote the inode (ext4 on Linux 6.13 and later: one more synchronous
// write per sync, 0.3 instead of 0.6 ms per sync in docs/benchmarks.md).
bool SameFile(int fd, const std::string& path, bool& same) {
  struct statx named {};
  struct statx open_file {};
  if (::statx(AT_FDCWD, path.c_str(), 0, STATX_INO, &named) != 0) return false;
  same = fd >= 0 && ::statx(fd, "", AT_EMPTY_PATH, STATX_INO, &open_file) == 0 &&
         open_file.stx_ino == named.stx_ino && open_file.stx_dev_major == named.stx_dev_major &&
         open_file.stx_dev_minor == named.stx_dev_minor;
  return true;
}

}  // namespace

Status SqliteStore::SyncWal() {
  const std::string wal = options_.path + "-wal";
  bool same = false;
  if (!SameFile(wal_fd_, wal, same)) {
    return Fail(ErrorCode::kUnavailable, "cannot sync " + wal + ": " + std::strerror(errno));
  }
  if (wal_fd_ >= 0 && !same) {
    ::close(wal_fd_);  // SQLite made a new WAL file; sync that one.
    wal_fd_ = -1;
  }
  if (wal_fd_ < 0) {
    wal_fd_ = ::open(wal.c_str(), O_RDONLY | O_CLOEXEC);
    if (wal_fd_ < 0) {
      return Fail(ErrorCode::kUnavailable, "cannot open " + wal + ": " + std::strerror(errno));
    }
  }
  if (::fdatasync(wal_fd_) != 0) {
    return Fail(ErrorCode::kUnavailable, "fdatasync " + wal + ": " + std::strerror(errno));
  }
  return {};
}

Status SqliteStore::Read(const std::function<Status(ReadTx&)>& fn) {
  std::unique_ptr<Db> db;
  {
    std::unique_lock lock(readers_mu_);
    readers_cv_.wait(lock, [this] { return !readers_held_ && !free_readers_.empty(); });
    db = std::move(free_readers_.back());
    free_readers_.pop_back();
  }
  Status result = db->Run("BEGIN");
  if (result) {
    SqliteTx tx(*db, this, 0);
    result = fn(tx);
    db->ResetAll();
    (void)db->Run("COMMIT");
  }
  {
    std::lock_guard lock(readers_mu_);
    free_readers_.push_back(std::move(db));
    if (readers_held_ && free_readers_.size() == reader_count_) readers_drained_cv_.notify_one();
  }
  readers_cv_.notify_one();
  return result;
}

Result<AuditVerdict> SqliteStore::VerifyAudit() {
  AuditVerdict verdict;
  // Verification reads on a dedicated connection so it can stream the whole log.
  OMBUD_ASSIGN_OR_RETURN(auto db, Db::Open(options_.path, true));
  OMBUD_RETURN_IF_ERROR(db->Run("BEGIN"));
  OMBUD_ASSIGN_OR_RETURN(Stmt * st, db->Prepare("SELECT seq, at, actor, action, subject, details, "
                                                "prev_hash, hash FROM audit_log ORDER BY seq"));
  std::string prev = kGenesisHash;
  std::int64_t expected = 1;
  auto fail = [&verdict](std::int64_t seq, std::string problem) {
    verdict.ok = false;
    verdict.first_bad_seq = seq;
    verdict.problem = std::move(problem);
  };
  for (;;) {
    OMBUD_ASSIGN_OR_RETURN(const bool row, st->Step());
    if (!row) break;
    AuditRecord r{st->Int(0),  st->Int(1),  st->Text(2), st->Text(3),
                  st->Text(4), st->Text(5), st->Text(6), st->Text(7)};
    ++verdict.entries;
    if (r.seq != expected) {
      fail(expected, r.seq > expected ? "entry " + std::to_string(expected) +
                                            " was removed (next is " + std::to_string(r.seq) + ")"
                                      : "entry " + std::to_string(r.seq) + " is out of order");
      break;
    }
    if (r.prev_hash != prev) {
      fail(r.seq, "entry " + std::to_string(r.seq) +
                      " does not link to its predecessor (an entry was inserted or replaced)");
      break;
    }
    if (ChainHash(r) != r.hash) {
      fail(r.seq, "entry " + std::to_string(r.seq) + " was altered (its hash does not match)");
      break;
    }
    prev = r.hash;
    ++expected;
  }
  st->Reset();
  if (verdict.ok) {
    OMBUD_ASSIGN_OR_RETURN(Stmt * anchor,
                           db->Prepare("SELECT value FROM meta WHERE key = 'audit_head'"));
    OMBUD_ASSIGN_OR_RETURN(const bool row, anchor->Step());
    const std::int64_t last = expected - 1;
    if (row) {
      const std::string value = anchor->Text(0);
      const auto space = value.find(' ');
      const std::int64_t anchor_seq = std::stoll(value.substr(0, space));
      const std::string anchor_hash = space == std::string::npos ? "" : value.substr(space + 1);
      if (last < anchor_seq) {
        fail(last + 1, "entry " + std::to_string(last + 1) +
                           " was removed from the end of the log (" +
                           std::to_string(anchor_seq - last) + " missing)");
      } else if (last > anchor_seq) {
        fail(anchor_seq + 1, "entry " + std::to_string(anchor_seq + 1) +
                                 " was inserted after the last recorded entry");
      } else if (anchor_hash != prev) {
        fail(last, "entry " + std::to_string(last) + " does not match the recorded head");
      }
    } else if (last > 0) {
      fail(1, "the recorded head of the log is missing");
    }
    anchor->Reset();
  }
  (void)db->Run("COMMIT");
  return verdict;
}

void SqliteStore::OnTimerScheduled(std::function<void(Millis)> observer) {
  timer_observer_ = std::move(observer);
}

void SqliteStore::OnOutboxEnqueued(std::function<void()> observer) {
  outbox_observer_ = std::move(observer);
}

StoreStats SqliteStore::Stats() const {
  StoreStats s;
  s.batches = batches_.load(std::memory_order_relaxed);
  s.batched_writes = batched_writes_.load(std::memory_order_relaxed);
  s.queue_depth = queue_depth_.load(std::memory_order_relaxed);
  s.syncs = syncs_.load(std::memory_order_relaxed);
  s.checkpoints = checkpoints_.load(std::memory_order_relaxed);
  for (const auto& b : batch_buckets_)
    s.batch_size_buckets.push_back(b.load(std::memory_order_relaxed));
  return s;
}

}  // namespace ombud::store::sqlite
