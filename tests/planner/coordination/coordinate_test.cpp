#include "planner/coordination/coordinate.hpp"

#include <gtest/gtest.h>

#include "planner/collision/collision_world.hpp"
#include "planner/motion/time_parameterization.hpp"
#include "tests/planner/test_cells.hpp"

namespace weldcell::coordination {
namespace {

Eigen::VectorXd Q(double a, double b, double c, double d, double e, double f) {
  Eigen::VectorXd q(6);
  q << a, b, c, d, e, f;
  return q;
}

// Two arms 3.6 m apart face each other; both reach into the middle at the same time.
cell::Cell FacingCell() {
  cell::Cell c;
  c.name = "facing";
  c.cycle_time = 60;
  c.robots.push_back(testing::MakeTestRobot("A", Eigen::Isometry3d::Identity()));
  c.robots.push_back(testing::MakeTestRobot("B", testing::Pose(3.6, 0, 0, 0, 0, testing::kPi)));
  return c;
}

const Eigen::VectorXd kHome = Q(0, -0.5, -0.5, 0, 0, 0);
const Eigen::VectorXd kMiddle = Q(0, 0.4, 0.3, 0, 0, 0);

motion::RobotTrajectory InAndOut(const collision::CollisionWorld& world, int robot, double lead) {
  const kinematics::Chain& chain = world.chain(robot);
  const motion::JointLimits limits{.max_velocity = chain.velocity_limits(),
                                   .max_acceleration = chain.acceleration_limits()};
  motion::RobotTrajectory t(kHome);
  if (lead > 0) t.AppendWait("home", lead);
  t.AppendMotion(motion::TimeParameterize({kHome, kMiddle}, limits), "home", "W1");
  t.AppendWeldDwell("W1", 1.0);
  t.AppendMotion(motion::TimeParameterize({kMiddle, kHome}, limits), "W1", "home");
  return t;
}

// Dense robot–robot check of the coordinated timeline, independent of the coordinator's own
// stepping: 1 ms steps.
double FirstContact(const collision::CollisionWorld& world,
                    const std::vector<motion::RobotTrajectory>& t) {
  collision::CollisionContext ctx(world);
  const double end = std::max(t[0].duration(), t[1].duration());
  for (double time = 0; time <= end; time += 0.001) {
    if (world.CheckRobotPair(ctx, 0, t[0].Sample(time).q, 1, t[1].Sample(time).q).in_collision()) {
      return time;
    }
  }
  return -1;
}

TEST(CoordinateTest, PreconditionsOfTheScene) {
  const cell::Cell c = FacingCell();
  const collision::CollisionWorld world(c);
  collision::CollisionContext ctx(world);
  ASSERT_FALSE(world.CheckRobotPair(ctx, 0, kHome, 1, kHome).in_collision());
  ASSERT_FALSE(world.CheckRobotPair(ctx, 0, kMiddle, 1, kHome).in_collision());
  ASSERT_TRUE(world.CheckRobotPair(ctx, 0, kMiddle, 1, kMiddle).in_collision());
}

TEST(CoordinateTest, OneRobotWaitsAndTheResultIsConflictFree) {
  const cell::Cell c = FacingCell();
  const collision::CollisionWorld world(c);
  const std::vector<motion::RobotTrajectory> input = {InAndOut(world, 0, 0.0),
                                                      InAndOut(world, 1, 0.2)};
  ASSERT_GE(FirstContact(world, input), 0.0) << "the uncoordinated motions must collide";
  const CoordinationResult r = Coordinate(world, input);
  ASSERT_TRUE(r.conflict_free) << r.message;
  EXPECT_LT(FirstContact(world, r.trajectories), 0.0);
  ASSERT_FALSE(r.interlocks.empty());
  const Interlock& z = r.interlocks.front();
  EXPECT_NE(z.owner, z.partner);
  EXPECT_LT(z.acquire_time, z.release_time);
  // The waiting robot's motions are unchanged, only shifted: same segments plus waits.
  const motion::RobotTrajectory& waiter = r.trajectories[z.partner];
  int waits = 0;
  for (const motion::TrajectorySegment& s : waiter.segments()) {
    waits += s.kind == motion::SegmentKind::kWait;
  }
  EXPECT_GE(waits, 1);
  // The robot that goes first is not delayed at all.
  EXPECT_EQ(r.trajectories[z.owner], input[z.owner]);
  // Deterministic.
  EXPECT_EQ(Coordinate(world, input).trajectories, r.trajectories);
}

TEST(CoordinateTest, ConflictFreeInputIsLeftAlone) {
  const cell::Cell c = FacingCell();
  const collision::CollisionWorld world(c);
  std::vector<motion::RobotTrajectory> input = {InAndOut(world, 0, 0.0),
                                                motion::RobotTrajectory(kHome)};
  input[1].AppendWait("home", 3.0);
  const CoordinationResult r = Coordinate(world, input);
  EXPECT_TRUE(r.conflict_free);
  EXPECT_TRUE(r.interlocks.empty());
  EXPECT_EQ(r.trajectories, input);
}

}  // namespace
}  // namespace weldcell::coordination
