#pragma once

#include <memory>
#include <string>

#include "api/router.hpp"
#include "desk/policy.hpp"
#include "domain/clock.hpp"
#include "jobs/outbox_worker.hpp"
#include "store/attachment_store.hpp"
#include "store/store.hpp"

namespace CLI {
class App;
}

// Wiring of outbound delivery and the Kannel callbacks into `ombud serve`.
namespace ombud::app {

struct DeliveryConfig {
  // E-mail: delivered only when smtp_url and mail_from are set.
  std::string smtp_url;  // smtp://host:port[/ehlo-domain] or smtps://host:port
  std::string smtp_user;
  std::string smtp_password;
  bool smtp_plain = false;  // Allow smtp:// without STARTTLS (a local relay).
  std::string mail_from;    // "Name <address>" or "address".
  double email_per_second = 0;
  // SMS: delivered only when kannel_url is set.
  std::string kannel_url;  // smsbox sendsms, http://host:13013/cgi-bin/sendsms
  std::string kannel_user;
  std::string kannel_password;
  std::string kannel_from;
  std::string kannel_smsc;
  double sms_per_second = 0;
  // Kannel's callbacks (get-url, dlr-url) must carry ?secret=<this>; empty disables them.
  std::string kannel_secret;
  // How Kannel reaches this server (for the dlr-url); default http://<listen address>.
  std::string callback_base_url;
  // Retries.
  int max_attempts = 8;
  int backoff_base_ms = 30000;
  int backoff_max_ms = 3600000;
};

// The `ombud serve` flags of `config` (secrets also from OMBUD_SMTP_PASSWORD,
// OMBUD_KANNEL_PASSWORD and OMBUD_KANNEL_SECRET).
void AddDeliveryOptions(CLI::App& serve, DeliveryConfig& config);

// "Name <a@b>" or "a@b" into its parts; false when there is no address.
bool ParseMailbox(const std::string& text, std::string& name, std::string& address);

// The outbox worker of `ombud serve`, without senders (not started).
std::unique_ptr<jobs::OutboxWorker> MakeOutboxWorker(store::Store& store, const Clock& clock,
                                                     const DeliveryConfig& config);

// Registers a sender for every configured channel; logs each channel that stays undelivered
// for lack of configuration. `default_base_url` is how Kannel reaches this server unless
// configured. invalid_argument (naming the flag) for a malformed URL or sender.
// `attachments` (outliving the worker) holds the files answers send. REQUIRES: before
// worker.Start().
Status RegisterSenders(jobs::OutboxWorker& worker, const DeliveryConfig& config,
                       const std::string& default_base_url,
                       const store::AttachmentStore& attachments);

// The admin outbox routes (list, retry) and Kannel's inbound and DLR callbacks.
void RegisterDeliveryRoutes(api::Router& router, store::Store& store,
                            std::shared_ptr<const desk::Policy> policy,
                            const DeliveryConfig& config);

}  // namespace ombud::app
