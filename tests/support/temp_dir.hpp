#pragma once

#include <string>

namespace ombud::test {

// A fresh directory made with mkdtemp under $TMPDIR (or /tmp), removed with everything in it
// when the object is destroyed. Not copyable; movable.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // `name` joined to the directory's path.
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace ombud::test
