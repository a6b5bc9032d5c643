// E-mail intake throughput through the real path: raw 20 KiB RFC 5322 messages with one
// attachment, parsed by GMime (jobs::PrepareEmail: MIME, charsets, the attachment written
// durably to the attachment store), then filed by desk::IngestMessage (dedupe, threading,
// customer, ticket or article, audit, acknowledgement) in group-committed SQLite writes.
// Parsing runs on --threads workers; each keeps up to --in-flight writes queued.
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "jobs/mail_ingest.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace {

class WallClock final : public ombud::Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::now();
  }
};

constexpr int kReplyDistance = 2000;

// CPU seconds (user + system) of the whole process so far.
double CpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  const auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

std::string Base64Lines(const std::string& data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t line = 0;
  for (std::size_t i = 0; i < data.size(); i += 3) {
    const std::uint32_t n =
        (static_cast<unsigned char>(data[i]) << 16) |
        (i + 1 < data.size() ? static_cast<unsigned char>(data[i + 1]) << 8 : 0) |
        (i + 2 < data.size() ? static_cast<unsigned char>(data[i + 2]) : 0);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < data.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < data.size() ? kAlphabet[n & 63] : '=';
    if ((line += 4) == 76) {
      out += "\r\n";
      line = 0;
    }
  }
  return out + "\r\n";
}

// Message `i`: a complaint from one of 1,000 customers, or (every fourth from the 2,000th) a
// reply to the message 2,000 before it, threaded by In-Reply-To (far enough back to be filed
// whatever the number of writes in flight). About 20 KiB: a 5.7 KiB Vietnamese text part
// and a 10 KiB PDF-like attachment (13.7 KiB in base64), unique per message.
std::string Message(int i) {
  const bool reply = i % 4 == 3 && i >= kReplyDistance;
  const int customer = i % 1000;
  std::string text;
  while (text.size() < 5850) {
    text +=
        "Kính gửi bộ phận chăm sóc khách hàng, tôi bị trừ 50.000 đồng không rõ lý do "
        "vào ngày 01/03/2026. Đề nghị kiểm tra và hoàn tiền. Mã khách hàng " +
        std::to_string(customer) + ".\r\n";
  }
  std::string attachment = "%PDF-1.4 receipt " + std::to_string(i) + "\n";
  std::uint32_t x = 2463534242u + static_cast<std::uint32_t>(i);
  while (attachment.size() < 10240) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    attachment += static_cast<char>(x & 0xff);
  }
  std::string m =
      "From: =?UTF-8?B?Tmd1eeG7hW4gVsSDbiBBbg==?= <customer" + std::to_string(customer) +
      "@example.vn>\r\nTo: support@desk.example\r\n"
      "Subject: =?UTF-8?B?S2hp4bq/dSBu4bqhaSBjxrDhu5tjIHBow60=?= " +
      std::to_string(i) + "\r\nDate: Sun, 01 Mar 2026 08:30:00 +0700\r\nMessage-ID: <bench-" +
      std::to_string(i) + "@example.vn>\r\n";
  if (reply) {
    m += "In-Reply-To: <bench-" + std::to_string(i - kReplyDistance) + "@example.vn>\r\n";
  }
  m +=
      "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
      "--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
      text +
      "\r\n--b1\r\nContent-Type: application/pdf; name=\"receipt.pdf\"\r\n"
      "Content-Disposition: attachment; filename=\"receipt.pdf\"\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\n" +
      Base64Lines(attachment) + "--b1--\r\n";
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ombud e-mail ingest benchmark"};
  int total = 20000;
  int threads = 2;
  int in_flight = 32;
  std::string dir = "/tmp";
  app.add_option("--total", total, "messages");
  app.add_option("--threads", threads, "parsing threads");
  app.add_option("--in-flight", in_flight, "queued writes per thread");
  app.add_option("--dir", dir, "where the temporary database and attachments go");
  CLI11_PARSE(app, argc, argv);

  std::vector<std::string> messages;
  messages.reserve(static_cast<std::size_t>(total));
  std::size_t bytes = 0;
  for (int i = 0; i < total; ++i) {
    messages.push_back(Message(i));
    bytes += messages.back().size();
  }

  const std::string base = dir + "/ombud-mail-bench-" + std::to_string(::getpid());
  WallClock clock;
  auto store = ombud::store::sqlite::SqliteStore::Open({base + ".db", 2, 1024, &clock});
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().message.c_str());
    return 1;
  }
  ombud::store::AttachmentStore attachments(base + ".files");
  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  std::atomic<int> created{0};
  std::atomic<int> appended{0};
  std::mutex mu;
  std::condition_variable cv;
  int outstanding = 0;
  const int limit = in_flight * threads;
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = CpuSeconds();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i = next++; i < total; i = next++) {
        auto m = ombud::jobs::PrepareEmail(attachments, messages[static_cast<std::size_t>(i)]);
        if (!m) {
          failures.fetch_add(1);
          continue;
        }
        {
          std::unique_lock lock(mu);
          cv.wait(lock, [&] { return outstanding < limit; });
          ++outstanding;
        }
        auto outcome = std::make_shared<ombud::desk::IngestOutcome>();
        (*store)->Write(
            [m = std::move(*m), outcome](ombud::store::WriteTx& tx) -> ombud::Status {
              OMBUD_ASSIGN_OR_RETURN(*outcome, ombud::desk::IngestMessage(tx, m, nullptr));
              return {};
            },
            [&, outcome](ombud::Status s) {
              if (!s) failures.fetch_add(1);
              if (outcome->action == "created") created.fetch_add(1);
              if (outcome->action == "appended") appended.fetch_add(1);
              std::lock_guard lock(mu);
              --outstanding;
              cv.notify_all();
            });
      }
    });
  }
  for (auto& w : workers) w.join();
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return outstanding == 0; });
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu = CpuSeconds() - cpu_start;
  const auto stats = (*store)->Stats();
  std::printf(
      "messages=%d mean_size=%zu threads=%d failures=%d created=%d appended=%d seconds=%.3f "
      "messages_per_s=%.0f cpu_ms_per_message=%.3f mean_batch=%.1f\n",
      total, bytes / static_cast<std::size_t>(total), threads, failures.load(), created.load(),
      appended.load(), seconds, total / seconds, cpu * 1000 / total,
      static_cast<double>(stats.batched_writes) / static_cast<double>(stats.batches));
  store->reset();
  std::filesystem::remove(base + ".db");
  std::filesystem::remove(base + ".db-wal");
  std::filesystem::remove(base + ".db-shm");
  std::filesystem::remove_all(base + ".files");
  return failures.load() == 0 ? 0 : 1;
}
