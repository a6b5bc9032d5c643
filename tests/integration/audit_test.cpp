#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "integration/server_test.hpp"
#include "store/audit_chain.hpp"
#include "support/command.hpp"
#include "support/temp_dir.hpp"

namespace ombud::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSqlite = "/usr/bin/sqlite3";

// A database with a few tickets' worth of audit entries, written by a cleanly stopped server.
class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerProcess server;
    ASSERT_TRUE(server.Start());
    HttpClient admin(server.port());
    ASSERT_TRUE(AuthenticateWithToken(admin, "admin", server.admin_password()));
    for (int i = 0; i < 5; ++i) {
      const Response created =
          admin.Post("/api/v1/tickets",
                     TicketBody("audited " + std::to_string(i), "+8557000000" + std::to_string(i)));
      ASSERT_EQ(created.status, 201) << Describe(created);
      const std::string id = std::to_string(IntAt(created.Json(), "ticket.id"));
      ASSERT_EQ(
          admin.Post("/api/v1/tickets/" + id + "/state", boost::json::object{{"state", "open"}})
              .status,
          200);
    }
    binary_ = server.binary();
    const int status = server.Stop();
    ASSERT_EQ(DescribeWaitStatus(status), "exit code 0") << server.StderrTail(64 * 1024);
    original_ = dir_.File("original.db");
    CopyDatabase(server.db_path(), original_);

    const std::string stats = Sql(original_, "SELECT min(seq), max(seq), count(*) FROM audit_log;");
    std::smatch match;
    ASSERT_TRUE(std::regex_search(stats, match, std::regex(R"((\d+)\|(\d+)\|(\d+))"))) << stats;
    first_seq_ = std::stoll(match[1]);
    last_seq_ = std::stoll(match[2]);
    ASSERT_EQ(std::stoll(match[3]), last_seq_ - first_seq_ + 1) << "seq has gaps already";
    ASSERT_GE(last_seq_ - first_seq_, 4) << "too few audit entries to tamper with";
    middle_seq_ = (first_seq_ + last_seq_) / 2;
  }

  // Copies the database file, and its WAL when the server left one.
  static void CopyDatabase(const std::string& from, const std::string& to) {
    fs::copy_file(from, to, fs::copy_options::overwrite_existing);
    if (fs::exists(from + "-wal")) {
      fs::copy_file(from + "-wal", to + "-wal", fs::copy_options::overwrite_existing);
    }
  }

  // A fresh copy of the untouched database, named after `name`.
  std::string FreshCopy(const std::string& name) {
    const std::string path = dir_.File(name + ".db");
    CopyDatabase(original_, path);
    return path;
  }

  std::string Sql(const std::string& db, const std::string& sql) {
    const CommandResult result = RunCommand({kSqlite, db, sql});
    EXPECT_TRUE(result.exited_ok()) << sql << "\n" << result.output;
    return result.output;
  }

  CommandResult Verify(const std::string& db) {
    return RunCommand({binary_, "audit", "verify", "--db", db});
  }

  // `audit verify` fails and names `seq` as the first bad entry.
  void ExpectBrokenAt(const std::string& db, std::int64_t seq) {
    const CommandResult result = Verify(db);
    EXPECT_FALSE(result.exited_ok()) << result.output;
    EXPECT_NE(result.exit_code(), 0) << result.output;
    EXPECT_TRUE(
        std::regex_search(result.output, std::regex("entry " + std::to_string(seq) + "([^0-9]|$)")))
        << "expected `entry " << seq << "` in:\n"
        << result.output;
  }

  TempDir dir_;
  std::string binary_;
  std::string original_;
  std::int64_t first_seq_ = 0;
  std::int64_t middle_seq_ = 0;
  std::int64_t last_seq_ = 0;
};

TEST_F(AuditTest, UntouchedChainVerifies) {
  const CommandResult result = Verify(FreshCopy("untouched"));
  EXPECT_TRUE(result.exited_ok()) << result.output;
  EXPECT_NE(result.output.find("ok"), std::string::npos) << result.output;
}

TEST_F(AuditTest, AlteredDetailsAreDetected) {
  const std::string db = FreshCopy("altered");
  Sql(db, "UPDATE audit_log SET details = '{\"tampered\":true}' WHERE seq = " +
              std::to_string(middle_seq_) + ";");
  ExpectBrokenAt(db, middle_seq_);
}

TEST_F(AuditTest, DeletedMiddleEntryIsDetected) {
  const std::string db = FreshCopy("deleted-middle");
  Sql(db, "DELETE FROM audit_log WHERE seq = " + std::to_string(middle_seq_) + ";");
  ExpectBrokenAt(db, middle_seq_);
}

TEST_F(AuditTest, ForgedEntryAppendedAtTheEndIsDetected) {
  const std::string db = FreshCopy("forged");
  Sql(db,
      "INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash) "
      "SELECT seq + 1, at, actor, action, subject, details, prev_hash, hash FROM audit_log "
      "WHERE seq = (SELECT max(seq) FROM audit_log);");
  ExpectBrokenAt(db, last_seq_ + 1);
}

TEST_F(AuditTest, DeletedLastEntryIsDetected) {
  const std::string db = FreshCopy("truncated");
  Sql(db, "DELETE FROM audit_log WHERE seq = " + std::to_string(last_seq_) + ";");
  ExpectBrokenAt(db, last_seq_);
}

// What the chain alone cannot see: someone with the database rewrites an entry and every hash
// after it, and the head. An anchor kept outside the database catches it.
class AuditAnchorTest : public AuditTest {
 protected:
  // Replaces the details of entry `seq` and rebuilds the chain from there, and the head, as a
  // forger with the file and the (public) hash function would.
  static void RewriteChainFrom(const std::string& db, std::int64_t seq) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> handle(raw, sqlite3_close);
    sqlite3_stmt* select = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(raw,
                                 "SELECT seq, at, actor, action, subject, details, prev_hash "
                                 "FROM audit_log WHERE seq >= ? ORDER BY seq",
                                 -1, &select, nullptr),
              SQLITE_OK);
    sqlite3_bind_int64(select, 1, seq);
    auto text = [&](int col) {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(select, col));
      return p ? std::string(p) : std::string();
    };
    std::vector<store::AuditRecord> rows;
    while (sqlite3_step(select) == SQLITE_ROW) {
      rows.push_back({sqlite3_column_int64(select, 0), sqlite3_column_int64(select, 1), text(2),
                      text(3), text(4), text(5), text(6), ""});
    }
    sqlite3_finalize(select);
    ASSERT_FALSE(rows.empty());
    rows.front().details = R"({"rewritten":true})";
    std::string prev = rows.front().prev_hash;
    for (auto& r : rows) {
      r.prev_hash = prev;
      r.hash = store::ChainHash(r);
      prev = r.hash;
      const std::string sql = "UPDATE audit_log SET details = '" + r.details + "', prev_hash = '" +
                              r.prev_hash + "', hash = '" + r.hash +
                              "' WHERE seq = " + std::to_string(r.seq);
      ASSERT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sql;
    }
    const std::string head = "UPDATE meta SET value = '" + std::to_string(rows.back().seq) + " " +
                             rows.back().hash + "' WHERE key = 'audit_head'";
    ASSERT_EQ(sqlite3_exec(raw, head.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  }

  CommandResult Anchor(const std::string& db, const std::string& file) {
    return RunCommand({binary_, "audit", "anchor", "--db", db, "--file", file});
  }
  CommandResult VerifyWithAnchors(const std::string& db, const std::string& file) {
    return RunCommand({binary_, "audit", "verify", "--db", db, "--anchors", file});
  }
};

TEST_F(AuditAnchorTest, ARewrittenChainPassesAloneButNotAgainstItsAnchor) {
  const std::string db = FreshCopy("rewritten");
  const std::string anchors = dir_.File("anchors.txt");
  CommandResult anchored = Anchor(db, anchors);
  ASSERT_TRUE(anchored.exited_ok()) << anchored.output;
  EXPECT_NE(anchored.output.find("anchored entry " + std::to_string(last_seq_)), std::string::npos)
      << anchored.output;
  // Anchoring an unchanged head again adds no line.
  ASSERT_TRUE(Anchor(db, anchors).exited_ok());
  EXPECT_EQ(RunCommand({"/usr/bin/wc", "-l", anchors}).output.substr(0, 1), "1");
  CommandResult intact = VerifyWithAnchors(db, anchors);
  EXPECT_TRUE(intact.exited_ok()) << intact.output;
  EXPECT_NE(intact.output.find("1 anchors match"), std::string::npos) << intact.output;

  RewriteChainFrom(db, middle_seq_);
  const CommandResult alone = Verify(db);
  EXPECT_TRUE(alone.exited_ok()) << "a consistent rewrite fools the chain alone:\n" << alone.output;
  const CommandResult against = VerifyWithAnchors(db, anchors);
  EXPECT_EQ(against.exit_code(), 1) << against.output;
  EXPECT_NE(against.output.find("anchor line 1: entry " + std::to_string(last_seq_) +
                                " has another hash than anchored"),
            std::string::npos)
      << against.output;
}

TEST_F(AuditAnchorTest, ALogCutBackBelowItsAnchorIsCaught) {
  const std::string db = FreshCopy("cut");
  const std::string anchors = dir_.File("cut-anchors.txt");
  ASSERT_TRUE(Anchor(db, anchors).exited_ok());
  // Cut the last entry and move the head back: the chain alone is consistent again.
  const std::string previous =
      Sql(db, "SELECT hash FROM audit_log WHERE seq = " + std::to_string(last_seq_ - 1) + ";");
  Sql(db, "DELETE FROM audit_log WHERE seq = " + std::to_string(last_seq_) +
              "; UPDATE meta SET value = '" + std::to_string(last_seq_ - 1) + " " +
              previous.substr(0, 64) + "' WHERE key = 'audit_head';");
  EXPECT_TRUE(Verify(db).exited_ok());
  const CommandResult against = VerifyWithAnchors(db, anchors);
  EXPECT_EQ(against.exit_code(), 1) << against.output;
  EXPECT_NE(against.output.find("is gone"), std::string::npos) << against.output;
}

TEST_F(AuditAnchorTest, ServeAnchorsTheHeadAndAgainOnStop) {
  const std::string anchors = dir_.File("serve-anchors.txt");
  ServerOptions options;
  options.extra_args = {"--audit-anchors", anchors, "--audit-anchor-interval", "1"};
  ServerProcess server(options);
  ASSERT_TRUE(server.Start());
  HttpClient admin(server.port());
  ASSERT_TRUE(AuthenticateWithToken(admin, "admin", server.admin_password()));
  ASSERT_EQ(admin.Post("/api/v1/tickets", TicketBody("anchored", "+85570000099")).status, 201);
  ASSERT_EQ(DescribeWaitStatus(server.Stop()), "exit code 0") << server.StderrTail();
  const std::string head = Sql(server.db_path(),
                               "SELECT seq || ' ' || hash FROM audit_log "
                               "ORDER BY seq DESC LIMIT 1;");
  std::ifstream in(anchors);
  std::string line;
  std::string last;
  while (std::getline(in, line)) last = line;
  EXPECT_TRUE(last.starts_with(head.substr(0, head.find('\n')) + " ")) << last << " vs " << head;
  const CommandResult verified = VerifyWithAnchors(server.db_path(), anchors);
  EXPECT_TRUE(verified.exited_ok()) << verified.output;
}

TEST_F(AuditAnchorTest, MalformedAnchorFileIsNamed) {
  const std::string anchors = dir_.File("bad-anchors.txt");
  std::ofstream(anchors) << "12 not-a-hash 2026-11-22T00:00:00.000Z\n";
  const CommandResult result = VerifyWithAnchors(FreshCopy("bad"), anchors);
  EXPECT_NE(result.exit_code(), 0) << result.output;
  EXPECT_NE(result.output.find("anchor line 1"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace ombud::test
