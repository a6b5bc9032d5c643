#include "api/content_sniff.hpp"

#include <magic.h>

#include <array>
#include <mutex>

namespace ombud::api {

namespace {

struct Magic {
  Magic() : cookie(magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR)) {
    if (cookie != nullptr && magic_load(cookie, nullptr) != 0) {
      magic_close(cookie);
      cookie = nullptr;
    }
  }
  ~Magic() {
    if (cookie != nullptr) magic_close(cookie);
  }
  Magic(const Magic&) = delete;
  Magic& operator=(const Magic&) = delete;

  std::mutex mu;
  magic_t cookie;
};

}  // namespace

Result<std::string> SniffMimeType(std::string_view bytes) {
  static Magic magic;
  std::lock_guard lock(magic.mu);
  if (magic.cookie == nullptr) {
    return Fail(ErrorCode::kUnavailable, "the content type database (libmagic) did not load");
  }
  const char* type = magic_buffer(magic.cookie, bytes.data(), bytes.size());
  if (type == nullptr) {
    return Fail(ErrorCode::kInternal, std::string("libmagic: ") + magic_error(magic.cookie));
  }
  return std::string(type);
}

bool IsAllowedDocumentType(std::string_view mime_type) {
  static constexpr std::array<std::string_view, 4> kAllowed = {"application/pdf", "image/jpeg",
                                                               "image/png", "text/plain"};
  for (const auto allowed : kAllowed) {
    if (mime_type == allowed) return true;
  }
  return false;
}

}  // namespace ombud::api
