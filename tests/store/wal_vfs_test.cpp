#include "store/sqlite/wal_vfs.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace ombud::store::sqlite {
namespace {

// A connection on the gathering VFS or, to check what reached the file, the default one.
class Conn {
 public:
  Conn(const std::string& path, const char* vfs) {
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs),
              SQLITE_OK);
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  ~Conn() { sqlite3_close(db_); }

  void Exec(const std::string& sql) {
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK)
        << sql << ": " << (err ? err : "");
    sqlite3_free(err);
  }
  std::string Text(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
    std::string out;
    if (st != nullptr && sqlite3_step(st) == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(st, 0);
      if (text != nullptr) out = reinterpret_cast<const char*>(text);
    }
    sqlite3_finalize(st);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

class WalVfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ombud-walvfs-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/t.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `rows` rows of about 1 KB in one transaction, with an index.
  static void Fill(Conn& c, int first, int rows) {
    c.Exec("BEGIN");
    c.Exec(
        "WITH RECURSIVE n(i) AS (SELECT " + std::to_string(first) + " UNION ALL SELECT i + 1 " +
        "FROM n WHERE i < " + std::to_string(first + rows - 1) +
        ") INSERT INTO t(id, k, body) SELECT i, hex(randomblob(8)), hex(randomblob(500)) FROM n");
    c.Exec("COMMIT");
  }

  std::string dir_;
  std::string path_;
};

TEST_F(WalVfsTest, WritesACommitsFramesInAFewCallsAndOtherConnectionsReadThem) {
  Conn writer(path_, WalGatheringVfs());
  writer.Exec("PRAGMA journal_mode=WAL");
  writer.Exec("PRAGMA synchronous=NORMAL");
  writer.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT NOT NULL, body TEXT NOT NULL)");
  writer.Exec("CREATE INDEX t_k ON t(k)");
  const WalWriteStats before = WalWrites();
  Fill(writer, 1, 80);  // About 20 pages of rows and a few of the index.
  const WalWriteStats after = WalWrites();
  const auto asked = after.asked - before.asked;
  const auto written = after.written - before.written;
  EXPECT_GE(asked, 40);   // Two writes per frame asked for…
  EXPECT_LE(written, 2);  // …and one or two pieces written.

  // A connection of the default VFS (another process would be the same) sees the commit.
  Conn reader(path_, nullptr);
  EXPECT_EQ(reader.Text("SELECT COUNT(*) FROM t"), "80");
  Fill(writer, 81, 10);
  EXPECT_EQ(reader.Text("SELECT COUNT(*) FROM t"), "90");
}

// A process that dies right after its commits, without closing: what it committed is in the
// WAL file, checksums and all, including a transaction larger than its page cache, which
// spills frames before the commit and then rewrites pages and checksums in place.
TEST_F(WalVfsTest, CommittedTransactionsSurviveAProcessThatDiesWithoutClosing) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Conn c(path_, WalGatheringVfs());
    c.Exec("PRAGMA journal_mode=WAL");
    c.Exec("PRAGMA synchronous=NORMAL");
    c.Exec("PRAGMA cache_size=8");  // Pages: a transaction of ~1,000 pages spills.
    c.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT NOT NULL, body TEXT NOT NULL)");
    c.Exec("CREATE INDEX t_k ON t(k)");
    Fill(c, 1, 100);
    c.Exec("BEGIN");
    c.Exec(
        "WITH RECURSIVE n(i) AS (SELECT 101 UNION ALL SELECT i + 1 FROM n WHERE i < 2100) "
        "INSERT INTO t(id, k, body) SELECT i, hex(randomblob(8)), hex(randomblob(500)) FROM n");
    c.Exec("UPDATE t SET body = 'changed' WHERE id % 7 = 0");
    c.Exec("COMMIT");
    // A spilled transaction rolled back, then one more commit.
    c.Exec("BEGIN");
    c.Exec("UPDATE t SET body = hex(randomblob(600))");
    c.Exec("ROLLBACK");
    Fill(c, 2101, 5);
    ::_exit(::testing::Test::HasFailure() ? 1 : 0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);

  // Opening runs WAL recovery, which keeps frames only up to the last valid commit.
  Conn after(path_, nullptr);
  EXPECT_EQ(after.Text("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(after.Text("SELECT COUNT(*) FROM t"), "2105");
  EXPECT_EQ(after.Text("SELECT COUNT(*) FROM t WHERE body = 'changed'"), "300");
  EXPECT_EQ(after.Text("SELECT COUNT(*) FROM t WHERE length(body) = 1200"), "0");
}

}  // namespace
}  // namespace ombud::store::sqlite
