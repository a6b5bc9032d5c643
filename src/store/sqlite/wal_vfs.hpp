#pragma once

#include <sqlite3.h>

#include <cstdint>

// A SQLite VFS over the platform's default one that writes a transaction's WAL frames to the
// file in a few large calls instead of two per frame (a 24-byte frame header, then the page). Every
// other file, and every other call on a WAL file, goes to the default VFS unchanged.
namespace ombud::store::sqlite {

// The VFS's name for sqlite3_open_v2, registered (not as the default) on first use. Thread-safe.
const char* WalGatheringVfs();

// Counts, over the process, of WAL writes SQLite asked for and of writes that reached the file.
struct WalWriteStats {
  std::int64_t asked = 0;
  std::int64_t written = 0;
};
WalWriteStats WalWrites();

}  // namespace ombud::store::sqlite
