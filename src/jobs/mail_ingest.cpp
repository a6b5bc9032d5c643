#include "jobs/mail_ingest.hpp"

#include "channels/email/mime_parser.hpp"

namespace ombud::jobs {

Result<desk::InboundMessage> PrepareEmail(store::AttachmentStore& attachments,
                                          std::string_view raw) {
  OMBUD_ASSIGN_OR_RETURN(auto email, channels::email::ParseEmail(raw));
  desk::InboundMessage m;
  m.channel = domain::Channel::kEmail;
  m.sender_name = email.from.name;
  OMBUD_ASSIGN_OR_RETURN(m.sender.value, domain::NormalizeIdentity(domain::IdentityKind::kEmail,
                                                                   email.from.address, "from"));
  m.sender.kind = domain::IdentityKind::kEmail;
  m.subject = email.subject;
  m.body = email.text;
  m.message_id = email.message_id;
  m.thread_keys = channels::email::ThreadKeys(email);
  m.ticket_number = email.ticket_number;
  m.must_not_answer = email.MustNotAnswer();
  for (auto& part : email.attachments) {
    const std::string name = part.filename.empty()
                                 ? (part.content_id.empty() ? "attachment" : part.content_id)
                                 : part.filename;
    OMBUD_ASSIGN_OR_RETURN(
        auto stored,
        attachments.Put(name,
                        part.content_type.empty() ? "application/octet-stream" : part.content_type,
                        part.data));
    m.attachments.push_back(std::move(stored));
  }
  return m;
}

Result<desk::IngestOutcome> IngestRawEmail(store::Store& store, store::AttachmentStore& attachments,
                                           const desk::Policy* policy, std::string_view raw) {
  OMBUD_ASSIGN_OR_RETURN(const auto m, PrepareEmail(attachments, raw));
  desk::IngestOutcome outcome;
  OMBUD_RETURN_IF_ERROR(store.WriteSync([&](store::WriteTx& tx) -> Status {
    OMBUD_ASSIGN_OR_RETURN(outcome, desk::IngestMessage(tx, m, policy));
    return {};
  }));
  return outcome;
}

}  // namespace ombud::jobs
