#include "domain/result.hpp"

#include <gtest/gtest.h>

namespace ombud {
namespace {

Result<int> Half(int n) {
  if (n % 2 != 0) return Fail(ErrorCode::kInvalidArgument, "odd", "n");
  return n / 2;
}

Result<int> Quarter(int n) {
  OMBUD_ASSIGN_OR_RETURN(int half, Half(n));
  return Half(half);
}

TEST(Result, PropagatesTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  auto r = Quarter(6);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().field, "n");
  EXPECT_EQ(ErrorCodeName(r.error().code), "invalid_argument");
}

}  // namespace
}  // namespace ombud
