#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "integration/server_test.hpp"

namespace ombud::test {
namespace {

using IdempotencyTest = ServerTest;

TEST_F(IdempotencyTest, SameKeyAndBodyReplaysTheFirstAnswerAndCreatesNothing) {
  const std::string body = ToJson(TicketBody("Idempotent complaint", "+85540000001"));
  const Headers key = {{"Idempotency-Key", "key-0001"}};
  const Response first = admin().Request("POST", "/api/v1/tickets", body, key);
  ASSERT_EQ(first.status, 201) << Describe(first);
  EXPECT_EQ(first.Header("Idempotent-Replay"), "");

  const Response second = admin().Request("POST", "/api/v1/tickets", body, key);
  ASSERT_EQ(second.status, 201) << Describe(second);
  EXPECT_EQ(second.Header("Idempotent-Replay"), "true");
  EXPECT_EQ(second.body, first.body);

  // A fresh connection sees the same stored answer.
  HttpClient other = NewClient();
  other.UseBearer(admin().bearer());
  const Response third = other.Request("POST", "/api/v1/tickets", body, key);
  EXPECT_EQ(third.status, 201);
  EXPECT_EQ(third.Header("Idempotent-Replay"), "true");
  EXPECT_EQ(third.body, first.body);

  const auto tickets = ListAllTickets(admin());
  ASSERT_EQ(tickets.size(), 1u);
  EXPECT_EQ(IntAt(tickets[0], "id"), IntAt(first.Json(), "ticket.id"));
}

TEST_F(IdempotencyTest, SameKeyWithAnotherBodyOrPathIsConflict) {
  const Headers key = {{"Idempotency-Key", "key-0002"}};
  const Response first =
      admin().Post("/api/v1/tickets", TicketBody("First body", "+85540000002"), key);
  ASSERT_EQ(first.status, 201) << Describe(first);

  const Response changed =
      admin().Post("/api/v1/tickets", TicketBody("Second body", "+85540000002"), key);
  EXPECT_EQ(changed.status, 409) << Describe(changed);
  EXPECT_EQ(changed.ErrorCode(), "conflict");
  EXPECT_EQ(changed.ErrorField(), "Idempotency-Key");

  const Response other_path = admin().Post(
      "/api/v1/customers", boost::json::object{{"name", "X"}, {"phone", "+85540000099"}}, key);
  EXPECT_EQ(other_path.status, 409) << Describe(other_path);
  EXPECT_EQ(other_path.ErrorField(), "Idempotency-Key");

  EXPECT_EQ(ListAllTickets(admin()).size(), 1u);
  EXPECT_EQ(admin().Get("/api/v1/customers?phone=" + UrlEncode("+85540000099")).status, 404);
}

TEST_F(IdempotencyTest, FailedRequestIsNotStored) {
  const Headers key = {{"Idempotency-Key", "key-0003"}};
  boost::json::object invalid = TicketBody("", "+85540000003");
  const Response rejected = admin().Post("/api/v1/tickets", invalid, key);
  ASSERT_EQ(rejected.status, 400) << Describe(rejected);
  EXPECT_EQ(rejected.ErrorField(), "subject");

  const Response valid =
      admin().Post("/api/v1/tickets", TicketBody("Now valid", "+85540000003"), key);
  EXPECT_EQ(valid.status, 201) << Describe(valid);
  EXPECT_EQ(valid.Header("Idempotent-Replay"), "");
}

TEST_F(IdempotencyTest, KeysBelongToOneUser) {
  ASSERT_GT(CreateUser("agent-idem", "agent"), 0);
  HttpClient agent = LoggedInClient("agent-idem");
  const std::string body = ToJson(TicketBody("Shared key", "+85540000004"));
  const Headers key = {{"Idempotency-Key", "shared-key"}};
  const Response by_admin = admin().Request("POST", "/api/v1/tickets", body, key);
  ASSERT_EQ(by_admin.status, 201) << Describe(by_admin);
  const Response by_agent = agent.Request("POST", "/api/v1/tickets", body, key);
  ASSERT_EQ(by_agent.status, 201) << Describe(by_agent);
  EXPECT_EQ(by_agent.Header("Idempotent-Replay"), "");
  EXPECT_NE(IntAt(by_agent.Json(), "ticket.id"), IntAt(by_admin.Json(), "ticket.id"));
  EXPECT_EQ(ListAllTickets(admin()).size(), 2u);
}

TEST_F(IdempotencyTest, RejectsMalformedKeys) {
  const std::string too_long(129, 'k');
  const Response long_key = admin().Post("/api/v1/tickets", TicketBody("long key", "+85540000005"),
                                         {{"Idempotency-Key", too_long}});
  EXPECT_EQ(long_key.status, 400) << Describe(long_key);
  EXPECT_EQ(long_key.ErrorField(), "Idempotency-Key");
  const Response max_key = admin().Post("/api/v1/tickets", TicketBody("max key", "+85540000005"),
                                        {{"Idempotency-Key", std::string(128, 'k')}});
  EXPECT_EQ(max_key.status, 201) << Describe(max_key);
  EXPECT_EQ(ListAllTickets(admin()).size(), 1u);
}

class IdempotencyRetentionTest : public ServerTest {
 protected:
  std::vector<std::string> ExtraArgs() const override {
    return {"--test-clock", "--idempotency-retention-hours", "1"};
  }
};

TEST_F(IdempotencyRetentionTest, AnAnswerOlderThanTheRetentionIsPurgedAndTheKeyExecutesAgain) {
  const std::string body = ToJson(TicketBody("Retained complaint", "+85540000077"));
  const Headers key = {{"Idempotency-Key", "key-retention"}};
  const Response first = admin().Request("POST", "/api/v1/tickets", body, key);
  ASSERT_EQ(first.status, 201) << Describe(first);
  // Within the hour: replayed.
  const Response moved =
      admin().Post("/api/v1/_test/clock", boost::json::object{{"advance_seconds", 1800}});
  ASSERT_EQ(moved.status, 200) << Describe(moved);
  EXPECT_EQ(admin().Request("POST", "/api/v1/tickets", body, key).Header("Idempotent-Replay"),
            "true");
  EXPECT_EQ(Query(server().db_path(), "SELECT COUNT(*) FROM idempotency_keys")[0][0], "1");
  // Past it: the housekeeping timer (due an hour after start) deletes the answer.
  ASSERT_EQ(admin()
                .Post("/api/v1/_test/clock", boost::json::object{{"advance_seconds", 2 * 3600}})
                .status,
            200);
  for (int i = 0; i < 100; ++i) {
    if (Query(server().db_path(),
              "SELECT COUNT(*) FROM idempotency_keys WHERE key = 'key-retention'")[0][0] == "0") {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const Response again = admin().Request("POST", "/api/v1/tickets", body, key);
  ASSERT_EQ(again.status, 201) << Describe(again);
  EXPECT_EQ(again.Header("Idempotent-Replay"), "");
  EXPECT_NE(IntAt(again.Json(), "ticket.id"), IntAt(first.Json(), "ticket.id"));
  EXPECT_EQ(ListAllTickets(admin()).size(), 2u);
}

}  // namespace
}  // namespace ombud::test
