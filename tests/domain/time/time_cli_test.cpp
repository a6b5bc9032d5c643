// Runs the `ombud` binary (OMBUD_BINARY) for the working-time subcommands.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

struct CliRun {
  int code;
  std::string out;
};

CliRun Ombud(const std::string& args) {
  const char* bin = std::getenv("OMBUD_BINARY");
  std::string cmd = std::string(bin ? bin : "ombud") + " " + args + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 512> buf;
  while (pipe && fgets(buf.data(), buf.size(), pipe)) out += buf.data();
  int status = pipe ? pclose(pipe) : -1;
  return {WEXITSTATUS(status), out};
}

std::string WriteFile(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / ("ombud_time_cli_" + name);
  std::ofstream(path) << text;
  return path.string();
}

const char* kOffice = R"(timezone: Asia/Ho_Chi_Minh
weekly:
  mon: ["08:00-12:00", "13:30-16:30"]
  tue: ["08:00-12:00", "13:30-16:30"]
  wed: ["08:00-12:00", "13:30-16:30"]
  thu: ["08:00-12:00", "13:30-16:30"]
  fri: ["08:00-12:00", "13:30-16:30"]
country_holidays: VN
breaks_on: {"2026-03-02": ["10:00-11:30"]}
)";

TEST(TimeCli, AddsWorkingDaysAcrossTet) {  // R-MET-7 shape, R-VIE-2
  std::string cal = WriteFile("office.yaml", kOffice);
  CliRun r = Ombud("time add --calendar " + cal + " --from 2026-02-13T08:00:00Z --working-days 10");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(r.out, "2026-03-06T09:30:00Z\n");
  r = Ombud("time add --calendar " + cal + " --from 2026-02-13T08:00:00Z --working-days 3");
  EXPECT_EQ(r.out, "2026-02-25T09:30:00Z\n");
}

TEST(TimeCli, AddSubBetweenNextOpenAndPauses) {
  std::string cal = WriteFile("office2.yaml", kOffice);
  EXPECT_EQ(Ombud("time add --calendar " + cal + " --from 2026-03-03T04:00:00Z --minutes 90").out,
            "2026-03-03T07:00:00Z\n");
  EXPECT_EQ(Ombud("time add --calendar " + cal +
                  " --from 2026-03-03T04:00:00Z --minutes 90"
                  " --pause 2026-03-03T04:30:00Z..2026-03-03T05:00:00Z")
                .out,
            "2026-03-03T07:30:00Z\n");
  EXPECT_EQ(Ombud("time sub --calendar " + cal + " --from 2026-03-03T07:00:00Z --minutes 90").out,
            "2026-03-03T04:00:00Z\n");
  EXPECT_EQ(
      Ombud("time between --calendar " + cal + " 2026-03-02T00:00:00Z 2026-03-03T00:00:00Z").out,
      "19800\n");
  EXPECT_EQ(Ombud("time next-open --calendar " + cal + " 2026-02-14T00:00:00Z").out,
            "2026-02-23T01:00:00Z\n");
}

TEST(TimeCli, PrintsHolidays) {
  CliRun r = Ombud("calendar holidays --country KH --year 2024");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("2024-04-13 Khmer New Year (Moha Sangkran)\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2024-05-22 Visak Bochea Day\n"), std::string::npos);
  EXPECT_EQ(Ombud("calendar holidays --country XX --year 2024").code, 2);
}

TEST(TimeCli, BadCalendarNamesFileLineAndKey) {
  std::string cal =
      WriteFile("bad.yaml", "timezone: Asia/Ho_Chi_Minh\nweekly:\n  mon: [\"08:00-1200\"]\n");
  CliRun r = Ombud("time add --calendar " + cal + " --from 2026-02-13T08:00:00Z --seconds 5");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find(cal + ":3: weekly:"), std::string::npos) << r.out;
  std::string zone = WriteFile("zone.yaml", "timezone: Mars/Base\n");
  r = Ombud("time next-open --calendar " + zone + " 2026-02-13T08:00:00Z");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find(zone + ":1: timezone:"), std::string::npos) << r.out;
}

}  // namespace
