#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace ombud::test {

// Fixture: each test gets its own `ombud serve` on port 0 with a fresh database, and an admin
// client authenticated with an API token.
class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override;
  // Stops the server with SIGTERM (clients still connected) and expects a clean exit.
  void TearDown() override;

  // Arguments appended to `ombud serve`; override to add flags.
  virtual std::vector<std::string> ExtraArgs() const { return {}; }

  ServerProcess& server() { return *server_; }
  HttpClient& admin() { return *admin_; }
  // A client without credentials for this server.
  HttpClient NewClient() const { return HttpClient(server_->port()); }
  // Creates a user through the admin API and returns its id (0 on failure, with a failure
  // recorded). `extra` fields are added to the body.
  std::int64_t CreateUser(std::string_view login, std::string_view role,
                          boost::json::object extra = {});
  // A client logged in (session cookie) as `login`, created with CreateUser.
  HttpClient LoggedInClient(std::string_view login);
  // Creates a customer and returns its id (0 on failure).
  std::int64_t CreateCustomer(std::string_view name, std::string_view phone);
  // Creates a ticket for `customer_id` and returns the ticket object (null on failure).
  boost::json::value CreateTicket(std::int64_t customer_id, std::string_view subject,
                                  std::string_view channel = "phone");

  static constexpr std::string_view kUserPassword = "user-password-0123";

 private:
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> admin_;
};

// A minimal valid POST /api/v1/tickets body for a new customer reached by `phone`.
boost::json::object TicketBody(std::string_view subject, std::string_view phone);

// Every ticket the client may list (following next_cursor), oldest first; `query` is appended
// to the first request (e.g. "state=open"). Records a failure and stops on an error.
std::vector<boost::json::object> ListAllTickets(HttpClient& client, std::string_view query = {});

// The value at a dotted path ("ticket.id", "tickets.0.subject"), or nullptr.
const boost::json::value* Find(const boost::json::value& root, std::string_view path);
// The integer / string at `path`; -1 / "<missing>" when absent or of another type.
std::int64_t IntAt(const boost::json::value& root, std::string_view path);
std::string StrAt(const boost::json::value& root, std::string_view path);
bool IsNullAt(const boost::json::value& root, std::string_view path);
// A copy of the array at `path`; empty (with a failure recorded) when absent.
boost::json::array ArrayAt(const boost::json::value& root, std::string_view path);

// Percent-encodes a query parameter value.
std::string UrlEncode(std::string_view text);

// Rows of a query on the server's database, read through SQLite while the server runs (WAL);
// every column as text ("" for NULL). Records a failure when the query cannot run.
std::vector<std::vector<std::string>> Query(const std::string& db_path, const std::string& sql);

}  // namespace ombud::test
