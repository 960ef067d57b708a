// export.yaml and robot.yaml's pulse calibration: values read, every error with file:line.
#include "exporters/site.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <utility>

#include "planner/cell/load.hpp"
#include "planner/common/diagnostics.hpp"
#include "tests/scratch.hpp"

namespace weldcell::exporters {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;

fs::path Write(const std::string& name, const std::string& text) {
  const fs::path dir = weldcell::testing::ScratchPath("exporters_site");
  fs::create_directories(dir);
  const fs::path p = dir / name;
  std::ofstream(p) << text;
  return p;
}

std::string ErrorOf(const fs::path& p) {
  try {
    LoadSite(p);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(SiteTest, ReadsEveryKey) {
  const Site s = LoadSite(Write("good.yaml", R"Y(format: weldcell-export/1
units: {angle: deg, length: mm}
weld_call: {kuka_krl: "SG_WELD({n},{schedule})", ur_script: "weld({n}, \"{id}\", {schedule})"}
schedule: 4
tool: 2
base: 3
speed_override: 0.5
zone_inputs: {first: 11, count: 20}
zone_outputs: {first: 31, count: 20}
weld_signal_inputs: {first: 51, count: 4}
weld_signal_outputs: {first: 61, count: 4}
weld_ack_inputs: {first: 71, count: 4}
weld_ack_outputs: {first: 81, count: 4}
corridor_tolerance: 0.05
merge_tolerance: 0.5
min_move_time: 0.1
tool_load: {mass: 105.5, cog: [0, 10, 250]}
approximate: false
)Y"));
  EXPECT_EQ(s.weld_call.at("kuka_krl"), "SG_WELD({n},{schedule})");
  EXPECT_EQ(s.weld_call.at("ur_script"), "weld({n}, \"{id}\", {schedule})");
  EXPECT_EQ(s.schedule, 4);
  EXPECT_EQ(s.tool, 2);
  EXPECT_EQ(s.base, 3);
  EXPECT_EQ(s.speed_override, 0.5);
  EXPECT_EQ(s.zone_inputs, (SignalRange{11, 20}));
  EXPECT_EQ(s.zone_outputs, (SignalRange{31, 20}));
  EXPECT_EQ(s.weld_signal_inputs, (SignalRange{51, 4}));
  EXPECT_EQ(s.weld_signal_outputs, (SignalRange{61, 4}));
  EXPECT_EQ(s.weld_ack_inputs, (SignalRange{71, 4}));
  EXPECT_EQ(s.weld_ack_outputs, (SignalRange{81, 4}));
  EXPECT_NEAR(s.corridor_tolerance, 0.05 * std::numbers::pi / 180, 1e-15);
  EXPECT_NEAR(s.merge_tolerance, 0.5 * std::numbers::pi / 180, 1e-15);
  EXPECT_EQ(s.min_move_time, 0.1);
  EXPECT_EQ(s.tool_mass, 105.5);
  EXPECT_NEAR(s.tool_cog[1], 0.010, 1e-15);
  EXPECT_NEAR(s.tool_cog[2], 0.250, 1e-15);
  EXPECT_FALSE(s.approximate);
}

// A weld call with the weld id alone passed the site check and then failed the read-back of
// every dialect ("weld number 0 where 1 was expected", no file:line): {n} is required.
TEST(SiteTest, AWeldCallWithoutItsNumberIsAnErrorAtItsLine) {
  const std::string e = ErrorOf(Write("id_only.yaml", R"Y(format: weldcell-export/1
schedule: 2
weld_call: {kuka_krl: "SPOT_WELD({schedule},{n})",
            fanuc_ls: "CALL SPOT({id})"}
)Y"));
  EXPECT_THAT(e,
              ContainsRegex(R"(id_only\.yaml:4:[0-9]+: error: weld_call\.fanuc_ls: must contain )"
                            R"(\{n\})"));
  EXPECT_THAT(e, ::testing::Not(::testing::HasSubstr("weld_call.kuka_krl")));
  EXPECT_NO_THROW(LoadSite(Write("id_and_n.yaml", R"Y(format: weldcell-export/1
weld_call: {fanuc_ls: "CALL SPOT({n},'{id}')"}
)Y")));
}

TEST(SiteTest, ErrorsNameFileLineAndKey) {
  const std::string e = ErrorOf(Write("bad.yaml", R"Y(format: weldcell-export/1
speed_override: 1.5
zone_inputs: {first: 11}
weld_ack_outputs: {first: 11, count: 0}
weld_call: {kuka_krl: "SPOT()", fanuc: "X({n})"}
toool: 1
approximate: yes
)Y"));
  EXPECT_THAT(e,
              ContainsRegex(R"(bad\.yaml:2:[0-9]+: error: speed_override: expected a fraction)"));
  EXPECT_THAT(e, ContainsRegex(R"(bad\.yaml:3:[0-9]+: error: zone_inputs)"));
  EXPECT_THAT(e,
              ContainsRegex(R"(bad\.yaml:4:[0-9]+: error: weld_ack_outputs\.count: must be > 0)"));
  EXPECT_THAT(
      e, ContainsRegex(R"(bad\.yaml:5:[0-9]+: error: weld_call.kuka_krl: must contain \{n\})"));
  EXPECT_THAT(e, ContainsRegex(R"(bad\.yaml:5:[0-9]+: error: weld_call)"));
  EXPECT_THAT(e, ContainsRegex(R"(bad\.yaml:6:[0-9]+: error: .*toool)"));
  EXPECT_THAT(e, ContainsRegex(R"(bad\.yaml:7:[0-9]+: error: approximate)"));
  EXPECT_THAT(ErrorOf(Write("noformat.yaml", "tool: 1\n")), ContainsRegex("format"));
}

// A unit it cannot read is the file's last error: its lengths and angles were then checked in
// the default unit (a tool load's centre of gravity "beyond 2 m" for a length in inches).
TEST(SiteTest, AnUnknownUnitIsTheLastError) {
  const std::string e = ErrorOf(Write("inch.yaml", R"Y(format: weldcell-export/1
units: {length: inch, angle: deg}
corridor_tolerance: 0.5
tool_load: {R1: {mass: 80, cog: [0, 0, 9000]}}
)Y"));
  EXPECT_THAT(e, ContainsRegex(R"(inch\.yaml:2:[0-9]+: error: units\.length: )"));
  EXPECT_EQ(std::count(e.begin(), e.end(), '\n'), 0) << e;
}

// Issue 13: a NUL byte at 2:12 was reported at 3:1 with the raw byte (a blank) in the message;
// `approximate: [1]` said "expected true or false, got " (nothing).
TEST(SiteTest, ControlBytesAndNonScalarsAreNamedVisibly) {
  EXPECT_THAT(ErrorOf(Write("nul.yaml",
                            std::string("format: weldcell-export/1\nschedule: 1") + '\0' + "\n")),
              ContainsRegex(R"(nul\.yaml:2:12: error: control character \\x00 )"));
  EXPECT_THAT(ErrorOf(Write("list.yaml", "format: weldcell-export/1\napproximate: [1]\n")),
              ContainsRegex(R"(list\.yaml:2:[0-9]+: error: approximate: expected true or false, )"
                            R"(got a list)"));
  EXPECT_THAT(ErrorOf(Write("yes.yaml", "format: weldcell-export/1\napproximate: yes\n")),
              ContainsRegex("expected true or false, got 'yes'"));
}

// export.yaml shares the cell files' YAML reader: a tag is refused at its place (`approximate:
// !!bool false` was read as false whatever the tag said); a tab after a value separator is
// fine.
TEST(SiteTest, TagsAreErrorsAtTheirPlace) {
  const fs::path tagged = Write("tagged.yaml", R"Y(format: weldcell-export/1
schedule: 4
approximate: !!bool false
)Y");
  EXPECT_EQ(ErrorOf(tagged), tagged.string() +
                                 ":3:14: error: YAML tags are not supported (\"!!bool\"): write "
                                 "the value itself");
  EXPECT_EQ(LoadSite(Write("tab.yaml", "format: weldcell-export/1\nschedule:\t4\n")).schedule, 4);
}

TEST(RobotPulsesTest, ReadFromRobotYamlWithFileLineErrors) {
  const fs::path robots = fs::absolute("robots/kuka_kr210r2700extra");
  auto robot = [&](const std::string& name, const std::string& pulses) {
    return Write(name, "format: weldcell-robot/1\nname: k\nurdf: " +
                           (robots / "kuka_kr210r2700extra.urdf").string() +
                           "\nchain: {base: base_link, tip: tool0}\n"
                           "acceleration: [3.58, 3.35, 3.26, 6.94, 6.67, 8.49]\n"
                           "controller_joints:\n  signs: [-1, 1, 1, -1, 1, -1]\n" +
                           pulses);
  };
  const auto good = cell::LoadRobotModel(robot(
      "good_robot.yaml",
      "  pulses: {per_degree: [1000, -900.5, 800, 700, 600, 500], zero: [0, 10, -20, 0, 0, 5]}\n"));
  ASSERT_TRUE(good.value);
  EXPECT_EQ(good.value->controller.pulses_per_degree,
            (std::vector<double>{1000, -900.5, 800, 700, 600, 500}));
  EXPECT_EQ(good.value->controller.pulse_zero, (std::vector<double>{0, 10, -20, 0, 0, 5}));
  try {
    cell::LoadRobotModel(
        robot("bad_robot.yaml",
              "  pulses: {per_degree: [1000, 0, 800, 700, 600], zero: [0, 0.5, 0, 0, 0, 0]}\n"));
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_THAT(
        e.what(),
        ContainsRegex(R"(bad_robot\.yaml:8:[0-9]+: error: controller_joints\.pulses\.per_degree)"));
    EXPECT_THAT(
        e.what(),
        ContainsRegex(
            R"(bad_robot\.yaml:8:[0-9]+: error: controller_joints\.pulses\.zero\[1\]: expected a whole number)"));
  }
}

// Every weld call of the file is checked against its dialect when the file is read, used by a
// robot or not, and every broken one is reported with its line.
TEST(SiteTest, EveryWeldCallIsCheckedAgainstItsDialectAtItsLine) {
  const std::string e = ErrorOf(
      Write("long_calls.yaml", "format: weldcell-export/1\nweld_call:\n" +
                                   ("  kuka_krl: \"" + std::string(63, 'K') + "({n})\"\n") +
                                   ("  abb_rapid: \"" + std::string(47, 'R') + " {n};\"\n")));
  EXPECT_THAT(e,
              ContainsRegex(R"(long_calls\.yaml:3:[0-9]+: error: weld_call\.kuka_krl: kuka_krl: )"
                            R"(name K{63} has 63 characters, at most 24)"));
  EXPECT_THAT(e, ContainsRegex(R"(long_calls\.yaml:4:[0-9]+: error: weld_call\.abb_rapid: )"
                               R"(abb_rapid: name R{47} has 47 characters, at most 32)"));
}

// Issue 13: `cog: [0,0,250]` without units was read as metres and written as 250000 mm into
// RAPID's tooldata. A load no robot carries is an error at its line, naming the unit; so is
// max_positions beyond INFORM's 999.
TEST(SiteTest, ImplausibleToolLoadsAndPositionLimitsAreErrorsAtTheirLine) {
  const std::string metres = ErrorOf(
      Write("cog_m.yaml", "format: weldcell-export/1\ntool_load: {mass: 105, cog: [0, 0, 250]}\n"));
  EXPECT_THAT(metres, ContainsRegex(R"(cog_m\.yaml:2:[0-9]+: error: tool_load\.cog: the centre of )"
                                    R"(gravity is 250 m from the flange, more than 2 m; cog is in )"
                                    R"(the file's length unit \(m; for mm give `units)"));
  const Site mm = LoadSite(Write("cog_mm.yaml",
                                 "format: weldcell-export/1\nunits: {length: mm}\n"
                                 "tool_load: {mass: 105, cog: [0, 0, 250]}\n"));
  EXPECT_NEAR(mm.tool_cog[2], 0.25, 1e-12);
  EXPECT_THAT(
      ErrorOf(Write("heavy.yaml",
                    "format: weldcell-export/1\n"
                    "tool_load: {mass: 105000, cog: [0, 0, 0.25]}\n")),
      ContainsRegex(R"(heavy\.yaml:2:[0-9]+: error: tool_load\.mass: 105000 kg is beyond )"));
  EXPECT_THAT(ErrorOf(Write("negative.yaml",
                            "format: weldcell-export/1\n"
                            "tool_load: {mass: -5, cog: [0, 0, 0.25]}\n")),
              ContainsRegex(R"(negative\.yaml:2:[0-9]+: error: tool_load\.mass: )"));
  EXPECT_THAT(ErrorOf(Write("npos.yaml", "format: weldcell-export/1\nmax_positions: 1000\n")),
              ContainsRegex(R"(npos\.yaml:2:[0-9]+: error: max_positions: expected at most 999)"));
  EXPECT_EQ(LoadSite(Write("npos_ok.yaml", "format: weldcell-export/1\nmax_positions: 999\n"))
                .max_positions,
            999);
}

// A tool load without its mass or its cog read a key that was not there (found by the site
// fuzzer: ASan stopped at an allocation of 128 TiB). Now the missing key is the error.
TEST(SiteTest, AToolLoadWithoutMassOrCogSaysWhichIsMissing) {
  EXPECT_THAT(ErrorOf(Write("no_cog.yaml",
                            "format: weldcell-export/1\n"
                            "tool_load: {R1: {mass: 80, cog;: [0, 0, 0.25]}}\n")),
              AllOf(ContainsRegex(R"(no_cog\.yaml:2:[0-9]+: error: tool_load\.R1\.cog: missing )"
                                  R"(required key 'cog')"),
                    HasSubstr("unknown key 'cog;'")));
  EXPECT_THAT(
      ErrorOf(Write("no_mass.yaml", "format: weldcell-export/1\ntool_load: {cog: [0, 0, 0.25]}\n")),
      ContainsRegex(R"(no_mass\.yaml:2:[0-9]+: error: tool_load\.mass: missing required )"
                    R"(key 'mass')"));
}

// New-user trial: docs/export.md's example keyed a load by `x_gun`, the file name of the gun, but
// the cell names it x_gun_servo_350; the error said only that x_gun is not one. It lists what
// the cell has, at the name's line; robot and tool names (each tool once) are taken.
TEST(SiteTest, AToolLoadOfAnUnknownNameListsTheCellsRobotsAndTools) {
  cell::Cell cell;
  cell.name = "demo";
  for (const auto& [robot, tool] :
       {std::pair{"R1", "c_gun_servo_250"}, {"R2", "x_gun_servo_350"}, {"R3", "x_gun_servo_350"}}) {
    cell.robots.push_back({});
    cell.robots.back().name = robot;
    cell.robots.back().tool.name = tool;
  }
  const Site site = LoadSite(Write("tl_robot.yaml",
                                   "format: weldcell-export/1\n"
                                   "units: {length: mm}\n"
                                   "tool_load:\n"
                                   "  R1: {mass: 100, cog: [0, 0, 200]}\n"
                                   "  x_gun: {mass: 80, cog: [0, 0, 100]}\n"
                                   "  c_gun_servo_250: {mass: 70, cog: [0, 0, 100]}\n"));
  DiagnosticSink problems;
  CheckToolLoadNames(site, cell, &problems);
  ASSERT_EQ(problems.diagnostics().size(), 1u);
  const Diagnostic& d = problems.diagnostics()[0];
  EXPECT_EQ(d.where.line, 5);
  EXPECT_EQ(d.key_path, "tool_load.x_gun");
  EXPECT_EQ(d.message,
            "x_gun is neither a robot nor a tool of cell demo: expected a robot (R1, R2, R3) or a "
            "tool (c_gun_servo_250, x_gun_servo_350)");

  // Robots without a tool: only the robots are expected.
  for (cell::Robot& r : cell.robots) r.tool.name.clear();
  DiagnosticSink bare;
  CheckToolLoadNames(site, cell, &bare);
  ASSERT_EQ(bare.diagnostics().size(), 2u);
  EXPECT_EQ(bare.diagnostics()[1].message,
            "x_gun is neither a robot nor a tool of cell demo: expected a robot (R1, R2, R3)");

  DiagnosticSink none;
  CheckToolLoadNames(LoadSite(Write("tl_ok.yaml",
                                    "format: weldcell-export/1\n"
                                    "tool_load: {R2: {mass: 80, cog: [0, 0, 0.1]}}\n")),
                     cell, &none);
  EXPECT_TRUE(none.diagnostics().empty());
}

}  // namespace
}  // namespace weldcell::exporters
