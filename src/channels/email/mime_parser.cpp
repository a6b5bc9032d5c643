#include "channels/email/mime_parser.hpp"

#include <iconv.h>

#include <cctype>
#include <cerrno>
#include <mutex>
#include <optional>
#include <string>

#include "channels/email/gmime_util.hpp"
#include "channels/email/html_text.hpp"
#include "channels/text.hpp"

namespace ombud::channels::email {

namespace internal {

void EnsureGMimeInitialised() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

}  // namespace internal

namespace {

using internal::GPtr;
using internal::GString;

constexpr int kMaxDepth = 32;
constexpr std::size_t kMaxParts = 1000;

std::string Str(const char* s) { return s == nullptr ? std::string() : MakeValidUtf8(s); }

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string StripBrackets(std::string_view id) {
  id = Trim(id);
  if (id.size() >= 2 && id.front() == '<' && id.back() == '>') id = id.substr(1, id.size() - 2);
  return MakeValidUtf8(Trim(id));
}

void AppendAddresses(InternetAddressList* list, std::vector<Mailbox>* out, int depth = 0) {
  if (list == nullptr || depth > 2) return;
  const int n = internet_address_list_length(list);
  for (int i = 0; i < n; ++i) {
    InternetAddress* ia = internet_address_list_get_address(list, i);
    if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
      Mailbox box{Str(internet_address_get_name(ia)),
                  Str(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)))};
      if (!box.address.empty() || !box.name.empty()) out->push_back(std::move(box));
    } else if (INTERNET_ADDRESS_IS_GROUP(ia)) {
      AppendAddresses(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)), out,
                      depth + 1);
    }
  }
}

std::vector<std::string> ParseIds(GMimeParserOptions* options, const char* header) {
  std::vector<std::string> ids;
  if (header == nullptr) return ids;
  GMimeReferences* refs = g_mime_references_parse(options, header);
  if (refs == nullptr) return ids;
  const int n = g_mime_references_length(refs);
  for (int i = 0; i < n; ++i) {
    std::string id = StripBrackets(Str(g_mime_references_get_message_id(refs, i)));
    if (!id.empty()) ids.push_back(std::move(id));
  }
  g_mime_references_free(refs);
  return ids;
}

// Text bodies use LF line ends whatever the transport used.
std::string NormalizeNewlines(const std::string& s) {
  if (s.find('\r') == std::string::npos) return s;
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Decoded (transfer encoding removed) bytes of a leaf part.
std::string PartBytes(GMimePart* part) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (content == nullptr) return {};
  GPtr<GMimeStream> stream(g_mime_stream_mem_new());
  if (g_mime_data_wrapper_write_to_stream(content, stream.get()) < 0) return {};
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream.get()));
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

std::string MimeType(GMimeObject* object) {
  GMimeContentType* type = g_mime_object_get_content_type(object);
  if (type == nullptr) return "application/octet-stream";
  GString mime(g_mime_content_type_get_mime_type(type));
  return mime ? Lower(mime.get()) : std::string("application/octet-stream");
}

// Converts with iconv; returns false when the charset is unknown to iconv.
bool Convert(std::string_view bytes, const char* charset, std::string* out, bool* lossy) {
  iconv_t cd = g_mime_iconv_open("UTF-8", charset);
  if (cd == reinterpret_cast<iconv_t>(-1)) return false;
  out->clear();
  out->reserve(bytes.size() * 2 + 16);
  std::string buffer(bytes);
  char* in = buffer.data();
  std::size_t in_left = buffer.size();
  char chunk[4096];
  while (in_left > 0) {
    char* dst = chunk;
    std::size_t dst_left = sizeof chunk;
    const std::size_t rc = iconv(cd, &in, &in_left, &dst, &dst_left);
    const int err = errno;
    out->append(chunk, static_cast<std::size_t>(dst - chunk));
    if (rc != static_cast<std::size_t>(-1) || err == E2BIG) continue;
    // EILSEQ, or EINVAL for a truncated sequence: replace one byte and go on.
    *lossy = true;
    AppendUtf8(0xFFFD, out);
    ++in;
    --in_left;
  }
  // Flushes a stateful encoding (ISO-2022-JP) back to its initial state.
  char* dst = chunk;
  std::size_t dst_left = sizeof chunk;
  iconv(cd, nullptr, nullptr, &dst, &dst_left);
  out->append(chunk, static_cast<std::size_t>(dst - chunk));
  g_mime_iconv_close(cd);
  return true;
}

}  // namespace

std::string ToUtf8(std::string_view bytes, std::string_view charset, bool* lossy) {
  internal::EnsureGMimeInitialised();
  const std::string name = Lower(std::string(Trim(charset)));
  if (name.empty() || name == "utf-8" || name == "utf8" || name == "us-ascii" || name == "ascii" ||
      name == "unknown-8bit" || name == "x-unknown") {
    if (IsValidUtf8(bytes)) return std::string(bytes);
    if (name == "utf-8" || name == "utf8") {
      *lossy = true;
      return MakeValidUtf8(bytes);
    }
  } else {
    std::string out;
    if (Convert(bytes, name.c_str(), &out, lossy)) return MakeValidUtf8(out);
    *lossy = true;
    if (IsValidUtf8(bytes)) return std::string(bytes);
  }
  std::string out;
  if (Convert(bytes, "windows-1258", &out, lossy)) return MakeValidUtf8(out);
  *lossy = true;
  return MakeValidUtf8(bytes);
}

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::string DecodeWordPayload(char encoding, std::string_view payload) {
  std::string out;
  if (encoding == 'B' || encoding == 'b') {
    std::uint32_t bits = 0;
    int count = 0;
    for (const char c : payload) {
      if (c == '=') break;
      const int v = Base64Value(c);
      if (v < 0) continue;
      bits = (bits << 6) | static_cast<std::uint32_t>(v);
      count += 6;
      if (count >= 8) {
        count -= 8;
        out.push_back(static_cast<char>((bits >> count) & 0xFF));
      }
    }
    return out;
  }
  for (std::size_t i = 0; i < payload.size(); ++i) {
    const char c = payload[i];
    if (c == '_') {
      out.push_back(' ');
    } else if (c == '=' && i + 2 < payload.size() && HexDigit(payload[i + 1]) >= 0 &&
               HexDigit(payload[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexDigit(payload[i + 1]) * 16 + HexDigit(payload[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

struct EncodedWord {
  std::string charset;
  char encoding = 'B';
  std::string_view payload;
  std::size_t end = 0;  // Index just past "?=".
};

// Parses "=?charset?E?payload?=" at `value[pos]`.
std::optional<EncodedWord> ParseEncodedWord(std::string_view value, std::size_t pos) {
  if (value.compare(pos, 2, "=?") != 0) return std::nullopt;
  const std::size_t q1 = value.find('?', pos + 2);
  if (q1 == std::string_view::npos || q1 + 3 > value.size() || value[q1 + 2] != '?') {
    return std::nullopt;
  }
  const char encoding = value[q1 + 1];
  if (encoding != 'B' && encoding != 'b' && encoding != 'Q' && encoding != 'q') {
    return std::nullopt;
  }
  const std::size_t end = value.find("?=", q1 + 3);
  if (end == std::string_view::npos) return std::nullopt;
  EncodedWord word;
  word.charset = std::string(value.substr(pos + 2, q1 - pos - 2));
  word.charset = word.charset.substr(0, word.charset.find('*'));  // RFC 2231 language.
  if (word.charset.empty()) return std::nullopt;
  word.payload = value.substr(q1 + 3, end - q1 - 3);
  for (const char c : word.payload) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return std::nullopt;
  }
  word.encoding = encoding;
  word.end = end + 2;
  return word;
}

}  // namespace

std::string MergeEncodedWords(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  std::string unfolded;
  for (const char c : value) {
    if (c != '\r' && c != '\n') unfolded.push_back(c);
  }
  const std::string_view v = unfolded;
  std::size_t pos = 0;
  while (pos < v.size()) {
    auto word = ParseEncodedWord(v, pos);
    if (!word) {
      out.push_back(v[pos++]);
      continue;
    }
    const std::string charset = word->charset;
    std::string bytes = DecodeWordPayload(word->encoding, word->payload);
    pos = word->end;
    while (true) {
      std::size_t next = pos;
      while (next < v.size() && (v[next] == ' ' || v[next] == '\t')) ++next;
      auto more = ParseEncodedWord(v, next);
      if (!more || !EqualsIgnoreCase(more->charset, charset)) break;
      bytes += DecodeWordPayload(more->encoding, more->payload);
      pos = more->end;
    }
    GString encoded(g_base64_encode(reinterpret_cast<const guchar*>(bytes.data()), bytes.size()));
    out += "=?" + charset + "?B?" + encoded.get() + "?=";
  }
  return out;
}

std::string DecodeHeaderText(std::string_view value, bool* lossy) {
  std::string unfolded;
  unfolded.reserve(value.size());
  for (const char c : value) {
    if (c != '\r' && c != '\n') unfolded.push_back(c);
  }
  const std::string_view v = unfolded;
  std::string out;
  std::string text;        // Pending raw text.
  std::string word_bytes;  // Pending bytes of adjacent encoded words in `word_charset`.
  std::string word_charset;
  const auto flush_word = [&] {
    if (!word_charset.empty()) out += ToUtf8(word_bytes, word_charset, lossy);
    word_bytes.clear();
    word_charset.clear();
  };
  const auto flush_text = [&] {
    if (!text.empty()) out += ToUtf8(text, "", lossy);
    text.clear();
  };
  std::size_t pos = 0;
  while (pos < v.size()) {
    if (auto word = ParseEncodedWord(v, pos)) {
      // White space between two encoded words is not part of the text (RFC 2047 §6.2).
      if (!word_charset.empty() && Trim(text).empty()) text.clear();
      if (!text.empty()) {
        flush_word();
        flush_text();
      }
      if (!word_charset.empty() && !EqualsIgnoreCase(word_charset, word->charset)) flush_word();
      word_charset = word->charset;
      word_bytes += DecodeWordPayload(word->encoding, word->payload);
      pos = word->end;
      continue;
    }
    if (!word_charset.empty() && v[pos] != ' ' && v[pos] != '\t') {
      const std::string pending = text;
      text.clear();
      flush_word();
      text = pending;
    }
    text.push_back(v[pos]);
    ++pos;
  }
  flush_word();
  flush_text();
  return out;
}

std::string ExtractTicketNumber(std::string_view subject) {
  const auto digit = [&](std::size_t i) {
    return i < subject.size() && subject[i] >= '0' && subject[i] <= '9';
  };
  for (std::size_t i = 0; i + 13 < subject.size() + 1; ++i) {
    if (subject[i] != 'C' || subject[i + 1] != '-') continue;
    if (i > 0 && std::isalnum(static_cast<unsigned char>(subject[i - 1]))) continue;
    std::size_t p = i + 2;
    bool ok = true;
    for (int k = 0; k < 4; ++k, ++p) ok = ok && digit(p);
    if (!ok || p >= subject.size() || subject[p] != '-') continue;
    ++p;
    const std::size_t start = p;
    while (digit(p)) ++p;
    if (p - start < 6) continue;
    if (p < subject.size() && std::isalpha(static_cast<unsigned char>(subject[p]))) continue;
    return std::string(subject.substr(i, p - i));
  }
  return {};
}

std::vector<std::string> ThreadKeys(const InboundEmail& email) {
  std::vector<std::string> keys;
  const auto add = [&](const std::string& id) {
    if (id.empty()) return;
    for (const auto& k : keys) {
      if (k == id) return;
    }
    keys.push_back(id);
  };
  add(email.in_reply_to);
  for (auto it = email.references.rbegin(); it != email.references.rend(); ++it) add(*it);
  if (email.is_bounce) add(email.bounced_message_id);
  return keys;
}

namespace {

class Walker {
 public:
  explicit Walker(InboundEmail* email) : email_(email) {}

  void Walk(GMimeObject* object, int depth, bool in_alternative) {
    if (object == nullptr) return;
    if (depth > kMaxDepth || ++parts_ > kMaxParts) {
      Warn("MIME structure too deep or too many parts; the rest was skipped");
      return;
    }
    if (GMIME_IS_MULTIPART(object)) {
      GMimeMultipart* multipart = GMIME_MULTIPART(object);
      GMimeContentType* type = g_mime_object_get_content_type(object);
      const bool alternative =
          type != nullptr && g_mime_content_type_is_type(type, "multipart", "alternative");
      if (type != nullptr && g_mime_content_type_is_type(type, "multipart", "report")) {
        const char* report = g_mime_object_get_content_type_parameter(object, "report-type");
        if (report != nullptr && EqualsIgnoreCase(report, "delivery-status")) {
          email_->is_bounce = true;
          in_report_ = true;
        }
      }
      const int n = g_mime_multipart_get_count(multipart);
      for (int i = 0; i < n; ++i) {
        Walk(g_mime_multipart_get_part(multipart, i), depth + 1, alternative);
      }
      return;
    }
    if (GMIME_IS_MESSAGE_PART(object)) {
      GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
      if (in_report_ && inner != nullptr) {
        if (email_->bounced_message_id.empty()) {
          email_->bounced_message_id = StripBrackets(Str(g_mime_message_get_message_id(inner)));
        }
        return;
      }
      AttachMessage(object, inner);
      return;
    }
    if (!GMIME_IS_PART(object)) return;
    GMimePart* part = GMIME_PART(object);
    const std::string mime = MimeType(object);
    const char* disposition = g_mime_object_get_disposition(object);
    const bool attachment = disposition != nullptr && EqualsIgnoreCase(disposition, "attachment");
    const bool has_name = g_mime_part_get_filename(part) != nullptr;
    if (in_report_ && (mime == "text/rfc822-headers" || mime == "message/delivery-status")) {
      const std::string bytes = PartBytes(part);
      if (mime == "text/rfc822-headers" && email_->bounced_message_id.empty()) {
        email_->bounced_message_id = HeaderValue(bytes, "message-id");
      }
      if (mime == "message/delivery-status") delivery_status_ = bytes;
      return;
    }
    const bool is_text = mime == "text/plain" || mime == "text/html";
    if (is_text && !attachment && !has_name) {
      bool lossy = false;
      const char* charset = g_mime_object_get_content_type_parameter(object, "charset");
      std::string text = ToUtf8(PartBytes(part), charset == nullptr ? "" : charset, &lossy);
      if (lossy) {
        Warn(std::string("some bytes of a ") + mime + " part in charset " +
             (charset == nullptr ? "(none)" : MakeValidUtf8(charset)) + " could not be converted");
      }
      if (mime == "text/plain") {
        if (!have_plain_) {
          plain_ = std::move(text);
          have_plain_ = true;
        } else if (!in_alternative) {
          plain_ += "\n\n" + text;
        }
      } else if (!have_html_) {
        html_ = std::move(text);
        have_html_ = true;
      }
      return;
    }
    MailAttachment a;
    a.filename = Str(g_mime_part_get_filename(part));
    a.content_type = mime;
    a.content_id = StripBrackets(Str(g_mime_object_get_content_id(object)));
    a.is_inline = (disposition != nullptr && EqualsIgnoreCase(disposition, "inline")) ||
                  (disposition == nullptr && !a.content_id.empty());
    a.data = PartBytes(part);
    email_->attachments.push_back(std::move(a));
  }

  void Finish() {
    plain_ = NormalizeNewlines(plain_);
    if (have_plain_) {
      email_->text = std::move(plain_);
    } else if (have_html_) {
      email_->text = HtmlToText(html_);
      email_->text_from_html = true;
    }
    if (have_html_) email_->html = std::move(html_);
    if (email_->is_bounce && email_->bounced_message_id.empty() && !delivery_status_.empty()) {
      // Some MTAs name the original in the delivery status instead of returning headers.
      email_->bounced_message_id = HeaderValue(delivery_status_, "original-envelope-id");
    }
  }

  void Warn(std::string w) { email_->warnings.push_back(std::move(w)); }

 private:
  void AttachMessage(GMimeObject* object, GMimeMessage* inner) {
    MailAttachment a;
    a.content_type = "message/rfc822";
    a.filename = Str(g_mime_object_get_content_disposition_parameter(object, "filename"));
    if (inner != nullptr) {
      if (a.filename.empty()) a.filename = Str(g_mime_message_get_subject(inner)) + ".eml";
      GString raw(g_mime_object_to_string(GMIME_OBJECT(inner), nullptr));
      if (raw) a.data = raw.get();
    }
    email_->attachments.push_back(std::move(a));
  }

  // The unfolded value of the first header `name` (lower case) in a header block.
  static std::string HeaderValue(std::string_view block, std::string_view name) {
    std::size_t pos = 0;
    while (pos < block.size()) {
      std::size_t end = block.find('\n', pos);
      if (end == std::string_view::npos) end = block.size();
      const std::string_view line = block.substr(pos, end - pos);
      pos = end + 1;
      const std::size_t colon = line.find(':');
      if (colon == std::string_view::npos || !EqualsIgnoreCase(Trim(line.substr(0, colon)), name)) {
        continue;
      }
      std::string value(Trim(line.substr(colon + 1)));
      while (pos < block.size() && (block[pos] == ' ' || block[pos] == '\t')) {
        std::size_t next = block.find('\n', pos);
        if (next == std::string_view::npos) next = block.size();
        value += " ";
        value += Trim(block.substr(pos, next - pos));
        pos = next + 1;
      }
      const std::size_t semi = value.find(';');  // "rfc822; <id>" in delivery-status fields.
      if (semi != std::string::npos && name != "message-id") value = value.substr(semi + 1);
      return StripBrackets(value);
    }
    return {};
  }

  InboundEmail* email_;
  std::size_t parts_ = 0;
  bool in_report_ = false;
  bool have_plain_ = false;
  bool have_html_ = false;
  std::string plain_;
  std::string html_;
  std::string delivery_status_;
};

const char* WarningName(GMimeParserWarning code) {
  switch (code) {
    case GMIME_WARN_DUPLICATED_HEADER:
      return "duplicated header";
    case GMIME_WARN_UNENCODED_8BIT_HEADER:
      return "unencoded 8-bit header";
    case GMIME_WARN_INVALID_CONTENT_TYPE:
      return "invalid Content-Type";
    case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE:
      return "invalid encoded word";
    case GMIME_WARN_MALFORMED_MULTIPART:
      return "malformed multipart";
    case GMIME_WARN_TRUNCATED_MESSAGE:
      return "truncated message";
    case GMIME_WARN_MALFORMED_MESSAGE:
      return "malformed message";
    case GMIME_CRIT_INVALID_HEADER_NAME:
      return "invalid header name";
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
      return "multipart without boundary";
    case GMIME_CRIT_NESTING_OVERFLOW:
      return "MIME nesting too deep";
    case GMIME_WARN_PART_WITHOUT_CONTENT:
      return "part without content";
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
      return "part without headers or content";
    default:
      return nullptr;
  }
}

void OnParserWarning(gint64 /*offset*/, GMimeParserWarning code, const gchar* /*item*/,
                     gpointer user_data) {
  auto* warnings = static_cast<std::vector<std::string>*>(user_data);
  const char* name = WarningName(code);
  if (name == nullptr || warnings->size() >= 20) return;
  for (const auto& w : *warnings) {
    if (w == name) return;
  }
  warnings->emplace_back(name);
}

bool IsAutoReply(GMimeObject* message) {
  const auto header = [&](const char* name) -> std::string {
    const char* v = g_mime_object_get_header(message, name);
    return v == nullptr ? std::string() : Lower(std::string(Trim(v)));
  };
  const std::string auto_submitted = header("Auto-Submitted");
  if (!auto_submitted.empty() && auto_submitted.rfind("no", 0) != 0) return true;
  if (g_mime_object_get_header(message, "X-Autoreply") != nullptr ||
      g_mime_object_get_header(message, "X-Autorespond") != nullptr ||
      g_mime_object_get_header(message, "X-Autogenerated") != nullptr) {
    return true;
  }
  const std::string precedence = header("Precedence");
  return precedence == "bulk" || precedence == "auto_reply" || precedence == "junk";
}

}  // namespace

// Addresses of header `name`, with encoded words merged first (see MergeEncodedWords).
void ParseAddressHeader(GMimeObject* object, GMimeParserOptions* options, const char* name,
                        std::vector<Mailbox>* out) {
  GMimeHeader* header = g_mime_header_list_get_header(g_mime_object_get_header_list(object), name);
  const char* raw = header == nullptr ? nullptr : g_mime_header_get_raw_value(header);
  if (raw == nullptr) return;
  const std::string merged = MergeEncodedWords(raw);
  InternetAddressList* list = internet_address_list_parse(options, merged.c_str());
  if (list == nullptr) return;
  AppendAddresses(list, out);
  g_object_unref(list);
}

Result<InboundEmail> ParseEmail(std::string_view raw) {
  if (raw.size() > kMaxEmailBytes) {
    return Fail(ErrorCode::kPayloadTooLarge, "message larger than 64 MiB", "message");
  }
  if (Trim(raw).empty()) return Fail(ErrorCode::kInvalidArgument, "empty message", "message");
  internal::EnsureGMimeInitialised();

  InboundEmail email;
  GMimeParserOptions* options = g_mime_parser_options_new();
  const char* fallback[] = {"UTF-8", "windows-1258", nullptr};
  g_mime_parser_options_set_fallback_charsets(options, fallback);
  g_mime_parser_options_set_warning_callback(options, OnParserWarning, &email.warnings);

  GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  GPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), options));
  if (!message) {
    g_mime_parser_options_free(options);
    return Fail(ErrorCode::kInvalidArgument, "not an RFC 5322 message: no header block found",
                "message");
  }
  GMimeObject* object = GMIME_OBJECT(message.get());

  std::vector<Mailbox> from;
  ParseAddressHeader(object, options, "From", &from);
  if (from.empty()) ParseAddressHeader(object, options, "Sender", &from);
  if (!from.empty()) email.from = from.front();
  ParseAddressHeader(object, options, "To", &email.to);
  ParseAddressHeader(object, options, "Cc", &email.cc);
  ParseAddressHeader(object, options, "Reply-To", &email.reply_to);
  GMimeHeader* subject_header =
      g_mime_header_list_get_header(g_mime_object_get_header_list(object), "Subject");
  if (const char* subject =
          subject_header == nullptr ? nullptr : g_mime_header_get_raw_value(subject_header);
      subject != nullptr) {
    bool lossy = false;
    email.subject = std::string(Trim(DecodeHeaderText(subject, &lossy)));
    if (lossy) email.warnings.emplace_back("the subject has bytes that could not be converted");
  }
  if (GDateTime* date = g_mime_message_get_date(message.get()); date != nullptr) {
    email.date = static_cast<domain::Millis>(g_date_time_to_unix(date)) * 1000;
  }
  email.message_id = StripBrackets(Str(g_mime_message_get_message_id(message.get())));
  const std::vector<std::string> in_reply_to =
      ParseIds(options, g_mime_object_get_header(object, "In-Reply-To"));
  if (!in_reply_to.empty()) email.in_reply_to = in_reply_to.front();
  email.references = ParseIds(options, g_mime_object_get_header(object, "References"));
  email.ticket_number = ExtractTicketNumber(email.subject);
  // Our Message-IDs start with the ticket number: a reply whose subject lost it still threads.
  if (email.ticket_number.empty()) email.ticket_number = ExtractTicketNumber(email.in_reply_to);
  for (auto it = email.references.rbegin();
       email.ticket_number.empty() && it != email.references.rend(); ++it) {
    email.ticket_number = ExtractTicketNumber(*it);
  }
  email.is_auto_reply = IsAutoReply(object);

  Walker walker(&email);
  walker.Walk(g_mime_message_get_mime_part(message.get()), 0, false);
  walker.Finish();
  g_mime_parser_options_free(options);

  const std::string local = Lower(email.from.address.substr(0, email.from.address.find('@')));
  if (local == "mailer-daemon") email.is_bounce = true;

  if (email.from.address.empty() && email.subject.empty() && email.message_id.empty() &&
      Trim(email.text).empty() && email.attachments.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "nothing usable in the message: no sender, subject, Message-ID or body", "message");
  }
  return email;
}

}  // namespace ombud::channels::email
