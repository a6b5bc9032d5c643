#include <set>
#include <string>

#include <gtest/gtest.h>

#include "integration/server_test.hpp"

namespace ombud::test {
namespace {

using AuthTest = ServerTest;

TEST_F(AuthTest, LoginSetsSessionCookieAndReturnsUserAndCsrfToken) {
  HttpClient client = NewClient();
  const Response login = client.Login("admin", server().admin_password());
  ASSERT_EQ(login.status, 200) << Describe(login);
  const auto json = login.Json();
  EXPECT_EQ(StrAt(json, "user.login"), "admin");
  EXPECT_EQ(StrAt(json, "user.role"), "admin");
  EXPECT_FALSE(StrAt(json, "csrf_token").empty());
  EXPECT_NE(StrAt(json, "csrf_token"), "<missing>");

  std::string cookie;
  for (const auto& value : login.HeaderValues("Set-Cookie")) {
    if (value.rfind("ombud_session=", 0) == 0) cookie = value;
  }
  ASSERT_FALSE(cookie.empty()) << "no ombud_session cookie";
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("Path=/"), std::string::npos) << cookie;

  const Response me = client.Get("/api/v1/auth/me");
  ASSERT_EQ(me.status, 200) << Describe(me);
  EXPECT_EQ(StrAt(me.Json(), "login"), "admin");
}

TEST_F(AuthTest, WrongPasswordOrUnknownLoginIs401) {
  HttpClient client = NewClient();
  const Response wrong = client.Login("admin", "not-the-password");
  EXPECT_EQ(wrong.status, 401) << Describe(wrong);
  EXPECT_EQ(wrong.ErrorCode(), "unauthenticated");
  const Response unknown = client.Login("nobody", server().admin_password());
  EXPECT_EQ(unknown.status, 401) << Describe(unknown);
  EXPECT_EQ(unknown.ErrorCode(), "unauthenticated");
}

TEST_F(AuthTest, RequestWithoutCredentialsIs401) {
  HttpClient client = NewClient();
  const Response list = client.Get("/api/v1/tickets");
  EXPECT_EQ(list.status, 401) << Describe(list);
  EXPECT_EQ(list.ErrorCode(), "unauthenticated");
  const Response me = client.Get("/api/v1/auth/me");
  EXPECT_EQ(me.status, 401) << Describe(me);
}

TEST_F(AuthTest, LogoutDeletesTheSession) {
  HttpClient client = NewClient();
  ASSERT_EQ(client.Login("admin", server().admin_password()).status, 200);
  const std::string cookie = client.session_cookie();
  ASSERT_FALSE(cookie.empty());
  const Response logout = client.Logout();
  EXPECT_EQ(logout.status, 204) << Describe(logout);

  // The old cookie no longer authenticates.
  HttpClient replay = NewClient();
  const Response me = replay.Get("/api/v1/auth/me", {{"Cookie", "ombud_session=" + cookie}});
  EXPECT_EQ(me.status, 401) << Describe(me);
}

TEST_F(AuthTest, CookieWritesNeedTheCsrfHeader) {
  HttpClient client = NewClient();
  ASSERT_EQ(client.Login("admin", server().admin_password()).status, 200);
  ASSERT_FALSE(client.csrf_token().empty());
  boost::json::object customer{{"name", "Chan Sokha"}, {"phone", "+85510000001"}};

  client.set_send_csrf(false);
  const Response missing = client.Post("/api/v1/customers", customer);
  EXPECT_EQ(missing.status, 403) << Describe(missing);
  EXPECT_EQ(missing.ErrorCode(), "permission_denied");
  EXPECT_EQ(missing.ErrorField(), "X-CSRF-Token");

  const Response wrong =
      client.Post("/api/v1/customers", customer, {{"X-CSRF-Token", "not-the-token"}});
  EXPECT_EQ(wrong.status, 403) << Describe(wrong);
  EXPECT_EQ(wrong.ErrorField(), "X-CSRF-Token");

  // Reads need no CSRF header.
  const Response read = client.Get("/api/v1/tickets");
  EXPECT_EQ(read.status, 200) << Describe(read);

  client.set_send_csrf(true);
  const Response ok = client.Post("/api/v1/customers", customer);
  EXPECT_EQ(ok.status, 201) << Describe(ok);
}

TEST_F(AuthTest, BearerTokenAuthenticatesWithoutCsrf) {
  HttpClient client = NewClient();
  ASSERT_EQ(client.Login("admin", server().admin_password()).status, 200);
  Response created;
  const std::string token = client.CreateToken("integration", &created);
  ASSERT_EQ(created.status, 201) << Describe(created);
  EXPECT_EQ(token.rfind("omb_", 0), 0u) << token;
  EXPECT_EQ(StrAt(created.Json(), "name"), "integration");

  HttpClient bearer = NewClient();
  bearer.UseBearer(token);
  const Response me = bearer.Get("/api/v1/auth/me");
  ASSERT_EQ(me.status, 200) << Describe(me);
  EXPECT_EQ(StrAt(me.Json(), "login"), "admin");
  const Response write = bearer.Post(
      "/api/v1/customers", boost::json::object{{"name", "Bearer"}, {"phone", "+85510000002"}});
  EXPECT_EQ(write.status, 201) << Describe(write);

  HttpClient forged = NewClient();
  forged.UseBearer(token + "x");
  const Response rejected = forged.Get("/api/v1/auth/me");
  EXPECT_EQ(rejected.status, 401) << Describe(rejected);
  EXPECT_EQ(rejected.ErrorCode(), "unauthenticated");
}

TEST_F(AuthTest, AgentCannotManageUsers) {
  ASSERT_GT(CreateUser("agent1", "agent"), 0);
  HttpClient agent = LoggedInClient("agent1");
  boost::json::object body{{"login", "agent2"},
                           {"display_name", "Agent Two"},
                           {"role", "agent"},
                           {"password", "another-password-1"}};
  const Response create = agent.Post("/api/v1/users", body);
  EXPECT_EQ(create.status, 403) << Describe(create);
  EXPECT_EQ(create.ErrorCode(), "permission_denied");
  const Response list = agent.Get("/api/v1/users");
  EXPECT_EQ(list.status, 403) << Describe(list);
  const Response department =
      agent.Post("/api/v1/departments",
                 boost::json::object{{"name", "Billing"}, {"scope", boost::json::array{}}});
  EXPECT_EQ(department.status, 403) << Describe(department);

  // The user was not created.
  const Response users = admin().Get("/api/v1/users");
  ASSERT_EQ(users.status, 200) << Describe(users);
  for (const auto& user : ArrayAt(users.Json(), "users")) {
    EXPECT_NE(StrAt(user, "login"), "agent2");
  }
}

TEST_F(AuthTest, SupervisorReadsUsersButCannotCreateThem) {
  ASSERT_GT(CreateUser("super1", "supervisor"), 0);
  HttpClient supervisor = LoggedInClient("super1");
  const Response list = supervisor.Get("/api/v1/users");
  EXPECT_EQ(list.status, 200) << Describe(list);
  const Response departments = supervisor.Get("/api/v1/departments");
  EXPECT_EQ(departments.status, 200) << Describe(departments);
  const Response create =
      supervisor.Post("/api/v1/users", boost::json::object{{"login", "x1"},
                                                           {"display_name", "X"},
                                                           {"role", "agent"},
                                                           {"password", "long-enough-pw"}});
  EXPECT_EQ(create.status, 403) << Describe(create);
}

TEST_F(AuthTest, CustomerUserSeesAndWritesOnlyItsOwnTickets) {
  const std::int64_t own = CreateCustomer("Own Customer", "+85511111111");
  const std::int64_t other = CreateCustomer("Other Customer", "+85522222222");
  ASSERT_GT(own, 0);
  ASSERT_GT(other, 0);
  const auto own_ticket = CreateTicket(own, "own ticket");
  const auto other_ticket = CreateTicket(other, "other ticket");
  ASSERT_FALSE(own_ticket.is_null());
  ASSERT_FALSE(other_ticket.is_null());
  const std::int64_t other_id = IntAt(other_ticket, "id");

  ASSERT_GT(CreateUser("portal1", "customer", {{"customer_id", own}}), 0);
  HttpClient customer = LoggedInClient("portal1");

  const auto visible = ListAllTickets(customer);
  ASSERT_EQ(visible.size(), 1u);
  EXPECT_EQ(IntAt(visible[0], "customer_id"), own);
  EXPECT_EQ(IntAt(visible[0], "id"), IntAt(own_ticket, "id"));

  // Asking for the other customer's tickets yields none of them.
  const auto filtered = customer.Get("/api/v1/tickets?customer_id=" + std::to_string(other));
  if (filtered.status == 200) {
    for (const auto& ticket : ArrayAt(filtered.Json(), "tickets")) {
      EXPECT_EQ(IntAt(ticket, "customer_id"), own);
    }
  } else {
    EXPECT_TRUE(filtered.status == 403 || filtered.status == 404) << Describe(filtered);
  }

  const Response read_other = customer.Get("/api/v1/tickets/" + std::to_string(other_id));
  EXPECT_TRUE(read_other.status == 403 || read_other.status == 404) << Describe(read_other);
  const Response write_other =
      customer.Post("/api/v1/tickets/" + std::to_string(other_id) + "/articles",
                    boost::json::object{{"body", "let me in"}, {"direction", "inbound"}});
  EXPECT_TRUE(write_other.status == 403 || write_other.status == 404) << Describe(write_other);

  // A customer opens a ticket for themself without naming a customer.
  const Response opened = customer.Post(
      "/api/v1/tickets",
      boost::json::object{{"channel", "web"}, {"subject", "from the portal"}, {"body", "Hello"}});
  ASSERT_EQ(opened.status, 201) << Describe(opened);
  EXPECT_EQ(IntAt(opened.Json(), "ticket.customer_id"), own);

  // Customers may only add inbound articles.
  const std::string own_articles =
      "/api/v1/tickets/" + std::to_string(IntAt(own_ticket, "id")) + "/articles";
  const Response outbound = customer.Post(
      own_articles, boost::json::object{{"body", "pretend agent"}, {"direction", "outbound"}});
  EXPECT_EQ(outbound.status, 403) << Describe(outbound);
  const Response inbound = customer.Post(
      own_articles, boost::json::object{{"body", "more details"}, {"direction", "inbound"}});
  EXPECT_EQ(inbound.status, 201) << Describe(inbound);

  // Nothing the customer tried touched the other ticket.
  const Response other_now = admin().Get("/api/v1/tickets/" + std::to_string(other_id));
  ASSERT_EQ(other_now.status, 200);
  EXPECT_EQ(ArrayAt(other_now.Json(), "articles").size(), 1u);
}

}  // namespace
}  // namespace ombud::test
