// Loading the public ROS-Industrial robots of ../shared/robots (skipped when absent).

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <string>

#include "planner/cell/load.hpp"

namespace weldcell::cell {
namespace {

namespace fs = std::filesystem;

const fs::path kSharedRobots = "../shared/robots";

#define SKIP_WITHOUT_SHARED()                                                       \
  if (!fs::is_directory(kSharedRobots)) {                                           \
    GTEST_SKIP() << "../shared/robots is absent (external test data, not shipped)"; \
  }

fs::path FindUrdf(const std::string& package) {
  for (const auto& entry : fs::directory_iterator(kSharedRobots / package / "urdf")) {
    if (entry.path().extension() == ".urdf") return entry.path();
  }
  return {};
}

std::size_t CollisionTriangles(const RobotModel& model) {
  std::size_t n = 0;
  for (const Link& link : model.links) {
    for (const Geometry& g : link.collision) n += g.shape.triangle_count();
  }
  return n;
}

TEST(SharedRobotsTest, EveryRobotLoadsItsArmChain) {
  SKIP_WITHOUT_SHARED();
  int loaded = 0;
  for (const auto& entry : fs::directory_iterator(kSharedRobots)) {
    if (!entry.is_directory()) continue;
    const fs::path urdf = FindUrdf(entry.path().filename().string());
    ASSERT_FALSE(urdf.empty()) << entry.path();
    SCOPED_TRACE(urdf.string());
    Loaded<std::shared_ptr<const RobotModel>> loaded_model;
    ASSERT_NO_THROW(loaded_model = LoadUrdfChain(urdf, "base_link", "tool0"));
    const RobotModel& model = *loaded_model.value;
    EXPECT_EQ(model.dof(), 6);
    EXPECT_EQ(model.links.front().name, "base_link");
    EXPECT_EQ(model.links.back().name, "tool0");
    ASSERT_EQ(model.links.size(), model.joints.size() + 1);
    for (const Joint& j : model.joints) {
      if (!j.movable()) continue;
      EXPECT_LT(j.lower, j.upper) << j.name;
      EXPECT_GT(j.max_velocity, 0.0) << j.name;
      EXPECT_NEAR(j.axis.norm(), 1.0, 1e-12) << j.name;
    }
    // Every link that has a collision mesh in the URDF got it, read into metres: a robot
    // link is centimetres to a few metres across.
    for (const Link& link : model.links) {
      for (const Geometry& g : link.collision) {
        ASSERT_EQ(g.shape.kind, ShapeKind::kMesh);
        ASSERT_GT(g.shape.triangle_count(), 0u) << link.name;
        Eigen::AlignedBox3d box;
        for (const Eigen::Vector3d& v : g.shape.mesh->vertices) box.extend(v);
        EXPECT_GT(box.diagonal().norm(), 0.02) << link.name;
        EXPECT_LT(box.diagonal().norm(), 4.0) << link.name;
      }
    }
    ++loaded;
  }
  EXPECT_EQ(loaded, 5);
}

TEST(SharedRobotsTest, Irb6640ChainSkipsTheBalancerBranch) {
  SKIP_WITHOUT_SHARED();
  const auto loaded = LoadUrdfChain(FindUrdf("abb_irb6640_support"), "base_link", "tool0");
  const RobotModel& model = *loaded.value;
  // The URDF has 8 movable joints; two (the balancer) sit on a side branch.
  EXPECT_EQ(model.dof(), 6);
  std::vector<std::string> movable;
  for (int i : model.movable_joint_indices()) movable.push_back(model.joints[i].name);
  EXPECT_EQ(movable, (std::vector<std::string>{"joint_1", "joint_2", "joint_3", "joint_4",
                                               "joint_5", "joint_6"}));
  for (const Link& link : model.links) {
    EXPECT_NE(link.name, "link_cylinder");
    EXPECT_NE(link.name, "link_piston");
  }
  // The balancer's <mimic> joints do not move the arm: ignored, with a warning each.
  int mimic_warnings = 0;
  for (const Diagnostic& d : loaded.warnings) {
    mimic_warnings += std::regex_search(
        d.ToString(), std::regex(R"(warning: joint\[joint_(cylinder|piston)\]\.mimic: ignored)"));
  }
  EXPECT_EQ(mimic_warnings, 2);
}

TEST(SharedRobotsTest, AbsentVisualMeshesWarnAndFallBackToCollision) {
  SKIP_WITHOUT_SHARED();
  for (const std::string package : {"abb_irb6640_support", "kuka_kr6_support"}) {
    const fs::path urdf = FindUrdf(package);
    const auto loaded = LoadUrdfChain(urdf, "base_link", "tool0");
    ASSERT_FALSE(loaded.warnings.empty()) << package;
    const std::regex pattern(
        std::regex_replace(urdf.string(), std::regex(R"([.])"), R"(\.)") +
        R"(:\d+:\d+: warning: link\[link_1\]\.visual\[0\]\.mesh: mesh file not found: .*link_1\.dae)");
    bool found = false;
    for (const Diagnostic& d : loaded.warnings) found |= std::regex_search(d.ToString(), pattern);
    EXPECT_TRUE(found) << package << ": " << loaded.warnings.front().ToString();
    for (const Link& link : loaded.value->links) {
      ASSERT_EQ(link.visual.size(), link.collision.size()) << link.name;
      for (std::size_t i = 0; i < link.visual.size(); ++i) {
        EXPECT_EQ(link.visual[i].shape.mesh, link.collision[i].shape.mesh);
      }
    }
  }
}

TEST(SharedRobotsTest, Kr120CollisionMeshesHaveAbout30kTriangles) {
  SKIP_WITHOUT_SHARED();
  const auto loaded = LoadUrdfChain(FindUrdf("kuka_kr120_support"), "base_link", "tool0");
  const std::size_t triangles = CollisionTriangles(*loaded.value);
  // Binary STL: 84-byte header + 50 bytes per triangle; the seven files hold 29,574 triangles.
  EXPECT_GT(triangles, 25000u);
  EXPECT_LT(triangles, 35000u);
  EXPECT_TRUE(loaded.warnings.empty()) << loaded.warnings.front().ToString();
}

TEST(SharedRobotsTest, DaeVisualMeshesAreInTheLinkFrameInMetres) {
  SKIP_WITHOUT_SHARED();
  // The ROS-I DAE files say Z_UP and meter=1: the visual mesh must overlay the collision STL.
  for (const std::string package : {"abb_irb2400_support", "kuka_kr120_support"}) {
    const auto loaded = LoadUrdfChain(FindUrdf(package), "base_link", "tool0");
    for (const Link& link : loaded.value->links) {
      if (link.collision.empty()) continue;
      ASSERT_EQ(link.visual.size(), 1u) << link.name;
      Eigen::AlignedBox3d collision_box, visual_box;
      for (const auto& v : link.collision[0].shape.mesh->vertices) collision_box.extend(v);
      for (const auto& v : link.visual[0].shape.mesh->vertices) visual_box.extend(v);
      // The collision hull envelops the visual mesh (IRB 2400 link_2's collision mesh covers
      // more of the arm than its visual): a Y-up rotation or a unit error would break this.
      Eigen::AlignedBox3d envelope = collision_box;
      envelope.extend(collision_box.min() - Eigen::Vector3d::Constant(0.01));
      envelope.extend(collision_box.max() + Eigen::Vector3d::Constant(0.01));
      EXPECT_TRUE(envelope.contains(visual_box)) << package << " " << link.name;
      EXPECT_GT(visual_box.diagonal().norm(), 0.5 * collision_box.diagonal().norm())
          << package << " " << link.name;
    }
  }
}

}  // namespace
}  // namespace weldcell::cell
