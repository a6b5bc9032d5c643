#include "jobs/scheduler.hpp"

#include <pthread.h>

#include <algorithm>

namespace ombud::jobs {

namespace {

// Longest sleep without a wake-up: bounds the effect of a clock that jumps without telling
// (e.g. the host's clock being set).
constexpr std::chrono::seconds kMaxSleep{60};

domain::Millis NowMillis(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch())
      .count();
}

}  // namespace

Scheduler::Scheduler(store::Store& store, const Clock& clock, FireFn fire)
    : store_(store), clock_(clock), fire_(std::move(fire)) {}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "ombud-timers");
    Loop();
  });
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Scheduler::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

std::int64_t Scheduler::fired() const {
  std::lock_guard lock(mu_);
  return fired_;
}

void Scheduler::Loop() {
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      woken_ = false;
    }
    // Fire everything due, a batch at a time, each timer in its own transaction so one
    // failing timer does not hold back the others.
    std::vector<store::Timer> due;
    const domain::Millis now = NowMillis(clock_);
    auto read = store_.Read([&](store::ReadTx& tx) -> Status {
      OMBUD_ASSIGN_OR_RETURN(due, tx.DueTimers(now, 256));
      return {};
    });
    for (const auto& timer : due) {
      auto done = store_.WriteSync([&](store::WriteTx& tx) { return fire_(tx, timer); });
      if (!done) {
        // Still mark it fired, so a timer that cannot fire does not spin; the failure is in
        // the audit log of the attempt's own error.
        (void)store_.WriteSync([&](store::WriteTx& tx) { return tx.MarkTimerFired(timer.id); });
      }
      std::lock_guard lock(mu_);
      ++fired_;
    }
    if (read && due.size() == 256) continue;

    std::optional<store::Timer> next;
    (void)store_.Read([&](store::ReadTx& tx) -> Status {
      OMBUD_ASSIGN_OR_RETURN(next, tx.NextTimer());
      return {};
    });
    auto sleep = std::chrono::milliseconds(kMaxSleep);
    if (next) {
      const auto wait = next->fire_at - NowMillis(clock_);
      if (wait <= 0) continue;
      sleep = std::min(sleep, std::chrono::milliseconds(wait));
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, sleep, [this] { return stopping_ || woken_; });
  }
}

}  // namespace ombud::jobs
