#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

#include "api/chat_hub.hpp"
#include "api/http_types.hpp"
#include "api/metrics.hpp"
#include "api/router.hpp"
#include "api/workflow_routes.hpp"
#include "desk/desk.hpp"
#include "domain/clock.hpp"
#include "store/attachment_store.hpp"
#include "store/store.hpp"

namespace ombud::api {

// The /api/v1 resources, health and metrics endpoints, wired to the store and desk use cases.
// Thread-safe; outlives the server that routes to it.
class Api {
 public:
  // `policy` may be null (no pack); `test_clock` is set only by serve --test-clock.
  Api(store::Store& store, store::AttachmentStore& attachments, const Clock& clock,
      Metrics& metrics, std::shared_ptr<const desk::Policy> policy = nullptr,
      const TestClockControl* test_clock = nullptr);

  void RegisterRoutes(Router& router);
  // Resolves the caller from a bearer token or session cookie (+ CSRF for unsafe methods).
  Status Authenticate(Request& request);

  // Credentials (token or session → user) are cached for a short time to spare two reads per
  // request. Changes through this API (logout, user update or deactivation) clear the cache at
  // once; a change made by another process is seen within kCredentialCacheTtl.
  static constexpr std::chrono::seconds kCredentialCacheTtl{2};
  void ForgetCredentials();

 private:
  struct CachedCredential {
    desk::Actor actor;
    bool active = true;
    std::string csrf_token;
    domain::Millis session_expires_at = 0;
    std::chrono::steady_clock::time_point fresh_until;
  };

  store::Store& store_;
  store::AttachmentStore& attachments_;
  const Clock& clock_;
  Metrics& metrics_;
  std::shared_ptr<const desk::Policy> policy_;
  const TestClockControl* test_clock_;
  const Router* router_ = nullptr;
  std::mutex cache_mu_;
  std::unordered_map<std::string, CachedCredential> credentials_;
  ChatHub hub_;  // Live chat and agent updates (portal_routes.hpp).
};

// The embedded OpenAPI 3.1 document (src/api/openapi.json).
std::string_view OpenApiDocument();

// Argon2id password hash (libsodium, interactive limits) and its check.
Result<std::string> HashPassword(std::string_view password);
bool VerifyPassword(const std::string& hash, std::string_view password);

}  // namespace ombud::api
