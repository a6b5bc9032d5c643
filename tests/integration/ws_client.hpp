#pragma once

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <string>
#include <string_view>

#include "integration/server_test.hpp"

namespace ombud::test {

// A blocking WebSocket client with a deadline on every read.
class WsClient {
 public:
  // Connects and upgrades `target`; on a refused upgrade `status` holds the HTTP answer.
  bool Connect(int port, const std::string& target, const Headers& headers = {}) {
    boost::beast::error_code ec;
    boost::beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(10));
    boost::beast::get_lowest_layer(ws_).connect(
        boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                       static_cast<unsigned short>(port)),
        ec);
    if (ec) return false;
    ws_.set_option(boost::beast::websocket::stream_base::decorator(
        [headers](boost::beast::websocket::request_type& req) {
          for (const auto& [k, v] : headers) req.set(k, v);
        }));
    boost::beast::websocket::response_type res;
    ws_.handshake(res, "127.0.0.1", target, ec);
    status = static_cast<int>(res.result_int());
    boost::beast::get_lowest_layer(ws_).expires_never();
    return !ec;
  }

  void Send(const boost::json::value& frame) {
    ws_.write(boost::asio::buffer(boost::json::serialize(frame)));
  }

  // The next frame as JSON, or null after `timeout` (the socket is then closed: the stream's
  // timeout applies to asynchronous operations only, hence async_read + run).
  boost::json::value Next(std::chrono::seconds timeout = std::chrono::seconds(15)) {
    boost::beast::flat_buffer buffer;
    boost::beast::error_code ec;
    boost::beast::get_lowest_layer(ws_).expires_after(timeout);
    ws_.async_read(buffer, [&ec](boost::beast::error_code e, std::size_t) { ec = e; });
    ioc_.restart();
    ioc_.run();
    boost::beast::get_lowest_layer(ws_).expires_never();
    if (ec) return nullptr;
    return boost::json::parse(boost::beast::buffers_to_string(buffer.data()), ec);
  }

  // The next frame of `type`, skipping others; null when none comes in time.
  boost::json::value NextOfType(std::string_view type) {
    for (int i = 0; i < 20; ++i) {
      boost::json::value v = Next();
      if (v.is_null()) return v;
      if (StrAt(v, "type") == type) return v;
    }
    return nullptr;
  }

  void Close() {
    boost::beast::error_code ec;
    ws_.close(boost::beast::websocket::close_code::normal, ec);
  }

  int status = 0;

 private:
  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_{ioc_};
};

}  // namespace ombud::test
