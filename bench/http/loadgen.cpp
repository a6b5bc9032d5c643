// ombud_loadgen: a closed-loop HTTP/1.1 load generator. N keep-alive connections each send one
// request, wait for the answer and send the next, for a fixed duration; it reports requests/s,
// latency percentiles and errors. Only for 127.0.0.1 benchmarks of `ombud serve`.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

namespace ombud::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kRequestTimeout = std::chrono::seconds(30);
constexpr std::size_t kReadBuffer = 64 * 1024;

struct Config {
  std::string host = "127.0.0.1";
  int port = 0;
  int connections = 64;
  double duration_seconds = 10;
  double warmup_seconds = 1;
  int threads = 1;
  std::string method = "GET";
  std::string target = "/hello";
  std::string body;                // `{n}` is replaced by a number unique to the request.
  std::string idempotency_prefix;  // When set, every request gets `Idempotency-Key: PREFIX-n`.
  std::string token;
  std::string login;
  std::string password;
  std::string label;
};

// What one connection saw; merged after the run, so no locking while it runs.
struct Stats {
  std::vector<std::uint32_t> latencies_us;
  std::map<int, std::uint64_t> statuses;
  std::uint64_t transport_errors = 0;
  bool finished = false;  // False when the watchdog ended the run with a request unanswered.
};

struct Shared {
  tcp::endpoint endpoint;
  SteadyClock::time_point measure_from;
  SteadyClock::time_point end;
  std::atomic<std::uint64_t> counter{0};
  std::atomic<int> running{0};     // Connections still looping.
  std::function<void()> all_done;  // Called by the last connection to finish.
};

std::string Expand(const std::string& text, std::uint64_t n) {
  std::string out;
  const std::string number = std::to_string(n);
  std::size_t at = 0;
  for (;;) {
    const auto next = text.find("{n}", at);
    out.append(text, at, next == std::string::npos ? std::string::npos : next - at);
    if (next == std::string::npos) return out;
    out += number;
    at = next + 3;
  }
}

// The whole HTTP/1.1 request number `n` (headers and body) into `out`.
void AppendRequest(std::string& out, const Config& config, const std::string& host,
                   std::uint64_t n) {
  out.clear();
  out.append(config.method).append(" ").append(config.target).append(" HTTP/1.1\r\n");
  out.append("Host: ").append(host).append("\r\n");
  if (!config.token.empty())
    out.append("Authorization: Bearer ").append(config.token).append("\r\n");
  if (!config.idempotency_prefix.empty()) {
    out.append("Idempotency-Key: ").append(config.idempotency_prefix).append("-");
    out.append(std::to_string(n)).append("\r\n");
  }
  const bool has_body = !config.body.empty() || (config.method != "GET" && config.method != "HEAD");
  const std::string body = config.body.empty() ? std::string() : Expand(config.body, n);
  if (!config.body.empty()) out.append("Content-Type: application/json\r\n");
  if (has_body) out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  out.append("\r\n").append(body);
}

asio::awaitable<void> RunConnection(const Config& config, Shared& shared, Stats& stats) {
  const auto executor = co_await asio::this_coro::executor;
  // A plain socket: Beast's tcp_stream arms a timer for every read and write, a cost this
  // generator would take from the server it shares the cores with. Requests that hang are
  // caught by the run's watchdog instead (Run).
  tcp::socket socket(executor);
  beast::flat_buffer buffer;
  bool connected = false;
  const std::string host = config.host + ":" + std::to_string(config.port);
  std::string request_text;
  while (SteadyClock::now() < shared.end) {
    if (!connected) {
      auto [ec] = co_await socket.async_connect(shared.endpoint, kTuple);
      if (ec) {
        ++stats.transport_errors;
        beast::error_code ignored;
        socket.close(ignored);
        // Back off briefly so a dead server does not turn this loop into a spin.
        asio::steady_timer pause(executor, std::chrono::milliseconds(10));
        co_await pause.async_wait(kTuple);
        continue;
      }
      socket.set_option(tcp::no_delay(true));
      buffer.clear();
      // Room for a whole answer (a page of tickets is ~17 KB), so it is read in one call.
      buffer.reserve(kReadBuffer);
      connected = true;
    }
    const std::uint64_t n = shared.counter.fetch_add(1, std::memory_order_relaxed);
    // The request is written as text into one reused buffer and sent with one write: Beast's
    // serializer costs more CPU than the server's own parsing, on the cores the server uses.
    AppendRequest(request_text, config, host, n);

    const auto start = SteadyClock::now();
    auto [write_ec, written] =
        co_await asio::async_write(socket, asio::buffer(request_text), kTuple);
    http::response<http::string_body> response;
    beast::error_code read_ec;
    if (!write_ec) {
      auto [ec, read] = co_await http::async_read(socket, buffer, response, kTuple);
      read_ec = ec;
    }
    const auto finish = SteadyClock::now();
    if (write_ec || read_ec) {
      ++stats.transport_errors;
      beast::error_code ignored;
      socket.close(ignored);
      connected = false;
      continue;
    }
    if (start >= shared.measure_from && finish <= shared.end) {
      stats.latencies_us.push_back(static_cast<std::uint32_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(finish - start).count()));
      ++stats.statuses[response.result_int()];
    }
    if (!response.keep_alive()) {
      beast::error_code ignored;
      socket.close(ignored);
      connected = false;
    }
  }
  beast::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  stats.finished = true;
  if (shared.running.fetch_sub(1) == 1) shared.all_done();
}

// One blocking request on a fresh connection (setup only).
http::response<http::string_body> SyncRequest(
    const Config& config, http::verb verb, const std::string& target, const std::string& body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(
      tcp::endpoint(asio::ip::make_address(config.host), static_cast<unsigned short>(config.port)));
  http::request<http::string_body> request{verb, target, 11};
  request.set(http::field::host, config.host);
  request.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response);
  return response;
}

// Logs in and creates an API token; "" on failure (with a message on stderr).
std::string ObtainToken(const Config& config) {
  const auto login = SyncRequest(config, http::verb::post, "/api/v1/auth/login",
                                 boost::json::serialize(boost::json::object{
                                     {"login", config.login}, {"password", config.password}}),
                                 {});
  if (login.result_int() != 200) {
    std::cerr << "login failed: " << login.result_int() << " " << login.body() << "\n";
    return "";
  }
  std::string cookie(login[http::field::set_cookie]);
  cookie = cookie.substr(0, cookie.find(';'));
  const auto csrf = boost::json::parse(login.body()).at("csrf_token").as_string();
  const auto token =
      SyncRequest(config, http::verb::post, "/api/v1/auth/tokens", R"({"name":"loadgen"})",
                  {{"Cookie", cookie}, {"X-CSRF-Token", std::string(csrf)}});
  if (token.result_int() != 201) {
    std::cerr << "token failed: " << token.result_int() << " " << token.body() << "\n";
    return "";
  }
  return std::string(boost::json::parse(token.body()).at("token").as_string());
}

double Percentile(const std::vector<std::uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)] / 1000.0;
}

int Run(Config config) {
  if (!config.login.empty()) {
    config.token = ObtainToken(config);
    if (config.token.empty()) return 1;
  }
  Shared shared;
  shared.endpoint =
      tcp::endpoint(asio::ip::make_address(config.host), static_cast<unsigned short>(config.port));
  if (http::string_to_verb(config.method) == http::verb::unknown) {
    std::cerr << "unknown method " << config.method << "\n";
    return 2;
  }
  const auto started = SteadyClock::now();
  const auto to_duration = [](double seconds) {
    return std::chrono::duration_cast<SteadyClock::duration>(
        std::chrono::duration<double>(seconds));
  };
  shared.measure_from = started + to_duration(config.warmup_seconds);
  shared.end = shared.measure_from + to_duration(config.duration_seconds);

  asio::io_context io(config.threads);
  std::vector<Stats> stats(static_cast<std::size_t>(config.connections));
  // The watchdog: a request still unanswered kRequestTimeout after the end stops the run, and
  // counts as a transport error (RunConnection does without per-operation timers).
  asio::steady_timer watchdog(io, shared.end + kRequestTimeout);
  watchdog.async_wait([&io](beast::error_code ec) {
    if (!ec) io.stop();
  });
  shared.running = config.connections;
  shared.all_done = [&io, &watchdog] { asio::post(io, [&watchdog] { watchdog.cancel(); }); };
  for (auto& per_connection : stats) {
    asio::co_spawn(io, RunConnection(config, shared, per_connection), asio::detached);
  }
  std::vector<std::thread> threads;
  for (int i = 1; i < config.threads; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& thread : threads) thread.join();

  std::vector<std::uint32_t> latencies;
  std::map<int, std::uint64_t> statuses;
  std::uint64_t transport_errors = 0;
  for (const auto& per_connection : stats) {
    latencies.insert(latencies.end(), per_connection.latencies_us.begin(),
                     per_connection.latencies_us.end());
    for (const auto& [status, count] : per_connection.statuses) statuses[status] += count;
    transport_errors += per_connection.transport_errors + (per_connection.finished ? 0 : 1);
  }
  std::sort(latencies.begin(), latencies.end());
  std::uint64_t ok = 0;
  std::uint64_t http_errors = 0;
  for (const auto& [status, count] : statuses) {
    (status >= 200 && status < 300 ? ok : http_errors) += count;
  }
  const double rps = static_cast<double>(latencies.size()) / config.duration_seconds;

  std::printf("%s %s %s: %d connections, %.1f s (+%.1f s warm-up)\n", config.label.c_str(),
              config.method.c_str(), config.target.c_str(), config.connections,
              config.duration_seconds, config.warmup_seconds);
  std::printf("  requests/s %.0f   p50 %.2f ms   p99 %.2f ms   p99.9 %.2f ms   max %.2f ms\n", rps,
              Percentile(latencies, 0.50), Percentile(latencies, 0.99),
              Percentile(latencies, 0.999), latencies.empty() ? 0.0 : latencies.back() / 1000.0);
  std::printf("  statuses:");
  for (const auto& [status, count] : statuses) {
    std::printf(" %d=%llu", status, static_cast<unsigned long long>(count));
  }
  std::printf("   transport errors %llu\n", static_cast<unsigned long long>(transport_errors));
  std::printf(
      "RESULT label=%s rps=%.0f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f ok=%llu http_errors=%llu "
      "transport_errors=%llu\n",
      config.label.empty() ? "-" : config.label.c_str(), rps, Percentile(latencies, 0.50),
      Percentile(latencies, 0.99), Percentile(latencies, 0.999),
      static_cast<unsigned long long>(ok), static_cast<unsigned long long>(http_errors),
      static_cast<unsigned long long>(transport_errors));
  return ok > 0 ? 0 : 1;
}

}  // namespace
}  // namespace ombud::bench

int main(int argc, char** argv) {
  ombud::bench::Config config;
  CLI::App app{"ombud_loadgen: closed-loop HTTP/1.1 load against one host:port"};
  app.add_option("--host", config.host, "IPv4 address")->capture_default_str();
  app.add_option("--port", config.port, "Port")->required();
  app.add_option("-c,--connections", config.connections, "Keep-alive connections")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  app.add_option("-d,--duration", config.duration_seconds, "Measured seconds")
      ->capture_default_str();
  app.add_option("--warmup", config.warmup_seconds, "Unmeasured seconds first")
      ->capture_default_str();
  app.add_option("--threads", config.threads, "I/O threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  app.add_option("-m,--method", config.method, "HTTP method")->capture_default_str();
  app.add_option("-t,--target", config.target, "Request target")->capture_default_str();
  app.add_option("-b,--body", config.body, "JSON body; {n} becomes a per-request number");
  app.add_option("--idempotency-prefix", config.idempotency_prefix,
                 "Send Idempotency-Key: PREFIX-n (unique per request)");
  app.add_option("--token", config.token, "API token (Authorization: Bearer)");
  app.add_option("--login", config.login, "Log in and create a token first");
  app.add_option("--password", config.password, "Password for --login");
  app.add_option("--label", config.label, "Name printed with the results");
  CLI11_PARSE(app, argc, argv);
  return ombud::bench::Run(config);
}
