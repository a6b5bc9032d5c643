#pragma once

#include <initializer_list>
#include <string_view>
#include <utility>

namespace ombud::app {

// Writes one JSON object per line to stderr: {"ts":…,"level":…,"msg":…, fields…}.
// Thread-safe (one write(2) per line).
void Log(std::string_view level, std::string_view message,
         std::initializer_list<std::pair<std::string_view, std::string_view>> fields = {});

}  // namespace ombud::app
