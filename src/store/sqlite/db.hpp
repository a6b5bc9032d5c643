#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "domain/result.hpp"

// Thin RAII over the SQLite C API with cached prepared statements.
namespace ombud::store::sqlite {

// A prepared statement, reset on each Prepare. Bound text and blobs are not copied: they must
// stay alive until the statement is stepped to completion or reset. Owned by its Db; valid while
// the Db lives.
// How long a connection waits for a lock another connection holds.
inline constexpr int kBusyTimeoutMs = 5000;

class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() { sqlite3_finalize(stmt_); }

  Stmt& Bind(int index, std::int64_t value);
  Stmt& Bind(int index, std::string_view value);
  Stmt& Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  Stmt& Bind(int index, const std::optional<std::int64_t>& value);
  Stmt& BindBlob(int index, const void* data, std::size_t size);
  Stmt& BindNull(int index);

  // Steps once: true when a row is available, false when done.
  Result<bool> Step();
  // Steps to completion of a statement that returns no rows.
  Status Run();

  std::int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::optional<std::int64_t> OptInt(int col) const;
  std::string Text(int col) const;
  // The column's text without a copy: valid until the statement steps, resets or reads the
  // column as another type.
  std::string_view View(int col) const;
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

  void Reset();
  sqlite3_stmt* raw() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_;
};

// One connection. Not thread-safe: use from one thread at a time.
class Db {
 public:
  static Result<std::unique_ptr<Db>> Open(const std::string& path, bool read_only);
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  Status Exec(std::string_view sql);
  // Runs one statement that returns no rows through the statement cache (no re-parse).
  Status Run(std::string_view sql);
  // Returns the cached statement for `sql`, reset and with bindings cleared.
  Result<Stmt*> Prepare(std::string_view sql);
  // The same for a string literal, found by its address: the hot write path runs a dozen
  // statements per ticket, and hashing and comparing their text was 1-2 % of the writer.
  template <std::size_t N>
  Result<Stmt*> Prepare(const char (&sql)[N]) {
    return PrepareLiteral(sql, N - 1);
  }
  // Resets every statement left mid-result, so no statement pins an old read snapshot.
  void ResetAll();
  std::int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
  int Changes() const { return sqlite3_changes(db_); }
  sqlite3* raw() const { return db_; }

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  Result<Stmt*> PrepareLiteral(const char* sql, std::size_t size);
  sqlite3* db_;
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::unique_ptr<Stmt>, SqlHash, std::equal_to<>> cache_;
  std::unordered_map<const char*, Stmt*> literals_;  // Statements of cache_ by literal address.
};

// Maps a SQLite result code to an Error (constraint → conflict/already_exists, busy → unavailable).
Error SqliteError(sqlite3* db, int rc, std::string_view what);

}  // namespace ombud::store::sqlite
