#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace ombud::api {

// Fixed-window counters per key (e.g. a client's IP): at most `limit` events per `window`.
// In-process only; each node counts its own. Thread-safe.
class RateLimiter {
 public:
  RateLimiter(int limit, std::chrono::seconds window) : limit_(limit), window_(window) {}

  // Counts one event for `key`; false when the key is over its limit in this window.
  bool Allow(const std::string& key) {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mu_);
    if (counts_.size() > 100000) counts_.clear();  // Bounded memory under a spray of keys.
    auto& w = counts_[key];
    if (now - w.start >= window_) w = {now, 0};
    return ++w.count <= limit_;
  }

 private:
  struct Window {
    std::chrono::steady_clock::time_point start;
    int count = 0;
  };
  const int limit_;
  const std::chrono::seconds window_;
  std::mutex mu_;
  std::unordered_map<std::string, Window> counts_;
};

}  // namespace ombud::api
