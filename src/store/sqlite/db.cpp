#include "store/sqlite/db.hpp"

#include <mutex>
#include <string>

#include "store/sqlite/wal_vfs.hpp"

namespace ombud::store::sqlite {

Error SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string message = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return Error{ErrorCode::kAlreadyExists, std::move(message), {}};
      }
      return Error{ErrorCode::kFailedPrecondition, std::move(message), {}};
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
      return Error{ErrorCode::kUnavailable, std::move(message), {}};
    default:
      return Error{ErrorCode::kInternal, std::move(message), {}};
  }
}

Stmt& Stmt::Bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Stmt& Stmt::Bind(int index, std::string_view value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
  return *this;
}

Stmt& Stmt::Bind(int index, const std::optional<std::int64_t>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}

Stmt& Stmt::BindBlob(int index, const void* data, std::size_t size) {
  sqlite3_bind_blob(stmt_, index, data, static_cast<int>(size), SQLITE_STATIC);
  return *this;
}

Stmt& Stmt::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Stmt::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3* db = sqlite3_db_handle(stmt_);
  return std::unexpected(SqliteError(db, sqlite3_extended_errcode(db), "sqlite step"));
}

Status Stmt::Run() {
  for (;;) {
    OMBUD_ASSIGN_OR_RETURN(const bool row, Step());
    if (!row) return {};
  }
}

std::optional<std::int64_t> Stmt::OptInt(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Int(col);
}

std::string Stmt::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (p == nullptr) return {};
  return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::string_view Stmt::View(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (p == nullptr) return {};
  return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))};
}

void Stmt::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, bool read_only) {
  // Memory statistics put a process-wide mutex around every SQLite allocation; Ombud reads
  // none of them. Only possible before SQLite initialises, hence once, before the first open.
  static std::once_flag configured;
  std::call_once(configured, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  sqlite3* raw = nullptr;
  const int flags =
      (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, WalGatheringVfs());
  if (rc != SQLITE_OK) {
    Error e = SqliteError(raw, rc, "cannot open database " + path);
    sqlite3_close(raw);
    return std::unexpected(std::move(e));
  }
  sqlite3_extended_result_codes(raw, 1);
  // Larger lookaside: statements allocate many small objects per step. Debian's SQLite is built
  // with SQLITE_OMIT_LOOKASIDE, where this does nothing and mimalloc serves those allocations;
  // builds with lookaside keep them off the general allocator.
  sqlite3_db_config(raw, SQLITE_DBCONFIG_LOOKASIDE, nullptr, 1024, 1000);
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  return std::unique_ptr<Db>(new Db(raw));
}

Db::~Db() {
  cache_.clear();  // Finalize statements before closing.
  sqlite3_close(db_);
}

Status Db::Exec(std::string_view sql) {
  char* err = nullptr;
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    Error e = SqliteError(db_, sqlite3_extended_errcode(db_), "sqlite exec");
    sqlite3_free(err);
    return std::unexpected(std::move(e));
  }
  return {};
}

Status Db::Run(std::string_view sql) {
  OMBUD_ASSIGN_OR_RETURN(Stmt * st, Prepare(sql));
  auto result = st->Run();
  st->Reset();
  return result;
}

void Db::ResetAll() {
  for (sqlite3_stmt* st = sqlite3_next_stmt(db_, nullptr); st != nullptr;
       st = sqlite3_next_stmt(db_, st)) {
    if (sqlite3_stmt_busy(st)) sqlite3_reset(st);
  }
}

Result<Stmt*> Db::Prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    if (rc != SQLITE_OK) return std::unexpected(SqliteError(db_, rc, "sqlite prepare"));
    it = cache_.emplace(std::string(sql), std::make_unique<Stmt>(raw)).first;
  }
  it->second->Reset();
  return it->second.get();
}

Result<Stmt*> Db::PrepareLiteral(const char* sql, std::size_t size) {
  if (auto it = literals_.find(sql); it != literals_.end()) {
    it->second->Reset();
    return it->second;
  }
  OMBUD_ASSIGN_OR_RETURN(Stmt * st, Prepare(std::string_view(sql, size)));
  literals_.emplace(sql, st);
  return st;
}

}  // namespace ombud::store::sqlite
