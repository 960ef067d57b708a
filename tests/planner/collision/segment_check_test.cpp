// CheckJointSegment's two samplings. The adaptive one places far fewer samples, so what matters
// is that it never misses what a much denser uniform check finds.

#include "planner/collision/segment_check.hpp"

#include <gtest/gtest.h>

#include <random>

#include "planner/collision/collision_world.hpp"
#include "tests/planner/test_cells.hpp"

namespace weldcell::collision {
namespace {

using weldcell::testing::Box;
using weldcell::testing::Pose;

// The test arm among boxes of 6 mm to 10 cm, within its reach on every side.
cell::Cell ClutteredCell() {
  cell::Cell c;
  c.name = "clutter";
  c.cycle_time = 60;
  c.robots.push_back(weldcell::testing::MakeTestRobot("R1", Eigen::Isometry3d::Identity()));
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (int i = 0; i < 12; ++i) {
    const double r = 1.0 + 0.5 * std::abs(u(rng));
    const double yaw = 3.14159 * u(rng);
    const double thin = i % 3 == 0 ? 0.006 : 0.1;  // a third are sheets just over 5 mm
    c.obstacles.push_back(weldcell::testing::MakeObstacle(
        "box_" + std::to_string(i),
        Box(0.4, thin, 0.5,
            Pose(r * std::cos(yaw), r * std::sin(yaw), 1.0 + 0.6 * u(rng), 0, 0, yaw))));
  }
  return c;
}

// A random configuration within the limits and another up to `reach` rad away in every joint.
std::pair<Eigen::VectorXd, Eigen::VectorXd> RandomSegment(const kinematics::Chain& chain,
                                                          std::mt19937_64& rng,
                                                          double reach = 0.8) {
  Eigen::VectorXd q0(chain.dof());
  Eigen::VectorXd q1(chain.dof());
  for (int i = 0; i < chain.dof(); ++i) {
    std::uniform_real_distribution<double> in(chain.lower()[i], chain.upper()[i]);
    q0[i] = in(rng);
    q1[i] = std::clamp(q0[i] + std::uniform_real_distribution<double>(-reach, reach)(rng),
                       chain.lower()[i], chain.upper()[i]);
  }
  return {q0, q1};
}

class ClutteredSegments : public ::testing::Test {
 protected:
  ClutteredSegments() : cell_(ClutteredCell()), world(cell_), ctx(world), chain(world.chain(0)) {}
  cell::Cell cell_;
  CollisionWorld world;
  CollisionContext ctx;
  const kinematics::Chain& chain;
};

TEST_F(ClutteredSegments, AdaptiveSamplingFindsEveryCollisionATenTimesDenserUniformCheckFinds) {
  std::mt19937_64 rng(11);
  int both_free = 0;
  int both_hit = 0;
  for (int n = 0; n < 150; ++n) {
    const auto [q0, q1] = RandomSegment(chain, rng);
    const SegmentCheckResult adaptive =
        CheckJointSegment(world, ctx, 0, q0, q1, {.resolution = 0.005});
    const SegmentCheckResult dense = CheckJointSegment(
        world, ctx, 0, q0, q1, {.resolution = 0.0005, .sampling = SegmentSampling::kUniform});
    if (!dense.free()) {
      EXPECT_FALSE(adaptive.free()) << "segment " << n << ": the dense check found "
                                    << ToString(dense.collision) << " at " << dense.fraction;
    }
    if (!adaptive.free()) {
      // What it reports is real: the configuration at that fraction is in collision.
      const Eigen::VectorXd q = q0 + adaptive.fraction * (q1 - q0);
      EXPECT_TRUE(world.CheckRobot(ctx, 0, q).in_collision()) << "segment " << n;
    }
    both_free += adaptive.free() && dense.free();
    both_hit += !adaptive.free() && !dense.free();
  }
  // Both outcomes must be well represented for the comparison to mean something.
  EXPECT_GT(both_free, 15);
  EXPECT_GT(both_hit, 15);
}

TEST_F(ClutteredSegments, WithTheSweptMarginAFreeSegmentIsFreeAtEveryInstant) {
  std::mt19937_64 rng(13);
  int free = 0;
  for (int n = 0; n < 100; ++n) {
    const auto [q0, q1] = RandomSegment(chain, rng, 0.4);
    for (const SegmentSampling sampling : {SegmentSampling::kAdaptive, SegmentSampling::kUniform}) {
      const SegmentCheckResult swept = CheckJointSegment(
          world, ctx, 0, q0, q1,
          {.resolution = 0.005, .sampling = sampling, .margin = SweptMargin(0.005)});
      if (!swept.free()) continue;
      free += sampling == SegmentSampling::kAdaptive;
      // Samples 10 times denser, no margin, none in contact.
      const SegmentCheckResult dense = CheckJointSegment(
          world, ctx, 0, q0, q1, {.resolution = 0.0005, .sampling = SegmentSampling::kUniform});
      EXPECT_TRUE(dense.free()) << "segment " << n << ": " << ToString(dense.collision) << " at "
                                << dense.fraction;
    }
  }
  EXPECT_GT(free, 15);
}

// A ball of 5 cm on a 1 m arm swings past a 1 cm ball placed at distances around the grazing
// one, 2 µm apart: two curved surfaces, so a graze of depth d lasts only 2√(0.12 d) of travel
// (1.5 mm at 5 µm), less than a sample spacing. With the swept margin, a swing found free is
// free under 20× denser sampling; without it, some are not (which shows that the scene really
// probes such grazes, i.e. that this test can fail).
TEST(SegmentCheckTest, SweptMarginHoldsOnSwingsThatGrazeABall) {
  auto model = std::make_shared<cell::RobotModel>();
  model->name = "arm";
  model->links = {{.name = "base", .collision = {}, .visual = {}},
                  {.name = "arm",
                   .collision = {{.shape = cell::Shape::Sphere(0.05), .X_FG = Pose(1.0, 0, 0)}},
                   .visual = {}}};
  model->joints = {{.name = "j1",
                    .type = cell::JointType::kRevolute,
                    .X_PJ = Eigen::Isometry3d::Identity(),
                    .axis = Eigen::Vector3d::UnitZ(),
                    .lower = -1.0,
                    .upper = 1.0,
                    .max_velocity = 1.0,
                    .max_acceleration = 1.0}};
  const Eigen::VectorXd q0 = Eigen::VectorXd::Constant(1, -0.3);
  const Eigen::VectorXd q1 = Eigen::VectorXd::Constant(1, 0.3);
  // Closest approach away from any dyadic fraction of the swing, where samples would sit.
  const double angle = 0.1234;
  auto world_with_ball_at = [&](double radius) {
    cell::Cell c;
    c.robots.push_back({.name = "R",
                        .model = model,
                        .X_WB = Eigen::Isometry3d::Identity(),
                        .tool = {},
                        .home = Eigen::VectorXd::Zero(1),
                        .controller = {}});
    c.obstacles.push_back(weldcell::testing::MakeObstacle(
        "ball", weldcell::testing::Sphere(
                    0.01, Pose(radius * std::cos(angle), radius * std::sin(angle), 0.0))));
    return std::make_unique<CollisionWorld>(c, WorldOptions{.acm_samples = 10});
  };
  int missed_without_margin = 0;
  int grazed = 0;
  for (int k = 0; k <= 40; ++k) {
    const double depth = 2e-6 * k;  // of the ball in the swept annulus
    const auto world = world_with_ball_at(1.06 - depth);
    CollisionContext ctx(*world);
    const bool truly_free =
        CheckJointSegment(*world, ctx, 0, q0, q1,
                          {.resolution = 0.00025, .sampling = SegmentSampling::kUniform})
            .free();
    grazed += truly_free ? 0 : 1;
    for (const SegmentSampling sampling : {SegmentSampling::kAdaptive, SegmentSampling::kUniform}) {
      const bool swept =
          CheckJointSegment(
              *world, ctx, 0, q0, q1,
              {.resolution = 0.005, .sampling = sampling, .margin = SweptMargin(0.005)})
              .free();
      EXPECT_TRUE(!swept || truly_free) << "graze " << depth * 1e6 << " µm deep";
      const bool sampled =
          CheckJointSegment(*world, ctx, 0, q0, q1, {.resolution = 0.005, .sampling = sampling})
              .free();
      missed_without_margin += sampled && !truly_free;
    }
  }
  EXPECT_GT(grazed, 30);
  EXPECT_GT(missed_without_margin, 0);
}

TEST(SegmentCheckTest, AdaptiveSamplingNeedsFewerSamplesThanUniformOnAFreeSwing) {
  cell::Cell c = ClutteredCell();
  c.obstacles.clear();
  const CollisionWorld world(c);
  CollisionContext ctx(world);
  Eigen::VectorXd q0(6), q1(6);
  q0 << -0.8, 0.5, 0.3, 0, 0.8, 0;
  q1 << 0.8, 0.3, 0.5, 1.0, 0.6, -1.0;
  const SegmentCheckResult adaptive = CheckJointSegment(world, ctx, 0, q0, q1);
  const SegmentCheckResult uniform =
      CheckJointSegment(world, ctx, 0, q0, q1, {.sampling = SegmentSampling::kUniform});
  ASSERT_TRUE(adaptive.free());
  ASSERT_TRUE(uniform.free());
  EXPECT_EQ(uniform.samples, SegmentSampleCount(world, 0, q0, q1, 0.005));
  // The lever bound adds every joint's worst case; the adaptive one measures the real motion.
  EXPECT_LT(2 * adaptive.samples, uniform.samples)
      << adaptive.samples << " adaptive vs " << uniform.samples << " uniform samples";
  // Finer resolution, more samples: the count follows the real travel.
  const SegmentCheckResult finer = CheckJointSegment(world, ctx, 0, q0, q1, {.resolution = 0.001});
  EXPECT_GT(finer.samples, 3 * adaptive.samples);
}

}  // namespace
}  // namespace weldcell::collision
