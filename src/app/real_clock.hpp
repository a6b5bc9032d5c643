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
