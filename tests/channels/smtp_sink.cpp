#include "channels/smtp_sink.hpp"

#include <cstdlib>
#include <filesystem>

namespace ombud::channels::test {

namespace {

constexpr const char* kPython = "/usr/bin/python3";

}  // namespace

std::string SmtpSink::Missing() {
  if (FindExecutable({kPython}).empty() ||
      std::system((std::string(kPython) + " -c 'import aiosmtpd' 2>/dev/null").c_str()) != 0) {
    return "python3-aiosmtpd is not installed";
  }
  return "";
}

SmtpSink::SmtpSink(std::string dir) : dir_(std::move(dir)), port_(FreePort()) {}

std::string SmtpSink::Start(const std::string& cert_file, const std::string& key_file) {
  std::vector<std::string> argv = {
      kPython, std::string(OMBUD_SOURCE_DIR) + "/tests/channels/data/smtp_sink.py",
      std::to_string(port_), dir_};
  if (!cert_file.empty()) {
    argv.push_back(cert_file);
    argv.push_back(key_file);
  }
  return process_.Start(argv, dir_ + "/sink.log", port_);
}

std::vector<std::string> SmtpSink::Received() const {
  std::vector<std::string> out;
  for (int n = 1;; ++n) {
    const std::string path = dir_ + "/" + std::to_string(n) + ".eml";
    if (!std::filesystem::exists(path)) return out;
    out.push_back(ReadFile(path));
  }
}

}  // namespace ombud::channels::test
