#pragma once

#include <string>
#include <string_view>

#include "channels/email/email.hpp"
#include "channels/email/smtp_client.hpp"
#include "channels/sms/kannel.hpp"
#include "jobs/outbox_worker.hpp"
#include "store/attachment_store.hpp"

// The outbox senders of the protocol channels: each turns an outbox row into one protocol send.
namespace ombud::jobs {

// The Message-ID (without brackets) of the outbox message with `dedupe_key`:
// "<ticket_number>.<16 hex of BLAKE2b(dedupe_key)>@<domain>" ("ombud." without a ticket).
// The same row always gets the same id, so a resend after a crash can be dropped by the
// receiver, and the ticket number in it threads a reply whose subject lost it. Thread-safe.
std::string StableMessageId(std::string_view ticket_number, std::string_view dedupe_key,
                            std::string_view domain);

// The text as minimal HTML (escaped, paragraphs on blank lines, <br> on line breaks).
std::string TextToHtml(std::string_view text);

struct EmailSenderConfig {
  channels::email::SmtpConfig smtp;
  channels::email::Mailbox from;  // From and envelope sender; its domain names Message-IDs.
  // Where an answer's files are read from; without it, an answer with files is not sent.
  const store::AttachmentStore* attachments = nullptr;
};

// E-mail through SMTP: text + HTML alternative, stable Message-ID, In-Reply-To (the
// customer's latest message of the ticket) and References (the ticket's thread), and
// Auto-Submitted: auto-replied on automatic messages.
class EmailSender final : public Sender {
 public:
  explicit EmailSender(EmailSenderConfig config);
  Result<SendOutcome> Send(const store::OutboxRow& row, const DeliveryContext& context) override;

 private:
  EmailSenderConfig config_;
  std::string domain_;
};

// SMS through Kannel's sendsms with a dlr-url to our callback: `dlr_callback` is the full
// callback URL (with its shared secret); the row id is the reference. Kannel cannot drop a
// resent SMS: a crash between send and record can send it twice (docs/channels.md).
class KannelSender final : public Sender {
 public:
  KannelSender(channels::sms::KannelConfig config, std::string dlr_callback);
  Result<SendOutcome> Send(const store::OutboxRow& row, const DeliveryContext& context) override;

 private:
  channels::sms::KannelConfig config_;
  std::string dlr_callback_;
};

}  // namespace ombud::jobs
