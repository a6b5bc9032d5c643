#include "domain/time/khmer_calendar.hpp"

#include <cstdint>
#include <cstdlib>
#include <vector>

namespace ombud::domain {
namespace {

using std::chrono::days;

// Era arithmetic on the Buddhist Era year (BE = AD + 544 from Visak Bochea on).
int64_t Aharkun(int64_t be) { return (be * 292207 + 499) / 800 + 4; }
int64_t Kromthupul(int64_t be) { return 800 - (be * 292207 + 499) % 800; }
int64_t Avoman(int64_t be) { return (Aharkun(be) * 11 + 25) % 692; }
int64_t Bodithey(int64_t be) {
  const int64_t a = Aharkun(be);
  return ((a * 11 + 25) / 692 + a + 29) % 30;
}

// Avoman decides a leap day (Jesth gets 30 days); 137 followed by 0 is an ordinary year.
bool LeapDayByAvoman(int64_t be) {
  const int64_t avoman = Avoman(be);
  if (avoman == 0 && Avoman(be - 1) == 137) return true;
  if (Kromthupul(be) <= 207) return avoman < 127;  // Khmer solar leap year.
  if (avoman == 137 && Avoman(be + 1) == 0) return false;
  return avoman < 138;
}

// Bodithey decides a leap month; of a 25/5 pair only the 5 leaps, of a 24/6 pair the 24.
bool LeapMonth(int64_t be) {
  const int64_t b = Bodithey(be);
  const int64_t next = Bodithey(be + 1);
  if (b == 25 && next == 5) return false;
  return (b == 24 && next == 6) || b >= 25 || b < 6;
}

enum class Leap { kNone, kDay, kMonth };

// A year cannot take both; a leap day that collides with a leap month moves to the next
// year that has no leap month.
Leap LeapOf(int64_t be) {
  if (LeapMonth(be)) return Leap::kMonth;
  if (LeapDayByAvoman(be)) return Leap::kDay;
  for (int64_t prev = be - 1; LeapMonth(prev); --prev) {
    if (LeapDayByAvoman(prev)) return Leap::kDay;
  }
  return Leap::kNone;
}

int YearOf(Date d) { return static_cast<int>(std::chrono::year_month_day{d}.year()); }

struct MonthSpan {
  Date start;
  KhmerMonth month;
  int length;
};

// Months from the epoch 1900-01-01 = 1 keit of Boss, BE 2443.
const std::vector<MonthSpan>& Months() {
  static const std::vector<MonthSpan> months = [] {
    std::vector<MonthSpan> out;
    Date start = Date{std::chrono::year{1900} / 1 / 1};
    KhmerMonth m = KhmerMonth::kBoss;
    const Date end = Date{std::chrono::year{2151} / 1 / 1};
    while (start < end) {
      // Jesth and Asadh follow Visak Bochea, so they belong to BE = AD + 544.
      const Leap leap = LeapOf(YearOf(start) + 544);
      int length = 0;
      KhmerMonth next = KhmerMonth::kMigasir;
      switch (m) {
        case KhmerMonth::kMigasir:
          length = 29;
          next = KhmerMonth::kBoss;
          break;
        case KhmerMonth::kBoss:
          length = 30;
          next = KhmerMonth::kMeak;
          break;
        case KhmerMonth::kMeak:
          length = 29;
          next = KhmerMonth::kPhalkun;
          break;
        case KhmerMonth::kPhalkun:
          length = 30;
          next = KhmerMonth::kChet;
          break;
        case KhmerMonth::kChet:
          length = 29;
          next = KhmerMonth::kPisak;
          break;
        case KhmerMonth::kPisak:
          length = 30;
          next = KhmerMonth::kJesth;
          break;
        case KhmerMonth::kJesth:
          length = leap == Leap::kDay ? 30 : 29;
          next = leap == Leap::kMonth ? KhmerMonth::kPathamasadh : KhmerMonth::kAsadh;
          break;
        case KhmerMonth::kAsadh:
          length = 30;
          next = KhmerMonth::kSrap;
          break;
        case KhmerMonth::kPathamasadh:
          length = 30;
          next = KhmerMonth::kTutiyasadh;
          break;
        case KhmerMonth::kTutiyasadh:
          length = 30;
          next = KhmerMonth::kSrap;
          break;
        case KhmerMonth::kSrap:
          length = 29;
          next = KhmerMonth::kPhatrabot;
          break;
        case KhmerMonth::kPhatrabot:
          length = 30;
          next = KhmerMonth::kAssoch;
          break;
        case KhmerMonth::kAssoch:
          length = 29;
          next = KhmerMonth::kKadeuk;
          break;
        case KhmerMonth::kKadeuk:
          length = 30;
          next = KhmerMonth::kMigasir;
          break;
      }
      out.push_back({start, m, length});
      start += days{length};
      m = next;
    }
    return out;
  }();
  return months;
}

// Soriyatra Lerng Sak quantities on the Chulasakaraj year (JS = AD - 638 after the new year).
struct JsInfo {
  int64_t harkun;
  int64_t kromathopol;
  int64_t avaman;
  int64_t bodithey;
};

JsInfo InfoJs(int64_t js) {
  const int64_t h = 292207 * js + 373;
  const int64_t harkun = h / 800 + 1;
  const int64_t a = 11 * harkun + 650;
  return {harkun, 800 - h % 800, a % 692, (harkun + a / 692) % 30};
}

bool Has366Days(int64_t js) { return InfoJs(js).kromathopol <= 207; }

bool Athikameas(int64_t js) {
  const JsInfo y = InfoJs(js);
  const JsInfo next = InfoJs(js + 1);
  if (y.bodithey == 25 && next.bodithey == 5) return false;
  return y.bodithey > 24 || y.bodithey < 6 || (y.bodithey == 24 && next.bodithey == 6);
}

bool Chantreathimeas(int64_t js) {
  const JsInfo y = InfoJs(js);
  const bool has366 = Has366Days(js);
  if (has366 && y.avaman < 127) return true;
  if (y.avaman == 137 && InfoJs(js + 1).avaman == 0) return false;
  return (!has366 && y.avaman < 138) || (InfoJs(js - 1).avaman == 137 && y.avaman == 0);
}

// Angsar (degrees within the sign) of the true sun at sotin day `sotin` of year `js`;
// 0 marks the day the sun enters Aries (Moha Sangkran).
int64_t SunAngsar(int64_t js, int64_t sotin) {
  const int64_t r2 = 800 * sotin + InfoJs(js - 1).kromathopol;
  const int64_t reasey = r2 / 24350;
  const int64_t r3 = r2 % 24350;
  const int64_t angsar = r3 / 811;
  const int64_t libda = (r3 % 811) / 14 - 3;
  const int64_t mean = 30 * 60 * reasey + 60 * angsar + libda;  // In libda.
  const int64_t s1 = 30 * 60 * 2 + 60 * 20;
  int64_t left = mean - s1;
  if (mean < s1) left += 30 * 60 * 12;
  const int64_t kaen = left / (30 * 60);
  int64_t rs = -1;
  if (kaen <= 2) {
    rs = kaen;
  } else if (kaen <= 5) {
    rs = 30 * 60 * 6 - left;
  } else if (kaen <= 8) {
    rs = left - 30 * 60 * 6;
  } else if (kaen <= 11) {
    rs = 30 * 60 * 11 + 60 * 29 + 60 - left;
  }
  const int64_t last_reasey = rs / (30 * 60);
  const int64_t last_angsar = (rs % (30 * 60)) / 60;
  const int64_t last_libda = rs % 60;
  int64_t khan, pouichalip;
  if (last_angsar >= 15) {
    khan = 2 * last_reasey + 1;
    pouichalip = 60 * (last_angsar - 15) + last_libda;
  } else {
    khan = 2 * last_reasey;
    pouichalip = 60 * last_angsar + last_libda;
  }
  static constexpr int64_t kMultiplicity[] = {35, 32, 27, 22, 13, 5};
  static constexpr int64_t kChhaya[] = {0, 35, 67, 94, 116, 129};
  int64_t q = 0;
  int64_t chhaya = 134;
  if (khan >= 0 && khan <= 5) {
    q = pouichalip * kMultiplicity[khan] / 900;
    chhaya = kChhaya[khan];
  }
  const int64_t phol = q + chhaya;  // Reasey 0; angsar and libda folded into libda.
  const int64_t inauguration = kaen <= 5 ? mean - phol : mean + phol;
  return (inauguration % (30 * 60)) / 60;
}

}  // namespace

std::optional<Date> KhmerLunarDay(int year, KhmerMonth month, int day) {
  if (day < 1 || day > 30) return std::nullopt;
  const Date jan1 = Date{std::chrono::year{year} / 1 / 1};
  const Date next_jan1 = Date{std::chrono::year{year + 1} / 1 / 1};
  for (const MonthSpan& span : Months()) {
    if (span.month != month) continue;
    const Date middle = span.start + days{14};
    if (middle >= jan1 && middle < next_jan1) {
      if (day > span.length) return std::nullopt;
      return span.start + days{day - 1};
    }
  }
  return std::nullopt;
}

std::optional<KhmerNewYear> KhmerNewYearOf(int year) {
  if (year < 1901 || year > 2150) return std::nullopt;
  const int64_t js = year + 544 - 1182;
  int64_t bodithey = InfoJs(js).bodithey;
  if (Athikameas(js - 1) && Chantreathimeas(js - 1)) bodithey = (bodithey + 1) % 30;
  // Leung Sak falls on this lunar day (1-based) of Chet, or of Pisak for small bodithey.
  const KhmerMonth month = bodithey >= 6 ? KhmerMonth::kChet : KhmerMonth::kPisak;
  const int lunar_day = static_cast<int>(bodithey >= 6 ? bodithey : bodithey + 1);
  // Two Vanabat days when the sun's angsar is already 0 on the first candidate sotin.
  const int64_t first_sotin = Has366Days(js - 1) ? 363 : 362;
  const int vanabat = SunAngsar(js, first_sotin) == 0 ? 2 : 1;
  // Leung Sak lies in mid-April: take the occurrence of that lunar day nearest April 16.
  const Date target = Date{std::chrono::year{year} / 4 / 16};
  std::optional<Date> best;
  for (const MonthSpan& span : Months()) {
    if (span.month != month || lunar_day > span.length) continue;
    const Date d = span.start + days{lunar_day - 1};
    if (!best || std::abs((d - target).count()) < std::abs((*best - target).count())) best = d;
  }
  if (!best) return std::nullopt;
  return KhmerNewYear{*best - days{vanabat + 1}, vanabat + 2};
}

}  // namespace ombud::domain
