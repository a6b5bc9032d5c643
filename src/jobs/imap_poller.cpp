#include "jobs/imap_poller.hpp"

#include <algorithm>
#include <charconv>

#include "jobs/mail_ingest.hpp"

namespace ombud::jobs {

namespace email = channels::email;

namespace {

struct Cursor {
  std::uint32_t uid_validity = 0;
  std::uint32_t last_uid = 0;
};

// Stored as "<uid_validity>:<last_uid>".
std::string Format(const Cursor& c) {
  return std::to_string(c.uid_validity) + ":" + std::to_string(c.last_uid);
}

std::optional<Cursor> ParseCursor(std::string_view s) {
  const auto colon = s.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  Cursor c;
  const auto a = std::from_chars(s.data(), s.data() + colon, c.uid_validity);
  const auto b = std::from_chars(s.data() + colon + 1, s.data() + s.size(), c.last_uid);
  if (a.ec != std::errc() || b.ec != std::errc() || b.ptr != s.data() + s.size()) {
    return std::nullopt;
  }
  return c;
}

}  // namespace

std::chrono::milliseconds PollDelay(const ImapPollerOptions& options, int failures) {
  auto wait = options.interval;
  for (int i = 0; i < failures && wait < options.max_backoff; ++i) wait *= 2;
  return std::min(wait, std::max(options.max_backoff, options.interval));
}

ImapPoller::ImapPoller(store::Store& store, store::AttachmentStore& attachments,
                       const desk::Policy* policy, ImapPollerOptions options)
    : store_(store), attachments_(attachments), policy_(policy), options_(std::move(options)) {}

ImapPoller::~ImapPoller() { Stop(); }

std::string ImapPoller::state_key() const {
  return "imap:" + options_.imap.url + "/" + options_.imap.mailbox;
}

Result<PollStats> ImapPoller::PollOnce() {
  std::lock_guard poll_lock(poll_mu_);
  PollStats stats;
  const std::string key = state_key();
  OMBUD_ASSIGN_OR_RETURN(const auto status, email::GetMailboxStatus(options_.imap));
  stats.uid_next = status.uid_next;
  std::optional<std::string> stored;
  OMBUD_RETURN_IF_ERROR(store_.Read([&](store::ReadTx& tx) -> Status {
    OMBUD_ASSIGN_OR_RETURN(stored, tx.GetChannelState(key));
    return {};
  }));
  Cursor cursor{status.uid_validity, 0};
  if (stored) {
    const auto old = ParseCursor(*stored);
    if (old && old->uid_validity == status.uid_validity) {
      cursor.last_uid = old->last_uid;
    } else {
      stats.uid_validity_changed = true;
    }
  }
  OMBUD_ASSIGN_OR_RETURN(auto uids, email::ListUidsAbove(options_.imap, cursor.last_uid));
  if (uids.size() > static_cast<std::size_t>(options_.max_messages_per_poll)) {
    uids.resize(static_cast<std::size_t>(options_.max_messages_per_poll));
  }
  if (uids.empty() && stats.uid_validity_changed) {
    OMBUD_RETURN_IF_ERROR(store_.WriteSync(
        [&](store::WriteTx& tx) -> Status { return tx.SetChannelState(key, Format(cursor)); }));
  }
  for (const std::uint32_t uid : uids) {
    OMBUD_ASSIGN_OR_RETURN(const std::string raw, email::FetchMessage(options_.imap, uid));
    ++stats.fetched;
    const Cursor next{cursor.uid_validity, uid};
    auto prepared = PrepareEmail(attachments_, raw);
    if (!prepared && prepared.error().code != ErrorCode::kInvalidArgument) {
      return std::unexpected(prepared.error());
    }
    std::string action;
    OMBUD_RETURN_IF_ERROR(store_.WriteSync([&](store::WriteTx& tx) -> Status {
      if (!prepared) {
        action = "rejected";
        OMBUD_RETURN_IF_ERROR(tx.Audit(
            "channel:email", "message.rejected", key,
            R"({"uid":)" + std::to_string(uid) + R"(,"reason":"no usable sender address"})"));
      } else {
        OMBUD_ASSIGN_OR_RETURN(auto outcome, desk::IngestMessage(tx, *prepared, policy_));
        action = outcome.action;
      }
      return tx.SetChannelState(key, Format(next));
    }));
    cursor = next;
    if (action == "created") ++stats.created;
    if (action == "appended") ++stats.appended;
    if (action == "duplicate") ++stats.duplicates;
    if (action == "ignored") ++stats.ignored;
    if (action == "rejected") {
      ++stats.rejected;
      if (options_.on_error) options_.on_error(prepared.error());
    }
    // Filed already: a failure to flag it only leaves it unread on the server.
    if (auto seen = email::MarkSeen(options_.imap, uid); !seen && options_.on_error) {
      options_.on_error(seen.error());
    }
  }
  return stats;
}

void ImapPoller::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void ImapPoller::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ImapPoller::Loop() {
  int failures = 0;
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    auto polled = PollOnce();
    if (polled) {
      failures = 0;
    } else {
      failures = std::min(failures + 1, 30);
      if (options_.on_error) options_.on_error(polled.error());
    }
    WaitForNextPoll(PollDelay(options_, failures), failures > 0, polled ? polled->uid_next : 0);
  }
}

bool ImapPoller::Stopping() {
  std::lock_guard lock(mu_);
  return stopping_;
}

void ImapPoller::WaitForNextPoll(std::chrono::milliseconds delay, bool after_failure,
                                 std::uint32_t uid_next) {
  if (options_.idle && idle_offered_ && !after_failure) {
    // Mail that came in during the poll (UIDNEXT moved) ends the IDLE at once.
    auto idled = channels::email::WaitForChange(
        options_.imap, delay, [this] { return Stopping(); }, uid_next);
    if (idled && *idled != channels::email::IdleOutcome::kNotOffered) return;  // Poll now.
    if (idled) {
      idle_offered_ = false;  // The server has no IDLE: poll on the interval from now on.
    } else if (options_.on_error) {
      options_.on_error(idled.error());  // Then wait as if polling.
    }
  }
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, delay, [this] { return stopping_; });
}

}  // namespace ombud::jobs
