#pragma once

#include <string>

#include "api/http_types.hpp"
#include "api/metrics.hpp"
#include "api/router.hpp"
#include "domain/clock.hpp"
#include "store/attachment_store.hpp"
#include "store/store.hpp"

namespace ombud::api {

// The /api/v1 resources, health and metrics endpoints, wired to the store and desk use cases.
// Thread-safe; outlives the server that routes to it.
class Api {
 public:
  Api(store::Store& store, store::AttachmentStore& attachments, const Clock& clock,
      Metrics& metrics);

  void RegisterRoutes(Router& router);
  // Resolves the caller from a bearer token or session cookie (+ CSRF for unsafe methods).
  Status Authenticate(Request& request);

 private:
  store::Store& store_;
  store::AttachmentStore& attachments_;
  const Clock& clock_;
  Metrics& metrics_;
  const Router* router_ = nullptr;
};

// The embedded OpenAPI 3.1 document (src/api/openapi.json).
std::string_view OpenApiDocument();

// Argon2id password hash (libsodium, interactive limits) and its check.
Result<std::string> HashPassword(std::string_view password);
bool VerifyPassword(const std::string& hash, std::string_view password);

}  // namespace ombud::api
