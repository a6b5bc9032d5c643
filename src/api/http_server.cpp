#include "api/http_server.hpp"

#include <pthread.h>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/url.hpp>

#include <array>
#include <atomic>
#include <deque>
#include <optional>

namespace ombud::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

// One io_context per I/O thread: a connection lives on one thread for its whole life, so
// its handlers never run concurrently and need no strand, and each thread's scheduler is
// uncontended except for answers posted back from the writer.
struct Worker {
  Worker() : ioc(1), work(asio::make_work_guard(ioc)) {}
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> work;
};

struct HttpServer::Impl {
  Impl(ServerOptions o, const Router& r, Authenticator a, Metrics& m)
      : options(std::move(o)), router(r), authenticate(std::move(a)), metrics(m) {
    const int n = std::max(1, options.threads);
    for (int i = 0; i < n; ++i) workers.push_back(std::make_unique<Worker>());
    acceptor.emplace(workers.front()->ioc);
  }

  void Accept();

  ServerOptions options;
  const Router& router;
  Authenticator authenticate;
  Metrics& metrics;
  std::vector<std::unique_ptr<Worker>> workers;
  std::optional<tcp::acceptor> acceptor;
  std::size_t next_worker = 0;  // Round robin of accepted connections; acceptor's thread only.
  std::vector<std::thread> threads;
  HttpServer* owner = nullptr;
};

namespace {

// An upgraded connection: reads text frames into the route's handlers and writes queued
// frames one at a time, all on the connection's strand.
class WsSession : public WsConnection, public std::enable_shared_from_this<WsSession> {
 public:
  static constexpr std::size_t kMaxFrame = 64 << 10;
  static constexpr std::size_t kMaxQueued = 1024;

  explicit WsSession(beast::tcp_stream stream) : ws_(std::move(stream)) {}

  void Start(http::request<http::string_body> upgrade, WsHandlers handlers) {
    handlers_ = std::move(handlers);
    ws_.read_message_max(kMaxFrame);
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    auto upgrade_ptr = std::make_shared<http::request<http::string_body>>(std::move(upgrade));
    ws_.async_accept(*upgrade_ptr, [self = shared_from_this(), upgrade_ptr](beast::error_code ec) {
      if (ec) return self->Finish();
      if (self->handlers_.on_open) self->handlers_.on_open(self);
      self->Read();
      self->Flush();
    });
  }

  void Send(std::string text) override {
    asio::post(ws_.get_executor(), [self = shared_from_this(), t = std::move(text)]() mutable {
      if (self->closed_) return;
      if (self->queue_.size() >= kMaxQueued) return self->Close();  // A reader too slow.
      self->queue_.push_back(std::move(t));
      if (self->ws_.is_open()) self->Flush();
    });
  }

  void Close() override {
    asio::post(ws_.get_executor(), [self = shared_from_this()] {
      if (self->closed_ || !self->ws_.is_open()) return;
      self->ws_.async_close(websocket::close_code::normal,
                            [self](beast::error_code) { self->Finish(); });
    });
  }

 private:
  void Read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->Finish();
      if (self->ws_.got_text() && self->handlers_.on_message) {
        const auto data = self->buffer_.cdata();
        self->handlers_.on_message(
            std::string_view(static_cast<const char*>(data.data()), data.size()));
      }
      self->buffer_.consume(self->buffer_.size());
      self->Read();
    });
  }

  void Flush() {
    if (writing_ || queue_.empty() || closed_) return;
    writing_ = true;
    ws_.text(true);
    ws_.async_write(asio::buffer(queue_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->writing_ = false;
                      if (ec) return self->Finish();
                      self->queue_.pop_front();
                      self->Flush();
                    });
  }

  void Finish() {
    if (closed_) return;
    closed_ = true;
    queue_.clear();
    if (handlers_.on_close) handlers_.on_close();
    handlers_ = {};
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  WsHandlers handlers_;
  std::deque<std::string> queue_;
  bool writing_ = false;
  bool closed_ = false;
};

// Appends the status line and headers of `r` (without its body) to `out`. Header values are
// the handlers' own; CR and LF are dropped so that none can start a header of its own.
void AppendHead(std::string& out, const Response& r, std::size_t body_size, bool close) {
  const auto status = static_cast<http::status>(r.status);
  const auto reason = http::obsolete_reason(status);
  const auto header = [&out](std::string_view name, std::string_view value) {
    out.append(name).append(": ");
    for (auto at = value.find_first_of("\r\n"); at != std::string_view::npos;
         at = value.find_first_of("\r\n")) {
      out.append(value.substr(0, at));
      value.remove_prefix(at + 1);
    }
    out.append(value).append("\r\n");
  };
  out.append("HTTP/1.1 ").append(std::to_string(r.status)).push_back(' ');
  out.append(reason.data(), reason.size()).append("\r\n");
  header("Server", "ombud");
  header("Content-Type", r.content_type);
  header("X-Content-Type-Options", "nosniff");
  for (const auto& [name, value] : r.headers) header(name, value);
  header("Content-Length", std::to_string(body_size));
  if (close) header("Connection", "close");
  out.append("\r\n");
}

// A connection's socket and timer name their I/O thread's executor type: with Asio's default,
// the type-erased any_io_executor, every read, write and post copied and dispatched through it
// (~1,800 instructions per request).
using Executor = asio::io_context::executor_type;
using Socket = asio::basic_stream_socket<tcp, Executor>;
using Timer = asio::basic_waitable_timer<std::chrono::steady_clock,
                                         asio::wait_traits<std::chrono::steady_clock>, Executor>;

// One HTTP/1.1 connection on a plain socket. Beast parses the requests; answers are written
// as one head and one body buffer. Timeouts (a client that is slow to send a request or to
// read an answer) use one timer that is re-armed only when it fires: each request only moves
// a deadline, instead of arming and cancelling a timer around every read and write.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Clock = std::chrono::steady_clock;

  Connection(Socket socket, HttpServer& server, const ServerOptions& options, Metrics& metrics)
      : socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        server_(server),
        options_(options),
        metrics_(metrics) {
    // Asked once: the peer of a connection does not change (getpeername per request was a
    // system call on every request).
    beast::error_code peer_ec;
    const auto peer = socket_.remote_endpoint(peer_ec);
    if (!peer_ec) remote_address_ = peer.address().to_string();
    metrics_.ConnectionOpened();
  }
  ~Connection() { metrics_.ConnectionClosed(); }

  void Start() {
    asio::dispatch(socket_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(options_.header_limit);
    parser_->body_limit(options_.body_limit);
    SetDeadline(options_.read_timeout);
    http::async_read(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (closed_ || ec == http::error::end_of_stream || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof) {
      return Close();
    }
    if (ec == http::error::body_limit) {
      return SendAndClose(
          ErrorResponse(413, "payload_too_large", "request body is too large", "body"));
    }
    if (ec == http::error::header_limit) {
      return SendAndClose(
          ErrorResponse(431, "invalid_argument", "request header fields are too large", "headers"));
    }
    if (ec) {
      return SendAndClose(
          ErrorResponse(400, "invalid_argument", "malformed HTTP request: " + ec.message(), ""));
    }
    ClearDeadline();  // A handler may take its time; the client is not the one waiting.
    auto& msg = parser_->get();
    request_ = Request{};
    request_.method = std::string(msg.method_string());
    request_.target = std::string(msg.target());
    request_.body = std::move(msg.body());
    request_.header = [this](std::string_view name) -> std::string_view {
      auto& m = parser_->get();
      auto it = m.find(beast::string_view(name.data(), name.size()));
      if (it == m.end()) return {};
      return std::string_view(it->value().data(), it->value().size());
    };
    request_.remote_address = remote_address_;
    keep_alive_ = msg.keep_alive();
    if (websocket::is_upgrade(msg)) return Upgrade();
    server_.Dispatch(request_, [self = shared_from_this()](Response response) {
      asio::post(self->socket_.get_executor(), [self, r = std::move(response)]() mutable {
        self->Send(std::move(r), !self->keep_alive_);
      });
    });
  }

  void Upgrade() {
    auto route = server_.ResolveUpgrade(request_);
    if (!route) return SendAndClose(ErrorResponse(route.error()));
    auto handlers = (*route)->websocket(request_);
    if (!handlers) return SendAndClose(ErrorResponse(handlers.error()));
    ClearDeadline();
    timer_.cancel();
    auto session = std::make_shared<WsSession>(beast::tcp_stream(tcp::socket(std::move(socket_))));
    session->Start(parser_->release(), std::move(*handlers));
  }

  void SendAndClose(Response r) {
    keep_alive_ = false;
    Send(std::move(r), true);
  }

  void Send(Response r, bool close) {
    if (closed_) return;
    head_.clear();
    AppendHead(head_, r, r.body.size(), close);
    body_ = std::move(r.body);
    SetDeadline(options_.read_timeout);
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(head_), asio::buffer(body_)};
    asio::async_write(socket_, buffers,
                      [self = shared_from_this(), close](beast::error_code ec, std::size_t) {
                        if (ec || close) return self->Close();
                        self->Read();
                      });
  }

  void SetDeadline(std::chrono::seconds timeout) {
    deadline_ = Clock::now() + timeout;
    if (!timer_armed_) ArmTimer();
  }

  void ClearDeadline() { deadline_ = Clock::time_point::max(); }

  void ArmTimer() {
    timer_armed_ = true;
    timer_.expires_at(deadline_);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) { self->OnTimer(ec); });
  }

  void OnTimer(beast::error_code ec) {
    timer_armed_ = false;
    if (ec || closed_ || deadline_ == Clock::time_point::max()) return;
    if (Clock::now() >= deadline_) return Close();  // Ends the pending read or write.
    ArmTimer();
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    timer_.cancel();
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    socket_.close(ec);
  }

  Socket socket_;
  Timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Request request_;
  std::string head_;  // The answer being written: head and body.
  std::string body_;
  Clock::time_point deadline_ = Clock::time_point::max();
  bool timer_armed_ = false;
  bool keep_alive_ = true;
  bool closed_ = false;
  std::string remote_address_;  // The peer, read once at accept.
  HttpServer& server_;
  const ServerOptions& options_;
  Metrics& metrics_;
};

}  // namespace

void HttpServer::Impl::Accept() {
  auto& worker = *workers[next_worker];
  next_worker = (next_worker + 1) % workers.size();
  acceptor->async_accept(worker.ioc, [this](beast::error_code ec, Socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<Connection>(std::move(socket), *owner, options, metrics)->Start();
    }
    Accept();
  });
}

HttpServer::HttpServer(ServerOptions options, const Router& router, Authenticator authenticate,
                       Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, std::move(authenticate), metrics)) {
  impl_->owner = this;
}

HttpServer::~HttpServer() {
  Stop();
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
}

Result<std::uint16_t> HttpServer::Listen() {
  beast::error_code ec;
  const auto address = asio::ip::make_address(impl_->options.address, ec);
  if (ec) {
    return Fail(ErrorCode::kInvalidArgument, "bad listen address " + impl_->options.address,
                "listen");
  }
  const tcp::endpoint endpoint(address, impl_->options.port);
  auto& acceptor = *impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Fail(ErrorCode::kUnavailable,
                "cannot listen on " + impl_->options.address + ":" +
                    std::to_string(impl_->options.port) + ": " + ec.message(),
                "listen");
  }
  impl_->Accept();
  return acceptor.local_endpoint().port();
}

void HttpServer::Run() {
  auto& workers = impl_->workers;
  for (std::size_t i = 1; i < workers.size(); ++i) {
    impl_->threads.emplace_back([this, &worker = *workers[i]] {
      pthread_setname_np(pthread_self(), "ombud-io");
      worker.ioc.run();
    });
  }
  workers.front()->ioc.run();
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  impl_->threads.clear();
}

void HttpServer::Stop() {
  for (auto& worker : impl_->workers) worker->ioc.stop();
}

void HttpServer::Dispatch(Request& request, Reply reply) {
  const auto started = std::chrono::steady_clock::now();
  auto parsed = boost::urls::parse_origin_form(request.target);
  if (!parsed) {
    return reply(ErrorResponse(400, "invalid_argument", "malformed request target", "target"));
  }
  request.path = parsed->path();
  for (const auto& param : parsed->params()) {
    request.query.emplace_back(param.key, param.value);
  }
  auto match = impl_->router.Find(request.method, request.path);
  // Exactly one reply reaches the client, measured, even when a handler throws before
  // answering or answers twice. The route's pattern outlives the server; the method is short.
  struct Pending {
    Reply reply;
    std::string_view route;
    std::string method;
    std::chrono::steady_clock::time_point started;
    Metrics& metrics;
    std::atomic<bool> done{false};
  };
  auto pending = std::shared_ptr<Pending>(new Pending{
      std::move(reply), match.route ? std::string_view(match.route->pattern) : "unmatched",
      request.method, started, impl_->metrics});
  Reply guarded = [pending](Response r) {
    if (pending->done.exchange(true)) return;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - pending->started).count();
    pending->metrics.RecordRequest(pending->route, pending->method, r.status, seconds);
    pending->reply(std::move(r));
  };
  if (match.route == nullptr) {
    if (match.path_known) {
      return guarded(ErrorResponse(405, "method_not_allowed",
                                   request.method + " is not allowed on " + request.path));
    }
    return guarded(ErrorResponse(404, "not_found", "no route " + request.path));
  }
  request.params = std::move(match.params);
  if (match.route->access == Access::kAuthenticated) {
    if (auto auth = impl_->authenticate(request); !auth)
      return guarded(ErrorResponse(auth.error()));
  }
  try {
    match.route->handler(request, guarded);
  } catch (const std::exception& e) {
    guarded(ErrorResponse(500, "internal", std::string("internal error: ") + e.what()));
  }
}

Result<const Route*> HttpServer::ResolveUpgrade(Request& request) {
  auto parsed = boost::urls::parse_origin_form(request.target);
  if (!parsed) return Fail(ErrorCode::kInvalidArgument, "malformed request target", "target");
  request.path = parsed->path();
  for (const auto& param : parsed->params()) request.query.emplace_back(param.key, param.value);
  auto match = impl_->router.Find(request.method, request.path);
  if (match.route == nullptr || !match.route->websocket) {
    return Fail(ErrorCode::kNotFound, "no WebSocket route " + request.path);
  }
  request.params = std::move(match.params);
  const bool has_credentials =
      !request.header("Authorization").empty() || !request.header("Cookie").empty();
  if (match.route->access == Access::kAuthenticated || has_credentials) {
    OMBUD_RETURN_IF_ERROR(impl_->authenticate(request));
  }
  impl_->metrics.RecordRequest(match.route->pattern, "GET", 101, 0);
  return match.route;
}

}  // namespace ombud::api
