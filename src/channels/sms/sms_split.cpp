#include "channels/sms/sms_split.hpp"

#include <algorithm>
#include <array>

#include "channels/text.hpp"

namespace ombud::channels::sms {

namespace {

// The GSM 03.38 default alphabet in code order; ESC (0x1B) holds a sentinel no text matches.
constexpr std::array<char32_t, 128> kGsmBasic = {
    U'@', U'£', U'$', U'¥', U'è', U'é', U'ù', U'ì', U'ò', U'Ç',  U'\n', U'Ø', U'ø',   U'\r', U'Å',
    U'å', U'Δ', U'_', U'Φ', U'Γ', U'Λ', U'Ω', U'Π', U'Ψ', U'Σ',  U'Θ',  U'Ξ', 0xFFFF, U'Æ',  U'æ',
    U'ß', U'É', U' ', U'!', U'"', U'#', U'¤', U'%', U'&', U'\'', U'(',  U')', U'*',   U'+',  U',',
    U'-', U'.', U'/', U'0', U'1', U'2', U'3', U'4', U'5', U'6',  U'7',  U'8', U'9',   U':',  U';',
    U'<', U'=', U'>', U'?', U'¡', U'A', U'B', U'C', U'D', U'E',  U'F',  U'G', U'H',   U'I',  U'J',
    U'K', U'L', U'M', U'N', U'O', U'P', U'Q', U'R', U'S', U'T',  U'U',  U'V', U'W',   U'X',  U'Y',
    U'Z', U'Ä', U'Ö', U'Ñ', U'Ü', U'§', U'¿', U'a', U'b', U'c',  U'd',  U'e', U'f',   U'g',  U'h',
    U'i', U'j', U'k', U'l', U'm', U'n', U'o', U'p', U'q', U'r',  U's',  U't', U'u',   U'v',  U'w',
    U'x', U'y', U'z', U'ä', U'ö', U'ñ', U'ü', U'à',
};

constexpr std::array<char32_t, 10> kGsmExtension = {U'^', U'{', U'}', U'\\', U'[',
                                                    U'~', U']', U'|', U'€',  U'\f'};

}  // namespace

int GsmSeptets(char32_t cp) {
  if (std::find(kGsmBasic.begin(), kGsmBasic.end(), cp) != kGsmBasic.end()) return 1;
  if (std::find(kGsmExtension.begin(), kGsmExtension.end(), cp) != kGsmExtension.end()) return 2;
  return 0;
}

SmsPlan SplitSms(std::string_view utf8) {
  struct Char {
    std::size_t begin;
    std::size_t end;
    char32_t cp;
  };
  std::vector<Char> chars;
  std::string valid = MakeValidUtf8(utf8);
  std::size_t pos = 0;
  bool gsm = true;
  while (pos < valid.size()) {
    const std::size_t begin = pos;
    const char32_t cp = NextCodePoint(valid, &pos);
    chars.push_back({begin, pos, cp});
    if (GsmSeptets(cp) == 0) gsm = false;
  }
  SmsPlan plan;
  plan.coding = gsm ? SmsCoding::kGsm7 : SmsCoding::kUcs2;
  const auto units_of = [&](char32_t cp) { return gsm ? GsmSeptets(cp) : (cp > 0xFFFF ? 2 : 1); };
  for (const auto& c : chars) plan.units += units_of(c.cp);
  const int single = gsm ? kGsmSingle : kUcs2Single;
  const int part = gsm ? kGsmPart : kUcs2Part;
  if (plan.units <= single) {
    plan.segments.push_back(valid);
    return plan;
  }
  std::size_t seg_begin = 0;
  int seg_units = 0;
  for (const auto& c : chars) {
    const int u = units_of(c.cp);
    if (seg_units + u > part) {
      plan.segments.push_back(valid.substr(seg_begin, c.begin - seg_begin));
      seg_begin = c.begin;
      seg_units = 0;
    }
    seg_units += u;
  }
  plan.segments.push_back(valid.substr(seg_begin));
  return plan;
}

}  // namespace ombud::channels::sms
