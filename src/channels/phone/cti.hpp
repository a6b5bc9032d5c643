#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "domain/model.hpp"
#include "domain/result.hpp"

// Phone calls from a telephony system (CTI): one JSON event per finished or started call,
// POSTed to Ombud's webhook. The schema is documented in docs/channels.md:
//   {"call_id","from","to","direction":"inbound|outbound","started_at","ended_at",
//    "agent_login","outcome","notes","recording_url"}
// Thread-safe.
namespace ombud::channels::phone {

enum class CallOutcome { kUnknown, kAnswered, kMissed, kAbandoned, kVoicemail, kBusy, kFailed };
std::string_view Name(CallOutcome outcome);

struct CallEvent {
  std::string call_id;  // The telephony system's id: the dedupe key of the call record.
  std::string from;     // Normalised phone number (digits, optional leading '+').
  std::string to;
  domain::Direction direction = domain::Direction::kInbound;
  domain::Millis started_at = 0;
  std::optional<domain::Millis> ended_at;  // Absent while the call is in progress.
  std::string agent_login;
  CallOutcome outcome = CallOutcome::kUnknown;
  std::string notes;
  std::string recording_url;  // http(s) URL or empty.

  // The customer's number: `from` for inbound calls, `to` for outbound ones.
  const std::string& customer_number() const {
    return direction == domain::Direction::kInbound ? from : to;
  }
};

// Strict: unknown fields, wrong types, bad numbers, times that are not RFC 3339, ended_at
// before started_at and unknown outcomes are kInvalidArgument errors naming the field.
Result<CallEvent> ParseCtiEvent(std::string_view raw);

}  // namespace ombud::channels::phone
