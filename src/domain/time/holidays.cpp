#include "domain/time/holidays.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <set>

#include "domain/time/khmer_calendar.hpp"
#include "domain/time/lunar_calendar.hpp"

namespace ombud::domain {
namespace {

using std::chrono::days;
using std::chrono::year;

Date Ymd(int y, unsigned m, unsigned d) {
  return Date{year{y} / std::chrono::month{m} / std::chrono::day{d}};
}

// A statutory day with the group a government decision may replace as a whole.
struct Rule {
  Date date;
  std::string name;
  std::string group;
  bool substitute = false;
};

// A government decision that replaces the days of one holiday group in one year.
struct Decision {
  int year;
  std::string_view group;
  std::vector<Date> days_off;
  std::vector<std::pair<Date, int>> working_days;  // Make-up day, weekday whose hours it works.
  std::string_view source;
};

bool IsWeekend(Date d) { return IsoWeekdayIndex(d) >= 5; }
bool IsSunday(Date d) { return IsoWeekdayIndex(d) == 6; }

// Adds a substitute day after each statutory day that falls on a rest day: the next day
// that is neither a rest day nor already off, in date order.
void AddSubstitutes(std::vector<Rule>& rules, bool (*is_rest)(Date),
                    const std::function<bool(Date)>& applies) {
  std::sort(rules.begin(), rules.end(),
            [](const Rule& a, const Rule& b) { return a.date < b.date; });
  std::set<Date> taken;
  for (const Rule& r : rules) taken.insert(r.date);
  std::vector<Rule> added;
  for (const Rule& r : rules) {
    if (!is_rest(r.date) || !applies(r.date)) continue;
    Date next = r.date + days{1};
    while (is_rest(next) || taken.contains(next)) next += days{1};
    taken.insert(next);
    added.push_back({next, r.name + " (substitute day)", r.group, true});
  }
  rules.insert(rules.end(), added.begin(), added.end());
}

// Vietnam. Statutory days off:
//   Labour Code 1994 (35-L/CTN) art. 73 as amended by Law 35/2002/QH10: 1/1, Tết 4 days,
//     30/4, 1/5, 2/9; by Law 84/2007/QH11: + Hùng Kings' day 10/3 lunar (from 2007).
//   Labour Code 2012 (10/2012/QH13) art. 115, in force 2013-05-01: Tết 5 days (from Tết 2014;
//     Tết 2013 fell before it took effect).
//   Labour Code 2019 (45/2019/QH14) art. 112, in force 2021-01-01: 2/9 plus one adjacent day.
// Which Tết days: the Prime Minister fixes them yearly (art. 112(4)); by rule we take the last
// day of the lunar year and lunar days 1..3 (4-day era) or 1..4 (5-day era). The adjacent
// National Day day: the one that bridges to the weekend (Mon -> Tue, Thu -> Fri), else the
// day before, as in the decisions of 2021-2025.
// Substitutes: a holiday on a weekly rest day moves to the next working day (1994 art. 73,
// 2012 art. 115(3), 2019 art. 112(3)), counted against the Monday-Friday week of public
// bodies (Decision 188/1999/QĐ-TTg, Decree 145/2020/NĐ-CP).
std::vector<Rule> VietnamRules(int y) {
  std::vector<Rule> rules;
  rules.push_back({Ymd(y, 1, 1), "Tết Dương lịch (New Year's Day)", "new_year"});
  const Date tet = LunarNewYear(y, kVietnamLunarZone);
  const int tet_days = y >= 2014 ? 4 : 3;
  rules.push_back({tet - days{1}, "Tết Nguyên Đán (last day of the lunar year)", "tet"});
  for (int i = 0; i < tet_days; ++i) {
    rules.push_back({tet + days{i}, fmt::format("Tết Nguyên Đán (day {})", i + 1), "tet"});
  }
  if (y >= 2007) {
    rules.push_back({*LunarToSolar(LunarDate{10, 3, y, false}, kVietnamLunarZone),
                     "Giỗ Tổ Hùng Vương (Hùng Kings' Commemoration Day)", "hung_kings"});
  }
  rules.push_back({Ymd(y, 4, 30), "Ngày Chiến thắng (Reunification Day)", "april30_may1"});
  rules.push_back({Ymd(y, 5, 1), "Quốc tế Lao động (International Labour Day)", "april30_may1"});
  const Date national = Ymd(y, 9, 2);
  rules.push_back({national, "Quốc khánh (National Day)", "national_day"});
  if (y >= 2021) {
    const int wd = IsoWeekdayIndex(national);
    const Date adjacent = (wd == 0 || wd == 3) ? national + days{1} : national - days{1};
    rules.push_back({adjacent, "Quốc khánh (National Day, adjacent day)", "national_day"});
  }
  AddSubstitutes(rules, &IsWeekend, [](Date) { return true; });
  return rules;
}

// Government decisions on days off for employees (public bodies; the Ministry of Labour,
// Invalids and Social Affairs announces the same days for enterprises), where they differ
// from the rule above. Later decisions are added here as data.
const std::vector<Decision>& VietnamDecisions() {
  static const std::vector<Decision> decisions = {
      {2023,
       "tet",
       {Ymd(2023, 1, 20), Ymd(2023, 1, 21), Ymd(2023, 1, 22), Ymd(2023, 1, 23), Ymd(2023, 1, 24),
        Ymd(2023, 1, 25), Ymd(2023, 1, 26)},
       {},
       "Tết Quý Mão 2023: off 2023-01-20..26, notice of the Ministry of Labour (MOLISA)"},
      {2024,
       "tet",
       {Ymd(2024, 2, 8), Ymd(2024, 2, 9), Ymd(2024, 2, 10), Ymd(2024, 2, 11), Ymd(2024, 2, 12),
        Ymd(2024, 2, 13), Ymd(2024, 2, 14)},
       {},
       "Tết Giáp Thìn 2024: off 2024-02-08..14, Prime Minister's approval (2023), MOLISA notice"},
      {2024,
       "april30_may1",
       {Ymd(2024, 4, 29), Ymd(2024, 4, 30), Ymd(2024, 5, 1)},
       {{Ymd(2024, 5, 4), 0}},
       "30/4-1/5/2024: Monday 29/4 swapped with Saturday 4/5, MOLISA notice"},
      {2025,
       "tet",
       {Ymd(2025, 1, 27), Ymd(2025, 1, 28), Ymd(2025, 1, 29), Ymd(2025, 1, 30), Ymd(2025, 1, 31)},
       {},
       "Tết Ất Tỵ 2025: off 2025-01-25..02-02 (weekdays 27..31/1), Official Letter of the "
       "Government Office (2024)"},
      {2025,
       "april30_may1",
       {Ymd(2025, 4, 30), Ymd(2025, 5, 1), Ymd(2025, 5, 2)},
       {{Ymd(2025, 4, 26), 4}},
       "30/4-1/5/2025: Friday 2/5 swapped with Saturday 26/4, Ministry of Home Affairs notice"},
  };
  return decisions;
}

// Cambodia. Statutory days: the yearly Sub-decree on public holidays (and the matching
// Prakas of the Ministry of Labour and Vocational Training for enterprises), whose list is
// stable in shape:
//   - until 2019 (28 days, e.g. Sub-decree 223 ANKr.BK of 2016 for 2017): also Meak Bochea,
//     Children's Day 1/6, Paris Peace Agreements Day 23/10, Human Rights Day 10/12, and the
//     King's birthday over three days;
//   - from 2020 (Sub-decree of 2019 reducing public holidays to 22 days): those four removed,
//     the King's birthday one day (14/5);
//   - Peace Day 29/12 from 2024.
// Reign changes: King Norodom Sihanouk's birthday 31/10 (30/10..1/11 while he reigned, until
// 2004; 31/10 as King Father until 2012); King Norodom Sihamoni crowned 29/10/2004 (birthday
// 14/5 from 2005); Commemoration of King Father Norodom Sihanouk 15/10 from 2013.
// Lunar days (Chhankitek, see khmer_calendar.hpp): Meak Bochea 15 keit Meak; Visak Bochea
// 15 keit Pisak; Royal Ploughing 4 roch Pisak; Pchum Ben 14-15 roch Phatrabot and 1 keit
// Assoch; Water Festival 14-15 keit and 1 roch Kadeuk; Khmer New Year from Moha Sangkran to
// Leung Sak (Soriyatra Lerng Sak rule).
// Substitutes: Labour Law 1997 art. 162 (old) gave the next day off for a holiday on a
// Sunday; the third amendment of 2021-10-05 removed it, so only earlier Sundays substitute.
std::vector<Rule> CambodiaRules(int y) {
  std::vector<Rule> rules;
  auto add = [&](Date d, std::string name, std::string group = "") {
    rules.push_back({d, std::move(name), group.empty() ? "fixed" : std::move(group)});
  };
  auto lunar = [&](KhmerMonth m, int day, std::string name, std::string group) {
    if (auto d = KhmerLunarDay(y, m, day)) add(*d, std::move(name), std::move(group));
  };
  const bool before_2020 = y < 2020;
  add(Ymd(y, 1, 1), "International New Year Day");
  add(Ymd(y, 1, 7), "Victory over Genocide Day");
  if (before_2020) lunar(KhmerMonth::kMeak, 15, "Meak Bochea Day", "meak_bochea");
  add(Ymd(y, 3, 8), "International Women's Day");
  if (auto ny = KhmerNewYearOf(y)) {
    for (int i = 0; i < ny->days; ++i) {
      std::string name = i == 0              ? "Khmer New Year (Moha Sangkran)"
                         : i == ny->days - 1 ? "Khmer New Year (Vearak Leung Sak)"
                                             : "Khmer New Year (Vearak Vanabat)";
      add(ny->first + days{i}, std::move(name), "khmer_new_year");
    }
  }
  add(Ymd(y, 5, 1), "International Labour Day");
  lunar(KhmerMonth::kPisak, 15, "Visak Bochea Day", "visak_bochea");
  lunar(KhmerMonth::kPisak, 19, "Royal Ploughing Ceremony", "royal_ploughing");
  if (y >= 2005) {
    if (before_2020) {
      for (unsigned d = 13; d <= 15; ++d) {
        add(Ymd(y, 5, d), "King Norodom Sihamoni's Birthday", "king_birthday");
      }
    } else {
      add(Ymd(y, 5, 14), "King Norodom Sihamoni's Birthday", "king_birthday");
    }
  }
  if (before_2020) add(Ymd(y, 6, 1), "International Children's Day");
  if (y >= 2005) add(Ymd(y, 6, 18), "Queen Mother Norodom Monineath Sihanouk's Birthday");
  add(Ymd(y, 9, 24), "Constitution Day");
  lunar(KhmerMonth::kPhatrabot, 29, "Pchum Ben", "pchum_ben");
  lunar(KhmerMonth::kPhatrabot, 30, "Pchum Ben", "pchum_ben");
  lunar(KhmerMonth::kAssoch, 1, "Pchum Ben", "pchum_ben");
  if (y >= 2013) add(Ymd(y, 10, 15), "Commemoration Day of King Father Norodom Sihanouk");
  if (before_2020) add(Ymd(y, 10, 23), "Paris Peace Agreements Day");
  if (y >= 2005) add(Ymd(y, 10, 29), "King Norodom Sihamoni's Coronation Day");
  if (y <= 2004) {
    for (unsigned d : {30u, 31u}) add(Ymd(y, 10, d), "King Norodom Sihanouk's Birthday");
    add(Ymd(y, 11, 1), "King Norodom Sihanouk's Birthday");
  } else if (y <= 2012) {
    add(Ymd(y, 10, 31), "King Father Norodom Sihanouk's Birthday");
  }
  add(Ymd(y, 11, 9), "Independence Day");
  lunar(KhmerMonth::kKadeuk, 14, "Water Festival (Bon Om Touk)", "water_festival");
  lunar(KhmerMonth::kKadeuk, 15, "Water Festival (Bon Om Touk)", "water_festival");
  lunar(KhmerMonth::kKadeuk, 16, "Water Festival (Bon Om Touk)", "water_festival");
  if (before_2020) add(Ymd(y, 12, 10), "International Human Rights Day");
  if (y >= 2024) add(Ymd(y, 12, 29), "Peace Day");
  // Two holidays can share a date (Visak Bochea on 14/5); keep one entry per date.
  std::sort(rules.begin(), rules.end(),
            [](const Rule& a, const Rule& b) { return a.date < b.date; });
  std::vector<Rule> unique;
  for (Rule& r : rules) {
    if (!unique.empty() && unique.back().date == r.date) {
      unique.back().name += " / " + r.name;
    } else {
      unique.push_back(std::move(r));
    }
  }
  const Date repeal = Ymd(2021, 10, 5);
  AddSubstitutes(unique, &IsSunday, [repeal](Date d) { return d < repeal; });
  return unique;
}

const std::vector<Decision>& CambodiaDecisions() {
  static const std::vector<Decision> decisions = {
      {2020,
       "khmer_new_year",
       {Ymd(2020, 8, 17), Ymd(2020, 8, 18), Ymd(2020, 8, 19), Ymd(2020, 8, 20), Ymd(2020, 8, 21)},
       {},
       "Khmer New Year 2020 postponed (COVID-19) to 17-21 August, Sub-decree of July 2020"},
  };
  return decisions;
}

}  // namespace

Result<Country> ParseCountry(std::string_view code) {
  std::string upper;
  for (char c : code)
    upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  if (upper == "VN") return Country::kVietnam;
  if (upper == "KH") return Country::kCambodia;
  return Fail(ErrorCode::kInvalidArgument,
              fmt::format("unknown country '{}' (built-in holidays exist for VN and KH)", code),
              "country");
}

std::string_view CountryCode(Country country) { return country == Country::kVietnam ? "VN" : "KH"; }

Result<HolidayYear> PublicHolidays(Country country, int y, bool with_decisions) {
  if (y < kFirstHolidayYear || y > kLastHolidayYear) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("built-in holidays cover {}..{}, not {}", kFirstHolidayYear,
                            kLastHolidayYear, y),
                "year");
  }
  std::vector<Rule> rules = country == Country::kVietnam ? VietnamRules(y) : CambodiaRules(y);
  HolidayYear out;
  std::map<Date, Holiday> days;
  std::set<std::string> replaced;
  if (with_decisions) {
    const auto& decisions = country == Country::kVietnam ? VietnamDecisions() : CambodiaDecisions();
    for (const Decision& d : decisions) {
      if (d.year != y) continue;
      replaced.insert(std::string(d.group));
      std::string label = d.group == "tet"            ? "Tết Nguyên Đán"
                          : d.group == "april30_may1" ? "Ngày Chiến thắng / Quốc tế Lao động"
                          : d.group == "khmer_new_year" ? "Khmer New Year"
                                                        : std::string(d.group);
      for (Date day : d.days_off) {
        days[day] = Holiday{day, label + " (government decision)", false, true};
      }
      for (const auto& [day, hours_of] : d.working_days) {
        out.working_days.push_back({day, hours_of, fmt::format("make-up working day ({})", label)});
      }
    }
  }
  for (Rule& r : rules) {
    if (replaced.contains(r.group) || days.contains(r.date)) continue;
    days[r.date] = Holiday{r.date, std::move(r.name), r.substitute, false};
  }
  for (auto& [date, holiday] : days) out.days_off.push_back(std::move(holiday));
  std::sort(out.working_days.begin(), out.working_days.end(),
            [](const MakeUpWorkingDay& a, const MakeUpWorkingDay& b) { return a.date < b.date; });
  return out;
}

}  // namespace ombud::domain
