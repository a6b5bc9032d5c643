#pragma once

#include <string>
#include <string_view>
#include <vector>

// SMS encoding and concatenation arithmetic (3GPP TS 23.038 / 23.040). Pure, thread-safe.
namespace ombud::channels::sms {

enum class SmsCoding { kGsm7, kUcs2 };

struct SmsPlan {
  SmsCoding coding = SmsCoding::kGsm7;
  int units = 0;                      // Septets (GSM-7, escapes count 2) or UTF-16 code units.
  std::vector<std::string> segments;  // UTF-8 text of each part; one part when it fits.
  int parts() const { return static_cast<int>(segments.size()); }
};

// Limits per part: a single message holds 160 septets / 70 UTF-16 units; a part of a
// concatenated message loses 6 octets to the UDH: 153 / 67.
inline constexpr int kGsmSingle = 160;
inline constexpr int kGsmPart = 153;
inline constexpr int kUcs2Single = 70;
inline constexpr int kUcs2Part = 67;

// GSM-7 when every character is in the GSM 03.38 default alphabet or its extension table
// (^{}\[~]|€ and form feed, two septets each), else UCS-2 (Khmer, Vietnamese, emoji: a
// character outside the BMP takes two units). Parts never split an escape or a surrogate
// pair. Invalid UTF-8 becomes U+FFFD (and so UCS-2). Empty text gives one empty part.
SmsPlan SplitSms(std::string_view utf8);

// Septets for `cp` in GSM-7: 1, 2 (extension table) or 0 when it has none.
int GsmSeptets(char32_t cp);

}  // namespace ombud::channels::sms
