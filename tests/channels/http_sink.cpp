#include "channels/http_sink.hpp"

#include <sstream>

namespace ombud::channels::test {

namespace {

std::string Python() { return FindExecutable({"/usr/bin/python3"}); }

}  // namespace

bool HttpSink::Installed() { return !Python().empty(); }

std::string HttpSink::Start(const std::string& dir) {
  dir_ = dir;
  port_ = FreePort();
  return process_.Start(
      {Python(), std::string(OMBUD_SOURCE_DIR) + "/tests/channels/data/http_sink.py",
       std::to_string(port_), dir},
      dir + "/sink.log", port_);
}

std::string HttpSink::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::vector<boost::json::object> HttpSink::Requests() const {
  std::vector<boost::json::object> out;
  std::istringstream lines(ReadFile(dir_ + "/requests.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    out.push_back(boost::json::parse(line).as_object());
  }
  return out;
}

}  // namespace ombud::channels::test
