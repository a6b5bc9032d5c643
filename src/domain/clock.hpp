#pragma once

#include <chrono>

namespace ombud {

// An instant on the UTC time line, to the second. All stored deadlines use it.
using Instant = std::chrono::sys_seconds;

// The only way Ombud code learns the current time. Thread-safe implementations.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point Now() const = 0;
  Instant NowSeconds() const { return std::chrono::floor<std::chrono::seconds>(Now()); }
};

}  // namespace ombud
