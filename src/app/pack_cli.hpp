#pragma once

#include <CLI/CLI.hpp>

namespace ombud::app {

// Adds `pack check FILE` and `pack show FILE` to `app`. Callbacks print to stdout, errors to
// stderr, and set `exit_code` (0 ok, 2 invalid pack). Both must outlive app.parse().
void RegisterPackCommands(CLI::App& app, int& exit_code);

}  // namespace ombud::app
