#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/model.hpp"
#include "domain/result.hpp"

// SMS through Kannel: send with smsbox's HTTP sendsms interface, receive through an
// sms-service get-url callback, delivery reports through the dlr-url callback. Kannel has no
// message id of its own to dedupe on: see docs/channels.md. Thread-safe.
namespace ombud::channels::sms {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

struct KannelConfig {
  std::string sendsms_url = "http://127.0.0.1:13013/cgi-bin/sendsms";
  std::string username;  // sendsms-user group
  std::string password;
  std::string from;   // Sender number or alphanumeric id; empty: the smsc default.
  std::string smsc;   // Route to this smsc-id; empty: Kannel's routing.
  int dlr_mask = 31;  // 1 delivered, 2 failed, 4 buffered, 8 smsc submit, 16 smsc reject.
  std::chrono::milliseconds timeout{15000};
};

// The full sendsms URL for `text` to `to` (digits with an optional leading '+'). GSM-7 text
// goes as it is; anything else with coding=2&charset=UTF-8 so Kannel sends UCS-2. Long text
// sets max-messages to the number of parts (Kannel concatenates with a UDH). `dlr_url`, when
// not empty, is our callback with Kannel's escapes (see KannelDlrUrl).
Result<std::string> KannelSendUrl(const KannelConfig& config, std::string_view to,
                                  std::string_view text, std::string_view dlr_url);

// Sends through smsbox. kUnavailable for transport errors and 5xx (retry), kFailedPrecondition
// for 403 (credentials), kInvalidArgument for other 4xx (the request itself is wrong).
Status KannelSend(const KannelConfig& config, std::string_view to, std::string_view text,
                  std::string_view dlr_url);

// Our dlr-url: `callback` plus ref=`message_ref` and Kannel's escapes type=%d, ts=%T,
// smsc=%i, reply=%A, to=%p.
std::string KannelDlrUrl(std::string_view callback, std::string_view message_ref);

struct InboundSms {
  std::string from;  // The customer's number as Kannel gave it.
  std::string to;    // Our number or short code.
  std::string text;  // UTF-8.
  std::string smsc_id;
  std::optional<domain::Millis> received_at;
};

// The sms-service get-url callback, configured as
//   get-url = "http://HOST/PATH?from=%p&to=%P&text=%b&coding=%c&charset=%C&smsc=%i&ts=%T"
// (`text` may also be %a). Params are URL-decoded pairs. The text is converted to UTF-8 from
// `charset` (UTF-16BE for coding=2). Errors name the parameter.
Result<InboundSms> ParseKannelCallback(const QueryParams& params);

enum class DeliveryState { kDelivered, kFailed, kBuffered, kSmscSubmitted, kSmscRejected };
std::string_view Name(DeliveryState state);

struct DeliveryReport {
  std::string message_ref;  // Our reference from the dlr-url.
  DeliveryState state = DeliveryState::kDelivered;
  std::string smsc_reply;  // %A, the SMSC's own words.
  std::string smsc_id;
  std::optional<domain::Millis> at;
  // True for the two final states (delivered, failed); the others may be followed by more.
  bool final() const {
    return state == DeliveryState::kDelivered || state == DeliveryState::kFailed;
  }
};

// The dlr-url callback made by KannelDlrUrl: ref and type (1, 2, 4, 8, 16) required.
Result<DeliveryReport> ParseKannelDlr(const QueryParams& params);

}  // namespace ombud::channels::sms
