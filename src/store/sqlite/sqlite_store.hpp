#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "domain/clock.hpp"
#include "store/sqlite/db.hpp"
#include "store/store.hpp"

namespace ombud::store::sqlite {

class SqliteTx;

struct Options {
  std::string path;              // The database file; created when missing.
  int readers = 4;               // Size of the read connection pool.
  int max_batch = 1024;          // Most writes committed by one transaction.
  const Clock* clock = nullptr;  // Required; outlives the store.
  int checkpoint_pages = 4000;   // WAL size (pages) at which the checkpointer copies it back.
};

// The embedded Store: one SQLite file in WAL mode. One writer thread group-commits every queued
// write in one transaction; a failing write makes the batch re-run with a savepoint per write so
// it rolls back alone. Durability is pipelined: the writer commits with synchronous=NORMAL (the
// WAL is written, not yet synced) and goes on with the next batch while a sync thread
// fdatasyncs the WAL and only then runs the batch's `done` callbacks. So a write is answered
// only once it is on disk, and the fsync latency no longer stalls the writer. While a sync runs,
// the writer keeps its transaction open and adds the writes that arrive to it: they could not
// reach the disk before the next sync anyway, and one transaction per sync writes fewer pages
// than several. Readers may see a batch up to one fsync before it is durable
// (docs/architecture.md). A checkpointer thread, on
// its own connection, copies the WAL back into the database file once it holds
// `checkpoint_pages` pages, so neither the writer nor the sync thread stalls on it. Thread-safe.
class SqliteStore final : public Store {
 public:
  // Opens (creating and migrating as needed) and starts the writer thread.
  static Result<std::unique_ptr<SqliteStore>> Open(const Options& options);
  ~SqliteStore() override;  // Drains queued writes, then stops.

  void Write(WriteFn fn, DoneFn done) override;
  Status Read(const std::function<Status(ReadTx&)>& fn) override;
  Result<AuditVerdict> VerifyAudit() override;
  StoreStats Stats() const override;
  void OnTimerScheduled(std::function<void(Millis)> observer) override;
  void OnOutboxEnqueued(std::function<void()> observer) override;

 private:
  struct Job {
    WriteFn fn;
    DoneFn done;
  };
  struct ChainHead {
    std::int64_t seq = 0;
    std::string hash;
  };

  explicit SqliteStore(const Options& options);
  Status Init();
  // Results of a committed (or failed) batch, waiting for the WAL to reach the disk.
  struct Acks {
    std::vector<DoneFn> done;
    std::vector<Status> results;
    bool committed = false;
  };

  void WriterLoop();
  // Waits for queued writes and moves them into `batch`; false once stopping and drained.
  bool WaitForJobs(std::vector<Job>& batch);
  // With a transaction open: while the sync thread is busy, waits for more writes and moves
  // them into `batch`. True when the transaction should commit (after running what it moved).
  bool HoldForJobs(std::vector<Job>& batch);
  // Runs the writes of `batch` and any that arrive while the sync thread is busy (HoldForJobs)
  // in one transaction, commits it and hands the results to the sync thread.
  void CommitBatch(std::vector<Job>& batch);
  // BEGIN IMMEDIATE, with the batch state reset and the chain head read.
  Status BeginBatch();
  // Runs batch[from..] in the open transaction, each write in a savepoint when `isolate`. False
  // when a write failed without one: the transaction must roll back and run again isolated.
  bool ApplyJobs(SqliteTx& tx, std::vector<Job>& batch, std::vector<Status>& results,
                 std::size_t from, bool isolate);
  void SyncLoop();
  void CheckpointLoop();
  void FinishCheckpoint();  // Writer thread, between batches.
  static int OnWalCommit(void* self, sqlite3* db, const char* name, int pages);
  Status SyncWal();
  Status LoadChainHead();
  Status FlushCounters(Db& db);
  // Inserts the batch's audit entries not yet written, several rows per statement.
  Status FlushAudit(Db& db);

  Options options_;
  std::unique_ptr<Db> writer_db_;
  ChainHead head_;         // Writer thread only.
  ChainHead batch_start_;  // Writer thread only: the head when the transaction began.
  // The batch's audit entries in chain order (writer thread only). Entries are hashed when
  // written (SqliteTx::Audit) and inserted by FlushAudit: before COMMIT, or before a write
  // reads the log. The first `batch_audit_flushed_` are in the table already.
  std::vector<AuditRecord> batch_audit_;
  std::size_t batch_audit_flushed_ = 0;
  int wal_pages_ = 0;  // WAL length after the last commit (writer thread, from the WAL hook).
  std::optional<Millis> batch_earliest_timer_;          // Writer thread only.
  std::map<std::string, std::int64_t> batch_counters_;  // Writer thread only; see NextCounter.
  std::function<void(Millis)> timer_observer_;
  bool batch_outbox_enqueued_ = false;  // Writer thread only.
  std::function<void()> outbox_observer_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  // Under queue_mu_. False from the writer's hand-off of a batch until the sync thread's
  // fdatasync of it returned: a transaction committed meanwhile would wait for that sync.
  bool sync_ready_ = true;
  std::size_t writer_wake_at_ = 1;  // Queue length at which Write wakes the writer.
  std::thread writer_;

  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  std::vector<Acks> unsynced_;
  bool sync_stopping_ = false;
  std::thread syncer_;
  int wal_fd_ = -1;  // Sync thread only.
  std::atomic<std::int64_t> syncs_{0};

  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_stopping_ = false;
  std::unique_ptr<Db> checkpoint_db_;  // Checkpointer thread only (after Init).
  int checkpoint_db_fd_ = -1;          // The database file, synced by the checkpointer.
  std::thread checkpointer_;
  std::atomic<std::int64_t> checkpoints_{0};
  enum class CheckpointPhase { kIdle, kBackground, kWriterFinishes };
  std::atomic<CheckpointPhase> checkpoint_phase_{CheckpointPhase::kIdle};

  std::mutex readers_mu_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<Db>> free_readers_;
  std::size_t reader_count_ = 0;  // Pool size, set once in Init.
  // Set by the writer while it waits for the pool's readers to finish, so that a WAL restart
  // is not starved by readers that keep starting transactions (FinishCheckpoint).
  bool readers_held_ = false;
  std::condition_variable readers_drained_cv_;

  std::atomic<std::int64_t> batches_{0};
  std::atomic<std::int64_t> batched_writes_{0};
  std::atomic<std::int64_t> queue_depth_{0};
  std::array<std::atomic<std::int64_t>, 11> batch_buckets_{};

  friend class SqliteTx;
};

}  // namespace ombud::store::sqlite
