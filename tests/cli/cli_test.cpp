// End-to-end tests of the command line: the binary is run as a user would run it.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "planner/plan/plan.hpp"

namespace weldcell {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

struct CommandRun {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

CommandRun Weldcell(const std::string& args) {
  const std::string command = std::string(WELDCELL_BINARY) + " " + args + " 2>&1";
  CommandRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) run.out.append(buffer, n);
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

fs::path TempDir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("weldcell_cli_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(CliTest, HelpForTheToolAndEveryCommand) {
  const CommandRun help = Weldcell("--help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* command : {"check", "reach", "plan", "verify"}) {
    EXPECT_THAT(help.out, HasSubstr(command));
    const CommandRun sub = Weldcell(std::string(command) + " --help");
    EXPECT_EQ(sub.exit_code, 0) << command;
    EXPECT_THAT(sub.out, HasSubstr("cell")) << command;
  }
}

TEST(CliTest, UsageErrorsExitWithTwo) {
  EXPECT_EQ(Weldcell("").exit_code, 2);
  EXPECT_EQ(Weldcell("frobnicate").exit_code, 2);
  EXPECT_EQ(Weldcell("check").exit_code, 2);
}

TEST(CliTest, CheckSummarisesTheDemoStation) {
  const CommandRun r = Weldcell("check cells/demo/cell.yaml");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("2 robot(s)"));
  EXPECT_THAT(r.out, HasSubstr("20 weld(s)"));
  EXPECT_THAT(r.out, HasSubstr("clamp_1"));
}

TEST(CliTest, CheckOfAMalformedCellNamesFileAndLineAndExitsWithTwo) {
  const fs::path dir = TempDir("bad");
  const fs::path cell = dir / "cell.yaml";
  std::ofstream(cell) << "format: weldcell/1\n"
                         "name: bad\n"
                         "cycle_time: fast\n"
                         "robots: []\n"
                         "welds: []\n"
                         "colour: red\n";
  const CommandRun r = Weldcell("check " + cell.string());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr(cell.string() + ":3:"));
  EXPECT_THAT(r.out, HasSubstr(cell.string() + ":6:"));
  EXPECT_THAT(r.out, HasSubstr("cycle_time"));
  EXPECT_THAT(r.out, HasSubstr("colour"));
}

TEST(CliTest, ReachWritesTheCsvAndReportsEveryRobot) {
  const fs::path dir = TempDir("reach");
  const CommandRun r = Weldcell("reach cells/demo/cell.yaml --csv " + (dir / "reach.csv").string());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("R1: reaches"));
  EXPECT_THAT(r.out, HasSubstr("R2: reaches"));
  std::ifstream in(dir / "reach.csv");
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header, "weld,robot,status,candidates,best_clearance_m,detail");
  int rows = 0;
  for (std::string line; std::getline(in, line);) ++rows;
  EXPECT_EQ(rows, 40);  // 20 welds × 2 robots
}

TEST(CliTest, PlanThenVerifyTheDemoStation) {
  const fs::path dir = TempDir("plan");
  const CommandRun plan = Weldcell("plan cells/demo/cell.yaml -o " + dir.string());
  EXPECT_EQ(plan.exit_code, 0) << plan.out;
  EXPECT_THAT(plan.out, HasSubstr("verification: 0 violation(s)"));
  ASSERT_TRUE(fs::exists(dir / "plan.json"));
  const CommandRun verify = Weldcell("verify cells/demo/cell.yaml " + (dir / "plan.json").string());
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
  EXPECT_THAT(verify.out, HasSubstr("0 violation(s)"));

  // A plan whose motion was tampered with fails verification with exit 1.
  std::ifstream in(dir / "plan.json");
  std::stringstream text;
  text << in.rdbuf();
  plan::Plan p = plan::PlanFromJson(text.str(), "plan.json");
  for (plan::Segment& s : p.robots[0].segments) {
    for (double& t : s.times) t *= 0.25;
  }
  std::ofstream(dir / "fast.json") << plan::ToJson(p);
  const CommandRun fast = Weldcell("verify cells/demo/cell.yaml " + (dir / "fast.json").string());
  EXPECT_EQ(fast.exit_code, 1) << fast.out;
  EXPECT_THAT(fast.out, ContainsRegex("R1 +joint velocity"));
}

TEST(CliTest, VerifyOfAMalformedPlanExitsWithTwo) {
  const fs::path dir = TempDir("badplan");
  std::ofstream(dir / "plan.json") << "{\"format\": \"weldcell-plan/1\",\n \"seed\": oops}";
  const CommandRun r = Weldcell("verify cells/demo/cell.yaml " + (dir / "plan.json").string());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr((dir / "plan.json").string() + ":2:"));
}

TEST(CliTest, PlanIsTheSameForOneAndTwoJobs) {
  const fs::path a = TempDir("jobs1"), b = TempDir("jobs2");
  ASSERT_EQ(Weldcell("plan cells/demo/cell.yaml -q -j 1 -o " + a.string()).exit_code, 0);
  ASSERT_EQ(Weldcell("plan cells/demo/cell.yaml -q -j 2 -o " + b.string()).exit_code, 0);
  std::ifstream fa(a / "plan.json"), fb(b / "plan.json");
  std::stringstream sa, sb;
  sa << fa.rdbuf();
  sb << fb.rdbuf();
  EXPECT_EQ(sa.str(), sb.str());
}

}  // namespace
}  // namespace weldcell
