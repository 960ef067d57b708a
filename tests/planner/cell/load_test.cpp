// Positive tests of the loaders on the small fixtures in tests/planner/cell/good/.

#include "planner/cell/load.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <numbers>
#include <regex>
#include <string>
#include <thread>

#include "tests/planner/cell/error_of.hpp"
#include "tests/scratch.hpp"

namespace weldcell::cell {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
constexpr double kDeg = std::numbers::pi / 180.0;
const fs::path kGood = "tests/planner/cell/good";

Eigen::AlignedBox3d Bounds(const Mesh& mesh) {
  Eigen::AlignedBox3d box;
  for (const Eigen::Vector3d& v : mesh.vertices) box.extend(v);
  return box;
}

bool AnyMatches(const std::vector<Diagnostic>& diagnostics, const std::string& pattern) {
  const std::regex re(pattern);
  for (const Diagnostic& d : diagnostics) {
    if (std::regex_search(d.ToString(), re)) return true;
  }
  return false;
}

TEST(LoadMeshTest, StlObjAndDaeAreReadInMetres) {
  const fs::path meshes = kGood / "tiny_description/meshes";
  const auto stl = LoadMesh(meshes / "cube_mm.stl", 0.001);
  EXPECT_EQ(stl->triangles.size(), 12u);
  EXPECT_EQ(stl->vertices.size(), 8u);  // identical vertices are joined
  EXPECT_TRUE(Bounds(*stl).min().isApprox(Eigen::Vector3d::Constant(-0.05), 1e-6));
  EXPECT_TRUE(Bounds(*stl).max().isApprox(Eigen::Vector3d::Constant(0.05), 1e-6));

  const auto obj = LoadMesh(meshes / "cube_m.obj");
  EXPECT_EQ(obj->triangles.size(), 12u);
  EXPECT_TRUE(Bounds(*obj).max().isApprox(Eigen::Vector3d::Constant(0.05), 1e-6));

  // The DAE says <unit meter="0.001"> and Z_UP, and its node is translated 50 mm along z:
  // metres, no Y-up rotation, node transform applied.
  const auto dae = LoadMesh(meshes / "cube_mm.dae");
  EXPECT_EQ(dae->triangles.size(), 12u);
  EXPECT_TRUE(Bounds(*dae).min().isApprox(Eigen::Vector3d(-0.05, -0.05, 0.0), 1e-6))
      << Bounds(*dae).min().transpose();
  EXPECT_TRUE(Bounds(*dae).max().isApprox(Eigen::Vector3d(0.05, 0.05, 0.1), 1e-6))
      << Bounds(*dae).max().transpose();
  EXPECT_EQ(dae->source, (meshes / "cube_mm.dae").string());
}

TEST(LoadMeshTest, MissingOrBrokenFileThrowsNamingIt) {
  try {
    LoadMesh(kGood / "no_such.stl");
    FAIL() << "no exception";
  } catch (const InputError& e) {
    EXPECT_TRUE(std::regex_search(
        e.what(), std::regex(R"(good/no_such\.stl: error: file not found: .*good/no_such\.stl)")))
        << e.what();
  }
  EXPECT_THROW(LoadMesh(kGood / "tiny_robot.yaml"), InputError);
}

TEST(LoadRobotModelTest, TinyRobotChainJointsAndControllerMapping) {
  const auto loaded = LoadRobotModel(kGood / "tiny_robot.yaml");
  const RobotModel& m = *loaded.value;
  EXPECT_EQ(m.name, "tiny_arm");
  EXPECT_EQ(m.source_file, (kGood / "tiny_robot.yaml").string());
  EXPECT_EQ(m.urdf_file, (kGood / "tiny_description/urdf/tiny.urdf").string());
  ASSERT_EQ(m.dof(), 4);
  std::vector<std::string> links;
  for (const Link& l : m.links) links.push_back(l.name);
  EXPECT_EQ(links, (std::vector<std::string>{"base_link", "link_1", "link_2", "link_3", "link_4",
                                             "tool0"}));
  const std::vector<int> movable = m.movable_joint_indices();
  const Joint& j1 = m.joints[movable[0]];
  const Joint& slide = m.joints[movable[2]];
  const Joint& wrist = m.joints[movable[3]];
  EXPECT_EQ(j1.name, "joint_1");
  EXPECT_TRUE(j1.axis.isApprox(Eigen::Vector3d::UnitZ()));  // "0 0 2" normalised
  EXPECT_TRUE(j1.X_PJ.translation().isApprox(Eigen::Vector3d(0, 0, 0.1)));
  EXPECT_EQ(slide.type, JointType::kPrismatic);
  EXPECT_DOUBLE_EQ(slide.upper, 0.2);
  EXPECT_EQ(wrist.type, JointType::kRevolute);
  EXPECT_DOUBLE_EQ(wrist.lower, -2 * std::numbers::pi);
  EXPECT_DOUBLE_EQ(wrist.upper, 2 * std::numbers::pi);
  EXPECT_DOUBLE_EQ(wrist.max_velocity, 3.0);
  EXPECT_EQ(m.joints.back().type, JointType::kFixed);
  EXPECT_TRUE(m.joints.back().X_PJ.linear().isApprox(
      Eigen::AngleAxisd(std::numbers::pi / 2, Eigen::Vector3d::UnitY()).toRotationMatrix()));
  EXPECT_TRUE(m.acceleration_limits().isApprox(Eigen::Vector4d(3.0, 2.5, 1.0, 6.0)));
  EXPECT_TRUE(m.velocity_limits().isApprox(Eigen::Vector4d(2.0, 1.5, 0.5, 3.0)));

  // Offsets: deg for revolute joints, mm for the prismatic one; couplings become 0-based.
  ASSERT_EQ(m.controller.offsets.size(), 4u);
  EXPECT_DOUBLE_EQ(m.controller.offsets[1], -90 * kDeg);
  EXPECT_DOUBLE_EQ(m.controller.offsets[2], 0.010);
  EXPECT_DOUBLE_EQ(m.controller.offsets[3], 180 * kDeg);
  EXPECT_EQ(m.controller.signs, (std::vector<double>{1, -1, 1, -1}));
  ASSERT_EQ(m.controller.couplings.size(), 1u);
  EXPECT_EQ(m.controller.couplings[0], (JointCoupling{.joint = 1, .plus = 0, .factor = -1.0}));
}

TEST(LoadRobotModelTest, TinyRobotGeometryAndVisualFallback) {
  const auto loaded = LoadRobotModel(kGood / "tiny_robot.yaml");
  const RobotModel& m = *loaded.value;
  // base_link: package:// STL with <mesh scale>, collision origin applied as X_FG.
  ASSERT_EQ(m.links[0].collision.size(), 1u);
  const Geometry& base = m.links[0].collision[0];
  EXPECT_EQ(base.shape.triangle_count(), 12u);
  EXPECT_TRUE(Bounds(*base.shape.mesh).max().isApprox(Eigen::Vector3d::Constant(0.05), 1e-6));
  EXPECT_TRUE(base.X_FG.translation().isApprox(Eigen::Vector3d(0, 0, 0.05)));
  ASSERT_EQ(m.links[0].visual.size(), 1u);
  EXPECT_NE(m.links[0].visual[0].shape.mesh, base.shape.mesh);  // the DAE, not the fallback
  // link_1: cylinder collision, relative OBJ visual.
  EXPECT_EQ(m.links[1].collision[0].shape.kind, ShapeKind::kCylinder);
  EXPECT_DOUBLE_EQ(m.links[1].collision[0].shape.length, 0.4);
  EXPECT_EQ(m.links[1].visual[0].shape.triangle_count(), 12u);
  // link_2: box + sphere; its visual mesh is absent → warning and collision fallback.
  ASSERT_EQ(m.links[2].collision.size(), 2u);
  EXPECT_EQ(m.links[2].collision[0].shape.kind, ShapeKind::kBox);
  EXPECT_TRUE(m.links[2].collision[0].shape.box_size.isApprox(Eigen::Vector3d(0.5, 0.08, 0.06)));
  EXPECT_EQ(m.links[2].collision[1].shape.kind, ShapeKind::kSphere);
  ASSERT_EQ(m.links[2].visual.size(), 2u);
  EXPECT_EQ(m.links[2].visual[0].shape.kind, ShapeKind::kBox);
  // The absent visual mesh, and the balancer's <mimic> off the chain.
  ASSERT_EQ(loaded.warnings.size(), 2u);
  EXPECT_TRUE(AnyMatches(
      loaded.warnings,
      R"(^tests/planner/cell/good/tiny_description/urdf/tiny\.urdf:37:17: warning: link\[link_2\]\.visual\[0\]\.mesh: mesh file not found: package://tiny_description/meshes/absent_visual\.dae \(tried .*absent_visual\.dae)"))
      << loaded.warnings[0].ToString();
  EXPECT_TRUE(AnyMatches(
      loaded.warnings,
      R"(^tests/planner/cell/good/tiny_description/urdf/tiny\.urdf:68:5: warning: joint\[balancer_joint\]\.mimic: ignored)"))
      << loaded.warnings[0].ToString();
  // link_3: file:// URI.
  EXPECT_EQ(m.links[3].collision[0].shape.triangle_count(), 12u);
}

TEST(LoadRobotModelTest, WithoutMeshesOnlyChecksThatTheyExist) {
  const auto loaded = LoadRobotModel(kGood / "tiny_robot.yaml", {.load_meshes = false});
  const Geometry& base = loaded.value->links[0].collision[0];
  ASSERT_EQ(base.shape.kind, ShapeKind::kMesh);
  EXPECT_EQ(base.shape.triangle_count(), 0u);
  EXPECT_EQ(base.shape.mesh->source, (kGood / "tiny_description/meshes/cube_mm.stl").string());
  EXPECT_EQ(loaded.warnings.size(), 2u);  // the absent visual mesh is still noticed (+ mimic)
}

// A fresh user (2026-12-07) wrote accelerations in deg/s^2 in a robot.yaml of `units: {angle:
// deg}` (they are rad/s^2 always): 172 planned the robot's moves three times too fast, without
// a word. Beyond 50 rad/s^2 a revolute joint's is a warning at its value; the prismatic joint
// (the third, m/s^2) is not judged by it.
TEST(LoadRobotModelTest, AnAccelerationNoArmReachesIsAWarningAtItsValue) {
  const fs::path dir = fs::absolute(weldcell::testing::FreshDirectory("deg_accelerations"));
  std::ofstream(dir / "robot.yaml")
      << "format: weldcell-robot/1\nname: tiny_arm\nurdf: "
      << fs::absolute(kGood / "tiny_description/urdf/tiny.urdf").string()
      << "\nchain: {base: base_link, tip: tool0}\nunits: {angle: deg}\n"
         "acceleration: [172, 2.5, 60, 6.0]\n";
  const auto loaded = LoadRobotModel(dir / "robot.yaml");
  std::vector<std::string> fast;
  for (const Diagnostic& d : loaded.warnings) {
    if (d.key_path.starts_with("acceleration")) fast.push_back(d.ToString());
  }
  ASSERT_EQ(fast.size(), 1u);
  EXPECT_EQ(fast[0], (dir / "robot.yaml").string() +
                         ":6:16: warning: acceleration[0]: 172 rad/s^2 (9855 deg/s^2) is more than "
                         "any industrial arm's joint (the shipped robots': 3.2 to 10.1 rad/s^2): "
                         "accelerations are rad/s^2 whatever `units` says; deg/s^2 meant?");
  EXPECT_DOUBLE_EQ(
      loaded.value->joints[static_cast<std::size_t>(loaded.value->movable_joint_indices()[0])]
          .max_acceleration,
      172.0);
}

// A gun modelled with its TCP z pointing back at the flange (a fresh station author's flipped C
// gun) made every weld "joint limits" without a word about the gun: a warning at `tcp`. The
// shipped guns (C gun along the offset, X gun across it) give none.
TEST(LoadToolTest, ATcpAxisPointingBackAtTheFlangeIsAWarning) {
  const fs::path dir = fs::absolute(weldcell::testing::FreshDirectory("tcp_axis"));
  int guns = 0;
  const auto warnings_of = [&](const std::string& rpy) {
    const fs::path file = dir / ("gun_" + std::to_string(++guns) + ".yaml");
    std::ofstream(file)
        << "format: weldcell-tool/1\nname: g\nunits: {length: mm, angle: deg}\n"
           "tcp: {xyz: [0, 0, 450], rpy: "
        << rpy
        << "}\napproach_distance: 100\nclose_time: 0.2\nopen_time: 0.1\nweld_time: 0.3\n"
           "collision:\n  - {box: [100, 100, 100], pose: {xyz: [0, 0, 50]}}\n";
    std::vector<std::string> out;
    for (const Diagnostic& d : LoadTool(file).warnings) out.push_back(d.ToString());
    return out;
  };
  EXPECT_THAT(warnings_of("[180, 0, 0]"),
              ElementsAre(::testing::HasSubstr(
                  ":4:6: warning: tcp: the TCP's z axis points back towards the flange (180 deg "
                  "from the direction flange → TCP)")));
  EXPECT_THAT(warnings_of("[0, 0, 0]"), ::testing::IsEmpty());
  EXPECT_THAT(warnings_of("[0, -90, 0]"), ::testing::IsEmpty());  // across, as the X gun's
  for (const char* gun : {"robots/tools/c_gun.yaml", "robots/tools/x_gun.yaml"}) {
    EXPECT_THAT(LoadTool(gun).warnings, ::testing::IsEmpty()) << gun;
  }
}

TEST(LoadToolTest, GunInSiUnits) {
  const auto loaded = LoadTool(kGood / "gun.yaml");
  const Tool& t = loaded.value;
  EXPECT_EQ(t.name, "tiny_gun");
  EXPECT_TRUE(t.X_FT.translation().isApprox(Eigen::Vector3d(0, 0, 0.3)));
  EXPECT_TRUE(t.X_FT.linear().isApprox(
      Eigen::AngleAxisd(std::numbers::pi / 2, Eigen::Vector3d::UnitZ()).toRotationMatrix()));
  EXPECT_DOUBLE_EQ(t.approach_distance, 0.08);
  EXPECT_DOUBLE_EQ(t.close_time, 0.2);
  EXPECT_DOUBLE_EQ(t.open_time, 0.1);
  EXPECT_DOUBLE_EQ(t.weld_time, 0.5);
  ASSERT_EQ(t.collision.size(), 4u);
  EXPECT_TRUE(t.collision[0].shape.box_size.isApprox(Eigen::Vector3d(0.1, 0.06, 0.2)));
  EXPECT_TRUE(t.collision[0].X_FG.translation().isApprox(Eigen::Vector3d(0, 0, 0.1)));
  EXPECT_DOUBLE_EQ(t.collision[1].shape.radius, 0.01);
  EXPECT_DOUBLE_EQ(t.collision[1].shape.length, 0.1);
  EXPECT_DOUBLE_EQ(t.collision[2].shape.radius, 0.02);
  // `units` does not apply to mesh files; `scale` does.
  EXPECT_TRUE(
      Bounds(*t.collision[3].shape.mesh).max().isApprox(Eigen::Vector3d::Constant(0.05), 1e-6));
  ASSERT_EQ(t.visual.size(), 1u);
  EXPECT_EQ(t.visual[0].shape.triangle_count(), 12u);
  EXPECT_TRUE(loaded.warnings.empty());
}

TEST(LoadToolTest, MissingVisualMeshIsAWarningAndFallsBackToCollision) {
  const auto loaded = LoadTool(kGood / "gun_missing_visual.yaml");
  EXPECT_TRUE(loaded.value.visual.empty());  // empty visual = draw the collision geometry
  ASSERT_EQ(loaded.value.collision.size(), 1u);
  ASSERT_EQ(loaded.warnings.size(), 1u);
  EXPECT_TRUE(AnyMatches(
      loaded.warnings,
      R"(^tests/planner/cell/good/gun_missing_visual\.yaml:12:12: warning: visual\[1\]\.mesh: mesh file not found: tests/planner/cell/good/meshes/gone\.dae; drawn with the collision geometry instead$)"))
      << loaded.warnings[0].ToString();
}

TEST(LoadToolTest, PackageUrisResolveThroughTheOptions) {
  try {
    LoadTool(kGood / "gun_package.yaml");
    FAIL() << "no package path given, yet the mesh was found";
  } catch (const InputError& e) {
    EXPECT_TRUE(std::regex_search(
        e.what(),
        std::regex(
            R"(^tests/planner/cell/good/gun_package\.yaml:9:12: error: collision\[0\]\.mesh: mesh file not found: package://tiny_description/meshes/cube_m\.obj \(no package search path)")))
        << e.what();
  }
  const auto loaded = LoadTool(kGood / "gun_package.yaml", {.package_paths = {"nowhere", kGood}});
  ASSERT_EQ(loaded.value.collision.size(), 1u);
  EXPECT_EQ(loaded.value.collision[0].shape.mesh->source,
            (kGood / "tiny_description/meshes/cube_m.obj").string());
}

TEST(LoadCellTest, InlineWeldsObstaclesSettingsInSiUnits) {
  const auto loaded = LoadCell(kGood / "cell.yaml");
  const Cell& c = loaded.value;
  EXPECT_EQ(c.name, "tiny_inline");
  EXPECT_EQ(c.source_file, (kGood / "cell.yaml").string());
  EXPECT_DOUBLE_EQ(c.cycle_time, 25.5);
  ASSERT_EQ(c.robots.size(), 2u);
  const Robot& r1 = c.robots[0];
  EXPECT_EQ(r1.name, "R1");
  EXPECT_TRUE(r1.X_WB.translation().isApprox(Eigen::Vector3d(1.0, -0.5, 0.0)));
  EXPECT_TRUE(r1.X_WB.linear().isApprox(
      Eigen::AngleAxisd(std::numbers::pi / 2, Eigen::Vector3d::UnitZ()).toRotationMatrix()));
  EXPECT_TRUE(r1.home.isApprox(Eigen::Vector4d(10 * kDeg, -20 * kDeg, 0.05, 90 * kDeg)));
  // No controller: the tiny robot has 4 axes, which no dialect takes (the controller is read in
  // ControllerAndWhereItIsWritten, of a 6-axis robot).
  EXPECT_EQ(r1.controller, Controller{});
  EXPECT_EQ(r1.tool.name, "tiny_gun");
  // One model file named twice is one shared model; one mesh file is one Mesh.
  EXPECT_EQ(c.robots[0].model, c.robots[1].model);
  EXPECT_EQ(c.robots[1].home, Eigen::VectorXd::Zero(4));
  EXPECT_EQ(r1.model->links[0].collision[0].shape.mesh, r1.tool.collision[3].shape.mesh);

  ASSERT_EQ(c.welds.size(), 3u);
  EXPECT_EQ(c.welds[0].id, "W1");
  EXPECT_TRUE(c.welds[0].p_W.isApprox(Eigen::Vector3d(0.1, 0.2, 0.3)));
  EXPECT_TRUE(c.welds[0].n_W.isApprox(Eigen::Vector3d::UnitZ()));
  EXPECT_EQ(c.welds[0].weld_time, 0.0);  // none given: the gun's weld_time applies
  EXPECT_DOUBLE_EQ(c.welds[0].spin_min, -std::numbers::pi);
  EXPECT_TRUE(c.welds[1].n_W.isApprox(Eigen::Vector3d(0, 1, 1).normalized()));
  EXPECT_DOUBLE_EQ(c.welds[1].weld_time, 0.9);
  EXPECT_DOUBLE_EQ(c.welds[1].tilt_tolerance, 10 * kDeg);
  EXPECT_DOUBLE_EQ(c.welds[1].spin_min, -90 * kDeg);
  EXPECT_DOUBLE_EQ(c.welds[1].spin_max, 45 * kDeg);
  EXPECT_EQ(c.welds[1].group, "left");
  EXPECT_EQ(c.welds[2].after, (std::vector<std::string>{"W1", "W2"}));

  ASSERT_EQ(c.obstacles.size(), 4u);
  EXPECT_EQ(c.obstacles[0].name, "part");
  EXPECT_TRUE(Bounds(*c.obstacles[0].geometry.shape.mesh)
                  .max()
                  .isApprox(Eigen::Vector3d::Constant(0.1), 1e-6))  // 0.05 m cube corner × scale 2
      << Bounds(*c.obstacles[0].geometry.shape.mesh).max().transpose();
  EXPECT_TRUE(c.obstacles[0].geometry.X_FG.translation().isApprox(Eigen::Vector3d(0, 0, 0.9)));
  EXPECT_TRUE(c.obstacles[1].geometry.shape.box_size.isApprox(Eigen::Vector3d(0.2, 0.1, 0.3)));
  EXPECT_TRUE(c.obstacles[1].geometry.X_FG.linear().isApprox(
      Eigen::AngleAxisd(15 * kDeg, Eigen::Vector3d::UnitZ()).toRotationMatrix()));
  EXPECT_DOUBLE_EQ(c.obstacles[2].geometry.shape.radius, 0.08);
  EXPECT_DOUBLE_EQ(c.obstacles[2].geometry.shape.length, 0.9);
  EXPECT_EQ(c.obstacles[3].geometry.shape.kind, ShapeKind::kSphere);
  EXPECT_DOUBLE_EQ(c.obstacles[3].geometry.shape.radius, 0.05);

  EXPECT_EQ(c.settings.seed, 42u);
  EXPECT_DOUBLE_EQ(c.settings.reach.spin_step, 30 * kDeg);
  EXPECT_DOUBLE_EQ(c.settings.reach.tilt_step, 5 * kDeg);
  EXPECT_DOUBLE_EQ(c.settings.reach.min_clearance, 0.01);
  EXPECT_DOUBLE_EQ(c.settings.motion.resolution, 0.004);
  EXPECT_DOUBLE_EQ(c.settings.motion.speed_scale, 0.5);
  EXPECT_DOUBLE_EQ(c.settings.motion.planning_time, 2.5);
  // The robot's warnings (absent visual mesh, balancer mimic) are reported once although two
  // robots use the model; then that the welds, 0.4 m and more from the obstacles, lie on none.
  ASSERT_EQ(loaded.warnings.size(), 3u);
  EXPECT_THAT(loaded.warnings[2].message, ::testing::StartsWith("weld W1 lies 0."));
  EXPECT_TRUE(c.obstacles[0].closed_mesh);
}

TEST(LoadCellTest, ControllerAndWhereItIsWritten) {
  const auto loaded = LoadCell(kGood / "controller.yaml");
  const Cell& c = loaded.value;
  ASSERT_EQ(c.robots.size(), 2u);
  const Robot& r1 = c.robots[0];
  EXPECT_EQ(r1.controller, (Controller{.dialect = "fanuc_ls", .program = "weld_r1"}));
  // Messages about the program name point at `program`, those about what the dialect refuses
  // of the robot at `dialect`; a robot without a controller at its entry.
  const std::string file = (kGood / "controller.yaml").string();
  EXPECT_EQ(r1.controller_where.file, file);
  EXPECT_EQ(r1.controller_where.line, 13);
  EXPECT_EQ(r1.dialect_where.file, file);
  EXPECT_EQ(r1.dialect_where.line, 12);
  const Robot& r2 = c.robots[1];
  EXPECT_EQ(r2.controller, Controller{});
  EXPECT_EQ(r2.controller_where.line, 14);
  EXPECT_EQ(r2.dialect_where.line, 14);
}

TEST(LoadCellTest, WeldCsvWithDefaults) {
  const auto loaded = LoadCell(kGood / "cell_csv.yaml");
  const Cell& c = loaded.value;
  const Settings defaults;
  EXPECT_EQ(c.settings.seed, defaults.seed);
  EXPECT_EQ(c.settings.reach.spin_step, defaults.reach.spin_step);
  EXPECT_EQ(c.settings.motion.resolution, defaults.motion.resolution);
  ASSERT_EQ(c.welds.size(), 3u);
  const Weld& w1 = c.welds[0];
  EXPECT_EQ(w1.id, "W001");
  EXPECT_TRUE(w1.p_W.isApprox(Eigen::Vector3d(0.1, 0.2, 0.3)));
  EXPECT_DOUBLE_EQ(w1.weld_time, 0.7);
  EXPECT_DOUBLE_EQ(w1.tilt_tolerance, 0.1);
  EXPECT_DOUBLE_EQ(w1.spin_min, -1.0);
  EXPECT_DOUBLE_EQ(w1.spin_max, 1.0);
  EXPECT_EQ(w1.group, "A");
  const Weld& w2 = c.welds[1];
  EXPECT_TRUE(w2.p_W.isApprox(Eigen::Vector3d(0.4, 0.5, 0.6)));
  EXPECT_TRUE(w2.n_W.isApprox(-Eigen::Vector3d::UnitZ()));
  EXPECT_DOUBLE_EQ(w2.weld_time, 1.2);
  EXPECT_DOUBLE_EQ(w2.tilt_tolerance, 0.1);  // empty field → default
  EXPECT_EQ(w2.group, "B");
  const Weld& w3 = c.welds[2];
  EXPECT_TRUE(w3.n_W.isApprox(Eigen::Vector3d(1, 1, 0).normalized()));
  EXPECT_DOUBLE_EQ(w3.weld_time, 0.7);
  EXPECT_DOUBLE_EQ(w3.tilt_tolerance, 0.2);
  EXPECT_DOUBLE_EQ(w3.spin_min, -0.5);
  EXPECT_DOUBLE_EQ(w3.spin_max, 0.5);
  EXPECT_EQ(w3.group, "A");
}

// The weld CSV's `after` column: ids separated by blanks, kept as an inline weld's `after:`
// list, each at its column (a CSV could not carry precedences: a station of CSV welds had none).
TEST(LoadCellTest, WeldCsvAfterColumnListsThePredecessorsAtTheirColumns) {
  const fs::path dir = fs::absolute(weldcell::testing::FreshDirectory("csv_after"));
  std::ofstream(dir / "welds.csv")
      << "id,x,y,z,nx,ny,nz,weld_time,tilt,spin_min,spin_max,group,after\n"
         "W1,0,0,0,0,0,1\n"
         "W2,0.1,0,0,0,0,1,,,,,,W1\n"
         "W3,0.2,0,0,0,0,1,,,,,A, W1  W2 \n"
         "W4,0.3,0,0,0,0,1,,,,,,\"W3\"\n"
         "W5,0.4,0,0,0,0,1,,,,,,W1\tW4\n";
  std::ofstream(dir / "cell.yaml")
      << "format: weldcell/1\nname: csv_after\ncycle_time: 10\nrobots:\n  - {name: R1, model: "
      << fs::absolute(kGood / "tiny_robot.yaml").string()
      << ", tool: " << fs::absolute(kGood / "gun.yaml").string()
      << "}\nwelds: {file: welds.csv, defaults: {weld_time: 1}}\n";
  const Cell c = LoadCell(dir / "cell.yaml").value;
  ASSERT_EQ(c.welds.size(), 5u);
  EXPECT_TRUE(c.welds[0].after.empty());
  EXPECT_EQ(c.welds[1].after, (std::vector<std::string>{"W1"}));
  EXPECT_EQ(c.welds[2].after, (std::vector<std::string>{"W1", "W2"}));
  EXPECT_EQ(c.welds[2].group, "A");
  EXPECT_EQ(c.welds[3].after, (std::vector<std::string>{"W3"}));
  EXPECT_EQ(c.welds[4].after, (std::vector<std::string>{"W1", "W4"}));  // a tab between them
}

// A fresh CI user: a station whose weld CSV held its header alone planned into a plan that
// "fits", every requirement passing, without a word. It loads (a station being set up may have
// no welds yet), with a warning at `welds:`.
TEST(LoadCellTest, AStationWithoutWeldsIsAWarningAtItsWelds) {
  const fs::path dir = fs::absolute(weldcell::testing::FreshDirectory("no_welds"));
  std::ofstream(dir / "welds.csv") << "id,x,y,z,nx,ny,nz\n";
  const std::string head =
      "format: weldcell/1\nname: no_welds\ncycle_time: 10\nrobots:\n  - {name: R1, model: " +
      fs::absolute(kGood / "tiny_robot.yaml").string() +
      ", tool: " + fs::absolute(kGood / "gun.yaml").string() + "}\n";
  std::ofstream(dir / "csv.yaml") << head << "welds: {file: welds.csv}\n";
  std::ofstream(dir / "list.yaml") << head << "welds: []\n";
  for (const char* file : {"csv.yaml", "list.yaml"}) {
    const auto loaded = LoadCell(dir / file);
    EXPECT_TRUE(loaded.value.welds.empty());
    // The last: after the robot model's own (the tiny arm's mesh and mimic warnings).
    ASSERT_FALSE(loaded.warnings.empty()) << file;
    EXPECT_EQ(loaded.warnings.back().ToString(),
              (dir / file).string() +
                  ":6:8: warning: welds: the station has no welds: there is nothing to plan (an "
                  "empty list, or a weld CSV with its header alone?)")
        << file;
  }
}

// Valid numbers that are most likely a unit mistake are warnings at their line (a fresh user's
// hood in mm read as m, 1.3 km wide and 200 m above the welds, planned into a station that
// "fits"): an obstacle larger than any station or smaller than any fixture, welds that lie on
// no obstacle, and a weld's tilt tolerance that reach never uses (tilt_step not given).
TEST(LoadCellTest, SizesOfAnotherUnitAreWarningsAtTheirLine) {
  const fs::path dir = fs::absolute(weldcell::testing::FreshDirectory("implausible_sizes"));
  // A tetrahedron 900 units wide: a hood in mm.
  std::ofstream(dir / "hood.obj") << "v 0 0 0\nv 900 0 0\nv 0 800 0\nv 0 0 400\n"
                                     "f 1 3 2\nf 1 2 4\nf 1 4 3\nf 2 3 4\n";
  const std::string head =
      "format: weldcell/1\nname: sizes\ncycle_time: 10\nrobots:\n  - {name: R1, model: " +
      fs::absolute(kGood / "tiny_robot.yaml").string() +
      ", tool: " + fs::absolute(kGood / "gun.yaml").string() + "}\n";
  // The warnings of the station `head + rest` written as `name`, but the tiny arm's own.
  const auto warnings = [&](const std::string& name, const std::string& rest) {
    std::ofstream(dir / name) << head << rest;
    std::vector<std::string> out;
    for (const Diagnostic& d : LoadCell(dir / name).warnings) {
      if (d.where.file == (dir / name).string()) out.push_back(d.ToString());
    }
    return out;
  };
  const std::string at = (dir / "mm.yaml").string();
  EXPECT_THAT(
      warnings("mm.yaml",
               "welds:\n  - {id: A1, p: [0.5, 0.4, 0], n: [0, 0, -1], weld_time: 1}\n"
               "obstacles:\n  - {name: hood, mesh: hood.obj}\n"
               "settings: {reach: {tilt_step: 0}}\n"),
      ElementsAre(at + ":9:5: warning: obstacles[0]: 'hood' spans 900 x 800 x 400 m, larger "
                       "than any welding station: a mesh in millimetres needs `scale: 0.001`"));
  EXPECT_THAT(
      warnings("tiny.yaml",
               "welds:\n  - {id: A1, p: [0, 0, 0], n: [0, 0, 1], weld_time: 1}\n"
               "obstacles:\n  - {name: hood, mesh: hood.obj, scale: 0.000001}\n"
               "settings: {reach: {tilt_step: 0}}\n"),
      ElementsAre((dir / "tiny.yaml").string() +
                  ":9:5: warning: obstacles[0]: 'hood' spans 0.9 x 0.8 x 0.4 mm, smaller than "
                  "any fixture: a mesh in metres scaled by 0.001, or one whose file gives its "
                  "unit (DAE) scaled again?"));
  // Two welds off the part (0.4 m above the box, 0.2 m beside it) and one on it; tilts of 10
  // deg with tilt_step not given.
  const std::string off_part =
      "welds:\n"
      "  - {id: A1, p: [1, 0, 0.1], n: [0, 0, 1], weld_time: 1, tilt: 10}\n"
      "  - {id: A2, p: [1, 0, 0.5], n: [0, 0, 1], weld_time: 1, tilt: 10}\n"
      "  - {id: A3, p: [1.3, 0, 0], n: [1, 0, 0], weld_time: 1, tilt: 10}\n"
      "obstacles:\n  - {name: part, box: [0.2, 0.2, 0.2], pose: {xyz: [1, 0, 0]}}\n"
      "units: {angle: deg}\n";
  const std::string off = (dir / "off.yaml").string();
  EXPECT_THAT(warnings("off.yaml", off_part),
              ElementsAre(off + ":8:10: warning: welds[1].id: weld A2 lies 0.4 m from the "
                                "nearest obstacle ('part'), and 1 more weld lies more than 0.1 m "
                                "from every obstacle: a weld sits on a part; its position in "
                                "another length unit than the part's, or the part placed "
                                "elsewhere?",
                          off + ":7:10: warning: welds[0].id: weld A1 (and 2 more welds) "
                                "allows a tilt of 10 deg, but settings.reach.tilt_step is not "
                                "given (0): reach tries the normal only (give a tilt_step, e.g. "
                                "5 deg, to use the tolerance, or 0 to say so)"));
  // A tilt from the CSV's defaults is said at `welds.defaults.tilt`, where it is written.
  std::ofstream(dir / "welds.csv") << "id,x,y,z,nx,ny,nz\nC1,1,0,0.1,0,0,1\n";
  const std::string csv = (dir / "csv.yaml").string();
  EXPECT_THAT(warnings("csv.yaml",
                       "welds: {file: welds.csv, defaults: {weld_time: 1, tilt: 10}}\n"
                       "obstacles:\n  - {name: part, box: [0.2, 0.2, 0.2], pose: {xyz: [1, 0, "
                       "0]}}\nunits: {angle: deg}\n"),
              ElementsAre(csv + ":6:57: warning: welds.defaults.tilt: weld C1 allows a tilt of 10 "
                                "deg, but settings.reach.tilt_step is not given (0): reach tries "
                                "the normal only (give a tilt_step, e.g. 5 deg, to use the "
                                "tolerance, or 0 to say so)"));
  // tilt_step written as 0: the normal only, on purpose.
  EXPECT_EQ(warnings("off_step.yaml", off_part + "settings: {reach: {tilt_step: 0}}\n").size(), 1u);
}

// A weld normal is a direction of any finite length: `1e300 0 0` overflowed its norm and
// became (0, 0, 0) (reach then said "out of range" of a weld its robot reaches), and `1e-200
// 1e-200 0` was refused as zero.
TEST(LoadCellTest, AWeldNormalOfAnyFiniteLengthIsItsDirection) {
  const fs::path dir = fs::absolute(weldcell::testing::FreshDirectory("normal_lengths"));
  const std::string robot = fs::absolute(kGood / "tiny_robot.yaml").string();
  const std::string gun = fs::absolute(kGood / "gun.yaml").string();
  std::ofstream(dir / "welds.csv") << "id,x,y,z,nx,ny,nz\n"
                                      "C1,0,0,0,0,0,1e300\n"
                                      "C2,0,0,0,1e-200,-1e-200,0\n";
  const std::string head =
      "format: weldcell/1\nname: normals\ncycle_time: 10\nrobots:\n"
      "  - {name: R1, model: " +
      robot + ", tool: " + gun + "}\n";
  std::ofstream(dir / "cell.yaml") << head
                                   << "welds:\n"
                                      "  - {id: Y1, p: [0, 0, 0], n: [1e300, 1e300, 1e300]}\n"
                                      "  - {id: Y2, p: [0, 0, 0], n: [-1e-300, 0, 0]}\n";
  std::ofstream(dir / "cell_csv.yaml") << head << "welds: {file: welds.csv}\n";
  const Cell inline_welds = LoadCell(dir / "cell.yaml").value;
  ASSERT_EQ(inline_welds.welds.size(), 2u);
  EXPECT_TRUE(inline_welds.welds[0].n_W.isApprox(Eigen::Vector3d(1, 1, 1).normalized()))
      << inline_welds.welds[0].n_W.transpose();
  EXPECT_TRUE(inline_welds.welds[1].n_W.isApprox(-Eigen::Vector3d::UnitX()))
      << inline_welds.welds[1].n_W.transpose();
  const Cell csv_welds = LoadCell(dir / "cell_csv.yaml").value;
  ASSERT_EQ(csv_welds.welds.size(), 2u);
  EXPECT_TRUE(csv_welds.welds[0].n_W.isApprox(Eigen::Vector3d::UnitZ()))
      << csv_welds.welds[0].n_W.transpose();
  EXPECT_TRUE(csv_welds.welds[1].n_W.isApprox(Eigen::Vector3d(1, -1, 0).normalized()))
      << csv_welds.welds[1].n_W.transpose();
}

// A fresh user (2026-12-07) copied a weld row under another id: both welds on one spot, loaded
// without a word (and planned into a plan that failed its own verification). A weld within 1 mm
// of another is a warning at its id, naming the other and where it is; 1.5 mm apart is not.
TEST(LoadCellTest, AWeldOnTheSpotOfAnotherIsAWarningNamingBoth) {
  const fs::path dir = fs::absolute(weldcell::testing::FreshDirectory("same_spot"));
  std::ofstream(dir / "welds.csv") << "id,x,y,z,nx,ny,nz\n"
                                      "A1,100,0,0,0,0,1\n"
                                      "A2,101.5,0,0,0,0,1\n"
                                      "A3,100.3,0.4,0,0,0,1\n";
  std::ofstream(dir / "cell.yaml")
      << "format: weldcell/1\nname: spots\ncycle_time: 10\nunits: {length: mm}\nrobots:\n"
         "  - {name: R1, model: "
      << fs::absolute(kGood / "tiny_robot.yaml").string()
      << ", tool: " << fs::absolute(kGood / "gun.yaml").string() << "}\nwelds: {file: welds.csv}\n";
  const Loaded<Cell> loaded = LoadCell(dir / "cell.yaml");
  ASSERT_EQ(loaded.value.welds.size(), 3u);
  std::vector<std::string> spots;  // the tiny robot's own warnings aside
  for (const Diagnostic& d : loaded.warnings) {
    if (d.ToString().find("one spot") != std::string::npos) spots.push_back(d.ToString());
  }
  ASSERT_EQ(spots.size(), 1u);
  EXPECT_EQ(spots[0],
            (dir / "welds.csv").string() +
                ":4:1: warning: id: weld A3 is 0.50 mm from weld A1 (at " +
                (dir / "welds.csv").string() +
                ":2): one spot listed twice? Both are planned, the gun closing on it twice");
  // Fifteen on one spot: ten said, the rest counted (20,000 gave 19,999 lines).
  std::ofstream many(dir / "welds.csv");
  many << "id,x,y,z,nx,ny,nz\n";
  for (int i = 0; i < 15; ++i) many << "M" << i << ",100,0,0,0,0,1\n";
  many.close();
  int said = 0;
  std::string rest;
  for (const Diagnostic& d : LoadCell(dir / "cell.yaml").warnings) {
    said += d.message.find("one spot listed twice") != std::string::npos;
    if (d.message.find("more weld(s)") != std::string::npos) rest = d.ToString();
  }
  EXPECT_EQ(said, 10);
  EXPECT_EQ(rest, (dir / "welds.csv").string() +
                      ": warning: welds: and 4 more weld(s) on the spot of another");
}

}  // namespace
}  // namespace weldcell::cell

namespace weldcell::cell {
namespace {

using test_support::ErrorOf;

TEST(LoadUrdfChainTest, UnknownLinksAndATipNotBelowTheBaseNameTheUrdf) {
  const fs::path urdf = kGood / "tiny_description/urdf/tiny.urdf";
  EXPECT_TRUE(std::regex_search(
      ErrorOf([&] { LoadUrdfChain(urdf, "base", "flange"); }),
      std::regex(
          R"(^tests/planner/cell/good/tiny_description/urdf/tiny\.urdf: error: base link 'base' not found in .*tiny\.urdf \(its links: [a-z_0-9, ]*base_link, [a-z_0-9, ]*tool0[a-z_0-9, ]*\)\ntests/planner/cell/good/tiny_description/urdf/tiny\.urdf: error: tip link 'flange' not found)")));
  // Without a robot.yaml the error points at the tip's <link> element in the URDF.
  EXPECT_TRUE(std::regex_search(
      ErrorOf([&] { LoadUrdfChain(urdf, "link_2", "link_1"); }),
      std::regex(
          R"(^tests/planner/cell/good/tiny_description/urdf/tiny\.urdf:19:3: error: tip link 'link_1' is not below base link 'link_2')")));
  EXPECT_TRUE(std::regex_search(
      ErrorOf([&] { LoadUrdfChain(kGood / "none.urdf", "a", "b"); }),
      std::regex(
          R"(^tests/planner/cell/good/none\.urdf: error: file not found: tests/planner/cell/good/none\.urdf$)")));
}

// A folder given as the cell (as `weldcell check cells/demo`) is not "file not found": the
// message says it is a directory and names the cell.yaml in it.
TEST(LoadCellTest, AFolderGivenAsTheCellSaysItIsADirectoryAndNamesItsCellYaml) {
  EXPECT_TRUE(std::regex_search(
      ErrorOf([] { LoadCell("cells/demo", {}); }),
      std::regex(
          R"(^cells/demo: error: is a directory, expected a YAML file: cells/demo \(did you mean cells/demo/cell\.yaml\?\)$)")));
  // A folder without a cell.yaml in it: no suggestion.
  EXPECT_TRUE(std::regex_search(
      ErrorOf([] { LoadCell("tests/planner/cell", {}); }),
      std::regex(
          R"(^tests/planner/cell: error: is a directory, expected a YAML file: tests/planner/cell$)")));
}

// A device, a FIFO or a file over 256 MiB given as the cell, or named by it (its welds CSV, a
// robot), is refused without being read: /dev/zero was read until memory ran out (`weldcell
// plan /dev/zero`, the viewer), and opening a FIFO blocked forever.
TEST(LoadCellTest, DevicesFifosAndHugeFilesAreRefusedWithoutReadingThem) {
  EXPECT_TRUE(std::regex_search(
      ErrorOf([] { LoadCell("/dev/zero", {}); }),
      std::regex(
          R"(^/dev/zero: error: is not a regular file \(a device, FIFO or socket\), expected the YAML file: /dev/zero$)")))
      << ErrorOf([] { LoadCell("/dev/zero", {}); });
  const fs::path dir = weldcell::testing::FreshDirectory("load_fifo");
  const fs::path fifo = dir / "cell.yaml";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_TRUE(std::regex_search(
      ErrorOf([&] { LoadCell(fifo, {}); }),
      std::regex(R"(cell\.yaml: error: is not a regular file \(a device, FIFO or socket\))")))
      << ErrorOf([&] { LoadCell(fifo, {}); });
  const fs::path huge = dir / "huge.yaml";
  std::ofstream(huge) << "format: weldcell/1\n";
  fs::resize_file(huge, std::uintmax_t{300} << 20);  // sparse: nothing is written
  EXPECT_TRUE(std::regex_search(
      ErrorOf([&] { LoadCell(huge, {}); }),
      std::regex(R"(huge\.yaml: error: is 300 MiB, more than the 256 MiB an input file may have)")))
      << ErrorOf([&] { LoadCell(huge, {}); });
  // Named by the cell: the error is at the line that names it.
  const fs::path cell = dir / "cell_csv.yaml";
  {
    std::ifstream in(kGood / "cell_csv.yaml");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text.replace(text.find("file: welds.csv"), 15, "file: /dev/zero");
    text.replace(text.find("tiny_robot.yaml"), 15,
                 fs::absolute(kGood / "tiny_robot.yaml").string());
    text.replace(text.find("gun.yaml"), 8, fs::absolute(kGood / "gun.yaml").string());
    std::ofstream(cell) << text;
  }
  EXPECT_TRUE(std::regex_search(
      ErrorOf([&] { LoadCell(cell, {}); }),
      std::regex(
          R"(cell_csv\.yaml:7:\d+: error: welds\.file: is not a regular file \(a device, FIFO or socket\), expected the welds CSV: /dev/zero)")))
      << ErrorOf([&] { LoadCell(cell, {}); });
  fs::remove_all(dir);
}

// A cell opened through a symbolic link to its folder (a CI workspace, a "current" link): its
// `../../robots/...` goes up from the link's target, as the system resolves it. The path was
// normalised as text first (ci/ws/demo/../../robots → ci/robots) and the robot "not found".
TEST(LoadCellTest, RelativePathsGoUpFromALinkedFoldersTarget) {
  const fs::path dir = fs::absolute(weldcell::testing::FreshDirectory("linked_folder"));
  fs::create_directories(dir / "station/cells/demo");
  fs::create_directories(dir / "ci/ws");
  fs::copy(kGood, dir / "station/robots", fs::copy_options::recursive);
  std::ofstream(dir / "station/cells/demo/cell.yaml")
      << "format: weldcell/1\n"
         "name: linked\n"
         "cycle_time: 10\n"
         "robots:\n"
         "  - {name: R1, model: ../../robots/tiny_robot.yaml, tool: ../../robots/gun.yaml}\n"
         "welds: {file: ../../robots/welds.csv}\n";
  fs::create_directory_symlink("../../station/cells/demo", dir / "ci/ws/demo");
  ASSERT_FALSE(fs::exists(dir / "ci/robots"));

  const Cell direct = LoadCell(dir / "station/cells/demo/cell.yaml", {}).value;
  Cell linked;
  ASSERT_NO_THROW(linked = LoadCell(dir / "ci/ws/demo/cell.yaml", {}).value)
      << ErrorOf([&] { LoadCell(dir / "ci/ws/demo/cell.yaml", {}); });
  EXPECT_EQ(linked.robots.size(), 1u);
  EXPECT_EQ(linked.welds.size(), direct.welds.size());
  EXPECT_GT(linked.welds.size(), 0u);
  fs::remove_all(dir);
}

// Every file a cell names (robot model, URDF, weld CSV, meshes) says missing, a folder or not a
// regular file in the same words, at the line that names it: a mesh that was /dev/zero, a FIFO
// or a link to /dev/zero said "mesh file not found" (a loop of links too), a folder as the weld
// CSV "file not found".
// Nothing is opened (a FIFO would block the load).
TEST(LoadCellTest, EveryNamedFileSaysMissingFolderOrNotARegularFileTheSameWay) {
  const fs::path dir = fs::absolute(weldcell::testing::FreshDirectory("named_files"));
  fs::create_directory(dir / "models");
  fs::create_directory(dir / "welds_dir");
  fs::create_directory(dir / "meshdir");
  fs::create_directory(dir / "urdf_dir");
  ASSERT_EQ(::mkfifo((dir / "fifo.stl").c_str(), 0600), 0);
  fs::create_symlink("/dev/zero", dir / "zero.stl");
  fs::create_symlink("loop_b.stl", dir / "loop_a.stl");  // a loop of links: not "not found"
  fs::create_symlink("loop_a.stl", dir / "loop_b.stl");
  {
    std::ifstream in(kGood / "tiny_robot.yaml");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text.replace(text.find("tiny_description/urdf/tiny.urdf"), 31, "urdf_dir");
    std::ofstream(dir / "robot.yaml") << text;
  }
  const std::string gun = fs::absolute(kGood / "gun.yaml").string();
  const fs::path cell = dir / "cell.yaml";
  std::ofstream(cell) << "format: weldcell/1\n"
                         "name: files\n"
                         "cycle_time: 10\n"
                         "robots:\n"
                         "  - {name: R1, model: models, tool: "
                      << gun << "}\n"
                      << "  - {name: R2, model: robot.yaml, tool: " << gun << "}\n"
                      << "welds: {file: welds_dir}\n"
                         "obstacles:\n"
                         "  - {name: zero, mesh: /dev/zero}\n"
                         "  - {name: fifo, mesh: fifo.stl}\n"
                         "  - {name: link, mesh: zero.stl}\n"
                         "  - {name: folder, mesh: meshdir}\n"
                         "  - {name: gone, mesh: gone.stl}\n"
                         "  - {name: loop, mesh: loop_a.stl}\n";
  const std::string error = ErrorOf([&] { LoadCell(cell, {}); });
  const std::string at = cell.string() + ":";
  const std::string not_regular = "is not a regular file (a device, FIFO or socket), expected the ";
  for (const std::string& line : {
           at + "5:23: error: robots[0].model: is a directory, expected a YAML file: " +
               (dir / "models").string(),
           (dir / "robot.yaml").string() +
               ":3:7: error: urdf: is a directory, expected a URDF: " + (dir / "urdf_dir").string(),
           at + "7:15: error: welds.file: is a directory, expected a welds CSV: " +
               (dir / "welds_dir").string(),
           at + "9:24: error: obstacles[0].mesh: " + not_regular + "mesh: /dev/zero",
           at + "10:24: error: obstacles[1].mesh: " + not_regular +
               "mesh: " + (dir / "fifo.stl").string(),
           at + "11:24: error: obstacles[2].mesh: " + not_regular +
               "mesh: " + (dir / "zero.stl").string(),
           at + "12:26: error: obstacles[3].mesh: is a directory, expected a mesh: " +
               (dir / "meshdir").string(),
           at + "13:24: error: obstacles[4].mesh: mesh file not found: " +
               (dir / "gone.stl").string(),
           at +
               "14:24: error: obstacles[5].mesh: cannot be read: too many levels of symbolic "
               "links (expected the mesh): " +
               (dir / "loop_a.stl").string(),
       }) {
    EXPECT_NE((error + "\n").find(line + "\n"), std::string::npos) << line << "\nnot in:\n"
                                                                   << error;
  }
  fs::remove_all(dir);
}

// Only the first YAML document of a file was read: one after `...` is refused at its first
// line too (c40_second_document.yaml has one after `---`); markers around a single document,
// and a `---` with nothing after it, are fine.
TEST(LoadToolTest, ASecondYamlDocumentIsAnErrorWhereItStarts) {
  const fs::path dir = weldcell::testing::FreshDirectory("second_document");
  std::string gun;
  {
    std::ifstream in(kGood / "gun.yaml");
    std::string line;
    for (int i = 0; i < 12 && std::getline(in, line); ++i) gun += line + "\n";  // no meshes
  }
  std::ofstream(dir / "one.yaml") << "---\n" << gun << "...\n---\n";
  EXPECT_EQ(LoadTool(dir / "one.yaml").value.name, "tiny_gun");
  std::ofstream(dir / "two.yaml") << gun << "...\nname: other\n";
  const std::string error = ErrorOf([&] { LoadTool(dir / "two.yaml"); });
  EXPECT_EQ(error, (dir / "two.yaml").string() +
                       ":14:1: error: a second YAML document starts here: a weldcell file is one "
                       "document (its keys would be ignored)");
  fs::remove_all(dir);
}

// What YAML allows of tabs still loads (a tab after a value separator, between flow items,
// before a comment), and so does the non-specific tag `!` (it makes a string); only tabs in the
// indentation break the parse, and only those are named (c48, t07 in the corpus).
TEST(LoadToolTest, TabsWhereYamlAllowsThemAndTheNonSpecificTagLoad) {
  const fs::path dir = weldcell::testing::FreshDirectory("tabs_allowed");
  std::ofstream(dir / "gun.yaml") << "format:\tweldcell-tool/1\n"
                                     "name: ! tab_gun\n"
                                     "units: {length:\tmm,\tangle: deg}\n"
                                     "tcp: {xyz: [0,\t0,\t300]}\t# the tip\n"
                                     "approach_distance:\t80\n"
                                     "close_time: 0.2\n"
                                     "open_time: 0.1\n"
                                     "weld_time: 0.5\n"
                                     "collision:\n"
                                     "  - {sphere: {radius: 20}}\n"
                                     "  - sphere:\t{radius: 30}\n";
  const Tool tool = LoadTool(dir / "gun.yaml").value;
  EXPECT_EQ(tool.name, "tab_gun");
  EXPECT_TRUE(tool.X_FT.translation().isApprox(Eigen::Vector3d(0, 0, 0.3)));
  EXPECT_DOUBLE_EQ(tool.approach_distance, 0.08);
  ASSERT_EQ(tool.collision.size(), 2u);
  EXPECT_DOUBLE_EQ(tool.collision[1].shape.radius, 0.03);
}

TEST(LoadUrdfChainTest, ChainFromAnInnerBaseSkipsTheLinksAboveIt) {
  const auto loaded = LoadUrdfChain(kGood / "tiny_description/urdf/tiny.urdf", "link_1", "link_3");
  const RobotModel& m = *loaded.value;
  EXPECT_EQ(m.dof(), 2);  // joint_2 and slide; the balancer branch and the wrist are not on it
  EXPECT_EQ(m.links.front().name, "link_1");
  EXPECT_EQ(m.links.back().name, "link_3");
  EXPECT_EQ(m.controller.signs, (std::vector<double>{1, 1}));
  EXPECT_EQ(m.acceleration_limits(), Eigen::Vector2d::Zero());  // no robot.yaml: unknown
}

}  // namespace
}  // namespace weldcell::cell

namespace weldcell::cell {
namespace {

TEST(LoadConcurrencyTest, TwoThreadsLoadTheSameCellAlike) {
  // urdfdom reports through a process-global console handler; the loader swaps it under a
  // mutex, so concurrent loads neither crash nor mix up their messages.
  Loaded<Cell> a, b;
  std::thread ta([&] { a = LoadCell(kGood / "cell.yaml"); });
  std::thread tb([&] { b = LoadCell(kGood / "cell.yaml"); });
  ta.join();
  tb.join();
  EXPECT_EQ(a.warnings, b.warnings);
  ASSERT_EQ(a.value.robots.size(), b.value.robots.size());
  for (std::size_t i = 0; i < a.value.robots.size(); ++i) {
    const RobotModel& ma = *a.value.robots[i].model;
    const RobotModel& mb = *b.value.robots[i].model;
    ASSERT_EQ(ma.links.size(), mb.links.size());
    for (std::size_t k = 0; k < ma.links.size(); ++k) {
      ASSERT_EQ(ma.links[k].collision.size(), mb.links[k].collision.size());
      for (std::size_t g = 0; g < ma.links[k].collision.size(); ++g) {
        const Shape& sa = ma.links[k].collision[g].shape;
        const Shape& sb = mb.links[k].collision[g].shape;
        EXPECT_EQ(sa.triangle_count(), sb.triangle_count());
        if (sa.mesh && sb.mesh) {
          EXPECT_EQ(sa.mesh->vertices, sb.mesh->vertices);
        }
      }
    }
  }
  ASSERT_EQ(a.value.welds.size(), b.value.welds.size());
  for (std::size_t i = 0; i < a.value.welds.size(); ++i) {
    EXPECT_EQ(a.value.welds[i].p_W, b.value.welds[i].p_W);
  }
}

}  // namespace
}  // namespace weldcell::cell
