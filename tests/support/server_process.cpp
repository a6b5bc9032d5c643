#include "support/server_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

namespace ombud::test {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kListeningPrefix = "listening on http://";

int MillisUntil(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// Parses "HOST:PORT" after the prefix of a `listening on` line.
bool ParseListening(std::string_view line, std::string* host, int* port) {
  const auto at = line.find(kListeningPrefix);
  if (at == std::string_view::npos) return false;
  std::string_view rest = line.substr(at + kListeningPrefix.size());
  while (!rest.empty() && (rest.back() == '\r' || rest.back() == '/' || rest.back() == ' ')) {
    rest.remove_suffix(1);
  }
  const auto colon = rest.rfind(':');
  if (colon == std::string_view::npos) return false;
  const std::string port_text(rest.substr(colon + 1));
  char* end = nullptr;
  const long value = std::strtol(port_text.c_str(), &end, 10);
  if (port_text.empty() || *end != '\0' || value <= 0 || value > 65535) return false;
  *host = std::string(rest.substr(0, colon));
  *port = static_cast<int>(value);
  return true;
}

}  // namespace

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

ServerProcess::ServerProcess(ServerOptions options) : options_(std::move(options)) {
  binary_ = options_.binary;
  if (binary_.empty()) {
    const char* env = std::getenv("OMBUD_BINARY");
    binary_ = env != nullptr ? env : "";
  }
  db_path_ = options_.db_path.empty() ? dir_.File("ombud.db") : options_.db_path;
}

ServerProcess::~ServerProcess() {
  if (running()) Stop();
  JoinReader();
}

::testing::AssertionResult ServerProcess::Start() {
  if (running()) return ::testing::AssertionFailure() << "server already running";
  if (binary_.empty()) {
    return ::testing::AssertionFailure() << "OMBUD_BINARY is not set";
  }
  JoinReader();
  ++runs_;
  stderr_path_ = dir_.File("server." + std::to_string(runs_) + ".log");

  std::vector<std::string> args = {binary_, "serve", "--db", db_path_, "--listen", "127.0.0.1:0"};
  if (!options_.admin_password.empty()) {
    args.insert(args.end(), {"--admin-password", options_.admin_password});
  }
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return ::testing::AssertionFailure() << "pipe2: " << std::strerror(errno);
  }
  const int err_fd = ::open(stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (err_fd < 0 || null_fd < 0) {
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    if (err_fd >= 0) ::close(err_fd);
    if (null_fd >= 0) ::close(null_fd);
    return ::testing::AssertionFailure() << "cannot open " << stderr_path_ << " or /dev/null";
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec. Die with the test process.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  ::close(err_fd);
  ::close(null_fd);
  if (pid < 0) {
    ::close(pipe_fds[0]);
    return ::testing::AssertionFailure() << "fork: " << std::strerror(errno);
  }
  pid_ = pid;
  stdout_fd_ = pipe_fds[0];

  // Read stdout line by line until the server says it listens.
  const auto deadline = Clock::now() + options_.start_timeout;
  std::string pending;
  std::string failure;
  bool listening = false;
  while (!listening) {
    pollfd pfd{stdout_fd_, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, MillisUntil(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      failure =
          "no `listening on` line within " + std::to_string(options_.start_timeout.count()) + " s";
      break;
    }
    char buffer[4096];
    const ssize_t n = ::read(stdout_fd_, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      failure = "stdout closed before `listening on`";
      break;
    }
    pending.append(buffer, static_cast<std::size_t>(n));
    std::size_t eol;
    while ((eol = pending.find('\n')) != std::string::npos) {
      std::string line = pending.substr(0, eol);
      pending.erase(0, eol + 1);
      {
        std::lock_guard lock(output_mu_);
        output_ += line;
        output_ += '\n';
      }
      if (ParseListening(line, &host_, &port_)) {
        listening = true;
        break;
      }
    }
  }
  {
    std::lock_guard lock(output_mu_);
    output_ += pending;
  }
  if (!listening) {
    Kill();
    return ::testing::AssertionFailure() << failure << "\nstdout:\n"
                                         << Stdout() << "\nstderr:\n"
                                         << StderrTail();
  }
  reader_ = std::thread([this] {
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::read(stdout_fd_, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      std::lock_guard lock(output_mu_);
      output_.append(buffer, static_cast<std::size_t>(n));
    }
  });
  return ::testing::AssertionSuccess();
}

void ServerProcess::Kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  JoinReader();
}

int ServerProcess::Stop() {
  if (!running()) return 0;
  ::kill(pid_, SIGTERM);
  const int status = Reap(std::chrono::seconds(30));
  JoinReader();
  return status;
}

::testing::AssertionResult ServerProcess::Restart() {
  if (running()) Stop();
  return Start();
}

int ServerProcess::Reap(std::chrono::seconds timeout) {
  // Wait on a pidfd so the timeout needs no polling loop; SIGKILL when it expires.
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  if (pidfd >= 0) {
    pollfd pfd{pidfd, POLLIN, 0};
    int ready;
    do {
      ready = ::poll(&pfd, 1, static_cast<int>(timeout.count() * 1000));
    } while (ready < 0 && errno == EINTR);
    ::close(pidfd);
    if (ready == 0) ::kill(pid_, SIGKILL);
  }
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  return status;
}

void ServerProcess::JoinReader() {
  if (reader_.joinable()) reader_.join();
  if (stdout_fd_ >= 0) {
    ::close(stdout_fd_);
    stdout_fd_ = -1;
  }
}

std::string ServerProcess::Stdout() const {
  std::lock_guard lock(output_mu_);
  return output_;
}

std::string ServerProcess::StderrTail(std::size_t max_bytes) const {
  std::ifstream in(stderr_path_, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::string all = text.str();
  if (all.size() > max_bytes) all.erase(0, all.size() - max_bytes);
  return all;
}

}  // namespace ombud::test
