// libFuzzer target: Messenger webhook bodies and signature headers.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "channels/messenger/messenger.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  using namespace ombud::channels::messenger;
  (void)ParseWebhook(input);
  // The first line, if any, doubles as a signature header over the rest.
  const std::size_t nl = input.find('\n');
  if (nl != std::string_view::npos) {
    (void)VerifySignature("secret", input.substr(nl + 1), input.substr(0, nl));
  }
  (void)VerifySubscription("subscribe", input.substr(0, 16), input, "token");
  (void)BuildSendRequest(input.substr(0, 32), input);
  return 0;
}
