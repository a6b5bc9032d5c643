#pragma once

#include <string>
#include <string_view>

#include "channels/email/email.hpp"
#include "domain/result.hpp"

namespace ombud::channels::email {

// Renders `email` as an RFC 5322 message with CRLF line ends, ready for SMTP: From, To, Cc,
// Subject (RFC 2047 when not ASCII), Date, Message-ID, In-Reply-To, References, MIME-Version,
// Auto-Submitted when automatic; text alone, text+HTML as multipart/alternative, inline
// images (with a Content-ID) in multipart/related, other attachments in multipart/mixed.
// Fails with kInvalidArgument (naming the field) on a missing sender or recipient, an empty
// text, or a line break inside a header value. Thread-safe.
Result<std::string> BuildEmail(const OutboundEmail& email);

// A new Message-ID (without brackets) "<ticket_number>.<16 random hex>@<domain>", or
// "ombud.<random>@<domain>" when there is no ticket number yet.
std::string MakeMessageId(std::string_view ticket_number, std::string_view domain);

}  // namespace ombud::channels::email
