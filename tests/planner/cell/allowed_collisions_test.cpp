// robot.yaml `allowed_collisions` (issue 9): link pairs the planner and the verifier never check,
// validated with file:line:col for unknown link names.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "planner/cell/load.hpp"
#include "tests/scratch.hpp"

namespace weldcell::cell {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

// A copy of tests/planner/cell/good/tiny_robot.yaml (links base_link, link_1 … link_4, tool0)
// in a temporary folder with `extra` appended; returns its path.
fs::path TinyRobotWith(const std::string& name, const std::string& extra) {
  const fs::path dir = weldcell::testing::FreshDirectory("allowed_" + name);
  const fs::path urdf = fs::absolute("tests/planner/cell/good/tiny_description/urdf/tiny.urdf");
  std::ofstream(dir / "robot.yaml") << "format: weldcell-robot/1\n"
                                       "name: tiny_arm\n"
                                       "urdf: "
                                    << urdf.string()
                                    << "\n"
                                       "chain: {base: base_link, tip: tool0}\n"
                                       "units: {length: mm, angle: deg}\n"
                                       "acceleration: [3.0, 2.5, 1.0, 6.0]\n"
                                    << extra;
  return dir / "robot.yaml";
}

TEST(RobotAllowedCollisionsTest, LinkPairsBecomeSortedIndexPairs) {
  const fs::path file =
      TinyRobotWith("good", "allowed_collisions: [[link_3, base_link], [link_1, link_3]]\n");
  const auto loaded = LoadRobotModel(file);
  EXPECT_EQ(loaded.value->allowed_collisions, (std::vector<std::pair<int, int>>{{0, 3}, {1, 3}}));
}

TEST(RobotAllowedCollisionsTest, WithoutTheKeyNothingIsAllowed) {
  EXPECT_TRUE(LoadRobotModel(TinyRobotWith("none", "")).value->allowed_collisions.empty());
}

TEST(RobotAllowedCollisionsTest, UnknownLinksAndMalformedPairsNameFileLineAndColumn) {
  const fs::path file = TinyRobotWith("bad",
                                      "allowed_collisions:\n"   // line 7
                                      "  - [link_1, link_9]\n"  // line 8
                                      "  - [link_2]\n"          // line 9
                                      "  - link_3\n"            // line 10
                                      "  - [link_2, link_2]\n"  // line 11
                                      "  - [link_1, gun]\n");   // line 12
  try {
    LoadRobotModel(file);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string what = e.what();
    const std::string f = file.string();
    std::size_t errors = 0;
    for (const Diagnostic& d : e.diagnostics()) errors += d.severity == Severity::kError ? 1 : 0;
    EXPECT_EQ(errors, 5u) << what;
    EXPECT_THAT(what, HasSubstr(f + ":8:14: error: allowed_collisions[0][1]: unknown link "
                                    "'link_9': not a link of the arm chain (base_link, link_1, "
                                    "link_2, link_3, link_4, tool0)"));
    EXPECT_THAT(what, HasSubstr(f + ":9:5: error: allowed_collisions[1]: expected a pair of link "
                                    "names"));
    EXPECT_THAT(what, HasSubstr(f + ":10:5: error: allowed_collisions[2]: expected a pair"));
    EXPECT_THAT(what, HasSubstr(f + ":11:5: error: allowed_collisions[3]: a link cannot be paired "
                                    "with itself"));
    EXPECT_THAT(what, HasSubstr(f + ":12:14: error: allowed_collisions[4][1]: unknown link 'gun'"));
  }
}

TEST(RobotAllowedCollisionsTest, NotAListIsAnError) {
  const fs::path file = TinyRobotWith("scalar", "allowed_collisions: link_1\n");
  try {
    LoadRobotModel(file);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr(file.string() + ":7:21: error: allowed_collisions: expected "
                                                    "a list of link pairs"));
  }
}

// A robot.yaml `package_paths` folder that is not there is a warning at its line (a fresh user's
// typo was taken without a word; `--package-path` to a missing folder is exit 2).
TEST(RobotPackagePathsTest, AFolderThatIsNotThereIsAWarning) {
  const fs::path file = TinyRobotWith("package_paths", "package_paths: [no_such_folder]\n");
  const auto loaded = LoadRobotModel(file);
  std::string warnings;
  for (const Diagnostic& d : loaded.warnings) warnings += d.ToString() + "\n";
  EXPECT_THAT(warnings, HasSubstr(file.string() + ":7:17: warning: package_paths[0]: no such "
                                                  "folder: "));
  EXPECT_THAT(warnings, HasSubstr("no_such_folder"));
}

TEST(RobotAllowedCollisionsTest, APairTwiceIsAWarning) {
  const fs::path file =
      TinyRobotWith("twice", "allowed_collisions: [[link_1, link_3], [link_3, link_1]]\n");
  const auto loaded = LoadRobotModel(file);
  EXPECT_EQ(loaded.value->allowed_collisions, (std::vector<std::pair<int, int>>{{1, 3}}));
  // (The tiny robot's missing visual mesh is a warning too.)
  std::string warnings;
  for (const Diagnostic& d : loaded.warnings) warnings += d.ToString() + "\n";
  EXPECT_THAT(warnings, HasSubstr(file.string() + ":7:40: warning: allowed_collisions[1]: the "
                                                  "pair is declared twice (first at line 7)"));
}

}  // namespace
}  // namespace weldcell::cell
