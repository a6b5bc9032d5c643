#include "app/housekeeping.hpp"

namespace ombud::app {
namespace {

// The timer's kind as first stored (it purged idempotent answers only); kept for databases that
// hold one.
constexpr std::string_view kHousekeepingKind = "housekeeping.idempotency";
constexpr std::string_view kSubject = "housekeeping";
constexpr std::chrono::milliseconds kPurgeEvery = std::chrono::hours(1);
// Fired timers are read by nothing (clock events are in the audit chain); a week of them is
// kept for whoever looks at the table.
constexpr std::chrono::milliseconds kFiredTimerRetention = std::chrono::days(7);

store::Timer PurgeTimer(domain::Millis at) {
  return store::Timer{
      .fire_at = at, .kind = std::string(kHousekeepingKind), .subject = std::string(kSubject)};
}

// Deletes one batch of expired answers and one of old fired timers, and schedules the next
// run: at once while either batch was full.
Status RunHousekeeping(store::WriteTx& tx, const store::Timer& timer,
                       const HousekeepingOptions& options) {
  const domain::Millis now = tx.Now();
  OMBUD_RETURN_IF_ERROR(tx.MarkTimerFired(timer.id));
  const auto retention =
      std::chrono::duration_cast<std::chrono::milliseconds>(options.idempotency_retention);
  OMBUD_ASSIGN_OR_RETURN(const auto purged,
                         tx.PurgeIdempotent(now - retention.count(), options.purge_batch));
  OMBUD_ASSIGN_OR_RETURN(
      const auto timers_purged,
      tx.PurgeFiredTimers(now - kFiredTimerRetention.count(), options.purge_batch));
  const bool more = purged >= options.purge_batch || timers_purged >= options.purge_batch;
  auto next = PurgeTimer(more ? now : now + kPurgeEvery.count());
  return tx.ScheduleTimer(next);
}

}  // namespace

Status ScheduleHousekeeping(store::Store& store) {
  return store.WriteSync([](store::WriteTx& tx) -> Status {
    OMBUD_RETURN_IF_ERROR(tx.CancelTimers(std::string(kSubject)));
    auto timer = PurgeTimer(tx.Now());
    return tx.ScheduleTimer(timer);
  });
}

std::optional<Status> FireHousekeeping(store::WriteTx& tx, const store::Timer& timer,
                                       const HousekeepingOptions& options) {
  if (timer.kind != kHousekeepingKind) return std::nullopt;
  return RunHousekeeping(tx, timer, options);
}

}  // namespace ombud::app
