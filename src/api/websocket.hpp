#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "api/http_types.hpp"
#include "domain/result.hpp"

namespace ombud::api {

// One accepted WebSocket connection as its handler sees it. Thread-safe: Send queues a text
// frame (sent in order on the connection's I/O thread), Close starts the closing handshake.
// Calls after the connection closed do nothing.
class WsConnection {
 public:
  virtual ~WsConnection() = default;
  virtual void Send(std::string text) = 0;
  virtual void Close() = 0;
};

// What a WebSocket route does with its connection; each runs on the connection's I/O thread.
struct WsHandlers {
  std::function<void(std::shared_ptr<WsConnection>)> on_open;  // After the handshake.
  std::function<void(std::string_view text)> on_message;
  std::function<void()> on_close;  // Once, when the connection ends for any reason.
};

// Called for an upgrade request that matched the route (and passed authentication: `request`
// has `actor` when credentials were sent). An error is answered as HTTP and nothing is upgraded.
using WsAccept = std::function<Result<WsHandlers>(const Request& request)>;

}  // namespace ombud::api
