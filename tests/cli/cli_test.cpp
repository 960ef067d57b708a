// End-to-end tests of the command line: the binary is run as a user would run it.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
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

// `s` as one word for /bin/sh, whatever it contains.
std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// Runs the binary with its stdout alone captured (stderr goes to `stderr_file`): what a program
// reading `--json` output sees.
CommandRun WeldcellStdout(const std::string& args, const fs::path& stderr_file) {
  const std::string command =
      std::string(WELDCELL_BINARY) + " " + args + " 2>" + ShellQuote(stderr_file.string());
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

std::string ReadText(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Parses a command's stdout as one JSON document; on failure the test fails with the text.
nlohmann::json ParseJson(const CommandRun& run, const fs::path& stderr_file) {
  try {
    return nlohmann::json::parse(run.out);
  } catch (const nlohmann::json::parse_error& e) {
    ADD_FAILURE() << "not valid JSON (" << e.what() << "):\n"
                  << run.out << "\nstderr:\n"
                  << ReadText(stderr_file);
    return nullptr;
  }
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

// Names, weld ids, the output folder and violation messages holding JSON's special characters
// (quotes, backslashes), and folder names with a byte that is not UTF-8: every command's --json
// output must still be one valid JSON document that gives the names back.
TEST(CliTest, JsonOutputOfEveryCommandIsValidWithQuotesAndBackslashesInNames) {
  const fs::path dir = TempDir("json \"q\" \\x \xff");  // the last byte is not UTF-8
  // A JSON string holds only UTF-8: such bytes of a path come out as U+FFFD.
  const auto in_json = [](const fs::path& p) {
    std::string s = p.string();
    for (std::size_t at; (at = s.find('\xff')) != std::string::npos;) s.replace(at, 1, "\uFFFD");
    return s;
  };
  const fs::path err = dir / "stderr.txt";
  const std::string robot = "R\"1\\";
  const std::string weld1 = "W\"1\\x";
  const std::string weld2 = "W\\2\"";
  const std::string cell_name = "cell \"q\" \\ x";
  // YAML single-quoted scalars take every character but ' (none of the names holds one).
  std::string yaml = R"(format: weldcell/1
name: '@cell@'
units: {length: mm, angle: deg}
cycle_time: 60
robots:
  - name: '@robot@'
    model: '@robots@/fanuc_r2000ic165f/robot.yaml'
    base: {xyz: [0, -2100, 0], rpy: [0, 0, 90]}
    tool: '@robots@/tools/c_gun.yaml'
    home: [0, -30, -35, 0, 100, 0]
welds:
  - {id: '@weld1@', p: [182, -650, 1004], n: [0, 0, 1], tilt: 10, spin: [-180, 180]}
  - {id: '@weld2@', p: [-182, -650, 1004], n: [0, 0, 1], tilt: 10, spin: [-180, 180]}
obstacles:
  - {name: '@box@', box: [100, 100, 100], pose: {xyz: [0, 0, -60]}}
)";
  const std::string box = "box \"b\" \\";
  for (const auto& [key, value] : {std::pair<std::string, std::string>{"@cell@", cell_name},
                                   {"@robot@", robot},
                                   {"@robots@", fs::absolute("robots").string()},
                                   {"@weld1@", weld1},
                                   {"@weld2@", weld2},
                                   {"@box@", box}}) {
    for (std::size_t at; (at = yaml.find(key)) != std::string::npos;) {
      yaml.replace(at, key.size(), value);
    }
  }
  std::ofstream(dir / "cell.yaml") << yaml;
  const std::string cell = ShellQuote((dir / "cell.yaml").string());

  const CommandRun check = WeldcellStdout("--json check " + cell, err);
  ASSERT_EQ(check.exit_code, 0) << check.out << ReadText(err);
  const nlohmann::json jc = ParseJson(check, err);
  EXPECT_EQ(jc["cell"], cell_name);
  EXPECT_EQ(jc["file"], in_json(dir / "cell.yaml"));
  EXPECT_EQ(jc["robots"][0]["name"], robot);
  EXPECT_EQ(jc["obstacles"][0]["name"], box);

  const CommandRun reach = WeldcellStdout("--json reach " + cell, err);
  EXPECT_EQ(reach.exit_code, 0) << reach.out << ReadText(err);
  const nlohmann::json jr = ParseJson(reach, err);
  EXPECT_EQ(jr["welds"][0]["id"], weld1);
  EXPECT_TRUE(jr["welds"][0]["robots"].contains(robot)) << jr.dump();
  EXPECT_EQ(jr["welds"][1]["id"], weld2);

  const fs::path out = dir / "out \"1\" \\";
  const CommandRun plan =
      WeldcellStdout("plan --json " + cell + " -o " + ShellQuote(out.string()), err);
  EXPECT_EQ(plan.exit_code, 0) << plan.out << ReadText(err);
  const nlohmann::json jp = ParseJson(plan, err);
  EXPECT_EQ(jp["plan"], in_json(out / "plan.json"));
  EXPECT_EQ(jp["unplanned"], 0);
  EXPECT_EQ(jp["violations"], 0);
  ASSERT_TRUE(fs::exists(out / "plan.json"));

  // A plan that welds a weld the cell does not have instead of the first one: violations whose
  // robot and messages carry the names.
  plan::Plan p = plan::PlanFromJson(ReadText(out / "plan.json"), "plan.json");
  ASSERT_FALSE(p.robots.empty());
  ASSERT_FALSE(p.robots[0].welds.empty());
  const std::string renamed = p.robots[0].welds[0].weld_id + "\\\"";
  p.robots[0].welds[0].weld_id = renamed;
  std::ofstream(dir / "bad.json") << plan::ToJson(p);
  const CommandRun verify = WeldcellStdout(
      "verify " + cell + " " + ShellQuote((dir / "bad.json").string()) + " --json", err);
  EXPECT_EQ(verify.exit_code, 1) << verify.out << ReadText(err);
  const nlohmann::json jv = ParseJson(verify, err);
  ASSERT_TRUE(jv["violations"].is_array()) << verify.out;
  bool names_renamed = false;
  for (const nlohmann::json& v : jv["violations"]) {
    EXPECT_TRUE(v["robot"] == robot || v["robot"] == "") << v.dump();  // "": plan-wide
    const std::string message = v["message"];
    names_renamed = names_renamed || message.find(renamed) != std::string::npos;
  }
  EXPECT_TRUE(names_renamed) << verify.out;
  EXPECT_GT(jv["checks"], 0);
}

// Ids and names go into plan.json and --json output, which hold only UTF-8: a weld id in
// another encoding is bad input, in the cell YAML as in the weld CSV.
TEST(CliTest, NamesThatAreNotUtf8AreBadInput) {
  const fs::path dir = TempDir("utf8");
  const std::string good = fs::absolute("tests/planner/cell/good").string();
  std::ofstream(dir / "cell.yaml") << "format: weldcell/1\nname: latin1\ncycle_time: 10\nrobots:\n"
                                      "  - {name: R1, model: '"
                                   << good << "/tiny_robot.yaml', tool: '" << good
                                   << "/gun.yaml'}\n"
                                      "welds:\n"
                                      "  - {id: 'Schwei\xdf', p: [0.1, 0.2, 0.3], n: [0, 0, 1]}\n";
  const CommandRun yaml = Weldcell("check " + (dir / "cell.yaml").string());
  EXPECT_EQ(yaml.exit_code, 2) << yaml.out;
  EXPECT_THAT(yaml.out, HasSubstr((dir / "cell.yaml").string() +
                                  ":7:10: error: welds[0].id: "
                                  "not valid UTF-8 text (byte 7 of the value)"));

  std::ofstream(dir / "welds.csv") << "id,x,y,z,nx,ny,nz\nW1,0,0,0,0,0,1\nSchwei\xdf,0,0,0,0,0,1\n";
  std::ofstream(dir / "csv.yaml") << "format: weldcell/1\nname: latin1\ncycle_time: 10\nrobots:\n"
                                     "  - {name: R1, model: '"
                                  << good << "/tiny_robot.yaml', tool: '" << good
                                  << "/gun.yaml'}\n"
                                     "welds: {file: welds.csv}\n";
  const CommandRun csv = Weldcell("check " + (dir / "csv.yaml").string());
  EXPECT_EQ(csv.exit_code, 2) << csv.out;
  EXPECT_THAT(csv.out, HasSubstr((dir / "welds.csv").string() +
                                 ":3:1: error: id: not valid UTF-8 text (byte 7 of the value)"));
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
