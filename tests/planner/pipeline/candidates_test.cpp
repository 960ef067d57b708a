// The candidates offered to the allocator (reach::DiverseCandidates) and the routes chosen from
// them (issue 11, item 3): a robot's route never swings joint 1 by more than half a turn between
// neighbouring welds when the reach map has a nearer pair of configurations for them.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numbers>
#include <string>
#include <vector>

#include "planner/cell/load.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/pipeline/stages.hpp"
#include "planner/reach/reach.hpp"
#include "tests/planner/pipeline/pipeline_cells.hpp"

namespace weldcell::pipeline {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kDeg = kPi / 180.0;

struct Swings {
  double max_swing = 0.0;             ///< rad of joint 1 between neighbouring welds of any route
  std::vector<std::string> needless;  ///< swings > π where a pair within π exists
};

// Allocates the cell as the pipeline does (reach, offered candidates, strong solver) and
// measures joint 1 between neighbouring welds of every route.
Swings RouteSwings(const cell::Cell& c) {
  const collision::CollisionWorld world(c);
  const PlanOptions options{.threads = 2, .allocation_iterations = 2'000};
  const reach::ReachMap reach = reach::ReachAll(c, world, {.threads = 2});
  const AllocationProblem problem = BuildAllocationProblem(c, world, reach, options);
  const Allocation allocation = Allocate(c, reach, problem, options);
  Swings out;
  for (std::size_t r = 0; r < allocation.routes.size(); ++r) {
    const std::vector<AssignedWeld>& route = allocation.routes[r];
    for (std::size_t i = 0; i + 1 < route.size(); ++i) {
      const double swing = std::abs(route[i].candidate.q[0] - route[i + 1].candidate.q[0]);
      out.max_swing = std::max(out.max_swing, swing);
      if (swing <= kPi) continue;
      // Is there any pair of reachable configurations of the two welds within half a turn?
      double nearest = swing;
      for (const reach::Candidate& a : reach.at(route[i].weld, static_cast<int>(r)).candidates) {
        for (const reach::Candidate& b :
             reach.at(route[i + 1].weld, static_cast<int>(r)).candidates) {
          nearest = std::min(nearest, std::abs(a.q[0] - b.q[0]));
        }
      }
      if (nearest <= kPi) {
        out.needless.push_back(c.robots[r].name + ": " + c.welds[route[i].weld].id + " -> " +
                               c.welds[route[i + 1].weld].id + ": joint 1 swings " +
                               std::to_string(swing / kDeg) + " deg, " +
                               std::to_string(nearest / kDeg) + " deg possible");
      }
    }
  }
  return out;
}

TEST(CandidatesTest, DemoRoutesNeverSwingJointOneNeedlessly) {
  const cell::Cell c = cell::LoadCell("cells/demo/cell.yaml").value;
  const Swings s = RouteSwings(c);
  for (const std::string& n : s.needless) ADD_FAILURE() << n;
  std::printf("demo: max joint 1 swing %.1f deg\n", s.max_swing / kDeg);
}

TEST(CandidatesTest, LongReachRoutesNeverSwingJointOneNeedlessly) {
  const cell::Cell c = cell::LoadCell("tests/planner/pipeline/cells/long_reach/cell.yaml").value;
  const Swings s = RouteSwings(c);
  for (const std::string& n : s.needless) ADD_FAILURE() << n;
  std::printf("long reach: max joint 1 swing %.1f deg\n", s.max_swing / kDeg);
}

// Two robots of one model, tool and home whose offered candidates coincide (a reach map made up
// for the test: real robots at different bases never see a weld in the same configuration).
reach::ReachMap TwinReach(const cell::Cell& c) {
  reach::ReachMap map(static_cast<int>(c.welds.size()), 2);
  for (int w = 0; w < map.weld_count(); ++w) {
    for (int r = 0; r < 2; ++r) {
      reach::WeldReach& e = map.at(w, r);
      e.status = reach::ReachStatus::kReachable;
      for (int k = 0; k < 2; ++k) {
        Eigen::VectorXd q = Eigen::VectorXd::Zero(6);
        q[0] = 0.2 * w - 0.5;
        q[1] = 0.3;
        q[5] = 1.5 * k;
        e.candidates.push_back({.q = q, .q_approach = q, .branch = k});
      }
    }
  }
  return map;
}

TEST(BuildAllocationProblemTest, RobotsWithTheSameTravelDataShareOneMatrix) {
  cell::Cell c = testing::SharedCell();
  c.robots[1].X_WB = c.robots[0].X_WB;
  c.robots[1].home = c.robots[0].home;
  const collision::CollisionWorld world(c);
  reach::ReachMap reach = TwinReach(c);
  const AllocationProblem twins = BuildAllocationProblem(c, world, reach, {});
  EXPECT_EQ(twins.problem.robots[0].same_travel_as, allocation::RobotId{});
  EXPECT_EQ(twins.problem.robots[1].same_travel_as, allocation::RobotId{0});
  allocation::CheckProblem(twins.problem);
  const Allocation allocated = Allocate(c, reach, twins, {.allocation_iterations = 500});
  EXPECT_EQ(allocated.routes[0].size() + allocated.routes[1].size(), c.welds.size());

  // One option of one weld differs: the robots' travel differs.
  reach.at(3, 1).candidates[1].q_approach[2] += 0.1;
  EXPECT_EQ(BuildAllocationProblem(c, world, reach, {}).problem.robots[1].same_travel_as,
            allocation::RobotId{});
  reach = TwinReach(c);
  c.robots[1].home[0] += 0.1;
  EXPECT_EQ(BuildAllocationProblem(c, world, reach, {}).problem.robots[1].same_travel_as,
            allocation::RobotId{});
}

TEST(BuildAllocationProblemTest, RobotsAtDifferentBasesHaveTheirOwnTravel) {
  const cell::Cell c = testing::SharedCell();  // two test arms of one model facing each other
  const collision::CollisionWorld world(c);
  const reach::ReachMap reach = reach::ReachAll(c, world, {.threads = 2});
  const AllocationProblem problem = BuildAllocationProblem(c, world, reach, {});
  for (const allocation::Robot& r : problem.problem.robots) {
    EXPECT_EQ(r.same_travel_as, allocation::RobotId{});
  }
}

// Welds along a line at 30 degrees, robots on either side: the two sides sweep the line in
// opposite directions; the allocation problem carries the weld points and the tools at home as
// sites, and the directions.
TEST(BuildAllocationProblemTest, SitesAreWeldPointsAndSweepsRunAlongTheWeldsOppositePerSide) {
  cell::Cell c = testing::SharedCell();
  const Eigen::Vector3d axis(std::cos(M_PI / 6), std::sin(M_PI / 6), 0.0);
  const Eigen::Vector3d normal(-axis.y(), axis.x(), 0.0);
  for (std::size_t w = 0; w < c.welds.size(); ++w) {
    c.welds[w].p_W = 0.4 * static_cast<double>(w) * axis + Eigen::Vector3d(0, 0, 1.0);
  }
  c.robots[0].X_WB.translation() = -1.5 * normal;
  c.robots[1].X_WB.translation() = 1.5 * normal + 0.5 * axis;
  const std::vector<Eigen::Vector3d> sweeps = SweepDirections(c);
  ASSERT_EQ(sweeps.size(), 2u);
  EXPECT_TRUE(sweeps[0].isApprox(-axis, 1e-9)) << sweeps[0].transpose();
  EXPECT_TRUE(sweeps[1].isApprox(axis, 1e-9)) << sweeps[1].transpose();

  const cell::Cell shared = testing::SharedCell();
  const collision::CollisionWorld world(shared);
  const reach::ReachMap reach = reach::ReachAll(shared, world, {.threads = 2});
  const AllocationProblem problem = BuildAllocationProblem(shared, world, reach, {});
  for (std::size_t t = 0; t < problem.tasks.size(); ++t) {
    const Eigen::Vector3d& p = shared.welds[problem.tasks[t].weld].p_W;
    EXPECT_EQ(problem.problem.tasks[t].site, (allocation::Site{p.x(), p.y(), p.z()}));
  }
  for (const allocation::Robot& r : problem.problem.robots) {
    EXPECT_TRUE(r.site.has_value());
    EXPECT_TRUE(r.sweep.has_value());
  }
}

}  // namespace
}  // namespace weldcell::pipeline
