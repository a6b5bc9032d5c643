#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "domain/clock.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace ombud::testing {

// A clock tests set by hand.
class ManualClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms_.load()));
  }
  void Set(std::int64_t ms) { ms_.store(ms); }
  void Advance(std::int64_t ms) { ms_.fetch_add(ms); }

 private:
  std::atomic<std::int64_t> ms_{1'795'000'000'000};  // 2026-11-19
};

// A real SQLite file in a fresh temporary folder, removed at the end.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ombud-store-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    store_.reset();
    auto opened = store::sqlite::SqliteStore::Open({path(), 2, 1024, &clock_});
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
  }
  std::string path() const { return dir_ + "/ombud.db"; }

  ManualClock clock_;
  std::string dir_;
  std::unique_ptr<store::sqlite::SqliteStore> store_;
};

}  // namespace ombud::testing
