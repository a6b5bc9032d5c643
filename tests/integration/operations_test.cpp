#include <regex>
#include <string>

#include <gtest/gtest.h>

#include "integration/server_test.hpp"

namespace ombud::test {
namespace {

using OperationsTest = ServerTest;

TEST_F(OperationsTest, HealthReadinessAndHelloNeedNoCredentials) {
  HttpClient client = NewClient();
  const Response health = client.Get("/healthz");
  ASSERT_EQ(health.status, 200) << Describe(health);
  EXPECT_EQ(health.Json(), boost::json::parse(R"({"status":"ok"})"));
  const Response ready = client.Get("/readyz");
  EXPECT_EQ(ready.status, 200) << Describe(ready);
  const Response hello = client.Get("/hello");
  ASSERT_EQ(hello.status, 200) << Describe(hello);
  EXPECT_EQ(hello.body.substr(0, 5), "hello");
}

TEST_F(OperationsTest, MetricsCountRequestsAndCommits) {
  HttpClient client = NewClient();
  ASSERT_EQ(client.Get("/hello").status, 200);
  ASSERT_EQ(admin().Post("/api/v1/tickets", TicketBody("metered", "+85580000001")).status, 201);
  const Response metrics = client.Get("/metrics");
  ASSERT_EQ(metrics.status, 200) << Describe(metrics);
  EXPECT_NE(metrics.Header("Content-Type").find("text/plain"), std::string::npos);
  for (const char* family : {"ombud_http_requests_total", "ombud_http_request_duration_seconds",
                             "ombud_store_commit_batches_total", "ombud_store_commit_batch_size",
                             "ombud_store_write_queue_depth"}) {
    EXPECT_NE(metrics.body.find(family), std::string::npos) << family << " missing";
  }
  // A counter line for the /hello request just made, labels in any order.
  const std::regex hello_line(
      R"(ombud_http_requests_total\{[^}]*route="/hello"[^}]*\} [1-9][0-9]*)");
  EXPECT_TRUE(std::regex_search(metrics.body, hello_line)) << metrics.body.substr(0, 3000);
  const std::regex commits(R"(ombud_store_commit_batches_total(\{[^}]*\})? [1-9][0-9]*)");
  EXPECT_TRUE(std::regex_search(metrics.body, commits)) << metrics.body.substr(0, 3000);
}

// Without --admin-password the first start creates `admin` with a printed random password.
TEST(FirstStartTest, PrintsTheFirstAdminPasswordBeforeListening) {
  ServerOptions options;
  options.admin_password.clear();
  ServerProcess server(options);
  ASSERT_TRUE(server.Start());
  const std::string out = server.Stdout();
  std::smatch match;
  ASSERT_TRUE(
      std::regex_search(out, match, std::regex(R"(first admin: login=admin password=(\S+))")))
      << out;
  const std::string password = match[1];
  EXPECT_LT(out.find("first admin:"), out.find("listening on http://"));
  HttpClient client(server.port());
  EXPECT_EQ(client.Login("admin", password).status, 200);

  // A restart on the same database creates no second admin.
  ASSERT_TRUE(server.Restart());
  const std::string second = server.Stdout().substr(out.size());
  EXPECT_EQ(second.find("first admin:"), std::string::npos) << second;
  HttpClient again(server.port());
  EXPECT_EQ(again.Login("admin", password).status, 200);
}

}  // namespace
}  // namespace ombud::test
