// Which welds conflict-aware re-allocation takes away from a robot next (NextWithheld).
#include "planner/pipeline/rebalance.hpp"

#include <gtest/gtest.h>

#include "planner/motion/time_parameterization.hpp"
#include "tests/planner/test_cells.hpp"

namespace weldcell::pipeline {
namespace {

// Robot 1 goes home → W1 (weld) → W2 (weld) → home; robot 0 stands still all the time.
motion::RobotTrajectory Route(const Eigen::VectorXd& home) {
  const Eigen::VectorXd w1 = home + Eigen::VectorXd::Constant(6, 0.1);
  const Eigen::VectorXd w2 = home + Eigen::VectorXd::Constant(6, 0.2);
  const motion::JointLimits limits{.max_velocity = Eigen::VectorXd::Ones(6),
                                   .max_acceleration = Eigen::VectorXd::Ones(6)};
  motion::RobotTrajectory t(home);
  t.AppendMotion(motion::TimeParameterize({home, w1}, limits), "home", "W1");  // segment 0
  t.AppendWeldDwell("W1", 0.5);                                                // 1
  t.AppendMotion(motion::TimeParameterize({w1, w2}, limits), "W1", "W2");      // 2
  t.AppendWeldDwell("W2", 0.5);                                                // 3
  t.AppendMotion(motion::TimeParameterize({w2, home}, limits), "W2", "home");  // 4
  return t;
}

struct Station {
  cell::Cell cell = testing::MakeFacingCell();
  reach::ReachMap reach{2, 2};
  Allocation allocation;
  std::vector<motion::SequenceResult> motions{2};
  coordination::CoordinationResult coordinated;
  Station() {
    cell.welds = {testing::MakeWeld("W1", {1.8, 0, 0.5}), testing::MakeWeld("W2", {1.8, 0.2, 0.5})};
    for (int w = 0; w < 2; ++w) {
      for (int r = 0; r < 2; ++r) reach.at(w, r).status = reach::ReachStatus::kReachable;
    }
    allocation.routes = {{}, {{.weld = 0}, {.weld = 1}}};
    coordinated.trajectories = {motion::RobotTrajectory(cell.robots[0].home),
                                Route(cell.robots[1].home)};
  }
  // Robot 1 waits for robot 0 before the segments [acquire, release) of its route.
  void Zone(int acquire, int release) {
    motion::RobotTrajectory waited(cell.robots[1].home);
    const motion::RobotTrajectory& route = coordinated.trajectories[1];
    for (int k = 0; k < static_cast<int>(route.segments().size()); ++k) {
      const motion::TrajectorySegment& s = route.segments()[static_cast<std::size_t>(k)];
      if (k == acquire) waited.AppendWait(s.from, 2.0);
      if (s.kind == motion::SegmentKind::kWeldDwell) {
        waited.AppendWeldDwell(s.from, s.duration());
      } else {
        waited.AppendMotion(s.profile, s.from, s.to);
      }
    }
    coordinated.trajectories[1] = waited;
    // Segment indices shift by the wait: the zone starts after it.
    coordinated.conflict_zones = {
        {.id = "Z1",
         .uses = {{.robot = 0, .acquire_segment = 0, .release_segment = 0},
                  {.robot = 1, .acquire_segment = acquire + 1, .release_segment = release + 1}}}};
  }
};

TEST(NextWithheldTest, TakesAwayTheWeldsTheWaitingRobotWeldsInTheZone) {
  Station s;
  s.Zone(2, 4);  // W1 → W2 and welding W2
  const Withheld w = NextWithheld(s.cell, s.reach, s.allocation, s.motions, s.coordinated, {});
  EXPECT_EQ(w, (Withheld{{1, 1}}));
}

TEST(NextWithheldTest, AZoneOfTravelOnlyTakesAwayTheWeldTravelledTo) {
  // Only the move W1 → W2 conflicts: robot 1 welds nothing inside the zone, and would keep
  // waiting there in every re-allocation unless W2 may go to robot 0.
  Station s;
  s.Zone(2, 3);
  const Withheld w = NextWithheld(s.cell, s.reach, s.allocation, s.motions, s.coordinated, {});
  EXPECT_EQ(w, (Withheld{{1, 1}}));
  // Nothing to take away where robot 0 reaches no weld of the zone.
  s.reach.at(1, 0).status = reach::ReachStatus::kOutOfRange;
  EXPECT_TRUE(NextWithheld(s.cell, s.reach, s.allocation, s.motions, s.coordinated, {}).empty());
}

// What the spatial round's repairs rely on (plan_cell.cpp): a weld whose motion failed is
// withheld from its robot when another robot reaches it; once withheld (`skip`), it is not
// proposed again, and a weld no other robot reaches is never withheld.
TEST(NextWithheldTest, AWeldWhoseMotionFailedGoesToAnotherRobotThatReachesIt) {
  Station s;
  s.motions[1].skipped = {{.index = 1, .reason = "no path found"}};
  const Withheld w = NextWithheld(s.cell, s.reach, s.allocation, s.motions, s.coordinated, {});
  EXPECT_EQ(w, (Withheld{{1, 1}}));
  // Withheld already: nothing more to propose (no robot waits for a zone either).
  EXPECT_TRUE(NextWithheld(s.cell, s.reach, s.allocation, s.motions, s.coordinated, w).empty());
  // No other robot reaches it: it stays with robot 1.
  s.reach.at(1, 0).status = reach::ReachStatus::kOutOfRange;
  EXPECT_TRUE(NextWithheld(s.cell, s.reach, s.allocation, s.motions, s.coordinated, {}).empty());
}

}  // namespace
}  // namespace weldcell::pipeline
