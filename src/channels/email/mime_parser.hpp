#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "channels/email/email.hpp"
#include "domain/result.hpp"

namespace ombud::channels::email {

// Largest raw message ParseEmail accepts.
inline constexpr std::size_t kMaxEmailBytes = 64 * 1024 * 1024;

// Parses a raw RFC 5322 message (LF or CRLF) with GMime 3. Malformed input is taken as well
// as possible (repairs are listed in `warnings`); fails with kInvalidArgument only when there
// is nothing usable (no sender, subject, id or body), kPayloadTooLarge above kMaxEmailBytes.
// Thread-safe.
Result<InboundEmail> ParseEmail(std::string_view raw);

// Decodes an unstructured header value (RFC 2047 encoded words, folding, raw 8-bit text) to
// UTF-8. Adjacent encoded words in one charset are joined at the byte level, so a character
// split across words survives; each word's base64 padding is honoured (GMime 3.2 loses the
// words after a padded one, which is why Subject is decoded here).
std::string DecodeHeaderText(std::string_view value, bool* lossy);

// `value` with every run of adjacent encoded words in one charset rewritten as a single
// base64 word (and folding removed), so GMime's address parser decodes display names whole.
std::string MergeEncodedWords(std::string_view value);

// The first ticket number (C-YYYY-NNNNNN, six or more digits) in `subject`, or "".
std::string ExtractTicketNumber(std::string_view subject);

// Message-IDs to look the thread up by, most specific first: In-Reply-To, then References
// newest to oldest, without duplicates. The subject's ticket number is the fallback.
std::vector<std::string> ThreadKeys(const InboundEmail& email);

// Converts `bytes` written in `charset` (any name iconv or GMime knows, e.g. windows-1258,
// iso-2022-jp, tcvn5712-1) to UTF-8. An unknown or empty charset takes the bytes as UTF-8
// when they are valid, else as windows-1258 (the common unlabelled Vietnamese encoding).
// Bytes that do not convert become U+FFFD and set `*lossy`. Never fails.
std::string ToUtf8(std::string_view bytes, std::string_view charset, bool* lossy);

}  // namespace ombud::channels::email
