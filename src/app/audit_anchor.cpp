#include "app/audit_anchor.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "api/json_output.hpp"
#include "app/log.hpp"

namespace ombud::app {

namespace {

struct Anchor {
  std::int64_t seq = 0;
  std::string hash;
};

// "<seq> <hash> <time>": seq a positive integer, hash 64 lower-case hex digits.
Result<Anchor> ParseAnchor(const std::string& line, std::int64_t line_number) {
  std::istringstream in(line);
  std::string seq_text;
  Anchor a;
  std::string time;
  in >> seq_text >> a.hash >> time;
  const auto [end, ec] = std::from_chars(seq_text.data(), seq_text.data() + seq_text.size(), a.seq);
  const bool hex =
      a.hash.size() == 64 && a.hash.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (ec != std::errc() || end != seq_text.data() + seq_text.size() || a.seq <= 0 || !hex) {
    return Fail(ErrorCode::kInvalidArgument,
                "anchor line " + std::to_string(line_number) + " is not '<seq> <hash> <time>'",
                "anchors");
  }
  return a;
}

Result<std::optional<Anchor>> LastAnchor(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::optional<Anchor>{};  // No file yet: nothing anchored.
  std::string line;
  std::string last;
  std::int64_t number = 0;
  std::int64_t last_number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    last = line;
    last_number = number;
  }
  if (last.empty()) return std::optional<Anchor>{};
  OMBUD_ASSIGN_OR_RETURN(auto anchor, ParseAnchor(last, last_number));
  return std::optional<Anchor>{std::move(anchor)};
}

Result<std::optional<store::AuditRecord>> Entry(store::Store& store, std::int64_t seq) {
  std::optional<store::AuditRecord> entry;
  OMBUD_RETURN_IF_ERROR(store.Read([&](store::ReadTx& tx) -> Status {
    OMBUD_ASSIGN_OR_RETURN(entry, tx.GetAuditEntry(seq));
    return {};
  }));
  return entry;
}

}  // namespace

Result<std::int64_t> AppendAuditAnchor(store::Store& store, const std::string& path,
                                       std::chrono::system_clock::time_point now) {
  OMBUD_ASSIGN_OR_RETURN(auto head, Entry(store, 0));
  if (!head) return std::int64_t{0};
  OMBUD_ASSIGN_OR_RETURN(auto last, LastAnchor(path));
  if (last && last->seq == head->seq && last->hash == head->hash) return head->seq;
  const std::string line =
      std::to_string(head->seq) + " " + head->hash + " " +
      api::FormatTime(
          std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count()) +
      "\n";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) {
    return Fail(ErrorCode::kUnavailable, "cannot open " + path + ": " + std::strerror(errno),
                "anchors");
  }
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  const int saved = errno;
  const bool synced = written && ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) {
    return Fail(ErrorCode::kUnavailable,
                "cannot write " + path + ": " + std::strerror(written ? errno : saved), "anchors");
  }
  return head->seq;
}

Result<AnchorVerdict> CheckAuditAnchors(store::Store& store, const std::string& path) {
  std::ifstream in(path);
  if (!in) return Fail(ErrorCode::kNotFound, "cannot read " + path, "anchors");
  AnchorVerdict verdict;
  std::string line;
  std::int64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    OMBUD_ASSIGN_OR_RETURN(auto anchor, ParseAnchor(line, number));
    ++verdict.anchors;
    OMBUD_ASSIGN_OR_RETURN(auto entry, Entry(store, anchor.seq));
    const std::string where =
        "anchor line " + std::to_string(number) + ": entry " + std::to_string(anchor.seq) + " ";
    if (!entry) {
      verdict.ok = false;
      verdict.problem = where + "is gone: the log was cut back after it was anchored";
      return verdict;
    }
    if (entry->hash != anchor.hash) {
      verdict.ok = false;
      verdict.problem = where + "has another hash than anchored: the chain was rewritten";
      return verdict;
    }
  }
  return verdict;
}

AnchorWriter::AnchorWriter(store::Store& store, const Clock& clock, std::string path,
                           std::chrono::seconds interval)
    : store_(store), clock_(clock), path_(std::move(path)), interval_(interval) {
  thread_ = std::thread([this] { Run(); });
}

AnchorWriter::~AnchorWriter() { Stop(); }

void AnchorWriter::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void AnchorWriter::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    AnchorOnce();
    lock.lock();
    cv_.wait_for(lock, interval_, [this] { return stopping_; });
  }
  lock.unlock();
  AnchorOnce();  // The head at shutdown.
}

void AnchorWriter::AnchorOnce() {
  auto anchored = AppendAuditAnchor(store_, path_, clock_.Now());
  if (!anchored) Log("error", "audit anchor failed", {{"error", anchored.error().message}});
}

}  // namespace ombud::app
