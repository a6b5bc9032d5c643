#pragma once

#include <atomic>
#include <chrono>

#include "domain/clock.hpp"

namespace ombud::app {

// The wall clock: the only place Ombud reads it.
class RealClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::now();
  }
};

}  // namespace ombud::app

namespace ombud::app {

// The wall clock moved by an offset: `serve --test-clock` lets an admin set and advance it so
// a deadline ten working days away is tested in milliseconds. Thread-safe.
class OffsetClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::now() +
           std::chrono::milliseconds(offset_ms_.load(std::memory_order_relaxed));
  }
  void Set(std::chrono::system_clock::time_point at) {
    offset_ms_.store(
        std::chrono::duration_cast<std::chrono::milliseconds>(at - std::chrono::system_clock::now())
            .count());
  }
  void Advance(std::chrono::milliseconds by) { offset_ms_.fetch_add(by.count()); }

 private:
  std::atomic<std::int64_t> offset_ms_{0};
};

}  // namespace ombud::app
