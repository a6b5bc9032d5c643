#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "domain/clock.hpp"
#include "store/store.hpp"

// Outbox delivery: workers that claim due outbox rows (with a lease), hand each to its
// channel's Sender, and record the outcome (sent, next attempt, dead letter) with an audit
// entry in the same transaction.
namespace ombud::jobs {

// What a sender knows about the message's ticket beyond the row.
struct DeliveryContext {
  std::string ticket_number;                    // "" when the message has no ticket.
  std::vector<store::ThreadMessage> thread;     // The ticket's conversation ids, oldest first.
  std::vector<domain::Attachment> attachments;  // Of the message's article (an answer's files).
};

struct SendOutcome {
  std::string message_id;    // The e-mail Message-ID used; "" for other channels.
  std::string provider_ref;  // What delivery reports will call the message; may be "".
};

// Delivers one outbox message over one channel. Errors: kInvalidArgument means the message can
// never be delivered (a permanent rejection: dead letter at once); anything else is retried.
// Implementations are thread-safe.
class Sender {
 public:
  virtual ~Sender() = default;
  virtual Result<SendOutcome> Send(const store::OutboxRow& row, const DeliveryContext& context) = 0;
};

// Token bucket: `rate` tokens a second, at most `burst` saved up. Not thread-safe (one per
// worker thread). rate <= 0 means unlimited.
class TokenBucket {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  TokenBucket(double rate, double burst);
  // Takes a token at `now`; returns how long the caller must wait before using it (zero when
  // one was available). Tokens taken ahead make later callers wait longer.
  std::chrono::nanoseconds Take(TimePoint now);

 private:
  double rate_;
  double burst_;
  double tokens_;
  TimePoint last_{};
  bool started_ = false;
};

struct RateLimit {
  double per_second = 0;  // <= 0: unlimited.
  double burst = 1;
};

struct DeliveryOptions {
  std::string node = "ombud";  // Lease owner name (the host, for several nodes).
  int max_attempts = 8;        // Attempts before a message becomes a dead letter.
  // Backoff before attempt n+1: uniform in [0, min(backoff_max, backoff_base * 2^(n-1))]
  // ("full jitter"), so many failing messages do not retry in lock step.
  std::chrono::milliseconds backoff_base{30000};
  std::chrono::milliseconds backoff_max{std::chrono::hours(1)};
  // A claimed message is not handed to another worker for this long; must exceed the
  // longest send (the transports' total timeouts). A worker stops working through its batch
  // at half the lease; the rest is claimed again when the lease ends.
  std::chrono::milliseconds lease{std::chrono::minutes(5)};
  int batch = 16;  // Rows claimed at a time.
  std::function<void(const std::string& level, const std::string& message)> log;
};

// The backoff before the next attempt after `attempts` failed ones (>= 1), given a uniform
// random `unit` in [0, 1). Pure.
std::chrono::milliseconds Backoff(const DeliveryOptions& options, int attempts, double unit);

// Runs one thread per registered channel. Messages of a channel without a sender are never
// claimed: they stay pending (visible in RenderMetrics) until a node that has one runs.
// Thread-safe after Start.
class OutboxWorker {
 public:
  OutboxWorker(store::Store& store, const Clock& clock, DeliveryOptions options);
  ~OutboxWorker();  // Stops.
  OutboxWorker(const OutboxWorker&) = delete;
  OutboxWorker& operator=(const OutboxWorker&) = delete;

  // The registration point for channels (e-mail, SMS, Messenger, ...). REQUIRES: before Start.
  void Register(domain::Channel channel, std::shared_ptr<Sender> sender, RateLimit limit = {});
  bool Registered(domain::Channel channel) const;

  void Start();
  void Stop();  // Finishes the send in progress; claimed rows left return when leases end.
  // Looks for due messages now: after a commit that enqueued one, or a clock change.
  void Wake();

  std::int64_t sent() const;
  std::int64_t failed() const;  // Failed attempts (retried or dead).
  // Prometheus text: outbox rows by channel and state, and which channels have a sender.
  std::string RenderMetrics();

 private:
  struct Channel {
    domain::Channel channel;
    std::shared_ptr<Sender> sender;
    RateLimit limit;
    std::thread thread;
  };

  void Loop(Channel& channel);
  // Sends one claimed row and records the outcome. False when stopping.
  bool Deliver(Channel& channel, TokenBucket& bucket, const store::OutboxRow& row);
  // Sleeps until `deadline` or Wake/Stop; false when stopping.
  bool SleepUntil(std::chrono::steady_clock::time_point deadline, std::uint64_t seen_wakes);
  double Random();
  void Log(const std::string& level, const std::string& message) const;

  store::Store& store_;
  const Clock& clock_;
  DeliveryOptions options_;
  std::vector<std::unique_ptr<Channel>> channels_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::uint64_t wakes_ = 0;
  std::int64_t sent_ = 0;
  std::int64_t failed_ = 0;
};

}  // namespace ombud::jobs
