// The IMAP poller against a real Dovecot on 127.0.0.1: messages delivered to the mailbox
// become tickets, a reply threads, a duplicate is dropped, a restart does not file anything
// twice, a UIDVALIDITY change re-reads the mailbox (issue 5, R-MET-1).
#include "jobs/imap_poller.hpp"

#include <gtest/gtest.h>

#include <atomic>

#include <filesystem>
#include <thread>

#include "channels/dovecot_peer.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/store_fixture.hpp"
#include "support/temp_dir.hpp"

namespace ombud::jobs {
namespace {

namespace fs = std::filesystem;

std::string Mail(const std::string& id, const std::string& subject, const std::string& extra,
                 const std::string& body) {
  return "From: Nguyen Van An <An.Nguyen@Example.vn>\r\nTo: support@example.com\r\nSubject: " +
         subject + "\r\nMessage-ID: <" + id + ">\r\n" + extra +
         "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" + body + "\r\n";
}

class ImapPollerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!channels::test::DovecotPeer::Installed()) GTEST_SKIP() << "dovecot-imapd is not installed";
    ASSERT_EQ(dovecot_.Start(mail_dir_.path(), false), "");
    Reopen();
  }

  // Opens the store again, as a restarted server does.
  void Reopen() {
    store_.reset();
    auto opened = store::sqlite::SqliteStore::Open({dir_.File("ombud.db"), 2, 1024, &clock_});
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
  }

  ImapPollerOptions Options() const {
    ImapPollerOptions o;
    o.imap = dovecot_.config();
    o.interval = std::chrono::milliseconds(50);
    return o;
  }

  PollStats Poll() {
    ImapPoller poller(*store_, attachments_, nullptr, Options());
    auto stats = poller.PollOnce();
    EXPECT_TRUE(stats.has_value()) << stats.error().message << dovecot_.Log();
    return stats.value_or(PollStats{});
  }

  std::vector<domain::Ticket> Tickets() {
    std::vector<domain::Ticket> tickets;
    EXPECT_TRUE(store_->Read([&](store::ReadTx& tx) -> Status {
      OMBUD_ASSIGN_OR_RETURN(tickets, tx.ListTickets({}));
      return {};
    }));
    return tickets;
  }

  std::size_t Articles(domain::Id ticket_id) {
    std::size_t n = 0;
    EXPECT_TRUE(store_->Read([&](store::ReadTx& tx) -> Status {
      OMBUD_ASSIGN_OR_RETURN(auto articles, tx.ListArticles(ticket_id));
      n = articles.size();
      return {};
    }));
    return n;
  }

  // Messages in cur/ flagged \Seen (Maildir info ":2,S").
  int SeenOnServer() const {
    int seen = 0;
    for (const auto& e : fs::directory_iterator(dovecot_.maildir() + "/cur")) {
      const std::string name = e.path().filename().string();
      const auto info = name.find(":2,");
      if (info != std::string::npos && name.find('S', info) != std::string::npos) ++seen;
    }
    return seen;
  }

  ombud::test::TempDir dir_;
  ombud::test::TempDir mail_dir_;  // Dovecot's own, reachable by its auth process.
  channels::test::DovecotPeer dovecot_;
  testing::ManualClock clock_;
  store::AttachmentStore attachments_{dir_.File("files")};
  std::unique_ptr<store::sqlite::SqliteStore> store_;
};

TEST_F(ImapPollerTest, FilesNewMessagesThreadsRepliesDropsDuplicatesAndSurvivesRestart) {
  ASSERT_EQ(dovecot_.Deliver(Mail("p1@example.vn", "Không xem được phim", "", "Tôi bị trừ tiền.")),
            "");
  ASSERT_EQ(dovecot_.Deliver(Mail("p2@example.vn", "Re: Không xem được phim",
                                  "In-Reply-To: <p1@example.vn>\r\n", "Đây là biên lai.")),
            "");
  ASSERT_EQ(dovecot_.Deliver(Mail("p1@example.vn", "Không xem được phim", "", "Again.")), "");

  const PollStats first = Poll();
  EXPECT_EQ(first.fetched, 3);
  EXPECT_EQ(first.created, 1);
  EXPECT_EQ(first.appended, 1);
  EXPECT_EQ(first.duplicates, 1);
  EXPECT_FALSE(first.uid_validity_changed);
  auto tickets = Tickets();
  ASSERT_EQ(tickets.size(), 1u);
  EXPECT_EQ(tickets[0].channel, domain::Channel::kEmail);
  EXPECT_EQ(tickets[0].subject, "Không xem được phim");
  EXPECT_EQ(Articles(tickets[0].id), 2u);
  EXPECT_EQ(SeenOnServer(), 3);

  // A restart: the cursor is in the database, nothing is fetched again.
  Reopen();
  const PollStats again = Poll();
  EXPECT_EQ(again.fetched, 0);

  ASSERT_EQ(dovecot_.Deliver(Mail("p3@example.vn", "Mất sóng", "", "Mất sóng từ hôm qua.")), "");
  const PollStats later = Poll();
  EXPECT_EQ(later.fetched, 1);
  EXPECT_EQ(later.created, 1);
  EXPECT_EQ(Tickets().size(), 2u);
}

TEST_F(ImapPollerTest, AChangedUidValidityReadsTheMailboxAgainWithoutRefiling) {
  ASSERT_EQ(dovecot_.Deliver(Mail("v1@example.vn", "Cước sai", "", "Cước tháng này sai.")), "");
  EXPECT_EQ(Poll().created, 1);
  ImapPoller poller(*store_, attachments_, nullptr, Options());
  // The server renumbered its mailbox (UIDVALIDITY 1, last seen UID far above the new ones).
  ASSERT_TRUE(store_->WriteSync([&](store::WriteTx& tx) -> Status {
    return tx.SetChannelState(poller.state_key(), "1:999");
  }));
  const auto stats = poller.PollOnce();
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_TRUE(stats->uid_validity_changed);
  EXPECT_EQ(stats->fetched, 1);
  EXPECT_EQ(stats->duplicates, 1);
  EXPECT_EQ(Tickets().size(), 1u);
  EXPECT_EQ(poller.PollOnce().value_or(PollStats{.fetched = -1}).fetched, 0);
}

TEST_F(ImapPollerTest, AMessageWithoutSenderIsSkippedAndAudited) {
  ASSERT_EQ(dovecot_.Deliver("Subject: no sender\r\n\r\nbody\r\n"), "");
  ASSERT_EQ(dovecot_.Deliver(Mail("s1@example.vn", "Hỏi cước", "", "Cho hỏi cước.")), "");
  const PollStats stats = Poll();
  EXPECT_EQ(stats.rejected, 1);
  EXPECT_EQ(stats.created, 1);
  ImapPoller poller(*store_, attachments_, nullptr, Options());
  std::vector<store::AuditRecord> audit;
  ASSERT_TRUE(store_->Read([&](store::ReadTx& tx) -> Status {
    OMBUD_ASSIGN_OR_RETURN(audit, tx.ListAudit(poller.state_key(), 10));
    return {};
  }));
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "message.rejected");
}

TEST(ImapPollDelay, DoublesAfterEachFailureUpToTheMaximum) {
  ImapPollerOptions o;
  o.interval = std::chrono::seconds(60);
  o.max_backoff = std::chrono::minutes(15);
  EXPECT_EQ(PollDelay(o, 0), std::chrono::seconds(60));
  EXPECT_EQ(PollDelay(o, 1), std::chrono::seconds(120));
  EXPECT_EQ(PollDelay(o, 3), std::chrono::seconds(480));
  EXPECT_EQ(PollDelay(o, 4), std::chrono::minutes(15));
  EXPECT_EQ(PollDelay(o, 30), std::chrono::minutes(15));
  o.interval = std::chrono::hours(1);  // Longer than the maximum back-off: never shorter.
  EXPECT_EQ(PollDelay(o, 2), std::chrono::hours(1));
}

// Dovecot offers IDLE: with a ten-minute interval, only IDLE can file new mail within seconds.
TEST_F(ImapPollerTest, IdleFilesNewMailAtOnceBetweenRarePolls) {
  ImapPollerOptions options = Options();
  options.interval = std::chrono::minutes(10);
  std::atomic<int> errors{0};
  options.on_error = [&errors](const Error&) { ++errors; };
  ImapPoller poller(*store_, attachments_, nullptr, options);
  poller.Start();
  // Let the first poll (an empty mailbox) finish and the IDLE begin.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  ASSERT_TRUE(Tickets().empty());
  ASSERT_EQ(dovecot_.Deliver(Mail("i1@example.vn", "Mất mạng", "", "Mất mạng cả ngày.")), "");
  for (int i = 0; i < 200 && Tickets().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(Tickets().size(), 1u) << dovecot_.Log();
  ASSERT_EQ(dovecot_.Deliver(Mail("i2@example.vn", "Sai cước", "", "Cước sai.")), "");
  for (int i = 0; i < 200 && Tickets().size() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(Tickets().size(), 2u) << "the IDLE after a poll";
  EXPECT_EQ(errors.load(), 0);
  const auto stopping = std::chrono::steady_clock::now();
  poller.Stop();  // Leaves the IDLE promptly.
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, std::chrono::seconds(3));
}

TEST_F(ImapPollerTest, TheStartedPollerFilesWhatArrivesAndRetriesWhenTheServerIsDown) {
  ImapPollerOptions options = Options();
  std::atomic<int> errors{0};
  options.on_error = [&errors](const Error&) { ++errors; };
  ImapPoller poller(*store_, attachments_, nullptr, options);
  poller.Start();
  ASSERT_EQ(dovecot_.Deliver(Mail("t1@example.vn", "Khiếu nại", "", "Nội dung.")), "");
  for (int i = 0; i < 200 && Tickets().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(Tickets().size(), 1u);
  dovecot_.Stop();
  for (int i = 0; i < 200 && errors.load() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_GE(errors.load(), 2);
  poller.Stop();
}

}  // namespace
}  // namespace ombud::jobs
