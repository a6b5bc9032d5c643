#include "store/attachment_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "store/audit_chain.hpp"

namespace ombud::store {

namespace fs = std::filesystem;

namespace {

Status WriteDurably(const fs::path& path, std::string_view content) {
  const fs::path tmp = path.string() + ".tmp" + RandomHex(4);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return Fail(ErrorCode::kUnavailable, "cannot write attachment " + tmp.string());
  std::size_t done = 0;
  while (done < content.size()) {
    const auto n = ::write(fd, content.data() + done, content.size() - done);
    if (n <= 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      return Fail(ErrorCode::kUnavailable, "cannot write attachment " + tmp.string());
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  std::error_code ec;
  if (synced) fs::rename(tmp, path, ec);
  if (!synced || ec) {
    ::unlink(tmp.c_str());
    return Fail(ErrorCode::kUnavailable, "cannot store attachment " + path.string());
  }
  const int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return {};
}

}  // namespace

std::string AttachmentStore::PathOf(const std::string& sha) const {
  return (fs::path(dir_) / sha.substr(0, 2) / sha).string();
}

Result<domain::Attachment> AttachmentStore::Put(std::string filename, std::string content_type,
                                                std::string_view content) {
  domain::Attachment a;
  a.filename = std::move(filename);
  a.content_type = std::move(content_type);
  a.size = static_cast<std::int64_t>(content.size());
  a.sha = HashHex(content);
  const fs::path path = PathOf(a.sha);
  std::error_code ec;
  if (fs::exists(path, ec)) return a;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return Fail(ErrorCode::kUnavailable, "cannot create " + path.parent_path().string());
  OMBUD_RETURN_IF_ERROR(WriteDurably(path, content));
  return a;
}

Result<std::string> AttachmentStore::Get(const std::string& sha) const {
  std::ifstream in(PathOf(sha), std::ios::binary);
  if (!in) return Fail(ErrorCode::kNotFound, "attachment not found");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace ombud::store
