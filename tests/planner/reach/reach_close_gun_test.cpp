// Reach with a gun that works a few centimetres from the forearm (issue 10, item 9): the
// collision module's mesh traversal (internal::MeshShapeWithin) must leave every reach result as
// plain FCL gives it.

#include <gtest/gtest.h>

#include <numbers>
#include <string>

#include "planner/cell/load.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/collision/internal/world_impl.hpp"
#include "planner/reach/reach.hpp"
#include "tests/planner/close_gun.hpp"

namespace weldcell::reach {
namespace {

constexpr double kDeg = std::numbers::pi / 180.0;

// The shipped FANUC with the shipped C gun (plus the backpack when `backpack`), welding a flange
// given as a tessellated mesh (so the electrodes' cylinders meet a mesh too), beside a box clamp
// (which the backpack mesh meets).
cell::Cell CloseGunCell(bool backpack) {
  cell::Cell c;
  c.name = "close_gun";
  c.cycle_time = 60;
  cell::Robot robot{
      .name = "R1",
      .model = cell::LoadRobotModel("robots/fanuc_r2000ic165f/robot.yaml").value,
      .X_WB = Eigen::Isometry3d::Identity(),
      .tool = cell::LoadTool("robots/tools/c_gun.yaml").value,
      .home = Eigen::VectorXd(6),
  };
  robot.home << 0, -30 * kDeg, -35 * kDeg, 0, 100 * kDeg, 0;
  if (backpack) testing::AddBackpack(robot.tool, 8, 0.02);
  c.robots.push_back(robot);
  // Welds 5 cm from the free edge (x = 1.55 m) of a 4 mm flange, which the C gun's throat
  // takes in (its lower jaw passes below the sheet).
  for (const double y : {-0.4, 0.0, 0.4}) {
    c.welds.push_back({.id = "y" + std::to_string(y),
                       .p_W = {1.5, y, 0.6},
                       .n_W = Eigen::Vector3d::UnitZ(),
                       .weld_time = 0.3});
  }
  cell::Geometry flange{
      .shape = cell::Shape::FromMesh(testing::TessellatedBox({0.3, 1.2, 0.004}, 12)),
      .X_FG = Eigen::Isometry3d::Identity()};
  flange.X_FG.translation() = Eigen::Vector3d(1.45 + 0.15, 0.0, 0.6 - 0.002);
  c.obstacles.push_back({.name = "flange", .geometry = flange});
  // A clamp beside the last weld: the backpack mesh meets a box (with the motion margin).
  cell::Geometry clamp{.shape = cell::Shape::Box({0.1, 0.1, 0.5}),
                       .X_FG = Eigen::Isometry3d::Identity()};
  clamp.X_FG.translation() = Eigen::Vector3d(1.35, 0.55, 0.85);
  c.obstacles.push_back({.name = "clamp", .geometry = clamp});
  c.settings.reach.spin_step = 30 * kDeg;
  return c;
}

std::size_t CandidateCount(const ReachMap& map) {
  std::size_t n = 0;
  for (int w = 0; w < map.weld_count(); ++w) n += map.at(w, 0).candidates.size();
  return n;
}

TEST(ReachCloseGunTest, SameCandidatesAndReasonsAsPlainFcl) {
  const cell::Cell c = CloseGunCell(true);
  const collision::CollisionWorld world(c);
  collision::CollisionWorld plain_world(c);
  collision::internal::UsePlainFclNarrowphase(plain_world);
  const ReachMap map = ReachAll(c, world, {.threads = 2});
  const ReachMap reference = ReachAll(c, plain_world, {.threads = 2});
  EXPECT_EQ(map, reference);
  EXPECT_GT(CandidateCount(map), 0u);
  // The backpack forbids poses the bare gun has, by touching the forearm: the self checks near
  // the forearm are really exercised.
  const cell::Cell bare = CloseGunCell(false);
  const ReachMap bare_map = ReachAll(bare, collision::CollisionWorld(bare));
  EXPECT_LT(CandidateCount(map), CandidateCount(bare_map));
  collision::CollisionContext ctx(world);
  int forearm_contacts = 0;
  for (int w = 0; w < bare_map.weld_count(); ++w) {
    for (const Candidate& candidate : bare_map.at(w, 0).candidates) {
      const collision::CollisionResult hit = world.CheckRobot(ctx, 0, candidate.q);
      if (hit.in_collision() && hit.contacts.front().first.name == "R1/link_4" &&
          hit.contacts.front().second.name == "R1/gun") {
        ++forearm_contacts;
      }
    }
  }
  EXPECT_GT(forearm_contacts, 0);
}

}  // namespace
}  // namespace weldcell::reach
