#pragma once

#include <string>
#include <string_view>

#include "domain/model.hpp"
#include "domain/result.hpp"

namespace ombud::store {

// Content-addressed files on disk: each content is written once, named by its BLAKE2b-256,
// durably (written to a temporary file, fsynced, renamed). Thread-safe.
class AttachmentStore {
 public:
  explicit AttachmentStore(std::string dir) : dir_(std::move(dir)) {}

  // Stores `content` (idempotent) and describes it; the caller records the returned value.
  Result<domain::Attachment> Put(std::string filename, std::string content_type,
                                 std::string_view content);
  Result<std::string> Get(const std::string& sha) const;
  std::string PathOf(const std::string& sha) const;

 private:
  std::string dir_;
};

}  // namespace ombud::store
