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
using ::testing::Not;
namespace fs = std::filesystem;

struct CommandRun {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

/// Runs the binary; `env` (e.g. "ROS_PACKAGE_PATH=x") is set for it alone. Without `env`,
/// ROS_PACKAGE_PATH is cleared so that the user's own setting cannot change the results.
CommandRun Weldcell(const std::string& args, const std::string& env = "ROS_PACKAGE_PATH=") {
  const std::string command =
      "env " + env + " " + std::string(WELDCELL_BINARY) + " " + args + " 2>&1";
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

TEST(CliTest, HelpTextsAreCompleteAndPromiseOnlyWhatIsDone) {
  const CommandRun help = Weldcell("--help");
  EXPECT_THAT(help.out, Not(HasSubstr("robot programs")));  // not written (yet)
  EXPECT_THAT(help.out, HasSubstr("verifies"));
  EXPECT_THAT(help.out, HasSubstr("--package-path"));
  // `plan --help` used to end mid-sentence ("... or the cycle time").
  const CommandRun plan = Weldcell("plan --help");
  EXPECT_THAT(plan.out, HasSubstr("the plan exceeds the cycle time"));
}

TEST(CliTest, CheckCountsTheGunsDefaultWeldTime) {
  // W1 and W3 give no weld_time: they take the gun's 0.5 s; W2 gives 0.9 s. It printed 0.9.
  const CommandRun r = Weldcell("check tests/planner/cell/good/cell.yaml");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("3 weld(s), 1.9 s of weld time in total"));

  // Guns with different defaults (0.5 s and 0.6 s): the total depends on the allocation.
  const fs::path dir = TempDir("weld_time");
  const fs::path good = fs::absolute("tests/planner/cell/good");
  std::ofstream(dir / "cell.yaml")
      << "format: weldcell/1\nname: guns\ncycle_time: 10\nrobots:\n"
      << "  - {name: R1, model: " << (good / "tiny_robot.yaml").string()
      << ", tool: " << (good / "gun.yaml").string() << "}\n"
      << "  - {name: R2, model: " << (good / "tiny_robot.yaml").string()
      << ", tool: " << (good / "gun_missing_visual.yaml").string() << "}\n"
      << "welds:\n  - {id: W1, p: [1, 0, 1], n: [0, 0, 1]}\n"
      << "  - {id: W2, p: [1, 0, 1], n: [0, 0, 1], weld_time: 1}\n";
  const CommandRun range = Weldcell("check " + (dir / "cell.yaml").string());
  ASSERT_EQ(range.exit_code, 0) << range.out;
  EXPECT_THAT(range.out, HasSubstr("2 weld(s), 1.5 to 1.6 s of weld time in total"));
}

TEST(CliTest, PackagePathFromTheCommandLineOrTheEnvironment) {
  const std::string cell = "tests/planner/cell/package_path/station/cell.yaml";
  const std::string store = "tests/planner/cell/package_path/store";
  const CommandRun missing = Weldcell("check " + cell);
  EXPECT_EQ(missing.exit_code, 2) << missing.out;
  EXPECT_THAT(missing.out, HasSubstr("mesh file not found: package://arm_meshes/meshes/base.stl"));
  EXPECT_THAT(missing.out, HasSubstr("package_paths"));
  EXPECT_THAT(missing.out, HasSubstr("--package-path DIR"));
  EXPECT_THAT(missing.out, HasSubstr("ROS_PACKAGE_PATH"));

  const CommandRun option = Weldcell("check " + cell + " --package-path " + store);
  EXPECT_EQ(option.exit_code, 0) << option.out;
  const CommandRun before =
      Weldcell("--package-path /nowhere --package-path " + store + " check " + cell);
  EXPECT_EQ(before.exit_code, 0) << before.out;
  // The environment: a colon-separated list, empty entries ignored.
  const CommandRun env = Weldcell("check " + cell, "ROS_PACKAGE_PATH=/nowhere::" + store);
  EXPECT_EQ(env.exit_code, 0) << env.out;
}

TEST(CliTest, CheckRejectsChainsThePlannerCannotHandle) {
  const fs::path dir = TempDir("dof");
  const fs::path good = fs::absolute("tests/planner/cell/good");
  const fs::path bad = fs::absolute("tests/planner/cell/bad");
  for (const char* robot : {"r05_too_many_joints.yaml", "r06_no_movable_joint.yaml"}) {
    std::ofstream(dir / "cell.yaml")
        << "format: weldcell/1\nname: dof\ncycle_time: 10\n"
        << "robots:\n  - {name: S, model: " << (bad / robot).string()
        << ", tool: " << (good / "gun.yaml").string() << "}\nwelds: []\n";
    const CommandRun r = Weldcell("check " + (dir / "cell.yaml").string());
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_THAT(r.out, ContainsRegex("chain\\.tip: the chain base_link -> tool0 has (17|no) "
                                     "movable joint"))
        << r.out;
  }
}

TEST(CliTest, CheckSaysWhichMeshesAreSolid) {
  const fs::path dir = TempDir("solid");
  const fs::path good = fs::absolute("tests/planner/cell/good");
  const fs::path solids = fs::absolute("tests/planner/cell/solids");
  std::ofstream(dir / "cell.yaml")
      << "format: weldcell/1\nname: solid\nunits: {length: mm, angle: deg}\ncycle_time: 10\n"
      << "robots:\n  - {name: R1, model: " << (good / "tiny_robot.yaml").string()
      << ", tool: " << (good / "gun.yaml").string() << "}\nwelds: []\nobstacles:\n"
      << "  - {name: pedestal, mesh: " << (solids / "pedestal.stl").string()
      << ", pose: {xyz: [3000, 0, 0]}}\n"
      << "  - {name: shell, mesh: " << (solids / "open_box.stl").string()
      << ", pose: {xyz: [-3000, 0, 0]}}\n";
  const CommandRun r = Weldcell("check " + (dir / "cell.yaml").string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, ContainsRegex("pedestal .*closed mesh \\(solid for containment checks\\)"));
  EXPECT_THAT(r.out, ContainsRegex("shell .*open surface"));
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
