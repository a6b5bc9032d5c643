// libFuzzer target: raw RFC 5322 messages through the GMime-based parser.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "channels/email/html_text.hpp"
#include "channels/email/mime_parser.hpp"
#include "channels/text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  using namespace ombud::channels;
  auto parsed = email::ParseEmail(input);
  if (parsed) {
    // Every string handed to the desk must be valid UTF-8.
    if (!IsValidUtf8(parsed->subject) || !IsValidUtf8(parsed->text) ||
        !IsValidUtf8(parsed->from.name) || !IsValidUtf8(parsed->message_id)) {
      __builtin_trap();
    }
    (void)email::ThreadKeys(*parsed);
  }
  bool lossy = false;
  (void)email::DecodeHeaderText(input.substr(0, 4096), &lossy);
  (void)email::HtmlToText(input);
  (void)email::ExtractTicketNumber(input.substr(0, 4096));
  return 0;
}
