#pragma once

#include <chrono>
#include <optional>

#include "domain/model.hpp"
#include "domain/result.hpp"
#include "store/store.hpp"

// Housekeeping on durable timers, fired by the same scheduler as the deadline clocks: it
// survives restarts and runs on one server only even when several share the database.
namespace ombud::app {

struct HousekeepingOptions {
  // How long a stored idempotent answer replays (serve --idempotency-retention-hours). A retry
  // later than this executes again; clients retry within minutes, audits never rely on it.
  std::chrono::hours idempotency_retention{24};
  int purge_batch =
      5000;  // Rows of each kind deleted per transaction, so none holds the writer long.
};

// Replaces any pending housekeeping timer with one due now (its options may have changed since
// the last start).
Status ScheduleHousekeeping(store::Store& store);

// Runs `timer` when it is a housekeeping timer, and schedules its next run: at once while a
// full batch was purged, otherwise in an hour. nullopt: not a housekeeping timer.
std::optional<Status> FireHousekeeping(store::WriteTx& tx, const store::Timer& timer,
                                       const HousekeepingOptions& options);

}  // namespace ombud::app
