#include "planner/coordination/internal/sweep.hpp"

#include <gtest/gtest.h>

#include <random>

#include "planner/collision/collision_world.hpp"
#include "planner/motion/time_parameterization.hpp"
#include "tests/planner/test_cells.hpp"

namespace weldcell::coordination::internal {
namespace {

// Whether any sample of `a` touches any sample of `b`: every pair checked, no tree.
bool AnySamplesTouch(const collision::CollisionWorld& world, collision::CollisionContext& ctx,
                     const Sweep& a, const Sweep& b, double margin) {
  for (const Eigen::VectorXd& qa : a.q) {
    for (const Eigen::VectorXd& qb : b.q) {
      if (world
              .CheckRobotPair(ctx, a.robot, qa, b.robot, qb, collision::ContactReport::kFirst,
                              margin)
              .in_collision()) {
        return true;
      }
    }
  }
  return false;
}

// The two facing arms swing between random configurations around the middle between them, so
// that their sweeps overlap in many ways: deep in each other, grazing, or clear with boxes that
// overlap. The tree search (pruned, searched where boxes overlap most first) must answer as the
// check of every sample pair does.
TEST(SweepTest, TreeSearchEqualsCheckingEverySamplePair) {
  const cell::Cell c = testing::MakeFacingCell();
  const collision::CollisionWorld world(c);
  collision::CollisionContext ctx(world);
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  const double resolution = 0.02, margin = 0.5 * resolution;
  std::vector<Sweep> sweeps[2];
  for (int robot = 0; robot < 2; ++robot) {
    const kinematics::Chain& chain = world.chain(robot);
    const motion::JointLimits limits{.max_velocity = chain.velocity_limits(),
                                     .max_acceleration = chain.acceleration_limits()};
    auto random_q = [&] {
      Eigen::VectorXd q(6);
      q << 0.5 * u(rng), 0.35 + 0.35 * u(rng), 0.25 + 0.35 * u(rng), u(rng), u(rng), u(rng);
      return q;
    };
    for (int piece = 0; piece < 8; ++piece) {
      const motion::MotionProfile profile =
          motion::TimeParameterize({random_q(), random_q()}, limits);
      sweeps[robot].push_back(SampleSweep(world, ctx, robot, profile, resolution, margin));
    }
    sweeps[robot].push_back(StillSweep(world, ctx, robot, random_q(), margin));
  }
  int touching = 0, clear_with_overlapping_boxes = 0;
  long long checks = 0;
  for (const Sweep& a : sweeps[0]) {
    for (const Sweep& b : sweeps[1]) {
      const bool expected = AnySamplesTouch(world, ctx, a, b, margin);
      EXPECT_EQ(SweepsTouch(world, ctx, a, b, margin, &checks), expected);
      touching += expected;
      clear_with_overlapping_boxes += !expected && Bounds(a).intersects(Bounds(b));
    }
  }
  // The case must stress both answers.
  EXPECT_GT(touching, 5);
  EXPECT_GT(clear_with_overlapping_boxes, 5);
}

}  // namespace
}  // namespace weldcell::coordination::internal
