#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "integration/server_test.hpp"

namespace ombud::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kThreads = 8;

// One ticket creation as a client saw it.
struct Attempt {
  std::string key;
  std::string subject;
  std::string body;  // The request body, resent verbatim on retry.
  int status = 0;    // 0: no answer before the crash.
  std::string answer;
};

std::string CreateBody(const std::string& subject, int thread) {
  boost::json::object body = TicketBody(subject, "+8556000000" + std::to_string(thread));
  return ToJson(body);
}

// R-durability: an acknowledged write survives SIGKILL, and a retry with the same
// Idempotency-Key after restart yields exactly one ticket.
TEST(CrashTest, AcknowledgedTicketsSurviveSigkillAndRetriesCreateEachOnce) {
  ServerProcess server;
  ASSERT_TRUE(server.Start());
  HttpClient admin(server.port());
  ASSERT_TRUE(AuthenticateWithToken(admin, "admin", server.admin_password()));
  const std::string token = admin.bearer();

  std::mutex mu;
  std::condition_variable cv;
  int answered = 0;  // Guarded by mu.
  std::atomic<bool> stop{false};
  std::vector<std::vector<Attempt>> attempts(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpClient client(server.port());
      client.UseBearer(token);
      client.set_timeout(seconds(30));
      for (int n = 0; !stop.load(); ++n) {
        Attempt attempt;
        attempt.key = "crash-" + std::to_string(t) + "-" + std::to_string(n);
        attempt.subject = "crash subject " + std::to_string(t) + "-" + std::to_string(n);
        attempt.body = CreateBody(attempt.subject, t);
        const Response response = client.Request("POST", "/api/v1/tickets", attempt.body,
                                                 {{"Idempotency-Key", attempt.key}});
        attempt.status = response.status;
        attempt.answer = response.body;
        attempts[t].push_back(std::move(attempt));
        if (response.status == 0) return;  // The server is gone.
        std::lock_guard lock(mu);
        ++answered;
        cv.notify_all();
      }
    });
  }
  {
    // Load for ~1.5 s, and in any case until some tickets were acknowledged.
    const auto kill_after = std::chrono::steady_clock::now() + milliseconds(1500);
    std::unique_lock lock(mu);
    cv.wait_for(lock, seconds(60), [&] {
      return std::chrono::steady_clock::now() >= kill_after && answered >= 4 * kThreads;
    });
  }
  server.Kill();
  stop = true;
  for (auto& thread : threads) thread.join();

  int acknowledged = 0;
  int unanswered = 0;
  for (const auto& per_thread : attempts) {
    for (const auto& attempt : per_thread) {
      EXPECT_TRUE(attempt.status == 201 || attempt.status == 0)
          << attempt.key << ": " << attempt.status << " " << attempt.answer;
      (attempt.status == 201 ? acknowledged : unanswered)++;
    }
  }
  ASSERT_GT(acknowledged, 0);
  RecordProperty("acknowledged", acknowledged);
  RecordProperty("unanswered", unanswered);

  ASSERT_TRUE(server.Restart());
  HttpClient client(server.port());
  client.UseBearer(token);

  std::map<std::string, std::int64_t> ticket_by_subject;
  int committed_unacknowledged = 0;  // Unanswered, yet durable before the crash.
  for (const auto& per_thread : attempts) {
    for (const auto& attempt : per_thread) {
      SCOPED_TRACE(attempt.key);
      const Response again = client.Request("POST", "/api/v1/tickets", attempt.body,
                                            {{"Idempotency-Key", attempt.key}});
      ASSERT_EQ(again.status, 201) << Describe(again);
      const auto json = again.Json();
      EXPECT_EQ(StrAt(json, "ticket.subject"), attempt.subject);
      if (attempt.status == 201) {
        // Acknowledged before the crash: the stored answer comes back unchanged.
        EXPECT_EQ(again.Header("Idempotent-Replay"), "true");
        EXPECT_EQ(again.body, attempt.answer);
      } else {
        // Unanswered: executed now or replayed, and from now on replayed identically.
        if (again.Header("Idempotent-Replay") == "true") ++committed_unacknowledged;
        const Response third = client.Request("POST", "/api/v1/tickets", attempt.body,
                                              {{"Idempotency-Key", attempt.key}});
        EXPECT_EQ(third.status, 201);
        EXPECT_EQ(third.Header("Idempotent-Replay"), "true");
        EXPECT_EQ(third.body, again.body);
      }
      const std::int64_t id = IntAt(json, "ticket.id");
      const Response stored = client.Get("/api/v1/tickets/" + std::to_string(id));
      ASSERT_EQ(stored.status, 200) << Describe(stored);
      EXPECT_EQ(StrAt(stored.Json(), "ticket.subject"), attempt.subject);
      ticket_by_subject[attempt.subject] = id;
    }
  }

  RecordProperty("committed_unacknowledged", committed_unacknowledged);

  std::map<std::string, int> listed;
  for (const auto& ticket : ListAllTickets(client)) listed[StrAt(ticket, "subject")]++;
  EXPECT_EQ(listed.size(), ticket_by_subject.size());
  for (const auto& [subject, id] : ticket_by_subject) {
    EXPECT_EQ(listed[subject], 1) << subject << " (ticket " << id << ")";
  }
  const int status = server.Stop();
  EXPECT_EQ(DescribeWaitStatus(status), "exit code 0") << server.StderrTail(64 * 1024);
}

}  // namespace
}  // namespace ombud::test
