// libFuzzer target: the API's strict JSON request-body reader.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/json_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  using ombud::api::JsonInput;
  auto parsed = JsonInput::Parse(input, {"name", "count", "flag", "owner_id", "nested", "text"});
  if (!parsed) return 0;
  (void)parsed->String("name", 1, 200);
  (void)parsed->OptString("text", 1000);
  (void)parsed->Int("count", -1000, 1000);
  (void)parsed->OptInt("count", 0, 10);
  (void)parsed->OptBool("flag");
  (void)parsed->OptNullableInt("owner_id", 1, 1LL << 40);
  if (const auto* nested = parsed->Raw("nested"); nested != nullptr && nested->is_object()) {
    auto inner = JsonInput::FromObject(nested->get_object(), "nested.", {"name"});
    if (inner) (void)inner->String("name", 0, 10);
  }
  return 0;
}
