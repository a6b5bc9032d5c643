#include <gtest/gtest.h>

TEST(PackSmoke_template_test, Builds) { SUCCEED(); }
