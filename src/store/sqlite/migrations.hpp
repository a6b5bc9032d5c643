#pragma once

#include "domain/result.hpp"
#include "store/sqlite/db.hpp"

namespace ombud::store::sqlite {

// Applies every migration newer than the database's version, each in its own transaction.
// Forward-only: a database newer than this binary is refused.
Status Migrate(Db& db);
// The same up to version `up_to` only (tests build databases as older binaries left them).
Status Migrate(Db& db, int up_to);

// The schema version this binary writes.
int LatestSchemaVersion();

}  // namespace ombud::store::sqlite
