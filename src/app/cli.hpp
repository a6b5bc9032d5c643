#pragma once

namespace ombud::app {

// Parses the command line and runs the chosen subcommand; returns the process exit code
// (0 ok, 1 failure, 2 bad usage).
int RunCli(int argc, char** argv);

}  // namespace ombud::app
