// libFuzzer target: Kannel get-url and dlr-url callback query strings, and SMS splitting.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "channels/sms/kannel.hpp"
#include "channels/sms/sms_split.hpp"
#include "channels/text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  using namespace ombud::channels;
  if (auto params = DecodeQuery(input)) {
    if (auto sms = sms::ParseKannelCallback(*params); sms && !IsValidUtf8(sms->text)) {
      __builtin_trap();
    }
    (void)sms::ParseKannelDlr(*params);
  }
  const sms::SmsPlan plan = sms::SplitSms(input);
  const int limit = plan.coding == sms::SmsCoding::kGsm7 ? sms::kGsmSingle : sms::kUcs2Single;
  if (plan.parts() > 1 && plan.units <= limit) __builtin_trap();
  sms::KannelConfig config;
  (void)sms::KannelSendUrl(config, "+85512345678", input, "");
  return 0;
}
