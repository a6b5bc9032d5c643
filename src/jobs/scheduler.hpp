#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "domain/clock.hpp"
#include "store/store.hpp"

namespace ombud::jobs {

// Fires durable timers on time. Sleeps until the earliest unfired timer (not a polling loop),
// wakes when a commit schedules an earlier one or the clock is moved (test clock), and hands
// each due timer to `fire` inside its own write transaction. Timers live in the store, so they
// survive restarts: on start every timer already due fires at once. Thread-safe.
class Scheduler {
 public:
  using FireFn = std::function<Status(store::WriteTx&, const store::Timer&)>;

  Scheduler(store::Store& store, const Clock& clock, FireFn fire);
  ~Scheduler();  // Stops.
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void Start();
  void Stop();
  // Re-reads the earliest timer: after a commit that scheduled one, or a clock change.
  void Wake();
  std::int64_t fired() const;

 private:
  void Loop();

  store::Store& store_;
  const Clock& clock_;
  FireFn fire_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  std::int64_t fired_ = 0;
  std::thread thread_;
};

}  // namespace ombud::jobs
