#include "api/json_input.hpp"

#include <gtest/gtest.h>

namespace ombud::api {
namespace {

TEST(JsonInput, RejectsUnknownFieldsNamingThem) {
  auto in = JsonInput::Parse(R"({"subject":"a","color":"red"})", {"subject"});
  ASSERT_FALSE(in);
  EXPECT_EQ(in.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(in.error().field, "color");
}

TEST(JsonInput, RejectsNonObjectsAndMalformedJson) {
  EXPECT_FALSE(JsonInput::Parse("[1,2]", {}));
  EXPECT_FALSE(JsonInput::Parse("{\"a\":", {"a"}));
  EXPECT_FALSE(JsonInput::Parse("", {}));
  // Invalid UTF-8 inside a string.
  EXPECT_FALSE(JsonInput::Parse("{\"a\":\"\xff\xfe\"}", {"a"}));
}

TEST(JsonInput, ChecksTypesAndRanges) {
  auto in = JsonInput::Parse(R"({"n":"5","m":500,"s":"abcdef","b":1})", {"n", "m", "s", "b"});
  ASSERT_TRUE(in);
  auto n = in->OptInt("n", 0, 10);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().field, "n");
  EXPECT_FALSE(in->OptInt("m", 0, 10));
  EXPECT_EQ(*in->Int("m", 0, 1000), 500);
  EXPECT_FALSE(in->String("s", 1, 3));
  EXPECT_EQ(*in->String("s", 1, 6), "abcdef");
  EXPECT_FALSE(in->OptBool("b"));
  auto missing = in->String("missing", 1, 10);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().field, "missing");
}

TEST(JsonInput, CountsLengthInCodePoints) {
  auto in = JsonInput::Parse(R"({"s":"Tết"})", {"s"});
  ASSERT_TRUE(in);
  EXPECT_TRUE(in->String("s", 3, 3));
}

TEST(JsonInput, NestedObjectsPrefixFieldNames) {
  auto in = JsonInput::Parse(R"({"customer":{"nam":"x"}})", {"customer"});
  ASSERT_TRUE(in);
  auto nested = JsonInput::FromObject(in->Raw("customer")->get_object(), "customer.", {"name"});
  ASSERT_FALSE(nested);
  EXPECT_EQ(nested.error().field, "customer.nam");
}

}  // namespace
}  // namespace ombud::api
