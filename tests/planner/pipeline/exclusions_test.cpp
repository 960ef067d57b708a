// Which weld options of two robots the conflict-aware allocator keeps apart in time
// (ArmExclusions, from the arms' geometry).
#include "planner/pipeline/exclusions.hpp"

#include <gtest/gtest.h>

#include "planner/collision/collision_world.hpp"
#include "tests/planner/pipeline/pipeline_cells.hpp"

namespace weldcell::pipeline {
namespace {

using allocation::RobotId;
using allocation::Stop;
using allocation::TaskId;

struct Shared {
  cell::Cell cell = testing::SharedCell();
  collision::CollisionWorld world{cell};
  reach::ReachMap reach = reach::ReachAll(cell, world, {.threads = 2});
  AllocationProblem problem = BuildAllocationProblem(cell, world, reach, {});
  const reach::Candidate& Candidate(int robot, int task, int option) const {
    const AllocationTask& t = problem.tasks[static_cast<std::size_t>(task)];
    return reach.at(t.weld, robot).candidates[t.options[robot][option]];
  }
};

// Every option pair is exclusive exactly when the two arms' points (at the weld and approach
// configurations) come within the clearance, whichever robot is asked first; on the shared
// table some pairs are and some are not, and a larger clearance only adds pairs.
TEST(ArmExclusionsTest, ExclusiveExactlyWhereTheArmsComeWithinTheClearance) {
  const Shared s;
  ASSERT_EQ(s.problem.problem.num_tasks(), 6);
  const ArmExclusions near(s.cell, s.world, s.reach, s.problem.tasks, s.problem.problem, 0.5, 2);
  const ArmExclusions far(s.cell, s.world, s.reach, s.problem.tasks, s.problem.problem, 1.0, 1);
  std::int64_t exclusive = 0, apart = 0;
  for (int a = 0; a < 6; ++a) {
    for (int b = 0; b < 6; ++b) {
      const allocation::Capability* ca = s.problem.problem.FindCapability(TaskId{a}, RobotId{0});
      const allocation::Capability* cb = s.problem.problem.FindCapability(TaskId{b}, RobotId{1});
      if (ca == nullptr || cb == nullptr) continue;
      for (int i = 0; i < static_cast<int>(ca->options.size()); ++i) {
        for (int j = 0; j < static_cast<int>(cb->options.size()); ++j) {
          const Stop sa{.task = TaskId{a}, .option = i};
          const Stop sb{.task = TaskId{b}, .option = j};
          const double d =
              ArmDistance(s.cell, s.world, 0, s.Candidate(0, a, i), 1, s.Candidate(1, b, j));
          const bool x = near.Exclusive(RobotId{0}, sa, RobotId{1}, sb);
          EXPECT_EQ(x, d < 0.5) << "tasks " << a << "/" << b << " options " << i << "/" << j
                                << ": arms " << d << " m apart";
          EXPECT_EQ(x, near.Exclusive(RobotId{1}, sb, RobotId{0}, sa));
          if (x) {
            EXPECT_TRUE(far.Exclusive(RobotId{0}, sa, RobotId{1}, sb));
          }
          exclusive += x;
          apart += !x;
        }
      }
    }
  }
  EXPECT_EQ(exclusive, near.pairs());
  EXPECT_GT(exclusive, 0);
  EXPECT_GT(apart, 0);
  EXPECT_GT(far.pairs(), near.pairs());
}

// The same robots 20 m apart never come near each other.
TEST(ArmExclusionsTest, RobotsFarApartExcludeNothing) {
  cell::Cell c = testing::SharedCell();
  c.robots[1].X_WB.translation().x() += 20.0;
  for (int i = 3; i < 6; ++i) c.welds[i].p_W.x() += 20.0;
  const collision::CollisionWorld world(c);
  const reach::ReachMap reach = reach::ReachAll(c, world, {.threads = 2});
  const AllocationProblem p = BuildAllocationProblem(c, world, reach, {});
  const ArmExclusions x(c, world, reach, p.tasks, p.problem, 1.0, 2);
  EXPECT_EQ(x.pairs(), 0);
}

}  // namespace
}  // namespace weldcell::pipeline
