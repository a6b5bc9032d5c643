#include "jobs/outbox_worker.hpp"

#include <pthread.h>
#include <sodium.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>

namespace ombud::jobs {

namespace {

namespace json = boost::json;

// Longest sleep without a wake-up: bounds the effect of a missed wake or a clock that jumps.
constexpr std::chrono::seconds kMaxSleep{30};

domain::Millis NowMillis(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch())
      .count();
}

std::string AuditSubject(const store::OutboxRow& row) {
  return row.message.ticket_id ? "ticket:" + std::to_string(*row.message.ticket_id)
                               : "outbox:" + std::to_string(row.id);
}

json::object AuditDetails(const store::OutboxRow& row) {
  return json::object{{"outbox_id", row.id},
                      {"channel", domain::Name(row.message.channel)},
                      {"dedupe_key", row.message.dedupe_key},
                      {"attempt", row.attempts + 1}};
}

}  // namespace

TokenBucket::TokenBucket(double rate, double burst)
    : rate_(rate), burst_(std::max(1.0, burst)), tokens_(std::max(1.0, burst)) {}

std::chrono::nanoseconds TokenBucket::Take(TimePoint now) {
  if (rate_ <= 0) return std::chrono::nanoseconds(0);
  if (started_ && now > last_) {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
  }
  if (!started_ || now > last_) last_ = now;
  started_ = true;
  tokens_ -= 1;
  if (tokens_ >= 0) return std::chrono::nanoseconds(0);
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(-tokens_ / rate_));
}

std::chrono::milliseconds Backoff(const DeliveryOptions& options, int attempts, double unit) {
  const double base = static_cast<double>(options.backoff_base.count());
  const double cap = static_cast<double>(options.backoff_max.count());
  const double ceiling = std::min(cap, base * std::ldexp(1.0, std::clamp(attempts - 1, 0, 40)));
  return std::chrono::milliseconds(static_cast<std::int64_t>(ceiling * std::clamp(unit, 0.0, 1.0)));
}

OutboxWorker::OutboxWorker(store::Store& store, const Clock& clock, DeliveryOptions options)
    : store_(store), clock_(clock), options_(std::move(options)) {
  if (sodium_init() < 0) Log("error", "libsodium failed to initialise");
}

OutboxWorker::~OutboxWorker() { Stop(); }

void OutboxWorker::Register(domain::Channel channel, std::shared_ptr<Sender> sender,
                            RateLimit limit) {
  auto c = std::make_unique<Channel>();
  c->channel = channel;
  c->sender = std::move(sender);
  c->limit = limit;
  channels_.push_back(std::move(c));
}

bool OutboxWorker::Registered(domain::Channel channel) const {
  return std::any_of(channels_.begin(), channels_.end(),
                     [channel](const auto& c) { return c->channel == channel; });
}

void OutboxWorker::Start() {
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  for (auto& c : channels_) {
    if (c->thread.joinable()) continue;
    c->thread = std::thread([this, ch = c.get()] {
      pthread_setname_np(pthread_self(), "ombud-outbox");
      Loop(*ch);
    });
  }
}

void OutboxWorker::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& c : channels_) {
    if (c->thread.joinable()) c->thread.join();
  }
}

void OutboxWorker::Wake() {
  {
    std::lock_guard lock(mu_);
    ++wakes_;
  }
  cv_.notify_all();
}

std::int64_t OutboxWorker::sent() const {
  std::lock_guard lock(mu_);
  return sent_;
}

std::int64_t OutboxWorker::failed() const {
  std::lock_guard lock(mu_);
  return failed_;
}

double OutboxWorker::Random() {
  return static_cast<double>(randombytes_uniform(1u << 30)) / static_cast<double>(1u << 30);
}

void OutboxWorker::Log(const std::string& level, const std::string& message) const {
  if (options_.log) options_.log(level, message);
}

bool OutboxWorker::SleepUntil(std::chrono::steady_clock::time_point deadline,
                              std::uint64_t seen_wakes) {
  std::unique_lock lock(mu_);
  cv_.wait_until(lock, deadline, [&] { return stopping_ || wakes_ != seen_wakes; });
  return !stopping_;
}

void OutboxWorker::Loop(Channel& channel) {
  TokenBucket bucket(channel.limit.per_second, channel.limit.burst);
  const std::vector<domain::Channel> channels{channel.channel};
  for (;;) {
    std::uint64_t seen_wakes = 0;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      seen_wakes = wakes_;
    }
    std::vector<store::OutboxRow> claimed;
    const auto claimed_at = std::chrono::steady_clock::now();
    auto claim = store_.WriteSync([&](store::WriteTx& tx) -> Status {
      const auto lease_until = tx.Now() + options_.lease.count();
      OMBUD_ASSIGN_OR_RETURN(claimed,
                             tx.ClaimOutbox(channels, options_.node, lease_until, options_.batch));
      return {};
    });
    if (!claim) {
      Log("error", "outbox claim failed: " + claim.error().message);
      claimed.clear();
    }
    bool stopped = false;
    bool lease_short = false;
    for (const auto& row : claimed) {
      // Slow sends must not outlive the lease (another node would send the rest too): past
      // half of it, the rest of the batch is left to be claimed again when the lease ends.
      if (std::chrono::steady_clock::now() - claimed_at > options_.lease / 2) {
        lease_short = true;
        break;
      }
      if (!Deliver(channel, bucket, row)) {
        stopped = true;
        break;
      }
    }
    if (stopped) return;
    if (claim && (lease_short || claimed.size() == static_cast<std::size_t>(options_.batch))) {
      continue;
    }

    std::optional<domain::Millis> next;
    (void)store_.Read([&](store::ReadTx& tx) -> Status {
      OMBUD_ASSIGN_OR_RETURN(next, tx.NextOutboxAttempt(channels));
      return {};
    });
    auto sleep = std::chrono::milliseconds(kMaxSleep);
    if (!claim) sleep = std::chrono::milliseconds(1000);
    if (next) {
      const auto wait = *next - NowMillis(clock_);
      if (wait <= 0 && claim) continue;
      sleep = std::min(sleep, std::chrono::milliseconds(std::max<domain::Millis>(wait, 1)));
    }
    if (!SleepUntil(std::chrono::steady_clock::now() + sleep, seen_wakes)) return;
  }
}

bool OutboxWorker::Deliver(Channel& channel, TokenBucket& bucket, const store::OutboxRow& row) {
  const auto wait = bucket.Take(std::chrono::steady_clock::now());
  if (wait.count() > 0) {
    // Only Stop interrupts a rate-limit wait: a wake must not let a burst through.
    const auto until = std::chrono::steady_clock::now() + wait;
    std::unique_lock lock(mu_);
    cv_.wait_until(lock, until, [this] { return stopping_; });
    if (stopping_) return false;
  }
  DeliveryContext context;
  if (row.message.ticket_id) {
    (void)store_.Read([&](store::ReadTx& tx) -> Status {
      OMBUD_ASSIGN_OR_RETURN(auto ticket, tx.GetTicket(*row.message.ticket_id));
      context.ticket_number = ticket.number;
      OMBUD_ASSIGN_OR_RETURN(context.thread, tx.ListThreadMessages(ticket.id, 20));
      if (row.message.article_id) {
        OMBUD_ASSIGN_OR_RETURN(auto articles, tx.ListArticles(ticket.id));
        for (auto& a : articles) {
          if (a.id == *row.message.article_id) context.attachments = std::move(a.attachments);
        }
      }
      return {};
    });
  }
  const auto outcome = channel.sender->Send(row, context);
  Status recorded;
  if (outcome) {
    recorded = store_.WriteSync([&](store::WriteTx& tx) -> Status {
      OMBUD_RETURN_IF_ERROR(tx.MarkOutboxSent(row.id, outcome->message_id, outcome->provider_ref));
      auto details = AuditDetails(row);
      details["message_id"] = outcome->message_id;
      details["provider_ref"] = outcome->provider_ref;
      return tx.Audit("system", "outbox.sent", AuditSubject(row), json::serialize(details));
    });
    std::lock_guard lock(mu_);
    ++sent_;
  } else {
    const int attempts = row.attempts + 1;
    const bool permanent = outcome.error().code == ErrorCode::kInvalidArgument;
    const bool dead = permanent || attempts >= options_.max_attempts;
    const auto delay = Backoff(options_, attempts, Random());
    const std::string error = outcome.error().message;
    recorded = store_.WriteSync([&](store::WriteTx& tx) -> Status {
      OMBUD_RETURN_IF_ERROR(tx.MarkOutboxFailed(row.id, error, tx.Now() + delay.count(), dead));
      auto details = AuditDetails(row);
      details["error"] = error;
      if (!dead) details["next_attempt_in_ms"] = delay.count();
      return tx.Audit("system", dead ? "outbox.dead" : "outbox.failed", AuditSubject(row),
                      json::serialize(details));
    });
    Log(dead ? "error" : "warn", std::string(domain::Name(row.message.channel)) + " message " +
                                     std::to_string(row.id) + (dead ? " dead: " : " failed: ") +
                                     error);
    std::lock_guard lock(mu_);
    ++failed_;
  }
  if (!recorded) {
    // The send happened but its outcome is not recorded: the lease returns the row later, and
    // the resend carries the same Message-ID (e-mail) for the receiver to drop.
    Log("error",
        "outbox " + std::to_string(row.id) + " outcome not recorded: " + recorded.error().message);
  }
  return true;
}

std::string OutboxWorker::RenderMetrics() {
  std::string out =
      "# HELP ombud_outbox_messages Outbox messages by channel and state.\n"
      "# TYPE ombud_outbox_messages gauge\n";
  std::vector<store::OutboxCount> counts;
  (void)store_.Read([&](store::ReadTx& tx) -> Status {
    OMBUD_ASSIGN_OR_RETURN(counts, tx.CountOutbox());
    return {};
  });
  for (const auto& c : counts) {
    out += "ombud_outbox_messages{channel=\"" + std::string(domain::Name(c.channel)) +
           "\",state=\"" + c.state + "\"} " + std::to_string(c.count) + "\n";
  }
  out +=
      "# HELP ombud_delivery_channel_configured 1 when this node delivers the channel; 0: its "
      "messages stay pending.\n"
      "# TYPE ombud_delivery_channel_configured gauge\n";
  for (const auto ch :
       {domain::Channel::kEmail, domain::Channel::kSms, domain::Channel::kMessenger}) {
    out += "ombud_delivery_channel_configured{channel=\"" + std::string(domain::Name(ch)) + "\"} " +
           (Registered(ch) ? "1" : "0") + "\n";
  }
  out +=
      "# HELP ombud_delivery_attempts_total Send attempts by this node.\n"
      "# TYPE ombud_delivery_attempts_total counter\n"
      "ombud_delivery_attempts_total{outcome=\"sent\"} " +
      std::to_string(sent()) + "\nombud_delivery_attempts_total{outcome=\"failed\"} " +
      std::to_string(failed()) + "\n";
  return out;
}

}  // namespace ombud::jobs
