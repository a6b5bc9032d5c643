#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/router.hpp"
#include "desk/policy.hpp"
#include "jobs/imap_poller.hpp"
#include "jobs/messenger.hpp"
#include "store/attachment_store.hpp"
#include "store/store.hpp"

namespace CLI {
class App;
}

// `ombud serve` configuration of the Messenger, phone (CTI) and IMAP channels, and their
// webhook routes (docs/channels.md).
namespace ombud::app {

struct ChannelOptions {
  std::string messenger_app_secret;  // Empty: the Messenger webhook answers 404.
  std::string messenger_verify_token;
  std::vector<std::string> messenger_pages;  // PAGE_ID=ACCESS_TOKEN
  std::string messenger_graph_url = std::string(channels::messenger::kDefaultGraphBaseUrl);
  std::string cti_secret;  // Empty: the CTI webhook answers 404.
  std::string imap_url;    // Empty: no IMAP poller.
  std::string imap_user;
  std::string imap_password;
  std::string imap_mailbox = "INBOX";
  int imap_interval_seconds = 60;
  bool imap_plaintext = false;  // imap:// without STARTTLS (a server on the same host).
  bool imap_no_idle = false;    // Poll on the interval even where the server offers IDLE.
  std::string imap_ca_file;
};

// Adds the --messenger-*, --cti-* and --imap-* options (secrets also from the environment).
void AddChannelFlags(CLI::App& serve, ChannelOptions& options);

// The Messenger settings of `options`; kInvalidArgument for a malformed page.
Result<jobs::MessengerSettings> MessengerSettingsFrom(const ChannelOptions& options);

// Hands Messenger replies in the outbox to the Send API when a page is configured; logs that
// they stay pending otherwise. REQUIRES: before worker.Start().
void RegisterMessengerSender(jobs::OutboxWorker& worker, const jobs::MessengerSettings& settings);

// GET/POST /api/v1/messenger/webhook and POST /api/v1/cti/events (public routes,
// authenticated by the app secret's signature and the CTI shared secret).
void RegisterChannelRoutes(api::Router& router, store::Store& store,
                           std::shared_ptr<const desk::Policy> policy,
                           jobs::MessengerSettings messenger, std::string cti_secret);

// The IMAP poller of `options`, not started; null when no --imap-url is given.
std::unique_ptr<jobs::ImapPoller> MakeImapPoller(const ChannelOptions& options, store::Store& store,
                                                 store::AttachmentStore& attachments,
                                                 const desk::Policy* policy);

}  // namespace ombud::app
