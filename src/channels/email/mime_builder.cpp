#include "channels/email/mime_builder.hpp"

#include <sodium.h>

#include <mutex>

#include "channels/email/gmime_util.hpp"

namespace ombud::channels::email {

namespace {

using internal::GPtr;
using internal::GString;

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

Status CheckHeaderValue(std::string_view value, std::string_view field) {
  if (HasLineBreak(value) || value.find('\0') != std::string_view::npos) {
    return Fail(ErrorCode::kInvalidArgument, std::string(field) + " must not contain a line break",
                std::string(field));
  }
  return {};
}

Status CheckMailbox(const Mailbox& box, std::string_view field) {
  OMBUD_RETURN_IF_ERROR(CheckHeaderValue(box.name, field));
  OMBUD_RETURN_IF_ERROR(CheckHeaderValue(box.address, field));
  if (box.address.find('@') == std::string::npos ||
      box.address.find_first_of(" <>,;\"") != std::string::npos) {
    return Fail(ErrorCode::kInvalidArgument, std::string(field) + " is not an e-mail address",
                std::string(field));
  }
  return {};
}

// A leaf part holding `bytes`, encoded for 7-bit transport (quoted-printable or base64).
GMimePart* MakeLeaf(GMimePart* part, std::string_view bytes) {
  GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size()));
  GPtr<GMimeDataWrapper> wrapper(
      g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
  g_mime_part_set_content(part, wrapper.get());
  return part;
}

GMimeObject* MakeText(const char* subtype, std::string_view text) {
  GMimePart* part = GMIME_PART(g_mime_text_part_new_with_subtype(subtype));
  g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset", "utf-8");
  MakeLeaf(part, text);
  g_mime_part_set_content_encoding(
      part, g_mime_part_get_best_content_encoding(part, GMIME_ENCODING_CONSTRAINT_7BIT));
  return GMIME_OBJECT(part);
}

GMimeObject* MakeAttachment(const OutboundAttachment& a) {
  std::string type = a.content_type.empty() ? "application/octet-stream" : a.content_type;
  const std::size_t slash = type.find('/');
  const std::string major = slash == std::string::npos ? "application" : type.substr(0, slash);
  const std::string minor = slash == std::string::npos ? "octet-stream" : type.substr(slash + 1);
  GMimePart* part = g_mime_part_new_with_type(major.c_str(), minor.c_str());
  MakeLeaf(part, a.data);
  g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
  if (!a.content_id.empty()) {
    g_mime_object_set_content_id(GMIME_OBJECT(part), a.content_id.c_str());
    g_mime_object_set_disposition(GMIME_OBJECT(part), "inline");
  } else {
    g_mime_object_set_disposition(GMIME_OBJECT(part), "attachment");
  }
  if (!a.filename.empty()) g_mime_part_set_filename(part, a.filename.c_str());
  return GMIME_OBJECT(part);
}

// Adds `child` to `multipart` and drops our reference.
void Add(GMimeMultipart* multipart, GMimeObject* child) {
  g_mime_multipart_add(multipart, child);
  g_object_unref(child);
}

std::string Bracketed(std::string_view id) { return "<" + std::string(id) + ">"; }

void EnsureSodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) std::abort();
  });
}

}  // namespace

std::string MakeMessageId(std::string_view ticket_number, std::string_view domain) {
  EnsureSodium();
  unsigned char random[8];
  randombytes_buf(random, sizeof random);
  char hex[sizeof random * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, random, sizeof random);
  const std::string prefix = ticket_number.empty() ? "ombud" : std::string(ticket_number);
  return prefix + "." + hex + "@" + std::string(domain);
}

Result<std::string> BuildEmail(const OutboundEmail& email) {
  OMBUD_RETURN_IF_ERROR(CheckMailbox(email.from, "from"));
  if (email.to.empty()) return Fail(ErrorCode::kInvalidArgument, "no recipient", "to");
  for (const auto& to : email.to) OMBUD_RETURN_IF_ERROR(CheckMailbox(to, "to"));
  for (const auto& cc : email.cc) OMBUD_RETURN_IF_ERROR(CheckMailbox(cc, "cc"));
  OMBUD_RETURN_IF_ERROR(CheckHeaderValue(email.subject, "subject"));
  if (email.text.empty()) return Fail(ErrorCode::kInvalidArgument, "empty text body", "text");
  for (const std::string* id : {&email.message_id, &email.in_reply_to}) {
    OMBUD_RETURN_IF_ERROR(CheckHeaderValue(*id, "message_id"));
    if (id->find_first_of(" <>") != std::string::npos) {
      return Fail(ErrorCode::kInvalidArgument, "a message id must not contain spaces or brackets",
                  "message_id");
    }
  }
  if (email.message_id.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "message_id is required", "message_id");
  }
  for (const auto& ref : email.references) {
    OMBUD_RETURN_IF_ERROR(CheckHeaderValue(ref, "references"));
    if (ref.empty() || ref.find_first_of(" <>") != std::string::npos) {
      return Fail(ErrorCode::kInvalidArgument, "bad id in references", "references");
    }
  }
  for (const auto& a : email.attachments) {
    OMBUD_RETURN_IF_ERROR(CheckHeaderValue(a.filename, "attachments.filename"));
    OMBUD_RETURN_IF_ERROR(CheckHeaderValue(a.content_type, "attachments.content_type"));
    OMBUD_RETURN_IF_ERROR(CheckHeaderValue(a.content_id, "attachments.content_id"));
  }
  internal::EnsureGMimeInitialised();

  GPtr<GMimeMessage> message(g_mime_message_new(TRUE));
  GMimeObject* object = GMIME_OBJECT(message.get());
  g_mime_message_add_mailbox(message.get(), GMIME_ADDRESS_TYPE_FROM, email.from.name.c_str(),
                             email.from.address.c_str());
  for (const auto& to : email.to) {
    g_mime_message_add_mailbox(message.get(), GMIME_ADDRESS_TYPE_TO, to.name.c_str(),
                               to.address.c_str());
  }
  for (const auto& cc : email.cc) {
    g_mime_message_add_mailbox(message.get(), GMIME_ADDRESS_TYPE_CC, cc.name.c_str(),
                               cc.address.c_str());
  }
  g_mime_message_set_subject(message.get(), email.subject.c_str(), "utf-8");
  GDateTime* date = g_date_time_new_from_unix_utc(email.date / 1000);
  g_mime_message_set_date(message.get(), date);
  g_date_time_unref(date);
  g_mime_message_set_message_id(message.get(), email.message_id.c_str());
  if (!email.in_reply_to.empty()) {
    g_mime_object_set_header(object, "In-Reply-To", Bracketed(email.in_reply_to).c_str(), nullptr);
  }
  if (!email.references.empty()) {
    std::string refs;
    for (const auto& ref : email.references) {
      if (!refs.empty()) refs += ' ';
      refs += Bracketed(ref);
    }
    g_mime_object_set_header(object, "References", refs.c_str(), nullptr);
  }
  if (email.auto_submitted) {
    g_mime_object_set_header(object, "Auto-Submitted", "auto-replied", nullptr);
    g_mime_object_set_header(object, "X-Auto-Response-Suppress", "All", nullptr);
  }

  GMimeObject* body = MakeText("plain", email.text);
  if (!email.html.empty()) {
    GMimeMultipart* alternative = g_mime_multipart_new_with_subtype("alternative");
    Add(alternative, body);
    Add(alternative, MakeText("html", email.html));
    body = GMIME_OBJECT(alternative);
    bool has_inline = false;
    for (const auto& a : email.attachments) has_inline = has_inline || !a.content_id.empty();
    if (has_inline) {
      GMimeMultipart* related = g_mime_multipart_new_with_subtype("related");
      Add(related, body);
      for (const auto& a : email.attachments) {
        if (!a.content_id.empty()) Add(related, MakeAttachment(a));
      }
      body = GMIME_OBJECT(related);
    }
  }
  bool has_mixed = false;
  for (const auto& a : email.attachments) {
    has_mixed = has_mixed || a.content_id.empty() || email.html.empty();
  }
  if (has_mixed) {
    GMimeMultipart* mixed = g_mime_multipart_new_with_subtype("mixed");
    Add(mixed, body);
    for (const auto& a : email.attachments) {
      if (a.content_id.empty() || email.html.empty()) Add(mixed, MakeAttachment(a));
    }
    body = GMIME_OBJECT(mixed);
  }
  g_mime_message_set_mime_part(message.get(), body);
  g_object_unref(body);

  GMimeFormatOptions* options = g_mime_format_options_new();
  g_mime_format_options_set_newline_format(options, GMIME_NEWLINE_FORMAT_DOS);
  GString raw(g_mime_object_to_string(object, options));
  g_mime_format_options_free(options);
  if (!raw) return Fail(ErrorCode::kInternal, "GMime could not render the message");
  std::string out(raw.get());
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  return out;
}

}  // namespace ombud::channels::email
