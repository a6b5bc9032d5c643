#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace ombud::test {

using Headers = std::vector<std::pair<std::string, std::string>>;

// One HTTP response, or the reason there is none (`status` 0 and `transport_error` set).
struct Response {
  int status = 0;
  Headers headers;
  std::string body;
  std::string
      transport_error;  // "closed", "closed mid-response", "timeout", "connect: …", "parse: …".
  bool connection_closed = false;  // The server closed the connection after this answer.

  // The first header called `name` (case-insensitive), or "".
  std::string Header(std::string_view name) const;
  // All headers called `name`.
  std::vector<std::string> HeaderValues(std::string_view name) const;
  // The body parsed as JSON; null when it is not JSON.
  boost::json::value Json() const;
  // `error.code` / `error.field` of an error body, or "".
  std::string ErrorCode() const;
  std::string ErrorField() const;
};

// Printable summary for assertion messages: status, transport error and the body's start.
std::string Describe(const Response& response);

// A raw TCP connection to 127.0.0.1:port that sends arbitrary bytes and reads HTTP/1.1
// responses, each step bounded by a timeout. Not thread-safe.
class Connection {
 public:
  Connection() = default;
  ~Connection();
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  [[nodiscard]] bool Connect(int port, std::string* error = nullptr);
  bool connected() const { return fd_ >= 0; }
  // True when every byte was handed to the kernel before `timeout`.
  [[nodiscard]] bool Send(std::string_view bytes, std::chrono::milliseconds timeout,
                          std::string* error = nullptr);
  // Reads one response (`head` for the answer to a HEAD request). Closes the connection when
  // the server does not keep it alive, when it closes, or on any error.
  Response ReadResponse(std::chrono::milliseconds timeout, bool head = false);
  // Waits for the server to close the connection, discarding whatever it sends first.
  [[nodiscard]] bool WaitClosed(std::chrono::milliseconds timeout);
  void Close();

 private:
  enum class ReadOutcome { kData, kClosed, kTimeout };
  ReadOutcome ReadMore(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::string buffer_;  // Received, not yet parsed.
};

// A keep-alive HTTP/1.1 client for the Ombud API on 127.0.0.1:port, authenticating with the
// session cookie (plus X-CSRF-Token) after Login() or with a bearer token after UseBearer().
// A request that finds its reused connection closed before any answer is retried once on a new
// connection. Not thread-safe: one client per thread.
class HttpClient {
 public:
  explicit HttpClient(int port);

  Response Request(std::string_view method, std::string_view target, std::string_view body = {},
                   const Headers& headers = {});
  Response Get(std::string_view target, const Headers& headers = {});
  Response Delete(std::string_view target, const Headers& headers = {});
  Response Post(std::string_view target, const boost::json::value& body,
                const Headers& headers = {});
  Response Patch(std::string_view target, const boost::json::value& body,
                 const Headers& headers = {});

  // POST /api/v1/auth/login; on 200 keeps the session cookie and CSRF token.
  Response Login(std::string_view login, std::string_view password);
  // POST /api/v1/auth/logout with the current credentials.
  Response Logout();
  // POST /api/v1/auth/tokens; the token on 201, else "" (and `response` holds the answer).
  std::string CreateToken(std::string_view name, Response* response = nullptr);
  // From now on sends `Authorization: Bearer token` (and no cookie).
  void UseBearer(std::string token);
  // From now on sends no credentials.
  void ClearCredentials();

  void set_send_csrf(bool send) { send_csrf_ = send; }
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }
  void set_retry_stale(bool retry) { retry_stale_ = retry; }
  const std::string& session_cookie() const { return session_cookie_; }
  const std::string& csrf_token() const { return csrf_token_; }
  const std::string& bearer() const { return bearer_; }
  int port() const { return port_; }

 private:
  std::string Serialize(std::string_view method, std::string_view target, std::string_view body,
                        const Headers& headers) const;

  int port_;
  Connection connection_;
  std::chrono::milliseconds timeout_{30000};
  bool retry_stale_ = true;
  bool send_csrf_ = true;
  std::string session_cookie_;
  std::string csrf_token_;
  std::string bearer_;
};

// Logs `client` in, creates an API token and switches the client to it.
::testing::AssertionResult AuthenticateWithToken(HttpClient& client, std::string_view login,
                                                 std::string_view password);

// Serialises `value` to compact JSON.
std::string ToJson(const boost::json::value& value);

}  // namespace ombud::test
