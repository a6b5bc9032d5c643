#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "channels/email/imap_client.hpp"
#include "desk/policy.hpp"
#include "store/attachment_store.hpp"
#include "store/store.hpp"

namespace ombud::jobs {

struct ImapPollerOptions {
  channels::email::ImapConfig imap;
  std::chrono::milliseconds interval{std::chrono::seconds(60)};
  // After a failed poll the wait doubles, up to this.
  std::chrono::milliseconds max_backoff{std::chrono::minutes(15)};
  int max_messages_per_poll = 200;
  // Between polls, wait in IMAP IDLE when the server offers it (new mail is filed at once);
  // `interval` then only bounds each IDLE. Off, or without IDLE: poll every `interval`.
  bool idle = true;
  // Told about every failed poll and every message that could not be filed (any thread).
  std::function<void(const Error&)> on_error;
};

struct PollStats {
  int fetched = 0;
  int created = 0;
  int appended = 0;
  int duplicates = 0;
  int ignored = 0;   // Auto-replies and bounces without a ticket.
  int rejected = 0;  // Not a usable message (no sender): skipped, audited.
  bool uid_validity_changed = false;
  std::uint32_t uid_next = 0;  // The mailbox's UIDNEXT when the poll began.
};

// The wait before the next poll after `failures` failed polls in a row: the interval,
// doubled per failure up to max_backoff.
std::chrono::milliseconds PollDelay(const ImapPollerOptions& options, int failures);

// Polls one IMAP mailbox and files new messages through the e-mail intake. Remembers
// (uid_validity, last_uid) in the store ("imap:<url>/<mailbox>"), advanced in the same
// transaction that files each message, so a restart never files a message twice; when the
// server's UIDVALIDITY changes, the whole mailbox is read again (Message-ID dedupe drops what
// was filed). Filed messages are marked \Seen. Thread-safe; one poll at a time.
class ImapPoller {
 public:
  ImapPoller(store::Store& store, store::AttachmentStore& attachments, const desk::Policy* policy,
             ImapPollerOptions options);
  ~ImapPoller();  // Stops.
  ImapPoller(const ImapPoller&) = delete;
  ImapPoller& operator=(const ImapPoller&) = delete;

  // One poll now, on the caller's thread.
  Result<PollStats> PollOnce();
  // Polls every `interval` on a thread of its own, backing off after failures.
  void Start();
  void Stop();
  std::string state_key() const;

 private:
  void Loop();
  // Waits for the next poll: in IDLE while the server offers it, else `delay`.
  void WaitForNextPoll(std::chrono::milliseconds delay, bool after_failure, std::uint32_t uid_next);
  bool Stopping();

  store::Store& store_;
  store::AttachmentStore& attachments_;
  const desk::Policy* policy_;
  ImapPollerOptions options_;
  std::mutex poll_mu_;  // One poll at a time.
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool idle_offered_ = true;  // Until the server says otherwise. Loop thread only.
  std::thread thread_;
};

}  // namespace ombud::jobs
