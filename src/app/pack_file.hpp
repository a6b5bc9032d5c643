#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "domain/pack/pack.hpp"
#include "domain/result.hpp"

// Policy-pack files (YAML, docs/packs.md) -> domain::Pack. Strict: unknown keys, wrong types
// and every inconsistency domain::CheckPack finds are errors naming file, line, key and the
// rule they break. yaml-cpp exceptions never leave this module.
namespace ombud::app {

// One problem in a pack file. `rule` is a DOMAIN.md rule ID, "pack" (consistency) or
// "format" (the file's shape).
struct PackDiagnostic {
  std::string source;
  int line = 0;  // 1-based; 0 when unknown.
  std::string key;
  std::string what;
  std::string rule;

  // "FILE:LINE: KEY: WHAT (RULE)"
  std::string ToString() const;
};

// The outcome of reading a pack: the pack as far as it could be read, and every problem.
struct PackCheck {
  domain::Pack pack;
  std::vector<PackDiagnostic> errors;
  bool ok() const { return errors.empty(); }
};

// Reads and checks a pack file; I/O problems become diagnostics too. Never throws.
PackCheck CheckPackFile(const std::string& path);
// As above for YAML text; `source` names it in diagnostics.
PackCheck CheckPackYaml(std::string_view text, std::string_view source);

// The pack, or kInvalidArgument whose message lists every diagnostic, one a line.
[[nodiscard]] Result<domain::Pack> LoadPackFile(const std::string& path);
[[nodiscard]] Result<domain::Pack> ParsePackYaml(std::string_view text, std::string_view source);

}  // namespace ombud::app
