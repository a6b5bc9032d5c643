#include "api/http_server.hpp"

#include <pthread.h>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/url.hpp>

#include <atomic>
#include <deque>
#include <optional>

namespace ombud::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

struct HttpServer::Impl {
  Impl(ServerOptions o, const Router& r, Authenticator a, Metrics& m)
      : options(std::move(o)),
        router(r),
        authenticate(std::move(a)),
        metrics(m),
        ioc(options.threads),
        acceptor(asio::make_strand(ioc)) {}

  void Accept();

  ServerOptions options;
  const Router& router;
  Authenticator authenticate;
  Metrics& metrics;
  asio::io_context ioc;
  tcp::acceptor acceptor;
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

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, HttpServer& server, const ServerOptions& options, Metrics& metrics)
      : stream_(std::move(socket)), server_(server), options_(options), metrics_(metrics) {
    // Asked once: the peer of a connection does not change (getpeername per request was a
    // system call on every request).
    beast::error_code peer_ec;
    const auto peer = stream_.socket().remote_endpoint(peer_ec);
    if (!peer_ec) remote_address_ = peer.address().to_string();
    metrics_.ConnectionOpened();
  }
  ~Connection() { metrics_.ConnectionClosed(); }

  void Start() {
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&Connection::Read, shared_from_this()));
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(options_.header_limit);
    parser_->body_limit(options_.body_limit);
    stream_.expires_after(options_.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Connection::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::eof) {
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
    stream_.expires_never();
    started_ = std::chrono::steady_clock::now();
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
    auto self = shared_from_this();
    server_.Dispatch(request_, [self](Response response) {
      asio::post(self->stream_.get_executor(), [self, r = std::move(response)]() mutable {
        self->Send(std::move(r), !self->keep_alive_);
      });
    });
  }

  void Upgrade() {
    auto route = server_.ResolveUpgrade(request_);
    if (!route) return SendAndClose(ErrorResponse(route.error()));
    auto handlers = (*route)->websocket(request_);
    if (!handlers) return SendAndClose(ErrorResponse(handlers.error()));
    stream_.expires_never();
    auto session = std::make_shared<WsSession>(std::move(stream_));
    session->Start(parser_->release(), std::move(*handlers));
  }

  void SendAndClose(Response r) {
    keep_alive_ = false;
    Send(std::move(r), true);
  }

  void Send(Response r, bool close) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(r.status), 11);
    res->set(http::field::server, "ombud");
    res->set(http::field::content_type, r.content_type);
    res->set("X-Content-Type-Options", "nosniff");
    for (auto& [k, v] : r.headers) res->insert(k, v);
    res->body() = std::move(r.body);
    res->keep_alive(!close);
    res->prepare_payload();
    stream_.expires_after(options_.read_timeout);
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res, close](beast::error_code ec, std::size_t) {
                        if (ec || close) return self->Close();
                        self->Read();
                      });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Request request_;
  bool keep_alive_ = true;
  std::string remote_address_;  // The peer, read once at accept.
  std::chrono::steady_clock::time_point started_;
  HttpServer& server_;
  const ServerOptions& options_;
  Metrics& metrics_;
};

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
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
  auto& acceptor = impl_->acceptor;
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
  const int n = std::max(1, impl_->options.threads);
  for (int i = 1; i < n; ++i) {
    impl_->threads.emplace_back([this] {
      pthread_setname_np(pthread_self(), "ombud-io");
      impl_->ioc.run();
    });
  }
  impl_->ioc.run();
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  impl_->threads.clear();
}

void HttpServer::Stop() { impl_->ioc.stop(); }

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
  const std::string route_name = match.route ? match.route->pattern : "unmatched";
  Metrics& metrics = impl_->metrics;
  Reply measured = [reply = std::move(reply), route_name, method = request.method, started,
                    &metrics](Response r) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics.RecordRequest(route_name, method, r.status, seconds);
    reply(std::move(r));
  };
  if (match.route == nullptr) {
    if (match.path_known) {
      return measured(ErrorResponse(405, "method_not_allowed",
                                    request.method + " is not allowed on " + request.path));
    }
    return measured(ErrorResponse(404, "not_found", "no route " + request.path));
  }
  request.params = std::move(match.params);
  if (match.route->access == Access::kAuthenticated) {
    if (auto auth = impl_->authenticate(request); !auth)
      return measured(ErrorResponse(auth.error()));
  }
  // Exactly one reply reaches the client even when a handler throws before answering.
  auto once = std::make_shared<std::atomic<bool>>(false);
  auto shared = std::make_shared<Reply>(std::move(measured));
  Reply guarded = [once, shared](Response r) {
    if (!once->exchange(true)) (*shared)(std::move(r));
  };
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
