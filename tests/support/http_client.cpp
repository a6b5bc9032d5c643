#include "support/http_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <strings.h>
#include <algorithm>
#include <cerrno>
#include <cstring>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

namespace ombud::test {
namespace {

namespace http = boost::beast::http;
using SteadyClock = std::chrono::steady_clock;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool HasHeader(const Headers& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return EqualsIgnoreCase(h.first, name); });
}

int MillisUntil(SteadyClock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

std::string StringField(const boost::json::value& body, std::string_view key) {
  const auto* object = body.if_object();
  if (object == nullptr) return "";
  const auto* error = object->if_contains("error");
  if (error == nullptr || !error->is_object()) return "";
  const auto* value = error->as_object().if_contains(key);
  if (value == nullptr || !value->is_string()) return "";
  return std::string(value->as_string());
}

}  // namespace

std::string Response::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

std::vector<std::string> Response::HeaderValues(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) values.push_back(value);
  }
  return values;
}

boost::json::value Response::Json() const {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(body, ec);
  if (ec) return nullptr;
  return value;
}

std::string Response::ErrorCode() const { return StringField(Json(), "code"); }

std::string Response::ErrorField() const { return StringField(Json(), "field"); }

std::string Describe(const Response& response) {
  std::string text = "status " + std::to_string(response.status);
  if (!response.transport_error.empty()) text += " (" + response.transport_error + ")";
  if (!response.body.empty()) text += ": " + response.body.substr(0, 600);
  return text;
}

std::string ToJson(const boost::json::value& value) { return boost::json::serialize(value); }

Connection::~Connection() { Close(); }

Connection::Connection(Connection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), buffer_(std::move(other.buffer_)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = std::exchange(other.fd_, -1);
    buffer_ = std::move(other.buffer_);
  }
  return *this;
}

bool Connection::Connect(int port, std::string* error) {
  Close();
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    if (error != nullptr) *error = std::string("socket: ") + std::strerror(errno);
    return false;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int rc;
  do {
    rc = ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    if (error != nullptr) *error = std::string("connect: ") + std::strerror(errno);
    Close();
    return false;
  }
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  return true;
}

void Connection::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

bool Connection::Send(std::string_view bytes, std::chrono::milliseconds timeout,
                      std::string* error) {
  const auto deadline = SteadyClock::now() + timeout;
  while (!bytes.empty()) {
    if (fd_ < 0) {
      if (error != nullptr) *error = "not connected";
      return false;
    }
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd pfd{fd_, POLLOUT, 0};
      const int ready = ::poll(&pfd, 1, MillisUntil(deadline));
      if (ready == 0) {
        if (error != nullptr) *error = "timeout";
        return false;
      }
      continue;
    }
    if (error != nullptr) *error = std::string("send: ") + std::strerror(errno);
    return false;
  }
  return true;
}

Connection::ReadOutcome Connection::ReadMore(SteadyClock::time_point deadline) {
  for (;;) {
    char chunk[65536];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return ReadOutcome::kData;
    }
    if (n == 0) return ReadOutcome::kClosed;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return ReadOutcome::kClosed;
    pollfd pfd{fd_, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, MillisUntil(deadline));
    if (ready == 0) return ReadOutcome::kTimeout;
  }
}

Response Connection::ReadResponse(std::chrono::milliseconds timeout, bool head) {
  Response response;
  if (fd_ < 0) {
    response.transport_error = "not connected";
    return response;
  }
  const auto deadline = SteadyClock::now() + timeout;
  http::response_parser<http::string_body> parser;
  parser.eager(true);
  parser.skip(head);
  parser.header_limit(1024 * 1024);
  parser.body_limit(256ull * 1024 * 1024);
  bool got_any = false;
  for (;;) {
    if (!buffer_.empty()) {
      got_any = true;
      boost::beast::error_code ec;
      const std::size_t used = parser.put(boost::asio::buffer(buffer_.data(), buffer_.size()), ec);
      buffer_.erase(0, used);
      if (ec && ec != http::error::need_more) {
        response.transport_error = "parse: " + ec.message();
        Close();
        return response;
      }
      if (parser.is_done()) break;
      if (!ec && used > 0) continue;
    }
    const ReadOutcome outcome = ReadMore(deadline);
    if (outcome == ReadOutcome::kData) continue;
    if (outcome == ReadOutcome::kTimeout) {
      response.transport_error = "timeout";
      Close();
      return response;
    }
    // Closed by the peer: complete only for a body delimited by the end of the connection.
    if (got_any && parser.got_some()) {
      boost::beast::error_code ec;
      parser.put_eof(ec);
      if (!ec && parser.is_done()) {
        response.connection_closed = true;
        break;
      }
    }
    response.transport_error = got_any ? "closed mid-response" : "closed";
    Close();
    return response;
  }
  const auto& message = parser.get();
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  response.body = message.body();
  if (response.connection_closed || !message.keep_alive()) {
    response.connection_closed = true;
    Close();
  }
  return response;
}

bool Connection::WaitClosed(std::chrono::milliseconds timeout) {
  if (fd_ < 0) return true;
  const auto deadline = SteadyClock::now() + timeout;
  for (;;) {
    const ReadOutcome outcome = ReadMore(deadline);
    if (outcome == ReadOutcome::kClosed) {
      Close();
      return true;
    }
    if (outcome == ReadOutcome::kTimeout) return false;
    buffer_.clear();
  }
}

HttpClient::HttpClient(int port) : port_(port) {}

std::string HttpClient::Serialize(std::string_view method, std::string_view target,
                                  std::string_view body, const Headers& headers) const {
  std::string request;
  request.reserve(256 + body.size());
  request.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  if (!HasHeader(headers, "Host")) {
    request += "Host: 127.0.0.1:" + std::to_string(port_) + "\r\n";
  }
  const bool safe = method == "GET" || method == "HEAD";
  if (!bearer_.empty() && !HasHeader(headers, "Authorization")) {
    request += "Authorization: Bearer " + bearer_ + "\r\n";
  }
  if (!session_cookie_.empty() && !HasHeader(headers, "Cookie")) {
    request += "Cookie: ombud_session=" + session_cookie_ + "\r\n";
    if (!safe && send_csrf_ && !HasHeader(headers, "X-CSRF-Token")) {
      request += "X-CSRF-Token: " + csrf_token_ + "\r\n";
    }
  }
  if (!body.empty() && !HasHeader(headers, "Content-Type")) {
    request += "Content-Type: application/json\r\n";
  }
  if ((!body.empty() || !safe) && !HasHeader(headers, "Content-Length") &&
      !HasHeader(headers, "Transfer-Encoding")) {
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  for (const auto& [name, value] : headers) {
    request.append(name).append(": ").append(value).append("\r\n");
  }
  request += "\r\n";
  request.append(body);
  return request;
}

Response HttpClient::Request(std::string_view method, std::string_view target,
                             std::string_view body, const Headers& headers) {
  const std::string bytes = Serialize(method, target, body, headers);
  for (int attempt = 0;; ++attempt) {
    const bool reused = connection_.connected();
    std::string error;
    if (!reused && !connection_.Connect(port_, &error)) {
      Response response;
      response.transport_error = error;
      return response;
    }
    const bool sent = connection_.Send(bytes, timeout_, &error);
    // Even when sending failed the server may have answered (413) before closing.
    Response response = connection_.ReadResponse(timeout_, method == "HEAD");
    const bool stale = reused && response.status == 0 && response.transport_error == "closed";
    if (stale && retry_stale_ && attempt == 0) continue;
    if (!sent && response.status == 0) response.transport_error = error;
    return response;
  }
}

Response HttpClient::Get(std::string_view target, const Headers& headers) {
  return Request("GET", target, {}, headers);
}

Response HttpClient::Delete(std::string_view target, const Headers& headers) {
  return Request("DELETE", target, {}, headers);
}

Response HttpClient::Post(std::string_view target, const boost::json::value& body,
                          const Headers& headers) {
  return Request("POST", target, ToJson(body), headers);
}

Response HttpClient::Patch(std::string_view target, const boost::json::value& body,
                           const Headers& headers) {
  return Request("PATCH", target, ToJson(body), headers);
}

Response HttpClient::Login(std::string_view login, std::string_view password) {
  ClearCredentials();
  boost::json::object body;
  body["login"] = login;
  body["password"] = password;
  Response response = Post("/api/v1/auth/login", body);
  if (response.status != 200) return response;
  for (const std::string& cookie : response.HeaderValues("Set-Cookie")) {
    constexpr std::string_view kName = "ombud_session=";
    if (cookie.rfind(kName, 0) != 0) continue;
    const auto end = cookie.find(';');
    session_cookie_ = cookie.substr(
        kName.size(), end == std::string::npos ? std::string::npos : end - kName.size());
  }
  const boost::json::value json = response.Json();
  if (const auto* object = json.if_object()) {
    if (const auto* csrf = object->if_contains("csrf_token"); csrf && csrf->is_string()) {
      csrf_token_ = std::string(csrf->as_string());
    }
  }
  return response;
}

Response HttpClient::Logout() { return Request("POST", "/api/v1/auth/logout"); }

std::string HttpClient::CreateToken(std::string_view name, Response* response) {
  boost::json::object body;
  body["name"] = name;
  Response answer = Post("/api/v1/auth/tokens", body);
  std::string token;
  if (answer.status == 201) {
    const boost::json::value json = answer.Json();
    if (const auto* object = json.if_object()) {
      if (const auto* value = object->if_contains("token"); value && value->is_string()) {
        token = std::string(value->as_string());
      }
    }
  }
  if (response != nullptr) *response = std::move(answer);
  return token;
}

void HttpClient::UseBearer(std::string token) {
  ClearCredentials();
  bearer_ = std::move(token);
}

void HttpClient::ClearCredentials() {
  session_cookie_.clear();
  csrf_token_.clear();
  bearer_.clear();
}

::testing::AssertionResult AuthenticateWithToken(HttpClient& client, std::string_view login,
                                                 std::string_view password) {
  const Response login_response = client.Login(login, password);
  if (login_response.status != 200) {
    return ::testing::AssertionFailure()
           << "login as " << login << ": " << Describe(login_response);
  }
  Response token_response;
  std::string token = client.CreateToken("test", &token_response);
  if (token.empty()) {
    return ::testing::AssertionFailure() << "create token: " << Describe(token_response);
  }
  client.UseBearer(std::move(token));
  return ::testing::AssertionSuccess();
}

}  // namespace ombud::test
