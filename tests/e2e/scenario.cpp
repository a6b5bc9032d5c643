#include "e2e/scenario.hpp"

#include <sqlite3.h>

#include <chrono>
#include <functional>
#include <thread>

#include "support/command.hpp"

namespace ombud::test {

namespace json = boost::json;

std::string SeedPackPath(std::string_view company) {
  return std::string(OMBUD_SOURCE_DIR) + "/packs/" + std::string(company) + ".yaml";
}

void PackScenario::SetUp() {
  ServerOptions options;
  options.extra_args = {"--pack", pack_path_, "--test-clock"};
  server_ = std::make_unique<ServerProcess>(options);
  ASSERT_TRUE(server_->Start());
  admin_ = std::make_unique<HttpClient>(server_->port());
  ASSERT_TRUE(AuthenticateWithToken(*admin_, "admin", server_->admin_password()));
  const Response response = admin_->Get("/api/v1/departments");
  ASSERT_EQ(response.status, 200) << Describe(response);
  for (const auto& d : ArrayAt(response.Json(), "departments")) {
    departments_[StrAt(d, "key")] = IntAt(d, "id");
  }
}

void PackScenario::TearDown() {
  if (server_ == nullptr || !server_->running()) return;
  const int status = server_->Stop();
  EXPECT_EQ(DescribeWaitStatus(status), "exit code 0") << server_->StderrTail(64 * 1024);
  // Every scenario leaves an intact audit chain (R-SMT-3: tamper-evident).
  const CommandResult verify =
      RunCommand({server_->binary(), "audit", "verify", "--db", server_->db_path()});
  EXPECT_TRUE(verify.exited_ok()) << "ombud audit verify: " << verify.output;
}

void PackScenario::SetClock(std::string_view instant) {
  const Response response =
      admin().Post("/api/v1/_test/clock", json::object{{"set", std::string(instant)}});
  ASSERT_EQ(response.status, 200) << Describe(response);
}

void PackScenario::Advance(std::int64_t seconds) {
  const Response response =
      admin().Post("/api/v1/_test/clock", json::object{{"advance_seconds", seconds}});
  ASSERT_EQ(response.status, 200) << Describe(response);
}

std::int64_t PackScenario::DepartmentId(std::string_view key) const {
  const auto it = departments_.find(key);
  if (it == departments_.end()) {
    ADD_FAILURE() << "the pack has no department " << key;
    return 0;
  }
  return it->second;
}

HttpClient PackScenario::Staff(std::string_view login, std::string_view role,
                               std::string_view department_key, std::int64_t* id) {
  json::object body{{"login", login},
                    {"display_name", std::string(login) + " (staff)"},
                    {"role", role},
                    {"password", kPassword}};
  if (!department_key.empty()) body["department_id"] = DepartmentId(department_key);
  const Response response = admin().Post("/api/v1/users", body);
  EXPECT_EQ(response.status, 201) << Describe(response);
  if (id != nullptr) *id = IntAt(response.Json(), "id");
  HttpClient client(server_->port());
  EXPECT_TRUE(AuthenticateWithToken(client, login, kPassword));
  return client;
}

HttpClient PackScenario::CustomerUser(std::string_view login, std::int64_t customer_id) {
  const Response response =
      admin().Post("/api/v1/users", json::object{{"login", login},
                                                 {"display_name", login},
                                                 {"role", "customer"},
                                                 {"password", kPassword},
                                                 {"customer_id", customer_id}});
  EXPECT_EQ(response.status, 201) << Describe(response);
  HttpClient client(server_->port());
  const Response login_response = client.Login(login, kPassword);
  EXPECT_EQ(login_response.status, 200) << Describe(login_response);
  return client;
}

json::value PackScenario::OpenTicket(HttpClient& client, const json::object& body) {
  const Response response = client.Post("/api/v1/tickets", body);
  EXPECT_EQ(response.status, 201) << json::serialize(body) << "\n" << Describe(response);
  if (response.status != 201) return nullptr;
  const json::value json = response.Json();
  const json::value* ticket = Find(json, "ticket");
  return ticket != nullptr ? *ticket : nullptr;
}

std::int64_t PackScenario::TakeNext(HttpClient& client) {
  const Response response = client.Post("/api/v1/tickets/take-next", json::object{});
  EXPECT_EQ(response.status, 200) << Describe(response);
  const json::value json = response.Json();
  if (IsNullAt(json, "ticket")) return 0;
  return IntAt(json, "ticket.id");
}

json::value PackScenario::Ticket(std::int64_t ticket_id) {
  const Response response = admin().Get("/api/v1/tickets/" + std::to_string(ticket_id));
  EXPECT_EQ(response.status, 200) << Describe(response);
  const json::value json = response.Json();
  const json::value* ticket = Find(json, "ticket");
  return ticket != nullptr ? *ticket : nullptr;
}

json::array PackScenario::Articles(std::int64_t ticket_id) {
  const Response response = admin().Get("/api/v1/tickets/" + std::to_string(ticket_id));
  EXPECT_EQ(response.status, 200) << Describe(response);
  return ArrayAt(response.Json(), "articles");
}

json::array PackScenario::Clocks(std::int64_t ticket_id) {
  const Response response = admin().Get("/api/v1/tickets/" + std::to_string(ticket_id) + "/clocks");
  EXPECT_EQ(response.status, 200) << Describe(response);
  return ArrayAt(response.Json(), "clocks");
}

json::value PackScenario::ClockOf(std::int64_t ticket_id, std::string_view name) {
  json::value found = nullptr;
  for (const auto& clock : Clocks(ticket_id)) {
    if (StrAt(clock, "name") == name) found = clock;
  }
  return found;
}

json::array PackScenario::Records(std::int64_t ticket_id, std::string_view kind) {
  std::string target = "/api/v1/tickets/" + std::to_string(ticket_id) + "/records";
  if (!kind.empty()) target += "?kind=" + std::string(kind);
  const Response response = admin().Get(target);
  EXPECT_EQ(response.status, 200) << Describe(response);
  return ArrayAt(response.Json(), "records");
}

json::array PackScenario::AuditEntries(std::int64_t ticket_id) {
  const Response response = admin().Get("/api/v1/tickets/" + std::to_string(ticket_id) + "/audit");
  EXPECT_EQ(response.status, 200) << Describe(response);
  return ArrayAt(response.Json(), "entries");
}

std::vector<std::string> PackScenario::AuditActions(std::int64_t ticket_id) {
  std::vector<std::string> actions;
  for (const auto& entry : AuditEntries(ticket_id)) actions.push_back(StrAt(entry, "action"));
  return actions;
}

json::array PackScenario::Notifications(HttpClient& client) {
  const Response response = client.Get("/api/v1/notifications");
  EXPECT_EQ(response.status, 200) << Describe(response);
  return ArrayAt(response.Json(), "notifications");
}

namespace {

// Runs `sql` with one integer or text parameter on a read-only connection to `db_path`, calling
// `row` for each result row. Records a failure on any SQLite error.
void Query(const std::string& db_path, const std::string& sql,
           const std::function<void(sqlite3_stmt*)>& bind,
           const std::function<void(sqlite3_stmt*)>& row) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "open " << db_path << ": " << sqlite3_errmsg(db);
    sqlite3_close(db);
    return;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "prepare " << sql << ": " << sqlite3_errmsg(db);
  } else {
    bind(stmt);
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) row(stmt);
    if (rc != SQLITE_DONE) ADD_FAILURE() << "step " << sql << ": " << sqlite3_errmsg(db);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

std::string Text(sqlite3_stmt* stmt, int column) {
  const unsigned char* text = sqlite3_column_text(stmt, column);
  return text != nullptr ? std::string(reinterpret_cast<const char*>(text)) : std::string();
}

}  // namespace

std::vector<OutboxRow> PackScenario::Outbox(std::int64_t ticket_id) {
  std::vector<OutboxRow> rows;
  Query(
      server_->db_path(),
      "SELECT channel, recipient, subject, body, dedupe_key FROM outbox WHERE ticket_id = ? "
      "ORDER BY id",
      [ticket_id](sqlite3_stmt* stmt) { sqlite3_bind_int64(stmt, 1, ticket_id); },
      [&rows](sqlite3_stmt* stmt) {
        rows.push_back({Text(stmt, 0), Text(stmt, 1), Text(stmt, 2), Text(stmt, 3), Text(stmt, 4)});
      });
  return rows;
}

std::vector<AuditRow> PackScenario::AuditRowsAbout(std::string_view subject) {
  std::vector<AuditRow> rows;
  const std::string text(subject);
  Query(
      server_->db_path(),
      "SELECT actor, action, subject, details FROM audit_log WHERE subject = ? ORDER BY seq",
      [&text](sqlite3_stmt* stmt) {
        sqlite3_bind_text(stmt, 1, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
      },
      [&rows](sqlite3_stmt* stmt) {
        rows.push_back({Text(stmt, 0), Text(stmt, 1), Text(stmt, 2), Text(stmt, 3)});
      });
  return rows;
}

bool PackScenario::Eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

json::object CustomerJson(std::string_view name, std::string_view language, std::string_view phone,
                          std::string_view email) {
  json::object customer{{"name", name}, {"language", language}};
  if (!phone.empty()) customer["phone"] = phone;
  if (!email.empty()) customer["email"] = email;
  return customer;
}

std::optional<bool> BoolAt(const json::value& root, std::string_view path) {
  const json::value* value = Find(root, path);
  if (value == nullptr || !value->is_bool()) return std::nullopt;
  return value->as_bool();
}

bool StartsWith(std::string_view text, std::string_view part) { return text.starts_with(part); }
bool EndsWith(std::string_view text, std::string_view part) { return text.ends_with(part); }

}  // namespace ombud::test
