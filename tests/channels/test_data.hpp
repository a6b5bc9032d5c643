#pragma once

#include <fstream>
#include <sstream>
#include <string>

// Reads a sample from tests/channels/data (bytes as stored).
inline std::string ReadChannelData(const std::string& name) {
  std::ifstream in(std::string(OMBUD_SOURCE_DIR) + "/tests/channels/data/" + name,
                   std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}
