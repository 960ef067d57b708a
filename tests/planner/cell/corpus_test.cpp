// The malformed-input corpus (tests/planner/cell/bad/): every error class of docs/formats.md,
// matched by regex on `file:line:col: error: key: message`.

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <regex>
#include <set>
#include <sstream>

#include "planner/cell/load.hpp"

namespace weldcell::cell {
namespace {

namespace fs = std::filesystem;
const fs::path kBad = "tests/planner/cell/bad";

enum class Loader { kCell, kRobot, kTool, kUrdf };

struct Case {
  std::string file;  ///< In kBad.
  Loader loader;
  /// Each must match one line of the InputError message; `@` stands for the bad/ folder.
  std::vector<std::string> expected;
  std::size_t error_count = 0;  ///< Exact number of errors (all of them are reported).
};

std::ostream& operator<<(std::ostream& out, const Case& c) { return out << c.file; }

const std::vector<Case>& Cases() {
  // One case per entry, its messages one per line: clang-format would re-indent the whole table
  // whenever an entry is added.
  // clang-format off
  static const std::vector<Case> kCases =
      {
          {"c01_unknown_key.yaml",
           Loader::kCell,
           {R"(^@/c01_unknown_key\.yaml:8:5: error: robots\[0\]\.hom: unknown key 'hom' \(did you mean 'home'\? expected one of: name, model, tool, base, home, controller\)$)"},
           1},
          {"c02_missing_key.yaml",
           Loader::kCell,
           {R"(^@/c02_missing_key\.yaml:1:1: error: cycle_time: missing required key 'cycle_time'$)",
            R"(^@/c02_missing_key\.yaml:4:5: error: robots\[0\]\.tool: missing required key 'tool'$)"},
           2},
          {"c03_string_for_number.yaml",
           Loader::kCell,
           {R"(^@/c03_string_for_number\.yaml:3:13: error: cycle_time: expected a number, got "fast"$)",
            R"(^@/c03_string_for_number\.yaml:9:21: error: welds\[0\]\.p\[1\]: expected a number, got the string "1"$)"},
           2},
          {"c04_two_numbers.yaml",
           Loader::kCell,
           {R"(^@/c04_two_numbers\.yaml:8:17: error: robots\[0\]\.base\.xyz: expected 3 numbers, got 2$)"},
           1},
          {"c05_missing_model.yaml",
           Loader::kCell,
           {R"(^@/c05_missing_model\.yaml:6:12: error: robots\[0\]\.model: file not found: tests/planner/cell/nowhere/robot\.yaml$)"},
           1},
          {"c06_unknown_unit.yaml",
           Loader::kCell,
           {R"(^@/c06_unknown_unit\.yaml:3:17: error: units\.length: unknown length unit 'inch' \(expected mm, cm or m\)$)",
            R"(^@/c06_unknown_unit\.yaml:3:30: error: units\.angle: unknown angle unit 'grad' \(expected deg or rad\)$)"},
           2},
          {"c07_nan_inf.yaml",
           Loader::kCell,
           {R"(^@/c07_nan_inf\.yaml:3:13: error: cycle_time: NaN and infinity are not allowed \(got \.nan\)$)",
            R"(^@/c07_nan_inf\.yaml:9:21: error: welds\[0\]\.p\[1\]: NaN and infinity are not allowed \(got \.inf\)$)",
            R"(^@/c07_nan_inf\.yaml:10:53: error: welds\[1\]\.weld_time: NaN and infinity are not allowed \(got -\.Inf\)$)"},
           3},
          {"c08_zero_normal.yaml",
           Loader::kCell,
           {R"(^@/c08_zero_normal\.yaml:10:31: error: welds\[1\]\.n: the normal must be non-zero$)"},
           1},
          {"c09_duplicate_weld.yaml",
           Loader::kCell,
           {R"(^@/c09_duplicate_weld\.yaml:11:10: error: welds\[2\]\.id: duplicate weld id 'W1' \(first at @/c09_duplicate_weld\.yaml:9\)$)"},
           1},
          {"c10_duplicate_robot.yaml",
           Loader::kCell,
           {R"(^@/c10_duplicate_robot\.yaml:8:11: error: robots\[1\]\.name: duplicate robot name 'R1' \(first at line 5\)$)"},
           1},
          // Errors of an included file name that file (here the URDF of the robot model).
          {"c11_joint_limits.yaml",
           Loader::kCell,
           {R"(^@/limits\.urdf:17:5: error: joint\[joint_2\]\.limit: lower limit 2 rad must be below upper limit -1 rad$)",
            R"(^@/limits\.urdf:17:5: error: joint\[joint_2\]\.limit: velocity limit must be > 0 for a movable joint, got 0$)"},
           2},
          {"c12_home_outside.yaml",
           Loader::kCell,
           {R"(^@/c12_home_outside\.yaml:9:15: error: robots\[0\]\.home\[1\]: joint joint_2 value 200 deg is outside its limits \[-85\.9437, 114\.592\] deg$)",
            R"(^@/c12_home_outside\.yaml:13:18: error: robots\[1\]\.home\[2\]: joint slide value 250 mm is outside its limits \[0, 200\] mm$)"},
           2},
          {"c13_bad_format.yaml",
           Loader::kCell,
           {R"(^@/c13_bad_format\.yaml:1:9: error: format: unknown format version 'weldcell/2' \(expected 'weldcell/1'\)$)"},
           1},
          {"c14_csv_columns.yaml",
           Loader::kCell,
           {R"(^@/c14_welds\.csv:3:10: error: expected 7 to 12 columns \(as in the header\), got 5$)",
            R"(^@/c14_welds\.csv:4:27: error: expected 7 to 12 columns \(as in the header\), got 13$)"},
           2},
          {"c15_csv_number.yaml",
           Loader::kCell,
           {R"(^@/c15_welds\.csv:3:10: error: nx: expected a number, got "abc"$)",
            R"(^@/c15_welds\.csv:4:8: error: z: NaN and infinity are not allowed \(got nan\)$)",
            R"(^@/c15_welds\.csv:5:10: error: nx: the normal must be non-zero$)",
            R"(^@/c15_welds\.csv:6:16: error: weld_time: must be > 0, got -2$)",
            R"(^@/c15_welds\.csv:7:8: error: z: missing value$)"},
           5},
          {"c16_unknown_after.yaml",
           Loader::kCell,
           {R"(^@/c16_unknown_after\.yaml:10:54: error: welds\[1\]\.after\[1\]: unknown weld id 'W9' in after$)"},
           1},
          {"c17_bad_dialect.yaml",
           Loader::kCell,
           {R"(^@/c17_bad_dialect\.yaml:8:27: error: robots\[0\]\.controller\.dialect: unknown dialect 'kuka' \(expected kuka_krl, abb_rapid, fanuc_ls, yaskawa_inform or ur_script\)$)"},
           1},
          {"c18_home_size.yaml",
           Loader::kCell,
           {R"(^@/c18_home_size\.yaml:8:11: error: robots\[0\]\.home: expected 4 numbers \(one per movable joint of tiny_arm\), got 3$)"},
           1},
          {"c19_yaml_syntax.yaml",
           Loader::kCell,
           {R"(^@/c19_yaml_syntax\.yaml:7:6: error: YAML syntax error: end of sequence flow not found$)"},
           1},
          // Several problems in one file: all of them are reported, in one exception.
          {"c20_several_errors.yaml",
           Loader::kCell,
           {R"(^@/c20_several_errors\.yaml:13:1: error: colour: unknown key 'colour')",
            R"(^@/c20_several_errors\.yaml:4:13: error: cycle_time: must be > 0, got -3$)",
            R"(^@/c20_several_errors\.yaml:9:27: error: robots\[0\]\.controller\.dialect: unknown dialect 'fanuc')",
            R"(^@/c20_several_errors\.yaml:11:31: error: welds\[0\]\.n: the normal must be non-zero$)",
            // The first W1 has an error, and its id is still the second's.
            R"(^@/c20_several_errors\.yaml:12:10: error: welds\[1\]\.id: duplicate weld id 'W1' \(first at @/c20_several_errors\.yaml:11\)$)"},
           5},
          {"c21_obstacles.yaml",
           Loader::kCell,
           {R"(^@/c21_obstacles\.yaml:10:5: error: obstacles\[0\]: expected exactly one of box, cylinder, sphere, mesh \(got 2\)$)",
            R"(^@/c21_obstacles\.yaml:11:5: error: obstacles\[1\]: expected exactly one of box, cylinder, sphere, mesh \(got 0\)$)",
            R"(^@/c21_obstacles\.yaml:12:5: error: obstacles\[2\]\.name: missing required key 'name'$)",
            R"(^@/c21_obstacles\.yaml:13:24: error: obstacles\[3\]\.mesh: mesh file not found: @/meshes/part_gone\.stl$)",
            R"(^@/c21_obstacles\.yaml:15:12: error: obstacles\[5\]\.name: duplicate obstacle name 'dup' \(first at line 14\)$)",
            R"(^@/c21_obstacles\.yaml:15:45: error: obstacles\[5\]\.scale: scale is only allowed with mesh$)",
            R"(^@/c21_obstacles\.yaml:16:23: error: obstacles\[6\]\.box: box edge lengths must be > 0$)",
            R"(^@/c21_obstacles\.yaml:17:12: error: obstacles\[7\]\.name: obstacle name 'R1' is )"
            R"(the name of a robot \(line 5\); collisions and reports name both, so give it )"
            R"(another$)",
            R"(^@/c21_obstacles\.yaml:18:12: error: obstacles\[8\]\.name: 'clamp ' begins or ends )"
            R"(with a space \(names are compared exactly\)$)"},
           9},
          {"c22_precedence_cycle.yaml",
           Loader::kCell,
           {R"(^@/c22_precedence_cycle\.yaml:12:50: error: welds\[3\]\.after\[0\]: a weld cannot come after itself$)",
            R"(^@/c22_precedence_cycle\.yaml:13:54: error: welds\[4\]\.after\[1\]: weld 'W1' is )"
            R"(listed twice in after \(also after\[0\]\)$)",
            R"(^@/c22_precedence_cycle\.yaml:9:50: error: welds\[0\]\.after\[0\]: precedence cycle: W1 after W3 after W2 after W1$)"},
           3},
          {"c23_spin_tilt.yaml",
           Loader::kCell,
           {R"(^@/c23_spin_tilt\.yaml:9:48: error: welds\[0\]\.spin: spin min must be <= max, got \[10, -10\]$)",
            R"(^@/c23_spin_tilt\.yaml:10:48: error: welds\[1\]\.tilt: must be >= 0, got -5$)",
            R"(^@/c23_spin_tilt\.yaml:11:48: error: welds\[2\]\.spin: expected 2 numbers \(min, max\), got 3$)"},
           3},
          {"c24_csv_header.yaml",
           Loader::kCell,
           {R"(^@/c24_welds\.csv:1:1: error: header: expected the header id,x,y,z,nx,ny,nz\[,weld_time,tilt,spin_min,spin_max,group,after\], got 'id,nx,ny,nz,x,y,z' \(column 2 is 'nx', expected 'x'\)$)"},
           1},
          {"c25_missing_files.yaml",
           Loader::kCell,
           {R"(^@/c25_missing_files\.yaml:7:11: error: robots\[0\]\.tool: file not found: @/tools/no_gun\.yaml$)",
            R"(^@/c25_missing_files\.yaml:9:9: error: welds\.file: file not found: @/no_welds\.csv$)"},
           2},
          {"c26_duplicate_key.yaml",
           Loader::kCell,
           {R"(^@/c26_duplicate_key\.yaml:9:1: error: cycle_time: duplicate key 'cycle_time'$)"},
           1},
          {"c27_settings.yaml",
           Loader::kCell,
           {R"(^@/c27_settings\.yaml:10:9: error: settings\.seed: expected a non-negative integer, got "-1"$)",
            R"(^@/c27_settings\.yaml:11:39: error: settings\.reach\.clearance: unknown key 'clearance')",
            R"(^@/c27_settings\.yaml:11:22: error: settings\.reach\.spin_step: must be > 0, got 0$)",
            R"(^@/c27_settings\.yaml:11:36: error: settings\.reach\.tilt_step: must be 0 or between 0\.00174533 and 1\.5708 rad \(0 samples only the normal\), got 5$)",
            R"(^@/c27_settings\.yaml:12:44: error: settings\.motion\.speed_scale: must be between 0\.01 and 1 \(the share of the joints' velocity limits; a controller's lowest speed override is 1 %\), got 1\.5$)"},
           5},
          // Bounds that keep reach and collision checking finite (issue 9: 1e-7 overflowed a
          // count).
          {"c33_settings_bounds.yaml",
           Loader::kCell,
           {R"(^@/c33_settings_bounds\.yaml:12:22: error: settings\.reach\.spin_step: must be between 0\.1 and 360 deg \(at most 3600 gun spins per weld\), got 1e-7$)",
            R"(^@/c33_settings_bounds\.yaml:12:39: error: settings\.reach\.tilt_step: must be 0 or between 0\.1 and 90 deg \(0 samples only the normal\), got 0\.01$)",
            R"(^@/c33_settings_bounds\.yaml:13:24: error: settings\.motion\.resolution: must be between 0\.1 and 100 mm \(travel between collision checks\), got 1e-9$)"},
           3},
          {"c34_pose_samples.yaml",
           Loader::kCell,
           {R"(^@/c34_pose_samples\.yaml:12:10: error: welds\[0\]: reach would try 4323600 gun poses for weld W1 \(3600 spins x 1201 tilts; 1 more welds likewise\), more than 20000: use a larger settings\.reach\.spin_step or tilt_step, or a smaller tilt tolerance$)"},
           1},
          {"c35_control_characters.yaml",
           Loader::kCell,
           {R"(^@/c35_control_characters\.yaml:3:7: error: name: names must be printable: control character U\+000D \(carriage return\) at byte 8$)", R"(^@/c35_control_characters\.yaml:6:12: error: robots\[0\]\.name: names must be printable: control character U\+0009 \(tab\) at byte 2$)", R"(^@/c35_control_characters\.yaml:8:10: error: welds\[0\]\.id: names must be printable: control character U\+000A \(newline\) at byte 3$)", R"(^@/c35_control_characters\.yaml:8:59: error: welds\[0\]\.group: names must be printable: control character U\+007F at byte 2$)", R"(^@/c35_control_characters\.yaml:9:56: error: welds\[1\]\.after\[0\]: names must be printable: control character U\+0085 at byte 2$)",
            R"(^@/c35_control_characters\.yaml:11:12: error: obstacles\[0\]\.name: names must be printable: control character U\+001B at byte 1$)"},
           6},
          // A cell naming a broken tool: the tool's errors name the tool file.
          {"c28_included_tool.yaml",
           Loader::kCell,
           {R"(^@/t01_tool_errors\.yaml:8:1: error: colour: unknown key 'colour')",
            R"(^@/t01_tool_errors\.yaml:12:12: error: collision\[2\]\.mesh: mesh file not found: @/meshes/gun_gone\.stl$)"},
           7},
          {"c29_wrong_shapes.yaml",
           Loader::kCell,
           {R"(^@/c29_wrong_shapes\.yaml:2:7: error: name: expected a non-empty string, got a list of 2$)",
            R"(^@/c29_wrong_shapes\.yaml:4:9: error: robots: expected a list of at least one robot$)",
            R"(^@/c29_wrong_shapes\.yaml:5:8: error: welds: expected a list of welds or a mapping \{file, defaults\}$)",
            R"(^@/c29_wrong_shapes\.yaml:6:12: error: obstacles: expected a list of obstacles$)",
            R"(^@/c29_wrong_shapes\.yaml:7:11: error: settings: expected a mapping, got a list of 2$)"},
           5},
          {"c30_included_robot.yaml",
           Loader::kCell,
           {R"(^@/r04_robot_yaml_errors\.yaml:5:15: error: acceleration: expected 4 numbers)"},
           6},
          // Two robots of one broken model: its errors are reported once.
          {"c31_shared_broken_model.yaml",
           Loader::kCell,
           {R"(^@/limits\.urdf:17:5: error: joint\[joint_2\]\.limit: lower limit 2 rad must be below upper limit -1 rad$)"},
           2},
          // Meshes are surfaces for motion checks, but a base or a weld inside a closed mesh or a
          // primitive obstacle is impossible: reported (by more than 1 mm; open meshes have no
          // inside).
          {"c32_inside_solids.yaml",
           Loader::kCell,
           {R"(^@/c32_inside_solids\.yaml:6:78: error: robots\[0\]\.base: the base of robot R1 at \[0\.000, 0\.000, 0\.000\] m lies inside obstacle 'pedestal' \(closed mesh tests/planner/cell/solids/pedestal\.stl\), 100\.0 mm from its surface: move the robot or the obstacle$)",
            R"(^@/c32_inside_solids\.yaml:7:78: error: robots\[1\]\.base: the base of robot R2 at \[3\.000, 0\.000, 0\.100\] m lies inside obstacle 'block' \(box\), 100\.0 mm from its surface)",
            R"(^@/c32_inside_solids\.yaml:9:78: error: robots\[3\]\.base: .* inside obstacle 'column' \(cylinder\), 100\.0 mm)",
            R"(^@/c32_inside_solids\.yaml:10:78: error: robots\[4\]\.base: .* inside obstacle 'ball' \(sphere\), 300\.0 mm)",
            R"(^@/c32_inside_solids\.yaml:13:10: error: welds\[0\]: weld W1 at \[0\.000, 0\.000, 0\.300\] m lies 100\.0 mm inside obstacle 'pedestal' \(closed mesh .*pedestal\.stl\))",
            R"(^@/c32_inside_solids\.yaml:15:10: error: welds\[2\]: weld W3 at \[3\.000, 0\.000, 0\.498\] m lies 2\.0 mm inside obstacle 'block' \(box\))"},
           6},
          {"r01_joint_limits.yaml",
           Loader::kRobot,
           {R"(^@/limits\.urdf:17:5: error: joint\[joint_2\]\.limit: lower limit 2 rad must be below upper limit -1 rad$)"},
           2},
          {"r02_tip_not_below.yaml",
           Loader::kRobot,
           {R"(^@/r02_tip_not_below\.yaml:4:28: error: chain\.tip: tip link 'link_1' is not below base link 'link_2' in tests/planner/cell/good/tiny_description/urdf/tiny\.urdf \(walking up from the tip reaches 'world_stand'\)$)"},
           1},
          {"r03_missing_collision_mesh.yaml",
           Loader::kRobot,
           {R"(^@/missing_mesh\.urdf:5:9: error: link\[base_link\]\.collision\[0\]\.mesh: mesh file not found: meshes/base_gone\.stl \(tried @/meshes/base_gone\.stl\)$)"},
           1},
          {"r04_robot_yaml_errors.yaml",
           Loader::kRobot,
           {R"(^@/r04_robot_yaml_errors\.yaml:10:1: error: maker: unknown key 'maker')",
            R"(^@/r04_robot_yaml_errors\.yaml:1:9: error: format: unknown format version 'weldcell-robot/2' \(expected 'weldcell-robot/1'\)$)",
            R"(^@/r04_robot_yaml_errors\.yaml:5:15: error: acceleration: expected 4 numbers \(one per movable joint of the chain base_link -> tool0\), got 3$)",
            R"(^@/r04_robot_yaml_errors\.yaml:8:14: error: controller_joints\.signs\[1\]: expected 1 or -1, got 2$)",
            R"(^@/r04_robot_yaml_errors\.yaml:9:23: error: controller_joints\.couplings\[0\]\.joint: expected a joint number from 1 to 4, got 9$)",
            R"(^@/r04_robot_yaml_errors\.yaml:9:36: error: controller_joints\.couplings\[1\]: a joint cannot be coupled to itself$)"},
           6},
          {"r05_too_many_joints.yaml",
           Loader::kRobot,
           {R"(^@/r05_too_many_joints\.yaml:4:31: error: chain\.tip: the chain base_link -> tool0 has 17 movable joints; weldcell supports at most 16$)"},
           1},
          {"r06_no_movable_joint.yaml",
           Loader::kRobot,
           {R"(^@/r06_no_movable_joint\.yaml:4:31: error: chain\.tip: the chain base_link -> tool0 has no movable joint \(only fixed joints\): there is nothing to plan; weldcell needs 1 to 16 revolute or prismatic joints$)"},
           1},
          {"t01_tool_errors.yaml",
           Loader::kTool,
           {R"(^@/t01_tool_errors\.yaml:8:1: error: colour: unknown key 'colour')",
            R"(^@/t01_tool_errors\.yaml:1:1: error: weld_time: missing required key 'weld_time'$)",
            R"(^@/t01_tool_errors\.yaml:4:30: error: tcp\.rpy: expected 3 numbers, got 2$)",
            R"(^@/t01_tool_errors\.yaml:6:13: error: close_time: must be >= 0, got -0\.1$)",
            R"(^@/t01_tool_errors\.yaml:10:11: error: collision\[0\]\.box: expected 3 numbers, got 2$)",
            R"(^@/t01_tool_errors\.yaml:11:16: error: collision\[1\]\.cylinder\.length: missing required key 'length'$)",
            R"(^@/t01_tool_errors\.yaml:12:12: error: collision\[2\]\.mesh: mesh file not found: @/meshes/gun_gone\.stl$)"},
           7},
          {"u01_no_limits.urdf",
           Loader::kUrdf,
           {R"(^@/u01_no_limits\.urdf:4:3: error: urdfdom: Joint \[joint_1\] is of type REVOLUTE but it does not specify limits$)",
            R"(^@/u01_no_limits\.urdf: error: not a valid URDF \(urdfdom could not parse it\)$)"},
           3},
          // Absurd limits are rejected at load: they make reach and planning useless.
          {"u02_joint_limit_bounds.urdf",
           Loader::kUrdf,
           {R"(^@/u02_joint_limit_bounds\.urdf:13:5: error: joint\[joint_1\]\.limit: lower limit -1e\+06 rad is beyond the sanity bound: expected limits in \[-6283\.19, 6283\.19\] rad \(1000 turns each way\)$)",
            R"(^@/u02_joint_limit_bounds\.urdf:17:5: error: joint\[joint_2\]\.limit: lower and upper limit are both 1 rad: a joint that cannot move must be a fixed joint$)",
            R"(^@/u02_joint_limit_bounds\.urdf:21:5: error: joint\[joint_3\]\.limit: upper limit 250 m is beyond the sanity bound: expected limits in \[-100, 100\] m$)",
            R"(^@/u02_joint_limit_bounds\.urdf:25:5: error: joint\[joint_4\]\.limit: velocity limit must be > 0 for a movable joint, got -2$)"},
           4},
          // Mimic joints on the chain are rejected where the <mimic> is written.
          {"u03_mimic_on_chain.urdf",
           Loader::kUrdf,
           {R"(^@/u03_mimic_on_chain\.urdf:16:5: error: joint\[joint_2\]\.mimic: joint joint_2 mimics joint joint_1 \(multiplier -1, offset 0\.5\): mimic joints on the arm chain are not supported)"},
           1},
          // Geometry numbers urdfdom drops or accepts silently (issue 9): all of them, where
          // written.
          {"u05_bad_geometry.urdf",
           Loader::kUrdf,
           {R"(^@/u05_bad_geometry\.urdf:5:26: error: link\[base_link\]\.collision\[0\]\.box\.size: expected 3 finite numbers > 0, got "nan 1 1"$)",
            R"(^@/u05_bad_geometry\.urdf:7:7: error: link\[base_link\]\.collision\[1\]\.origin\.xyz: expected 3 finite numbers, got "0 nan 0\.15"$)",
            R"(^@/u05_bad_geometry\.urdf:10:23: error: link\[base_link\]\.visual\[0\]\.box\.size: expected 3 finite numbers > 0, got "0\.2 -0\.2 0\.1"$)",
            R"(^@/u05_bad_geometry\.urdf:13:26: error: link\[link_1\]\.collision\[0\]\.mesh\.scale: expected 3 finite numbers, none of them 0, got "nan 1 1"$)",
            R"(^@/u05_bad_geometry\.urdf:14:26: error: link\[link_1\]\.collision\[1\]\.mesh\.scale: expected 3 finite numbers, none of them 0, got "0 0 0"$)",
            R"(^@/u05_bad_geometry\.urdf:15:26: error: link\[link_1\]\.collision\[2\]\.cylinder\.length: expected a finite number > 0, got "inf"$)",
            R"(^@/u05_bad_geometry\.urdf:16:13: error: link\[link_1\]\.visual\[0\]\.origin\.rpy: expected 3 finite numbers, got "0 x 0"$)",
            R"(^@/u05_bad_geometry\.urdf:16:56: error: link\[link_1\]\.visual\[0\]\.sphere\.radius: expected a finite number > 0, got "0"$)"},
           8},
          // A URDF must be a tree: urdfdom keeps one of two parent joints without a word.
          {"u06_two_parents.urdf",
           Loader::kUrdf,
           {R"(^@/u06_two_parents\.urdf:19:3: error: joint\[shortcut\]: link link_2 is the child of 2 joints: joint_2 \(line 12\), shortcut \(line 19\); a URDF must be a tree \(one parent joint per link\)$)"},
           1},
          // Self-collision pairs grow with the square of the links: 20000 fixed frames made `check`
          // run for minutes.
          {"u07_too_many_links.urdf",
           Loader::kUrdf,
           {R"(^@/u07_too_many_links\.urdf:68:3: error: the chain base_link -> tool0 has 65 links; weldcell supports at most 64 \(fixed frames included\)$)"},
           1},
          // Finite but absurd magnitudes: rejected with the value and the sanity bound.
          {"c36_sanity_bounds.yaml",
           Loader::kCell,
           {R"(^@/c36_sanity_bounds\.yaml:4:13: error: cycle_time: 1e300 s is beyond the sanity bound: expected <= 86400 s \(1 day\)$)",
            R"(^@/c36_sanity_bounds\.yaml:10:18: error: robots\[0\]\.base\.xyz\[0\]: 1e30 mm is beyond the sanity bound: expected \|x\| <= 1000 m \(1 km\)$)",
            R"(^@/c36_sanity_bounds\.yaml:12:21: error: welds\[0\]\.p\[1\]: 1e30 mm is beyond the sanity bound: expected \|x\| <= 1000 m \(1 km\)$)",
            R"(^@/c36_sanity_bounds\.yaml:12:56: error: welds\[0\]\.weld_time: 1e300 s is beyond the sanity bound: expected <= 86400 s \(1 day\)$)"},
           4},
          {"r07_acceleration_bounds.yaml",
           Loader::kRobot,
           {R"(^@/r07_acceleration_bounds\.yaml:6:16: error: acceleration\[0\]: 1e300 rad/s\^2 is beyond the sanity bound: expected <= 10000 rad/s\^2$)", R"(^@/r07_acceleration_bounds\.yaml:6:30: error: acceleration\[2\]: 2000 m/s\^2 is beyond the sanity bound: expected <= 1000 m/s\^2$)"},
           2},
          {"t02_tool_bounds.yaml",
           Loader::kTool,
           {R"(^@/t02_tool_bounds\.yaml:5:19: error: tcp\.xyz\[2\]: 1e30 mm is beyond the sanity bound: expected \|x\| <= 1000 m \(1 km\)$)",
            R"(^@/t02_tool_bounds\.yaml:6:20: error: approach_distance: 1e9 mm is beyond the sanity bound: expected \|x\| <= 1000 m \(1 km\)$)",
            R"(^@/t02_tool_bounds\.yaml:7:13: error: close_time: 1e300 s is beyond the sanity bound: expected <= 86400 s \(1 day\)$)",
            R"(^@/t02_tool_bounds\.yaml:8:12: error: open_time: 86401 s is beyond the sanity bound: expected <= 86400 s \(1 day\)$)",
            R"(^@/t02_tool_bounds\.yaml:9:12: error: weld_time: 1e300 s is beyond the sanity bound: expected <= 86400 s \(1 day\)$)",
            R"(^@/t02_tool_bounds\.yaml:11:17: error: collision\[0\]\.box\[1\]: 1e300 mm is beyond the sanity bound: expected \|x\| <= 1000 m \(1 km\)$)",
            R"(^@/t02_tool_bounds\.yaml:12:37: error: collision\[1\]\.cylinder\.length: 2e6 mm is beyond the sanity bound: expected \|x\| <= 1000 m \(1 km\)$)"},
           7},
          {"u08_sanity_bounds.urdf",
           Loader::kUrdf,
           {R"(^@/u08_sanity_bounds\.urdf:16:5: error: joint\[joint_1\]\.limit\.velocity: velocity 1e\+300 rad/s is beyond the sanity bound: expected <= 1000 rad/s$)",
            R"(^@/u08_sanity_bounds\.urdf:16:5: error: joint\[joint_1\]\.limit\.effort: effort 1e\+300 is beyond the sanity bound: expected \|x\| <= 1e6 \(N·m or N\)$)",
            R"(^@/u08_sanity_bounds\.urdf:20:5: error: joint\[joint_2\]\.origin\.xyz: 1e\+30 m is beyond the sanity bound: expected \|x\| <= 1000 m \(1 km\)$)",
            R"(^@/u08_sanity_bounds\.urdf:21:5: error: joint\[joint_2\]\.limit\.velocity: velocity 101 m/s is beyond the sanity bound: expected <= 100 m/s$)",
            R"(^@/u08_sanity_bounds\.urdf:6:16: error: link\[base_link\]\.collision\[0\]\.origin\.xyz: "0 0 5000" is beyond the sanity bound: expected \|x\| <= 1000 m \(1 km\)$)",
            R"(^@/u08_sanity_bounds\.urdf:7:26: error: link\[base_link\]\.collision\[1\]\.cylinder\.length: "1e4" is beyond the sanity bound: expected \|x\| <= 1000 m \(1 km\)$)",
            R"(^@/u08_sanity_bounds\.urdf:5:23: error: link\[base_link\]\.visual\[0\]\.box\.size: "1e300 1 1" is beyond the sanity bound: expected \|x\| <= 1000 m \(1 km\)$)",
            R"(^@/u08_sanity_bounds\.urdf:10:26: error: link\[link_1\]\.collision\[0\]\.mesh: is a directory, expected a mesh: @$)"},
           8},
          // Slower than any real robot: the plan's timeline, and all sampled along it, grew
          // without bound (speed_scale 0.001: std::bad_alloc; velocity 1e-7: 14 GB).
          {"c53_slow_speed_scale.yaml",
           Loader::kCell,
           {R"(^@/c53_slow_speed_scale\.yaml:12:25: error: settings\.motion\.speed_scale: must be between 0\.01 and 1 \(the share of the joints' velocity limits; a controller's lowest speed override is 1 %\), got 0\.001$)"},
           1},
          // A fresh user (2026-12-07): a welds CSV saved with quoted fields (RFC 4180, as
          // spreadsheets write it) kept the quotes in the ids; 1e400 was "not a number".
          {"c54_csv_quoting.yaml",
           Loader::kCell,
           {R"(^@/c54_welds\.csv:5:5: error: text after a quoted field's closing quote \(write a quote inside it as ""\)$)",
            R"(^@/c54_welds\.csv:6:4: error: x: the number 1e400 is out of the range of a double \(its magnitude must be below 1\.8e308 and, unless zero, above 2\.2e-308\)$)",
            R"(^@/c54_welds\.csv:7:1: error: a quoted field has no closing quote \(a field cannot span lines\)$)",
            R"(^@/c54_welds\.csv:8:16: error: weld_time: the number 1e-400 is out of the range of a double)",
            R"(^@/c54_welds\.csv:4:2: error: id: duplicate weld id 'W,"1"' \(first at @/c54_welds\.csv:3\)$)",
            R"(^@/c54_welds\.csv:9:4: error: x: expected a number, got "0,5" \(a decimal comma\? numbers are written with `\.`\)$)",
            R"(^@/c54_welds\.csv:10:1: error: expected 7 to 8 columns \(as in the header\), got 1 \(fields separated by `;`\? the weld CSV separates them by `,`\)$)"},
           7},
          // A fresh user (2026-12-07): a German spreadsheet saves `;`-separated fields.
          {"c55_csv_semicolons.yaml",
           Loader::kCell,
           {R"(^@/c55_welds\.csv:1:1: error: header: expected the header id,x,y,z,nx,ny,nz\[,weld_time,tilt,spin_min,spin_max,group,after\], got 'id;x;y;z;nx;ny;nz' \(its fields are separated by `;`, as a spreadsheet with a decimal comma saves them; the weld CSV separates them by `,` and writes decimals with `\.`\)$)"},
           1},
          // A fresh user (2026-12-07): a gun in mm without `units:` became one hundreds of
          // metres long, and `check` blamed every obstacle at the homes.
          {"t08_gun_in_mm.yaml",
           Loader::kTool,
           {R"(^@/t08_gun_in_mm\.yaml:4:6: error: tcp: the TCP lies 450 m from the flange, a weld gun's within 3 m: lengths in mm without `units: \{length: mm\}`\?$)",
            R"(^@/t08_gun_in_mm\.yaml:5:20: error: approach_distance: the approach distance is 100 m, a weld gun's within 1 m: lengths in mm without `units: \{length: mm\}`\?$)",
            R"(^@/t08_gun_in_mm\.yaml:6:13: error: close_time: 250 s is beyond any weld gun's \(at most 10 s; guns take tenths of a second\): times are in seconds, not ms$)",
            R"(^@/t08_gun_in_mm\.yaml:10:5: error: collision\[0\]: the shape reaches 171\.285 m from the flange, a weld gun's within 3 m: lengths in mm without `units: \{length: mm\}`\?$)"},
           4},
          {"c56_csv_tabs.yaml",
           Loader::kCell,
           {R"(^@/c56_welds\.csv:1:1: error: header: expected the header id,x,y,z,nx,ny,nz\[,weld_time,tilt,spin_min,spin_max,group,after\], got 'id\\tx\\ty\\tz\\tnx\\tny\\tnz' \(its fields are separated by tabs; the weld CSV separates them by `,`\)$)"},
           1},
          {"c57_csv_after.yaml",
           Loader::kCell,
           {R"(^@/c57_welds\.csv:5:23: error: after: weld ids in after are separated by blanks, got "W1;W2"$)",
            R"(^@/c57_welds\.csv:3:28: error: after\[1\]: unknown weld id 'W9' in after$)",
            R"(^@/c57_welds\.csv:6:23: error: after\[0\]: a weld cannot come after itself$)",
            R"(^@/c57_welds\.csv:2:21: error: after\[0\]: precedence cycle: W1 after W3 after W1$)"},
           4},
          // A weld with an error is not loaded, but its id is known: a weld `after` it is not
          // said to name an unknown weld too (a fresh user: two errors for one mistake).
          {"c58_weld_with_error.yaml",
           Loader::kCell,
           {R"(^@/c58_welds\.csv:2:8: error: z: expected a number, got "abc"$)",
            R"(^@/c58_welds\.csv:4:23: error: after: weld ids in after are separated by blanks, got "W1,W2"$)",
            // Rows whose fields cannot be read keep their ids known too (W6 is after both).
            R"(^@/c58_welds\.csv:5:8: error: expected 7 to 13 columns \(as in the header\), got 3$)",
            R"(^@/c58_welds\.csv:6:4: error: a quoted field has no closing quote \(a field cannot span lines\)$)"},
           4},
          {"c59_inline_weld_with_error.yaml",
           Loader::kCell,
           {R"(^@/c59_inline_weld_with_error\.yaml:9:24: error: welds\[0\]\.p\[2\]: expected a number, got "abc"$)",
            R"(^@/c59_inline_weld_with_error\.yaml:10:70: error: welds\[1\]\.after\[1\]: unknown weld id 'W9' in after$)"},
           2},
          // A fresh user (2026-12-07): a quoted field keeps its blanks, and `"A1 "` loaded as
          // a weld that printed as A1 (the next row's `after: A1` then named an unknown weld).
          // Refused, and known as the id meant (no second error at A2's `after`). Unquoted
          // fields lose their blanks, as before (A2).
          {"c60_csv_quoted_spaces.yaml",
           Loader::kCell,
           {R"(^@/c60_welds\.csv:2:1: error: id: 'A1 ' begins or ends with a space \(names are compared exactly\)$)",
            R"(^@/c60_welds\.csv:2:23: error: group: 'grp ' begins or ends with a space \(names are compared exactly\)$)",
            R"(^@/c60_welds\.csv:4:1: error: id: ' A3' begins or ends with a space \(names are compared exactly\)$)"},
           3},
          // A fresh station author (2026-12-07): YAML's merge key, which yaml-cpp reads as a
          // plain key, was "unknown key '<<'" beside the keys it should have brought.
          {"c61_merge_key.yaml",
           Loader::kCell,
           {R"(^@/c61_merge_key\.yaml:4:1: error: x-arm: unknown key 'x-arm')",
            R"(^@/c61_merge_key\.yaml:8:5: error: robots\[0\]\.<<: merge keys \(`<<: \*anchor`\) are not supported: write the keys out \(anchors and aliases of whole values are\)$)"},
           2},
          {"u17_slow_joints.urdf",
           Loader::kUrdf,
           {R"(^@/u17_slow_joints\.urdf:11:5: error: joint\[joint_1\]\.limit\.velocity: velocity 1e-07 rad/s is below the sanity bound: expected >= 0\.01 rad/s \(0\.57 deg/s: slower than any real robot's joint\)$)",
            R"(^@/u17_slow_joints\.urdf:15:5: error: joint\[joint_2\]\.limit\.velocity: velocity 0\.0009 m/s is below the sanity bound: expected >= 0\.001 m/s \(1 mm/s: slower than any real robot's axis\)$)"},
           2},
          {"r13_slow_accelerations.yaml",
           Loader::kRobot,
           {R"(^@/r13_slow_accelerations\.yaml:6:16: error: acceleration\[0\]: 1e-9 rad/s\^2 is below the sanity bound: expected >= 0\.01 rad/s\^2 \(slower than any real robot's joint\)$)",
            R"(^@/r13_slow_accelerations\.yaml:6:28: error: acceleration\[2\]: 0\.0005 m/s\^2 is below the sanity bound: expected >= 0\.001 m/s\^2 \(slower than any real robot's axis\)$)"},
           2},
          // Not well-formed XML: where (urdfdom says only what, at no line).
          {"u09_cut_short.urdf",
           Loader::kUrdf,
           {R"(^@/u09_cut_short\.urdf:8:36: error: not well-formed XML: Premature end of data in tag joint line 6$)"},
           1},
          {"u10_tag_mismatch.urdf",
           Loader::kUrdf,
           {R"(^@/u10_tag_mismatch\.urdf:5:[0-9]+: error: not well-formed XML: Opening and ending tag mismatch: visual line 5 and visul$)"},
           1},
          {"u11_two_roots.urdf",
           Loader::kUrdf,
           {R"(^@/u11_two_roots\.urdf:6:[0-9]+: error: not well-formed XML: Extra content at the end of the document$)"},
           1},
          // Well-formed documents urdfdom cannot read, where it said what but not where.
          {"u12_internal_dtd.urdf",
           Loader::kUrdf,
           {R"(^@/u12_internal_dtd\.urdf:3:1: error: a DOCTYPE with declarations in brackets )"
            R"(\(\[\.\.\.\]\) cannot be read by urdfdom: remove the declarations or the DOCTYPE$)"},
           1},
          {"u13_no_robot_name.urdf",
           Loader::kUrdf,
           {R"(^@/u13_no_robot_name\.urdf:3:1: error: robot\.name: missing or empty: a URDF's )"
            R"(<robot> needs a name$)"},
           1},
          {"u14_root_not_robot.urdf",
           Loader::kUrdf,
           {R"(^@/u14_root_not_robot\.urdf:3:1: error: the root element is <sdf>; a URDF's root )"
            R"(is <robot>$)"},
           1},
          // urdfdom names the missing link first: the joint that names it is where to look.
          {"u15_missing_child.urdf",
           Loader::kUrdf,
           {R"(^@/u15_missing_child\.urdf:6:3: error: urdfdom: Failed to build tree: child link )"
            R"(\[link_9\] of joint \[joint_1\] not found$)",
            R"(^@/u15_missing_child\.urdf: error: not a valid URDF \(urdfdom could not parse it\)$)"},
           2},
          {"u16_utf16.urdf",
           Loader::kUrdf,
           {R"(^@/u16_utf16\.urdf:1:1: error: the file is UTF-16 or UTF-32 text; a URDF must be )"
            R"(UTF-8 \(convert it, e\.g\. iconv -f UTF-16 -t UTF-8\)$)"},
           1},
          {"u04_no_movable_joint.urdf",
           Loader::kUrdf,
           {R"(^@/u04_no_movable_joint\.urdf:5:3: error: the chain base_link -> tool0 has no movable joint)"},
           1},
          // plan.json's segments go from and to a weld id or "home": a weld called home was
          // accepted, and its plan then failed verification ("from home to home"); HOME or HoMe
          // stood beside it in programs of controllers that ignore case.
          {"c37_reserved_home.yaml",
           Loader::kCell,
           {R"(^@/c37_reserved_home\.yaml:9:10: error: welds\[1\]\.id: weld id 'home' is reserved \(plan\.json names a robot's home position "home", and controllers compare names with case ignored\); choose another id$)"},
           1},
          {"c38_reserved_home_csv.yaml",
           Loader::kCell,
           {R"(^@/c38_welds\.csv:3:3: error: id: weld id 'HoMe' is reserved \(plan\.json names a robot's home position "home", and controllers compare names with case ignored\); choose another id$)"},
           1},
          // An unknown unit is the file's only error: its numbers were then checked against
          // their bounds in the default unit (one error per weld coordinate in the CSV).
          {"c39_unknown_unit_values.yaml",
           Loader::kCell,
           {R"(^@/c39_unknown_unit_values\.yaml:5:17: error: units\.length: unknown length unit 'inch' \(expected mm, cm or m\)$)",
            R"(^@/c39_unknown_unit_values\.yaml:5:30: error: units\.angle: unknown angle unit 'grad' \(expected deg or rad\)$)"},
           2},
          {"t03_unknown_unit.yaml",
           Loader::kTool,
           {R"(^@/t03_unknown_unit\.yaml:4:17: error: units\.length: unknown length unit 'inch' \(expected mm, cm or m\)$)"},
           1},
          // A second YAML document was silently ignored: refused where it starts.
          {"c40_second_document.yaml",
           Loader::kCell,
           {R"(^@/c40_second_document\.yaml:8:1: error: a second YAML document starts here: a weldcell file is one document \(its keys would be ignored\)$)"},
           1},
          // A stray `,` where a node should start: the loader looped until memory ran
          // out (yaml-cpp 0.7's LoadAll, jbeder/yaml-cpp#1319); a syntax error at the token.
          {"t04_stray_comma.yaml",
           Loader::kTool,
           {R"(^@/t04_stray_comma\.yaml:3:1: error: YAML syntax error: unexpected "," where a key or a value should start$)"},
           1},
          // A `%` line (a YAML directive) at the end of a file was dropped, keys and all.
          {"t05_directive_line.yaml",
           Loader::kTool,
           {R"(^@/t05_directive_line\.yaml:12:1: error: a line starting with '%' is a YAML directive \(%YAML, %TAG\), which a weldcell file does not use; its line would be dropped \(a comment starts with #\)$)"},
           1},
          {"c43_stray_comma_after_document.yaml",
           Loader::kCell,
           {R"(^@/c43_stray_comma_after_document\.yaml:10:1: error: YAML syntax error: unexpected "," where a key or a value should start$)"},
           1},
          // A tilt tolerance of 360° or more was accepted (poses at 360° and 720°, and plans
          // that failed their own verification): at most 90°.
          {"c44_tilt_beyond_square.yaml",
           Loader::kCell,
           {R"(^@/c44_tilt_beyond_square\.yaml:11:48: error: welds\[1\]\.tilt: must be at most 90 deg \(1\.5708 rad: the gun axis square to the normal\), got 720 deg$)"},
           1},
          {"c45_tilt_beyond_square_csv.yaml",
           Loader::kCell,
           {R"(^@/c45_tilt_beyond_square_csv\.yaml:8:47: error: welds\.defaults\.tilt: must be at most 90 deg \(1\.5708 rad: the gun axis square to the normal\), got 10 rad \(degrees in a cell whose angle unit is rad\? the cell file's units: \{angle: deg\}\)$)",
            R"(^@/c45_welds\.csv:3:26: error: tilt: must be at most 90 deg \(1\.5708 rad: the gun axis square to the normal\), got 1\.6 rad$)"},
           2},
          // A no-break or other non-ASCII space, or a zero-width joiner, at a name's start or
          // end (inside is fine: W 2, W\u200D5); a blank braille pattern anywhere.
          {"c46_no_break_space.yaml",
           Loader::kCell,
           {R"(^@/c46_no_break_space\.yaml:8:12: error: robots\[1\]\.name: names must not begin or end with a space: U\+00A0 \(no-break space\) at byte 3 \(names are compared exactly\)$)",
            R"(^@/c46_no_break_space\.yaml:10:10: error: welds\[0\]\.id: names must not begin or end with a space: U\+3000 \(a space\) at byte 1 \(names are compared exactly\)$)",
            R"(^@/c46_no_break_space\.yaml:12:10: error: welds\[2\]\.id: names must not begin or end with a space: U\+200D \(zero-width joiner\) at byte 3 \(names are compared exactly\)$)",
            R"(^@/c46_no_break_space\.yaml:13:10: error: welds\[3\]\.id: names must be printable: invisible format character U\+2800 \(blank braille pattern\) at byte 2$)"},
           4},
          // Bidirectional controls and zero-width characters were accepted in names (U+200C
          // and U+200D, which Persian and Indic words need, still are: weld W\u200C3).
          {"c41_invisible_characters.yaml",
           Loader::kCell,
           {R"(^@/c41_invisible_characters\.yaml:4:7: error: name: names must be printable: invisible format character U\+200F \(bidirectional control\) at byte 8$)",
            R"(^@/c41_invisible_characters\.yaml:7:12: error: robots\[0\]\.name: names must be printable: invisible format character U\+202E \(bidirectional control\) at byte 2$)",
            R"(^@/c41_invisible_characters\.yaml:9:10: error: welds\[0\]\.id: names must be printable: invisible format character U\+200B \(zero-width\) at byte 2$)",
            R"(^@/c41_invisible_characters\.yaml:9:63: error: welds\[0\]\.group: names must be printable: invisible format character U\+FEFF \(zero-width\) at byte 1$)",
            R"(^@/c41_invisible_characters\.yaml:10:56: error: welds\[1\]\.after\[0\]: names must be printable: invisible format character U\+200E \(bidirectional control\) at byte 3$)",
            R"(^@/c41_invisible_characters\.yaml:12:10: error: welds\[3\]\.id: names must be printable: invisible format character U\+2028 \(line or paragraph separator\) at byte 2$)",
            R"(^@/c41_invisible_characters\.yaml:13:10: error: welds\[4\]\.id: names must be printable: invisible format character U\+FE0F \(variation selector\) at byte 3$)",
            R"(^@/c41_invisible_characters\.yaml:14:10: error: welds\[5\]\.id: names must be printable: invisible format character U\+3164 \(invisible\) at byte 2$)",
            R"(^@/c41_invisible_characters\.yaml:16:12: error: obstacles\[0\]\.name: names must be printable: invisible format character U\+2066 \(bidirectional control\) at byte 1$)"},
           9},
          // YAML tags were ignored (`cycle_time: !!str 45` loaded as 45): each one is an error
          // where it is written, in every weldcell YAML file (export.yaml: site_test.cpp).
          {"c47_yaml_tags.yaml",
           Loader::kCell,
           {R"(^@/c47_yaml_tags\.yaml:6:13: error: YAML tags are not supported \("!!str"\): write the value itself$)",
            R"(^@/c47_yaml_tags\.yaml:7:9: error: YAML tags are not supported \("!!seq"\): write the value itself$)",
            R"(^@/c47_yaml_tags\.yaml:8:12: error: YAML tags are not supported \("!robot"\): write the value itself$)",
            R"(^@/c47_yaml_tags\.yaml:8:86: error: YAML tags are not supported \("!!int"\): write the value itself$)",
            R"(^@/c47_yaml_tags\.yaml:10:56: error: YAML tags are not supported \("!!float"\): write the value itself$)",
            R"(^@/c47_yaml_tags\.yaml:11:5: error: YAML tags are not supported \("!!map"\): write the value itself$)",
            R"(^@/c47_yaml_tags\.yaml:13:1: error: YAML tags are not supported \("!!str"\): write the value itself$)",
            R"(^@/c47_yaml_tags\.yaml:13:24: error: YAML tags are not supported \("!!int"\): write the value itself$)"},
           8},
          {"r08_yaml_tag.yaml",
           Loader::kRobot,
           {R"(^@/r08_yaml_tag\.yaml:6:16: error: YAML tags are not supported \("!!str"\): write the value itself$)"},
           1},
          {"r09_unknown_controller.yaml",
           Loader::kRobot,
           {R"(^@/r09_unknown_controller\.yaml:7:30: error: controller_joints\.dialect: unknown dialect 'fanuc' \(expected the dialect of the arm's controller: kuka_krl, abb_rapid, fanuc_ls, yaskawa_inform or ur_script\)$)"},
           1},
          {"r10_absurd_offsets.yaml",
           Loader::kRobot,
           {R"(^@/r10_absurd_offsets\.yaml:9:36: error: controller_joints\.offsets\[1\]: expected an offset of at most 360 deg either way, got 1e9$)",
            R"(^@/r10_absurd_offsets\.yaml:9:41: error: controller_joints\.offsets\[2\]: expected an offset of at most 10000 mm either way, got 10001$)",
            R"(^@/r10_absurd_offsets\.yaml:9:48: error: controller_joints\.offsets\[3\]: expected an offset of at most 360 deg either way, got -361$)"},
           3},
          {"r11_absurd_coupling.yaml",
           Loader::kRobot,
           {R"(^@/r11_absurd_coupling\.yaml:10:43: error: controller_joints\.couplings\[0\]\.factor: expected a factor of at most 10 either way, got 1e300$)"},
           1},
          {"r12_compound_couplings.yaml",
           Loader::kRobot,
           {R"(^@/r12_compound_couplings\.yaml:10:14: error: controller_joints\.couplings: together the couplings make the controller's joint 2 carry 101 × joint 2 \(at most 10 either way\): a joint coupled to a coupled joint compounds the factors$)"},
           1},
          {"c49_mesh_units.yaml",
           Loader::kCell,
           {R"(^@/c49_mesh_units\.yaml:14:25: error: obstacles\[0\]\.mesh: mesh @/meshes/floor_mm\.stl has vertex 0 at \(-2000, -1000, 0\) m: 2000 m is beyond the sanity bound: expected \|x\| <= 1000 m \(1 km\); a mesh in millimetres needs a scale of 0\.001$)",
            R"(^@/c49_mesh_units\.yaml:16:26: error: obstacles\[2\]\.mesh: mesh @/meshes/nan_vertex\.stl has vertex [0-9]+ not finite \(a NaN or an infinity in the file\)$)"},
           2},
          {"c50_weld_id_case.yaml",
           Loader::kCell,
           {R"(^@/c50_weld_id_case\.yaml:14:10: error: welds\[2\]\.id: weld id 'w20' differs from 'W20' \(at @/c50_weld_id_case\.yaml:12\) only in case, and controllers compare names with case ignored; choose another id$)",
            R"(^@/c50_weld_id_case\.yaml:15:51: error: welds\[3\]\.after\[0\]: unknown weld id 'w21' in after \(ids are compared as written: did you mean 'W21'\?\)$)"},
           2},
          {"c51_wrong_kind_of_file.yaml",
           Loader::kCell,
           {R"(^@/c51_wrong_kind_of_file\.yaml:10:11: error: robots\[0\]\.tool: tests/planner/cell/good/tiny_robot\.yaml is a robot file \(format weldcell-robot/1\), expected a tool file \(format weldcell-tool/1\) \(a cell's robots\[\]\.tool names a tool\.yaml\)$)",
            R"(^@/c51_wrong_kind_of_file\.yaml:12:12: error: robots\[1\]\.model: tests/planner/cell/good/tiny_description/urdf/tiny\.urdf is XML \(a URDF\?\), expected a YAML file of format weldcell-robot/1 \(a cell's robots\[\]\.model names a robot\.yaml, which names its URDF under `urdf`\)$)",
            R"(^@/c51_welds\.csv:1:1: error: expected a mapping at the top level, got "id,x,y,z,nx,ny,nz W1,0,0,0,0,0,1" \(named by robots\[2\]\.model at @/c51_wrong_kind_of_file\.yaml:16, which takes a file of format weldcell-robot/1\)$)",
            R"(^@/c51_wrong_kind_of_file\.yaml:17:11: error: robots\[2\]\.tool: @/plan_as_tool\.json is a plan file \(format weldcell-plan/2\), expected a tool file \(format weldcell-tool/1\) \(a cell's robots\[\]\.tool names a tool\.yaml\)$)"},
           4},
          {"c52_blank_values.yaml",
           Loader::kCell,
           {R"(^@/c52_blank_values\.yaml:5:12: error: cycle_time: expected a number, got nothing$)",
            R"(^@/c52_blank_values\.yaml:11:10: error: robots\[0\]\.home: expected 4 numbers \(one per movable joint of tiny_arm\), got nothing$)",
            R"(^@/c52_blank_values\.yaml:12:16: error: robots\[0\]\.base\.xyz: expected 3 numbers, got nothing$)"},
           3},
          {"t06_yaml_tag.yaml",
           Loader::kTool,
           {R"(^@/t06_yaml_tag\.yaml:6:13: error: YAML tags are not supported \("!!float"\): write the value itself$)"},
           1},
          // A line indented with a tab: yaml-cpp's message said nothing of the tab.
          {"c48_tab_indent.yaml",
           Loader::kCell,
           {R"(^@/c48_tab_indent\.yaml:9:6: error: YAML syntax error: illegal map value \(line 9 is indented with a tab: YAML indents with spaces, not tabs\)$)"},
           1},
          {"t07_tab_indent.yaml",
           Loader::kTool,
           {R"(^@/t07_tab_indent\.yaml:7:6: error: YAML syntax error: illegal map value \(line 6 is indented with a tab: YAML indents with spaces, not tabs\)$)"},
           1},
          {"c42_invisible_characters_csv.yaml",
           Loader::kCell,
           {R"(^@/c42_welds\.csv:2:1: error: id: names must be printable: invisible format character U\+202E \(bidirectional control\) at byte 3$)",
            R"(^@/c42_welds\.csv:3:26: error: group: names must be printable: invisible format character U\+2060 \(zero-width\) at byte 1$)"},
           2},
      };
  // clang-format on
  return kCases;
}

std::vector<Diagnostic> Load(const Case& c) {
  const fs::path file = kBad / c.file;
  switch (c.loader) {
    case Loader::kCell:
      return LoadCell(file).warnings;
    case Loader::kRobot:
      return LoadRobotModel(file).warnings;
    case Loader::kTool:
      return LoadTool(file).warnings;
    case Loader::kUrdf:
      return LoadUrdfChain(file, "base_link", "tool0").warnings;
  }
  return {};
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class CorpusTest : public testing::TestWithParam<Case> {};

TEST_P(CorpusTest, ReportsEveryErrorWithFileLineAndKey) {
  const Case& c = GetParam();
  try {
    Load(c);
    FAIL() << c.file << " loaded without error";
  } catch (const InputError& e) {
    const std::vector<std::string> lines = Lines(e.what());
    for (const std::string& pattern : c.expected) {
      const std::string full =
          std::regex_replace(pattern, std::regex("@"), R"(tests/planner/cell/bad)");
      const std::regex re(full);
      EXPECT_TRUE(std::any_of(lines.begin(), lines.end(),
                              [&](const std::string& l) { return std::regex_search(l, re); }))
          << "no line matches " << full << "\nmessage:\n"
          << e.what();
    }
    std::size_t errors = 0;
    for (const Diagnostic& d : e.diagnostics()) {
      if (d.severity != Severity::kError) continue;
      ++errors;
      // Everything read from YAML or CSV has a line and a column.
      if (d.message.rfind("urdfdom", 0) != 0 && d.message.rfind("not a valid URDF", 0) != 0) {
        EXPECT_GT(d.where.line, 0) << d.ToString();
        EXPECT_GT(d.where.column, 0) << d.ToString();
      }
    }
    EXPECT_EQ(errors, c.error_count) << e.what();
    EXPECT_EQ(lines.size(), errors);  // what() lists each error once, one per line
  }
}

INSTANTIATE_TEST_SUITE_P(Bad, CorpusTest, testing::ValuesIn(Cases()),
                         [](const testing::TestParamInfo<Case>& info) {
                           std::string name = info.param.file;
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

TEST(CorpusInventoryTest, EveryCaseFileIsInTheTableAndThereAreAtLeast20) {
  std::set<std::string> in_table;
  for (const Case& c : Cases()) in_table.insert(c.file);
  int case_files = 0;
  for (const auto& entry : fs::directory_iterator(kBad)) {
    const std::string name = entry.path().filename().string();
    // c*: cells, r*: robot.yaml, t*: tools, u*: URDFs; the rest are files they include.
    if (name.size() > 3 && std::string("crtu").find(name[0]) != std::string::npos &&
        std::isdigit(static_cast<unsigned char>(name[1])) &&
        name.find("_welds.csv") == std::string::npos) {
      ++case_files;
      EXPECT_TRUE(in_table.contains(name)) << name << " has no expectation in corpus_test.cpp";
    }
  }
  EXPECT_GE(case_files, 20);
}

}  // namespace
}  // namespace weldcell::cell
