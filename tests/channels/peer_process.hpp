#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

// A real protocol peer (SMTP sink, Dovecot, Kannel) run as a child process by a test, on
// 127.0.0.1. Output goes to `log_path`. The destructor kills the process group and reaps it.
namespace ombud::channels::test {

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, then close).
int FreePort();

// The first of `candidates` that exists and is executable, or "".
std::string FindExecutable(const std::vector<std::string>& candidates);

class PeerProcess {
 public:
  PeerProcess() = default;
  ~PeerProcess();
  PeerProcess(const PeerProcess&) = delete;
  PeerProcess& operator=(const PeerProcess&) = delete;

  // Starts argv (argv[0] a path) and waits until 127.0.0.1:`port` accepts a connection
  // (port 0: a client, nothing to wait for).
  // Returns "" on success, else what went wrong (with the log's tail).
  std::string Start(const std::vector<std::string>& argv, const std::string& log_path, int port,
                    std::chrono::milliseconds timeout = std::chrono::milliseconds(15000));
  void Stop();
  std::string LogTail() const;

 private:
  pid_t pid_ = -1;
  std::string log_path_;
};

// True when 127.0.0.1:`port` accepts a TCP connection.
bool PortOpen(int port);

// Writes a self-signed certificate for 127.0.0.1 (P-256) to `dir`/cert.pem and `dir`/key.pem
// with the openssl tool. Returns "" on success, else what went wrong.
std::string MakeSelfSignedCert(const std::string& dir);

// Reads a whole file ("" when absent).
std::string ReadFile(const std::string& path);

}  // namespace ombud::channels::test
