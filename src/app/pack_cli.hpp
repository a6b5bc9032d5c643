#pragma once

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

#include "domain/pack/pack.hpp"

namespace ombud::app {

// Adds `pack check FILE` and `pack show FILE` to `app`. Callbacks print to stdout, errors to
// stderr, and set `exit_code` (0 ok, 2 invalid pack). Both must outlive app.parse().
void RegisterPackCommands(CLI::App& app, int& exit_code);

// `pack check`: "ok: ID (N departments, M complaint types, K templates)" on `out` and 0, or
// every diagnostic ("FILE:LINE: KEY: WHAT (RULE)") on `err` and 2.
int RunPackCheck(const std::string& path, std::ostream& out, std::ostream& err);
// `pack show`: the normalised summary of a valid pack on `out` (0), or as RunPackCheck (2).
int RunPackShow(const std::string& path, std::ostream& out, std::ostream& err);

// The normalised, stable summary `pack show` prints: every section, keys sorted where the
// pack's order carries no meaning, targets and calendars spelled out.
std::string PackSummary(const domain::Pack& pack);

}  // namespace ombud::app
