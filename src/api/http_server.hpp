#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api/http_types.hpp"
#include "api/metrics.hpp"
#include "api/router.hpp"

namespace ombud::api {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks a free port.
  int threads = 2;
  std::size_t body_limit = 1 << 20;
  std::uint32_t header_limit = 8 << 10;
  std::chrono::seconds read_timeout{30};  // Whole request, headers and body.
};

// Resolves the caller of a non-public route; errors become 401/403 answers.
using Authenticator = std::function<Status(Request&)>;

// HTTP/1.1 server on Boost.Beast: keep-alive, limits and timeouts from ServerOptions, each
// connection on one I/O thread for its whole life (one io_context per thread). Handlers run on
// I/O threads and may reply from any thread.
class HttpServer {
 public:
  HttpServer(ServerOptions options, const Router& router, Authenticator authenticate,
             Metrics& metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; returns the bound port.
  Result<std::uint16_t> Listen();
  // Runs the I/O threads until Stop(); blocks.
  void Run();
  // Thread-safe and async-signal-unsafe; call from a normal thread.
  void Stop();

  // Routes a parsed request (used by connections).
  void Dispatch(Request& request, Reply reply);
  // Resolves a WebSocket upgrade request to its route, authenticated (used by connections).
  Result<const Route*> ResolveUpgrade(Request& request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ombud::api
