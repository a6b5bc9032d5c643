#include "jobs/outbox_worker.hpp"

#include <chrono>
#include <functional>
#include <thread>

#include "channels/kannel_peer.hpp"
#include "channels/smtp_sink.hpp"
#include "jobs/senders.hpp"
#include "store/store_fixture.hpp"
#include "support/temp_dir.hpp"

namespace ombud::jobs {
namespace {

using channels::test::SmtpSink;
using domain::Channel;
using std::chrono::milliseconds;

TEST(Backoff, IsFullJitterUnderADoublingCeiling) {
  DeliveryOptions o;
  o.backoff_base = milliseconds(100);
  o.backoff_max = milliseconds(1000);
  EXPECT_EQ(Backoff(o, 1, 0.0), milliseconds(0));
  EXPECT_EQ(Backoff(o, 1, 0.5), milliseconds(50));
  EXPECT_EQ(Backoff(o, 3, 0.999), milliseconds(399));
  EXPECT_EQ(Backoff(o, 5, 0.5), milliseconds(500));  // Capped at backoff_max.
  EXPECT_EQ(Backoff(o, 1000, 0.5), milliseconds(500));
}

TEST(TokenBucket, SpendsTheBurstThenPacesAtTheRate) {
  TokenBucket bucket(2.0, 2.0);
  const auto t0 = std::chrono::steady_clock::time_point(std::chrono::seconds(100));
  EXPECT_EQ(bucket.Take(t0).count(), 0);
  EXPECT_EQ(bucket.Take(t0).count(), 0);
  EXPECT_EQ(bucket.Take(t0), milliseconds(500));
  EXPECT_EQ(bucket.Take(t0), milliseconds(1000));
  // Two seconds later the debt is paid and one token saved up again.
  EXPECT_EQ(bucket.Take(t0 + std::chrono::seconds(2)).count(), 0);
  TokenBucket unlimited(0, 1);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(unlimited.Take(t0).count(), 0);
}

TEST(StableMessageId, DependsOnlyOnTheDedupeKey) {
  const std::string a = StableMessageId("C-2026-000001", "ack:C-2026-000001", "desk.example");
  EXPECT_EQ(a, StableMessageId("C-2026-000001", "ack:C-2026-000001", "desk.example"));
  EXPECT_NE(a, StableMessageId("C-2026-000001", "answer:7", "desk.example"));
  EXPECT_EQ(a.rfind("C-2026-000001.", 0), 0u);
  EXPECT_EQ(a.size(),
            std::string("C-2026-000001.").size() + 16 + std::string("@desk.example").size());
  EXPECT_EQ(StableMessageId("", "k", "d.example").rfind("ombud.", 0), 0u);
  EXPECT_EQ(TextToHtml("a < b\n\nc & d\ne"),
            "<html><body><p>a &lt; b</p>\n<p>c &amp; d<br>\ne</p></body></html>\n");
}

class OutboxTest : public testing::StoreTest {
 protected:
  domain::Millis Now() const {
    return std::chrono::duration_cast<milliseconds>(clock_.Now().time_since_epoch()).count();
  }

  // A ticket (with its customer) to hang messages on; returns its id and number.
  std::pair<domain::Id, std::string> MakeTicket() {
    domain::Ticket t;
    EXPECT_TRUE(store_->WriteSync([&](store::WriteTx& tx) -> Status {
      domain::Customer c;
      c.name = "Lê Thị Hoa";
      OMBUD_RETURN_IF_ERROR(tx.InsertCustomer(c));
      t.customer_id = c.id;
      t.subject = "Mất sóng";
      t.channel = Channel::kEmail;
      return tx.InsertTicket(t);
    }));
    return {t.id, t.number};
  }

  void Enqueue(store::OutboxMessage m) {
    ASSERT_TRUE(store_->WriteSync([&](store::WriteTx& tx) { return tx.EnqueueOutbox(m); }));
  }

  store::OutboxRow Row(domain::Id id) {
    store::OutboxRow row;
    EXPECT_TRUE(store_->Read([&](store::ReadTx& tx) -> Status {
      OMBUD_ASSIGN_OR_RETURN(row, tx.GetOutbox(id));
      return {};
    }));
    return row;
  }

  std::vector<store::OutboxRow> Claim(Channel channel, int limit = 10) {
    std::vector<store::OutboxRow> rows;
    EXPECT_TRUE(store_->WriteSync([&](store::WriteTx& tx) -> Status {
      OMBUD_ASSIGN_OR_RETURN(rows, tx.ClaimOutbox({channel}, "test", tx.Now() + 60000, limit));
      return {};
    }));
    return rows;
  }

  std::vector<std::string> AuditActions(const std::string& subject) {
    std::vector<std::string> actions;
    EXPECT_TRUE(store_->Read([&](store::ReadTx& tx) -> Status {
      OMBUD_ASSIGN_OR_RETURN(auto records, tx.ListAudit(subject, 100));
      for (const auto& r : records) actions.push_back(r.action);
      return {};
    }));
    return actions;
  }

  // Moves the manual clock on (so backoffs elapse) and wakes `worker` until `done` holds.
  bool RunUntil(OutboxWorker& worker, const std::function<bool()>& done,
                std::int64_t step_ms = 100) {
    for (int i = 0; i < 500; ++i) {
      if (done()) return true;
      clock_.Advance(step_ms);
      worker.Wake();
      std::this_thread::sleep_for(milliseconds(20));
    }
    return done();
  }

  bool AllInState(const std::string& state, std::size_t n) {
    std::vector<store::OutboxRow> rows;
    (void)store_->Read([&](store::ReadTx& tx) -> Status {
      store::OutboxFilter f;
      f.state = state;
      OMBUD_ASSIGN_OR_RETURN(rows, tx.ListOutbox(f));
      return {};
    });
    return rows.size() == n;
  }
};

TEST_F(OutboxTest, ListOutboxFiltersByStateOldestFirstFromTheCursor) {
  for (int i = 1; i <= 6; ++i) {
    Enqueue({Channel::kEmail, "a@example.vn", "s", "b", std::nullopt, "l" + std::to_string(i),
             std::nullopt, false});
  }
  // Rows 2, 4 and 6 are sent; 1, 3 and 5 stay pending.
  ASSERT_TRUE(store_->WriteSync([](store::WriteTx& tx) -> Status {
    for (const domain::Id id : {2, 4, 6}) {
      OMBUD_RETURN_IF_ERROR(tx.MarkOutboxSent(id, "<m" + std::to_string(id) + "@x>", ""));
    }
    return {};
  }));
  auto list = [&](const std::string& state, domain::Id after, int limit) {
    std::vector<domain::Id> ids;
    EXPECT_TRUE(store_->Read([&](store::ReadTx& tx) -> Status {
      store::OutboxFilter f;
      f.state = state;
      f.after_id = after;
      f.limit = limit;
      OMBUD_ASSIGN_OR_RETURN(auto rows, tx.ListOutbox(f));
      for (const auto& r : rows) ids.push_back(r.id);
      return {};
    }));
    return ids;
  };
  EXPECT_EQ(list("sent", 0, 50), (std::vector<domain::Id>{2, 4, 6}));
  EXPECT_EQ(list("pending", 0, 2), (std::vector<domain::Id>{1, 3}));
  EXPECT_EQ(list("pending", 3, 2), (std::vector<domain::Id>{5}));
  EXPECT_EQ(list("", 2, 3), (std::vector<domain::Id>{3, 4, 5}));
  EXPECT_TRUE(list("dead", 0, 50).empty());
  // The gauge's counts: sent ones from the counter kept as rows turn sent; sending a row twice
  // fails and counts nothing.
  EXPECT_FALSE(store_->WriteSync(
      [](store::WriteTx& tx) -> Status { return tx.MarkOutboxSent(2, "<again@x>", ""); }));
  std::vector<std::string> counts;
  ASSERT_TRUE(store_->Read([&](store::ReadTx& tx) -> Status {
    OMBUD_ASSIGN_OR_RETURN(auto rows, tx.CountOutbox());
    for (const auto& c : rows) {
      counts.push_back(std::string(domain::Name(c.channel)) + " " + c.state + " " +
                       std::to_string(c.count));
    }
    return {};
  }));
  EXPECT_EQ(counts, (std::vector<std::string>{"email pending 3", "email sent 3"}));
}

TEST_F(OutboxTest, ClaimLeasesRowsUntilTheLeaseEnds) {
  for (int i = 1; i <= 3; ++i) {
    Enqueue({Channel::kEmail, "a@example.vn", "s", "b", std::nullopt, "k" + std::to_string(i),
             std::nullopt, false});
  }
  Enqueue({Channel::kSms, "+84912345678", "", "sms", std::nullopt, "s1", std::nullopt, false});
  const auto first = Claim(Channel::kEmail, 2);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].message.dedupe_key, "k1");
  EXPECT_EQ(first[1].message.dedupe_key, "k2");
  const auto second = Claim(Channel::kEmail);
  ASSERT_EQ(second.size(), 1u);  // Only the unleased one.
  EXPECT_EQ(second[0].message.dedupe_key, "k3");
  EXPECT_TRUE(Claim(Channel::kEmail).empty());
  // A worker that died holding them: the rows come back when the lease ends, not before.
  clock_.Advance(59000);
  EXPECT_TRUE(Claim(Channel::kEmail).empty());
  clock_.Advance(2000);
  EXPECT_EQ(Claim(Channel::kEmail).size(), 3u);
  // The SMS row was never claimed by an e-mail claim.
  EXPECT_EQ(Claim(Channel::kSms).size(), 1u);
}

TEST_F(OutboxTest, SentFailedDeadAndRetryMoveTheRow) {
  const auto [ticket_id, number] = MakeTicket();
  Enqueue({Channel::kEmail, "a@example.vn", "s", "b", ticket_id, "ack:1", std::nullopt, true});
  Enqueue({Channel::kEmail, "b@example.vn", "s", "b", ticket_id, "ack:2", std::nullopt, true});
  const auto rows = Claim(Channel::kEmail);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows[0].message.auto_submitted);
  ASSERT_TRUE(store_->WriteSync([&](store::WriteTx& tx) -> Status {
    OMBUD_RETURN_IF_ERROR(tx.RecordInboundMessage("cust-1@example.vn", ticket_id, std::nullopt));
    OMBUD_RETURN_IF_ERROR(tx.MarkOutboxSent(rows[0].id, "ours-1@desk.example", ""));
    return tx.MarkOutboxFailed(rows[1].id, "connection refused", tx.Now() + 5000, false);
  }));
  const auto sent = Row(rows[0].id);
  EXPECT_EQ(sent.state, "sent");
  EXPECT_EQ(sent.attempts, 1);
  EXPECT_EQ(sent.message_id, "ours-1@desk.example");
  ASSERT_TRUE(sent.sent_at.has_value());
  const auto failed = Row(rows[1].id);
  EXPECT_EQ(failed.state, "pending");
  EXPECT_EQ(failed.attempts, 1);
  EXPECT_EQ(failed.last_error, "connection refused");
  EXPECT_EQ(failed.next_attempt_at, Now() + 5000);
  ASSERT_TRUE(store_->Read([&](store::ReadTx& tx) -> Status {
    // The reply to our message finds the ticket; the thread knows whose id is whose.
    OMBUD_ASSIGN_OR_RETURN(auto found, tx.FindInboundMessage("ours-1@desk.example"));
    EXPECT_EQ(found, std::optional<domain::Id>(ticket_id));
    OMBUD_ASSIGN_OR_RETURN(auto thread, tx.ListThreadMessages(ticket_id, 10));
    EXPECT_EQ(thread.size(), 2u);
    for (const auto& m : thread) EXPECT_EQ(m.ours, m.message_id == "ours-1@desk.example");
    OMBUD_ASSIGN_OR_RETURN(auto next, tx.NextOutboxAttempt({Channel::kEmail}));
    EXPECT_EQ(next, std::optional<domain::Millis>(Now() + 5000));
    OMBUD_ASSIGN_OR_RETURN(auto none, tx.NextOutboxAttempt({Channel::kSms}));
    EXPECT_FALSE(none.has_value());
    return {};
  }));
  // Marking twice, retrying what is not dead: refused, nothing changes.
  auto again = store_->WriteSync(
      [&](store::WriteTx& tx) { return tx.MarkOutboxSent(rows[0].id, "other@desk.example", ""); });
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::kFailedPrecondition);
  auto not_dead = store_->WriteSync([&](store::WriteTx& tx) { return tx.RetryOutbox(rows[1].id); });
  ASSERT_FALSE(not_dead.has_value());
  EXPECT_EQ(not_dead.error().code, ErrorCode::kFailedPrecondition);
  auto missing = store_->WriteSync([&](store::WriteTx& tx) { return tx.RetryOutbox(999); });
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  ASSERT_TRUE(store_->WriteSync([&](store::WriteTx& tx) {
    return tx.MarkOutboxFailed(rows[1].id, "still refused", tx.Now(), true);
  }));
  EXPECT_EQ(Row(rows[1].id).state, "dead");
  ASSERT_TRUE(store_->WriteSync([&](store::WriteTx& tx) { return tx.RetryOutbox(rows[1].id); }));
  const auto retried = Row(rows[1].id);
  EXPECT_EQ(retried.state, "pending");
  EXPECT_EQ(retried.attempts, 0);
  EXPECT_EQ(Claim(Channel::kEmail).size(), 1u);
}

// The worker against a real SMTP sink (aiosmtpd) on 127.0.0.1.
class SmtpDeliveryTest : public OutboxTest {
 protected:
  void SetUp() override {
    OutboxTest::SetUp();
    if (const std::string missing = SmtpSink::Missing(); !missing.empty()) GTEST_SKIP() << missing;
    config_.smtp.url = "smtp://127.0.0.1:" + std::to_string(sink_.port()) + "/desk.example";
    config_.smtp.starttls = false;
    config_.smtp.connect_timeout = milliseconds(2000);
    config_.smtp.total_timeout = milliseconds(5000);
    config_.from = {"VieON CSKH", "cskh@desk.example"};
    options_.backoff_base = milliseconds(50);
    options_.backoff_max = milliseconds(200);
    options_.max_attempts = 3;
  }

  void StartSink() { ASSERT_EQ(sink_.Start(), ""); }
  std::vector<std::string> Received() { return sink_.Received(); }
  std::unique_ptr<OutboxWorker> Worker() {
    auto worker = std::make_unique<OutboxWorker>(*store_, clock_, options_);
    worker->Register(Channel::kEmail, std::make_shared<EmailSender>(config_));
    store_->OnOutboxEnqueued([w = worker.get()] { w->Wake(); });
    return worker;
  }
  void TearDown() override {
    if (store_) store_->OnOutboxEnqueued(nullptr);
    OutboxTest::TearDown();
  }

  ombud::test::TempDir sink_dir_;
  SmtpSink sink_{sink_dir_.path()};
  EmailSenderConfig config_;
  DeliveryOptions options_;
};

TEST_F(SmtpDeliveryTest, DeliversAnAcknowledgementThreadedWithAStableMessageId) {
  StartSink();
  const auto [ticket_id, number] = MakeTicket();
  ASSERT_TRUE(store_->WriteSync([&, id = ticket_id](store::WriteTx& tx) {
    return tx.RecordInboundMessage("cust-1@example.vn", id, std::nullopt);
  }));
  auto worker = Worker();
  worker->Start();
  Enqueue({Channel::kEmail, "hoa@example.vn", "[" + number + "] Đã tiếp nhận",
           "Kính gửi Quý khách,\n\nchúng tôi đã tiếp nhận.", ticket_id, "ack:" + number,
           std::nullopt, true});
  ASSERT_TRUE(RunUntil(*worker, [&] { return Received().size() == 1; }));
  ASSERT_TRUE(RunUntil(*worker, [&] { return AllInState("sent", 1); }));
  worker->Stop();
  const std::string mail = Received()[0];
  const std::string id = StableMessageId(number, "ack:" + number, "desk.example");
  EXPECT_NE(mail.find("Message-Id: <" + id + ">"), std::string::npos) << mail;
  EXPECT_NE(mail.find("In-Reply-To: <cust-1@example.vn>"), std::string::npos) << mail;
  EXPECT_NE(mail.find("References: <cust-1@example.vn>"), std::string::npos) << mail;
  EXPECT_NE(mail.find("Auto-Submitted: auto-replied"), std::string::npos) << mail;
  EXPECT_NE(mail.find("multipart/alternative"), std::string::npos) << mail;
  EXPECT_NE(mail.find("text/html"), std::string::npos) << mail;
  const auto row = Row(1);
  EXPECT_EQ(row.message_id, id);
  EXPECT_EQ(row.attempts, 1);
  EXPECT_EQ(AuditActions("ticket:" + std::to_string(ticket_id)),
            (std::vector<std::string>{"outbox.sent"}));
  // A reply to our message threads to the ticket.
  ASSERT_TRUE(store_->Read([&, tid = ticket_id](store::ReadTx& tx) -> Status {
    OMBUD_ASSIGN_OR_RETURN(auto found, tx.FindInboundMessage(id));
    EXPECT_EQ(found, std::optional<domain::Id>(tid));
    return {};
  }));
}

TEST_F(SmtpDeliveryTest, RetriesWhileTheServerIsDownThenDeadLettersAndRetryDelivers) {
  auto worker = Worker();
  worker->Start();
  Enqueue(
      {Channel::kEmail, "hoa@example.vn", "s", "b", std::nullopt, "answer:1", std::nullopt, false});
  // No server: three attempts with backoff, then a dead letter.
  ASSERT_TRUE(RunUntil(*worker, [&] { return Row(1).state == "dead"; }));
  EXPECT_EQ(Row(1).attempts, 3);
  EXPECT_FALSE(Row(1).last_error.empty());
  EXPECT_EQ(AuditActions("outbox:1"),
            (std::vector<std::string>{"outbox.failed", "outbox.failed", "outbox.dead"}));
  StartSink();
  ASSERT_TRUE(store_->WriteSync([](store::WriteTx& tx) { return tx.RetryOutbox(1); }));
  ASSERT_TRUE(RunUntil(*worker, [&] { return Row(1).state == "sent"; }));
  Enqueue({Channel::kEmail, "reject@example.vn", "s", "b", std::nullopt, "answer:2", std::nullopt,
           false});
  // The permanently rejected recipient is a dead letter after one attempt.
  ASSERT_TRUE(RunUntil(*worker, [&] { return Row(2).state == "dead"; }));
  EXPECT_EQ(Row(2).attempts, 1);
  worker->Stop();
  EXPECT_EQ(Received().size(), 1u);
}

TEST_F(SmtpDeliveryTest, AResendAfterACrashCarriesTheSameMessageId) {
  StartSink();
  Enqueue(
      {Channel::kEmail, "hoa@example.vn", "s", "b", std::nullopt, "answer:9", std::nullopt, false});
  // A worker claims and sends, then dies before recording the outcome.
  const auto claimed = Claim(Channel::kEmail);
  ASSERT_EQ(claimed.size(), 1u);
  EmailSender sender(config_);
  ASSERT_TRUE(sender.Send(claimed[0], {}).has_value());
  // Another worker takes the row over when the lease ends and sends it again.
  auto worker = Worker();
  worker->Start();
  clock_.Advance(61000);
  ASSERT_TRUE(RunUntil(*worker, [&] { return AllInState("sent", 1); }));
  worker->Stop();
  const auto received = Received();
  ASSERT_EQ(received.size(), 2u);
  const std::string header = "Message-Id: <" + Row(1).message_id + ">";
  EXPECT_NE(received[0].find(header), std::string::npos);
  EXPECT_NE(received[1].find(header), std::string::npos);
}

TEST_F(OutboxTest, SendsSmsThroughKannelWithinTheRateLimit) {
  if (const std::string missing = channels::test::KannelPeer::Missing(); !missing.empty()) {
    GTEST_SKIP() << missing;
  }
  ombud::test::TempDir dir;
  channels::test::KannelPeer kannel(dir.path(), "http://127.0.0.1:9/none?text=%b");
  ASSERT_EQ(kannel.StartBoxes(), "");
  ASSERT_EQ(kannel.StartHandset("85500000000 1234 text ping"), "");
  DeliveryOptions options;
  options.backoff_base = milliseconds(50);
  options.backoff_max = milliseconds(100);
  options.max_attempts = 1000;  // Until the fake SMSC has connected.
  OutboxWorker worker(*store_, clock_, options);
  worker.Register(Channel::kSms, std::make_shared<KannelSender>(kannel.Config(), ""), {5.0, 1.0});
  for (int i = 1; i <= 4; ++i) {
    Enqueue({Channel::kSms, "+8491234567" + std::to_string(i), "", "Ticket " + std::to_string(i),
             std::nullopt, "sms:" + std::to_string(i), std::nullopt, false});
  }
  const auto start = std::chrono::steady_clock::now();
  worker.Start();
  ASSERT_TRUE(RunUntil(worker, [&] { return AllInState("sent", 4); })) << kannel.Logs();
  const auto took = std::chrono::steady_clock::now() - start;
  worker.Stop();
  EXPECT_GE(took, milliseconds(550));  // 4 messages at 5/s with a burst of 1.
  const auto got = kannel.HandsetReceived(4);
  ASSERT_EQ(got.size(), 4u) << kannel.Logs();
  for (int i = 1; i <= 4; ++i) {
    EXPECT_EQ(Row(i).provider_ref, std::to_string(i));
  }
}

}  // namespace
}  // namespace ombud::jobs
