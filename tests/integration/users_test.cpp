#include <string>

#include <gtest/gtest.h>

#include "integration/server_test.hpp"

namespace ombud::test {
namespace {

using UsersTest = ServerTest;

std::string UserPath(std::int64_t id) { return "/api/v1/users/" + std::to_string(id); }
std::string DepartmentPath(std::int64_t id) { return "/api/v1/departments/" + std::to_string(id); }

TEST_F(UsersTest, CreatesListsGetsAndPatchesUsers) {
  const Response department = admin().Post(
      "/api/v1/departments",
      boost::json::object{{"name", "Network"}, {"scope", boost::json::array{"coverage"}}});
  ASSERT_EQ(department.status, 201) << Describe(department);
  const std::int64_t department_id = IntAt(department.Json(), "id");

  const Response created =
      admin().Post("/api/v1/users", boost::json::object{{"login", "dara"},
                                                        {"display_name", "Dara"},
                                                        {"role", "agent"},
                                                        {"password", kUserPassword},
                                                        {"department_id", department_id}});
  ASSERT_EQ(created.status, 201) << Describe(created);
  const auto user = created.Json();
  const std::int64_t id = IntAt(user, "id");
  EXPECT_EQ(StrAt(user, "login"), "dara");
  EXPECT_EQ(StrAt(user, "display_name"), "Dara");
  EXPECT_EQ(StrAt(user, "role"), "agent");
  EXPECT_EQ(IntAt(user, "department_id"), department_id);
  EXPECT_TRUE(IsNullAt(user, "customer_id"));
  ASSERT_NE(Find(user, "active"), nullptr);
  EXPECT_EQ(*Find(user, "active"), boost::json::value(true));
  EXPECT_EQ(Find(user, "password"), nullptr) << "the password never leaves the server";
  EXPECT_EQ(Find(user, "password_hash"), nullptr);

  const Response listed = admin().Get("/api/v1/users");
  ASSERT_EQ(listed.status, 200) << Describe(listed);
  int matches = 0;
  for (const auto& entry : ArrayAt(listed.Json(), "users")) {
    if (IntAt(entry, "id") == id) {
      ++matches;
      EXPECT_EQ(entry, user);
    }
  }
  EXPECT_EQ(matches, 1);
  const Response fetched = admin().Get(UserPath(id));
  ASSERT_EQ(fetched.status, 200) << Describe(fetched);
  EXPECT_EQ(fetched.Json(), user);

  const Response patched =
      admin().Patch(UserPath(id), boost::json::object{{"display_name", "Dara S."},
                                                      {"role", "supervisor"},
                                                      {"department_id", nullptr}});
  ASSERT_EQ(patched.status, 200) << Describe(patched);
  EXPECT_EQ(StrAt(patched.Json(), "display_name"), "Dara S.");
  EXPECT_EQ(StrAt(patched.Json(), "role"), "supervisor");
  EXPECT_TRUE(IsNullAt(patched.Json(), "department_id"));
  EXPECT_EQ(admin().Get(UserPath(id)).Json(), patched.Json());

  // The new password works, the old one no longer does.
  ASSERT_EQ(
      admin().Patch(UserPath(id), boost::json::object{{"password", "a-new-password-9"}}).status,
      200);
  EXPECT_EQ(NewClient().Login("dara", kUserPassword).status, 401);
  EXPECT_EQ(NewClient().Login("dara", "a-new-password-9").status, 200);
}

TEST_F(UsersTest, RejectsShortPasswordDuplicateLoginAndUnknownUser) {
  const Response short_password =
      admin().Post("/api/v1/users", boost::json::object{{"login", "shorty"},
                                                        {"display_name", "Shorty"},
                                                        {"role", "agent"},
                                                        {"password", "123456789"}});
  EXPECT_EQ(short_password.status, 400) << Describe(short_password);
  EXPECT_EQ(short_password.ErrorField(), "password");

  const Response bad_role =
      admin().Post("/api/v1/users", boost::json::object{{"login", "boss"},
                                                        {"display_name", "Boss"},
                                                        {"role", "emperor"},
                                                        {"password", kUserPassword}});
  EXPECT_EQ(bad_role.status, 400) << Describe(bad_role);
  EXPECT_EQ(bad_role.ErrorField(), "role");

  ASSERT_GT(CreateUser("twin", "agent"), 0);
  const Response twin =
      admin().Post("/api/v1/users", boost::json::object{{"login", "twin"},
                                                        {"display_name", "Twin"},
                                                        {"role", "agent"},
                                                        {"password", kUserPassword}});
  EXPECT_EQ(twin.status, 409) << Describe(twin);
  EXPECT_EQ(twin.ErrorCode(), "already_exists");

  EXPECT_EQ(admin().Get(UserPath(999999)).status, 404);
  EXPECT_EQ(admin().Patch(UserPath(999999), boost::json::object{{"display_name", "x"}}).status,
            404);
  EXPECT_EQ(admin().Delete(UserPath(999999)).status, 404);
}

TEST_F(UsersTest, DeleteDeactivatesUserAndRevokesSessionsAndTokens) {
  const std::int64_t id = CreateUser("leaver", "agent");
  ASSERT_GT(id, 0);
  HttpClient session = LoggedInClient("leaver");
  Response token_response;
  const std::string token = session.CreateToken("leaver-token", &token_response);
  ASSERT_FALSE(token.empty()) << Describe(token_response);
  HttpClient bearer = NewClient();
  bearer.UseBearer(token);
  ASSERT_EQ(bearer.Get("/api/v1/auth/me").status, 200);
  ASSERT_EQ(session.Get("/api/v1/auth/me").status, 200);

  const Response deleted = admin().Delete(UserPath(id));
  ASSERT_EQ(deleted.status, 204) << Describe(deleted);

  const Response with_token = bearer.Get("/api/v1/auth/me");
  EXPECT_EQ(with_token.status, 401) << Describe(with_token);
  EXPECT_EQ(with_token.ErrorCode(), "unauthenticated");
  const Response with_cookie = session.Get("/api/v1/tickets");
  EXPECT_EQ(with_cookie.status, 401) << Describe(with_cookie);
  EXPECT_EQ(NewClient().Login("leaver", kUserPassword).status, 401);

  const Response after = admin().Get(UserPath(id));
  ASSERT_EQ(after.status, 200) << Describe(after);
  ASSERT_NE(Find(after.Json(), "active"), nullptr);
  EXPECT_EQ(*Find(after.Json(), "active"), boost::json::value(false));
}

TEST_F(UsersTest, DepartmentsCrud) {
  const Response created = admin().Post(
      "/api/v1/departments",
      boost::json::object{{"name", "Billing"}, {"scope", boost::json::array{"billing", "refund"}}});
  ASSERT_EQ(created.status, 201) << Describe(created);
  const auto department = created.Json();
  const std::int64_t id = IntAt(department, "id");
  EXPECT_EQ(StrAt(department, "name"), "Billing");
  EXPECT_EQ(ArrayAt(department, "scope"), (boost::json::array{"billing", "refund"}));
  EXPECT_NE(StrAt(department, "created_at"), "<missing>");

  const Response duplicate =
      admin().Post("/api/v1/departments",
                   boost::json::object{{"name", "Billing"}, {"scope", boost::json::array{}}});
  EXPECT_EQ(duplicate.status, 409) << Describe(duplicate);

  const Response listed = admin().Get("/api/v1/departments");
  ASSERT_EQ(listed.status, 200) << Describe(listed);
  const auto all = ArrayAt(listed.Json(), "departments");
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0], department);
  EXPECT_EQ(admin().Get(DepartmentPath(id)).Json(), department);

  const Response renamed = admin().Patch(
      DepartmentPath(id),
      boost::json::object{{"name", "Billing & Refunds"}, {"scope", boost::json::array{"refund"}}});
  ASSERT_EQ(renamed.status, 200) << Describe(renamed);
  EXPECT_EQ(StrAt(renamed.Json(), "name"), "Billing & Refunds");
  EXPECT_EQ(ArrayAt(renamed.Json(), "scope"), (boost::json::array{"refund"}));
  EXPECT_EQ(admin().Get(DepartmentPath(id)).Json(), renamed.Json());

  const Response deleted = admin().Delete(DepartmentPath(id));
  EXPECT_EQ(deleted.status, 204) << Describe(deleted);
  const Response gone = admin().Get(DepartmentPath(id));
  EXPECT_EQ(gone.status, 404) << Describe(gone);
  EXPECT_EQ(ArrayAt(admin().Get("/api/v1/departments").Json(), "departments").size(), 0u);
  EXPECT_EQ(admin().Delete(DepartmentPath(id)).status, 404);
}

}  // namespace
}  // namespace ombud::test
