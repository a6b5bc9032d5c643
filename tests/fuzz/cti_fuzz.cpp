// libFuzzer target: CTI call events.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "channels/phone/cti.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto call = ombud::channels::phone::ParseCtiEvent(input);
  if (call && call->ended_at && *call->ended_at < call->started_at) __builtin_trap();
  return 0;
}
