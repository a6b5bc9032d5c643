#pragma once

#include <boost/json.hpp>

#include <string>
#include <vector>

#include "channels/peer_process.hpp"

// tests/channels/data/http_sink.py run on 127.0.0.1 with a free port: records every request
// in `dir`/requests.jsonl and answers as the Send API (or "status-NNN" paths with NNN).
namespace ombud::channels::test {

class HttpSink {
 public:
  // True when python3 is installed.
  static bool Installed();
  // "" on success, else what went wrong.
  std::string Start(const std::string& dir);
  void Stop() { process_.Stop(); }
  // http://127.0.0.1:PORT
  std::string base_url() const;
  // The requests received so far: {"method","path","headers" (lower-case names),"body"}.
  std::vector<boost::json::object> Requests() const;

 private:
  PeerProcess process_;
  std::string dir_;
  int port_ = 0;
};

}  // namespace ombud::channels::test
