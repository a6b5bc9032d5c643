#include <gtest/gtest.h>

TEST(PackSmoke_pack_file_test, Builds) { SUCCEED(); }
