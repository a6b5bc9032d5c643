#include "app/channel_setup.hpp"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include "api/call_routes.hpp"
#include "api/handler_support.hpp"
#include "app/log.hpp"
#include "channels/phone/cti.hpp"
#include "desk/calls.hpp"
#include "store/audit_chain.hpp"

namespace ombud::app {

namespace json = boost::json;
namespace messenger = channels::messenger;

namespace {

api::Response NotConfigured(std::string_view what) {
  return api::ErrorResponse(404, "not_found", "the " + std::string(what) + " is not configured");
}

void AddMessengerRoutes(api::Router& router, store::Store& store,
                        std::shared_ptr<const desk::Policy> policy,
                        const jobs::MessengerSettings& settings) {
  router.Add("GET", "/api/v1/messenger/webhook", api::Access::kPublic,
             [settings](api::Request& req, api::Reply reply) {
               if (!settings.configured()) return reply(NotConfigured("Messenger channel"));
               auto challenge = messenger::VerifySubscription(
                   req.Query("hub.mode").value_or(""), req.Query("hub.verify_token").value_or(""),
                   req.Query("hub.challenge").value_or(""), settings.verify_token);
               if (!challenge) return reply(api::ErrorResponse(challenge.error()));
               reply(api::Response{200, std::move(*challenge), "text/plain", {}});
             });
  router.Add(
      "POST", "/api/v1/messenger/webhook", api::Access::kPublic,
      [&store, policy, settings](api::Request& req, api::Reply reply) {
        if (!settings.configured()) return reply(NotConfigured("Messenger channel"));
        // The signature covers the raw bytes as sent: checked before anything parses them.
        if (!messenger::VerifySignature(settings.app_secret, req.body,
                                        req.header("X-Hub-Signature-256"))) {
          return reply(api::ErrorResponse(403, "permission_denied",
                                          "X-Hub-Signature-256 is not the app secret's signature "
                                          "of this body",
                                          "X-Hub-Signature-256"));
        }
        auto events = messenger::ParseWebhook(req.body);
        if (!events) return reply(api::ErrorResponse(events.error()));
        auto outcomes = std::make_shared<std::vector<desk::IngestOutcome>>();
        store.Write(
            [events = std::move(*events), policy, outcomes](store::WriteTx& tx) -> Status {
              OMBUD_ASSIGN_OR_RETURN(*outcomes,
                                     jobs::IngestMessengerEvents(tx, events, policy.get()));
              return {};
            },
            [outcomes, reply](Status done) {
              if (!done) return reply(api::ErrorResponse(done.error()));
              json::array filed;
              for (const auto& o : *outcomes) {
                filed.push_back(json::object{
                    {"action", o.action},
                    {"ticket", o.ticket ? json::value(o.ticket->number) : json::value(nullptr)}});
              }
              reply(api::Json(200, json::object{{"filed", std::move(filed)}}));
            });
      });
}

void AddCtiRoute(api::Router& router, store::Store& store,
                 std::shared_ptr<const desk::Policy> policy, std::string secret) {
  router.Add("POST", "/api/v1/cti/events", api::Access::kPublic,
             [&store, policy, secret](api::Request& req, api::Reply reply) {
               if (secret.empty()) return reply(NotConfigured("CTI webhook"));
               const std::string_view auth = req.header("Authorization");
               constexpr std::string_view kBearer = "Bearer ";
               if (auth.substr(0, kBearer.size()) != kBearer ||
                   !store::SecretEquals(auth.substr(kBearer.size()), secret)) {
                 return reply(api::ErrorResponse(401, "unauthenticated",
                                                 "Authorization must be Bearer <the CTI secret>",
                                                 "Authorization"));
               }
               auto event = channels::phone::ParseCtiEvent(req.body);
               if (!event) return reply(api::ErrorResponse(event.error()));
               desk::LogCallCmd cmd;
               cmd.call_id = event->call_id;
               cmd.caller = {domain::IdentityKind::kPhone, event->customer_number()};
               cmd.direction = event->direction;
               cmd.started_at = event->started_at;
               cmd.ended_at = event->ended_at;
               cmd.outcome = std::string(channels::phone::Name(event->outcome));
               cmd.notes = event->notes;
               cmd.agent = event->agent_login;
               cmd.recording_url = event->recording_url;
               cmd.join_open_ticket = true;
               auto logged = std::make_shared<desk::CallLogged>();
               store.Write(
                   [cmd = std::move(cmd), policy, logged](store::WriteTx& tx) -> Status {
                     OMBUD_ASSIGN_OR_RETURN(
                         *logged,
                         desk::LogCall(tx, desk::SystemActor("channel:phone"), cmd, policy.get()));
                     return {};
                   },
                   [logged, reply](Status done) {
                     if (!done) return reply(api::ErrorResponse(done.error()));
                     reply(api::Json(logged->action == "created" ? 201 : 200,
                                     api::CallLoggedJson(*logged)));
                   });
             });
}

}  // namespace

void AddChannelFlags(CLI::App& serve, ChannelOptions& o) {
  serve
      .add_option("--messenger-app-secret", o.messenger_app_secret,
                  "Facebook app secret: checks X-Hub-Signature-256 of Messenger webhooks")
      ->envname("OMBUD_MESSENGER_APP_SECRET");
  serve
      .add_option("--messenger-verify-token", o.messenger_verify_token,
                  "Token the Messenger webhook subscription must present")
      ->envname("OMBUD_MESSENGER_VERIFY_TOKEN");
  serve
      .add_option("--messenger-page", o.messenger_pages,
                  "PAGE_ID=PAGE_ACCESS_TOKEN of a Facebook page answering on Messenger "
                  "(repeatable; the first is the default)")
      ->envname("OMBUD_MESSENGER_PAGES");
  serve.add_option("--messenger-graph-url", o.messenger_graph_url,
                   "Base URL of the Graph API (Send API)");
  serve
      .add_option("--cti-secret", o.cti_secret,
                  "Shared secret of the telephony system posting to /api/v1/cti/events")
      ->envname("OMBUD_CTI_SECRET");
  serve.add_option("--imap-url", o.imap_url, "imap://HOST:PORT or imaps://HOST:PORT to poll");
  serve.add_option("--imap-user", o.imap_user, "IMAP login");
  serve.add_option("--imap-password", o.imap_password, "IMAP password")
      ->envname("OMBUD_IMAP_PASSWORD");
  serve.add_option("--imap-mailbox", o.imap_mailbox, "Mailbox to poll (default INBOX)");
  serve.add_flag("--imap-no-idle", o.imap_no_idle,
                 "Poll every --imap-interval even when the server offers IDLE");
  serve
      .add_option("--imap-interval", o.imap_interval_seconds,
                  "Seconds between IMAP polls (with IDLE: the longest IDLE before a poll)")
      ->check(CLI::Range(1, 86400));
  serve.add_flag("--imap-plaintext", o.imap_plaintext,
                 "Log in to an imap:// server without STARTTLS (a server on this host only)");
  serve.add_option("--imap-ca-file", o.imap_ca_file, "CA certificates for the IMAP server");
}

Result<jobs::MessengerSettings> MessengerSettingsFrom(const ChannelOptions& o) {
  jobs::MessengerSettings s;
  s.app_secret = o.messenger_app_secret;
  s.verify_token = o.messenger_verify_token;
  s.graph_base_url = o.messenger_graph_url;
  for (const auto& spec : o.messenger_pages) {
    OMBUD_ASSIGN_OR_RETURN(auto page, jobs::ParseMessengerPage(spec));
    s.pages.push_back(std::move(page));
  }
  return s;
}

void RegisterChannelRoutes(api::Router& router, store::Store& store,
                           std::shared_ptr<const desk::Policy> policy,
                           jobs::MessengerSettings messenger, std::string cti_secret) {
  AddMessengerRoutes(router, store, policy, messenger);
  AddCtiRoute(router, store, policy, std::move(cti_secret));
}

std::unique_ptr<jobs::ImapPoller> MakeImapPoller(const ChannelOptions& o, store::Store& store,
                                                 store::AttachmentStore& attachments,
                                                 const desk::Policy* policy) {
  if (o.imap_url.empty()) return nullptr;
  jobs::ImapPollerOptions options;
  options.imap.url = o.imap_url;
  options.imap.mailbox = o.imap_mailbox;
  options.imap.username = o.imap_user;
  options.imap.password = o.imap_password;
  options.imap.starttls = !o.imap_plaintext;
  options.imap.ca_file = o.imap_ca_file;
  options.interval = std::chrono::seconds(o.imap_interval_seconds);
  options.idle = !o.imap_no_idle;
  options.on_error = [url = o.imap_url](const Error& e) {
    Log("warn", "imap poll", {{"url", url}, {"error", e.message}});
  };
  return std::make_unique<jobs::ImapPoller>(store, attachments, policy, std::move(options));
}

void RegisterMessengerSender(jobs::OutboxWorker& worker, const jobs::MessengerSettings& settings) {
  if (!settings.configured() || settings.pages.empty()) {
    Log("warn",
        "Messenger is not configured (--messenger-app-secret, --messenger-page): "
        "Messenger replies stay pending");
    return;
  }
  // The Send API allows far more; 20/s keeps a burst of answers from tripping its limits.
  worker.Register(domain::Channel::kMessenger, std::make_shared<jobs::MessengerSender>(settings),
                  {20, 20});
  Log("info", "delivering Messenger replies", {{"graph", settings.graph_base_url}});
}

}  // namespace ombud::app
