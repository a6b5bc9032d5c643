#include "api/portal_routes.hpp"

#include <sodium.h>

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <utility>

#include "api/content_sniff.hpp"
#include "api/handler_support.hpp"
#include "api/json_output.hpp"
#include "api/rate_limit.hpp"
#include "desk/portal.hpp"
#include "desk/workflow.hpp"
#include "store/audit_chain.hpp"

namespace ombud::api {

namespace json = boost::json;
using desk::Actor;
using domain::Id;

namespace {

constexpr std::size_t kMaxDocumentBytes = 512 << 10;
constexpr int kFormsPerWindow = 10;         // Public complaints per IP per window.
constexpr int kCodeRequestsPerWindow = 10;  // Code requests per IP per window.
constexpr int kCodeChecksPerWindow = 30;    // Code checks per IP per window.
constexpr std::chrono::seconds kAbuseWindow{600};
constexpr int kChatMessagesPerMinute = 30;  // Per socket.
constexpr int kChatSocketsPerWindow = 20;   // Chat widget sockets per IP per window.

Response TooMany(std::string_view what) {
  Response r = ErrorResponse(429, "rate_limited",
                             "too many " + std::string(what) + " from this address; try later");
  r.headers.emplace_back("Retry-After", std::to_string(kAbuseWindow.count()));
  return r;
}

std::string ClientKey(const Request& req) {
  return req.remote_address.empty() ? "unknown" : req.remote_address;
}

Status RequireCustomer(const Actor& actor) {
  if (actor.IsStaff() || !actor.customer_id) {
    return Fail(ErrorCode::kPermissionDenied,
                "the portal is for customers; staff use /api/v1/tickets");
  }
  return {};
}

// The one identity (email or phone) a code request or check names, normalised.
Result<domain::Identity> CodeIdentity(const JsonInput& in) {
  const bool email = in.Has("email");
  const bool phone = in.Has("phone");
  if (email == phone) {
    return Fail(ErrorCode::kInvalidArgument, "give exactly one of email, phone", "email");
  }
  const auto kind = email ? domain::IdentityKind::kEmail : domain::IdentityKind::kPhone;
  const auto name = domain::Name(kind);
  OMBUD_ASSIGN_OR_RETURN(auto value, in.String(name, 3, 320));
  OMBUD_ASSIGN_OR_RETURN(auto normal, domain::NormalizeIdentity(kind, value, name));
  return domain::Identity{kind, std::move(normal)};
}

// Six random decimal digits.
std::string NewCode() {
  std::string code(6, '0');
  for (auto& c : code) c = static_cast<char>('0' + randombytes_uniform(10));
  return code;
}

json::object InfoRequestJson(const store::CaseRecord& r) {
  boost::system::error_code ec;
  json::value data = json::parse(r.data, ec);
  json::object out{{"id", r.id}, {"state", r.state}, {"created_at", r.created_at}};
  if (!ec && data.is_object()) {
    if (const auto* asked = data.as_object().if_contains("asked")) out["asked"] = *asked;
  }
  return out;
}

// Reads {"body": ...} of a customer's message.
Result<desk::AddArticleCmd> MessageFrom(std::string_view body) {
  OMBUD_ASSIGN_OR_RETURN(auto in, JsonInput::Parse(body, {"body"}));
  desk::AddArticleCmd cmd;
  cmd.direction = domain::Direction::kInbound;
  OMBUD_ASSIGN_OR_RETURN(cmd.body, in.String("body", 1, 20000));
  return cmd;
}

Result<desk::CreateTicketCmd> ComplaintFrom(const JsonInput& in, const Clock& clock) {
  desk::CreateTicketCmd c;
  OMBUD_ASSIGN_OR_RETURN(auto customer, NewCustomerFrom(in));
  std::erase_if(customer.identities, [](const domain::Identity& i) {
    return i.kind != domain::IdentityKind::kEmail && i.kind != domain::IdentityKind::kPhone;
  });
  if (customer.identities.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "give an email or phone so we can answer", "email");
  }
  c.customer = std::move(customer);
  c.channel = domain::Channel::kWeb;
  OMBUD_ASSIGN_OR_RETURN(c.subject, in.String("subject", 1, 300));
  OMBUD_ASSIGN_OR_RETURN(c.body, in.String("body", 1, 20000));
  OMBUD_ASSIGN_OR_RETURN(auto category, in.OptString("category", 100));
  c.category = category.value_or("");
  OMBUD_ASSIGN_OR_RETURN(auto product, in.OptString("product", 100));
  c.product = product.value_or("");
  OMBUD_ASSIGN_OR_RETURN(auto type, in.OptString("complaint_type", 100));
  c.complaint_type = type.value_or("");
  OMBUD_ASSIGN_OR_RETURN(auto incident, in.OptString("incident_date", 10));
  if (incident) {
    const std::chrono::year_month_day today(
        std::chrono::floor<std::chrono::days>(clock.NowSeconds()));
    char today_iso[16];
    std::snprintf(today_iso, sizeof today_iso, "%04d-%02u-%02u", static_cast<int>(today.year()),
                  static_cast<unsigned>(today.month()), static_cast<unsigned>(today.day()));
    if (!domain::IsIsoDate(*incident) || *incident > std::string_view(today_iso)) {
      return Fail(ErrorCode::kInvalidArgument, "incident_date must be a past date YYYY-MM-DD",
                  "incident_date");
    }
    c.incident_date = *incident;
  }
  OMBUD_ASSIGN_OR_RETURN(c.custom_fields_json, CustomFields(in));
  return c;
}

// The live state of one customer chat socket, shared by its handlers.
struct ChatSocket {
  std::weak_ptr<WsConnection> connection;
  const WsConnection* key = nullptr;
  Actor actor;
  std::optional<desk::NewCustomer> visitor;
  std::atomic<Id> ticket_id{0};  // The ticket a visitor's socket started (set after commit).
  RateLimiter limiter{kChatMessagesPerMinute, std::chrono::seconds(60)};
};

std::string ErrorFrame(const Error& e) {
  return json::serialize(json::object{
      {"type", "error"},
      {"error",
       json::object{{"code", ErrorCodeName(e.code)},
                    {"message", e.message},
                    {"field", e.field.empty() ? json::value(nullptr) : json::value(e.field)}}}});
}

void SendTo(const std::weak_ptr<WsConnection>& weak, std::string frame) {
  if (auto c = weak.lock()) c->Send(std::move(frame));
}

// Adds the customer's article `cmd` to ticket `param` (as the answer to `info_request` when
// given) in one write, answers 201 with it and publishes it after the commit.
void CommitCustomerArticle(store::Store& store, const Request& req, const Reply& reply,
                           ChatHub& hub, const std::shared_ptr<const desk::Policy>& policy,
                           desk::AddArticleCmd cmd, std::optional<Id> info_request) {
  auto published = std::make_shared<Published>();
  Commit(store, req, PublishingReply(hub, published, reply), 201,
         [actor = *req.actor, param = std::string(req.Param("id")), cmd = std::move(cmd), policy,
          info_request, published](store::WriteTx& tx) -> Result<json::value> {
           OMBUD_ASSIGN_OR_RETURN(const Id id, ResolveTicketId(tx, param));
           domain::Article a;
           if (info_request) {
             OMBUD_ASSIGN_OR_RETURN(
                 a, desk::AnswerInfoRequest(tx, actor, id, *info_request, cmd, policy.get()));
           } else {
             OMBUD_ASSIGN_OR_RETURN(a, desk::AddArticle(tx, actor, id, cmd, policy.get()));
           }
           OMBUD_ASSIGN_OR_RETURN(published->ticket, tx.GetTicket(id));
           published->article = a;
           return ToJson(a);
         });
}

}  // namespace

Reply PublishingReply(ChatHub& hub, std::shared_ptr<Published> published, Reply reply) {
  return [&hub, published = std::move(published), reply = std::move(reply)](Response r) {
    if (r.status < 300 && published->ticket && published->article) {
      if (published->ticket_created) {
        hub.TicketCreated(*published->ticket, *published->article);
      } else {
        hub.ArticleAdded(*published->ticket, *published->article);
      }
    }
    reply(std::move(r));
  };
}

void RegisterPortalRoutes(Router& router, store::Store& store, store::AttachmentStore& attachments,
                          const Clock& clock, std::shared_ptr<const desk::Policy> policy,
                          ChatHub& hub) {
  const auto pub = Access::kPublic;
  const auto auth = Access::kAuthenticated;
  auto form_limit = std::make_shared<RateLimiter>(kFormsPerWindow, kAbuseWindow);
  auto request_limit = std::make_shared<RateLimiter>(kCodeRequestsPerWindow, kAbuseWindow);
  auto check_limit = std::make_shared<RateLimiter>(kCodeChecksPerWindow, kAbuseWindow);
  auto chat_limit = std::make_shared<RateLimiter>(kChatSocketsPerWindow, kAbuseWindow);

  // The public complaint form: no login; answers only the ticket number.
  router.Add("POST", "/api/v1/portal/complaints", pub,
             [&store, &clock, &hub, policy, form_limit](Request& req, Reply reply) {
               if (!form_limit->Allow(ClientKey(req))) return reply(TooMany("complaints"));
               auto in = JsonInput::Parse(
                   req.body, {"name", "language", "email", "phone", "subject", "body", "category",
                              "product", "incident_date", "complaint_type", "custom_fields"});
               if (!in) return reply(ErrorResponse(in.error()));
               auto cmd = ComplaintFrom(*in, clock);
               if (!cmd) return reply(ErrorResponse(cmd.error()));
               auto published = std::make_shared<Published>();
               Commit(store, req, PublishingReply(hub, published, reply), 201,
                      [cmd = std::move(*cmd), policy, published,
                       by = "web:" + ClientKey(req)](store::WriteTx& tx) -> Result<json::value> {
                        OMBUD_ASSIGN_OR_RETURN(auto created,
                                               desk::FileWebComplaint(tx, by, cmd, policy.get()));
                        *published = {created.ticket, created.article, true};
                        return json::object{{"ticket_number", created.ticket.number},
                                            {"state", domain::Name(created.ticket.state)}};
                      });
             });

  // One-time codes.
  router.Add("POST", "/api/v1/portal/login/code", pub,
             [&store, request_limit](Request& req, Reply reply) {
               if (!request_limit->Allow(ClientKey(req))) return reply(TooMany("code requests"));
               auto in = JsonInput::Parse(req.body, {"email", "phone"});
               if (!in) return reply(ErrorResponse(in.error()));
               auto identity = CodeIdentity(*in);
               if (!identity) return reply(ErrorResponse(identity.error()));
               desk::LoginCodeRequest r{identity->kind, identity->value, NewCode(),
                                        store::RandomHex(16), "web:" + ClientKey(req)};
               store.Write([r](store::WriteTx& tx) { return desk::RequestLoginCode(tx, r); },
                           [reply](Status s) {
                             if (!s) return reply(ErrorResponse(s.error()));
                             // The same answer whether or not the identity is known.
                             reply(Json(202, json::object{{"status", "sent_if_known"}}));
                           });
             });
  router.Add("POST", "/api/v1/portal/login/verify", pub,
             [&store, &clock, check_limit](Request& req, Reply reply) {
               if (!check_limit->Allow(ClientKey(req))) return reply(TooMany("code checks"));
               auto in = JsonInput::Parse(req.body, {"email", "phone", "code"});
               if (!in) return reply(ErrorResponse(in.error()));
               auto identity = CodeIdentity(*in);
               if (!identity) return reply(ErrorResponse(identity.error()));
               auto code = in->String("code", 6, 6);
               if (!code) return reply(ErrorResponse(code.error()));
               if (code->find_first_not_of("0123456789") != std::string::npos) {
                 return reply(ErrorResponse(400, "invalid_argument", "code is six digits", "code"));
               }
               const std::string token = store::RandomHex(32);
               const std::string csrf = store::RandomHex(16);
               desk::LoginCodeCheck check{
                   identity->kind,
                   identity->value,
                   *code,
                   store::HashHex(token),
                   csrf,
                   clock.NowSeconds().time_since_epoch().count() * 1000 + kSessionMillis,
                   "web:" + ClientKey(req)};
               auto outcome = std::make_shared<desk::LoginCodeOutcome>();
               store.Write(
                   [check, outcome](store::WriteTx& tx) -> Status {
                     OMBUD_ASSIGN_OR_RETURN(*outcome, desk::CheckLoginCode(tx, check));
                     return {};
                   },
                   [reply, outcome, token, csrf](Status s) {
                     if (!s) return reply(ErrorResponse(s.error()));
                     if (!outcome->ok) {
                       return reply(
                           ErrorResponse(401, "unauthenticated", "wrong or expired code", "code"));
                     }
                     Response r = Json(
                         200, json::object{{"user", ToJson(*outcome->user)}, {"csrf_token", csrf}});
                     r.headers.emplace_back("Set-Cookie", SessionCookie(token));
                     reply(std::move(r));
                   });
             });

  // The customer's own tickets.
  router.Add("GET", "/api/v1/portal/tickets", auth, [&store](Request& req, Reply reply) {
    if (auto s = RequireCustomer(*req.actor); !s) return reply(ErrorResponse(s.error()));
    store::TicketFilter f;
    f.customer_id = *req.actor->customer_id;
    f.limit = 200;
    if (auto cursor = req.Query("cursor")) {
      auto after = ParseId(*cursor, "cursor");
      if (!after) return reply(ErrorResponse(after.error()));
      f.after_id = *after;
    }
    AnswerRead(store, reply, [f](store::ReadTx& tx) -> Result<json::value> {
      OMBUD_ASSIGN_OR_RETURN(auto tickets, tx.ListTickets(f));
      json::array arr;
      for (const auto& t : tickets) arr.push_back(ToJson(t));
      json::value next = nullptr;
      if (static_cast<int>(tickets.size()) == f.limit) next = std::to_string(tickets.back().id);
      return json::object{{"tickets", std::move(arr)}, {"next_cursor", std::move(next)}};
    });
  });
  router.Add("GET", "/api/v1/portal/tickets/{id}", auth, [&store](Request& req, Reply reply) {
    if (auto s = RequireCustomer(*req.actor); !s) return reply(ErrorResponse(s.error()));
    AnswerRead(store, reply,
               [actor = *req.actor,
                param = std::string(req.Param("id"))](store::ReadTx& tx) -> Result<json::value> {
                 OMBUD_ASSIGN_OR_RETURN(const Id id, ResolveTicketId(tx, param));
                 OMBUD_ASSIGN_OR_RETURN(auto t, desk::VisibleTicket(tx, actor, id));
                 OMBUD_ASSIGN_OR_RETURN(auto articles, tx.ListArticles(t.id));
                 json::array arr;
                 for (const auto& a : articles) {
                   if (a.direction != domain::Direction::kInternal) arr.push_back(ToJson(a));
                 }
                 OMBUD_ASSIGN_OR_RETURN(auto requests, desk::OpenInfoRequests(tx, actor, t.id));
                 json::array open;
                 for (const auto& r : requests) open.push_back(InfoRequestJson(r));
                 return json::object{{"ticket", ToJson(t)},
                                     {"articles", std::move(arr)},
                                     {"info_requests", std::move(open)}};
               });
  });
  router.Add("POST", "/api/v1/portal/tickets/{id}/replies", auth,
             [&store, &hub, policy](Request& req, Reply reply) {
               if (auto s = RequireCustomer(*req.actor); !s) return reply(ErrorResponse(s.error()));
               auto cmd = MessageFrom(req.body);
               if (!cmd) return reply(ErrorResponse(cmd.error()));
               CommitCustomerArticle(store, req, reply, hub, policy, std::move(*cmd), std::nullopt);
             });
  router.Add("POST", "/api/v1/portal/tickets/{id}/info-requests/{record_id}/answer", auth,
             [&store, &hub, policy](Request& req, Reply reply) {
               if (auto s = RequireCustomer(*req.actor); !s) return reply(ErrorResponse(s.error()));
               auto record_id = ParseId(req.Param("record_id"), "record_id");
               if (!record_id) {
                 return reply(ErrorResponse(404, "not_found", "information request not found"));
               }
               auto cmd = MessageFrom(req.body);
               if (!cmd) return reply(ErrorResponse(cmd.error()));
               CommitCustomerArticle(store, req, reply, hub, policy, std::move(*cmd), *record_id);
             });
  // Documents: the raw file is the body; its type is sniffed from the content.
  router.Add(
      "POST", "/api/v1/portal/tickets/{id}/documents", auth,
      [&store, &attachments, &hub, policy](Request& req, Reply reply) {
        if (auto s = RequireCustomer(*req.actor); !s) return reply(ErrorResponse(s.error()));
        const auto filename = req.Query("filename").value_or("");
        if (filename.empty() || filename.size() > 255 ||
            filename.find_first_of("/\\") != std::string_view::npos) {
          return reply(ErrorResponse(400, "invalid_argument",
                                     "filename (query) is a name of 1 to 255 characters, no path",
                                     "filename"));
        }
        if (req.body.empty()) {
          return reply(ErrorResponse(400, "invalid_argument", "the body is the file", "body"));
        }
        if (req.body.size() > kMaxDocumentBytes) {
          return reply(ErrorResponse(
              413, "payload_too_large",
              "a document is at most " + std::to_string(kMaxDocumentBytes >> 10) + " KiB", "body"));
        }
        auto type = SniffMimeType(req.body);
        if (!type) return reply(ErrorResponse(type.error()));
        if (!IsAllowedDocumentType(*type)) {
          return reply(ErrorResponse(
              415, "unsupported_media_type",
              "files of type " + *type + " are not accepted; send PDF, JPEG, PNG or plain text",
              "body"));
        }
        // The ticket must be the customer's before anything is stored.
        auto visible = store.Read([&req](store::ReadTx& tx) -> Status {
          OMBUD_ASSIGN_OR_RETURN(const Id id, ResolveTicketId(tx, req.Param("id")));
          OMBUD_RETURN_IF_ERROR(desk::VisibleTicket(tx, *req.actor, id));
          return {};
        });
        if (!visible) return reply(ErrorResponse(visible.error()));
        auto stored = attachments.Put(std::string(filename), *type, req.body);
        if (!stored) return reply(ErrorResponse(stored.error()));
        desk::AddArticleCmd cmd;
        cmd.direction = domain::Direction::kInbound;
        cmd.channel = domain::Channel::kWeb;
        cmd.body = "Document: " + std::string(filename);
        cmd.attachments.push_back(std::move(*stored));
        CommitCustomerArticle(store, req, reply, hub, policy, std::move(cmd), std::nullopt);
      });

  // Chat: the customer widget (a customer session, or a visitor naming themselves).
  router.AddWebSocket(
      "/api/v1/chat/ws", pub,
      [&store, &hub, policy, chat_limit](const Request& req) -> Result<WsHandlers> {
        if (!chat_limit->Allow(ClientKey(req))) {
          return Fail(ErrorCode::kUnavailable,
                      "too many chat connections from this address; try again later");
        }
        auto socket = std::make_shared<ChatSocket>();
        if (req.actor) {
          if (req.actor->IsStaff()) {
            return Fail(ErrorCode::kPermissionDenied, "staff use /api/v1/agent/ws");
          }
          socket->actor = *req.actor;
        } else {
          json::object visitor;
          for (const auto& [k, v] : req.query) visitor[k] = v;
          OMBUD_ASSIGN_OR_RETURN(auto in,
                                 JsonInput::FromObject(visitor, "", {"name", "email", "phone"}));
          OMBUD_ASSIGN_OR_RETURN(auto customer, NewCustomerFrom(in));
          if (customer.identities.empty()) {
            return Fail(ErrorCode::kInvalidArgument, "a visitor gives an email or phone", "email");
          }
          socket->visitor = std::move(customer);
          socket->actor =
              Actor{"chat:" + ClientKey(req), domain::Role::kCustomer, std::nullopt, std::nullopt};
        }
        WsHandlers h;
        h.on_open = [socket, &hub](std::shared_ptr<WsConnection> c) {
          socket->connection = c;
          socket->key = c.get();
          if (socket->actor.customer_id) hub.AddCustomer(*socket->actor.customer_id, c);
          c->Send(json::serialize(json::object{{"type", "ready"}}));
        };
        h.on_message = [socket, &store, &hub, policy](std::string_view text) {
          if (!socket->limiter.Allow("")) {
            return SendTo(socket->connection,
                          ErrorFrame({ErrorCode::kUnavailable, "too many messages; slow down"}));
          }
          auto body = [&]() -> Result<std::string> {
            OMBUD_ASSIGN_OR_RETURN(auto in, JsonInput::Parse(text, {"type", "body"}));
            OMBUD_ASSIGN_OR_RETURN(auto type, in.String("type", 1, 20));
            if (type != "message") {
              return Fail(ErrorCode::kInvalidArgument, "type must be message", "type");
            }
            return in.String("body", 1, 20000);
          }();
          if (!body) return SendTo(socket->connection, ErrorFrame(body.error()));
          const Id started = socket->ticket_id.load();
          auto posted = std::make_shared<desk::ChatPosted>();
          store.Write(
              [socket, posted, policy, started, body = *body](store::WriteTx& tx) -> Status {
                OMBUD_ASSIGN_OR_RETURN(
                    *posted,
                    desk::PostChatMessage(tx, socket->actor, socket->visitor,
                                          started != 0 ? std::optional<Id>(started) : std::nullopt,
                                          body, policy.get()));
                return {};
              },
              [socket, posted, &hub](Status s) {
                if (!s) return SendTo(socket->connection, ErrorFrame(s.error()));
                if (auto c = socket->connection.lock(); c && !socket->actor.customer_id) {
                  socket->ticket_id = posted->ticket.id;
                  hub.AddTicket(posted->ticket.id, c);
                }
                if (posted->ticket_created) {
                  hub.TicketCreated(posted->ticket, posted->article);
                } else {
                  hub.ArticleAdded(posted->ticket, posted->article);
                }
              });
        };
        h.on_close = [socket, &hub] { hub.Remove(socket->key); };
        return h;
      });

  // Chat: the staff side — live updates of their department's tickets, and replies.
  router.AddWebSocket(
      "/api/v1/agent/ws", auth, [&store, &hub, policy](const Request& req) -> Result<WsHandlers> {
        const Actor actor = *req.actor;
        OMBUD_RETURN_IF_ERROR(desk::RequireStaff(actor));
        std::optional<Id> department;
        if (actor.role == domain::Role::kAgent) {
          OMBUD_RETURN_IF_ERROR(store.Read([&](store::ReadTx& tx) -> Status {
            OMBUD_ASSIGN_OR_RETURN(auto user, tx.GetUser(*actor.user_id));
            department = user.department_id;
            return {};
          }));
        }
        auto weak = std::make_shared<std::weak_ptr<WsConnection>>();
        auto key = std::make_shared<const WsConnection*>(nullptr);
        WsHandlers h;
        h.on_open = [weak, key, department, &hub](std::shared_ptr<WsConnection> c) {
          *weak = c;
          *key = c.get();
          hub.AddAgent(department, c);
          c->Send(json::serialize(json::object{{"type", "ready"}}));
        };
        h.on_message = [weak, actor, &store, &hub, policy](std::string_view text) {
          auto cmd = [&]() -> Result<std::pair<Id, desk::AddArticleCmd>> {
            OMBUD_ASSIGN_OR_RETURN(auto in, JsonInput::Parse(text, {"type", "ticket_id", "body"}));
            OMBUD_ASSIGN_OR_RETURN(auto type, in.String("type", 1, 20));
            if (type != "reply") {
              return Fail(ErrorCode::kInvalidArgument, "type must be reply", "type");
            }
            OMBUD_ASSIGN_OR_RETURN(const Id id, in.Int("ticket_id", 1, INT64_MAX));
            desk::AddArticleCmd c;
            c.direction = domain::Direction::kOutbound;
            c.channel = domain::Channel::kChat;
            OMBUD_ASSIGN_OR_RETURN(c.body, in.String("body", 1, 20000));
            return std::pair{id, std::move(c)};
          }();
          if (!cmd) return SendTo(*weak, ErrorFrame(cmd.error()));
          auto published = std::make_shared<Published>();
          store.Write(
              [actor, cmd = std::move(*cmd), policy, published](store::WriteTx& tx) -> Status {
                OMBUD_ASSIGN_OR_RETURN(auto t, tx.GetTicket(cmd.first));
                OMBUD_RETURN_IF_ERROR(desk::CheckMayAct(tx, actor, t, policy.get()));
                OMBUD_ASSIGN_OR_RETURN(published->article,
                                       desk::AddArticle(tx, actor, t.id, cmd.second, policy.get()));
                OMBUD_ASSIGN_OR_RETURN(published->ticket, tx.GetTicket(t.id));
                return {};
              },
              [weak, published, &hub](Status s) {
                if (!s) return SendTo(*weak, ErrorFrame(s.error()));
                SendTo(*weak, json::serialize(json::object{
                                  {"type", "ack"}, {"article_id", published->article->id}}));
                hub.ArticleAdded(*published->ticket, *published->article);
              });
        };
        h.on_close = [key, &hub] { hub.Remove(*key); };
        return h;
      });
}

}  // namespace ombud::api
