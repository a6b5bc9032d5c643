#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/model.hpp"
#include "domain/result.hpp"

// Facebook Messenger Platform: webhook verification and signature, webhook events, and the
// Send API. Thread-safe.
namespace ombud::channels::messenger {

inline constexpr std::string_view kDefaultGraphBaseUrl = "https://graph.facebook.com/v18.0";

// The GET handshake: when hub.mode is "subscribe" and hub.verify_token equals
// `expected_token` (constant time), the body to answer is hub.challenge. Otherwise
// kPermissionDenied; kFailedPrecondition when no token is configured.
Result<std::string> VerifySubscription(std::string_view mode, std::string_view token,
                                       std::string_view challenge, std::string_view expected_token);

// True when `signature_header` (X-Hub-Signature-256, "sha256=<64 hex>") is the HMAC-SHA256 of
// the raw request body under the app secret. Compared in constant time.
bool VerifySignature(std::string_view app_secret, std::string_view raw_body,
                     std::string_view signature_header);

// "sha256=<hex>" for `raw_body`: what Facebook sends (tests and local tools use it).
std::string SignatureHeader(std::string_view app_secret, std::string_view raw_body);

struct MessengerAttachment {
  std::string type;  // image, video, audio, file, location, fallback, …
  std::string url;   // payload.url when there is one.
};

enum class EventKind { kMessage, kEcho, kPostback, kDelivery, kRead, kOther };
std::string_view Name(EventKind kind);

struct MessengerEvent {
  EventKind kind = EventKind::kMessage;
  std::string page_id;    // entry[].id
  std::string sender_id;  // PSID of the customer (the page for echoes)
  std::string recipient_id;
  domain::Millis timestamp = 0;
  std::string mid;  // Message id: the dedupe key of kMessage and kEcho.
  std::string text;
  std::vector<MessengerAttachment> attachments;
  std::string postback_payload;  // kPostback
  std::string reply_to_mid;      // message.reply_to.mid when the customer quoted a message
};

// Parses a webhook POST body (object "page"). Strict on shape and types (errors name the
// path, e.g. entry[0].messaging[1].sender.id), tolerant of fields it does not know, since
// Facebook adds them. Events Ombud does not use come back as kOther. Never throws.
Result<std::vector<MessengerEvent>> ParseWebhook(std::string_view raw_body);

// The Send API body for a text reply: {"recipient":{"id":…},"messaging_type":"RESPONSE",
// "message":{"text":…}}.
std::string BuildSendRequest(std::string_view recipient_psid, std::string_view text);

// POSTs `body` to `base_url`/me/messages with the page access token (Authorization: Bearer).
// kUnavailable for transport errors, 429 and 5xx; kFailedPrecondition for 401/403 (token);
// kInvalidArgument for other 4xx, with Facebook's error message.
Status SendMessage(std::string_view base_url, std::string_view page_token, std::string_view body);

}  // namespace ombud::channels::messenger
