#include "channels/sms/kannel.hpp"

#include <charconv>

#include "channels/email/mime_parser.hpp"
#include "channels/http/curl_http.hpp"
#include "channels/sms/sms_split.hpp"
#include "channels/text.hpp"

namespace ombud::channels::sms {

namespace {

constexpr std::size_t kMaxTextBytes = 64 * 1024;

const std::string* Find(const QueryParams& params, std::string_view name) {
  for (const auto& [key, value] : params) {
    if (key == name) return &value;
  }
  return nullptr;
}

Result<std::string> Required(const QueryParams& params, std::string_view name,
                             std::size_t max_len) {
  const std::string* v = Find(params, name);
  if (v == nullptr || Trim(*v).empty()) {
    return Fail(ErrorCode::kInvalidArgument, std::string(name) + " is required", std::string(name));
  }
  if (v->size() > max_len || !IsValidUtf8(*v)) {
    return Fail(ErrorCode::kInvalidArgument, std::string(name) + " is too long or not UTF-8",
                std::string(name));
  }
  return std::string(Trim(*v));
}

Result<std::string> Optional(const QueryParams& params, std::string_view name,
                             std::size_t max_len) {
  const std::string* v = Find(params, name);
  if (v == nullptr) return std::string();
  if (v->size() > max_len || !IsValidUtf8(*v)) {
    return Fail(ErrorCode::kInvalidArgument, std::string(name) + " is too long or not UTF-8",
                std::string(name));
  }
  return std::string(Trim(*v));
}

Result<std::optional<domain::Millis>> UnixSeconds(const QueryParams& params,
                                                  std::string_view name) {
  const std::string* v = Find(params, name);
  if (v == nullptr || v->empty()) return std::optional<domain::Millis>();
  std::int64_t seconds = 0;
  const auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), seconds);
  if (ec != std::errc() || ptr != v->data() + v->size() || seconds < 0 || seconds > 253402300799) {
    return Fail(ErrorCode::kInvalidArgument, std::string(name) + " must be Unix seconds",
                std::string(name));
  }
  return std::optional<domain::Millis>(seconds * 1000);
}

bool IsPhone(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty() || s.size() > 20) return false;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

Result<std::string> KannelSendUrl(const KannelConfig& config, std::string_view to,
                                  std::string_view text, std::string_view dlr_url) {
  if (!IsPhone(to)) {
    return Fail(ErrorCode::kInvalidArgument, "to must be a phone number (digits, optional +)",
                "to");
  }
  if (text.size() > kMaxTextBytes) {
    return Fail(ErrorCode::kInvalidArgument, "text longer than 64 KiB", "text");
  }
  const SmsPlan plan = SplitSms(text);
  std::string url = config.sendsms_url;
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += "username=" + UrlEncode(config.username) + "&password=" + UrlEncode(config.password);
  if (!config.from.empty()) url += "&from=" + UrlEncode(config.from);
  url += "&to=" + UrlEncode(to) + "&text=" + UrlEncode(MakeValidUtf8(text));
  if (plan.coding == SmsCoding::kUcs2) url += "&coding=2&charset=UTF-8";
  if (plan.parts() > 1) url += "&max-messages=" + std::to_string(plan.parts());
  if (!config.smsc.empty()) url += "&smsc=" + UrlEncode(config.smsc);
  if (!dlr_url.empty()) {
    url += "&dlr-mask=" + std::to_string(config.dlr_mask) + "&dlr-url=" + UrlEncode(dlr_url);
  }
  return url;
}

Status KannelSend(const KannelConfig& config, std::string_view to, std::string_view text,
                  std::string_view dlr_url) {
  OMBUD_ASSIGN_OR_RETURN(const std::string url, KannelSendUrl(config, to, text, dlr_url));
  http::HttpOptions options;
  options.total_timeout = config.timeout;
  OMBUD_ASSIGN_OR_RETURN(const http::HttpResponse response, http::Get(url, options));
  const std::string body = MakeValidUtf8(response.body.substr(0, 200));
  if (response.status >= 200 && response.status < 300) return {};
  if (response.status == 403) {
    return Fail(ErrorCode::kFailedPrecondition, "Kannel refused the credentials: " + body);
  }
  if (response.status >= 400 && response.status < 500) {
    return Fail(ErrorCode::kInvalidArgument, "Kannel rejected the message: " + body);
  }
  return Fail(ErrorCode::kUnavailable,
              "Kannel answered " + std::to_string(response.status) + ": " + body);
}

std::string KannelDlrUrl(std::string_view callback, std::string_view message_ref) {
  std::string url(callback);
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += "ref=" + UrlEncode(message_ref) + "&type=%d&ts=%T&smsc=%i&reply=%A&to=%p";
  return url;
}

Result<InboundSms> ParseKannelCallback(const QueryParams& params) {
  InboundSms sms;
  OMBUD_ASSIGN_OR_RETURN(sms.from, Required(params, "from", 64));
  OMBUD_ASSIGN_OR_RETURN(sms.to, Optional(params, "to", 64));
  OMBUD_ASSIGN_OR_RETURN(sms.smsc_id, Optional(params, "smsc", 64));
  OMBUD_ASSIGN_OR_RETURN(sms.received_at, UnixSeconds(params, "ts"));
  OMBUD_ASSIGN_OR_RETURN(const std::string coding, Optional(params, "coding", 4));
  OMBUD_ASSIGN_OR_RETURN(std::string charset, Optional(params, "charset", 40));
  if (!coding.empty() && coding != "0" && coding != "1" && coding != "2") {
    return Fail(ErrorCode::kInvalidArgument, "coding must be 0, 1 or 2", "coding");
  }
  const std::string* text = Find(params, "text");
  if (text == nullptr) return Fail(ErrorCode::kInvalidArgument, "text is required", "text");
  if (text->size() > kMaxTextBytes) {
    return Fail(ErrorCode::kInvalidArgument, "text longer than 64 KiB", "text");
  }
  if (charset.empty() && coding == "2") charset = "UTF-16BE";
  if (EqualsIgnoreCase(charset, "UCS-2")) charset = "UTF-16BE";
  if (coding == "1" && (charset.empty() || EqualsIgnoreCase(charset, "binary"))) {
    return Fail(ErrorCode::kInvalidArgument, "binary (8-bit data) messages are not text", "text");
  }
  if (EqualsIgnoreCase(charset, "GSM") || EqualsIgnoreCase(charset, "binary")) charset.clear();
  if (!charset.empty() &&
      (EqualsIgnoreCase(charset, "UTF-16BE") || EqualsIgnoreCase(charset, "UTF-16")) &&
      text->size() % 2 != 0) {
    return Fail(ErrorCode::kInvalidArgument, "UTF-16 text with an odd number of bytes", "text");
  }
  bool lossy = false;
  sms.text = email::ToUtf8(*text, charset, &lossy);
  return sms;
}

std::string_view Name(DeliveryState state) {
  switch (state) {
    case DeliveryState::kDelivered:
      return "delivered";
    case DeliveryState::kFailed:
      return "failed";
    case DeliveryState::kBuffered:
      return "buffered";
    case DeliveryState::kSmscSubmitted:
      return "smsc_submitted";
    case DeliveryState::kSmscRejected:
      return "smsc_rejected";
  }
  return "unknown";
}

Result<DeliveryReport> ParseKannelDlr(const QueryParams& params) {
  DeliveryReport report;
  OMBUD_ASSIGN_OR_RETURN(report.message_ref, Required(params, "ref", 200));
  OMBUD_ASSIGN_OR_RETURN(const std::string type, Required(params, "type", 4));
  if (type == "1") {
    report.state = DeliveryState::kDelivered;
  } else if (type == "2") {
    report.state = DeliveryState::kFailed;
  } else if (type == "4") {
    report.state = DeliveryState::kBuffered;
  } else if (type == "8") {
    report.state = DeliveryState::kSmscSubmitted;
  } else if (type == "16") {
    report.state = DeliveryState::kSmscRejected;
  } else {
    return Fail(ErrorCode::kInvalidArgument, "type must be 1, 2, 4, 8 or 16", "type");
  }
  if (const std::string* reply = Find(params, "reply"); reply != nullptr) {
    report.smsc_reply = MakeValidUtf8(std::string_view(*reply).substr(0, 1000));  // SMSC's words.
  }
  OMBUD_ASSIGN_OR_RETURN(report.smsc_id, Optional(params, "smsc", 64));
  OMBUD_ASSIGN_OR_RETURN(report.at, UnixSeconds(params, "ts"));
  return report;
}

}  // namespace ombud::channels::sms
