#include "store/sqlite/sqlite_store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "store/sqlite/migrations.hpp"
#include "store/store_fixture.hpp"

namespace ombud::store {
namespace {

using testing::StoreTest;

domain::Ticket NewTicket(domain::Id customer_id, std::string subject) {
  domain::Ticket t;
  t.customer_id = customer_id;
  t.subject = std::move(subject);
  t.channel = domain::Channel::kEmail;
  return t;
}

// Runs raw SQL on the database file, as an operator with the sqlite3 shell would.
void RawSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

// The subjects of every row of `timers`, in id order, fired or not.
std::vector<std::string> TimerSubjects(const std::string& path) {
  std::vector<std::string> subjects;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, "SELECT subject FROM timers ORDER BY id", -1, &st, nullptr),
            SQLITE_OK);
  while (sqlite3_step(st) == SQLITE_ROW) {
    subjects.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return subjects;
}

class SqliteStoreTest : public StoreTest {
 protected:
  domain::Id AddCustomer(const std::string& name) {
    domain::Customer c;
    c.name = name;
    EXPECT_TRUE(store_->WriteSync([&](WriteTx& tx) -> Status {
      OMBUD_RETURN_IF_ERROR(tx.InsertCustomer(c));
      return tx.Audit("test", "customer.create", "customer:" + std::to_string(c.id), "{}");
    }));
    return c.id;
  }
  // Runs `writes` in one batch (the writer is held busy while they are queued); returns 1 for
  // each that succeeded and 0 for each that failed, in order.
  std::vector<int> WriteInOneBatch(const std::vector<WriteFn>& writes) {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<int> results(writes.size(), -1);
    std::size_t finished = 0;
    std::promise<void> release;
    auto gate = release.get_future().share();
    store_->Write(
        [gate](WriteTx&) -> Status {
          gate.wait();
          return {};
        },
        nullptr);
    for (std::size_t i = 0; i < writes.size(); ++i) {
      store_->Write(writes[i], [&, i](Status s) {
        std::lock_guard lock(mu);
        results[i] = s ? 1 : 0;
        ++finished;
        cv.notify_all();
      });
    }
    release.set_value();
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return finished == writes.size(); });
    return results;
  }
  // Replaces the database with a fresh one migrated only up to `version`, as an older binary
  // left it; the store is closed until Reopen().
  void RecreateAtVersion(int version) {
    store_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path() + suffix);
    auto db = store::sqlite::Db::Open(path(), false);
    ASSERT_TRUE(db) << db.error().message;
    auto migrated = store::sqlite::Migrate(**db, version);
    ASSERT_TRUE(migrated) << migrated.error().message;
  }
  std::int64_t CountTickets() {
    std::int64_t n = 0;
    EXPECT_TRUE(store_->Read([&](ReadTx& tx) -> Status {
      TicketFilter f;
      f.limit = 100000;
      OMBUD_ASSIGN_OR_RETURN(auto list, tx.ListTickets(f));
      n = static_cast<std::int64_t>(list.size());
      return {};
    }));
    return n;
  }
};

TEST_F(SqliteStoreTest, GroupCommitsConcurrentWritesInFewTransactions) {
  const auto customer = AddCustomer("Sok Dara");
  const auto before = store_->Stats().batches;
  constexpr int kWrites = 400;
  std::mutex mu;
  std::condition_variable cv;
  int done = 0;
  int ok = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites / 4; ++i) {
        store_->Write(
            [customer, t, i](WriteTx& tx) -> Status {
              auto ticket = NewTicket(customer, "t" + std::to_string(t) + "-" + std::to_string(i));
              OMBUD_RETURN_IF_ERROR(tx.InsertTicket(ticket));
              return tx.Audit("test", "ticket.create", "ticket:" + std::to_string(ticket.id), "{}");
            },
            [&](Status s) {
              std::lock_guard lock(mu);
              ++done;
              ok += s ? 1 : 0;
              cv.notify_all();
            });
      }
    });
  }
  for (auto& th : threads) th.join();
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return done == kWrites; });
  EXPECT_EQ(ok, kWrites);
  EXPECT_EQ(CountTickets(), kWrites);
  const auto stats = store_->Stats();
  EXPECT_LT(stats.batches - before, kWrites) << "writes were not batched";
  EXPECT_EQ(stats.queue_depth, 0);
  auto verdict = store_->VerifyAudit();
  ASSERT_TRUE(verdict);
  EXPECT_TRUE(verdict->ok) << verdict->problem;
  EXPECT_EQ(verdict->entries, kWrites + 1);
}

// Writers that each wait for their previous answer, as HTTP clients do, keep arriving while a
// sync runs; the writer adds them to its open transaction (SqliteStore::HoldForJobs). A write
// that fails there, however late it joined, rolls back alone: every other write is kept, ticket
// numbers have no gaps and the chain is whole.
TEST_F(SqliteStoreTest, UnderConcurrentWritesEachFailingWriteRollsBackAlone) {
  const auto customer = AddCustomer("Sok Dara");
  constexpr int kThreads = 16;
  constexpr int kPerThread = 40;
  std::atomic<int> ok = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const Status s = store_->WriteSync([customer, t, i](WriteTx& tx) -> Status {
          auto ticket = NewTicket(customer, "t" + std::to_string(t) + "-" + std::to_string(i));
          OMBUD_RETURN_IF_ERROR(tx.InsertTicket(ticket));
          OMBUD_RETURN_IF_ERROR(
              tx.Audit("test", "ticket.create", "ticket:" + std::to_string(ticket.id), "{}"));
          if ((t + i) % 5 == 2) return Fail(ErrorCode::kInvalidArgument, "fails after writing");
          return {};
        });
        ok += s ? 1 : 0;
      }
    });
  }
  for (auto& th : threads) th.join();
  constexpr int kKept = kThreads * kPerThread * 4 / 5;
  EXPECT_EQ(ok, kKept);
  ASSERT_TRUE(store_->Read([&](ReadTx& tx) -> Status {
    TicketFilter f;
    f.limit = 10000;
    OMBUD_ASSIGN_OR_RETURN(auto tickets, tx.ListTickets(f));
    std::vector<std::string> numbers;
    for (const auto& ticket : tickets) numbers.push_back(ticket.number);
    std::sort(numbers.begin(), numbers.end());
    EXPECT_EQ(numbers.size(), static_cast<std::size_t>(kKept));
    for (std::size_t i = 0; i < numbers.size(); ++i) {
      char expected[32];
      std::snprintf(expected, sizeof expected, "C-2026-%06zu", i + 1);
      EXPECT_EQ(numbers[i], expected);
    }
    return {};
  }));
  auto verdict = store_->VerifyAudit();
  ASSERT_TRUE(verdict);
  EXPECT_TRUE(verdict->ok) << verdict->problem;
  EXPECT_EQ(verdict->entries, kKept + 1);
}

TEST_F(SqliteStoreTest, AWriteIsAnsweredOnlyAfterItsWalIsSynced) {
  const auto customer = AddCustomer("Chan Sophea");
  for (int round = 0; round < 3; ++round) {
    const auto syncs_before = store_->Stats().syncs;
    std::promise<std::int64_t> syncs_at_done;
    store_->Write(
        [customer](WriteTx& tx) -> Status {
          auto ticket = NewTicket(customer, "synced");
          OMBUD_RETURN_IF_ERROR(tx.InsertTicket(ticket));
          return tx.Audit("test", "ticket.create", "ticket:" + std::to_string(ticket.id), "{}");
        },
        [&](Status s) {
          EXPECT_TRUE(s) << s.error().message;
          syncs_at_done.set_value(store_->Stats().syncs);
        });
    EXPECT_GT(syncs_at_done.get_future().get(), syncs_before) << "answered before an fsync";
    // Another connection checkpoints and truncates the WAL (as `sqlite3 db 'PRAGMA
    // wal_checkpoint(TRUNCATE)'` would): later writes must still be synced and answered.
    RawSql(path(), "PRAGMA wal_checkpoint(TRUNCATE)");
  }
  EXPECT_EQ(CountTickets(), 3);
}

TEST_F(SqliteStoreTest, AFailingWriteRollsBackAloneAndKeepsTheChainWhole) {
  const auto customer = AddCustomer("Jane");
  std::vector<WriteFn> writes;
  for (int i = 0; i < 3; ++i) {
    writes.emplace_back([customer, i](WriteTx& tx) -> Status {
      auto ticket = NewTicket(customer, "w" + std::to_string(i));
      OMBUD_RETURN_IF_ERROR(tx.InsertTicket(ticket));
      OMBUD_RETURN_IF_ERROR(tx.Audit("test", "ticket.create", "ticket", "{}"));
      if (i == 1) return Fail(ErrorCode::kInvalidArgument, "second write fails after writing");
      return {};
    });
  }
  const auto results = WriteInOneBatch(writes);
  EXPECT_EQ(results, (std::vector<int>{1, 0, 1}));
  EXPECT_EQ(CountTickets(), 2);
  // The failed write's ticket number is not used up: numbers stay without gaps, and the counter
  // the batch wrote back continues from them.
  ASSERT_TRUE(store_->WriteSync([&](WriteTx& tx) -> Status {
    auto t = NewTicket(customer, "after");
    return tx.InsertTicket(t);
  }));
  ASSERT_TRUE(store_->Read([&](ReadTx& tx) -> Status {
    OMBUD_ASSIGN_OR_RETURN(auto tickets, tx.ListTickets(TicketFilter{}));
    std::vector<std::string> numbers;
    for (const auto& t : tickets) numbers.push_back(t.number);
    EXPECT_EQ(numbers,
              (std::vector<std::string>{"C-2026-000001", "C-2026-000002", "C-2026-000003"}));
    return {};
  }));
  auto verdict = store_->VerifyAudit();
  ASSERT_TRUE(verdict);
  EXPECT_TRUE(verdict->ok) << verdict->problem;
  EXPECT_EQ(verdict->entries, 3);
}

// Audit entries are inserted when the batch commits; a write that reads the log sees the batch's
// entries so far, and one that fails takes back only its own, even after such a read.
TEST_F(SqliteStoreTest, AWriteReadsTheBatchsAuditEntriesAndAFailureTakesBackOnlyItsOwn) {
  AddCustomer("Jane");
  std::vector<std::string> seen;  // Subjects write 1 read back before failing.
  std::vector<WriteFn> writes;
  for (int i = 0; i < 3; ++i) {
    writes.emplace_back([i, &seen](WriteTx& tx) -> Status {
      OMBUD_RETURN_IF_ERROR(tx.Audit("test", "note", "thing:" + std::to_string(i), "{}"));
      if (i != 1) return {};
      for (const std::string subject : {"thing:0", "thing:1"}) {
        OMBUD_ASSIGN_OR_RETURN(auto entries, tx.ListAudit(subject, 10));
        for (const auto& e : entries) seen.push_back(e.subject);
      }
      OMBUD_ASSIGN_OR_RETURN(auto last, tx.GetAuditEntry(0));
      if (last) seen.push_back("last=" + last->subject);
      return Fail(ErrorCode::kInvalidArgument, "fails after reading the log");
    });
  }
  const auto results = WriteInOneBatch(writes);
  EXPECT_EQ(results, (std::vector<int>{1, 0, 1}));
  // Seen on the first run of the batch and again when it ran with one savepoint per write.
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(std::vector<std::string>(seen.end() - 3, seen.end()),
            (std::vector<std::string>{"thing:0", "thing:1", "last=thing:1"}));
  ASSERT_TRUE(store_->Read([&](ReadTx& tx) -> Status {
    for (const auto& [subject, count] :
         {std::pair{"thing:0", 1}, std::pair{"thing:1", 0}, std::pair{"thing:2", 1}}) {
      OMBUD_ASSIGN_OR_RETURN(auto entries, tx.ListAudit(subject, 10));
      EXPECT_EQ(static_cast<int>(entries.size()), count) << subject;
    }
    return {};
  }));
  auto verdict = store_->VerifyAudit();
  ASSERT_TRUE(verdict);
  EXPECT_TRUE(verdict->ok) << verdict->problem;
  EXPECT_EQ(verdict->entries, 3);
}

// More entries in one batch than the largest multi-row insert holds, with writes failing among
// them: every surviving entry is in the table once, in chain order.
// Ticket entries are listed through their index, other subjects by reading the log: both give
// exactly the subject's entries, oldest first.
TEST_F(SqliteStoreTest, ListsTheAuditEntriesOfOneSubject) {
  ASSERT_TRUE(store_->WriteSync([](WriteTx& tx) -> Status {
    for (const char* subject : {"ticket:1", "ticket:10", "customer:1", "ticket:1", "ticket:2",
                                "customer:1", "ticket:1"}) {
      OMBUD_RETURN_IF_ERROR(tx.Audit("test", "note", subject, "{}"));
    }
    return {};
  }));
  ASSERT_TRUE(store_->Read([](ReadTx& tx) -> Status {
    for (const auto& [subject, seqs] :
         {std::pair<std::string, std::vector<std::int64_t>>{"ticket:1", {1, 4, 7}},
          {"ticket:10", {2}},
          {"customer:1", {3, 6}},
          {"ticket:3", {}}}) {
      OMBUD_ASSIGN_OR_RETURN(auto entries, tx.ListAudit(subject, 10));
      std::vector<std::int64_t> got;
      for (const auto& e : entries) got.push_back(e.seq);
      EXPECT_EQ(got, seqs) << subject;
    }
    OMBUD_ASSIGN_OR_RETURN(auto first_two, tx.ListAudit("ticket:1", 2));
    EXPECT_EQ(first_two.size(), 2u);
    return {};
  }));
}

TEST_F(SqliteStoreTest, ALargeBatchOfAuditEntriesChainsWhole) {
  constexpr int kWrites = 50;
  std::vector<WriteFn> writes;
  for (int i = 0; i < kWrites; ++i) {
    writes.emplace_back([i](WriteTx& tx) -> Status {
      for (int k = 0; k < 3; ++k) {
        OMBUD_RETURN_IF_ERROR(tx.Audit("test", "note", "w:" + std::to_string(i), "{}"));
      }
      if (i % 7 == 3) return Fail(ErrorCode::kInvalidArgument, "every seventh write fails");
      return {};
    });
  }
  const auto results = WriteInOneBatch(writes);
  const int ok = static_cast<int>(std::count(results.begin(), results.end(), 1));
  EXPECT_EQ(ok, kWrites - 7);
  auto verdict = store_->VerifyAudit();
  ASSERT_TRUE(verdict);
  EXPECT_TRUE(verdict->ok) << verdict->problem;
  EXPECT_EQ(verdict->entries, 3 * (kWrites - 7));
}

TEST_F(SqliteStoreTest, CheckpointsKeepTheWalShortUnderSteadyWritesAndReads) {
  store_.reset();
  auto opened = sqlite::SqliteStore::Open(
      {.path = path(), .readers = 2, .clock = &clock_, .checkpoint_pages = 40});
  ASSERT_TRUE(opened) << opened.error().message;
  store_ = std::move(*opened);
  const auto customer = AddCustomer("Wal");
  std::atomic<bool> writing{true};
  std::thread reader([&] {
    while (writing.load()) (void)CountTickets();
  });
  for (int i = 0; i < 600; ++i) {
    ASSERT_TRUE(store_->WriteSync([&](WriteTx& tx) -> Status {
      auto t = NewTicket(customer, "wal " + std::to_string(i));
      return tx.InsertTicket(t);
    }));
  }
  writing = false;
  reader.join();
  EXPECT_GT(store_->Stats().checkpoints, 0);
  // 600 transactions of several pages each would make a WAL of megabytes if it never started
  // over (15 MB here); restarted after each checkpoint, it stays near 40 pages plus the batches
  // written while the checkpoint ran. The reader starts a transaction as soon as one ends, the
  // pattern that starves SQLite's polling wait for readers; on a loaded 2-core machine the WAL
  // reached 5.5 MB here before the writer held reads back for the restart (0.7-1.5 MB since).
  std::error_code ec;
  const auto wal_bytes = std::filesystem::file_size(path() + "-wal", ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_LT(wal_bytes, 4u * 1024u * 1024u);
  EXPECT_EQ(CountTickets(), 600);
}

TEST_F(SqliteStoreTest, CommittedWritesSurviveReopen) {
  const auto customer = AddCustomer("Bao");
  ASSERT_TRUE(store_->WriteSync([&](WriteTx& tx) -> Status {
    auto t = NewTicket(customer, "durable");
    return tx.InsertTicket(t);
  }));
  Reopen();
  EXPECT_EQ(CountTickets(), 1);
}

TEST_F(SqliteStoreTest, TicketNumbersCountPerYear) {
  const auto customer = AddCustomer("Chau");
  std::vector<std::string> numbers;
  auto create = [&] {
    ASSERT_TRUE(store_->WriteSync([&](WriteTx& tx) -> Status {
      auto t = NewTicket(customer, "n");
      OMBUD_RETURN_IF_ERROR(tx.InsertTicket(t));
      numbers.push_back(t.number);
      return {};
    }));
  };
  create();
  create();
  clock_.Set(1'798'761'600'000);  // 2027-01-01T00:00:00Z
  create();
  EXPECT_EQ(numbers, (std::vector<std::string>{"C-2026-000001", "C-2026-000002", "C-2027-000001"}));
}

TEST_F(SqliteStoreTest, ListsOldestFirstWithFiltersAndCursor) {
  const auto a = AddCustomer("A");
  const auto b = AddCustomer("B");
  ASSERT_TRUE(store_->WriteSync([&](WriteTx& tx) -> Status {
    for (int i = 0; i < 5; ++i) {
      auto t = NewTicket(i % 2 ? b : a, "s" + std::to_string(i));
      if (i == 3) t.state = domain::TicketState::kOpen;
      OMBUD_RETURN_IF_ERROR(tx.InsertTicket(t));
    }
    return {};
  }));
  ASSERT_TRUE(store_->Read([&](ReadTx& tx) -> Status {
    TicketFilter f;
    f.limit = 2;
    OMBUD_ASSIGN_OR_RETURN(auto page1, tx.ListTickets(f));
    EXPECT_EQ(page1.size(), 2u);
    EXPECT_EQ(page1[0].subject, "s0");
    f.after_id = page1.back().id;
    OMBUD_ASSIGN_OR_RETURN(auto page2, tx.ListTickets(f));
    EXPECT_EQ(page2[0].subject, "s2");
    TicketFilter by_customer;
    by_customer.customer_id = b;
    OMBUD_ASSIGN_OR_RETURN(auto of_b, tx.ListTickets(by_customer));
    EXPECT_EQ(of_b.size(), 2u);
    TicketFilter open;
    open.state = domain::TicketState::kOpen;
    OMBUD_ASSIGN_OR_RETURN(auto opened, tx.ListTickets(open));
    EXPECT_EQ(opened.size(), 1u);
    EXPECT_EQ(opened[0].subject, "s3");
    // Visiting lends the same rows as listing copies.
    std::vector<std::string> visited;
    TicketFilter of_a;
    of_a.customer_id = a;
    OMBUD_ASSIGN_OR_RETURN(const std::size_t n,
                           tx.VisitTickets(of_a, [&](const domain::TicketView& v) {
                             EXPECT_EQ(v.customer_id, a);
                             EXPECT_EQ(v.channel, "email");
                             visited.push_back(std::string(v.number) + " " +
                                               std::string(v.subject) + " " + std::string(v.state));
                           }));
    EXPECT_EQ(n, 3u);
    OMBUD_ASSIGN_OR_RETURN(auto listed, tx.ListTickets(of_a));
    EXPECT_EQ(listed.size(), 3u);
    if (listed.size() != visited.size()) return {};
    for (std::size_t k = 0; k < listed.size(); ++k) {
      EXPECT_EQ(visited[k], listed[k].number + " " + listed[k].subject + " " +
                                std::string(domain::Name(listed[k].state)));
    }
    return {};
  }));
}

TEST_F(SqliteStoreTest, IdempotentResponsesAreStoredPerPrincipal) {
  StoredResponse r{{1, 2, 3}, 201, R"({"id":1})"};
  ASSERT_TRUE(store_->WriteSync([&](WriteTx& tx) { return tx.SaveIdempotent("user:1", "k1", r); }));
  auto again = store_->WriteSync([&](WriteTx& tx) { return tx.SaveIdempotent("user:1", "k1", r); });
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  ASSERT_TRUE(store_->Read([&](ReadTx& tx) -> Status {
    OMBUD_ASSIGN_OR_RETURN(auto found, tx.FindIdempotent("user:1", "k1"));
    EXPECT_TRUE(found.has_value());
    EXPECT_EQ(found->status, 201);
    EXPECT_EQ(found->body, R"({"id":1})");
    EXPECT_EQ(found->fingerprint, (std::vector<unsigned char>{1, 2, 3}));
    OMBUD_ASSIGN_OR_RETURN(auto other, tx.FindIdempotent("user:2", "k1"));
    EXPECT_FALSE(other.has_value());
    return {};
  }));
}

TEST_F(SqliteStoreTest, PurgeFiredTimersDeletesOnlyTimersFiredBeforeTheCutOff) {
  const std::int64_t start = 1'798'761'600'000;  // 2027-01-01T00:00:00Z
  std::vector<Id> ids;
  clock_.Set(start);
  ASSERT_TRUE(store_->WriteSync([&](WriteTx& tx) -> Status {
    for (int i = 0; i < 4; ++i) {
      Timer t{.fire_at = start + 100'000,
              .kind = "clock.warning",
              .subject = "clock:" + std::to_string(i)};
      OMBUD_RETURN_IF_ERROR(tx.ScheduleTimer(t));
      ids.push_back(t.id);
    }
    return {};
  }));
  // Timers 0 and 1 fire at +1 s and +2 s, timer 3 at +5 s; timer 2 never fires.
  for (const auto& [index, at] : {std::pair{0, 1000}, std::pair{1, 2000}, std::pair{3, 5000}}) {
    clock_.Set(start + at);
    ASSERT_TRUE(
        store_->WriteSync([&, i = index](WriteTx& tx) { return tx.MarkTimerFired(ids[i]); }));
  }
  auto purge = [&](std::int64_t before, int limit) {
    std::int64_t purged = -1;
    EXPECT_TRUE(store_->WriteSync([&](WriteTx& tx) -> Status {
      OMBUD_ASSIGN_OR_RETURN(purged, tx.PurgeFiredTimers(before, limit));
      return {};
    }));
    return purged;
  };
  EXPECT_EQ(purge(start + 10'000, 1), 1);  // The oldest fired first.
  EXPECT_EQ(purge(start + 3000, 5), 1);    // Timer 1; timer 3 fired after the cut-off.
  EXPECT_EQ(purge(start + 3000, 5), 0);
  EXPECT_EQ(TimerSubjects(path()), (std::vector<std::string>{"clock:2", "clock:3"}));
  // The unfired timer is still due.
  ASSERT_TRUE(store_->Read([&](ReadTx& tx) -> Status {
    OMBUD_ASSIGN_OR_RETURN(auto due, tx.DueTimers(start + 200'000, 10));
    EXPECT_EQ(due.size(), 1u);
    if (!due.empty()) {
      EXPECT_EQ(due.front().subject, "clock:2");
    }
    return {};
  }));
}

TEST_F(SqliteStoreTest, PurgeIdempotentDeletesOnlyAnswersSavedBeforeTheCutOffOldestFirst) {
  const StoredResponse r{{7}, 201, "{}"};
  const std::int64_t start = 1'798'761'600'000;  // 2027-01-01T00:00:00Z
  for (int i = 0; i < 5; ++i) {
    clock_.Set(start + i * 1000);
    ASSERT_TRUE(store_->WriteSync(
        [&](WriteTx& tx) { return tx.SaveIdempotent("user:1", "k" + std::to_string(i), r); }));
  }
  auto purge = [&](std::int64_t before, int limit) {
    std::int64_t purged = -1;
    EXPECT_TRUE(store_->WriteSync([&](WriteTx& tx) -> Status {
      OMBUD_ASSIGN_OR_RETURN(purged, tx.PurgeIdempotent(before, limit));
      return {};
    }));
    return purged;
  };
  auto kept = [&] {
    std::vector<std::string> keys;
    EXPECT_TRUE(store_->Read([&](ReadTx& tx) -> Status {
      for (int i = 0; i < 5; ++i) {
        OMBUD_ASSIGN_OR_RETURN(auto found, tx.FindIdempotent("user:1", "k" + std::to_string(i)));
        if (found) keys.push_back("k" + std::to_string(i));
      }
      return {};
    }));
    return keys;
  };
  // Saved at +0 s .. +4 s; the cut-off +3 s makes k0..k2 old. A batch of 2 takes the oldest two.
  EXPECT_EQ(purge(start + 3000, 2), 2);
  EXPECT_EQ(kept(), (std::vector<std::string>{"k2", "k3", "k4"}));
  EXPECT_EQ(purge(start + 3000, 2), 1);
  EXPECT_EQ(kept(), (std::vector<std::string>{"k3", "k4"}));
  EXPECT_EQ(purge(start + 3000, 2), 0);
  // A purged key can be stored again.
  ASSERT_TRUE(store_->WriteSync([&](WriteTx& tx) { return tx.SaveIdempotent("user:1", "k0", r); }));
  EXPECT_EQ(kept(), (std::vector<std::string>{"k0", "k3", "k4"}));
}

TEST_F(SqliteStoreTest, Migration10CountsTheRowsAlreadySent) {
  RecreateAtVersion(9);  // Sent rows, no sent counters.
  RawSql(path(),
         "INSERT INTO outbox(channel, recipient, subject, body, dedupe_key, state, "
         "next_attempt_at, created_at) VALUES ('sms', '+1', '', 'b', 'd1', 'sent', 0, 0), "
         "('sms', '+1', '', 'b', 'd2', 'sent', 0, 0), ('email', 'a@x', 's', 'b', 'd3', 'sent', 0, "
         "0), ('email', 'a@x', 's', 'b', 'd4', 'pending', 0, 0);");
  Reopen();
  std::vector<std::string> counts;
  ASSERT_TRUE(store_->Read([&](ReadTx& tx) -> Status {
    OMBUD_ASSIGN_OR_RETURN(auto rows, tx.CountOutbox());
    for (const auto& c : rows) {
      counts.push_back(std::string(domain::Name(c.channel)) + " " + c.state + " " +
                       std::to_string(c.count));
    }
    return {};
  }));
  EXPECT_EQ(counts, (std::vector<std::string>{"email pending 1", "email sent 1", "sms sent 2"}));
}

TEST_F(SqliteStoreTest, Migration11KeepsIdentitiesTheirOrderAndTheirUniqueness) {
  RecreateAtVersion(10);
  RawSql(path(),
         "INSERT INTO customers(id, name, created_at, updated_at) VALUES (1, 'Dara', 0, 0), "
         "(2, 'Lan', 0, 0); INSERT INTO customer_identities(id, customer_id, kind, value) VALUES "
         "(1, 1, 'phone', '+85512000001'), (2, 2, 'email', 'lan@example.com'), "
         "(3, 1, 'email', 'dara@example.com'), (4, 2, 'account', 'A-9');");
  Reopen();
  // Found by value; listed in the order they were added.
  ASSERT_TRUE(store_->Read([&](ReadTx& tx) -> Status {
    OMBUD_ASSIGN_OR_RETURN(
        auto owner, tx.FindCustomerByIdentity(domain::IdentityKind::kEmail, "lan@example.com"));
    EXPECT_EQ(owner, std::optional<domain::Id>(2));
    OMBUD_ASSIGN_OR_RETURN(auto dara, tx.GetCustomer(1));
    EXPECT_EQ(dara.identities.size(), 2u);
    if (dara.identities.size() == 2) {
      EXPECT_EQ(dara.identities[0].value, "+85512000001");
      EXPECT_EQ(dara.identities[1].value, "dara@example.com");
    }
    return {};
  }));
  // New identities come after the migrated ones; one already taken is refused.
  ASSERT_TRUE(store_->WriteSync([](WriteTx& tx) -> Status {
    return tx.AddIdentity(1, {domain::IdentityKind::kAccount, "A-1"});
  }));
  auto taken = store_->WriteSync([](WriteTx& tx) -> Status {
    return tx.AddIdentity(1, {domain::IdentityKind::kPhone, "+85512000001"});
  });
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, ErrorCode::kAlreadyExists);
  ASSERT_TRUE(store_->Read([&](ReadTx& tx) -> Status {
    OMBUD_ASSIGN_OR_RETURN(auto dara, tx.GetCustomer(1));
    std::vector<std::string> values;
    for (const auto& identity : dara.identities) values.push_back(identity.value);
    EXPECT_EQ(values, (std::vector<std::string>{"+85512000001", "dara@example.com", "A-1"}));
    return {};
  }));
}

TEST_F(SqliteStoreTest, RefusesADatabaseNewerThanTheBinary) {
  store_.reset();
  RawSql(path(), "INSERT INTO schema_migrations(version, applied_at) VALUES (999, 0)");
  auto opened = sqlite::SqliteStore::Open({path(), 1, 16, &clock_});
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(opened.error().message.find("999"), std::string::npos);
}

TEST_F(SqliteStoreTest, VerifyNamesTheFirstTamperedEntry) {
  for (int i = 0; i < 5; ++i) AddCustomer("c" + std::to_string(i));
  store_.reset();
  RawSql(path(), "UPDATE audit_log SET actor = 'someone else' WHERE seq = 3");
  Reopen();
  auto verdict = store_->VerifyAudit();
  ASSERT_TRUE(verdict);
  EXPECT_FALSE(verdict->ok);
  EXPECT_EQ(verdict->first_bad_seq, 3);
  EXPECT_NE(verdict->problem.find("altered"), std::string::npos);
}

TEST_F(SqliteStoreTest, VerifyFindsARemovedEntry) {
  for (int i = 0; i < 5; ++i) AddCustomer("c" + std::to_string(i));
  store_.reset();
  RawSql(path(), "DELETE FROM audit_log WHERE seq = 2");
  Reopen();
  auto verdict = store_->VerifyAudit();
  ASSERT_TRUE(verdict);
  EXPECT_FALSE(verdict->ok);
  EXPECT_EQ(verdict->first_bad_seq, 2);
  EXPECT_NE(verdict->problem.find("removed"), std::string::npos);
}

TEST(Migrations, LatestVersionIsTheNumberOfMigrations) {
  EXPECT_GE(sqlite::LatestSchemaVersion(), 1);
}

}  // namespace
}  // namespace ombud::store
