#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http_types.hpp"
#include "api/websocket.hpp"

namespace ombud::api {

using Handler = std::function<void(Request&, Reply)>;

enum class Access { kPublic, kAuthenticated };

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/tickets/{id}"
  Access access = Access::kAuthenticated;
  Handler handler;
  std::vector<std::string> segments;
  WsAccept websocket;  // Set for WebSocket routes (GET answered 101 on an upgrade).
};

// Method + path pattern table. Built before the server starts; read-only afterwards.
class Router {
 public:
  void Add(std::string method, std::string pattern, Access access, Handler handler);
  // A WebSocket route: GET `pattern` upgrades; a plain GET is answered 426. With kPublic,
  // credentials are still checked when the request carries them.
  void AddWebSocket(std::string pattern, Access access, WsAccept accept);

  struct Match {
    const Route* route = nullptr;
    bool path_known = false;  // Some route has this path with another method (→ 405).
    std::vector<std::pair<std::string, std::string>> params;
  };
  Match Find(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace ombud::api
