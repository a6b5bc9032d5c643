#include "store/sqlite/wal_vfs.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

// SQLite appends a WAL frame as two writes, its 24-byte header and then its page, so a batch
// of 40 pages costs 80 pwrite calls, each of which also dirties the page-cache page it shares
// with the neighbouring frame. Under load that was a quarter of the writer thread's time, in
// the kernel (docs/benchmarks.md). This VFS keeps the frames SQLite appends in a buffer and
// writes them in a few large calls when the commit frame is complete.
//
// Why that is safe: (1) the commit frame is the last frame of a transaction, and its header
// says so (a non-zero database size at bytes 4-7); its page ends the buffer, which is written
// before that xWrite returns, so a failed write fails the COMMIT, and nothing is buffered when
// SQLite publishes the new frames to other connections (the wal-index header, after the
// frames) or the store's sync thread calls fdatasync. (2) Frames of a transaction that spilled
// its cache before the commit may wait in the buffer; only this connection knows of them, and
// any read, sync, truncate, size query, file control or close of the file writes the buffer
// first. (3) Every write that is not the next frame at the end of the log (the WAL header,
// checksum rewrites, a page overwritten in place, padding pieces) writes the buffer and then
// itself through. A crash loses only frames no transaction has committed.
namespace ombud::store::sqlite {
namespace {

constexpr int kFrameHeaderBytes = 24;          // WAL_FRAME_HDRSIZE in SQLite's wal.c.
constexpr std::size_t kFlushBytes = 1u << 20;  // A spilling transaction writes every MiB.
// The unix VFS writes at most 0x1ffff bytes per call (its writes are pages of at most 64 KiB)
// and takes a shorter write for a full disk, so the buffer goes down in pieces below that.
constexpr std::size_t kMaxWriteBytes = 0x1f000;

std::atomic<std::int64_t> g_asked{0};
std::atomic<std::int64_t> g_written{0};
sqlite3_vfs* g_base = nullptr;  // The default VFS, set once before registration.

struct WalFile {
  sqlite3_file base;  // First: SQLite sees a WalFile as a sqlite3_file.
  sqlite3_file* real = nullptr;
  std::vector<char> buffer;
  sqlite3_int64 buffer_offset = 0;
  sqlite3_int64 next_append = -1;  // Where the next frame of the log starts.
  bool header_buffered = false;    // The buffer ends with a frame header, its page to follow.
  bool commit_frame = false;       // That header is the commit frame's.
};

constexpr std::size_t kRealOffset = (sizeof(WalFile) + 15) & ~std::size_t{15};

WalFile* AsWal(sqlite3_file* file) { return reinterpret_cast<WalFile*>(file); }

std::uint32_t BigEndian32(const void* p) {
  const auto* b = static_cast<const unsigned char*>(p);
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         std::uint32_t{b[3]};
}

int Flush(WalFile& w) {
  w.header_buffered = false;
  w.commit_frame = false;
  int rc = SQLITE_OK;
  for (std::size_t done = 0; done < w.buffer.size() && rc == SQLITE_OK;) {
    const std::size_t piece = std::min(kMaxWriteBytes, w.buffer.size() - done);
    rc = w.real->pMethods->xWrite(w.real, w.buffer.data() + done, static_cast<int>(piece),
                                  w.buffer_offset + static_cast<sqlite3_int64>(done));
    g_written.fetch_add(1, std::memory_order_relaxed);
    done += piece;
  }
  w.buffer.clear();
  return rc;
}

void Append(WalFile& w, const void* data, int amount, sqlite3_int64 offset) {
  if (w.buffer.empty()) w.buffer_offset = offset;
  const auto* bytes = static_cast<const char*>(data);
  w.buffer.insert(w.buffer.end(), bytes, bytes + amount);
  w.next_append = offset + amount;
}

int WalClose(sqlite3_file* file) {
  WalFile* w = AsWal(file);
  const int flushed = Flush(*w);
  const int closed = w->real->pMethods->xClose(w->real);
  w->~WalFile();
  return flushed != SQLITE_OK ? flushed : closed;
}

int WalRead(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  WalFile* w = AsWal(file);
  if (const int rc = Flush(*w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xRead(w->real, out, amount, offset);
}

int WalWrite(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  WalFile* w = AsWal(file);
  g_asked.fetch_add(1, std::memory_order_relaxed);
  if (amount == kFrameHeaderBytes && offset == w->next_append && !w->header_buffered) {
    Append(*w, data, amount, offset);
    w->header_buffered = true;
    w->commit_frame = BigEndian32(static_cast<const char*>(data) + 4) != 0;
    return SQLITE_OK;
  }
  if (w->header_buffered && offset == w->next_append) {
    const bool commit = w->commit_frame;
    Append(*w, data, amount, offset);
    w->header_buffered = false;
    w->commit_frame = false;
    return commit || w->buffer.size() >= kFlushBytes ? Flush(*w) : SQLITE_OK;
  }
  if (const int rc = Flush(*w); rc != SQLITE_OK) return rc;
  w->next_append = offset + amount;
  g_written.fetch_add(1, std::memory_order_relaxed);
  return w->real->pMethods->xWrite(w->real, data, amount, offset);
}

int WalTruncate(sqlite3_file* file, sqlite3_int64 size) {
  WalFile* w = AsWal(file);
  if (const int rc = Flush(*w); rc != SQLITE_OK) return rc;
  w->next_append = -1;
  return w->real->pMethods->xTruncate(w->real, size);
}

int WalSync(sqlite3_file* file, int flags) {
  WalFile* w = AsWal(file);
  if (const int rc = Flush(*w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xSync(w->real, flags);
}

int WalFileSize(sqlite3_file* file, sqlite3_int64* size) {
  WalFile* w = AsWal(file);
  if (const int rc = Flush(*w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xFileSize(w->real, size);
}

int WalLock(sqlite3_file* file, int level) {
  return AsWal(file)->real->pMethods->xLock(AsWal(file)->real, level);
}

int WalUnlock(sqlite3_file* file, int level) {
  return AsWal(file)->real->pMethods->xUnlock(AsWal(file)->real, level);
}

int WalCheckReservedLock(sqlite3_file* file, int* out) {
  return AsWal(file)->real->pMethods->xCheckReservedLock(AsWal(file)->real, out);
}

int WalFileControl(sqlite3_file* file, int op, void* arg) {
  WalFile* w = AsWal(file);
  if (const int rc = Flush(*w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xFileControl(w->real, op, arg);
}

int WalSectorSize(sqlite3_file* file) {
  return AsWal(file)->real->pMethods->xSectorSize(AsWal(file)->real);
}

int WalDeviceCharacteristics(sqlite3_file* file) {
  return AsWal(file)->real->pMethods->xDeviceCharacteristics(AsWal(file)->real);
}

// Version 1: SQLite maps and shares memory only through the database file, never the WAL.
constexpr sqlite3_io_methods kWalMethods = {1,
                                            WalClose,
                                            WalRead,
                                            WalWrite,
                                            WalTruncate,
                                            WalSync,
                                            WalFileSize,
                                            WalLock,
                                            WalUnlock,
                                            WalCheckReservedLock,
                                            WalFileControl,
                                            WalSectorSize,
                                            WalDeviceCharacteristics,
                                            nullptr,
                                            nullptr,
                                            nullptr,
                                            nullptr,
                                            nullptr,
                                            nullptr};

int Open(sqlite3_vfs* /*vfs*/, sqlite3_filename name, sqlite3_file* file, int flags,
         int* out_flags) {
  if ((flags & SQLITE_OPEN_WAL) == 0) {
    // Every other file is the default VFS's own, in place: no call goes through this VFS.
    return g_base->xOpen(g_base, name, file, flags, out_flags);
  }
  auto* w = new (file) WalFile{};
  w->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + kRealOffset);
  const int rc = g_base->xOpen(g_base, name, w->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    w->~WalFile();
    file->pMethods = nullptr;  // SQLite does not close a file whose open failed.
    return rc;
  }
  w->base.pMethods = &kWalMethods;
  return SQLITE_OK;
}

}  // namespace

const char* WalGatheringVfs() {
  static constexpr const char* kName = "ombud-wal";
  static std::once_flag registered;
  std::call_once(registered, [] {
    g_base = sqlite3_vfs_find(nullptr);
    // A copy of the default VFS (its methods read only pAppData and mxPathname of the struct
    // they are given), with a larger file object and its own xOpen.
    static sqlite3_vfs vfs = *g_base;
    vfs.pNext = nullptr;
    vfs.zName = kName;
    vfs.szOsFile = static_cast<int>(kRealOffset) + g_base->szOsFile;
    vfs.xOpen = Open;
    (void)sqlite3_vfs_register(&vfs, 0);
  });
  return kName;
}

WalWriteStats WalWrites() {
  return {g_asked.load(std::memory_order_relaxed), g_written.load(std::memory_order_relaxed)};
}

}  // namespace ombud::store::sqlite
