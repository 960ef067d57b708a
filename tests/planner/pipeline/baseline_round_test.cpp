// The baseline round (planner/pipeline/plan_cell.cpp, RoundPlanner::BaselineRound) on a crowded
// generated station: six robots around a part of eight welds, where the strong allocator spreads
// the welds over the robots and coordination then makes them take turns, while the baseline
// allocation (nearest robot, nearest neighbour) keeps some robots home. Heavy: the station is
// planned three times over (about 30 s in Release).

#include <gtest/gtest.h>

#include <filesystem>

#include "planner/cell/load.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/generate/generate_station.hpp"
#include "planner/pipeline/plan_cell.hpp"
#include "planner/plan/plan.hpp"
#include "planner/verify/verify.hpp"
#include "tests/scratch.hpp"

namespace weldcell::pipeline {
namespace {

namespace fs = std::filesystem;

TEST(BaselineRoundTest, IsTriedAboveTheBaselineEstimateAndKeptOnlyWhenShorter) {
  const generate::Station station =
      generate::GenerateStation({.robots = 6,
                                 .welds = 8,
                                 .seed = 1,
                                 .name = "crowded",
                                 .robots_ref = fs::absolute("robots")});
  const fs::path folder = testing::FreshDirectory("baseline_round");
  generate::WriteStation(station, folder);
  const cell::Cell c = cell::LoadCell(folder / "cell.yaml").value;
  const collision::CollisionWorld world(c);

  const PlanOutput out = PlanCell(c, world, {.threads = 2});
  const PlanStatistics& s = out.statistics;
  ASSERT_GT(s.baseline_makespan, 0.0);
  // Tried when the best plan before it was longer than 1.5 × the baseline's estimate.
  EXPECT_GT(s.baseline_round_before, 1.5 * s.baseline_makespan)
      << "the station was meant to need the round";
  ASSERT_GT(s.baseline_round_makespan, 0.0) << "not tried";
  // Kept only when shorter (all welds planned either way).
  EXPECT_EQ(s.baseline_round_unplanned, 0);
  EXPECT_TRUE(s.baseline_kept) << "baseline round " << s.baseline_round_makespan << " s, before "
                               << s.baseline_round_before << " s";
  EXPECT_LT(s.baseline_round_makespan, s.baseline_round_before);
  EXPECT_LE(out.plan.makespan, s.baseline_round_makespan + 1e-9);
  // The round's plan has had the withhold rounds the baseline allocator's own run has: the same
  // plan as that run's before its weld transfers and route starts.
  EXPECT_GT(s.baseline_round_rounds, 0);
  EXPECT_LE(s.baseline_round_makespan, s.baseline_round_first + 1e-9);
  const PlanOutput baseline = PlanCell(c, world,
                                       {.threads = 2,
                                        .allocator = Allocator::kBaseline,
                                        .weld_transfers = false,
                                        .reverse_routes = false});
  EXPECT_EQ(baseline.statistics.rebalance_rounds, s.baseline_round_rounds);
  EXPECT_EQ(baseline.statistics.rebalance_kept, s.baseline_round_kept);
  EXPECT_NEAR(baseline.plan.makespan, s.baseline_round_makespan, 1e-9)
      << "the baseline allocator's plan before its rearrange rounds";
  const verify::VerifyReport report = verify::Verify(out.plan, c);
  for (const verify::Violation& v : report.violations) ADD_FAILURE() << ToString(v);

  // Without re-allocation rounds there is no baseline round either.
  const PlanOutput once = PlanCell(c, world, {.threads = 2, .rebalance_rounds = 0});
  EXPECT_EQ(once.statistics.baseline_round_makespan, 0.0);
  fs::remove_all(folder);
}

}  // namespace
}  // namespace weldcell::pipeline
