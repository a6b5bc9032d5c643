#include <sodium.h>

#include <gtest/gtest.h>

#include "api/api.hpp"

namespace ombud::api {
namespace {

TEST(Password, HashesWithArgon2idAndVerifies) {
  ASSERT_GE(sodium_init(), 0);
  auto hash = HashPassword("correct horse battery");
  ASSERT_TRUE(hash);
  EXPECT_TRUE(hash->starts_with("$argon2id$"));
  EXPECT_TRUE(VerifyPassword(*hash, "correct horse battery"));
  EXPECT_FALSE(VerifyPassword(*hash, "correct horse battery!"));
  EXPECT_FALSE(VerifyPassword("", "anything"));
}

}  // namespace
}  // namespace ombud::api
