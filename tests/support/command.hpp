#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace ombud::test {

struct CommandResult {
  int wait_status = -1;  // As from waitpid; -1 when the command could not be started.
  std::string output;    // stdout and stderr, interleaved.

  bool exited_ok() const;
  int exit_code() const;  // -1 unless the command exited normally.
};

// Runs argv[0] (a path) with `argv` and waits for it, up to `timeout` (then SIGKILL).
CommandResult RunCommand(const std::vector<std::string>& argv,
                         std::chrono::seconds timeout = std::chrono::seconds(120));

}  // namespace ombud::test
