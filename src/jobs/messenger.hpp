#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "channels/messenger/messenger.hpp"
#include "desk/inbound.hpp"
#include "desk/policy.hpp"
#include "jobs/outbox_worker.hpp"
#include "store/store.hpp"

// Facebook Messenger wired to the desk: webhook events filed as tickets and articles, outbox
// messages delivered through the Send API. Thread-safe (no state of its own).
namespace ombud::jobs {

struct MessengerPage {
  std::string page_id;
  std::string access_token;  // Page access token for the Send API.
};

struct MessengerSettings {
  std::string app_secret;    // Signs webhook POSTs (X-Hub-Signature-256).
  std::string verify_token;  // Answered by the subscription handshake.
  std::vector<MessengerPage> pages;
  std::string graph_base_url = std::string(channels::messenger::kDefaultGraphBaseUrl);

  bool configured() const { return !app_secret.empty(); }
};

// "PAGE_ID=ACCESS_TOKEN", as given to `ombud serve --messenger-page`.
Result<MessengerPage> ParseMessengerPage(std::string_view spec);

// The desk message of a customer's message or postback; nullopt for events Ombud does not
// file (echoes of the page's own messages, deliveries, reads, others). The message id is
// "fb:<mid>" so a webhook Facebook retries is dropped as a duplicate; a quoted message
// (reply_to) is the thread key; attachments are recorded as links in the body.
std::optional<desk::InboundMessage> ToInboundMessage(
    const channels::messenger::MessengerEvent& event);

// Files `events` in `tx`: a message joins the customer's newest unresolved Messenger ticket
// (a Messenger conversation has no subject to thread by), else opens a new ticket. Returns
// one outcome per filed event.
Result<std::vector<desk::IngestOutcome>> IngestMessengerEvents(
    store::WriteTx& tx, const std::vector<channels::messenger::MessengerEvent>& events,
    const desk::Policy* policy);

// Delivers one outbox message of channel messenger: `recipient` is the customer's PSID, or
// "PAGE_ID:PSID" to choose the page; a bare PSID goes through the first configured page. Text
// over Messenger's 2,000 characters is sent as several messages. The Send API has no
// idempotency key: a crash between sending and marking sent can repeat a message.
// Errors as channels::messenger::SendMessage; kFailedPrecondition without a page.
Status SendMessengerOutbox(const MessengerSettings& settings, const store::OutboxMessage& message);

// The outbox worker's sender for channel messenger (app/delivery.cpp registers it when a page
// is configured). Facebook has no idempotency key on the Send API: a crash between sending
// and marking sent can repeat a reply (docs/channels.md, "Delivery").
class MessengerSender final : public Sender {
 public:
  explicit MessengerSender(MessengerSettings settings) : settings_(std::move(settings)) {}
  Result<SendOutcome> Send(const store::OutboxRow& row, const DeliveryContext& context) override;

 private:
  MessengerSettings settings_;
};

// Splits `text` into pieces of at most `max_chars` UTF-8 characters, at a line break or a
// space where there is one in the second half of a piece.
std::vector<std::string> SplitMessengerText(std::string_view text, std::size_t max_chars = 2000);

}  // namespace ombud::jobs
