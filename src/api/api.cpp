#include "api/api.hpp"

#include <sodium.h>

#include <boost/json.hpp>

#include <charconv>
#include <memory>
#include <utility>

#include "api/handler_support.hpp"
#include "api/json_input.hpp"
#include "api/json_output.hpp"
#include "api/portal_routes.hpp"
#include "desk/desk.hpp"
#include "desk/workflow.hpp"
#include "store/audit_chain.hpp"

namespace ombud::api {

namespace json = boost::json;
using desk::Actor;
using domain::Id;

namespace {

constexpr std::size_t kMaxAttachmentBytes = 10 << 20;
constexpr std::int64_t kMaxId = INT64_MAX;

std::string_view CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto semi = header.find(';');
    auto part = header.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.substr(0, name.size()) == name &&
        part[name.size()] == '=') {
      return part.substr(name.size() + 1);
    }
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return {};
}

// Identities from the customer fields phone/email/facebook/account, normalised.
Result<std::vector<domain::Identity>> IdentitiesFrom(const JsonInput& in) {
  std::vector<domain::Identity> out;
  for (const auto kind : {domain::IdentityKind::kPhone, domain::IdentityKind::kEmail,
                          domain::IdentityKind::kFacebook, domain::IdentityKind::kAccount}) {
    const auto name = domain::Name(kind);
    OMBUD_ASSIGN_OR_RETURN(auto value, in.OptString(name, 320));
    if (!value) continue;
    OMBUD_ASSIGN_OR_RETURN(auto normal,
                           domain::NormalizeIdentity(kind, *value, in.FieldName(name)));
    out.push_back({kind, std::move(normal)});
  }
  return out;
}

Result<std::string> Language(const JsonInput& in) {
  OMBUD_ASSIGN_OR_RETURN(auto lang, in.OptString("language", 8));
  if (!lang) return std::string("en");
  if (*lang != "en" && *lang != "vi" && *lang != "km") {
    return Fail(ErrorCode::kInvalidArgument, in.FieldName("language") + " must be en, vi or km",
                in.FieldName("language"));
  }
  return *lang;
}

}  // namespace

Result<desk::NewCustomer> NewCustomerFrom(const JsonInput& in) {
  desk::NewCustomer c;
  OMBUD_ASSIGN_OR_RETURN(c.name, in.String("name", 1, 200));
  OMBUD_ASSIGN_OR_RETURN(c.language, Language(in));
  OMBUD_ASSIGN_OR_RETURN(c.identities, IdentitiesFrom(in));
  return c;
}

Result<std::string> CustomFields(const JsonInput& in) {
  const json::value* v = in.Raw("custom_fields");
  if (v == nullptr || v->is_null()) return std::string("{}");
  if (!v->is_object()) {
    return Fail(ErrorCode::kInvalidArgument, "custom_fields must be an object", "custom_fields");
  }
  const auto& o = v->get_object();
  if (o.size() > 64) {
    return Fail(ErrorCode::kInvalidArgument, "custom_fields has more than 64 keys",
                "custom_fields");
  }
  for (const auto& kv : o) {
    const std::string field = "custom_fields." + std::string(kv.key());
    if (kv.key().empty() || kv.key().size() > 64) {
      return Fail(ErrorCode::kInvalidArgument, "custom field names have 1 to 64 characters", field);
    }
    const auto& val = kv.value();
    if (val.is_string() ? val.get_string().size() > 10000
                        : !(val.is_number() || val.is_bool() || val.is_null())) {
      return Fail(ErrorCode::kInvalidArgument,
                  field + " must be a string (≤10000), number, boolean or null", field);
    }
  }
  return json::serialize(o);
}

namespace {

Result<std::optional<std::vector<std::string>>> ParseScope(const JsonInput& in) {
  const auto* scope = in.Raw("scope");
  if (scope == nullptr || scope->is_null()) return std::optional<std::vector<std::string>>{};
  if (!scope->is_array() || scope->get_array().size() > 200) {
    return Fail(ErrorCode::kInvalidArgument, "scope must be an array of at most 200 categories",
                "scope");
  }
  std::vector<std::string> out;
  for (const auto& item : scope->get_array()) {
    if (!item.is_string() || item.get_string().empty() || item.get_string().size() > 100) {
      return Fail(ErrorCode::kInvalidArgument, "scope entries are strings of 1 to 100 characters",
                  "scope");
    }
    out.emplace_back(item.get_string());
  }
  return std::optional<std::vector<std::string>>{std::move(out)};
}

Result<std::optional<domain::Channel>> OptChannel(const JsonInput& in) {
  OMBUD_ASSIGN_OR_RETURN(auto s, in.OptString("channel", 20));
  if (!s) return std::optional<domain::Channel>{};
  OMBUD_ASSIGN_OR_RETURN(auto c, domain::ParseChannel(*s, "channel"));
  return std::optional<domain::Channel>{c};
}

}  // namespace

Result<std::string> HashPassword(std::string_view password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Fail(ErrorCode::kUnavailable, "out of memory hashing a password");
  }
  return std::string(out);
}

bool VerifyPassword(const std::string& hash, std::string_view password) {
  if (hash.empty()) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

Api::Api(store::Store& store, store::AttachmentStore& attachments, const Clock& clock,
         Metrics& metrics, std::shared_ptr<const desk::Policy> policy,
         const TestClockControl* test_clock)
    : store_(store),
      attachments_(attachments),
      clock_(clock),
      metrics_(metrics),
      policy_(std::move(policy)),
      test_clock_(test_clock) {}

Status Api::Authenticate(Request& request) {
  const auto auth = request.header("Authorization");
  const bool bearer = !auth.empty();
  std::string_view secret;
  if (bearer) {
    if (!auth.starts_with("Bearer ")) {
      return Fail(ErrorCode::kUnauthenticated, "Authorization must be Bearer", "Authorization");
    }
    secret = auth.substr(7);
  } else {
    secret = CookieValue(request.header("Cookie"), kSessionCookie);
    if (secret.empty()) return Fail(ErrorCode::kUnauthenticated, "log in or send a bearer token");
  }
  const std::string hash = store::HashHex(secret);
  const auto now = std::chrono::steady_clock::now();
  std::optional<CachedCredential> credential;
  {
    std::lock_guard lock(cache_mu_);
    if (auto it = credentials_.find(hash);
        it != credentials_.end() && it->second.fresh_until > now) {
      credential = it->second;
    }
  }
  if (!credential) {
    CachedCredential loaded;
    bool found = false;
    OMBUD_RETURN_IF_ERROR(store_.Read([&](store::ReadTx& tx) -> Status {
      std::optional<Id> user_id;
      if (bearer) {
        OMBUD_ASSIGN_OR_RETURN(user_id, tx.FindApiTokenUser(hash));
      } else {
        OMBUD_ASSIGN_OR_RETURN(auto session, tx.FindSession(hash));
        if (session) {
          user_id = session->user_id;
          loaded.csrf_token = session->csrf_token;
          loaded.session_expires_at = session->expires_at;
        }
      }
      if (!user_id) return {};
      OMBUD_ASSIGN_OR_RETURN(auto user, tx.GetUser(*user_id));
      found = true;
      loaded.active = user.active;
      loaded.actor = Actor{"user:" + std::to_string(user.id), user.role, user.id, user.customer_id};
      return {};
    }));
    if (!found) {
      return bearer ? Fail(ErrorCode::kUnauthenticated, "unknown or revoked token", "Authorization")
                    : Fail(ErrorCode::kUnauthenticated, "session expired; log in again");
    }
    loaded.fresh_until = now + kCredentialCacheTtl;
    std::lock_guard lock(cache_mu_);
    if (credentials_.size() > 100000) credentials_.clear();
    credentials_[hash] = loaded;
    credential = std::move(loaded);
  }
  if (!bearer) {
    const auto now_ms = clock_.NowSeconds().time_since_epoch().count() * 1000;
    if (credential->session_expires_at < now_ms) {
      return Fail(ErrorCode::kUnauthenticated, "session expired; log in again");
    }
    if (request.method != "GET" && request.method != "HEAD" &&
        !store::SecretEquals(request.header("X-CSRF-Token"), credential->csrf_token)) {
      return Fail(ErrorCode::kPermissionDenied, "missing or wrong CSRF token", "X-CSRF-Token");
    }
    request.session_hash = hash;
  }
  if (!credential->active) return Fail(ErrorCode::kUnauthenticated, "account is deactivated");
  request.actor = std::move(credential->actor);
  return {};
}

void Api::ForgetCredentials() {
  std::lock_guard lock(cache_mu_);
  credentials_.clear();
}

namespace {}  // namespace

void Api::RegisterRoutes(Router& router) {
  router_ = &router;
  store::Store& store = store_;
  store::AttachmentStore& attachments = attachments_;
  const Clock& clock = clock_;
  const auto pub = Access::kPublic;
  const auto auth = Access::kAuthenticated;

  // Decodes and stores attachments before the transaction that records them.
  auto read_attachments =
      [&attachments](const JsonInput& in) -> Result<std::vector<domain::Attachment>> {
    std::vector<domain::Attachment> out;
    const json::value* v = in.Raw("attachments");
    if (v == nullptr || v->is_null()) return out;
    if (!v->is_array() || v->get_array().size() > 10) {
      return Fail(ErrorCode::kInvalidArgument, "attachments must be an array of at most 10",
                  "attachments");
    }
    for (std::size_t i = 0; i < v->get_array().size(); ++i) {
      const auto& item = v->get_array()[i];
      const std::string prefix = "attachments[" + std::to_string(i) + "].";
      if (!item.is_object()) {
        return Fail(ErrorCode::kInvalidArgument, prefix + " must be an object", "attachments");
      }
      OMBUD_ASSIGN_OR_RETURN(auto a,
                             JsonInput::FromObject(item.get_object(), prefix,
                                                   {"filename", "content_type", "content_base64"}));
      OMBUD_ASSIGN_OR_RETURN(auto filename, a.String("filename", 1, 255));
      if (filename.find_first_of("/\\") != std::string::npos) {
        return Fail(ErrorCode::kInvalidArgument, "filename must not contain a path",
                    a.FieldName("filename"));
      }
      OMBUD_ASSIGN_OR_RETURN(auto type, a.String("content_type", 3, 127));
      OMBUD_ASSIGN_OR_RETURN(auto b64, a.String("content_base64", 0, kMaxAttachmentBytes * 2));
      std::string bytes(b64.size() * 3 / 4 + 3, '\0');
      std::size_t len = 0;
      if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(),
                            b64.data(), b64.size(), "\r\n", &len, nullptr,
                            sodium_base64_VARIANT_ORIGINAL) != 0) {
        return Fail(ErrorCode::kInvalidArgument, "content_base64 is not valid base64",
                    a.FieldName("content_base64"));
      }
      if (len > kMaxAttachmentBytes) {
        return Fail(ErrorCode::kPayloadTooLarge, "an attachment is larger than 10 MiB",
                    a.FieldName("content_base64"));
      }
      bytes.resize(len);
      OMBUD_ASSIGN_OR_RETURN(auto stored, attachments.Put(filename, type, bytes));
      out.push_back(std::move(stored));
    }
    return out;
  };

  router.Add("GET", "/healthz", pub, [](Request&, Reply reply) {
    reply(Json(200, json::object{{"status", "ok"}}));
  });
  router.Add("GET", "/readyz", pub, [&store](Request&, Reply reply) {
    auto s = store.Read([](store::ReadTx& tx) -> Status {
      OMBUD_RETURN_IF_ERROR(tx.CountUsers());
      return {};
    });
    reply(s ? Json(200, json::object{{"status", "ready"}})
            : ErrorResponse(503, "unavailable", "store is not ready: " + s.error().message));
  });
  router.Add("GET", "/hello", pub, [](Request&, Reply reply) {
    reply(Response{200, "hello", "text/plain", {}});
  });
  router.Add("GET", "/metrics", pub, [this](Request&, Reply reply) {
    reply(Response{200, metrics_.Render(store_.Stats()), "text/plain; version=0.0.4", {}});
  });
  router.Add("GET", "/api/v1/openapi.json", pub, [](Request&, Reply reply) {
    reply(Response{200, std::string(OpenApiDocument()), "application/json", {}});
  });
  router.Add("GET", "/api/v1/_routes", auth, [this](Request& req, Reply reply) {
    if (auto s = desk::RequireAdmin(*req.actor); !s) return reply(ErrorResponse(s.error()));
    json::array routes;
    for (const auto& r : router_->routes()) {
      routes.push_back(json::object{{"method", r.method}, {"path", r.pattern}});
    }
    reply(Json(200, json::object{{"routes", std::move(routes)}}));
  });

  // Authentication.
  router.Add("POST", "/api/v1/auth/login", pub, [&store, &clock](Request& req, Reply reply) {
    auto in = JsonInput::Parse(req.body, {"login", "password"});
    if (!in) return reply(ErrorResponse(in.error()));
    auto login = in->String("login", 1, 100);
    auto password = in->String("password", 1, 1000);
    if (!login) return reply(ErrorResponse(login.error()));
    if (!password) return reply(ErrorResponse(password.error()));
    std::optional<domain::User> user;
    std::string hash;
    auto read = store.Read([&](store::ReadTx& tx) -> Status {
      OMBUD_ASSIGN_OR_RETURN(user, tx.FindUserByLogin(*login));
      if (user) {
        OMBUD_ASSIGN_OR_RETURN(hash, tx.GetPasswordHash(user->id));
      }
      return {};
    });
    if (!read) return reply(ErrorResponse(read.error()));
    if (!user || !user->active || !VerifyPassword(hash, *password)) {
      return reply(ErrorResponse(401, "unauthenticated", "wrong login or password"));
    }
    const std::string token = store::RandomHex(32);
    const std::string csrf = store::RandomHex(16);
    const auto expires = clock.NowSeconds().time_since_epoch().count() * 1000 + kSessionMillis;
    const domain::User u = *user;
    store.Write([u, hash = store::HashHex(token), csrf, expires](
                    store::WriteTx& tx) { return desk::OpenSession(tx, u, hash, csrf, expires); },
                [reply, u, token, csrf](Status s) {
                  if (!s) return reply(ErrorResponse(s.error()));
                  Response r = Json(200, json::object{{"user", ToJson(u)}, {"csrf_token", csrf}});
                  r.headers.emplace_back("Set-Cookie", SessionCookie(token));
                  reply(std::move(r));
                });
  });
  router.Add("POST", "/api/v1/auth/logout", auth, [this, &store](Request& req, Reply reply) {
    const Actor actor = *req.actor;
    const std::string hash = req.session_hash;
    store.Write([actor, hash](store::WriteTx& tx) { return desk::CloseSession(tx, actor, hash); },
                [this, reply](Status s) {
                  ForgetCredentials();
                  if (!s) return reply(ErrorResponse(s.error()));
                  Response r{204, "", "application/json", {}};
                  r.headers.emplace_back("Set-Cookie",
                                         std::string(kSessionCookie) +
                                             "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
                  reply(std::move(r));
                });
  });
  router.Add("GET", "/api/v1/auth/me", auth, [&store](Request& req, Reply reply) {
    const Id id = *req.actor->user_id;
    AnswerRead(store, reply, [id](store::ReadTx& tx) -> Result<json::value> {
      OMBUD_ASSIGN_OR_RETURN(auto u, tx.GetUser(id));
      return ToJson(u);
    });
  });
  router.Add("POST", "/api/v1/auth/tokens", auth, [&store](Request& req, Reply reply) {
    auto in = JsonInput::Parse(req.body, {"name"});
    if (!in) return reply(ErrorResponse(in.error()));
    auto name = in->String("name", 1, 100);
    if (!name) return reply(ErrorResponse(name.error()));
    const Actor actor = *req.actor;
    const std::string token = "omb_" + store::RandomHex(24);
    Commit(store, req, reply, 201,
           [actor, token, name = *name](store::WriteTx& tx) -> Result<json::value> {
             OMBUD_RETURN_IF_ERROR(desk::IssueApiToken(tx, actor, store::HashHex(token), name));
             return json::object{{"token", token}, {"name", name}};
           });
  });

  // Tickets.
  router.Add(
      "POST", "/api/v1/tickets", auth,
      [this, &store, &clock, read_attachments](Request& req, Reply reply) {
        auto in = JsonInput::Parse(
            req.body,
            {"customer_id", "customer", "channel", "kind", "subject", "body", "category", "product",
             "incident_date", "department_id", "custom_fields", "attachments", "complaint_type"});
        if (!in) return reply(ErrorResponse(in.error()));
        auto cmd = [&]() -> Result<desk::CreateTicketCmd> {
          desk::CreateTicketCmd c;
          OMBUD_ASSIGN_OR_RETURN(c.customer_id, in->OptInt("customer_id", 1, kMaxId));
          if (const auto* cust = in->Raw("customer"); cust != nullptr && !cust->is_null()) {
            if (!cust->is_object()) {
              return Fail(ErrorCode::kInvalidArgument, "customer must be an object", "customer");
            }
            OMBUD_ASSIGN_OR_RETURN(
                auto cin, JsonInput::FromObject(
                              cust->get_object(), "customer.",
                              {"name", "language", "phone", "email", "facebook", "account"}));
            OMBUD_ASSIGN_OR_RETURN(auto nc, NewCustomerFrom(cin));
            if (nc.identities.empty()) {
              return Fail(ErrorCode::kInvalidArgument,
                          "customer needs a phone, email, facebook or account", "customer");
            }
            c.customer = std::move(nc);
          }
          if (c.customer_id && c.customer) {
            return Fail(ErrorCode::kInvalidArgument, "give customer_id or customer, not both",
                        "customer");
          }
          OMBUD_ASSIGN_OR_RETURN(auto channel, in->String("channel", 1, 20));
          OMBUD_ASSIGN_OR_RETURN(c.channel, domain::ParseChannel(channel, "channel"));
          OMBUD_ASSIGN_OR_RETURN(auto kind, in->OptString("kind", 20));
          if (kind) {
            OMBUD_ASSIGN_OR_RETURN(c.kind, domain::ParseTicketKind(*kind, "kind"));
          }
          OMBUD_ASSIGN_OR_RETURN(c.subject, in->String("subject", 1, 300));
          OMBUD_ASSIGN_OR_RETURN(c.body, in->String("body", 1, 100000));
          OMBUD_ASSIGN_OR_RETURN(auto category, in->OptString("category", 100));
          c.category = category.value_or("");
          OMBUD_ASSIGN_OR_RETURN(auto product, in->OptString("product", 100));
          c.product = product.value_or("");
          OMBUD_ASSIGN_OR_RETURN(auto incident, in->OptString("incident_date", 10));
          if (incident) {
            if (!domain::IsIsoDate(*incident)) {
              return Fail(ErrorCode::kInvalidArgument, "incident_date must be a date YYYY-MM-DD",
                          "incident_date");
            }
            const auto today = std::chrono::year_month_day(
                std::chrono::floor<std::chrono::days>(clock.NowSeconds()));
            char buf[16];
            std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(today.year()),
                          static_cast<unsigned>(today.month()), static_cast<unsigned>(today.day()));
            if (*incident > std::string(buf)) {
              return Fail(ErrorCode::kInvalidArgument, "incident_date is in the future",
                          "incident_date");
            }
            c.incident_date = *incident;
          }
          OMBUD_ASSIGN_OR_RETURN(c.department_id, in->OptInt("department_id", 1, kMaxId));
          OMBUD_ASSIGN_OR_RETURN(c.custom_fields_json, CustomFields(*in));
          OMBUD_ASSIGN_OR_RETURN(c.attachments, read_attachments(*in));
          OMBUD_ASSIGN_OR_RETURN(auto type, in->OptString("complaint_type", 100));
          c.complaint_type = type.value_or("");
          return c;
        }();
        if (!cmd) return reply(ErrorResponse(cmd.error()));
        const Actor actor = *req.actor;
        auto published = std::make_shared<Published>();
        CommitText(store, req, PublishingReply(hub_, published, reply), 201,
                   [actor, cmd = std::move(*cmd), policy = policy_,
                    published](store::WriteTx& tx) -> Result<std::string> {
                     OMBUD_ASSIGN_OR_RETURN(auto created,
                                            desk::CreateTicket(tx, actor, cmd, policy.get()));
                     // Serialized here on the writer thread: no json::value for the ticket.
                     std::string body = "{\"ticket\":";
                     AppendJson(body, created.ticket);
                     body += ",\"article\":";
                     AppendJson(body, created.article);
                     body += ",\"customer\":";
                     AppendJson(body, created.customer);
                     body += '}';
                     *published = {std::move(created.ticket), std::move(created.article), true};
                     return body;
                   });
      });

  router.Add("GET", "/api/v1/tickets", auth, [&store](Request& req, Reply reply) {
    store::TicketFilter f;
    auto parsed = [&]() -> Status {
      for (const auto& [k, v] : req.query) {
        if (k == "state") {
          OMBUD_ASSIGN_OR_RETURN(f.state, domain::ParseTicketState(v, "state"));
        } else if (k == "department_id") {
          OMBUD_ASSIGN_OR_RETURN(f.department_id, ParseId(v, "department_id"));
        } else if (k == "customer_id") {
          OMBUD_ASSIGN_OR_RETURN(f.customer_id, ParseId(v, "customer_id"));
        } else if (k == "channel") {
          OMBUD_ASSIGN_OR_RETURN(f.channel, domain::ParseChannel(v, "channel"));
        } else if (k == "limit") {
          OMBUD_ASSIGN_OR_RETURN(auto n, ParseId(v, "limit"));
          if (n > 200) return Fail(ErrorCode::kInvalidArgument, "limit is at most 200", "limit");
          f.limit = static_cast<int>(n);
        } else if (k == "cursor") {
          if (!v.starts_with("c")) {
            return Fail(ErrorCode::kInvalidArgument, "cursor is not one this server gave",
                        "cursor");
          }
          OMBUD_ASSIGN_OR_RETURN(f.after_id, ParseId(std::string_view(v).substr(1), "cursor"));
        } else {
          return Fail(ErrorCode::kInvalidArgument, "unknown query parameter " + k, k);
        }
      }
      return {};
    }();
    if (!parsed) return reply(ErrorResponse(parsed.error()));
    const Actor& actor = *req.actor;
    if (!actor.IsStaff()) {
      if (f.customer_id && f.customer_id != actor.customer_id) {
        return reply(ErrorResponse(403, "permission_denied", "customers see their own tickets",
                                   "customer_id"));
      }
      f.customer_id = actor.customer_id.value_or(-1);
    }
    // Written straight into the body: this is the queue every agent polls.
    std::string body;
    auto listed = store.Read([&](store::ReadTx& tx) -> Status {
      body.reserve(64 + static_cast<std::size_t>(f.limit) * 400);
      body = "{\"tickets\":[";
      domain::Id last_id = 0;
      OMBUD_ASSIGN_OR_RETURN(const std::size_t n,
                             tx.VisitTickets(f, [&](const domain::TicketView& t) {
                               AppendJson(body, t);
                               body += ',';
                               last_id = t.id;
                             }));
      if (n > 0) body.pop_back();
      body += "],\"next_cursor\":";
      if (static_cast<int>(n) == f.limit && n > 0) {
        body += "\"c";
        body += std::to_string(last_id);
        body += '"';
      } else {
        body += "null";
      }
      body += '}';
      return {};
    });
    if (!listed) return reply(ErrorResponse(listed.error()));
    reply(Response{200, std::move(body), "application/json", {}});
  });

  router.Add("GET", "/api/v1/tickets/{id}", auth, [&store](Request& req, Reply reply) {
    const Actor actor = *req.actor;
    const std::string param(req.Param("id"));
    AnswerRead(store, reply, [actor, param](store::ReadTx& tx) -> Result<json::value> {
      OMBUD_ASSIGN_OR_RETURN(const Id id, ResolveTicketId(tx, param));
      OMBUD_ASSIGN_OR_RETURN(auto t, desk::VisibleTicket(tx, actor, id));
      OMBUD_ASSIGN_OR_RETURN(auto articles, tx.ListArticles(t.id));
      json::array arr;
      for (const auto& a : articles) {
        if (!actor.IsStaff() && a.direction == domain::Direction::kInternal) continue;
        arr.push_back(ToJson(a));
      }
      return json::object{{"ticket", ToJson(t)}, {"articles", std::move(arr)}};
    });
  });

  router.Add(
      "POST", "/api/v1/tickets/{id}/articles", auth,
      [this, &store, read_attachments](Request& req, Reply reply) {
        auto in = JsonInput::Parse(req.body, {"body", "direction", "channel", "attachments"});
        if (!in) return reply(ErrorResponse(in.error()));
        auto cmd = [&]() -> Result<desk::AddArticleCmd> {
          desk::AddArticleCmd c;
          OMBUD_ASSIGN_OR_RETURN(c.body, in->String("body", 1, 100000));
          OMBUD_ASSIGN_OR_RETURN(auto dir, in->OptString("direction", 20));
          if (dir) {
            OMBUD_ASSIGN_OR_RETURN(c.direction, domain::ParseDirection(*dir, "direction"));
          }
          OMBUD_ASSIGN_OR_RETURN(c.channel, OptChannel(*in));
          OMBUD_ASSIGN_OR_RETURN(c.attachments, read_attachments(*in));
          return c;
        }();
        if (!cmd) return reply(ErrorResponse(cmd.error()));
        const Actor actor = *req.actor;
        auto published = std::make_shared<Published>();
        Commit(store, req, PublishingReply(hub_, published, reply), 201,
               [actor, param = std::string(req.Param("id")), cmd = std::move(*cmd),
                policy = policy_, published](store::WriteTx& tx) -> Result<json::value> {
                 OMBUD_ASSIGN_OR_RETURN(const Id id, ResolveTicketId(tx, param));
                 if (actor.IsStaff()) {
                   OMBUD_ASSIGN_OR_RETURN(auto t, tx.GetTicket(id));
                   OMBUD_RETURN_IF_ERROR(desk::CheckMayAct(tx, actor, t, policy.get()));
                 }
                 OMBUD_ASSIGN_OR_RETURN(auto a, desk::AddArticle(tx, actor, id, cmd, policy.get()));
                 OMBUD_ASSIGN_OR_RETURN(published->ticket, tx.GetTicket(id));
                 published->article = a;
                 return ToJson(a);
               });
      });

  router.Add("POST", "/api/v1/tickets/{id}/state", auth, [this, &store](Request& req, Reply reply) {
    auto in = JsonInput::Parse(req.body, {"state", "reason"});
    if (!in) return reply(ErrorResponse(in.error()));
    auto state_name = in->String("state", 1, 40);
    if (!state_name) return reply(ErrorResponse(state_name.error()));
    auto state = domain::ParseTicketState(*state_name, "state");
    if (!state) return reply(ErrorResponse(state.error()));
    auto reason = in->OptString("reason", 2000);
    if (!reason) return reply(ErrorResponse(reason.error()));
    const Actor actor = *req.actor;
    Commit(store, req, reply, 200,
           [actor, param = std::string(req.Param("id")), to = *state, why = reason->value_or(""),
            policy = policy_](store::WriteTx& tx) -> Result<json::value> {
             OMBUD_ASSIGN_OR_RETURN(const Id id, ResolveTicketId(tx, param));
             OMBUD_ASSIGN_OR_RETURN(auto current, tx.GetTicket(id));
             OMBUD_RETURN_IF_ERROR(desk::CheckMayAct(tx, actor, current, policy.get()));
             OMBUD_ASSIGN_OR_RETURN(auto t,
                                    desk::ChangeState(tx, actor, id, to, why, policy.get()));
             return ToJson(t);
           });
  });

  // Customers.
  router.Add("POST", "/api/v1/customers", auth, [&store](Request& req, Reply reply) {
    auto in =
        JsonInput::Parse(req.body, {"name", "language", "phone", "email", "facebook", "account"});
    if (!in) return reply(ErrorResponse(in.error()));
    auto nc = NewCustomerFrom(*in);
    if (!nc) return reply(ErrorResponse(nc.error()));
    const Actor actor = *req.actor;
    Commit(store, req, reply, 201,
           [actor, nc = std::move(*nc)](store::WriteTx& tx) -> Result<json::value> {
             OMBUD_ASSIGN_OR_RETURN(auto c, desk::CreateCustomer(tx, actor, nc));
             return ToJson(c);
           });
  });
  router.Add("GET", "/api/v1/customers", auth, [&store](Request& req, Reply reply) {
    if (auto s = desk::RequireStaff(*req.actor); !s) return reply(ErrorResponse(s.error()));
    if (req.query.size() != 1) {
      return reply(ErrorResponse(400, "invalid_argument",
                                 "give exactly one of phone, email, facebook, account", "query"));
    }
    auto kind = domain::ParseIdentityKind(req.query[0].first, req.query[0].first);
    if (!kind) return reply(ErrorResponse(kind.error()));
    auto value = domain::NormalizeIdentity(*kind, req.query[0].second, req.query[0].first);
    if (!value) return reply(ErrorResponse(value.error()));
    AnswerRead(store, reply, [k = *kind, v = *value](store::ReadTx& tx) -> Result<json::value> {
      OMBUD_ASSIGN_OR_RETURN(auto id, tx.FindCustomerByIdentity(k, v));
      if (!id)
        return Fail(ErrorCode::kNotFound,
                    "no customer with " + std::string(domain::Name(k)) + " " + v);
      OMBUD_ASSIGN_OR_RETURN(auto c, tx.GetCustomer(*id));
      return ToJson(c);
    });
  });
  router.Add("GET", "/api/v1/customers/{id}", auth, [&store](Request& req, Reply reply) {
    const Actor& actor = *req.actor;
    auto id = ParseId(req.Param("id"), "id");
    if (!id) return reply(ErrorResponse(404, "not_found", "customer not found"));
    if (!actor.IsStaff() && actor.customer_id != *id) {
      return reply(ErrorResponse(404, "not_found", "customer not found"));
    }
    AnswerRead(store, reply, [id = *id](store::ReadTx& tx) -> Result<json::value> {
      OMBUD_ASSIGN_OR_RETURN(auto c, tx.GetCustomer(id));
      return ToJson(c);
    });
  });
  router.Add(
      "POST", "/api/v1/customers/{id}/identities", auth, [&store](Request& req, Reply reply) {
        auto id = ParseId(req.Param("id"), "id");
        if (!id) return reply(ErrorResponse(404, "not_found", "customer not found"));
        auto in = JsonInput::Parse(req.body, {"kind", "value"});
        if (!in) return reply(ErrorResponse(in.error()));
        auto identity = [&]() -> Result<domain::Identity> {
          OMBUD_ASSIGN_OR_RETURN(auto k, in->String("kind", 1, 20));
          OMBUD_ASSIGN_OR_RETURN(auto kind, domain::ParseIdentityKind(k, "kind"));
          OMBUD_ASSIGN_OR_RETURN(auto v, in->String("value", 1, 320));
          OMBUD_ASSIGN_OR_RETURN(auto normal, domain::NormalizeIdentity(kind, v, "value"));
          return domain::Identity{kind, std::move(normal)};
        }();
        if (!identity) return reply(ErrorResponse(identity.error()));
        const Actor actor = *req.actor;
        Commit(store, req, reply, 201,
               [actor, id = *id, identity = *identity](store::WriteTx& tx) -> Result<json::value> {
                 OMBUD_ASSIGN_OR_RETURN(auto c, desk::AddIdentity(tx, actor, id, identity));
                 return ToJson(c);
               });
      });
  router.Add("POST", "/api/v1/customers/{id}/merge", auth, [&store](Request& req, Reply reply) {
    auto id = ParseId(req.Param("id"), "id");
    if (!id) return reply(ErrorResponse(404, "not_found", "customer not found"));
    auto in = JsonInput::Parse(req.body, {"from_customer_id"});
    if (!in) return reply(ErrorResponse(in.error()));
    auto from = in->Int("from_customer_id", 1, kMaxId);
    if (!from) return reply(ErrorResponse(from.error()));
    const Actor actor = *req.actor;
    Commit(store, req, reply, 200,
           [actor, id = *id, from = *from](store::WriteTx& tx) -> Result<json::value> {
             OMBUD_ASSIGN_OR_RETURN(auto c, desk::MergeCustomers(tx, actor, from, id));
             return ToJson(c);
           });
  });

  // Users.
  auto require_supervisor = [](const Actor& a) -> Status {
    if (a.role == domain::Role::kAdmin || a.role == domain::Role::kSupervisor) return {};
    return Fail(ErrorCode::kPermissionDenied, "only supervisors and administrators may do this");
  };
  router.Add("GET", "/api/v1/users", auth, [&store, require_supervisor](Request& req, Reply reply) {
    if (auto s = require_supervisor(*req.actor); !s) return reply(ErrorResponse(s.error()));
    AnswerRead(store, reply, [](store::ReadTx& tx) -> Result<json::value> {
      OMBUD_ASSIGN_OR_RETURN(auto users, tx.ListUsers());
      json::array arr;
      for (const auto& u : users) arr.push_back(ToJson(u));
      return json::object{{"users", std::move(arr)}};
    });
  });
  router.Add("POST", "/api/v1/users", auth, [&store](Request& req, Reply reply) {
    if (auto s = desk::RequireAdmin(*req.actor); !s) return reply(ErrorResponse(s.error()));
    auto in = JsonInput::Parse(
        req.body, {"login", "display_name", "role", "password", "department_id", "customer_id"});
    if (!in) return reply(ErrorResponse(in.error()));
    std::string hash;
    auto user = [&]() -> Result<domain::User> {
      domain::User u;
      OMBUD_ASSIGN_OR_RETURN(u.login, in->String("login", 1, 100));
      if (u.login.find_first_of(" \t\r\n") != std::string::npos) {
        return Fail(ErrorCode::kInvalidArgument, "login must not contain white space", "login");
      }
      OMBUD_ASSIGN_OR_RETURN(u.display_name, in->String("display_name", 1, 200));
      OMBUD_ASSIGN_OR_RETURN(auto role, in->String("role", 1, 20));
      OMBUD_ASSIGN_OR_RETURN(u.role, domain::ParseRole(role, "role"));
      OMBUD_ASSIGN_OR_RETURN(auto password, in->String("password", 10, 1000));
      OMBUD_ASSIGN_OR_RETURN(u.department_id, in->OptInt("department_id", 1, kMaxId));
      OMBUD_ASSIGN_OR_RETURN(u.customer_id, in->OptInt("customer_id", 1, kMaxId));
      OMBUD_ASSIGN_OR_RETURN(hash, HashPassword(password));
      return u;
    }();
    if (!user) return reply(ErrorResponse(user.error()));
    const Actor actor = *req.actor;
    Commit(store, req, reply, 201,
           [actor, u = *user, hash](store::WriteTx& tx) -> Result<json::value> {
             OMBUD_ASSIGN_OR_RETURN(auto created, desk::CreateUser(tx, actor, u, hash));
             return ToJson(created);
           });
  });
  router.Add("GET", "/api/v1/users/{id}", auth,
             [&store, require_supervisor](Request& req, Reply reply) {
               if (auto s = require_supervisor(*req.actor); !s)
                 return reply(ErrorResponse(s.error()));
               auto id = ParseId(req.Param("id"), "id");
               if (!id) return reply(ErrorResponse(404, "not_found", "user not found"));
               AnswerRead(store, reply, [id = *id](store::ReadTx& tx) -> Result<json::value> {
                 OMBUD_ASSIGN_OR_RETURN(auto u, tx.GetUser(id));
                 return ToJson(u);
               });
             });
  router.Add("PATCH", "/api/v1/users/{id}", auth, [this, &store](Request& req, Reply answer) {
    // Cached credentials of a changed user must not outlive the change.
    Reply reply = [this, answer](Response r) {
      ForgetCredentials();
      answer(std::move(r));
    };
    if (auto s = desk::RequireAdmin(*req.actor); !s) return reply(ErrorResponse(s.error()));
    auto id = ParseId(req.Param("id"), "id");
    if (!id) return reply(ErrorResponse(404, "not_found", "user not found"));
    auto in =
        JsonInput::Parse(req.body, {"display_name", "role", "department_id", "active", "password"});
    if (!in) return reply(ErrorResponse(in.error()));
    auto changes = [&]() -> Result<desk::UserChanges> {
      desk::UserChanges c;
      OMBUD_ASSIGN_OR_RETURN(c.display_name, in->OptString("display_name", 200));
      if (c.display_name && c.display_name->empty()) {
        return Fail(ErrorCode::kInvalidArgument, "display_name must not be empty", "display_name");
      }
      OMBUD_ASSIGN_OR_RETURN(auto role, in->OptString("role", 20));
      if (role) {
        OMBUD_ASSIGN_OR_RETURN(c.role, domain::ParseRole(*role, "role"));
      }
      OMBUD_ASSIGN_OR_RETURN(c.department_id, in->OptNullableInt("department_id", 1, kMaxId));
      OMBUD_ASSIGN_OR_RETURN(c.active, in->OptBool("active"));
      OMBUD_ASSIGN_OR_RETURN(auto password, in->OptString("password", 1000));
      if (password) {
        if (password->size() < 10) {
          return Fail(ErrorCode::kInvalidArgument, "password must be at least 10 characters long",
                      "password");
        }
        OMBUD_ASSIGN_OR_RETURN(c.password_hash, HashPassword(*password));
      }
      return c;
    }();
    if (!changes) return reply(ErrorResponse(changes.error()));
    const Actor actor = *req.actor;
    Commit(store, req, reply, 200,
           [actor, id = *id, c = *changes](store::WriteTx& tx) -> Result<json::value> {
             OMBUD_ASSIGN_OR_RETURN(auto u, desk::UpdateUser(tx, actor, id, c));
             return ToJson(u);
           });
  });
  router.Add("DELETE", "/api/v1/users/{id}", auth, [this, &store](Request& req, Reply answer) {
    // Cached credentials of a changed user must not outlive the change.
    Reply reply = [this, answer](Response r) {
      ForgetCredentials();
      answer(std::move(r));
    };
    auto id = ParseId(req.Param("id"), "id");
    if (!id) return reply(ErrorResponse(404, "not_found", "user not found"));
    const Actor actor = *req.actor;
    Commit(store, req, reply, 204, [actor, id = *id](store::WriteTx& tx) -> Result<json::value> {
      OMBUD_RETURN_IF_ERROR(desk::DeactivateUser(tx, actor, id));
      return json::value(nullptr);
    });
  });

  // Departments.
  auto department_from = [](const JsonInput& in) -> Result<domain::Department> {
    domain::Department d;
    OMBUD_ASSIGN_OR_RETURN(d.name, in.String("name", 1, 100));
    OMBUD_ASSIGN_OR_RETURN(auto scope, ParseScope(in));
    d.scope = scope.value_or(std::vector<std::string>{});
    return d;
  };
  router.Add("GET", "/api/v1/departments", auth, [&store](Request& req, Reply reply) {
    if (auto s = desk::RequireStaff(*req.actor); !s) return reply(ErrorResponse(s.error()));
    AnswerRead(store, reply, [](store::ReadTx& tx) -> Result<json::value> {
      OMBUD_ASSIGN_OR_RETURN(auto list, tx.ListDepartments());
      json::array arr;
      for (const auto& d : list) arr.push_back(ToJson(d));
      return json::object{{"departments", std::move(arr)}};
    });
  });
  router.Add(
      "POST", "/api/v1/departments", auth, [&store, department_from](Request& req, Reply reply) {
        auto in = JsonInput::Parse(req.body, {"name", "scope"});
        if (!in) return reply(ErrorResponse(in.error()));
        auto d = department_from(*in);
        if (!d) return reply(ErrorResponse(d.error()));
        const Actor actor = *req.actor;
        Commit(store, req, reply, 201, [actor, d = *d](store::WriteTx& tx) -> Result<json::value> {
          OMBUD_ASSIGN_OR_RETURN(auto created, desk::CreateDepartment(tx, actor, d));
          return ToJson(created);
        });
      });
  router.Add("GET", "/api/v1/departments/{id}", auth, [&store](Request& req, Reply reply) {
    if (auto s = desk::RequireStaff(*req.actor); !s) return reply(ErrorResponse(s.error()));
    auto id = ParseId(req.Param("id"), "id");
    if (!id) return reply(ErrorResponse(404, "not_found", "department not found"));
    AnswerRead(store, reply, [id = *id](store::ReadTx& tx) -> Result<json::value> {
      OMBUD_ASSIGN_OR_RETURN(auto d, tx.GetDepartment(id));
      return ToJson(d);
    });
  });
  router.Add("PATCH", "/api/v1/departments/{id}", auth, [&store](Request& req, Reply reply) {
    auto id = ParseId(req.Param("id"), "id");
    if (!id) return reply(ErrorResponse(404, "not_found", "department not found"));
    auto in = JsonInput::Parse(req.body, {"name", "scope"});
    if (!in) return reply(ErrorResponse(in.error()));
    auto name = in->OptString("name", 100);
    if (!name) return reply(ErrorResponse(name.error()));
    if (*name && (*name)->empty()) {
      return reply(ErrorResponse(400, "invalid_argument", "name must not be empty", "name"));
    }
    auto scope = ParseScope(*in);
    if (!scope) return reply(ErrorResponse(scope.error()));
    const Actor actor = *req.actor;
    // Fields not sent keep their value.
    Commit(
        store, req, reply, 200,
        [actor, id = *id, name = *name, scope = *scope](store::WriteTx& tx) -> Result<json::value> {
          OMBUD_ASSIGN_OR_RETURN(auto d, tx.GetDepartment(id));
          if (name) d.name = *name;
          if (scope) d.scope = *scope;
          OMBUD_ASSIGN_OR_RETURN(auto updated, desk::UpdateDepartment(tx, actor, d));
          return ToJson(updated);
        });
  });
  router.Add("DELETE", "/api/v1/departments/{id}", auth, [&store](Request& req, Reply reply) {
    auto id = ParseId(req.Param("id"), "id");
    if (!id) return reply(ErrorResponse(404, "not_found", "department not found"));
    const Actor actor = *req.actor;
    Commit(store, req, reply, 204, [actor, id = *id](store::WriteTx& tx) -> Result<json::value> {
      OMBUD_RETURN_IF_ERROR(desk::DeleteDepartment(tx, actor, id));
      return json::value(nullptr);
    });
  });

  RegisterWorkflowRoutes(
      router, store, clock, policy_, test_clock_, [this] { ForgetCredentials(); }, &hub_);
  RegisterPortalRoutes(router, store, attachments, clock, policy_, hub_);
}

}  // namespace ombud::api
