// Loader behaviour on inputs that used to pass unnoticed or crash (issue 9): warnings for what
// the planner cannot see, package search paths, inputs of any size or depth, closed meshes.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "planner/cell/load.hpp"
#include "tests/planner/cell/error_of.hpp"
#include "tests/scratch.hpp"

namespace weldcell::cell {
namespace {

namespace fs = std::filesystem;
const fs::path kCellTests = "tests/planner/cell";
const fs::path kGood = kCellTests / "good";

bool AnyMatches(const std::vector<Diagnostic>& diagnostics, const std::string& pattern) {
  const std::regex re(pattern);
  for (const Diagnostic& d : diagnostics) {
    if (std::regex_search(d.ToString(), re)) return true;
  }
  return false;
}

std::string All(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics) out += d.ToString() + "\n";
  return out;
}

using test_support::ErrorOf;

fs::path TempDir(const std::string& name) {
  return weldcell::testing::FreshDirectory("cell_" + name);
}

TEST(LoadWarningsTest, LinkWithoutCollisionAndMimicOffTheChainAreReported) {
  const auto loaded = LoadUrdfChain(kGood / "warnings.urdf", "base_link", "tool0");
  EXPECT_EQ(loaded.value->dof(), 2);
  ASSERT_EQ(loaded.warnings.size(), 2u) << All(loaded.warnings);
  EXPECT_TRUE(AnyMatches(
      loaded.warnings,
      R"(^tests/planner/cell/good/warnings\.urdf:12:3: warning: link\[link_2\]\.collision: link link_2 has visual geometry but no <collision>: planning and verification cannot see it.*the verifier's result is only as good as the collision geometry\)$)"))
      << All(loaded.warnings);
  EXPECT_TRUE(AnyMatches(
      loaded.warnings,
      R"(^tests/planner/cell/good/warnings\.urdf:36:5: warning: joint\[finger_b_joint\]\.mimic: ignored: joint finger_b_joint is not on the arm chain base_link -> tool0$)"))
      << All(loaded.warnings);
  // link_1 has both, base_link only collision, tool0 nothing: no warning for them.
  EXPECT_FALSE(AnyMatches(loaded.warnings, "link_1|base_link\\]|tool0\\]"));
}

TEST(LoadWarningsTest, ARobotWithoutAnyCollisionGeometryIsReported) {
  const auto loaded = LoadUrdfChain(kGood / "no_collision.urdf", "base_link", "tool0");
  ASSERT_EQ(loaded.warnings.size(), 1u) << All(loaded.warnings);
  EXPECT_TRUE(AnyMatches(
      loaded.warnings,
      R"(^tests/planner/cell/good/no_collision\.urdf: warning: no link of the chain base_link -> tool0 in tests/planner/cell/good/no_collision\.urdf has <collision> geometry: planning and verification cannot see the robot arm)"))
      << All(loaded.warnings);
  // One link with collision geometry is enough to silence it.
  EXPECT_FALSE(AnyMatches(LoadUrdfChain(kGood / "warnings.urdf", "base_link", "tool0").warnings,
                          "no link of the chain"));
}

TEST(LoadPackagePathTest, MeshOutsideARosLayoutNeedsAPackagePathAndTheMessageSaysHow) {
  const fs::path robot = kCellTests / "package_path/station/robot.yaml";
  const std::string error = ErrorOf([&] { LoadRobotModel(robot); });
  EXPECT_TRUE(std::regex_search(
      error,
      std::regex(
          R"(station/arm\.urdf:8:17: error: link\[base_link\]\.collision\[0\]\.mesh: mesh file not found: package://arm_meshes/meshes/base\.stl \(tried .*\); to find package 'arm_meshes', list the folder that contains it in robot\.yaml's package_paths, or pass --package-path DIR \(the folder that contains arm_meshes/\) on the command line or set ROS_PACKAGE_PATH$)")))
      << error;
  // The package found without the file (a fresh user, 2026-12-07: a support package copied
  // without its meshes was told to pass --package-path, which they had): said so.
  const fs::path empty = TempDir("package_without_meshes");
  fs::create_directories(empty / "arm_meshes");
  const std::string lacking = ErrorOf([&] { LoadRobotModel(robot, {.package_paths = {empty}}); });
  EXPECT_NE(lacking.find("; package 'arm_meshes' is " + (empty / "arm_meshes").string() +
                         ", which lacks this file (copied without it?)"),
            std::string::npos)
      << lacking;
  // The folder that contains the package, or (as ROS_PACKAGE_PATH may) the package itself.
  const fs::path store = kCellTests / "package_path/store";
  for (const fs::path& dir : {store, store / "arm_meshes", store / "arm_meshes/"}) {
    const auto loaded = LoadRobotModel(robot, {.package_paths = {"nowhere", dir}});
    ASSERT_EQ(loaded.value->links[0].collision.size(), 1u) << dir;
    EXPECT_EQ(loaded.value->links[0].collision[0].shape.triangle_count(), 12u) << dir;
  }
}

// A cell with `n` inline welds, each after the next one; `cycle` closes the chain.
fs::path WriteChainCell(const std::string& name, int n, bool cycle) {
  const fs::path dir = TempDir(name);
  std::ofstream out(dir / "cell.yaml");
  out << "format: weldcell/1\nname: chain\nunits: {length: mm, angle: deg}\ncycle_time: 45\n"
      << "robots:\n  - {name: R1, model: " << fs::absolute(kGood / "tiny_robot.yaml").string()
      << ", tool: " << fs::absolute(kGood / "gun.yaml").string() << "}\nwelds:\n";
  for (int i = 0; i < n; ++i) {
    out << "  - {id: W" << i << ", p: [500, 0, 500], n: [0, 0, 1]";
    if (i + 1 < n) {
      out << ", after: [W" << i + 1 << "]";
    } else if (cycle) {
      out << ", after: [W0]";
    }
    out << "}\n";
  }
  return dir / "cell.yaml";
}

TEST(LoadSizeTest, FiftyThousandChainedPrecedencesLoadWithoutRecursion) {
  constexpr int kWelds = 50000;
  const auto loaded =
      LoadCell(WriteChainCell("chain", kWelds, false), {.package_paths = {}, .load_meshes = false});
  ASSERT_EQ(loaded.value.welds.size(), static_cast<std::size_t>(kWelds));
  EXPECT_EQ(loaded.value.welds[0].after, (std::vector<std::string>{"W1"}));

  // Closed into one cycle (smaller, to keep the test fast): reported once, the message
  // shortened.
  const std::string error = ErrorOf([&] {
    LoadCell(WriteChainCell("cycle", 1000, true), {.package_paths = {}, .load_meshes = false});
  });
  EXPECT_TRUE(std::regex_search(
      error,
      std::regex(
          R"(error: welds\[\d+\]\.after\[0\]: precedence cycle of 1000 welds: W0 after W1 after .* after W9 after \.\.\. \(980 more\) after W990 after .* after W999 after W0$)")))
      << error.substr(0, 2000);
  EXPECT_LT(error.size(), 1000u);
}

TEST(LoadSizeTest, DeeplyNestedYamlIsAnErrorNotACrash) {
  const fs::path dir = TempDir("nested");
  for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
           {"flow.yaml", "format: weldcell/1\nname: " + std::string(100000, '[') +
                             std::string(100000, ']') + "\n"},
           {"block.yaml", [] {
              std::string s = "format: weldcell/1\nname:\n";
              for (int i = 0; i < 3000; ++i) s += std::string(i + 1, ' ') + "-\n";
              return s;
            }()}}) {
    std::ofstream(dir / name) << text;
    const std::string error = ErrorOf([&] { LoadCell(dir / name); });
    EXPECT_TRUE(std::regex_search(
        error, std::regex(R"(^.*)" + name + R"(:\d+:\d+: error: YAML nested too deeply)")))
        << name << ": " << error.substr(0, 500);
  }
}

TEST(LoadSizeTest, DeeplyNestedXmlInUrdfsAndMeshesIsAnErrorNotACrash) {
  // urdfdom's TinyXML and assimp's COLLADA reader recurse per level (100,000 levels crashed
  // TinyXML, 10,000 assimp): weldcell refuses such files before parsing.
  const fs::path dir = TempDir("nested_xml");
  constexpr int kLevels = 100000;
  std::string nested;
  for (int i = 0; i < kLevels; ++i) nested += "<x>";
  for (int i = 0; i < kLevels; ++i) nested += "</x>";
  std::ofstream(dir / "deep.urdf")
      << "<?xml version=\"1.0\"?>\n<robot name=\"deep\">\n  <link name=\"base_link\">" << nested
      << "</link>\n  <link name=\"tool0\"/>\n</robot>\n";
  EXPECT_TRUE(std::regex_search(
      ErrorOf([&] { LoadUrdfChain(dir / "deep.urdf", "base_link", "tool0"); }),
      std::regex(R"(deep\.urdf:3:\d+: error: XML nested more than 1000 levels deep: not a URDF)")));

  std::ofstream(dir / "deep.dae") << "<?xml version=\"1.0\"?>\n<COLLADA><library_visual_scenes>"
                                  << "<visual_scene id=\"s\">" << nested
                                  << "</visual_scene></library_visual_scenes></COLLADA>\n";
  EXPECT_TRUE(std::regex_search(
      ErrorOf([&] { LoadMesh(dir / "deep.dae"); }),
      std::regex(
          R"(deep\.dae: error: cannot read mesh .*deep\.dae: XML nested more than 1000 levels deep \(line 2\))")));
}

// A file that is no mesh says so in the user's words ("not a valid STL (binary or ASCII)"),
// assimp's own text after it; a whole CSV given as a cell.yaml is quoted 60 characters long.
TEST(LoadLimitsTest, UnreadableInputIsNamedInTheUsersWordsAndQuotedShort) {
  const fs::path dir = TempDir("unreadable");
  std::ofstream(dir / "part.stl") << "this is no mesh\n";
  const std::string mesh = ErrorOf([&] { LoadMesh(dir / "part.stl"); });
  EXPECT_NE(mesh.find("part.stl: not a valid STL file (binary or ASCII); the mesh reader (assimp) "
                      "said: "),
            std::string::npos)
      << mesh;
  std::string csv = "id,x,y,z,nx,ny,nz\n";
  for (int i = 0; i < 40; ++i) csv += "W" + std::to_string(i) + ",1,2,3,0,0,1\n";
  std::ofstream(dir / "welds.csv") << csv;
  const std::string cell = ErrorOf([&] { LoadCell(dir / "welds.csv"); });
  EXPECT_NE(cell.find("expected a mapping at the top level, got \"id,x,y,z,nx,ny,nz"),
            std::string::npos)
      << cell;
  EXPECT_NE(cell.find("…\""), std::string::npos) << cell;
  EXPECT_LT(cell.size(), 250u) << cell;
}

TEST(LoadSolidsTest, ClosedMeshObstaclesAreMarkedAndContainRobots) {
  const auto loaded = LoadCell(kGood / "cell.yaml");
  ASSERT_EQ(loaded.value.obstacles.size(), 4u);
  EXPECT_TRUE(loaded.value.obstacles[0].closed_mesh);   // the OBJ cube
  EXPECT_FALSE(loaded.value.obstacles[1].closed_mesh);  // a box: not a mesh

  // A robot inside a closed enclosure mesh (8 × 8 × 5 m) is an error; the same robot inside an
  // open surface is not (an open mesh has no inside). Both flags are kept for `check`.
  const fs::path dir = TempDir("enclosure");
  const fs::path solids = fs::absolute(kCellTests / "solids");
  auto write = [&](const std::string& mesh) {
    std::ofstream(dir / "cell.yaml")
        << "format: weldcell/1\nname: enclosure\nunits: {length: mm, angle: deg}\n"
        << "cycle_time: 45\nrobots:\n  - {name: R1, model: "
        << fs::absolute(kGood / "tiny_robot.yaml").string()
        << ", tool: " << fs::absolute(kGood / "gun.yaml").string()
        << ", base: {xyz: [0, 0, 0]}}\nwelds: []\nobstacles:\n  - {name: enclosure, mesh: "
        << (solids / mesh).string() << ", pose: {xyz: [0, 1000, 2000]}}\n";
  };
  write("enclosure.stl");
  EXPECT_TRUE(std::regex_search(
      ErrorOf([&] { LoadCell(dir / "cell.yaml"); }),
      std::regex(
          R"(cell\.yaml:6:\d+: error: robots\[0\]\.base: the base of robot R1 at .* lies inside obstacle 'enclosure' \(closed mesh .*enclosure\.stl\), 500\.0 mm from its surface)")));
  write("open_box.stl");
  const auto open = LoadCell(dir / "cell.yaml");
  EXPECT_FALSE(open.value.obstacles[0].closed_mesh);
}

}  // namespace
}  // namespace weldcell::cell
