#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "integration/server_test.hpp"
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

}  // namespace
}  // namespace ombud::test
