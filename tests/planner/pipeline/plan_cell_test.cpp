#include "planner/pipeline/plan_cell.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "allocation/solver.hpp"
#include "planner/cell/load.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/motion/trajectory.hpp"
#include "planner/pipeline/stages.hpp"
#include "planner/plan/cell_hash.hpp"
#include "planner/verify/verify.hpp"
#include "tests/planner/pipeline/pipeline_cells.hpp"

namespace weldcell::pipeline {
namespace {

using ::testing::HasSubstr;
using verify::Verify;
using verify::VerifyReport;
using verify::Violation;
using verify::ViolationKind;

TEST(PlanCellTest, DetourCellIsPlannedAndTheVerifierFindsNothing) {
  const cell::Cell c = testing::DetourCell();
  const collision::CollisionWorld world(c);
  const PlanOutput out = PlanCell(c, world, {.threads = 2});
  EXPECT_TRUE(out.plan.unreachable.empty()) << out.plan.unreachable.front().reason;
  ASSERT_EQ(out.plan.robots.size(), 1u);
  EXPECT_EQ(out.plan.robots[0].welds.size(), 4u);
  EXPECT_GE(out.statistics.planned_moves, 1) << "crossing the wall needs the planner";
  EXPECT_EQ(out.plan.cell_hash, plan::CellHash(c));
  const VerifyReport report = Verify(out.plan, c);
  for (const Violation& v : report.violations) ADD_FAILURE() << ToString(v);
  EXPECT_GT(report.collision_checks, 1000);
}

// A fresh user (2026-12-07): a weld row copied twice under another id (both on one spot) gave a
// plan that failed its own verification: the travel between the two, of no length, was left
// out, so the approach of the second started at a weld the segment before did not end at.
TEST(PlanCellTest, TwoWeldsOnOneSpotArePlannedAndVerified) {
  cell::Cell c = testing::DetourCell();
  cell::Weld twin = c.welds[0];
  twin.id = "L1_again";
  c.welds.push_back(twin);
  const collision::CollisionWorld world(c);
  const PlanOutput out = PlanCell(c, world, {.threads = 2});
  EXPECT_TRUE(out.plan.unreachable.empty()) << out.plan.unreachable.front().reason;
  ASSERT_EQ(out.plan.robots.size(), 1u);
  EXPECT_EQ(out.plan.robots[0].welds.size(), 5u);
  const VerifyReport report = Verify(out.plan, c);
  for (const Violation& v : report.violations) ADD_FAILURE() << ToString(v);
}

// A fresh user (2026-12-07): a weld `after:` a weld no robot reaches was welded anyway, and the
// plan failed verification with an unsafe precedence violation (no programs written). Such a
// weld, and one after it in turn, is not planned now, saying why; nothing breaks an order.
TEST(PlanCellTest, AWeldAfterAWeldNoRobotReachesIsNotPlannedAndSaysWhy) {
  cell::Cell c = testing::DetourCell();
  c.welds.push_back(testing::MakeWeld("FAR", {9.0, 9.0, 0.6}));
  c.welds[1].after = {"FAR"};          // L2
  c.welds[2].after = {c.welds[1].id};  // R1, after L2
  const collision::CollisionWorld world(c);
  const PlanOutput out = PlanCell(c, world, {.threads = 2});
  std::map<std::string, std::string> unplanned;
  for (const plan::UnreachableWeld& u : out.plan.unreachable) unplanned[u.weld_id] = u.reason;
  ASSERT_EQ(unplanned.size(), 3u);
  EXPECT_NE(unplanned["FAR"].find("out of range"), std::string::npos) << unplanned["FAR"];
  EXPECT_EQ(unplanned["L2"], "comes after FAR (`after:`), which no robot reaches");
  EXPECT_EQ(unplanned["R1"], "comes after FAR (`after:`), which no robot reaches");
  ASSERT_EQ(out.plan.robots.size(), 1u);
  EXPECT_EQ(out.plan.robots[0].welds.size(), 2u);  // L1 and R2
  const VerifyReport report = Verify(out.plan, c);
  EXPECT_EQ(report.unsafe_count(), 0);
  for (const Violation& v : report.violations) {
    EXPECT_NE(ToString(v).find("is not welded"), std::string::npos) << ToString(v);
  }
}

// The shared cell with its six welds packed into the table's middle, where both robots work.
cell::Cell MiddleCell() {
  cell::Cell c = testing::SharedCell();
  for (int i = 0; i < 6; ++i) {
    c.welds[i] = testing::MakeWeld("W" + std::to_string(i),
                                   {1.45 + 0.15 * (i / 2), 0.2 * (i % 2 ? 1 : -1), 0.7});
  }
  return c;
}

TEST(PlanCellTest, RobotsWorkingInOneRegionTakeZonesThatHoldUnderRandomTiming) {
  const cell::Cell c = MiddleCell();
  const collision::CollisionWorld world(c);
  // Without re-allocation, which may find a split where the robots never meet.
  const PlanOutput out = PlanCell(c, world, {.threads = 2, .rebalance_rounds = 0});
  EXPECT_TRUE(out.plan.unreachable.empty()) << out.plan.unreachable.front().reason;
  int welded = 0;
  for (const plan::RobotPlan& r : out.plan.robots) welded += static_cast<int>(r.welds.size());
  EXPECT_EQ(welded, 6);
  // The robots share the table's middle: interlock zones keep them apart, and the verifier finds
  // no contact on the planned clock nor in 100 runs with every duration varied by up to 20 %.
  EXPECT_FALSE(out.plan.zones.empty());
  const VerifyReport report = Verify(out.plan, c);
  for (const Violation& v : report.violations) ADD_FAILURE() << ToString(v);
  EXPECT_EQ(report.robustness.runs, 100);
  EXPECT_EQ(report.robustness.runs_with_contact, 0);
  EXPECT_EQ(report.robustness.runs_deadlocked, 0);
}

// The slowest timing a cell may ask for (speed_scale at its sanity bound: a controller's lowest
// override) is planned and verified like any other: the motions' samples grow with their travel
// or, where the plan holds them every 10 ms, stay within what a plan may hold.
TEST(PlanCellTest, TheSlowestAcceptedSpeedIsPlannedAndVerified) {
  cell::Cell c = MiddleCell();
  c.settings.motion.speed_scale = cell::kMinSpeedScale;
  c.cycle_time = 600;
  const collision::CollisionWorld world(c);
  const PlanOutput out = PlanCell(c, world, {.threads = 2, .rebalance_rounds = 0});
  ASSERT_EQ(out.status, PlanStatus::kComplete);
  EXPECT_TRUE(out.plan.unreachable.empty()) << out.plan.unreachable.front().reason;
  int welded = 0;
  for (const plan::RobotPlan& r : out.plan.robots) welded += static_cast<int>(r.welds.size());
  EXPECT_EQ(welded, 6);
  EXPECT_GT(out.plan.makespan, 60.0) << "at 1 % of the joints' speeds";
  const VerifyReport report = Verify(out.plan, c);
  for (const Violation& v : report.violations) ADD_FAILURE() << ToString(v);
}

// A robot that moves for longer than a plan may hold (kMaxMotionSeconds: joints slowed to their
// sanity bounds) is an error of the cell at its cycle_time, before anything is sampled: such
// plans took gigabytes of 10 ms samples. Shorter motions far beyond the cycle time are not an
// input error (a plan that misses its cycle time: it was one beyond 10 cycle times).
TEST(PlanCellTest, ARobotMovingLongerThanAPlanMayHoldIsAnErrorAtTheCycleTime) {
  cell::Cell c = MiddleCell();
  c.settings.motion.speed_scale = cell::kMinSpeedScale;
  c.cycle_time = 2;
  c.cycle_time_where = {.file = "cell.yaml", .line = 4, .column = 13};
  // Each robot's trajectory: one motion of `seconds` (standing still: only its length counts).
  const auto moving_for = [&c](double a, double b) {
    std::vector<motion::RobotTrajectory> out;
    for (const double seconds : {a, b}) {
      const Eigen::VectorXd& q = c.robots[out.size()].home;
      out.emplace_back(q);
      out.back().AppendMotion(motion::MotionProfile::Stationary(q, seconds), "home", "W0");
    }
    return out;
  };
  EXPECT_NO_THROW(CheckMotionTimes(c, moving_for(cell::kMaxMotionSeconds, 100 * c.cycle_time)));
  try {
    CheckMotionTimes(c, moving_for(10.0, cell::kMaxMotionSeconds + 1));
    FAIL() << "no error";
  } catch (const InputError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u) << e.what();
    EXPECT_EQ(e.diagnostics()[0].where, c.cycle_time_where);
    EXPECT_EQ(e.diagnostics()[0].key_path, "cycle_time");
    EXPECT_THAT(e.what(), ::testing::StartsWith(
                              "cell.yaml:4:13: error: cycle_time: B moves for 1801.0 s, more "
                              "than a plan may hold (1800 s: motions are sampled every 10 ms"));
    EXPECT_THAT(e.what(), HasSubstr("settings.motion.speed_scale (now 0.01)"));
  }
}

TEST(PlanCellTest, SameBytesForOneAndTwoThreads) {
  const cell::Cell c = testing::SharedCell();
  const collision::CollisionWorld world(c);
  const std::string one = plan::ToJson(PlanCell(c, world, {.threads = 1}).plan);
  const std::string two = plan::ToJson(PlanCell(c, world, {.threads = 2}).plan);
  EXPECT_EQ(one, two);
}

// The shared cell taken through the stages up to its allocation, without re-allocation rounds.
struct AllocatedSharedCell {
  const cell::Cell c = testing::SharedCell();
  const collision::CollisionWorld world{c};
  const PlanOptions options{.threads = 2, .rebalance_rounds = 0};
  const reach::ReachMap reach = reach::ReachAll(c, world, {.threads = 2});
  const AllocationProblem problem = BuildAllocationProblem(c, world, reach, options);
  Allocation allocation = Allocate(c, reach, problem, options);
};

TEST(PlanCellTest, StagesRunOneByOneGiveTheSamePlan) {
  AllocatedSharedCell s;
  auto& [c, world, options, reach, problem, allocation] = s;
  ASSERT_EQ(problem.tasks.size(), 6u);
  std::size_t assigned = 0;
  for (const std::vector<AssignedWeld>& route : allocation.routes) assigned += route.size();
  EXPECT_EQ(assigned, 6u);
  const std::vector<motion::SequenceResult> motions =
      PlanMotions(c, world, reach, allocation, options);
  const coordination::CoordinationResult coordinated =
      CoordinateMotions(c, world, motions, options);
  plan::Plan p = AssemblePlan(c, problem.unreachable, allocation, motions, coordinated, options);
  // The travel model's error on the planned moves (analytic here: no matrices).
  p.travel = MeasureTravelError(c, world, reach, options, {}, allocation, motions);
  EXPECT_EQ(p.travel.kind, "analytic");
  EXPECT_EQ(plan::ToJson(p), plan::ToJson(PlanCell(c, world, options).plan));
}

// A robot given no weld makes no move (home to home counted as one move of 0 s, which the summary
// showed as an error of 0.0 %); the other robot's moves are each counted.
TEST(PlanCellTest, ARobotGivenNoWeldHasNoTravelMoves) {
  AllocatedSharedCell s;
  auto& [c, world, options, reach, problem, allocation] = s;
  ASSERT_EQ(allocation.routes.size(), 2u);
  allocation.routes[1].clear();
  const std::size_t stops = allocation.routes[0].size();
  ASSERT_GT(stops, 0u);
  const std::vector<motion::SequenceResult> motions =
      PlanMotions(c, world, reach, allocation, options);
  const plan::TravelReport travel =
      MeasureTravelError(c, world, reach, options, {}, allocation, motions);
  ASSERT_EQ(travel.robots.size(), 2u);
  EXPECT_EQ(travel.robots[0].moves, static_cast<int>(stops + 1 - motions[0].skipped.size()));
  EXPECT_GT(travel.robots[0].planned_seconds, 0.0);
  EXPECT_EQ(travel.robots[1].moves, 0);
  EXPECT_EQ(travel.robots[1].planned_seconds, 0.0);
}

// A robot whose route was planned before (in any earlier round) takes that motion unplanned;
// abandoned motions and routes known already are not added.
TEST(PlanCellTest, PlannedRoutesGiveARouteItsEarlierMotion) {
  const cell::Cell c = testing::SharedCell();
  const collision::CollisionWorld world(c);
  const PlanOptions options{.threads = 2, .rebalance_rounds = 0};
  const reach::ReachMap reach = reach::ReachAll(c, world, {.threads = 2});
  const AllocationProblem problem = BuildAllocationProblem(c, world, reach, options);
  const Allocation allocation = Allocate(c, reach, problem, options);
  Allocation first = allocation;
  const std::vector<motion::SequenceResult> motions = PlanMotions(c, world, reach, first, options);
  ASSERT_EQ(motions.size(), 2u);

  PlannedRoutes planned;
  // Robot 0's route known with a marked motion, robot 1's only with an abandoned one.
  std::vector<motion::SequenceResult> marked = motions;
  marked[0].planned_moves = 1234;
  marked[1].abandoned = true;
  planned.Add(allocation.routes, marked);
  ASSERT_NE(planned.Find(0, allocation.routes[0]), nullptr);
  EXPECT_EQ(planned.Find(1, allocation.routes[1]), nullptr) << "abandoned: not added";
  planned.Add(allocation.routes, motions);  // robot 0's route is known: the first stays
  ASSERT_EQ(planned.robots[0].size(), 1u);
  EXPECT_EQ(planned.Find(0, allocation.routes[0])->planned_moves, 1234);
  std::vector<AssignedWeld> other = allocation.routes[0];
  std::reverse(other.begin(), other.end());
  if (other != allocation.routes[0]) {
    EXPECT_EQ(planned.Find(0, other), nullptr);
  }

  Allocation again = allocation;
  const std::vector<motion::SequenceResult> reused =
      PlanMotions(c, world, reach, again, options, &planned);
  EXPECT_EQ(reused[0].planned_moves, 1234) << "robot 0 takes the motion planned before";
  EXPECT_EQ(reused[1].planned_moves, motions[1].planned_moves);
  EXPECT_EQ(reused[1].trajectory.duration(), motions[1].trajectory.duration())
      << "robot 1 planned anew, the same motion";
  EXPECT_EQ(again.routes, first.routes);
}

TEST(PlanCellTest, ReAllocationKeepsOnlyWhatShortensTheCoordinatedPlan) {
  const cell::Cell c = testing::SharedCell();
  const collision::CollisionWorld world(c);
  const PlanOutput once = PlanCell(c, world, {.threads = 2, .rebalance_rounds = 0});
  EXPECT_EQ(once.statistics.rebalance_rounds, 0);
  EXPECT_DOUBLE_EQ(once.plan.makespan, once.statistics.first_makespan);
  const PlanOutput out = PlanCell(c, world, {.threads = 2});
  EXPECT_DOUBLE_EQ(out.statistics.first_makespan, once.plan.makespan);
  EXPECT_LE(out.statistics.rebalance_kept, out.statistics.rebalance_rounds);
  EXPECT_LE(out.plan.makespan, out.statistics.first_makespan + 1e-9)
      << out.statistics.rebalance_kept << " of " << out.statistics.rebalance_rounds
      << " re-allocations kept";
  auto none_kept = [](const std::vector<PlanStatistics::RoundTry>& tries) {
    return std::none_of(tries.begin(), tries.end(), [](const auto& t) { return t.kept; });
  };
  if (out.statistics.rebalance_kept == 0 && none_kept(out.statistics.route_start_tries) &&
      none_kept(out.statistics.weld_transfer_tries)) {
    EXPECT_EQ(plan::ToJson(out.plan), plan::ToJson(once.plan));
  }
  const VerifyReport report = Verify(out.plan, c);
  for (const Violation& v : report.violations) ADD_FAILURE() << ToString(v);
}

// With the baseline allocator the routes are the baseline's (nearest robot, nearest neighbour),
// planned, coordinated and verified as ours are; no spatial round (only the strong solver knows
// the term) and its estimate is the baseline's.
TEST(PlanCellTest, TheBaselineAllocatorIsPlannedTheSameWay) {
  const cell::Cell c = testing::SharedCell();
  const collision::CollisionWorld world(c);
  const PlanOptions baseline{
      .threads = 2, .allocator = Allocator::kBaseline, .rebalance_rounds = 1};
  const reach::ReachMap reach = reach::ReachAll(c, world, {.threads = 2});
  const AllocationProblem problem = BuildAllocationProblem(c, world, reach, baseline);
  const allocation::SolveResult expected =
      allocation::MakeBaselineSolver()->Solve(problem.problem, {.seed = c.settings.seed});
  const Allocation allocation = Allocate(c, reach, problem, baseline);
  EXPECT_DOUBLE_EQ(allocation.estimated_makespan, expected.cost.makespan);
  EXPECT_DOUBLE_EQ(allocation.baseline_makespan, expected.cost.makespan);
  for (std::size_t r = 0; r < allocation.routes.size(); ++r) {
    ASSERT_EQ(allocation.routes[r].size(), expected.solution.routes[r].size()) << "robot " << r;
    for (std::size_t i = 0; i < allocation.routes[r].size(); ++i) {
      EXPECT_EQ(allocation.routes[r][i].weld,
                problem.tasks[expected.solution.routes[r][i].task.value].weld);
    }
  }
  const Allocation strong = Allocate(c, reach, problem, {.threads = 2});
  EXPECT_DOUBLE_EQ(strong.baseline_makespan, expected.cost.makespan);
  EXPECT_LE(strong.estimated_makespan, expected.cost.makespan + 1e-9);

  const PlanOutput out = PlanCell(c, world, baseline);
  EXPECT_DOUBLE_EQ(out.statistics.estimated_makespan, expected.cost.makespan);
  EXPECT_DOUBLE_EQ(out.statistics.spatial_makespan, 0.0);  // not tried
  const VerifyReport report = Verify(out.plan, c);
  for (const Violation& v : report.violations) ADD_FAILURE() << ToString(v);
}

// The round with the allocator's spatial term counts as a round, is kept only when the
// coordinated plan gets better, and leaves the reported estimate that of the blind allocation.
TEST(PlanCellTest, TheSpatialRoundIsKeptOnlyWhenTheCoordinatedPlanGetsBetter) {
  const cell::Cell c = testing::SharedCell();
  const collision::CollisionWorld world(c);
  const PlanOutput once = PlanCell(c, world, {.threads = 2, .rebalance_rounds = 0});
  const PlanOutput out = PlanCell(c, world,
                                  {.threads = 2,
                                   .rebalance_rounds = 1,
                                   .spatial_weight = 3.0,
                                   .baseline_round = false,
                                   .weld_transfers = false,
                                   .reverse_routes = false});
  EXPECT_EQ(out.statistics.rebalance_rounds, 1);
  EXPECT_DOUBLE_EQ(out.statistics.estimated_makespan, once.statistics.estimated_makespan);
  EXPECT_DOUBLE_EQ(out.statistics.first_makespan, once.plan.makespan);
  if (out.statistics.spatial_kept) {
    EXPECT_EQ(out.statistics.rebalance_kept, 1);
    EXPECT_LT(out.plan.makespan, once.plan.makespan);
  } else {
    EXPECT_EQ(out.statistics.rebalance_kept, 0);
    EXPECT_EQ(plan::ToJson(out.plan), plan::ToJson(once.plan));
  }
  const VerifyReport report = Verify(out.plan, c);
  for (const Violation& v : report.violations) ADD_FAILURE() << ToString(v);
}

// With two rounds, the spatial round (without its repair round) and then the exclusion round
// (spatial term plus the arms' exclusions) run. The exclusion round's allocation counts waits where
// both robots work the table's middle; it is kept only when the coordinated plan gets better, else
// the plan is the one without it.
TEST(PlanCellTest, TheExclusionRoundIsKeptOnlyWhenTheCoordinatedPlanGetsBetter) {
  const cell::Cell c = MiddleCell();
  const collision::CollisionWorld world(c);
  // Without exclusions the second round would repair the spatial round's failed motions.
  const PlanOptions without{.threads = 2,
                            .rebalance_rounds = 1,
                            .exclusion_clearance = 0.0,
                            .weld_transfers = false,
                            .reverse_routes = false};
  PlanOptions with = without;
  with.rebalance_rounds = 2;
  with.exclusion_clearance = PlanOptions{}.exclusion_clearance;
  const PlanOutput before = PlanCell(c, world, without);
  const PlanOutput out = PlanCell(c, world, with);
  EXPECT_EQ(out.statistics.rebalance_rounds, 2);
  EXPECT_GT(out.statistics.spatial_makespan, 0.0);
  EXPECT_GT(out.statistics.exclusion_makespan, 0.0);
  EXPECT_GT(out.statistics.exclusion_estimate, 0.0);
  if (out.statistics.exclusion_kept) {
    EXPECT_LT(out.plan.makespan, before.plan.makespan);
  } else {
    EXPECT_EQ(plan::ToJson(out.plan), plan::ToJson(before.plan));
  }
  const VerifyReport report = Verify(out.plan, c);
  for (const Violation& v : report.violations) ADD_FAILURE() << ToString(v);
}

// The spatial and the exclusion rounds' allocations, computed ahead on a background thread,
// are the allocations made in place from the same problem: the exclusion round's estimate is
// the one of BuildAllocationProblem (all welds, the arms' exclusions) solved by Allocate.
TEST(PlanCellTest, AllocationsComputedAheadEqualThoseMadeInPlace) {
  const cell::Cell c = MiddleCell();
  const collision::CollisionWorld world(c);
  const PlanOptions options{
      .threads = 2, .rebalance_rounds = 2, .weld_transfers = false, .reverse_routes = false};
  const PlanOutput out = PlanCell(c, world, options);
  EXPECT_GT(out.statistics.ahead_allocation_seconds, 0.0);
  const reach::ReachMap reach = reach::ReachAll(c, world, {.threads = 2});
  const TravelMatrices travel;  // analytic
  const AllocationProblem problem =
      BuildAllocationProblem(c, world, reach, options, {}, &travel, /*exclusions=*/true);
  ASSERT_NE(problem.problem.exclusions, nullptr);
  const Allocation allocation = Allocate(c, reach, problem, options);
  EXPECT_GT(allocation.estimated_makespan, 0.0);
  EXPECT_DOUBLE_EQ(out.statistics.exclusion_estimate, allocation.estimated_makespan);
}

// Reach, the allocation problem, its allocation and the robots' motions, as PlanCell's first
// round makes them.
struct FirstRound {
  reach::ReachMap reach;
  AllocationProblem problem;
  Allocation allocation;
  std::vector<motion::SequenceResult> motions;
};

FirstRound PlanFirstRound(const cell::Cell& c, const collision::CollisionWorld& world,
                          const PlanOptions& options) {
  FirstRound f;
  f.reach = reach::ReachAll(c, world, {.threads = options.threads});
  f.problem = BuildAllocationProblem(c, world, f.reach, options);
  f.allocation = Allocate(c, f.reach, f.problem, options);
  f.motions = PlanMotions(c, world, f.reach, f.allocation, options);
  return f;
}

// What the direction round makes of a route: the same welds backwards, the motion run backwards
// (not planned anew), coordinated and assembled into a plan the verifier finds clean.
TEST(PlanCellTest, ARouteRunBackwardsIsAValidPlan) {
  const cell::Cell c = testing::SharedCell();
  const collision::CollisionWorld world(c);
  const PlanOptions options{.threads = 2, .rebalance_rounds = 0};
  FirstRound first = PlanFirstRound(c, world, options);
  const AllocationProblem& problem = first.problem;
  Allocation& allocation = first.allocation;
  std::vector<motion::SequenceResult>& motions = first.motions;
  ASSERT_TRUE(motions[0].skipped.empty());
  ASSERT_GE(allocation.routes[0].size(), 2u);
  std::vector<std::string> forward;
  for (const AssignedWeld& w : allocation.routes[0]) forward.push_back(c.welds[w.weld].id);
  std::reverse(allocation.routes[0].begin(), allocation.routes[0].end());
  motions[0] = motion::Reversed(motions[0]);
  const coordination::CoordinationResult coordinated =
      CoordinateMotions(c, world, motions, options);
  ASSERT_TRUE(coordinated.conflict_free) << coordinated.message;
  const plan::Plan p =
      AssemblePlan(c, problem.unreachable, allocation, motions, coordinated, options);
  std::vector<std::string> welded;
  for (const plan::WeldVisit& w : p.robots[0].welds) welded.push_back(w.weld_id);
  std::reverse(forward.begin(), forward.end());
  EXPECT_EQ(welded, forward);
  const VerifyReport report = Verify(p, c);
  for (const Violation& v : report.violations) ADD_FAILURE() << ToString(v);
}

// A route started at another weld and run the other way round runs again every travel move
// its first motion ran (SequenceResult::travel_paths, backwards here) and plans only the new
// ones: a move between the same two welds takes as long as before, the planned ones
// around the wall included (planned anew, with the seeds of other stop indices, they would not).
TEST(PlanMotionsTest, ARouteStartedElsewhereRunsTheMovesItRanBefore) {
  const cell::Cell c = testing::DetourCell();
  const collision::CollisionWorld world(c);
  const PlanOptions options{.threads = 1, .rebalance_rounds = 0};
  const FirstRound round = PlanFirstRound(c, world, options);
  const std::vector<motion::SequenceResult>& first = round.motions;
  ASSERT_TRUE(first[0].skipped.empty());
  ASSERT_EQ(round.allocation.routes[0].size(), 4u);
  ASSERT_GT(first[0].planned_moves, 0) << "a move goes around the wall";
  std::map<std::pair<std::string, std::string>, double> before;
  for (const motion::TrajectorySegment& s : first[0].trajectory.segments()) {
    if (s.kind == motion::SegmentKind::kMotion && s.from != s.to) {
      before[{s.from, s.to}] = s.duration();
      before[{s.to, s.from}] = s.duration();
    }
  }
  Allocation rearranged = round.allocation;  // its routes name the poses welded in
  std::vector<AssignedWeld>& route = rearranged.routes[0];
  std::rotate(route.begin(), route.begin() + 1, route.end());
  std::reverse(route.begin(), route.end());
  const std::vector<motion::SequenceResult> again =
      PlanMotions(c, world, round.reach, rearranged, options, nullptr,
                  std::numeric_limits<int>::max(), nullptr, &first);
  ASSERT_TRUE(again[0].skipped.empty());
  int same = 0, planned_same = 0;
  for (const motion::TrajectorySegment& s : again[0].trajectory.segments()) {
    if (s.kind != motion::SegmentKind::kMotion || s.from == s.to) continue;
    const auto it = before.find({s.from, s.to});
    if (it == before.end()) continue;
    // Run backwards, a path is timed anew: within microseconds of its time forwards.
    EXPECT_NEAR(s.duration(), it->second, 1e-4) << s.from << " -> " << s.to;
    ++same;
    planned_same += s.profile.pieces().size() > 1;  // not the straight move
  }
  EXPECT_GE(same, 3) << "of the 5 moves, 2 are new";
  EXPECT_GT(planned_same, 0) << "no planned move was run again";
  // The moves run again are the paths run before, waypoint for waypoint (backwards where the
  // route runs them the other way round).
  int reused_detours = 0;
  for (const motion::TravelPath& p : again[0].travel_paths) {
    for (const motion::TravelPath& q : first[0].travel_paths) {
      std::vector<Eigen::VectorXd> waypoints = q.waypoints;
      if (p.start == q.goal && p.goal == q.start) {
        std::reverse(waypoints.begin(), waypoints.end());
      } else if (!(p.start == q.start && p.goal == q.goal)) {
        continue;
      }
      EXPECT_EQ(p.waypoints, waypoints);
      reused_detours += p.waypoints == waypoints && p.waypoints.size() > 2;
    }
  }
  EXPECT_GT(reused_detours, 0) << "the detour around the wall was not run again";
}

// Small stations, whose tries are cheap, get more of them; L sixteen, eight misses in a row; from
// 400 welds on six, three.
TEST(RearrangeBudgetTest, GivesSmallStationsMoreTries) {
  auto expect = [](std::size_t welds, int tries, int misses) {
    const RearrangeBudget b = RearrangeBudgetFor(welds);
    EXPECT_EQ(b.tries, tries) << welds << " welds";
    EXPECT_EQ(b.misses, misses) << welds << " welds";
  };
  expect(0, 40, 20);
  expect(20, 40, 20);  // S, the demo
  expect(80, 30, 15);  // M
  expect(150, 16, 8);  // L
  expect(600, 6, 3);   // XL
  expect(400, 6, 3);
  expect(100000, 6, 3);
}

// The travel moves (home to the first weld, weld to weld, the last weld home; either way round)
// of route `now` that route `then` does not run.
int NewTravelMoves(std::vector<std::string> now, std::vector<std::string> then) {
  auto moves = [](std::vector<std::string> route) {
    route.insert(route.begin(), "home");
    route.emplace_back("home");
    std::set<std::pair<std::string, std::string>> out;
    for (std::size_t k = 0; k + 1 < route.size(); ++k) {
      out.insert(std::minmax(route[k], route[k + 1]));
    }
    return out;
  };
  const auto before = moves(std::move(then));
  int out = 0;
  for (const auto& m : moves(std::move(now))) out += static_cast<int>(!before.contains(m));
  return out;
}

std::vector<std::string> Split(const std::string& text, const std::string& separator) {
  std::vector<std::string> out;
  std::size_t from = 0;
  for (std::size_t at = text.find(separator); at != std::string::npos;
       at = text.find(separator, from)) {
    out.push_back(text.substr(from, at - from));
    from = at + separator.size();
  }
  out.push_back(text.substr(from));
  return out;
}

// The route-start round tries plans whose routes start at other welds, run backwards or run a
// segment backwards where the pair diagrams say the robots would wait less: each robot welds the
// same welds, each plan kept running all but at most three travel moves of the plan before; a
// plan is kept only when the coordinated plan gets better, else the plan is the one without the
// round.
// On the demo station (one re-allocation round, seed 1) the plan before the round makes the
// robots wait; R1 started at another weld waits less.
TEST(PlanCellTest, TheRouteStartRoundKeepsOnlyBetterPlansOfTheSameWelds) {
  const cell::Cell c = cell::LoadCell("cells/demo/cell.yaml").value;
  const collision::CollisionWorld world(c);
  const PlanOptions without{
      .threads = 2, .rebalance_rounds = 1, .weld_transfers = false, .reverse_routes = false};
  PlanOptions with = without;
  with.reverse_routes = true;
  const PlanOutput before = PlanCell(c, world, without);
  const PlanOutput out = PlanCell(c, world, with);
  const std::vector<PlanStatistics::RoundTry>& tries = out.statistics.route_start_tries;
  ASSERT_FALSE(tries.empty()) << "the robots wait at " << before.plan.makespan << " s";
  const RearrangeBudget budget = RearrangeBudgetFor(c.welds.size());
  EXPECT_LE(tries.size(), static_cast<std::size_t>(budget.tries));
  // Each try names, per robot changed, how its route now runs, with welds of that robot:
  // "R1 backwards", "R1 from W3", "R2 backwards from W5 with W7…W4 reversed", joined by " + ".
  std::map<std::string, std::set<std::string>> welds_of;  // robot → its weld ids
  for (const plan::RobotPlan& r : before.plan.robots) {
    for (const plan::WeldVisit& w : r.welds) welds_of[r.robot].insert(w.weld_id);
  }
  const std::regex change(R"(^(\S+)( backwards)?( from (\S+))?( with (\S+)…(\S+) reversed)?$)");
  double plan = before.plan.makespan;
  std::map<std::string, int> kept;  // robot → kept plans that changed its route
  int misses = 0;                   // in a row
  for (const PlanStatistics::RoundTry& t : tries) {
    EXPECT_LE(t.estimate_after, t.estimate_before) << t.change;
    misses = t.kept ? 0 : misses + 1;
    EXPECT_LE(misses, budget.misses) << t.change;
    std::set<std::string> changed;
    for (const std::string& part : Split(t.change, " + ")) {
      std::smatch m;
      ASSERT_TRUE(std::regex_match(part, m, change) && m[0].length() > m[1].length())
          << "'" << part << "' of '" << t.change << "'";
      const std::string robot = m[1].str();
      ASSERT_TRUE(welds_of.contains(robot)) << part;
      for (const int g : {4, 6, 7}) {
        if (m[g].matched) {
          EXPECT_TRUE(welds_of[robot].contains(m[g].str())) << part;
        }
      }
      EXPECT_TRUE(changed.insert(robot).second) << t.change;
    }
    if (!t.kept) continue;
    EXPECT_LT(t.makespan, plan) << t.change;
    plan = t.makespan;
    for (const std::string& robot : changed) ++kept[robot];
  }
  EXPECT_LT(out.plan.makespan, before.plan.makespan) << "no plan kept";
  EXPECT_NEAR(out.plan.makespan, plan, 1e-9);
  for (std::size_t r = 0; r < out.plan.robots.size(); ++r) {
    std::vector<std::string> now, then;
    for (const plan::WeldVisit& w : out.plan.robots[r].welds) now.push_back(w.weld_id);
    for (const plan::WeldVisit& w : before.plan.robots[r].welds) then.push_back(w.weld_id);
    const int new_moves = NewTravelMoves(now, then);
    std::sort(now.begin(), now.end());
    std::sort(then.begin(), then.end());
    EXPECT_EQ(now, then) << out.plan.robots[r].robot;
    const int kept_here = kept[out.plan.robots[r].robot];
    EXPECT_LE(new_moves, 3 * kept_here)
        << out.plan.robots[r].robot << " after " << kept_here << " kept plans that changed it";
  }
  const VerifyReport report = Verify(out.plan, c);
  for (const Violation& v : report.violations) ADD_FAILURE() << ToString(v);
}

// The weld-transfer round gives a weld of the robot that finishes last to another robot where
// the plan's durations say the makespan drops; a plan is kept only when the coordinated plan
// gets shorter, and then the two plans differ by the welds moved, every other weld staying
// with its robot.
// On the demo station (one re-allocation round, seed 1) R1 finishes last with welds R2 reaches.
TEST(PlanCellTest, TheWeldTransferRoundKeepsOnlyShorterPlansWithTheWeldsMoved) {
  const cell::Cell c = cell::LoadCell("cells/demo/cell.yaml").value;
  const collision::CollisionWorld world(c);
  // Without the baseline round, whose plan on the demo no transfer shortens.
  const PlanOptions without{.threads = 2,
                            .rebalance_rounds = 1,
                            .baseline_round = false,
                            .weld_transfers = false,
                            .reverse_routes = false};
  PlanOptions with = without;
  with.weld_transfers = true;
  const PlanOutput before = PlanCell(c, world, without);
  const PlanOutput out = PlanCell(c, world, with);
  const std::vector<PlanStatistics::RoundTry>& tries = out.statistics.weld_transfer_tries;
  ASSERT_FALSE(tries.empty()) << "the plan before: " << before.plan.makespan << " s";
  EXPECT_TRUE(out.statistics.route_start_tries.empty());
  double plan = before.plan.makespan;
  std::map<std::string, std::string> moved;  // weld id -> robot it went to
  for (const PlanStatistics::RoundTry& t : tries) {
    EXPECT_LT(t.estimate_after, t.estimate_before) << t.change;
    if (!t.kept) continue;
    EXPECT_LT(t.makespan, plan) << t.change;
    plan = t.makespan;
    const std::size_t arrow = t.change.find(" -> ");
    moved[t.change.substr(0, t.change.find(' '))] = t.change.substr(arrow + 4);
  }
  EXPECT_LT(out.plan.makespan, before.plan.makespan) << "no transfer kept";
  EXPECT_NEAR(out.plan.makespan, plan, 1e-9);
  std::map<std::string, std::string> robot_of, robot_before;
  for (const plan::RobotPlan& r : out.plan.robots) {
    for (const plan::WeldVisit& w : r.welds) robot_of[w.weld_id] = r.robot;
  }
  for (const plan::RobotPlan& r : before.plan.robots) {
    for (const plan::WeldVisit& w : r.welds) robot_before[w.weld_id] = r.robot;
  }
  ASSERT_EQ(robot_of.size(), robot_before.size());
  for (const auto& [weld, robot] : robot_before) {
    const auto m = moved.find(weld);
    EXPECT_EQ(robot_of[weld], m == moved.end() ? robot : m->second) << weld;
  }
  // Every robot welds its other welds in the same order.
  auto others = [&](const PlanOutput& o, const std::string& robot) {
    std::vector<std::string> ids;
    for (const plan::RobotPlan& r : o.plan.robots) {
      if (r.robot != robot) continue;
      for (const plan::WeldVisit& w : r.welds) {
        if (!moved.count(w.weld_id)) ids.push_back(w.weld_id);
      }
    }
    return ids;
  };
  for (const plan::RobotPlan& r : out.plan.robots) {
    EXPECT_EQ(others(out, r.robot), others(before, r.robot)) << r.robot;
  }
  const VerifyReport report = Verify(out.plan, c);
  for (const Violation& v : report.violations) ADD_FAILURE() << ToString(v);
  // With the route-start round after it: the same transfers, and the two rounds share a budget.
  PlanOptions both = with;
  both.reverse_routes = true;
  const PlanOutput all = PlanCell(c, world, both);
  EXPECT_EQ(all.statistics.weld_transfer_tries.size(), tries.size());
  EXPECT_LE(all.statistics.weld_transfer_tries.size() + all.statistics.route_start_tries.size(),
            static_cast<std::size_t>(RearrangeBudgetFor(c.welds.size()).tries));
}

TEST(PlanCellTest, AWithheldAssignmentIsNotOfferedUnlessItIsTheWeldsLastRobot) {
  const cell::Cell c = testing::SharedCell();
  const collision::CollisionWorld world(c);
  const PlanOptions options{.threads = 2};
  const reach::ReachMap reach = reach::ReachAll(c, world, {.threads = 2});
  const AllocationProblem all = BuildAllocationProblem(c, world, reach, options);
  int both = -1;  // a task both robots reach
  for (std::size_t t = 0; t < all.tasks.size() && both < 0; ++t) {
    if (!all.tasks[t].options[0].empty() && !all.tasks[t].options[1].empty()) {
      both = static_cast<int>(t);
    }
  }
  ASSERT_GE(both, 0) << "the shared cell has welds both robots reach";
  const int weld = all.tasks[both].weld;
  const AllocationProblem one = BuildAllocationProblem(c, world, reach, options, {{weld, 0}});
  EXPECT_TRUE(one.tasks[both].options[0].empty());
  EXPECT_EQ(one.tasks[both].options[1], all.tasks[both].options[1]);
  EXPECT_EQ(one.problem.tasks[both].capabilities.size(), 1u);
  // Withholding every robot would leave the weld to none: nothing is withheld then.
  const AllocationProblem none =
      BuildAllocationProblem(c, world, reach, options, {{weld, 0}, {weld, 1}});
  EXPECT_EQ(none.tasks[both].options, all.tasks[both].options);
}

// A withhold round's allocation starts from the allocation before it (Allocate with a start):
// RoutesInProblem gives the solver an allocation in its own indices — the same solution on the
// problem it came from, the same without the withheld assignment on the problem without it — and
// the allocation started from it gives the withheld weld to the other robot, every weld once.
TEST(PlanCellTest, AnAllocationStartsFromTheLastWithoutWhatIsWithheld) {
  const cell::Cell c = testing::SharedCell();
  const collision::CollisionWorld world(c);
  const PlanOptions options{.threads = 2};
  const reach::ReachMap reach = reach::ReachAll(c, world, {.threads = 2});
  const AllocationProblem all = BuildAllocationProblem(c, world, reach, options);
  const Allocation first = Allocate(c, reach, all, options);
  const allocation::Solution same = RoutesInProblem(reach, all, first.routes);
  ASSERT_EQ(same.routes.size(), first.routes.size());
  for (std::size_t r = 0; r < same.routes.size(); ++r) {
    ASSERT_EQ(same.routes[r].size(), first.routes[r].size()) << "robot " << r;
    for (std::size_t k = 0; k < same.routes[r].size(); ++k) {
      const allocation::Visit& v = same.routes[r][k];
      const AllocationTask& task = all.tasks[v.task.value];
      EXPECT_EQ(task.weld, first.routes[r][k].weld);
      EXPECT_EQ(reach.at(task.weld, static_cast<int>(r)).candidates[task.options[r][v.option]],
                first.routes[r][k].candidate);
    }
  }
  int weld = -1;  // a weld of robot 0 that robot 1 also reaches
  for (const AssignedWeld& a : first.routes[0]) {
    if (weld < 0 && reach.at(a.weld, 1).status == reach::ReachStatus::kReachable) weld = a.weld;
  }
  ASSERT_GE(weld, 0) << "the shared cell has welds both robots reach";
  const AllocationProblem one = BuildAllocationProblem(c, world, reach, options, {{weld, 0}});
  const allocation::Solution without = RoutesInProblem(reach, one, first.routes);
  EXPECT_EQ(without.routes[0].size() + 1, first.routes[0].size());
  EXPECT_EQ(without.routes[1], same.routes[1]);
  const Allocation warm = Allocate(c, reach, one, options, &first.routes);
  std::map<int, int> robot_of;
  for (std::size_t r = 0; r < warm.routes.size(); ++r) {
    for (const AssignedWeld& a : warm.routes[r]) {
      EXPECT_TRUE(robot_of.emplace(a.weld, static_cast<int>(r)).second) << "weld " << a.weld;
    }
  }
  EXPECT_EQ(robot_of.size(), one.tasks.size());
  EXPECT_EQ(robot_of[weld], 1);
}

struct Report {
  std::string stage;
  std::int64_t done = 0, total = 0;
};

TEST(PlanCellTest, EveryStageReportsMonotoneProgressToItsEnd) {
  const cell::Cell c = testing::SharedCell();
  const collision::CollisionWorld world(c);
  std::vector<Report> reports;
  const Progress progress([&](std::string_view stage, std::int64_t done, std::int64_t total) {
    reports.push_back({std::string(stage), done, total});
  });
  // Without re-allocation rounds, which repeat allocate, motion and coordinate when the robots
  // wait for each other.
  const PlanOutput out = PlanCell(
      c, world,
      {.threads = 2, .allocation_iterations = 1000, .rebalance_rounds = 0, .progress = progress});
  EXPECT_EQ(out.status, PlanStatus::kComplete);
  const std::vector<std::string> expected = {std::string(kReachStage), std::string(kAllocateStage),
                                             std::string(kMotionStage),
                                             std::string(kCoordinateStage)};
  std::vector<std::string> order;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    const Report& r = reports[i];
    EXPECT_GT(r.total, 0) << r.stage;
    EXPECT_LE(r.done, r.total) << r.stage;
    if (order.empty() || order.back() != r.stage) {
      order.push_back(r.stage);
      if (i > 0) {
        EXPECT_EQ(reports[i - 1].done, reports[i - 1].total)
            << reports[i - 1].stage << " ended before its last unit";
      }
      continue;
    }
    EXPECT_GE(r.done, reports[i - 1].done) << r.stage << " went backwards at report " << i;
    EXPECT_EQ(r.total, reports[i - 1].total) << r.stage;
  }
  EXPECT_EQ(order, expected) << "each stage once, in pipeline order";
  ASSERT_FALSE(reports.empty());
  EXPECT_EQ(reports.back().done, reports.back().total);
}

// Cancelled at the first report of `stage`: the pipeline says so, assembles no plan and no
// later stage starts; the stage itself stops within a unit of work per thread.
TEST(PlanCellTest, CancelledInAnyStageStopsThere) {
  const cell::Cell c = testing::SharedCell();
  const collision::CollisionWorld world(c);
  for (std::string_view stage : {kReachStage, kAllocateStage, kMotionStage, kCoordinateStage}) {
    SCOPED_TRACE(std::string(stage));
    std::atomic<bool> cancel{false};
    std::vector<Report> after;  // reports from the cancelling one on
    const Progress progress(
        [&](std::string_view s, std::int64_t done, std::int64_t total) {
          if (s == stage) cancel = true;
          if (cancel) after.push_back({std::string(s), done, total});
        },
        &cancel);
    const PlanOutput out =
        PlanCell(c, world, {.threads = 2, .allocation_iterations = 1000, .progress = progress});
    EXPECT_EQ(out.status, PlanStatus::kCancelled);
    EXPECT_TRUE(out.plan.robots.empty());
    ASSERT_FALSE(after.empty());
    // Reach: the other worker's weld; allocation: the final report; motion: the other robot;
    // coordination: its first report is at 0 of 2 priority orders, none is tried.
    EXPECT_LE(after.size(), 2u);
    for (const Report& r : after) EXPECT_EQ(r.stage, stage) << "a later stage ran";
    if (stage == kAllocateStage) {
      EXPECT_LT(after.back().done, after.back().total) << "the allocator ran to its budget";
    }
  }
}

// The detour cell with the robot's joint 6 turning ±`j6` rad (an axis-6 option of many turns).
cell::Cell WideWristDetourCell(double j6) {
  cell::Cell c = testing::DetourCell();
  auto model = std::make_shared<cell::RobotModel>(*c.robots[0].model);
  model->joints[5].lower = -j6;
  model->joints[5].upper = j6;
  c.robots[0].model = model;
  return c;
}

TEST(PlanCellTest, AWristOfManyTurnsPlansAsFastAsAnOrdinaryOne) {
  // With the ordinary ±2π joint 6 as the reference: ±100 rad used to wind joint 6 up by turns at
  // every weld (4× the makespan on a real cell), ±1e4 rad found no path at all.
  const cell::Cell narrow = testing::DetourCell();
  const collision::CollisionWorld narrow_world(narrow);
  const PlanOutput reference = PlanCell(narrow, narrow_world, {.threads = 2});
  ASSERT_TRUE(reference.plan.unreachable.empty()) << reference.plan.unreachable.front().reason;
  for (const double j6 : {100.0, 1e4}) {
    SCOPED_TRACE("joint 6 ±" + std::to_string(j6) + " rad");
    const cell::Cell c = WideWristDetourCell(j6);
    const collision::CollisionWorld world(c);
    const PlanOutput out = PlanCell(c, world, {.threads = 2});
    EXPECT_TRUE(out.plan.unreachable.empty()) << out.plan.unreachable.front().reason;
    ASSERT_EQ(out.plan.robots.size(), 1u);
    EXPECT_EQ(out.plan.robots[0].welds.size(), 4u);
    EXPECT_LE(out.plan.makespan, 1.05 * reference.plan.makespan)
        << "reference " << reference.plan.makespan << " s";
    // Joint 6 never winds: within the turns nearest home (0) at every sample.
    double farthest = 0.0;
    for (const plan::Segment& s : out.plan.robots[0].segments) {
      for (const Eigen::VectorXd& q : s.q) farthest = std::max(farthest, std::abs(q[5]));
    }
    EXPECT_LE(farthest, 3 * testing::kPi);
    const VerifyReport report = Verify(out.plan, c);
    for (const Violation& v : report.violations) ADD_FAILURE() << ToString(v);
  }
}

TEST(PlanCellTest, UnreachableWeldIsReportedWithItsReason) {
  cell::Cell c = testing::DetourCell();
  c.welds.push_back(testing::MakeWeld("far", {5.0, 0, 0.6}));
  const collision::CollisionWorld world(c);
  const PlanOutput out = PlanCell(c, world);
  ASSERT_EQ(out.plan.unreachable.size(), 1u);
  EXPECT_EQ(out.plan.unreachable[0].weld_id, "far");
  EXPECT_LT(out.plan.makespan, c.cycle_time);
  EXPECT_FALSE(out.plan.within_cycle_time) << "an incomplete station never fits";
  EXPECT_NE(out.plan.unreachable[0].reason.find("out of range"), std::string::npos);
  // The verifier agrees that the station does not weld it.
  const VerifyReport report = Verify(out.plan, c);
  ASSERT_EQ(report.violations.size(), 1u);
  EXPECT_EQ(report.violations[0].kind, ViolationKind::kWeld);
}

TEST(PlanCellTest, WeldWithoutItsOwnTimeDwellsForTheGunsDefault) {
  cell::Cell c = testing::DetourCell();
  c.welds.resize(1);
  c.welds[0].weld_time = 0.0;  // "use the gun's weld time"
  const cell::Tool& gun = c.robots[0].tool;
  const collision::CollisionWorld world(c);
  const PlanOutput out = PlanCell(c, world);
  ASSERT_EQ(out.plan.robots[0].welds.size(), 1u);
  const plan::WeldVisit& v = out.plan.robots[0].welds[0];
  EXPECT_NEAR(v.end_time - v.start_time, gun.weld_time + gun.close_time + gun.open_time, 1e-9);
  EXPECT_TRUE(Verify(out.plan, c).ok());
}

// Issue 9: `after:` precedences across robots are kept on the station clock (they used to be
// kept by the allocation's estimate only, not by the final timeline). Chains that alternate
// between the robots: each robot must wait for the other's weld.
TEST(PlanCellTest, AfterPrecedencesAcrossRobotsHoldInTheFinalTimeline) {
  for (const std::vector<int>& chain : {std::vector<int>{1, 5, 0, 4}, {2, 3, 1, 4, 0, 5}}) {
    cell::Cell c = testing::SharedCell();
    const collision::CollisionWorld world(c);
    for (std::size_t i = 1; i < chain.size(); ++i) {
      c.welds[chain[i]].after = {c.welds[chain[i - 1]].id};
    }
    const plan::Plan p = PlanCell(c, world, {.threads = 2}).plan;
    const VerifyReport report = Verify(p, c);
    for (const Violation& v : report.violations) ADD_FAILURE() << ToString(v);
    std::map<std::string, plan::WeldVisit> visits;
    std::map<std::string, std::string> robot_of;
    for (const plan::RobotPlan& r : p.robots) {
      for (const plan::WeldVisit& v : r.welds) {
        visits[v.weld_id] = v;
        robot_of[v.weld_id] = r.robot;
      }
    }
    bool across = false;
    for (std::size_t i = 1; i < chain.size(); ++i) {
      const std::string& before = c.welds[chain[i - 1]].id;
      const std::string& after = c.welds[chain[i]].id;
      ASSERT_TRUE(visits.count(before) && visits.count(after));
      EXPECT_GE(visits[after].start_time, visits[before].end_time - 1e-9)
          << before << " → " << after;
      across |= robot_of[before] != robot_of[after];
    }
    EXPECT_TRUE(across) << "the chain must cross between the robots";
  }
}

}  // namespace
}  // namespace weldcell::pipeline
