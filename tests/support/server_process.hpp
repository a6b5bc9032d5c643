#pragma once

#include <sys/types.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace ombud::test {

struct ServerOptions {
  // The binary; empty means $OMBUD_BINARY.
  std::string binary;
  // The database file; empty means `ombud.db` in the server's own temporary directory.
  std::string db_path;
  // Passed as --admin-password; empty: none (the server then prints a random one).
  std::string admin_password = "admin-password-0123";
  // Appended after the standard `serve` arguments, e.g. {"--read-timeout", "2"}.
  std::vector<std::string> extra_args;
  std::chrono::seconds start_timeout{30};
};

// One `ombud serve` child process on 127.0.0.1 with port 0, started with fork/exec. Its stdout
// is read through a pipe (by a background thread once the server listens) and its stderr goes
// to a log file in the temporary directory. Restart() reuses the same database. The destructor
// stops a running server. Methods are called from one thread.
class ServerProcess {
 public:
  explicit ServerProcess(ServerOptions options = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts the server and waits for `listening on http://HOST:PORT`.
  ::testing::AssertionResult Start();
  // SIGKILL, then reaps the process.
  void Kill();
  // SIGTERM and waits for the exit (SIGKILL after 30 s). Returns the wait status.
  int Stop();
  // Stop() if running, then Start() on the same database.
  ::testing::AssertionResult Restart();

  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  const std::string& host() const { return host_; }
  const std::string& db_path() const { return db_path_; }
  const std::string& admin_password() const { return options_.admin_password; }
  const TempDir& dir() const { return dir_; }
  const std::string& binary() const { return binary_; }
  // Everything the server has written to stdout so far (all runs).
  std::string Stdout() const;
  // The tail (up to `max_bytes`) of the stderr log of the current or last run.
  std::string StderrTail(std::size_t max_bytes = 4000) const;

 private:
  void JoinReader();
  int Reap(std::chrono::seconds timeout);

  ServerOptions options_;
  TempDir dir_;
  std::string binary_;
  std::string db_path_;
  std::string stderr_path_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int port_ = 0;
  std::string host_;
  int runs_ = 0;

  mutable std::mutex output_mu_;
  std::string output_;  // Guarded by output_mu_.
  std::thread reader_;
};

// "exit code N" or "signal N" for a waitpid status.
std::string DescribeWaitStatus(int status);

}  // namespace ombud::test
