#include <gtest/gtest.h>

TEST(PackSmoke_pack_test, Builds) { SUCCEED(); }
