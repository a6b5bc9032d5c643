#include "api/metrics.hpp"

#include <algorithm>
#include <sstream>

namespace ombud::api {

void Metrics::RecordRequest(std::string_view route, std::string_view method, int status,
                            double seconds) {
  {
    // Looked up by views: a request allocates nothing here once its route was counted.
    std::lock_guard lock(mu_);
    const auto key = std::make_tuple(route, method, status);
    if (auto it = requests_.find(key); it != requests_.end()) {
      ++it->second;
    } else {
      requests_.emplace(std::make_tuple(std::string(route), std::string(method), status), 1);
    }
  }
  const auto it = std::lower_bound(kLatencyBounds.begin(), kLatencyBounds.end(), seconds);
  latency_buckets_[static_cast<std::size_t>(it - kLatencyBounds.begin())].fetch_add(
      1, std::memory_order_relaxed);
  latency_count_.fetch_add(1, std::memory_order_relaxed);
  latency_sum_us_.fetch_add(static_cast<std::int64_t>(seconds * 1e6), std::memory_order_relaxed);
}

std::string Metrics::Render(const store::StoreStats& store) const {
  std::ostringstream out;
  out << "# HELP ombud_http_requests_total HTTP requests answered.\n"
      << "# TYPE ombud_http_requests_total counter\n";
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, n] : requests_) {
      const auto& [route, method, status] = key;
      out << "ombud_http_requests_total{route=\"" << route << "\",method=\"" << method
          << "\",status=\"" << status << "\"} " << n << "\n";
    }
  }
  out << "# HELP ombud_http_request_duration_seconds Time from request read to response ready.\n"
      << "# TYPE ombud_http_request_duration_seconds histogram\n";
  std::int64_t cumulative = 0;
  for (std::size_t i = 0; i < latency_buckets_.size(); ++i) {
    cumulative += latency_buckets_[i].load(std::memory_order_relaxed);
    out << "ombud_http_request_duration_seconds_bucket{le=\"";
    if (i < kLatencyBounds.size()) {
      out << kLatencyBounds[i];
    } else {
      out << "+Inf";
    }
    out << "\"} " << cumulative << "\n";
  }
  out << "ombud_http_request_duration_seconds_sum "
      << static_cast<double>(latency_sum_us_.load(std::memory_order_relaxed)) / 1e6 << "\n"
      << "ombud_http_request_duration_seconds_count "
      << latency_count_.load(std::memory_order_relaxed) << "\n";
  out << "# HELP ombud_http_open_connections Connections currently open.\n"
      << "# TYPE ombud_http_open_connections gauge\n"
      << "ombud_http_open_connections " << open_connections_.load(std::memory_order_relaxed)
      << "\n";
  out << "# HELP ombud_store_commit_batches_total Write transactions committed.\n"
      << "# TYPE ombud_store_commit_batches_total counter\n"
      << "ombud_store_commit_batches_total " << store.batches << "\n"
      << "# HELP ombud_store_commit_batch_size Writes per committed transaction.\n"
      << "# TYPE ombud_store_commit_batch_size histogram\n";
  cumulative = 0;
  for (std::size_t i = 0; i < store.batch_size_buckets.size(); ++i) {
    cumulative += store.batch_size_buckets[i];
    out << "ombud_store_commit_batch_size_bucket{le=\"";
    if (i + 1 < store.batch_size_buckets.size()) {
      out << (1 << i);
    } else {
      out << "+Inf";
    }
    out << "\"} " << cumulative << "\n";
  }
  out << "ombud_store_commit_batch_size_sum " << store.batched_writes << "\n"
      << "ombud_store_commit_batch_size_count " << store.batches << "\n"
      << "# HELP ombud_store_write_queue_depth Writes waiting for the writer.\n"
      << "# TYPE ombud_store_write_queue_depth gauge\n"
      << "ombud_store_write_queue_depth " << store.queue_depth << "\n"
      << "# HELP ombud_store_syncs_total fsyncs of the WAL that made committed batches durable.\n"
      << "# TYPE ombud_store_syncs_total counter\n"
      << "ombud_store_syncs_total " << store.syncs << "\n"
      << "# HELP ombud_store_checkpoints_total WAL checkpoints copied back into the database.\n"
      << "# TYPE ombud_store_checkpoints_total counter\n"
      << "ombud_store_checkpoints_total " << store.checkpoints << "\n";
  for (const auto& source : sources_) out << source();
  return out.str();
}

}  // namespace ombud::api
