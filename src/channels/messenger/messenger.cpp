#include "channels/messenger/messenger.hpp"

#include <sodium.h>

#include <boost/json.hpp>
#include <mutex>

#include "channels/http/curl_http.hpp"
#include "channels/text.hpp"

namespace ombud::channels::messenger {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxBody = 1024 * 1024;
constexpr std::size_t kMaxId = 128;
constexpr std::size_t kMaxText = 64 * 1024;

void EnsureSodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) std::abort();
  });
}

void Hmac(std::string_view key, std::string_view data,
          unsigned char out[crypto_auth_hmacsha256_BYTES]) {
  EnsureSodium();
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(data.data()),
                                data.size());
  crypto_auth_hmacsha256_final(&state, out);
  sodium_memzero(&state, sizeof state);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  EnsureSodium();
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

// Reads typed fields of one JSON object, remembering its path for error messages.
class Reader {
 public:
  Reader(const json::object& object, std::string path) : object_(object), path_(std::move(path)) {}

  std::string Field(std::string_view name) const {
    return path_.empty() ? std::string(name) : path_ + "." + std::string(name);
  }
  const json::value* Get(std::string_view name) const { return object_.if_contains(name); }

  Result<const json::object*> Object(std::string_view name, bool required) const {
    const json::value* v = Get(name);
    if (v == nullptr || (!required && v->is_null())) {
      if (required) return Missing(name);
      return nullptr;
    }
    if (!v->is_object()) return WrongType(name, "an object");
    return &v->get_object();
  }
  Result<const json::array*> Array(std::string_view name, bool required) const {
    const json::value* v = Get(name);
    if (v == nullptr || (!required && v->is_null())) {
      if (required) return Missing(name);
      return nullptr;
    }
    if (!v->is_array()) return WrongType(name, "an array");
    return &v->get_array();
  }
  Result<std::string> String(std::string_view name, bool required, std::size_t max_len) const {
    const json::value* v = Get(name);
    if (v == nullptr || (!required && v->is_null())) {
      if (required) return Missing(name);
      return std::string();
    }
    if (!v->is_string()) return WrongType(name, "a string");
    const json::string& s = v->get_string();
    if (s.size() > max_len) {
      return Fail(ErrorCode::kInvalidArgument, Field(name) + " is too long", Field(name));
    }
    if (required && s.empty()) {
      return Fail(ErrorCode::kInvalidArgument, Field(name) + " must not be empty", Field(name));
    }
    return std::string(s.data(), s.size());
  }
  // Facebook ids are strings of digits; some tools send them as numbers.
  Result<std::string> Id(std::string_view name) const {
    const json::value* v = Get(name);
    if (v != nullptr && v->is_uint64()) return std::to_string(v->get_uint64());
    if (v != nullptr && v->is_int64() && v->get_int64() >= 0) {
      return std::to_string(v->get_int64());
    }
    return String(name, true, kMaxId);
  }
  Result<std::int64_t> Int(std::string_view name, bool required) const {
    const json::value* v = Get(name);
    if (v == nullptr || (!required && v->is_null())) {
      if (required) return Missing(name);
      return 0;
    }
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
      return static_cast<std::int64_t>(v->get_uint64());
    }
    return WrongType(name, "an integer");
  }
  Result<bool> Bool(std::string_view name) const {
    const json::value* v = Get(name);
    if (v == nullptr || v->is_null()) return false;
    if (!v->is_bool()) return WrongType(name, "a boolean");
    return v->get_bool();
  }

 private:
  std::unexpected<Error> Missing(std::string_view name) const {
    return Fail(ErrorCode::kInvalidArgument, Field(name) + " is required", Field(name));
  }
  std::unexpected<Error> WrongType(std::string_view name, std::string_view what) const {
    return Fail(ErrorCode::kInvalidArgument, Field(name) + " must be " + std::string(what),
                Field(name));
  }

  const json::object& object_;
  std::string path_;
};

Result<MessengerEvent> ParseEvent(const json::object& o, const std::string& path,
                                  const std::string& page_id) {
  const Reader r(o, path);
  MessengerEvent e;
  e.page_id = page_id;
  OMBUD_ASSIGN_OR_RETURN(const json::object* sender, r.Object("sender", true));
  OMBUD_ASSIGN_OR_RETURN(e.sender_id, Reader(*sender, r.Field("sender")).Id("id"));
  OMBUD_ASSIGN_OR_RETURN(const json::object* recipient, r.Object("recipient", true));
  OMBUD_ASSIGN_OR_RETURN(e.recipient_id, Reader(*recipient, r.Field("recipient")).Id("id"));
  OMBUD_ASSIGN_OR_RETURN(e.timestamp, r.Int("timestamp", true));
  OMBUD_ASSIGN_OR_RETURN(const json::object* message, r.Object("message", false));
  OMBUD_ASSIGN_OR_RETURN(const json::object* postback, r.Object("postback", false));
  OMBUD_ASSIGN_OR_RETURN(const json::object* delivery, r.Object("delivery", false));
  OMBUD_ASSIGN_OR_RETURN(const json::object* read, r.Object("read", false));
  if (message != nullptr) {
    const Reader m(*message, r.Field("message"));
    OMBUD_ASSIGN_OR_RETURN(e.mid, m.String("mid", true, kMaxId * 4));
    OMBUD_ASSIGN_OR_RETURN(e.text, m.String("text", false, kMaxText));
    OMBUD_ASSIGN_OR_RETURN(const bool echo, m.Bool("is_echo"));
    e.kind = echo ? EventKind::kEcho : EventKind::kMessage;
    OMBUD_ASSIGN_OR_RETURN(const json::object* reply_to, m.Object("reply_to", false));
    if (reply_to != nullptr) {
      OMBUD_ASSIGN_OR_RETURN(
          e.reply_to_mid, Reader(*reply_to, m.Field("reply_to")).String("mid", false, kMaxId * 4));
    }
    OMBUD_ASSIGN_OR_RETURN(const json::array* attachments, m.Array("attachments", false));
    if (attachments != nullptr) {
      if (attachments->size() > 100) {
        return Fail(ErrorCode::kInvalidArgument, "too many attachments", m.Field("attachments"));
      }
      for (std::size_t i = 0; i < attachments->size(); ++i) {
        const std::string apath = m.Field("attachments") + "[" + std::to_string(i) + "]";
        const json::object* a = (*attachments)[i].if_object();
        if (a == nullptr) {
          return Fail(ErrorCode::kInvalidArgument, apath + " must be an object", apath);
        }
        const Reader ar(*a, apath);
        MessengerAttachment att;
        OMBUD_ASSIGN_OR_RETURN(att.type, ar.String("type", true, 64));
        OMBUD_ASSIGN_OR_RETURN(const json::object* payload, ar.Object("payload", false));
        if (payload != nullptr) {
          OMBUD_ASSIGN_OR_RETURN(att.url,
                                 Reader(*payload, ar.Field("payload")).String("url", false, 4096));
        }
        e.attachments.push_back(std::move(att));
      }
    }
    if (e.text.empty() && e.attachments.empty() && e.kind == EventKind::kMessage) {
      return Fail(ErrorCode::kInvalidArgument,
                  r.Field("message") +
                      " has neither text nor "
                      "attachments",
                  r.Field("message"));
    }
  } else if (postback != nullptr) {
    const Reader p(*postback, r.Field("postback"));
    e.kind = EventKind::kPostback;
    OMBUD_ASSIGN_OR_RETURN(e.text, p.String("title", false, kMaxText));
    OMBUD_ASSIGN_OR_RETURN(e.postback_payload, p.String("payload", false, kMaxText));
    OMBUD_ASSIGN_OR_RETURN(e.mid, p.String("mid", false, kMaxId * 4));
  } else if (delivery != nullptr) {
    e.kind = EventKind::kDelivery;
  } else if (read != nullptr) {
    e.kind = EventKind::kRead;
  } else {
    e.kind = EventKind::kOther;
  }
  return e;
}

}  // namespace

std::string_view Name(EventKind kind) {
  switch (kind) {
    case EventKind::kMessage:
      return "message";
    case EventKind::kEcho:
      return "echo";
    case EventKind::kPostback:
      return "postback";
    case EventKind::kDelivery:
      return "delivery";
    case EventKind::kRead:
      return "read";
    case EventKind::kOther:
      return "other";
  }
  return "other";
}

Result<std::string> VerifySubscription(std::string_view mode, std::string_view token,
                                       std::string_view challenge,
                                       std::string_view expected_token) {
  if (expected_token.empty()) {
    return Fail(ErrorCode::kFailedPrecondition, "no Messenger verify token is configured");
  }
  if (mode != "subscribe") {
    return Fail(ErrorCode::kPermissionDenied, "hub.mode must be subscribe", "hub.mode");
  }
  if (!ConstantTimeEquals(token, expected_token)) {
    return Fail(ErrorCode::kPermissionDenied, "hub.verify_token does not match",
                "hub.verify_token");
  }
  if (challenge.empty() || challenge.size() > 256 || !IsValidUtf8(challenge)) {
    return Fail(ErrorCode::kInvalidArgument, "hub.challenge is missing or malformed",
                "hub.challenge");
  }
  return std::string(challenge);
}

std::string SignatureHeader(std::string_view app_secret, std::string_view raw_body) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  Hmac(app_secret, raw_body, mac);
  char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return std::string("sha256=") + hex;
}

bool VerifySignature(std::string_view app_secret, std::string_view raw_body,
                     std::string_view signature_header) {
  constexpr std::string_view kPrefix = "sha256=";
  if (app_secret.empty() || signature_header.size() != kPrefix.size() + 64 ||
      signature_header.substr(0, kPrefix.size()) != kPrefix) {
    return false;
  }
  EnsureSodium();
  unsigned char given[crypto_auth_hmacsha256_BYTES];
  std::size_t given_len = 0;
  const std::string_view hex = signature_header.substr(kPrefix.size());
  if (sodium_hex2bin(given, sizeof given, hex.data(), hex.size(), nullptr, &given_len, nullptr) !=
          0 ||
      given_len != sizeof given) {
    return false;
  }
  unsigned char expected[crypto_auth_hmacsha256_BYTES];
  Hmac(app_secret, raw_body, expected);
  return sodium_memcmp(given, expected, sizeof given) == 0;
}

Result<std::vector<MessengerEvent>> ParseWebhook(std::string_view raw_body) {
  if (raw_body.size() > kMaxBody) {
    return Fail(ErrorCode::kPayloadTooLarge, "webhook body larger than 1 MiB", "body");
  }
  json::parse_options options;
  options.max_depth = 32;
  std::error_code ec;
  json::value root;
  try {
    root = json::parse(raw_body, ec, json::storage_ptr(), options);
  } catch (const std::exception& e) {  // Only allocation failures throw with an error_code.
    return Fail(ErrorCode::kInvalidArgument, std::string("cannot parse JSON: ") + e.what(), "body");
  }
  if (ec) {
    return Fail(ErrorCode::kInvalidArgument, "body is not valid JSON: " + ec.message(), "body");
  }
  const json::object* top = root.if_object();
  if (top == nullptr) return Fail(ErrorCode::kInvalidArgument, "body must be an object", "body");
  const Reader r(*top, "");
  OMBUD_ASSIGN_OR_RETURN(const std::string object, r.String("object", true, 32));
  if (object != "page") {
    return Fail(ErrorCode::kInvalidArgument, "object must be \"page\"", "object");
  }
  OMBUD_ASSIGN_OR_RETURN(const json::array* entries, r.Array("entry", true));
  std::vector<MessengerEvent> events;
  for (std::size_t i = 0; i < entries->size(); ++i) {
    const std::string path = "entry[" + std::to_string(i) + "]";
    const json::object* entry = (*entries)[i].if_object();
    if (entry == nullptr)
      return Fail(ErrorCode::kInvalidArgument, path + " must be an object", path);
    const Reader er(*entry, path);
    OMBUD_ASSIGN_OR_RETURN(const std::string page_id, er.Id("id"));
    OMBUD_ASSIGN_OR_RETURN(const json::array* messaging, er.Array("messaging", false));
    if (messaging == nullptr) continue;  // Page feed changes and the like.
    for (std::size_t k = 0; k < messaging->size(); ++k) {
      const std::string mpath = path + ".messaging[" + std::to_string(k) + "]";
      const json::object* event = (*messaging)[k].if_object();
      if (event == nullptr) {
        return Fail(ErrorCode::kInvalidArgument, mpath + " must be an object", mpath);
      }
      OMBUD_ASSIGN_OR_RETURN(MessengerEvent parsed, ParseEvent(*event, mpath, page_id));
      events.push_back(std::move(parsed));
    }
  }
  return events;
}

std::string BuildSendRequest(std::string_view recipient_psid, std::string_view text) {
  json::object body;
  body["recipient"] = json::object{{"id", MakeValidUtf8(recipient_psid)}};
  body["messaging_type"] = "RESPONSE";
  body["message"] = json::object{{"text", MakeValidUtf8(text)}};
  return json::serialize(body);
}

Status SendMessage(std::string_view base_url, std::string_view page_token, std::string_view body) {
  if (page_token.empty() || page_token.find_first_of("\r\n") != std::string_view::npos) {
    return Fail(ErrorCode::kFailedPrecondition, "no usable page access token", "page_token");
  }
  std::string url(base_url.empty() ? kDefaultGraphBaseUrl : base_url);
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += "/me/messages";
  http::HttpOptions options;
  options.headers.push_back("Authorization: Bearer " + std::string(page_token));
  OMBUD_ASSIGN_OR_RETURN(const http::HttpResponse response,
                         http::Post(url, "application/json", body, options));
  if (response.status >= 200 && response.status < 300) return {};
  std::string message = MakeValidUtf8(response.body.substr(0, 300));
  std::error_code ec;
  const json::value parsed = json::parse(response.body, ec);
  if (!ec && parsed.is_object()) {
    if (const json::value* error = parsed.get_object().if_contains("error");
        error != nullptr && error->is_object()) {
      if (const json::value* m = error->get_object().if_contains("message");
          m != nullptr && m->is_string()) {
        message = std::string(m->get_string());
      }
    }
  }
  const std::string what = "Send API answered " + std::to_string(response.status) + ": " + message;
  if (response.status == 429 || response.status >= 500) {
    return Fail(ErrorCode::kUnavailable, what);
  }
  if (response.status == 401 || response.status == 403) {
    return Fail(ErrorCode::kFailedPrecondition, what);
  }
  return Fail(ErrorCode::kInvalidArgument, what);
}

}  // namespace ombud::channels::messenger
