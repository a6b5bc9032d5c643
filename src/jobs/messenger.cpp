#include "jobs/messenger.hpp"

namespace ombud::jobs {

namespace messenger = channels::messenger;

namespace {

constexpr std::string_view kIdPrefix = "fb:";
constexpr std::size_t kSubjectChars = 80;

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The first line of `text`, cut to `max_chars` UTF-8 characters.
std::string SubjectOf(std::string_view text) {
  text = text.substr(0, text.find('\n'));
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (IsContinuation(text[i])) continue;
    if (++chars > kSubjectChars) return std::string(text.substr(0, i)) + "…";
  }
  return std::string(text);
}

}  // namespace

Result<MessengerPage> ParseMessengerPage(std::string_view spec) {
  const auto eq = spec.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == spec.size()) {
    return Fail(ErrorCode::kInvalidArgument, "a Messenger page is PAGE_ID=ACCESS_TOKEN",
                "messenger-page");
  }
  return MessengerPage{std::string(spec.substr(0, eq)), std::string(spec.substr(eq + 1))};
}

std::optional<desk::InboundMessage> ToInboundMessage(const messenger::MessengerEvent& event) {
  desk::InboundMessage m;
  m.channel = domain::Channel::kMessenger;
  m.sender = {domain::IdentityKind::kFacebook, event.sender_id};
  switch (event.kind) {
    case messenger::EventKind::kMessage:
      m.message_id = std::string(kIdPrefix) + event.mid;
      if (!event.reply_to_mid.empty()) {
        m.thread_keys.push_back(std::string(kIdPrefix) + event.reply_to_mid);
      }
      m.body = event.text;
      break;
    case messenger::EventKind::kPostback:
      // A postback has no mid: the sender and the time identify it.
      m.message_id = std::string(kIdPrefix) + "postback:" + event.sender_id + ":" +
                     std::to_string(event.timestamp);
      m.body = event.text.empty() ? event.postback_payload : event.text;
      break;
    default:
      return std::nullopt;
  }
  for (const auto& a : event.attachments) {
    if (!m.body.empty()) m.body += "\n";
    m.body += "[" + a.type + "] " + (a.url.empty() ? "(no link)" : a.url);
  }
  m.subject = event.text.empty() ? "Messenger message" : SubjectOf(event.text);
  return m;
}

Result<std::vector<desk::IngestOutcome>> IngestMessengerEvents(
    store::WriteTx& tx, const std::vector<messenger::MessengerEvent>& events,
    const desk::Policy* policy) {
  std::vector<desk::IngestOutcome> outcomes;
  for (const auto& event : events) {
    auto m = ToInboundMessage(event);
    if (!m) continue;
    OMBUD_ASSIGN_OR_RETURN(auto customer,
                           tx.FindCustomerByIdentity(m->sender.kind, m->sender.value));
    if (customer) {
      OMBUD_ASSIGN_OR_RETURN(auto open,
                             desk::NewestOpenTicket(tx, *customer, domain::Channel::kMessenger));
      if (open) m->ticket_number = open->number;
    }
    OMBUD_ASSIGN_OR_RETURN(auto outcome, desk::IngestMessage(tx, *m, policy));
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

std::vector<std::string> SplitMessengerText(std::string_view text, std::size_t max_chars) {
  std::vector<std::string> pieces;
  while (!text.empty()) {
    // Byte offset after `max_chars` characters, and the last break in the second half.
    std::size_t end = 0;
    std::size_t chars = 0;
    std::size_t cut = std::string_view::npos;
    while (end < text.size()) {
      if (!IsContinuation(text[end])) {
        if (chars == max_chars) break;
        ++chars;
        if (chars > max_chars / 2 && (text[end] == '\n' || text[end] == ' ')) cut = end;
      }
      ++end;
    }
    if (end == text.size()) {
      pieces.emplace_back(text);
      break;
    }
    if (cut == std::string_view::npos) cut = end;
    pieces.emplace_back(text.substr(0, cut));
    text.remove_prefix(cut);
    while (!text.empty() && (text.front() == '\n' || text.front() == ' ')) text.remove_prefix(1);
  }
  return pieces;
}

Status SendMessengerOutbox(const MessengerSettings& settings, const store::OutboxMessage& message) {
  if (message.channel != domain::Channel::kMessenger) {
    return Fail(ErrorCode::kInvalidArgument, "not a Messenger message", "channel");
  }
  std::string_view psid = message.recipient;
  const MessengerPage* page = settings.pages.empty() ? nullptr : &settings.pages.front();
  if (const auto colon = psid.find(':'); colon != std::string_view::npos) {
    const std::string_view page_id = psid.substr(0, colon);
    psid.remove_prefix(colon + 1);
    page = nullptr;
    for (const auto& p : settings.pages) {
      if (p.page_id == page_id) page = &p;
    }
  }
  if (page == nullptr) {
    return Fail(ErrorCode::kFailedPrecondition,
                "no Messenger page is configured for " + message.recipient, "recipient");
  }
  if (psid.empty()) return Fail(ErrorCode::kInvalidArgument, "no recipient PSID", "recipient");
  for (const auto& piece : SplitMessengerText(message.body)) {
    OMBUD_RETURN_IF_ERROR(messenger::SendMessage(settings.graph_base_url, page->access_token,
                                                 messenger::BuildSendRequest(psid, piece)));
  }
  return {};
}

Result<SendOutcome> MessengerSender::Send(const store::OutboxRow& row, const DeliveryContext&) {
  OMBUD_RETURN_IF_ERROR(SendMessengerOutbox(settings_, row.message));
  return SendOutcome{};
}

}  // namespace ombud::jobs
