#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "domain/clock.hpp"
#include "domain/model.hpp"
#include "domain/result.hpp"
#include "store/store.hpp"

// Audit anchors: the chain's head (seq and hash) written to a file outside the database. The
// chain alone proves that no entry was altered, removed or inserted *unless* someone rewrites
// every hash after the change and the head too; an anchor kept elsewhere (another disk, a
// WORM bucket, a printout) makes that rewrite visible: the anchored entry no longer has the
// anchored hash. One line per anchor: "<seq> <hash> <RFC 3339 time>".
namespace ombud::app {

// Appends the current head to `path` (created when missing) and fsyncs it, unless the last
// line already anchors that head. Returns the anchored seq (0: the log is empty).
Result<std::int64_t> AppendAuditAnchor(store::Store& store, const std::string& path,
                                       std::chrono::system_clock::time_point now);

struct AnchorVerdict {
  bool ok = true;
  std::int64_t anchors = 0;
  std::string problem;  // The first anchor the database contradicts, and how.
};

// Checks every anchor of `path` against the database: the anchored entry must still exist
// with the anchored hash. Malformed lines are errors naming the line.
Result<AnchorVerdict> CheckAuditAnchors(store::Store& store, const std::string& path);

// Anchors the head every `interval` while it runs (serve --audit-anchors), and once more when
// stopped. Errors are logged, never fatal: the log itself is unaffected.
class AnchorWriter {
 public:
  AnchorWriter(store::Store& store, const Clock& clock, std::string path,
               std::chrono::seconds interval);
  ~AnchorWriter();  // Stops.
  AnchorWriter(const AnchorWriter&) = delete;
  AnchorWriter& operator=(const AnchorWriter&) = delete;

  void Stop();

 private:
  void Run();
  void AnchorOnce();

  store::Store& store_;
  const Clock& clock_;
  std::string path_;
  std::chrono::seconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ombud::app
