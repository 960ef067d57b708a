// The command line on the demo station (cells/demo, the README's main command): `weldcell plan`
// then `weldcell verify`, and the same plan for one and two jobs. Each plans the demo twice
// (about 10 s in Release, minutes under the sanitizers): heavy, tests/cli/CMakeLists.txt.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "planner/plan/plan.hpp"
#include "tests/cli/json_output.hpp"
#include "tests/weldcell_command.hpp"

namespace weldcell {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;
using testing::CommandRun;
using testing::ReadText;
using testing::Weldcell;

// Runs the binary with its stdout alone captured (stderr goes to `stderr_file`): what a program
// reading `--json` output sees.
CommandRun WeldcellStdout(const std::string& args, const fs::path& stderr_file) {
  return Weldcell(args, "2>'" + stderr_file.string() + "'");
}

TEST(CliDemoTest, PlanThenVerifyTheDemoStation) {
  const fs::path dir = testing::FreshDirectory("cli_demo_plan");
  const CommandRun plan = Weldcell("plan cells/demo/cell.yaml -o " + dir.string());
  EXPECT_EQ(plan.exit_code, 0) << plan.out;
  EXPECT_THAT(plan.out, HasSubstr("verification: 0 violation(s)"));
  // The route-start round's plans (up to 40 on the demo): those kept named, the shortest of the
  // others given; --json lists every one, as many and as many kept as the summary counts.
  std::smatch counts;
  ASSERT_TRUE(std::regex_search(plan.out, counts,
                                std::regex("route starts: ([0-9]+) of ([0-9]+) plans kept")))
      << plan.out;
  EXPECT_THAT(plan.out, Not(ContainsRegex(" s kept \\(")));
  const fs::path json_err = dir / "plan.err";
  const CommandRun plan_json =
      WeldcellStdout("plan --json cells/demo/cell.yaml -o " + (dir / "json").string(), json_err);
  const nlohmann::json tried =
      testing::ParseJsonOutput(plan_json.out, json_err)["rearrange"]["route_starts"];
  ASSERT_TRUE(tried.is_array());
  int kept = 0;
  for (const nlohmann::json& t : tried) {
    kept += t["kept"].get<bool>() ? 1 : 0;
    EXPECT_TRUE(t["change"].is_string() && t["makespan"].is_number() &&
                t["estimate_before"].is_number() && t["estimate_after"].is_number())
        << t;
  }
  EXPECT_EQ(std::to_string(kept), counts[1].str());
  EXPECT_EQ(std::to_string(tried.size()), counts[2].str());
  ASSERT_TRUE(fs::exists(dir / "plan.json"));
  const CommandRun verify = Weldcell("verify cells/demo/cell.yaml " + (dir / "plan.json").string());
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
  EXPECT_THAT(verify.out, HasSubstr("0 violation(s)"));

  // A plan whose motion was tampered with fails verification with exit 1.
  plan::Plan p = plan::PlanFromJson(ReadText(dir / "plan.json"), "plan.json");
  for (plan::Segment& s : p.robots[0].segments) {
    for (double& t : s.times) t *= 0.25;
  }
  std::ofstream(dir / "fast.json") << plan::ToJson(p);
  const CommandRun fast = Weldcell("verify cells/demo/cell.yaml " + (dir / "fast.json").string());
  EXPECT_EQ(fast.exit_code, 1) << fast.out;
  EXPECT_THAT(fast.out, ContainsRegex("R1 +joint velocity"));
  // Far more than ten velocity violations: the text shows ten and counts the rest, the JSON
  // gives every one and the true counts (issue 9: it used to stop at ten plus "… and N more").
  EXPECT_THAT(fast.out, ContainsRegex("… and [0-9]+ more joint velocity violations"));
  const fs::path err = dir / "fast.err";
  const CommandRun json = WeldcellStdout(
      "verify cells/demo/cell.yaml " + (dir / "fast.json").string() + " --json", err);
  EXPECT_EQ(json.exit_code, 1);
  const nlohmann::json j = testing::ParseJsonOutput(json.out, err);
  ASSERT_TRUE(j["violations"].is_array()) << json.out;
  int velocity = 0;
  for (const nlohmann::json& v : j["violations"]) {
    velocity += v["kind"] == "joint velocity";
    EXPECT_THAT(v["message"].get<std::string>(), Not(HasSubstr("more"))) << v;
  }
  EXPECT_GT(velocity, 10);
  EXPECT_EQ(j["counts"]["joint velocity"], velocity);
  EXPECT_EQ(j["violation_count"], j["violations"].size());
}

TEST(CliDemoTest, PlanIsTheSameForOneAndTwoJobs) {
  const fs::path a = testing::FreshDirectory("cli_demo_jobs1"),
                 b = testing::FreshDirectory("cli_demo_jobs2");
  ASSERT_EQ(Weldcell("plan cells/demo/cell.yaml -q -j 1 -o " + a.string()).exit_code, 0);
  ASSERT_EQ(Weldcell("plan cells/demo/cell.yaml -q -j 2 -o " + b.string()).exit_code, 0);
  EXPECT_EQ(ReadText(a / "plan.json"), ReadText(b / "plan.json"));
}

}  // namespace
}  // namespace weldcell
