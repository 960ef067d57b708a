// `weldcell plan` writes programs/; `weldcell export` with dialects and a site file; errors.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>

#include "planner/plan/plan.hpp"
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

class ExportCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(testing::FreshDirectory("export_cli"));
    plan_run_ = new CommandRun(
        Weldcell("plan tests/exporters/cells/small/cell.yaml -q -o " + (*dir_ / "out").string()));
  }
  static void TearDownTestSuite() {
    delete plan_run_;
    fs::remove_all(*dir_);
    delete dir_;
  }
  static fs::path* dir_;
  static CommandRun* plan_run_;
};
fs::path* ExportCliTest::dir_ = nullptr;
CommandRun* ExportCliTest::plan_run_ = nullptr;

TEST_F(ExportCliTest, PlanWritesEachRobotsProgramInItsCellDialect) {
  ASSERT_EQ(plan_run_->exit_code, 0) << plan_run_->out;
  const fs::path programs = *dir_ / "out" / "programs";
  EXPECT_TRUE(fs::is_regular_file(programs / "DEMO_R1.LS"));
  EXPECT_TRUE(fs::is_regular_file(programs / "demo_r2.src"));
  EXPECT_TRUE(fs::is_regular_file(programs / "demo_r2.dat"));
  // Each motion's comment says what it does (a fresh user, 2026-12-07: "W13 -> W13" for the
  // approach and the retract alike).
  EXPECT_THAT(ReadText(programs / "DEMO_R1.LS"), ContainsRegex("! approach W[0-9]+ ;"));
  EXPECT_THAT(ReadText(programs / "DEMO_R1.LS"), ContainsRegex("! retract W[0-9]+ ;"));
  EXPECT_FALSE(
      std::regex_search(ReadText(programs / "DEMO_R1.LS"), std::regex(R"(! (W[0-9]+) -> \1 ;)")));
  EXPECT_THAT(ReadText(programs / "interlocks.csv"),
              ContainsRegex("^zone,order,robot,dialect,input,output\nZ1,1,R[12],"));
  // Nothing else (no temporary files left behind).
  int files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(programs)) ++files;
  EXPECT_THAT(ReadText(programs / "weld_signals.csv"),
              ::testing::StartsWith("signal,weld,giver,giver_dialect,output,ack_input,waiter,"
                                    "waiter_dialect,input,ack_output\n"));
  EXPECT_EQ(files, 6);  // with the manifest
  EXPECT_TRUE(fs::is_regular_file(programs / "weldcell-files.txt"));
}

// A robot without a controller beside one with: `plan` wrote the other's program, `export` of
// the same plan refused them all ("robot R2 has no controller"), so a new site file needed a
// new plan. Now it writes the same programs and names the robot without one.
TEST(ExportCliRobotsTest, ARobotWithoutAControllerIsSkippedAsPlanSkipsIt) {
  const fs::path dir = testing::FreshDirectory("export_without_controller");
  std::string cell = ReadText("tests/exporters/cells/small/cell.yaml");
  cell = std::regex_replace(cell, std::regex("\\.\\./\\.\\./\\.\\./\\.\\./robots/"),
                            (fs::current_path() / "robots").string() + "/");
  cell =
      std::regex_replace(cell, std::regex("file: welds.csv"),
                         "file: " + fs::absolute("tests/exporters/cells/small/welds.csv").string());
  cell = std::regex_replace(cell, std::regex("    controller: \\{dialect: kuka_krl[^\n]*\n"), "");
  std::ofstream(dir / "cell.yaml") << cell;
  const std::string cell_file = (dir / "cell.yaml").string();
  const CommandRun plan = Weldcell("plan -q " + cell_file + " -j 2 -o " + (dir / "out").string());
  ASSERT_EQ(plan.exit_code, 0) << plan.out;
  const CommandRun run =
      Weldcell("export " + cell_file + " " + (dir / "out" / "plan.json").string() + " -j 2 -o " +
               (dir / "programs").string());
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_THAT(run.out, HasSubstr("R2: no program (no `controller:` in the cell)"));
  EXPECT_EQ(ReadText(dir / "programs" / "DEMO_R1.LS"),
            ReadText(dir / "out" / "programs" / "DEMO_R1.LS"));
  EXPECT_FALSE(fs::exists(dir / "programs" / "demo_r2.src"));
}

TEST_F(ExportCliTest, ExportWritesTheAskedDialectWithTheSiteConfiguration) {
  ASSERT_EQ(plan_run_->exit_code, 0) << plan_run_->out;
  const fs::path site = *dir_ / "export.yaml";
  std::ofstream(site) << "format: weldcell-export/1\n"
                         "weld_call: {ur_script: 'gun_weld({n}, \"{id}\")'}\n"
                         "zone_inputs: {first: 10, count: 100}\n";
  const fs::path out = *dir_ / "ur";
  // Small's robots with models that do not say which controller drives them (the shipped ones
  // do: ExportRefusesADialectOtherThanTheArmsController).
  const CommandRun run = Weldcell(
      "export tests/exporters/cells/undeclared/cell.yaml " + (*dir_ / "out/plan.json").string() +
      " --dialect ur_script --site " + site.string() + " -o " + out.string());
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_THAT(
      run.out,
      ContainsRegex(
          R"(R1: ur_script program demo_r1: [0-9]+ moves .*corridor 0\.0100 deg, [0-9]+ kept )"
          R"(where the chord collided, [0-9]+ short moves merged, [0-9]+ of [0-9]+ corners )"
          R"(blended\), motion .* estimated vs)"));
  const std::string script = ReadText(out / "demo_r1.script");
  EXPECT_THAT(script, HasSubstr("def demo_r1():\n"));
  EXPECT_THAT(script, ContainsRegex(R"(gun_weld\(1, "W[0-9]+"\))"));
  EXPECT_THAT(script, ContainsRegex(R"(while not read_input_boolean_register\(1[0-9]\):)"));
}

TEST_F(ExportCliTest, BadSiteFilesAndInexpressibleRequestsExitWithTwo) {
  ASSERT_EQ(plan_run_->exit_code, 0) << plan_run_->out;
  const fs::path site = *dir_ / "bad_export.yaml";
  std::ofstream(site) << "format: weldcell-export/1\nspeed_override: 2\n";
  const std::string common = "export tests/exporters/cells/small/cell.yaml " +
                             (*dir_ / "out/plan.json").string() + " -o " + (*dir_ / "bad").string();
  CommandRun run = Weldcell(common + " --site " + site.string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.out, ContainsRegex(R"(bad_export\.yaml:2:[0-9]+: error: speed_override)"));
  run = Weldcell(common + " --dialect yaskawa_inform");
  EXPECT_EQ(run.exit_code, 2);
  // None of the shipped robots is a Yaskawa: the error says exactly what to add, and where.
  EXPECT_THAT(
      run.out,
      ContainsRegex(R"(fanuc_r2000ic165f/robot\.yaml: error: controller_joints\.pulses: )"
                    R"(robot R1 .*Add to .*fanuc_r2000ic165f/robot\.yaml: `controller_joints: )"
                    R"(\{pulses: \{per_degree: \[p1, p2, p3, p4, p5, p6\], zero: )"
                    R"(\[z1, z2, z3, z4, z5, z6\]\}\}`.*pulses/deg.*never estimate)"));
  // A weld call a KRC would refuse (a name of 63 characters): exit 2 at export.yaml's line.
  const fs::path call_site = *dir_ / "bad_call.yaml";
  std::ofstream(call_site) << "format: weldcell-export/1\nweld_call: {kuka_krl: \""
                           << std::string(63, 'K') << "({n})\"}\n";
  run = Weldcell(common + " --site " + call_site.string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.out, ContainsRegex(R"(bad_call\.yaml:2:[0-9]+: error: weld_call\.kuka_krl: )"
                                     R"(kuka_krl: name K{63} has 63 characters, at most 24)"));
  run = Weldcell(common + " --dialect cobol");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_FALSE(fs::exists(*dir_ / "bad" / "DEMO_R1.JBI"));
}

// New-user trial: `export --dialect abb_rapid` of a cell whose R1 is a FANUC wrote FANUC's
// pendant values (J3 includes J2, J4–J6 negated) into a RAPID module, without a word. The
// program's joint values are the controller's that robot.yaml names (`controller_joints.
// dialect`): another dialect is exit 2 naming the robot, its model and controller and the
// dialect, nothing written; the cell's own dialects export as before. A cell giving a robot
// another controller than its robot.yaml is refused by `check` (and `plan`) at its line.
TEST_F(ExportCliTest, ExportRefusesADialectOtherThanTheArmsController) {
  ASSERT_EQ(plan_run_->exit_code, 0) << plan_run_->out;
  const fs::path out = *dir_ / "rapid";
  const std::string plan = (*dir_ / "out/plan.json").string();
  CommandRun run = Weldcell("export tests/exporters/cells/small/cell.yaml " + plan +
                            " --dialect abb_rapid -o " + out.string());
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_THAT(run.out,
              ContainsRegex(
                  R"(small/cell\.yaml:[0-9]+:[0-9]+: error: robots\[0\]\.model: robot R1 )"
                  R"(\(fanuc_r2000ic165f\) is driven by a fanuc_ls controller \(the cell )"
                  R"(gives it `controller: \{dialect: fanuc_ls\}`\): its robot\.yaml says )"
                  R"(so \(`controller_joints\.dialect: fanuc_ls` at [^)]*fanuc_r2000ic165f/)"
                  R"(robot\.yaml:[0-9]+:[0-9]+\).* written as abb_rapid .*export it as fanuc_ls)"));
  EXPECT_THAT(run.out, HasSubstr("robot R2 (kuka_kr210r2700extra) is driven by a kuka_krl "
                                 "controller"));
  EXPECT_FALSE(fs::exists(out));
  // One of them right, the other still refused.
  run = Weldcell("export tests/exporters/cells/small/cell.yaml " + plan +
                 " --dialect kuka_krl -o " + out.string());
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_THAT(run.out, HasSubstr("robot R1 (fanuc_r2000ic165f) is driven by a fanuc_ls"));
  EXPECT_THAT(run.out, Not(HasSubstr("robot R2 (kuka")));
  // A robot.yaml that names no controller: written, with a warning where the cell's controller
  // is another.
  run = Weldcell("export tests/exporters/cells/undeclared/cell.yaml " + plan +
                 " --dialect abb_rapid -o " + out.string());
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_THAT(run.out, HasSubstr("weldcell: warning: robot R1 (fanuc_r2000ic165f): written as "
                                 "abb_rapid, but the cell gives it a fanuc_ls controller"));
  EXPECT_TRUE(fs::exists(out / "DEMO_R1.mod"));
  // The cell's controller against the robot.yaml's: `check` refuses it at the dialect's line.
  const fs::path cell = *dir_ / "kuka_as_rapid.yaml";
  std::string yaml = ReadText("tests/exporters/cells/small/cell.yaml");
  const std::string krl = "controller: {dialect: kuka_krl, program: demo_r2}";
  ASSERT_NE(yaml.find(krl), std::string::npos);
  yaml.replace(yaml.find(krl), krl.size(), "controller: {dialect: abb_rapid, program: demo_r2}");
  for (const std::string rel : {"../../../../robots/", "welds.csv"}) {
    const std::string abs = fs::absolute("tests/exporters/cells/small/" + rel).string();
    for (std::size_t at = yaml.find(rel); at != std::string::npos; at = yaml.find(rel, at + 1)) {
      yaml.replace(at, rel.size(), abs);
      at += abs.size() - 1;
    }
  }
  std::ofstream(cell) << yaml;
  run = Weldcell("check " + cell.string());
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_THAT(run.out, ContainsRegex(R"(kuka_as_rapid\.yaml:[0-9]+:[0-9]+: error: robots\[1\]\.)"
                                     R"(controller\.dialect: robot R2 \(kuka_kr210r2700extra\) is )"
                                     R"(driven by a kuka_krl controller: .*give `controller: )"
                                     R"(\{dialect: kuka_krl\}`)"));
}

// Issue 13: `--site /dev/zero` (or /dev/zero as the plan) never ended and ate GBs; a folder as
// the plan said "not valid JSON"; a binary site was echoed with its escape bytes; `-o
// /proc/nope` failed only after planning. Inputs are regular files, errors printable, the
// output folder is made (and checked) first.
TEST_F(ExportCliTest, InputsMustBeRegularFilesAndTheOutputFolderIsCheckedFirst) {
  ASSERT_EQ(plan_run_->exit_code, 0) << plan_run_->out;
  const std::string cell = "tests/exporters/cells/small/cell.yaml";
  const std::string plan = (*dir_ / "out/plan.json").string();
  const std::string out = (*dir_ / "inputs").string();
  CommandRun run = Weldcell("export " + cell + " " + plan + " -o " + out + " --site /dev/zero");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.out, HasSubstr("/dev/zero: error: is not a regular file (a device, FIFO or "
                                 "socket), expected the site file"));
  run = Weldcell("export " + cell + " /dev/zero -o " + out);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.out, HasSubstr("/dev/zero: error: is not a regular file"));
  run = Weldcell("export " + cell + " " + dir_->string() + " -o " + out);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.out, HasSubstr("error: is a directory, expected the plan"));
  run = Weldcell("export " + cell + " " + plan + " -o " + out + " --site " + dir_->string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.out, HasSubstr("error: is a directory, expected the site file"));
  // A binary site: the error names its first control byte as `\xNN`, at its line and column.
  const fs::path binary = *dir_ / "binary.yaml";
  std::ofstream(binary, std::ios::binary) << "format: \x1b[31mred\x07\n";
  run = Weldcell("export " + cell + " " + plan + " -o " + out + " --site " + binary.string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.out, HasSubstr("binary.yaml:1:9: error: control character \\x1b"));
  EXPECT_EQ(run.out.find('\x1b'), std::string::npos);
  EXPECT_EQ(run.out.find('\x07'), std::string::npos);
  // An output folder the file system refuses: at once, naming --out.
  run = Weldcell("export " + cell + " " + plan + " -o /proc/weldcell_nope");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.out, HasSubstr("/proc/weldcell_nope: error: --out: cannot create the folder"));
  EXPECT_THAT(run.out, ::testing::Not(HasSubstr("verify")));
  // A failed export leaves no folder it made.
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(ExportCliTest, APlanThatFailsVerificationGetsNoPrograms) {
  ASSERT_EQ(plan_run_->exit_code, 0) << plan_run_->out;
  plan::Plan p = plan::PlanFromJson(ReadText(*dir_ / "out/plan.json"), "plan.json");
  // One sample of a motion flung far away: a jump (velocity) the verifier reports.
  for (plan::Segment& s : p.robots[0].segments) {
    if (s.kind == plan::SegmentKind::kMotion && s.q.size() > 4) {
      s.q[2][1] += 0.5;
      break;
    }
  }
  const fs::path broken = *dir_ / "broken_plan.json";
  std::ofstream(broken) << plan::ToJson(p);
  const fs::path out = *dir_ / "broken";
  const CommandRun run = Weldcell("export tests/exporters/cells/small/cell.yaml " +
                                  broken.string() + " -o " + out.string());
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_THAT(run.out, HasSubstr("no programs written: the plan fails verification"));
  EXPECT_FALSE(fs::exists(out / "DEMO_R1.LS"));
  // With --json, a document on stdout too (it was empty): no programs, why, the violations.
  const CommandRun json = Weldcell("--json export tests/exporters/cells/small/cell.yaml " +
                                       broken.string() + " -o " + out.string(),
                                   "2>/dev/null");
  EXPECT_EQ(json.exit_code, 1) << json.out;
  const nlohmann::json doc = nlohmann::json::parse(json.out);
  EXPECT_TRUE(doc.at("programs").empty());
  EXPECT_THAT(doc.at("error").get<std::string>(),
              HasSubstr("no programs written: the plan fails verification"));
  ASSERT_FALSE(doc.at("violations").empty());
  EXPECT_EQ(doc.at("violations")[0].at("kind"), "joint velocity") << json.out;
  // New-user trial: a site whose I/O ranges overlap was only refused after the verification;
  // it is bad input said first (exit 2, no verification run), whatever the plan.
  const fs::path site = *dir_ / "overlap.yaml";
  std::ofstream(site) << "format: weldcell-export/1\nzone_inputs: {first: 101, count: 10}\n"
                         "weld_signal_inputs: {first: 105, count: 10}\n";
  const CommandRun overlap =
      Weldcell("export tests/exporters/cells/small/cell.yaml " + broken.string() + " --site " +
               site.string() + " -o " + out.string());
  EXPECT_EQ(overlap.exit_code, 2) << overlap.out;
  EXPECT_THAT(overlap.out, ContainsRegex(R"(overlap\.yaml:3:[0-9]+: error: weld_signal_inputs: )"));
  EXPECT_THAT(overlap.out, ::testing::Not(HasSubstr("fails verification")));
}

TEST_F(ExportCliTest, APlanOfAnotherCellIsBadInputSaidBeforeVerifying) {
  ASSERT_EQ(plan_run_->exit_code, 0) << plan_run_->out;
  plan::Plan p = plan::PlanFromJson(ReadText(*dir_ / "out/plan.json"), "plan.json");
  p.cell_hash = "0000000000000000";
  const fs::path other = *dir_ / "other_plan.json";
  std::ofstream(other) << plan::ToJson(p);
  const fs::path out = *dir_ / "other";
  const CommandRun run = Weldcell("export tests/exporters/cells/small/cell.yaml " + other.string() +
                                  " -o " + out.string());
  EXPECT_EQ(run.exit_code, 2) << run.out;
  // Named as the user gave it, not as "plan.json".
  EXPECT_THAT(run.out, HasSubstr(other.string() + ": error: the plan is of cell"));
  EXPECT_THAT(run.out, ::testing::Not(HasSubstr("not welded")));  // no verification run
  EXPECT_FALSE(fs::exists(out / "DEMO_R1.LS"));
}

// New-user trial: a plan whose `cell.name` was edited (hash unchanged) was exported with
// "R1 (other)" in the program comments; `verify` refuses it (exit 2), and `export` does alike.
TEST_F(ExportCliTest, APlanNamingAnotherCellIsRefusedAsVerifyRefusesIt) {
  ASSERT_EQ(plan_run_->exit_code, 0) << plan_run_->out;
  plan::Plan p = plan::PlanFromJson(ReadText(*dir_ / "out/plan.json"), "plan.json");
  p.cell_name = "other";
  const fs::path other = *dir_ / "renamed_plan.json";
  std::ofstream(other) << plan::ToJson(p);
  const fs::path out = *dir_ / "renamed";
  const CommandRun run = Weldcell("export tests/exporters/cells/small/cell.yaml " + other.string() +
                                  " -o " + out.string());
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_THAT(run.out, HasSubstr(other.string() +
                                 ": error: cell.name: the plan is of cell other, not of "
                                 "exporters_small (tests/exporters/cells/small/cell.yaml)"));
  EXPECT_FALSE(fs::exists(out / "DEMO_R1.LS"));
  const CommandRun verify =
      Weldcell("verify tests/exporters/cells/small/cell.yaml " + other.string());
  EXPECT_EQ(verify.exit_code, 2) << verify.out;
  EXPECT_THAT(verify.out, HasSubstr("cell.name: the plan is of cell other"));
}

// One target that cannot be written (a folder named like R2's program): nothing is replaced,
// so the folder never holds programs of two plans (the FANUC program of the new plan beside the
// KRL program of the old one, their interlock handshakes out of step).
TEST_F(ExportCliTest, AnExportThatCannotWriteOneFileReplacesNone) {
  ASSERT_EQ(plan_run_->exit_code, 0) << plan_run_->out;
  const fs::path out = *dir_ / "blocked";
  fs::create_directories(out / "demo_r2.src");
  std::ofstream(out / "DEMO_R1.LS") << "old program\n";
  const CommandRun run = Weldcell("export tests/exporters/cells/small/cell.yaml " +
                                  (*dir_ / "out/plan.json").string() + " -o " + out.string());
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_THAT(run.out, HasSubstr("demo_r2.src"));
  EXPECT_EQ(ReadText(out / "DEMO_R1.LS"), "old program\n");
  EXPECT_FALSE(fs::exists(out / "weldcell-files.txt"));
  int entries = 0;  // no temporaries left behind
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(out)) ++entries;
  EXPECT_EQ(entries, 2);
}

// `plan` over an out/ whose programs/ an earlier plan wrote, where the new plan's programs
// cannot be written (R2 now as ABB RAPID, and a folder in the way of its DEMO_R2.mod). This
// failed after planning, with plan.json replaced and the old programs removed. A fresh user
// (2026-12-07) met it with a file of their own named like a program: minutes of planning, then
// exit 2. Both are refused before planning now (exit 2, nothing written or removed); `--force`
// replaces the user's file, never a folder.
TEST_F(ExportCliTest, ProgramsThatCannotBeWrittenAreRefusedBeforePlanning) {
  ASSERT_EQ(plan_run_->exit_code, 0) << plan_run_->out;
  const fs::path out = *dir_ / "replanned";
  fs::create_directories(out);
  fs::copy(*dir_ / "out" / "programs", out / "programs");
  const std::string manifest = ReadText(out / "programs" / "weldcell-files.txt");
  std::ofstream(out / "programs" / "notes.txt") << "mine\n";
  fs::create_directories(out / "programs" / "DEMO_R2.mod");
  const std::string rapid = "plan tests/exporters/cells/rapid_r2/cell.yaml -o " + out.string();
  for (const char* force : {"", " --force"}) {
    const CommandRun run = Weldcell("--json " + rapid + force);
    EXPECT_EQ(run.exit_code, 2) << run.out;
    EXPECT_THAT(run.out, HasSubstr((out / "programs").string() +
                                   "/weldcell-files.txt: error: 1 "
                                   "folder(s) stand where files must be written: DEMO_R2.mod; "
                                   "nothing written (move them away; --force replaces files, "
                                   "never folders)"));
    EXPECT_THAT(run.out, Not(HasSubstr("makespan")));
    EXPECT_FALSE(fs::exists(out / "plan.json"));
    // A problem of the output folder, not of the station: no junit.xml either.
    EXPECT_FALSE(fs::exists(out / "junit.xml"));
    EXPECT_EQ(ReadText(out / "programs" / "weldcell-files.txt"), manifest);
    EXPECT_TRUE(fs::exists(out / "programs" / "DEMO_R1.LS"));
    EXPECT_TRUE(fs::exists(out / "programs" / "demo_r2.src"));
    EXPECT_EQ(ReadText(out / "programs" / "notes.txt"), "mine\n");
  }
  // The user's own program where this plan writes one, and tables the manifest does not list.
  fs::remove(out / "programs" / "DEMO_R2.mod");
  fs::remove(out / "programs" / "weldcell-files.txt");
  std::ofstream(out / "programs" / "DEMO_R2.mod") << "MODULE mine\nENDMODULE\n";
  const CommandRun mine = Weldcell(rapid + " -q");
  EXPECT_EQ(mine.exit_code, 2) << mine.out;
  EXPECT_THAT(
      mine.out,
      HasSubstr((out / "programs").string() +
                ": error: 4 file(s) in the way "
                "were not written by weldcell (not in weldcell-files.txt): "
                "interlocks.csv, weld_signals.csv, DEMO_R1.LS, DEMO_R2.mod; nothing written "
                "(move them away, or run again with --force to replace them)"));
  EXPECT_FALSE(fs::exists(out / "plan.json"));
  EXPECT_EQ(ReadText(out / "programs" / "DEMO_R2.mod"), "MODULE mine\nENDMODULE\n");
  const CommandRun forced = Weldcell(rapid + " -q --force");
  EXPECT_EQ(forced.exit_code, 0) << forced.out;
  EXPECT_THAT(ReadText(out / "programs" / "DEMO_R2.mod"), HasSubstr("PROC main()"));
  EXPECT_EQ(ReadText(out / "programs" / "notes.txt"), "mine\n");
}

// A fresh user (2026-12-07): programs exported with a site file (tool 2, schedule 3) were
// silently replaced by the default site's when `plan` ran again into the same folder. `plan
// --site` writes them with the site, the manifest names it, and a run without it is refused
// before planning unless --force.
TEST_F(ExportCliTest, PlanKeepsTheSiteItsProgramsWereWrittenWith) {
  ASSERT_EQ(plan_run_->exit_code, 0) << plan_run_->out;
  const fs::path out = *dir_ / "sited";
  const fs::path site = fs::absolute(*dir_ / "site.yaml");
  std::ofstream(site) << "format: weldcell-export/1\nschedule: 3\ntool: 2\n";
  const std::string plan = "plan tests/exporters/cells/small/cell.yaml -q -o " + out.string();
  const CommandRun sited = Weldcell(plan + " --site " + site.string());
  ASSERT_EQ(sited.exit_code, 0) << sited.out;
  EXPECT_THAT(ReadText(out / "programs" / "DEMO_R1.LS"), HasSubstr("UTOOL_NUM=2 ;"));
  EXPECT_THAT(ReadText(out / "programs" / "DEMO_R1.LS"), HasSubstr("CALL SPOTWELD(3,"));
  EXPECT_THAT(ReadText(out / "programs" / "weldcell-files.txt"),
              HasSubstr("\n# site: " + site.string() + "\n"));
  const std::string plan_json = ReadText(out / "plan.json");
  fs::remove(out / "junit.xml");
  const CommandRun bare = Weldcell(plan);
  EXPECT_EQ(bare.exit_code, 2) << bare.out;
  EXPECT_THAT(bare.out,
              HasSubstr("the programs there were written with the site file " + site.string() +
                        " (its weld calls, I/O and numbers), this run "
                        "has none: give --site " +
                        site.string() + " to keep them"));
  // A problem of the output folder, not of the station: no junit.xml either.
  EXPECT_FALSE(fs::exists(out / "junit.xml"));
  EXPECT_EQ(ReadText(out / "plan.json"), plan_json);
  EXPECT_EQ(Weldcell(plan + " --site " + site.string()).exit_code, 0);
  const CommandRun forced = Weldcell(plan + " --force");
  EXPECT_EQ(forced.exit_code, 0) << forced.out;
  EXPECT_THAT(ReadText(out / "programs" / "DEMO_R1.LS"), HasSubstr("UTOOL_NUM=1 ;"));
  EXPECT_THAT(ReadText(out / "programs" / "weldcell-files.txt"), Not(HasSubstr("# site:")));
}

// A fresh user (2026-12-07): two welds on one spot (a row copied under another id) gave a plan
// that failed its own verification; then, fixed, a move to where the robot stood, written at
// the dialect's slowest speed (`J P[43] 1% FINE`). The travel of no length is a comment only.
TEST_F(ExportCliTest, TwoWeldsOnOneSpotAreWeldedWithoutAMoveBetweenThem) {
  ASSERT_EQ(plan_run_->exit_code, 0) << plan_run_->out;
  const fs::path cell_dir = fs::absolute(*dir_ / "same_spot_cell");
  fs::create_directories(cell_dir);
  std::string cell_text = ReadText("tests/exporters/cells/small/cell.yaml");
  const std::string robots = fs::absolute("robots").string();
  for (std::size_t at = cell_text.find("../../../../robots"); at != std::string::npos;
       at = cell_text.find("../../../../robots", at)) {
    cell_text.replace(at, std::string("../../../../robots").size(), robots);
  }
  std::ofstream(cell_dir / "cell.yaml") << cell_text;
  std::ofstream(cell_dir / "welds.csv") << ReadText("tests/exporters/cells/small/welds.csv")
                                        << "W03b,-182,-360,1004,0,0,1,,,,,left\n";
  const fs::path out = *dir_ / "same_spot";
  const CommandRun run =
      Weldcell("plan " + (cell_dir / "cell.yaml").string() + " -o " + out.string());
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_THAT(run.out, HasSubstr("weld W03b is 0.00 mm from weld W03"));
  EXPECT_THAT(run.out, HasSubstr("verification: 0 violation(s)"));
  std::string programs;
  for (const auto& e : fs::directory_iterator(out / "programs")) programs += ReadText(e.path());
  // The travel between the two is its comment, followed at once by the next weld's approach.
  EXPECT_TRUE(std::regex_search(
      programs, std::regex(R"((W03b -> W03|W03 -> W03b)[^\n]*\n[^\n]*approach W03)")))
      << programs;
}

// A fresh user's second pass (2026-12-07): a folder named like the manifest was found only
// after planning, and removed when empty (a folder of the user's); `--site ""` (an unset
// variable) meant "no site"; a site file deleted since was named as the one to give.
TEST_F(ExportCliTest, TheManifestsPlaceAnEmptySiteAndADeletedSiteAreSaidBeforePlanning) {
  ASSERT_EQ(plan_run_->exit_code, 0) << plan_run_->out;
  const std::string cell = "tests/exporters/cells/small/cell.yaml";
  const fs::path out = *dir_ / "manifest_folder";
  fs::create_directories(out / "programs" / "weldcell-files.txt");
  const CommandRun folder = Weldcell("plan " + cell + " -q -o " + out.string());
  EXPECT_EQ(folder.exit_code, 2) << folder.out;
  EXPECT_THAT(folder.out, HasSubstr("folder(s) stand where files must be written: "
                                    "weldcell-files.txt"));
  EXPECT_FALSE(fs::exists(out / "plan.json"));  // before planning
  EXPECT_TRUE(fs::is_directory(out / "programs" / "weldcell-files.txt"));
  for (const std::string& command :
       {"plan " + cell + " -q -o " + (*dir_ / "empty_site").string() + " --site ''",
        "export " + cell + " " + (*dir_ / "out/plan.json").string() + " -q -o " +
            (*dir_ / "empty_site").string() + " --site ''"}) {
    const CommandRun empty = Weldcell(command);
    EXPECT_EQ(empty.exit_code, 2) << empty.out;
    EXPECT_THAT(empty.out, HasSubstr("--site: an empty file name"));
  }
  const fs::path gone = fs::absolute(*dir_ / "gone_site.yaml");
  std::ofstream(gone) << "format: weldcell-export/1\ntool: 2\n";
  const fs::path sited = *dir_ / "gone_site_out";
  ASSERT_EQ(
      Weldcell("plan " + cell + " -q -o " + sited.string() + " --site " + gone.string()).exit_code,
      0);
  fs::remove(gone);
  const CommandRun without = Weldcell("plan " + cell + " -q -o " + sited.string());
  EXPECT_EQ(without.exit_code, 2) << without.out;
  EXPECT_THAT(without.out, HasSubstr("written with the site file " + gone.string() +
                                     " (its weld calls, I/O and numbers), which no longer "
                                     "exists, and this run has none: restore it and give --site " +
                                     gone.string()));
}

// A fresh user (2026-12-07): two `plan` runs into one folder (a CI job run twice) once left a
// plan.json of one beside the junit.xml and programs of the other. The folder is locked while a
// run writes into it: the second is refused at once, naming it.
// A plan without a weld (a station whose weld CSV held its header alone): `plan` writes no
// programs ("they would only go home"), but `export` of the same plan wrote one move each.
// Now neither does: exit 0, said, nothing written.
TEST_F(ExportCliTest, APlanWithoutWeldsGetsNoPrograms) {
  const fs::path dir = *dir_ / "no_welds";
  fs::create_directories(dir);
  const fs::path repo = fs::current_path();
  std::string cell = ReadText("tests/exporters/cells/small/cell.yaml");
  cell = std::regex_replace(cell, std::regex("\\.\\./\\.\\./\\.\\./\\.\\./robots/"),
                            (repo / "robots").string() + "/");
  std::ofstream(dir / "cell.yaml") << cell;
  std::ofstream(dir / "welds.csv") << "id,x,y,z,nx,ny,nz\n";
  const CommandRun plan =
      Weldcell("plan " + (dir / "cell.yaml").string() + " -q -o " + (dir / "out").string());
  ASSERT_EQ(plan.exit_code, 0) << plan.out;
  EXPECT_FALSE(fs::exists(dir / "out" / "programs"));
  const CommandRun run =
      Weldcell("export " + (dir / "cell.yaml").string() + " " +
               (dir / "out" / "plan.json").string() + " -o " + (dir / "programs").string());
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_THAT(run.out, HasSubstr("programs: not written (no weld is planned)"));
  EXPECT_FALSE(fs::exists(dir / "programs")) << "the folder it made was left";
}

TEST_F(ExportCliTest, ASecondRunIntoAFolderInUseIsRefusedAtOnce) {
  ASSERT_EQ(plan_run_->exit_code, 0) << plan_run_->out;
  const fs::path out = *dir_ / "busy";
  fs::create_directories(out);
  const int fd = ::open(out.c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);  // as a running weldcell holds it
  for (const std::string& command :
       {"plan tests/exporters/cells/small/cell.yaml -q -o " + out.string(),
        "export tests/exporters/cells/small/cell.yaml " + (*dir_ / "out/plan.json").string() +
            " -q -o " + out.string()}) {
    const CommandRun run = Weldcell(command);
    EXPECT_EQ(run.exit_code, 2) << run.out;
    EXPECT_THAT(run.out, HasSubstr(out.string() +
                                   ": error: --out: another weldcell run is "
                                   "writing into this folder (it holds the folder's lock): wait "
                                   "for it to end, or give another folder"));
  }
  EXPECT_TRUE(fs::is_empty(out));
  ::close(fd);
  EXPECT_EQ(Weldcell("plan tests/exporters/cells/small/cell.yaml -q -o " + out.string()).exit_code,
            0);
}

// Issue 13: `plan` over an OUT/programs/ holding a touched-up DEMO_R1.LS refused (exit 2) but
// removed the manifest, so the next run overwrote the touch-up silently; and it told the user
// to "export with --force", which `plan` did not have. The edited file stays listed and
// protected on every later run; `plan --force` replaces it and says it wrote programs/.
// A fresh user (2026-12-07): the refusal came after planning, with plan.json replaced and the
// other programs removed (a KRL .src kept without its .dat), while it said "nothing written".
// It comes before planning now: nothing written, nothing removed.
TEST_F(ExportCliTest, PlanKeepsAnEditedProgramProtectedOnEveryRunUntilForced) {
  ASSERT_EQ(plan_run_->exit_code, 0) << plan_run_->out;
  const fs::path out = *dir_ / "touched_plan";
  fs::create_directories(out);
  fs::copy(*dir_ / "out" / "programs", out / "programs");
  std::ofstream(out / "programs" / "DEMO_R1.LS", std::ios::app | std::ios::binary)
      << "! touch-up\r\n";
  const std::string touched = ReadText(out / "programs" / "DEMO_R1.LS");
  const std::string manifest = ReadText(out / "programs" / "weldcell-files.txt");
  const std::string src = ReadText(out / "programs" / "demo_r2.src");
  const std::string dat = ReadText(out / "programs" / "demo_r2.dat");
  const std::string plan = "plan tests/exporters/cells/small/cell.yaml -o " + out.string();
  for (int run = 0; run < 2; ++run) {
    const CommandRun refused = Weldcell(plan + " -q");
    EXPECT_EQ(refused.exit_code, 2) << refused.out;
    EXPECT_THAT(refused.out, HasSubstr("weldcell-files.txt: error: 1 file(s) of the previous "
                                       "export were edited since weldcell wrote them: "
                                       "DEMO_R1.LS; nothing written"));
    EXPECT_THAT(refused.out, HasSubstr("run again with --force"));
    EXPECT_EQ(ReadText(out / "programs" / "DEMO_R1.LS"), touched) << "run " << run;
    EXPECT_EQ(ReadText(out / "programs" / "weldcell-files.txt"), manifest);
    EXPECT_EQ(ReadText(out / "programs" / "demo_r2.src"), src);
    EXPECT_EQ(ReadText(out / "programs" / "demo_r2.dat"), dat);
    EXPECT_FALSE(fs::exists(out / "plan.json"));
    // A problem of the output folder, not of the station: no junit.xml either.
    EXPECT_FALSE(fs::exists(out / "junit.xml"));
  }
  const CommandRun forced = Weldcell(plan + " --force");
  EXPECT_EQ(forced.exit_code, 0) << forced.out;
  EXPECT_NE(ReadText(out / "programs" / "DEMO_R1.LS"), touched);
  EXPECT_TRUE(fs::exists(out / "programs" / "demo_r2.src"));
  EXPECT_THAT(forced.out, HasSubstr(", " + (out / "programs").string() + "/\n"));
}

// Issue 13: an existing but unreadable input (mode 000) said "file not found" or "cannot open
// the plan" without a reason. Each says "permission denied" now. Run as nobody when the tests
// run as root (root reads any file).
TEST_F(ExportCliTest, UnreadableInputsSayPermissionDenied) {
  ASSERT_EQ(plan_run_->exit_code, 0) << plan_run_->out;
  std::string as_user;
  if (::geteuid() == 0) {
    if (std::system("command -v setpriv >/dev/null 2>&1") != 0) GTEST_SKIP() << "no setpriv";
    as_user = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
  }
  const fs::path dir = *dir_ / "unreadable";
  fs::create_directories(dir / "cell");
  // The small cell with its robots by absolute path, so that it can sit anywhere.
  std::string cell_text = ReadText("tests/exporters/cells/small/cell.yaml");
  for (std::size_t at; (at = cell_text.find("../../../../robots/")) != std::string::npos;) {
    cell_text.replace(at, 18, fs::absolute("robots").string());
  }
  std::ofstream(dir / "cell" / "cell.yaml") << cell_text;
  fs::copy_file("tests/exporters/cells/small/welds.csv", dir / "cell" / "welds.csv");
  fs::copy_file(*dir_ / "out" / "plan.json", dir / "plan.json");
  std::ofstream(dir / "export.yaml") << "format: weldcell-export/1\n";
  fs::permissions(dir, fs::perms::all);
  fs::permissions(dir / "cell", fs::perms::all);
  auto run = [&](const std::string& args) {
    CommandRun r;
    const std::string command = as_user + WELDCELL_BINARY + (" " + args) + " 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) {
      r.out.append(buffer, n);
    }
    const int status = ::pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
  };
  const std::string cell = (dir / "cell" / "cell.yaml").string();
  const std::string plan = (dir / "plan.json").string();
  const std::string out = " -o " + (dir / "o").string();
  struct Case {
    fs::path locked;
    std::string args;
  };
  for (const Case& c :
       std::vector<Case>{{dir / "plan.json", "export " + cell + " " + plan + out},
                         {dir / "plan.json", "verify " + cell + " " + plan},
                         {dir / "export.yaml", "export " + cell + " " + plan + out + " --site " +
                                                   (dir / "export.yaml").string()},
                         {dir / "cell" / "cell.yaml", "verify " + cell + " " + plan},
                         {dir / "cell" / "welds.csv", "verify " + cell + " " + plan}}) {
    SCOPED_TRACE(c.args);
    fs::permissions(c.locked, fs::perms::none);
    const CommandRun r = run(c.args);
    fs::permissions(c.locked, fs::perms::owner_read | fs::perms::owner_write |
                                  fs::perms::group_read | fs::perms::others_read);
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_THAT(r.out, HasSubstr(c.locked.filename().string()));
    EXPECT_THAT(r.out, HasSubstr("permission denied"));
    EXPECT_THAT(r.out, Not(HasSubstr("not found")));
  }
}

// Issue 13: `-o` a link to nowhere said "File exists".
TEST_F(ExportCliTest, ADanglingLinkAsOutputFolderIsSaidSo) {
  ASSERT_EQ(plan_run_->exit_code, 0) << plan_run_->out;
  const fs::path link = *dir_ / "deadlink";
  fs::create_symlink(*dir_ / "nowhere", link);
  const CommandRun run = Weldcell("export tests/exporters/cells/small/cell.yaml " +
                                  (*dir_ / "out/plan.json").string() + " -o " + link.string());
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_THAT(run.out, HasSubstr("is a symbolic link to " + (*dir_ / "nowhere").string() +
                                 ", which does not exist (a dangling link)"));
  EXPECT_THAT(run.out, Not(HasSubstr("File exists")));
}

// `plan` checks OUT/programs/ before planning, as `export` checks -o: a file in its way or a
// folder nothing can be written into fails at once (exit 2, naming --out and the folder), before
// any plan is made (no plan.json).
TEST(ExportCliPlanTest, PlanChecksTheProgramsFolderBeforePlanning) {
  const fs::path dir = testing::FreshDirectory("plan_programs_check");
  const fs::path blocked = dir / "blocked";
  fs::create_directories(blocked);
  std::ofstream(blocked / "programs") << "a file where the programs folder goes\n";
  const CommandRun file_run =
      Weldcell("plan tests/exporters/cells/small/cell.yaml -q -o " + blocked.string());
  EXPECT_EQ(file_run.exit_code, 2) << file_run.out;
  EXPECT_THAT(file_run.out, ContainsRegex("programs.*--out|--out.*programs"));
  EXPECT_THAT(file_run.out, HasSubstr("is a file, not a folder"));
  EXPECT_FALSE(fs::exists(blocked / "plan.json"));
  // programs/ a link to a folder that takes no files (/proc): refused by the probe.
  const fs::path proc = dir / "proc";
  fs::create_directories(proc);
  fs::create_directory_symlink("/proc", proc / "programs");
  const CommandRun proc_run =
      Weldcell("plan tests/exporters/cells/small/cell.yaml -q -o " + proc.string());
  EXPECT_EQ(proc_run.exit_code, 2) << proc_run.out;
  EXPECT_THAT(proc_run.out, HasSubstr("cannot write into the folder"));
  EXPECT_FALSE(fs::exists(proc / "plan.json"));
  fs::remove_all(dir);
}

// New-user trial: a re-export deleted a touched-up DEMO_R1.LS silently ("wrote 5 file(s)").
// A file edited since weldcell wrote it stops the export (exit 2, naming it) unless --force;
// every file removed is named on stderr.
TEST_F(ExportCliTest, ReExportingNamesRemovedFilesAndKeepsEditedOnesUnlessForced) {
  ASSERT_EQ(plan_run_->exit_code, 0) << plan_run_->out;
  const fs::path out = *dir_ / "touched";
  // R2 as fanuc_ls below: a model that does not say which controller drives it.
  const std::string common = "export tests/exporters/cells/undeclared/cell.yaml " +
                             (*dir_ / "out/plan.json").string() + " -o " + out.string();
  ASSERT_EQ(Weldcell(common).exit_code, 0);
  CommandRun run = Weldcell(common + " --dialect fanuc_ls");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_THAT(run.out, HasSubstr("removed " + (out / "demo_r2.src").string()));
  EXPECT_THAT(run.out, HasSubstr("removed " + (out / "demo_r2.dat").string()));
  std::ofstream(out / "DEMO_R1.LS", std::ios::app | std::ios::binary) << "! touch-up\r\n";
  const std::string touched = ReadText(out / "DEMO_R1.LS");
  run = Weldcell(common);
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_THAT(run.out, HasSubstr("edited since weldcell wrote them: DEMO_R1.LS"));
  EXPECT_EQ(ReadText(out / "DEMO_R1.LS"), touched);
  EXPECT_TRUE(fs::exists(out / "DEMO_R2.LS"));
  run = Weldcell(common + " --force");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(ReadText(out / "DEMO_R1.LS"), touched);
  EXPECT_THAT(run.out, HasSubstr("removed " + (out / "DEMO_R2.LS").string()));
}

// New-user trial: `-j -1` printed a 300-digit range, and `-o /dev/null` was called "a file".
TEST_F(ExportCliTest, BadJobsAndADeviceAsOutputFolderAreSaidPlainly) {
  ASSERT_EQ(plan_run_->exit_code, 0) << plan_run_->out;
  const std::string common =
      "export tests/exporters/cells/small/cell.yaml " + (*dir_ / "out/plan.json").string();
  CommandRun run = Weldcell(common + " -o " + (*dir_ / "j").string() + " -j -1");
  EXPECT_NE(run.exit_code, 0);
  EXPECT_THAT(run.out, HasSubstr("expected a whole number from 0 to 1024, got '-1'"));
  EXPECT_THAT(run.out, ::testing::Not(HasSubstr("17976931348623157")));
  run = Weldcell(common + " -o /dev/null");
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_THAT(run.out, HasSubstr("/dev/null: error: --out: is not a folder but a device"));
}

TEST_F(ExportCliTest, UnplannedWeldsDoNotBlockProgramsInPlanOrExport) {
  // W99 is out of every robot's reach: the plan is incomplete (exit 1) but safe to run, so
  // `plan` and `export` both write the programs, and `export` says what is missing.
  const fs::path out = *dir_ / "unreachable";
  const CommandRun plan_run = Weldcell(
      "plan tests/exporters/cells/unreachable/cell.yaml --rebalance-rounds 0 -o " + out.string());
  ASSERT_EQ(plan_run.exit_code, 1) << plan_run.out;
  EXPECT_TRUE(fs::exists(out / "programs" / "DEMO_R1.LS")) << plan_run.out;
  EXPECT_TRUE(fs::exists(out / "programs" / "demo_r2.src"));
  const fs::path exported = *dir_ / "unreachable_export";
  const CommandRun run = Weldcell("export tests/exporters/cells/unreachable/cell.yaml " +
                                  (out / "plan.json").string() + " -o " + exported.string());
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_THAT(run.out, HasSubstr("1 weld(s) of the cell are not in the plan and not in the "
                                 "programs: W99"));
  EXPECT_EQ(ReadText(exported / "DEMO_R1.LS"), ReadText(out / "programs" / "DEMO_R1.LS"));
  // New-user trial: with --json the warning was dropped. Named on stderr and in the JSON.
  const CommandRun json = Weldcell("--json export tests/exporters/cells/unreachable/cell.yaml " +
                                   (out / "plan.json").string() + " -o " + exported.string());
  EXPECT_EQ(json.exit_code, 0) << json.out;
  EXPECT_THAT(json.out, HasSubstr("not in the programs: W99"));
  EXPECT_THAT(json.out, ContainsRegex(R"("unplanned_welds": *\[\s*\{\s*"weld": *"W99")"));
}

}  // namespace
}  // namespace weldcell
