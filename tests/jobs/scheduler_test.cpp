#include "jobs/scheduler.hpp"

#include <condition_variable>
#include <mutex>
#include <vector>

#include "store/store_fixture.hpp"

namespace ombud::jobs {
namespace {

class SchedulerTest : public testing::StoreTest {
 protected:
  store::Timer Schedule(domain::Millis fire_at, std::string subject) {
    store::Timer t{0, fire_at, "test", std::move(subject), "{}"};
    EXPECT_TRUE(store_->WriteSync([&](store::WriteTx& tx) { return tx.ScheduleTimer(t); }));
    return t;
  }
  domain::Millis Now() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now().time_since_epoch())
        .count();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> fired_;

  Scheduler::FireFn Recorder() {
    return [this](store::WriteTx& tx, const store::Timer& timer) -> Status {
      OMBUD_RETURN_IF_ERROR(tx.MarkTimerFired(timer.id));
      std::lock_guard lock(mu_);
      fired_.push_back(timer.subject);
      cv_.notify_all();
      return {};
    };
  }
  bool WaitFired(std::size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return fired_.size() >= n; });
  }
};

TEST_F(SchedulerTest, FiresDueTimersOnStartInOrderAndOnlyOnce) {
  Schedule(Now() - 5000, "b");
  Schedule(Now() - 9000, "a");
  Schedule(Now() + 3'600'000, "later");
  Scheduler scheduler(*store_, clock_, Recorder());
  scheduler.Start();
  ASSERT_TRUE(WaitFired(2));
  scheduler.Stop();
  EXPECT_EQ(fired_, (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(store_->Read([](store::ReadTx& tx) -> Status {
    OMBUD_ASSIGN_OR_RETURN(auto next, tx.NextTimer());
    EXPECT_TRUE(next.has_value());
    EXPECT_EQ(next->subject, "later");
    return {};
  }));
}

TEST_F(SchedulerTest, WakesWhenTheClockMovesPastATimer) {
  Schedule(Now() + 3'600'000, "in an hour");
  Scheduler scheduler(*store_, clock_, Recorder());
  scheduler.Start();
  clock_.Advance(3'600'001);
  scheduler.Wake();
  ASSERT_TRUE(WaitFired(1));
  EXPECT_EQ(fired_.front(), "in an hour");
}

TEST_F(SchedulerTest, WakesWhenACommitSchedulesAnEarlierTimer) {
  Scheduler scheduler(*store_, clock_, Recorder());
  store_->OnTimerScheduled([&scheduler](domain::Millis) { scheduler.Wake(); });
  scheduler.Start();
  Schedule(Now() - 1, "now");
  ASSERT_TRUE(WaitFired(1));
  EXPECT_EQ(fired_.front(), "now");
  store_->OnTimerScheduled(nullptr);
}

}  // namespace
}  // namespace ombud::jobs
