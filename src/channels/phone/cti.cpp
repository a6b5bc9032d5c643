#include "channels/phone/cti.hpp"

#include <array>
#include <boost/json.hpp>

#include "channels/text.hpp"

namespace ombud::channels::phone {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxBody = 64 * 1024;

constexpr std::array<std::string_view, 10> kFields = {
    "call_id",  "from",        "to",      "direction", "started_at",
    "ended_at", "agent_login", "outcome", "notes",     "recording_url"};

// A string field: absent or null gives nullopt when optional.
Result<std::optional<std::string>> StringField(const json::object& o, std::string_view name,
                                               bool required, std::size_t max_len) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr || v->is_null()) {
    if (required) {
      return Fail(ErrorCode::kInvalidArgument, std::string(name) + " is required",
                  std::string(name));
    }
    return std::optional<std::string>();
  }
  if (!v->is_string()) {
    return Fail(ErrorCode::kInvalidArgument, std::string(name) + " must be a string",
                std::string(name));
  }
  const json::string& s = v->get_string();
  if (s.size() > max_len) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(name) + " is longer than " + std::to_string(max_len) + " bytes",
                std::string(name));
  }
  if (required && Trim(std::string_view(s.data(), s.size())).empty()) {
    return Fail(ErrorCode::kInvalidArgument, std::string(name) + " must not be empty",
                std::string(name));
  }
  return std::optional<std::string>(std::string(s.data(), s.size()));
}

Result<CallOutcome> ParseOutcome(std::string_view s) {
  static constexpr std::array<std::pair<std::string_view, CallOutcome>, 6> kOutcomes = {{
      {"answered", CallOutcome::kAnswered},
      {"missed", CallOutcome::kMissed},
      {"abandoned", CallOutcome::kAbandoned},
      {"voicemail", CallOutcome::kVoicemail},
      {"busy", CallOutcome::kBusy},
      {"failed", CallOutcome::kFailed},
  }};
  for (const auto& [name, outcome] : kOutcomes) {
    if (s == name) return outcome;
  }
  return Fail(ErrorCode::kInvalidArgument,
              "outcome must be answered, missed, abandoned, voicemail, busy or failed", "outcome");
}

}  // namespace

std::string_view Name(CallOutcome outcome) {
  switch (outcome) {
    case CallOutcome::kUnknown:
      return "unknown";
    case CallOutcome::kAnswered:
      return "answered";
    case CallOutcome::kMissed:
      return "missed";
    case CallOutcome::kAbandoned:
      return "abandoned";
    case CallOutcome::kVoicemail:
      return "voicemail";
    case CallOutcome::kBusy:
      return "busy";
    case CallOutcome::kFailed:
      return "failed";
  }
  return "unknown";
}

Result<CallEvent> ParseCtiEvent(std::string_view raw) {
  if (raw.size() > kMaxBody) {
    return Fail(ErrorCode::kPayloadTooLarge, "CTI event larger than 64 KiB", "body");
  }
  json::parse_options options;
  options.max_depth = 8;
  std::error_code ec;
  json::value root;
  try {
    root = json::parse(raw, ec, json::storage_ptr(), options);
  } catch (const std::exception& e) {  // Only allocation failures throw with an error_code.
    return Fail(ErrorCode::kInvalidArgument, std::string("cannot parse JSON: ") + e.what(), "body");
  }
  if (ec)
    return Fail(ErrorCode::kInvalidArgument, "body is not valid JSON: " + ec.message(), "body");
  const json::object* o = root.if_object();
  if (o == nullptr) return Fail(ErrorCode::kInvalidArgument, "body must be a JSON object", "body");
  for (const auto& kv : *o) {
    bool known = false;
    for (const auto f : kFields) known = known || kv.key() == f;
    if (!known) {
      const std::string key = MakeValidUtf8(std::string_view(kv.key().data(), kv.key().size()));
      return Fail(ErrorCode::kInvalidArgument, "unknown field " + key, key);
    }
  }
  CallEvent call;
  OMBUD_ASSIGN_OR_RETURN(const auto call_id, StringField(*o, "call_id", true, 128));
  call.call_id = *call_id;
  OMBUD_ASSIGN_OR_RETURN(const auto from, StringField(*o, "from", true, 64));
  OMBUD_ASSIGN_OR_RETURN(call.from,
                         domain::NormalizeIdentity(domain::IdentityKind::kPhone, *from, "from"));
  OMBUD_ASSIGN_OR_RETURN(const auto to, StringField(*o, "to", true, 64));
  OMBUD_ASSIGN_OR_RETURN(call.to,
                         domain::NormalizeIdentity(domain::IdentityKind::kPhone, *to, "to"));
  OMBUD_ASSIGN_OR_RETURN(const auto direction, StringField(*o, "direction", true, 16));
  if (*direction == "inbound") {
    call.direction = domain::Direction::kInbound;
  } else if (*direction == "outbound") {
    call.direction = domain::Direction::kOutbound;
  } else {
    return Fail(ErrorCode::kInvalidArgument, "direction must be inbound or outbound", "direction");
  }
  OMBUD_ASSIGN_OR_RETURN(const auto started, StringField(*o, "started_at", true, 40));
  OMBUD_ASSIGN_OR_RETURN(call.started_at, ParseRfc3339(*started, "started_at"));
  OMBUD_ASSIGN_OR_RETURN(const auto ended, StringField(*o, "ended_at", false, 40));
  if (ended) {
    OMBUD_ASSIGN_OR_RETURN(const domain::Millis ended_at, ParseRfc3339(*ended, "ended_at"));
    if (ended_at < call.started_at) {
      return Fail(ErrorCode::kInvalidArgument, "ended_at is before started_at", "ended_at");
    }
    call.ended_at = ended_at;
  }
  OMBUD_ASSIGN_OR_RETURN(const auto agent, StringField(*o, "agent_login", false, 64));
  if (agent) call.agent_login = *agent;
  OMBUD_ASSIGN_OR_RETURN(const auto outcome, StringField(*o, "outcome", false, 16));
  if (outcome) {
    OMBUD_ASSIGN_OR_RETURN(call.outcome, ParseOutcome(*outcome));
  }
  OMBUD_ASSIGN_OR_RETURN(const auto notes, StringField(*o, "notes", false, 10000));
  if (notes) call.notes = *notes;
  OMBUD_ASSIGN_OR_RETURN(const auto recording, StringField(*o, "recording_url", false, 2048));
  if (recording && !recording->empty()) {
    if ((recording->rfind("https://", 0) != 0 && recording->rfind("http://", 0) != 0) ||
        recording->find_first_of(" \r\n\t") != std::string::npos) {
      return Fail(ErrorCode::kInvalidArgument, "recording_url must be an http(s) URL",
                  "recording_url");
    }
    call.recording_url = *recording;
  }
  return call;
}

}  // namespace ombud::channels::phone
