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

// A slow motion (a low speed_scale, slow joints) is sampled by how far it goes, not by how long
// it takes: the acceleration bound alone gave a sample every few 10 ms whatever the speed, so a
// joint limited to 1e-7 rad/s took `plan` to 14 GB. Slowed 100 and 10000 times, the same path
// gets about as many samples as at full speed, and still no point moves more than the
// resolution between two of them.
TEST(SweepTest, ASlowMotionIsSampledByItsTravelNotItsDuration) {
  const cell::Cell c = testing::MakeFacingCell();
  const collision::CollisionWorld world(c);
  const kinematics::Chain& chain = world.chain(0);
  const double resolution = 0.005;
  Eigen::VectorXd from(6), to(6);
  from << -0.8, 0.2, 0.1, -1.0, 0.5, -1.5;
  to << 0.8, 0.6, 0.5, 1.0, -0.5, 1.5;
  const motion::JointLimits limits{.max_velocity = chain.velocity_limits(),
                                   .max_acceleration = chain.acceleration_limits()};
  auto samples = [&](double slowdown) {
    const motion::JointLimits slow{.max_velocity = limits.max_velocity / slowdown,
                                   .max_acceleration = limits.max_acceleration};
    return SampleConfigurations(world, 0, motion::TimeParameterize({from, to}, slow), resolution);
  };
  const std::size_t fast = samples(1.0).size();
  for (double slowdown : {100.0, 1e4}) {
    SCOPED_TRACE(slowdown);
    const std::vector<Eigen::VectorXd> q = samples(slowdown);
    EXPECT_LE(q.size(), 2 * fast + 2);
    for (std::size_t k = 1; k < q.size(); ++k) {
      ASSERT_LE(world.displacement_bound(0).MaxTravel(q[k - 1], q[k]), resolution * (1 + 1e-9))
          << "between samples " << k - 1 << " and " << k;
    }
  }
}

}  // namespace
}  // namespace weldcell::coordination::internal
