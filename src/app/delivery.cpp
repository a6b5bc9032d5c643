#include "app/delivery.hpp"

#include <sodium.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include "api/handler_support.hpp"
#include "api/json_output.hpp"
#include "app/log.hpp"
#include "channels/email/mime_parser.hpp"
#include "channels/sms/kannel.hpp"
#include "channels/text.hpp"
#include "desk/inbound.hpp"
#include "jobs/senders.hpp"
#include "store/audit_chain.hpp"

namespace ombud::app {

namespace {

namespace json = boost::json;

json::object OutboxJson(const store::OutboxRow& r) {
  json::object o{{"id", r.id},
                 {"channel", domain::Name(r.message.channel)},
                 {"recipient", r.message.recipient},
                 {"subject", r.message.subject},
                 {"dedupe_key", r.message.dedupe_key},
                 {"auto_submitted", r.message.auto_submitted},
                 {"state", r.state},
                 {"attempts", r.attempts},
                 {"next_attempt_at", r.next_attempt_at},
                 {"created_at", r.created_at},
                 {"last_error", r.last_error},
                 {"message_id", r.message_id},
                 {"provider_ref", r.provider_ref},
                 {"delivery_state", r.delivery_state}};
  o["ticket_id"] = r.message.ticket_id ? json::value(*r.message.ticket_id) : json::value(nullptr);
  o["article_id"] =
      r.message.article_id ? json::value(*r.message.article_id) : json::value(nullptr);
  o["sent_at"] = r.sent_at ? json::value(*r.sent_at) : json::value(nullptr);
  return o;
}

// Checks the shared secret of a Kannel callback; the answer to send when it fails.
std::optional<api::Response> RejectCallback(const DeliveryConfig& config, const api::Request& req) {
  if (config.kannel_secret.empty()) {
    return api::ErrorResponse(404, "not_found", "Kannel callbacks are not configured");
  }
  const auto secret = req.Query("secret");
  if (!secret || !store::SecretEquals(*secret, config.kannel_secret)) {
    return api::ErrorResponse(401, "unauthenticated", "missing or wrong callback secret", "secret");
  }
  return std::nullopt;
}

channels::sms::QueryParams WithoutSecret(const api::Request& req) {
  channels::sms::QueryParams params;
  for (const auto& [k, v] : req.query) {
    if (k != "secret") params.emplace_back(k, v);
  }
  return params;
}

// Kannel gives an MO message no id: its sender, timestamp and text stand in, so a get-url
// retried by Kannel is not filed twice. Without a timestamp there is nothing to dedupe on.
std::string SmsMessageId(const channels::sms::InboundSms& sms) {
  if (!sms.received_at) return "";
  unsigned char hash[8];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(sms.text.data()),
                     sms.text.size(), nullptr, 0);
  char hex[sizeof hash * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
  return "sms:" + sms.from + ":" + std::to_string(*sms.received_at) + ":" + hex;
}

bool IsFinalDelivery(std::string_view state) { return state == "delivered" || state == "failed"; }

void AddOutboxRoutes(api::Router& router, store::Store& store) {
  router.Add("GET", "/api/v1/outbox", api::Access::kAuthenticated,
             [&store](api::Request& req, api::Reply reply) {
               // Admins see every message; other staff the messages of a ticket they see.
               const desk::Actor actor = *req.actor;
               if (!actor.IsStaff()) {
                 return reply(api::ErrorResponse(403, "permission_denied", "staff only"));
               }
               store::OutboxFilter f;
               for (const auto& [k, v] : req.query) {
                 if (k == "state") {
                   if (v != "pending" && v != "sent" && v != "dead") {
                     return reply(api::ErrorResponse(
                         400, "invalid_argument", "state must be pending, sent or dead", "state"));
                   }
                   f.state = v;
                 } else if (k == "ticket_id" || k == "after" || k == "limit") {
                   auto id = api::ParseId(v, k);
                   if (!id) return reply(api::ErrorResponse(id.error()));
                   if (k == "ticket_id") f.ticket_id = *id;
                   if (k == "after") f.after_id = *id;
                   if (k == "limit") {
                     if (*id > 200) {
                       return reply(api::ErrorResponse(400, "invalid_argument",
                                                       "limit must be 1 to 200", "limit"));
                     }
                     f.limit = static_cast<int>(*id);
                   }
                 } else {
                   return reply(api::ErrorResponse(400, "invalid_argument",
                                                   "unknown query parameter '" + k + "'", k));
                 }
               }
               if (!actor.IsAdmin() && !f.ticket_id) {
                 return reply(api::ErrorResponse(403, "permission_denied",
                                                 "only admins list all messages; give ticket_id",
                                                 "ticket_id"));
               }
               api::AnswerRead(store, reply, [f, actor](store::ReadTx& tx) -> Result<json::value> {
                 if (!actor.IsAdmin()) {
                   OMBUD_RETURN_IF_ERROR(desk::VisibleTicket(tx, actor, *f.ticket_id));
                 }
                 OMBUD_ASSIGN_OR_RETURN(auto rows, tx.ListOutbox(f));
                 json::array out;
                 for (const auto& r : rows) out.push_back(OutboxJson(r));
                 json::value next = nullptr;
                 if (static_cast<int>(rows.size()) == f.limit) next = rows.back().id;
                 return json::object{{"messages", std::move(out)}, {"next_cursor", next}};
               });
             });

  router.Add(
      "POST", "/api/v1/outbox/{id}/retry", api::Access::kAuthenticated,
      [&store](api::Request& req, api::Reply reply) {
        if (auto s = desk::RequireAdmin(*req.actor); !s) {
          return reply(api::ErrorResponse(s.error()));
        }
        auto id = api::ParseId(req.Param("id"), "id");
        if (!id) return reply(api::ErrorResponse(id.error()));
        const std::string actor = req.actor->audit_name;
        api::Commit(
            store, req, reply, 200, [id = *id, actor](store::WriteTx& tx) -> Result<json::value> {
              OMBUD_RETURN_IF_ERROR(tx.RetryOutbox(id));
              OMBUD_ASSIGN_OR_RETURN(auto row, tx.GetOutbox(id));
              const std::string subject = row.message.ticket_id
                                              ? "ticket:" + std::to_string(*row.message.ticket_id)
                                              : "outbox:" + std::to_string(id);
              OMBUD_RETURN_IF_ERROR(tx.Audit(actor, "outbox.retry", subject,
                                             json::serialize(json::object{{"outbox_id", id}})));
              return json::value(OutboxJson(row));
            });
      });
}

void AddKannelRoutes(api::Router& router, store::Store& store,
                     std::shared_ptr<const desk::Policy> policy, const DeliveryConfig& config) {
  router.Add("GET", "/api/v1/sms/kannel/inbound", api::Access::kPublic,
             [&store, policy, &config](api::Request& req, api::Reply reply) {
               if (auto rejected = RejectCallback(config, req)) return reply(*rejected);
               auto sms = channels::sms::ParseKannelCallback(WithoutSecret(req));
               if (!sms) return reply(api::ErrorResponse(sms.error()));
               desk::InboundMessage m;
               m.channel = domain::Channel::kSms;
               m.sender.kind = domain::IdentityKind::kPhone;
               auto phone =
                   domain::NormalizeIdentity(domain::IdentityKind::kPhone, sms->from, "from");
               if (!phone) return reply(api::ErrorResponse(phone.error()));
               m.sender.value = *phone;
               m.body = sms->text;
               m.subject = sms->text.substr(0, std::min<std::size_t>(sms->text.size(), 60));
               m.message_id = SmsMessageId(*sms);
               // SMS has no thread ids: a customer quoting the ticket number answers that ticket.
               m.ticket_number = channels::email::ExtractTicketNumber(sms->text);
               desk::IngestOutcome outcome;
               auto written = store.WriteSync([&](store::WriteTx& tx) -> Status {
                 OMBUD_ASSIGN_OR_RETURN(outcome, desk::IngestMessage(tx, m, policy.get()));
                 return {};
               });
               if (!written) return reply(api::ErrorResponse(written.error()));
               // An empty body: Kannel would send a non-empty one back to the customer as a reply.
               reply(api::Response{200, "", "text/plain", {{"X-Ombud-Action", outcome.action}}});
             });

  router.Add("GET", "/api/v1/sms/kannel/dlr", api::Access::kPublic,
             [&store, &config](api::Request& req, api::Reply reply) {
               if (auto rejected = RejectCallback(config, req)) return reply(*rejected);
               auto dlr = channels::sms::ParseKannelDlr(WithoutSecret(req));
               if (!dlr) return reply(api::ErrorResponse(dlr.error()));
               auto id = api::ParseId(dlr->message_ref, "ref");
               if (!id) return reply(api::ErrorResponse(id.error()));
               const std::string state(channels::sms::Name(dlr->state));
               auto written = store.WriteSync([&](store::WriteTx& tx) -> Status {
                 OMBUD_ASSIGN_OR_RETURN(auto row, tx.GetOutbox(*id));
                 // Reports can arrive out of order: a final state is not undone.
                 if (IsFinalDelivery(row.delivery_state) && !IsFinalDelivery(state)) return {};
                 OMBUD_RETURN_IF_ERROR(tx.SetOutboxDelivery(*id, state));
                 const std::string subject =
                     row.message.ticket_id ? "ticket:" + std::to_string(*row.message.ticket_id)
                                           : "outbox:" + std::to_string(*id);
                 return tx.Audit("kannel", "outbox.delivery", subject,
                                 json::serialize(json::object{{"outbox_id", *id},
                                                              {"delivery_state", state},
                                                              {"smsc_reply", dlr->smsc_reply},
                                                              {"smsc", dlr->smsc_id}}));
               });
               if (!written) return reply(api::ErrorResponse(written.error()));
               reply(api::Response{200, "", "text/plain", {}});
             });
}

}  // namespace

void AddDeliveryOptions(CLI::App& serve, DeliveryConfig& c) {
  serve.add_option("--smtp-url", c.smtp_url,
                   "SMTP server for outgoing e-mail: smtp://host:port[/ehlo-domain] "
                   "(STARTTLS required) or smtps://host:port");
  serve.add_option("--smtp-user", c.smtp_user, "SMTP AUTH user (none when empty)");
  serve.add_option("--smtp-password", c.smtp_password, "SMTP AUTH password")
      ->envname("OMBUD_SMTP_PASSWORD");
  serve.add_flag("--smtp-plain", c.smtp_plain,
                 "Allow smtp:// without STARTTLS (a relay on the same host)");
  serve.add_option("--mail-from", c.mail_from, "From of outgoing e-mail: 'Name <address>'");
  serve.add_option("--email-rate", c.email_per_second, "E-mails per second at most (0: no limit)")
      ->check(CLI::Range(0.0, 10000.0));
  serve.add_option("--kannel-url", c.kannel_url,
                   "Kannel smsbox sendsms URL, e.g. http://127.0.0.1:13013/cgi-bin/sendsms");
  serve.add_option("--kannel-user", c.kannel_user, "Kannel sendsms-user username");
  serve.add_option("--kannel-password", c.kannel_password, "Kannel sendsms-user password")
      ->envname("OMBUD_KANNEL_PASSWORD");
  serve.add_option("--kannel-from", c.kannel_from, "SMS sender number or name");
  serve.add_option("--kannel-smsc", c.kannel_smsc, "Kannel smsc-id to route through");
  serve.add_option("--sms-rate", c.sms_per_second, "SMS per second at most (0: no limit)")
      ->check(CLI::Range(0.0, 10000.0));
  serve
      .add_option("--kannel-secret", c.kannel_secret,
                  "Shared secret Kannel's get-url and dlr-url callbacks carry as ?secret=")
      ->envname("OMBUD_KANNEL_SECRET");
  serve.add_option("--callback-base-url", c.callback_base_url,
                   "How Kannel reaches this server (default: http://<listen address>)");
  serve.add_option("--delivery-attempts", c.max_attempts, "Send attempts before a dead letter")
      ->check(CLI::Range(1, 100));
  serve
      .add_option("--delivery-backoff-ms", c.backoff_base_ms,
                  "First retry delay ceiling; doubles each attempt (full jitter)")
      ->check(CLI::Range(1, 86400000));
  serve.add_option("--delivery-backoff-max-ms", c.backoff_max_ms, "Largest retry delay ceiling")
      ->check(CLI::Range(1, 86400000));
}

bool ParseMailbox(const std::string& text, std::string& name, std::string& address) {
  const auto open = text.find('<');
  const auto close = text.rfind('>');
  if (open != std::string::npos && close != std::string::npos && close > open) {
    address = text.substr(open + 1, close - open - 1);
    name = std::string(channels::Trim(text.substr(0, open)));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
      name = name.substr(1, name.size() - 2);
    }
  } else {
    address = std::string(channels::Trim(text));
    name.clear();
  }
  return address.find('@') != std::string::npos;
}

std::unique_ptr<jobs::OutboxWorker> MakeOutboxWorker(store::Store& store, const Clock& clock,
                                                     const DeliveryConfig& config) {
  jobs::DeliveryOptions options;
  char host[256] = "ombud";
  (void)gethostname(host, sizeof host - 1);
  options.node = host;
  options.max_attempts = std::max(1, config.max_attempts);
  options.backoff_base = std::chrono::milliseconds(std::max(1, config.backoff_base_ms));
  options.backoff_max = std::chrono::milliseconds(std::max(1, config.backoff_max_ms));
  options.log = [](const std::string& level, const std::string& message) { Log(level, message); };
  return std::make_unique<jobs::OutboxWorker>(store, clock, options);
}

Status RegisterSenders(jobs::OutboxWorker& worker, const DeliveryConfig& config,
                       const std::string& default_base_url,
                       const store::AttachmentStore& attachments) {
  // A configuration mistake must stop the start, not turn every message into a dead letter.
  jobs::EmailSenderConfig email;
  if (!config.smtp_url.empty()) {
    if (!std::string_view(config.smtp_url).starts_with("smtp://") &&
        !std::string_view(config.smtp_url).starts_with("smtps://")) {
      return Fail(ErrorCode::kInvalidArgument, "--smtp-url must start with smtp:// or smtps://",
                  "smtp-url");
    }
    if (!ParseMailbox(config.mail_from, email.from.name, email.from.address)) {
      return Fail(ErrorCode::kInvalidArgument,
                  "--mail-from must name an address ('Name <address>') with --smtp-url",
                  "mail-from");
    }
  }
  if (!config.kannel_url.empty() && !std::string_view(config.kannel_url).starts_with("http://") &&
      !std::string_view(config.kannel_url).starts_with("https://")) {
    return Fail(ErrorCode::kInvalidArgument, "--kannel-url must be an http(s) URL", "kannel-url");
  }
  if (!config.smtp_url.empty()) {
    email.smtp.url = config.smtp_url;
    email.smtp.username = config.smtp_user;
    email.smtp.password = config.smtp_password;
    email.smtp.starttls = !config.smtp_plain;
    email.attachments = &attachments;
    worker.Register(domain::Channel::kEmail, std::make_shared<jobs::EmailSender>(email),
                    {config.email_per_second, std::max(1.0, config.email_per_second)});
    Log("info", "delivering e-mail", {{"smtp", config.smtp_url}, {"from", email.from.address}});
  } else {
    Log("warn", "e-mail is not configured (--smtp-url, --mail-from): e-mail stays pending");
  }

  if (!config.kannel_url.empty()) {
    channels::sms::KannelConfig kannel;
    kannel.sendsms_url = config.kannel_url;
    kannel.username = config.kannel_user;
    kannel.password = config.kannel_password;
    kannel.from = config.kannel_from;
    kannel.smsc = config.kannel_smsc;
    std::string dlr;
    if (!config.kannel_secret.empty()) {
      const std::string base =
          config.callback_base_url.empty() ? default_base_url : config.callback_base_url;
      dlr = base + "/api/v1/sms/kannel/dlr?secret=" + channels::UrlEncode(config.kannel_secret);
    }
    worker.Register(domain::Channel::kSms, std::make_shared<jobs::KannelSender>(kannel, dlr),
                    {config.sms_per_second, std::max(1.0, config.sms_per_second)});
    Log("info", "delivering SMS through Kannel",
        {{"sendsms", config.kannel_url}, {"dlr", dlr.empty() ? "off" : "on"}});
  } else {
    Log("warn", "SMS is not configured (--kannel-url): SMS stays pending");
  }
  return {};
}

void RegisterDeliveryRoutes(api::Router& router, store::Store& store,
                            std::shared_ptr<const desk::Policy> policy,
                            const DeliveryConfig& config) {
  AddOutboxRoutes(router, store);
  AddKannelRoutes(router, store, std::move(policy), config);
}

}  // namespace ombud::app
