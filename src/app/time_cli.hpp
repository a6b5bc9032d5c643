#pragma once

#include <CLI/CLI.hpp>

namespace ombud::app {

// Adds `time add|sub|between|next-open` and `calendar holidays` to `app`. Their callbacks
// print results to stdout, errors to stderr, and set `exit_code` (0 ok, 2 bad input).
// `app` and `exit_code` must outlive app.parse().
void RegisterTimeCommands(CLI::App& app, int& exit_code);

}  // namespace ombud::app
