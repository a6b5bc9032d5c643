#include "app/housekeeping.hpp"

namespace ombud::app {
namespace {

constexpr std::string_view kIdempotencyPurge = "housekeeping.idempotency";
constexpr std::string_view kSubject = "housekeeping";

store::Timer PurgeTimer(domain::Millis at) {
  return store::Timer{
      .fire_at = at, .kind = std::string(kIdempotencyPurge), .subject = std::string(kSubject)};
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
  if (timer.kind != kIdempotencyPurge) return std::nullopt;
  auto run = [&]() -> Status {
    const domain::Millis now = tx.Now();
    OMBUD_RETURN_IF_ERROR(tx.MarkTimerFired(timer.id));
    const auto retention =
        std::chrono::duration_cast<std::chrono::milliseconds>(options.idempotency_retention);
    OMBUD_ASSIGN_OR_RETURN(const auto purged,
                           tx.PurgeIdempotent(now - retention.count(), options.purge_batch));
    const auto next = purged >= options.purge_batch
                          ? now
                          : now + std::chrono::milliseconds(std::chrono::hours(1)).count();
    auto again = PurgeTimer(next);
    return tx.ScheduleTimer(again);
  };
  return run();
}

}  // namespace ombud::app
