// Durable ticket creates per second through the store and desk alone (no HTTP): K writes in
// flight, group-committed by the SQLite writer. Shows the ceiling the HTTP path can reach.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>

#include "desk/desk.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace {

class WallClock final : public ombud::Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::now();
  }
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ombud store write benchmark"};
  int in_flight = 64;
  int total = 50000;
  bool new_customers = true;
  std::string dir = "/tmp";
  app.add_option("--in-flight", in_flight, "writes queued at once");
  app.add_option("--total", total, "ticket creates");
  app.add_option("--new-customers", new_customers, "each ticket from a new customer");
  app.add_option("--dir", dir, "where the temporary database goes");
  CLI11_PARSE(app, argc, argv);

  const std::string path = dir + "/ombud-store-bench-" + std::to_string(::getpid()) + ".db";
  WallClock clock;
  auto store = ombud::store::sqlite::SqliteStore::Open({path, 2, 1024, &clock});
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().message.c_str());
    return 1;
  }
  const auto actor = ombud::desk::SystemActor("bench");
  std::mutex mu;
  std::condition_variable cv;
  int outstanding = 0;
  std::atomic<int> failures{0};
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < total; ++i) {
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return outstanding < in_flight; });
      ++outstanding;
    }
    ombud::desk::CreateTicketCmd cmd;
    const int who = new_customers ? i : i % 1000;
    cmd.customer = ombud::desk::NewCustomer{
        "Customer " + std::to_string(who),
        "km",
        {{ombud::domain::IdentityKind::kPhone, "+8551" + std::to_string(10000000 + who)}}};
    cmd.channel = ombud::domain::Channel::kPhone;
    cmd.subject = "No signal since this morning";
    cmd.body = "The customer reports no signal in Phnom Penh since 08:00.";
    (*store)->Write(
        [actor, cmd = std::move(cmd)](ombud::store::WriteTx& tx) -> ombud::Status {
          OMBUD_RETURN_IF_ERROR(ombud::desk::CreateTicket(tx, actor, cmd));
          return {};
        },
        [&](ombud::Status s) {
          if (!s) failures.fetch_add(1);
          std::lock_guard lock(mu);
          --outstanding;
          cv.notify_all();
        });
  }
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return outstanding == 0; });
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto stats = (*store)->Stats();
  std::printf(
      "creates=%d failures=%d seconds=%.3f creates_per_s=%.0f batches=%lld mean_batch=%.1f\n",
      total, failures.load(), seconds, total / seconds, static_cast<long long>(stats.batches),
      static_cast<double>(stats.batched_writes) / static_cast<double>(stats.batches));
  store->reset();
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  return failures.load() == 0 ? 0 : 1;
}
