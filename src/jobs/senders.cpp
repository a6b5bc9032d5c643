#include "jobs/senders.hpp"

#include <sodium.h>

#include "channels/email/mime_builder.hpp"

namespace ombud::jobs {

std::string StableMessageId(std::string_view ticket_number, std::string_view dedupe_key,
                            std::string_view domain) {
  unsigned char hash[8];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(dedupe_key.data()),
                     dedupe_key.size(), nullptr, 0);
  char hex[sizeof hash * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
  const std::string prefix = ticket_number.empty() ? "ombud" : std::string(ticket_number);
  return prefix + "." + hex + "@" + std::string(domain);
}

std::string TextToHtml(std::string_view text) {
  std::string out = "<html><body><p>";
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\r':
        break;
      case '\n':
        if (i + 1 < text.size() && text[i + 1] == '\n') {
          while (i + 1 < text.size() && text[i + 1] == '\n') ++i;
          out += "</p>\n<p>";
        } else {
          out += "<br>\n";
        }
        break;
      default:
        out += c;
    }
  }
  return out + "</p></body></html>\n";
}

EmailSender::EmailSender(EmailSenderConfig config) : config_(std::move(config)) {
  const auto at = config_.from.address.rfind('@');
  domain_ = at == std::string::npos ? "ombud.invalid" : config_.from.address.substr(at + 1);
}

Result<SendOutcome> EmailSender::Send(const store::OutboxRow& row, const DeliveryContext& context) {
  channels::email::OutboundEmail email;
  email.from = config_.from;
  email.to = {{"", row.message.recipient}};
  email.subject = row.message.subject;
  email.date = row.next_attempt_at > 0 ? row.next_attempt_at : row.created_at;
  email.message_id = StableMessageId(context.ticket_number, row.message.dedupe_key, domain_);
  for (const auto& m : context.thread) {
    if (m.message_id == email.message_id) continue;
    email.references.push_back(m.message_id);
    if (!m.ours) email.in_reply_to = m.message_id;
  }
  if (email.in_reply_to.empty() && !email.references.empty()) {
    email.in_reply_to = email.references.back();
  }
  email.auto_submitted = row.message.auto_submitted;
  email.text = row.message.body;
  email.html = TextToHtml(row.message.body);
  for (const auto& file : context.attachments) {
    // A file that cannot be read now never will be: permanent, so a dead letter an admin sees.
    if (config_.attachments == nullptr) {
      return Fail(ErrorCode::kInvalidArgument, "no attachment store to read " + file.filename);
    }
    auto data = config_.attachments->Get(file.sha);
    if (!data) {
      return Fail(ErrorCode::kInvalidArgument,
                  "attachment " + file.filename + " cannot be read: " + data.error().message);
    }
    email.attachments.push_back({file.filename, file.content_type, "", std::move(*data)});
  }
  OMBUD_ASSIGN_OR_RETURN(const std::string raw, channels::email::BuildEmail(email));
  OMBUD_RETURN_IF_ERROR(
      channels::email::Send(config_.smtp, config_.from.address, {row.message.recipient}, raw));
  return SendOutcome{email.message_id, ""};
}

KannelSender::KannelSender(channels::sms::KannelConfig config, std::string dlr_callback)
    : config_(std::move(config)), dlr_callback_(std::move(dlr_callback)) {}

Result<SendOutcome> KannelSender::Send(const store::OutboxRow& row,
                                       const DeliveryContext& /*context*/) {
  const std::string ref = std::to_string(row.id);
  const std::string dlr_url =
      dlr_callback_.empty() ? "" : channels::sms::KannelDlrUrl(dlr_callback_, ref);
  OMBUD_RETURN_IF_ERROR(
      channels::sms::KannelSend(config_, row.message.recipient, row.message.body, dlr_url));
  return SendOutcome{"", ref};
}

}  // namespace ombud::jobs
