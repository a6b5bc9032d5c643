#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "store/store.hpp"

namespace ombud::api {

// Request counters and latency histogram, rendered as Prometheus text. Thread-safe.
class Metrics {
 public:
  static constexpr std::array<double, 12> kLatencyBounds = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0};

  void RecordRequest(std::string_view route, std::string_view method, int status, double seconds);
  void ConnectionOpened() { open_connections_.fetch_add(1, std::memory_order_relaxed); }
  void ConnectionClosed() { open_connections_.fetch_sub(1, std::memory_order_relaxed); }
  std::string Render(const store::StoreStats& store) const;
  // Appends the Prometheus text of `source` to every Render (e.g. outbox delivery). Set before
  // the server starts.
  void AddSource(std::function<std::string()> source) { sources_.push_back(std::move(source)); }

 private:
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, std::int64_t, std::less<>> requests_;
  std::array<std::atomic<std::int64_t>, kLatencyBounds.size() + 1> latency_buckets_{};
  std::atomic<std::int64_t> latency_count_{0};
  std::atomic<std::int64_t> latency_sum_us_{0};
  std::atomic<std::int64_t> open_connections_{0};
  std::vector<std::function<std::string()>> sources_;
};

}  // namespace ombud::api
