#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/model.hpp"

// Plain values for e-mail traffic, shared by the parser, the builder and the transports.
namespace ombud::channels::email {

struct Mailbox {
  std::string name;     // Display name, UTF-8; may be empty.
  std::string address;  // addr-spec as written (the desk normalises identities).
};

struct MailAttachment {
  std::string filename;      // UTF-8; may be empty for unnamed inline parts.
  std::string content_type;  // "image/png", lower case.
  std::string content_id;    // Without angle brackets; set for inline images.
  bool is_inline = false;    // Content-Disposition inline (or a Content-ID without filename).
  std::string data;          // Decoded bytes.
};

// One received message, decoded: every string is valid UTF-8.
struct InboundEmail {
  Mailbox from;
  std::vector<Mailbox> to;
  std::vector<Mailbox> cc;
  std::vector<Mailbox> reply_to;
  std::string subject;
  std::optional<domain::Millis> date;   // From the Date header, when it parses.
  std::string message_id;               // Without angle brackets; empty when absent.
  std::string in_reply_to;              // First id of In-Reply-To, without brackets.
  std::vector<std::string> references;  // Oldest first, without brackets.
  std::string text;                     // The readable body.
  std::string html;                     // The HTML alternative when there is one.
  bool text_from_html = false;          // `text` was converted from `html`.
  std::vector<MailAttachment> attachments;
  bool is_auto_reply = false;         // RFC 3834 and the common vendor headers.
  bool is_bounce = false;             // A delivery status notification or MAILER-DAEMON.
  std::string bounced_message_id;     // The Message-ID of the returned message, when found.
  std::string ticket_number;          // C-2026-000123 from the subject, else from our ids in
                                      // In-Reply-To / References (see MakeMessageId).
  std::vector<std::string> warnings;  // What was repaired or could not be converted.

  // Auto-replies and bounces are recorded on the ticket but never answered (mail loops).
  bool MustNotAnswer() const { return is_auto_reply || is_bounce; }
};

struct OutboundAttachment {
  std::string filename;
  std::string content_type;  // "application/pdf"
  std::string content_id;    // Set (without brackets) to reference it from the HTML as cid:.
  std::string data;
};

struct OutboundEmail {
  Mailbox from;
  std::vector<Mailbox> to;
  std::vector<Mailbox> cc;
  std::string subject;                  // UTF-8; encoded per RFC 2047 when not ASCII.
  domain::Millis date = 0;              // The Date header (the caller's clock).
  std::string message_id;               // Without brackets; see MakeMessageId.
  std::string in_reply_to;              // Without brackets; empty for a new thread.
  std::vector<std::string> references;  // Oldest first, without brackets.
  bool auto_submitted = false;          // Automatic acknowledgement: Auto-Submitted: auto-replied.
  std::string text;                     // Required.
  std::string html;                     // Optional alternative.
  std::vector<OutboundAttachment> attachments;
};

}  // namespace ombud::channels::email
