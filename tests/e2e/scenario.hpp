#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "integration/server_test.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace ombud::test {

// API paths of a ticket and of a case record, with an optional suffix ("/clocks").
inline std::string TicketPath(std::int64_t id, std::string_view rest = {}) {
  return "/api/v1/tickets/" + std::to_string(id) + std::string(rest);
}
inline std::string RecordPath(std::int64_t id, std::string_view rest) {
  return "/api/v1/records/" + std::to_string(id) + std::string(rest);
}

// packs/<company>.yaml in the source tree.
std::string SeedPackPath(std::string_view company);

// One message of the outbox table, read from the database for verification.
struct OutboxRow {
  std::string channel;
  std::string recipient;
  std::string subject;
  std::string body;
  std::string dedupe_key;
};

// One row of the audit log, read from the database (entries on users are not listed by
// GET /tickets/{id}/audit).
struct AuditRow {
  std::string actor;
  std::string action;
  std::string subject;
  std::string details;
};

// Fixture of an end-to-end scenario: `ombud serve --pack <pack> --test-clock` on port 0 with a
// fresh database, an admin client on an API token and the pack's departments by key. TearDown
// stops the server and runs `ombud audit verify` on the database.
class PackScenario : public ::testing::Test {
 protected:
  explicit PackScenario(std::string pack_path) : pack_path_(std::move(pack_path)) {}

  void SetUp() override;
  void TearDown() override;

  ServerProcess& server() { return *server_; }
  HttpClient& admin() { return *admin_; }
  const std::string& pack_path() const { return pack_path_; }

  // POST /api/v1/_test/clock {"set": instant}; records a failure unless 200.
  void SetClock(std::string_view instant);
  // POST /api/v1/_test/clock {"advance_seconds": seconds}.
  void Advance(std::int64_t seconds);

  // The id of the pack's department `key` (0 with a failure when absent).
  std::int64_t DepartmentId(std::string_view key) const;
  // Creates a staff user of `role` in department `department_key` ("" for none) and returns a
  // client authenticated with an API token of theirs. `id` receives the user's id.
  HttpClient Staff(std::string_view login, std::string_view role, std::string_view department_key,
                   std::int64_t* id = nullptr);
  // Creates a customer user linked to `customer_id` and returns a client logged in as them.
  HttpClient CustomerUser(std::string_view login, std::int64_t customer_id);

  // POST /api/v1/tickets as `client`; expects 201 and returns the ticket object (null else).
  boost::json::value OpenTicket(HttpClient& client, const boost::json::object& body);
  // POST /tickets/take-next as `client`; the ticket id, or 0 when the queue is empty.
  std::int64_t TakeNext(HttpClient& client);

  // GET /tickets/{id} → ticket object.
  boost::json::value Ticket(std::int64_t ticket_id);
  // GET /tickets/{id} → its articles.
  boost::json::array Articles(std::int64_t ticket_id);
  // The clock called `name` of a ticket (the last one started with that name), or null.
  boost::json::value ClockOf(std::int64_t ticket_id, std::string_view name);
  // Every clock of a ticket.
  boost::json::array Clocks(std::int64_t ticket_id);
  // GET /tickets/{id}/records?kind=kind.
  boost::json::array Records(std::int64_t ticket_id, std::string_view kind = {});
  // GET /tickets/{id}/audit → the actions, in order.
  std::vector<std::string> AuditActions(std::int64_t ticket_id);
  // GET /tickets/{id}/audit → the entries.
  boost::json::array AuditEntries(std::int64_t ticket_id);
  // GET /api/v1/notifications as `client`.
  boost::json::array Notifications(HttpClient& client);

  // Outbox messages of a ticket, oldest first, read from the database file.
  std::vector<OutboxRow> Outbox(std::int64_t ticket_id);
  // Audit log rows about `subject` ("user:12"), read from the database file.
  std::vector<AuditRow> AuditRowsAbout(std::string_view subject);

  // Polls `condition` for up to five seconds (the timer scheduler runs in the background).
  bool Eventually(const std::function<bool()>& condition);

  static constexpr std::string_view kPassword = "staff-password-0123";

 private:
  std::string pack_path_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> admin_;
  std::map<std::string, std::int64_t, std::less<>> departments_;
};

// The boolean at `path`, or nullopt.
std::optional<bool> BoolAt(const boost::json::value& root, std::string_view path);

// A customer object for POST /tickets.
boost::json::object CustomerJson(std::string_view name, std::string_view language,
                                 std::string_view phone, std::string_view email = {});

// True when `text` starts / ends with `part`.
bool StartsWith(std::string_view text, std::string_view part);
bool EndsWith(std::string_view text, std::string_view part);

}  // namespace ombud::test
