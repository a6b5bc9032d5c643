// ombud_loadgen: a closed-loop HTTP/1.1 load generator. N keep-alive connections each send one
// request, wait for the answer and send the next, for a fixed duration; it reports requests/s,
// latency percentiles and errors. Only for 127.0.0.1 benchmarks of `ombud serve`.

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
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

// What one worker's connections saw; merged after the run, so no locking while it runs.
struct Stats {
  std::vector<std::uint32_t> latencies_us;
  std::map<int, std::uint64_t> statuses;
  std::uint64_t transport_errors = 0;
  std::uint64_t unfinished = 0;  // Connections whose last request was unanswered at the timeout.
};

struct Shared {
  tcp::endpoint endpoint;
  SteadyClock::time_point measure_from;
  SteadyClock::time_point end;
  std::atomic<std::uint64_t> counter{0};
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

// Where one answer ends in `in`: its status, whether the connection stays open, and how many
// bytes it took. `complete` is false while more bytes are needed; `error` names what could not
// be parsed. Only what a closed-loop client needs: the body itself is skipped.
struct Parsed {
  bool complete = false;
  std::string error;
  int status = 0;
  bool keep_alive = true;
  std::size_t length = 0;
};

bool HeaderIs(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
  }
  return true;
}

std::string_view HeaderValue(std::string_view line) {
  line.remove_prefix(line.find(':') + 1);
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  return line;
}

bool ContainsNoCase(std::string_view text, std::string_view word) {
  const auto lower = [](unsigned char c) { return std::tolower(c); };
  return std::search(text.begin(), text.end(), word.begin(), word.end(), [&](char a, char b) {
           return lower(static_cast<unsigned char>(a)) == lower(static_cast<unsigned char>(b));
         }) != text.end();
}

// The length of a chunked body starting at `at`, or nullopt while incomplete.
std::optional<std::size_t> ChunkedEnd(std::string_view in, std::size_t at, std::string& error) {
  for (;;) {
    const auto eol = in.find("\r\n", at);
    if (eol == std::string_view::npos) return std::nullopt;
    std::size_t size = 0;
    const auto digits = in.substr(at, eol - at);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), size, 16);
    if (ec != std::errc() || end == digits.data()) {
      error = "bad chunk size";
      return std::nullopt;
    }
    at = eol + 2;
    if (size == 0) {
      // Trailer lines, then an empty line.
      for (;;) {
        const auto line_end = in.find("\r\n", at);
        if (line_end == std::string_view::npos) return std::nullopt;
        const bool empty = line_end == at;
        at = line_end + 2;
        if (empty) return at;
      }
    }
    if (in.size() < at + size + 2) return std::nullopt;
    at += size + 2;
  }
}

Parsed ParseAnswer(std::string_view in) {
  Parsed p;
  const auto head_end = in.find("\r\n\r\n");
  if (head_end == std::string_view::npos) return p;
  const auto head = in.substr(0, head_end);
  if (head.size() < 12 || head.substr(0, 7) != "HTTP/1.") {
    p.error = "not an HTTP/1 status line";
    return p;
  }
  p.keep_alive = head[7] != '0';
  const auto [end, ec] = std::from_chars(head.data() + 9, head.data() + 12, p.status);
  if (ec != std::errc() || end != head.data() + 12) {
    p.error = "bad status code";
    return p;
  }
  std::optional<std::size_t> content_length;
  bool chunked = false;
  for (std::size_t at = head.find("\r\n"); at != std::string_view::npos && at < head.size();) {
    at += 2;
    const auto next = head.find("\r\n", at);
    const auto line =
        head.substr(at, next == std::string_view::npos ? head.size() - at : next - at);
    if (HeaderIs(line, "content-length")) {
      const auto value = HeaderValue(line);
      std::size_t n = 0;
      const auto [e, err] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (err != std::errc() || e != value.data() + value.size()) {
        p.error = "bad Content-Length";
        return p;
      }
      content_length = n;
    } else if (HeaderIs(line, "connection")) {
      const auto value = HeaderValue(line);
      if (ContainsNoCase(value, "close")) p.keep_alive = false;
      if (ContainsNoCase(value, "keep-alive")) p.keep_alive = true;
    } else if (HeaderIs(line, "transfer-encoding")) {
      chunked = ContainsNoCase(HeaderValue(line), "chunked");
    }
    at = next;
  }
  const std::size_t body_at = head_end + 4;
  if (chunked) {
    const auto total = ChunkedEnd(in, body_at, p.error);
    if (!total) return p;
    p.length = *total;
  } else {
    // Without a length only 1xx, 204 and 304 have no body here (this client sends no HEAD).
    const bool bodyless = p.status < 200 || p.status == 204 || p.status == 304;
    if (!content_length && !bodyless) {
      p.error = "answer without Content-Length (read-until-close is not supported)";
      return p;
    }
    p.length = body_at + content_length.value_or(0);
    if (in.size() < p.length) return p;
  }
  p.complete = true;
  return p;
}

// One keep-alive connection of a worker: the request being sent and the bytes received.
struct Connection {
  int fd = -1;
  std::string out;
  std::size_t sent = 0;
  std::vector<char> in;  // Received bytes: the first `used` of it.
  std::size_t used = 0;
  SteadyClock::time_point start;
  bool watching_out = false;  // EPOLLOUT is armed: the request did not fit in one send.
  bool done = false;
};

// A worker: its share of the connections on one epoll set, each sending a request, waiting for
// the answer and sending the next until the end of the run. Plain non-blocking sockets and a
// hand-written answer parser: the generator shares the cores with the server it measures, so
// every microsecond it spends per request is taken from the server (Asio with Beast's parser
// cost ~15 us per request here).
class Worker {
 public:
  Worker(const Config& config, Shared& shared, std::size_t connections)
      : config_(config),
        shared_(shared),
        host_(config.host + ":" + std::to_string(config.port)),
        connections_(connections) {}

  Stats Run() {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) {
      std::perror("epoll_create1");
      stats_.transport_errors += connections_.size();
      return std::move(stats_);
    }
    for (auto& c : connections_) Start(c);
    std::vector<epoll_event> events(connections_.size() + 1);
    const auto deadline = shared_.end + kRequestTimeout;
    while (running_ > 0) {
      const auto now = SteadyClock::now();
      if (now > deadline) break;  // A request hung: the rest count as transport errors.
      const int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 100);
      if (n < 0 && errno != EINTR) {
        std::perror("epoll_wait");
        break;
      }
      for (int i = 0; i < n; ++i) {
        auto& c = connections_[events[i].data.u64];
        if (events[i].events & EPOLLOUT) Send(c);
        if (c.fd >= 0 && (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) Receive(c);
      }
      RetryClosed();
    }
    for (auto& c : connections_) {
      if (c.fd >= 0) ::close(c.fd);
      stats_.unfinished += c.done ? 0 : 1;
    }
    ::close(epoll_);
    return std::move(stats_);
  }

 private:
  // Connects (again) and sends the next request; a failed connect is retried after 10 ms.
  void Start(Connection& c) {
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const auto& ep = shared_.endpoint;
    if (c.fd < 0 || ::connect(c.fd, ep.data(), static_cast<socklen_t>(ep.size())) != 0) {
      ++stats_.transport_errors;
      if (c.fd >= 0) ::close(c.fd);
      c.fd = -1;
      retry_at_ = SteadyClock::now() + std::chrono::milliseconds(10);
      return;
    }
    const int one = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::fcntl(c.fd, F_SETFL, ::fcntl(c.fd, F_GETFL) | O_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = static_cast<std::uint64_t>(&c - connections_.data());
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &ev);
    c.used = 0;
    c.watching_out = false;
    Next(c);
  }

  void Next(Connection& c) {
    const std::uint64_t n = shared_.counter.fetch_add(1, std::memory_order_relaxed);
    AppendRequest(c.out, config_, host_, n);
    c.sent = 0;
    c.start = SteadyClock::now();
    Send(c);
  }

  void Send(Connection& c) {
    while (c.sent < c.out.size()) {
      const auto w = ::send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
      if (w < 0 && errno == EAGAIN) {
        Watch(c, EPOLLIN | EPOLLOUT);
        return;
      }
      if (w < 0) {
        Fail(c);
        return;
      }
      c.sent += static_cast<std::size_t>(w);
    }
    if (c.watching_out) Watch(c, EPOLLIN);
  }

  void Watch(Connection& c, std::uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = static_cast<std::uint64_t>(&c - connections_.data());
    ::epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
    c.watching_out = (events & EPOLLOUT) != 0;
  }

  void Receive(Connection& c) {
    // The buffer keeps its size between answers, so it is zeroed only when it grows.
    if (c.in.size() - c.used < kReadBuffer) c.in.resize(c.used + kReadBuffer);
    const auto r = ::recv(c.fd, c.in.data() + c.used, c.in.size() - c.used, 0);
    if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (r <= 0) {
      Fail(c);
      return;
    }
    c.used += static_cast<std::size_t>(r);
    const Parsed answer = ParseAnswer(std::string_view(c.in.data(), c.used));
    if (!answer.error.empty()) {
      if (!parse_error_reported_) std::cerr << "unreadable answer: " << answer.error << "\n";
      parse_error_reported_ = true;
      Fail(c);
      return;
    }
    if (!answer.complete) return;
    const auto finish = SteadyClock::now();
    if (c.start >= shared_.measure_from && finish <= shared_.end) {
      stats_.latencies_us.push_back(static_cast<std::uint32_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(finish - c.start).count()));
      ++stats_.statuses[answer.status];
    }
    std::memmove(c.in.data(), c.in.data() + answer.length, c.used - answer.length);
    c.used -= answer.length;
    if (finish >= shared_.end) {
      Close(c);
      c.done = true;
      --running_;
      return;
    }
    if (!answer.keep_alive) {
      Close(c);
      Start(c);
      return;
    }
    Next(c);
  }

  void Close(Connection& c) {
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
    ::close(c.fd);
    c.fd = -1;
  }

  // A transport error: the connection is opened again for the next request, before the end.
  void Fail(Connection& c) {
    ++stats_.transport_errors;
    Close(c);
    if (SteadyClock::now() >= shared_.end) {
      c.done = true;
      --running_;
    }
  }

  void RetryClosed() {
    const auto now = SteadyClock::now();
    if (now < retry_at_) return;
    for (auto& c : connections_) {
      if (c.fd >= 0 || c.done) continue;
      if (now >= shared_.end) {
        c.done = true;  // Closed with nothing in flight.
        --running_;
      } else {
        Start(c);
      }
    }
  }

  const Config& config_;
  Shared& shared_;
  const std::string host_;
  std::vector<Connection> connections_;
  Stats stats_;
  int epoll_ = -1;
  std::size_t running_ = connections_.size();
  SteadyClock::time_point retry_at_;
  bool parse_error_reported_ = false;
};

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

  // Connections are dealt to the workers in turn; each worker runs on its own thread.
  const auto workers = static_cast<std::size_t>(std::min(config.threads, config.connections));
  std::vector<Stats> stats(workers);
  std::vector<std::thread> threads;
  for (std::size_t w = 0; w < workers; ++w) {
    const std::size_t share = static_cast<std::size_t>(config.connections) / workers +
                              (w < static_cast<std::size_t>(config.connections) % workers ? 1 : 0);
    threads.emplace_back(
        [&config, &shared, &stats, w, share] { stats[w] = Worker(config, shared, share).Run(); });
  }
  for (auto& thread : threads) thread.join();

  std::vector<std::uint32_t> latencies;
  std::map<int, std::uint64_t> statuses;
  std::uint64_t transport_errors = 0;
  for (const auto& per_worker : stats) {
    latencies.insert(latencies.end(), per_worker.latencies_us.begin(),
                     per_worker.latencies_us.end());
    for (const auto& [status, count] : per_worker.statuses) statuses[status] += count;
    transport_errors += per_worker.transport_errors + per_worker.unfinished;
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
