#include "allocation/lower_bound.hpp"

#include <gtest/gtest.h>

#include <random>

#include "allocation/generate.hpp"
#include "allocation/solver.hpp"
#include "tests/allocation/test_support.hpp"

namespace weldcell::allocation {
namespace {

TEST(LowerBound, HandExample) {
  // One robot at 0; tasks at 2 (1 s) and 5 (3 s), chained. Single trip to 5: 5 + 3 + 5 = 13.
  // Chain: out to 2 + 1 s, then 3 s, then the way home from 5: 2 + 1 + 3 + 5 = 11.
  // Work: (arrive 2 from home + 1) + (arrive 3 from 2 + 3) = 9.
  const Problem p = testing::LineProblem({0.0}, {{{2.0}, {5.0}}}, {1.0, 3.0},
                                         {{.before = TaskId{0}, .after = TaskId{1}}});
  const LowerBound lb = ComputeLowerBound(p);
  EXPECT_DOUBLE_EQ(lb.longest_chain, 13.0);
  EXPECT_DOUBLE_EQ(lb.work_per_robot, 9.0);
  EXPECT_DOUBLE_EQ(lb.value, 13.0);
  // Without pair calls the arrival term is dropped: durations only.
  EXPECT_DOUBLE_EQ(ComputeLowerBound(p, 0).work_per_robot, 4.0);
}

TEST(LowerBound, TasksOnlySomeRobotsCanDoAreSharedAmongThemOnly) {
  // Robot 0 (home 0) alone can do t0 (x=1, 4 s) and t1 (x=2, 4 s); t2 (x=9, 0 s) either robot.
  // All robots: (1+4 + 1+4 + 1+0) / 2 = 5.5; robot 0 alone: (1+4 + 1+4) / 1 = 10.
  const Problem p =
      testing::LineProblem({0.0, 10.0}, {{{1.0}, {2.0}, {9.0}}, {{}, {}, {9.0}}}, {4.0, 4.0, 0.0});
  const LowerBound lb = ComputeLowerBound(p);
  EXPECT_DOUBLE_EQ(lb.work_per_robot, 10.0);
  EXPECT_DOUBLE_EQ(lb.longest_chain, 8.0);
  EXPECT_DOUBLE_EQ(lb.value, 10.0);
  EXPECT_DOUBLE_EQ(MakeExactSolver()->Solve(p, {}).cost.makespan, 12.0);
}

TEST(LowerBound, NeverExceedsTheOptimum) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 rng(seed);
    const GenerateConfig config{.num_robots = 1 + static_cast<int>(rng() % 3),
                                .num_tasks = 2 + static_cast<int>(rng() % 6),
                                .max_options = 1 + static_cast<int>(rng() % 3),
                                .reach_fraction = 0.5,
                                .num_precedences = static_cast<int>(rng() % 2),
                                .seed = seed};
    const Problem p = GenerateProblem(config);
    const SolveResult exact = MakeExactSolver()->Solve(p, {});
    ASSERT_EQ(exact.status, SolveStatus::kOptimal) << "seed " << seed;
    EXPECT_LE(exact.lower_bound.value, exact.cost.makespan * (1 + 1e-12)) << "seed " << seed;
    EXPECT_GT(exact.lower_bound.value, 0.0);
    EXPECT_LE(ComputeLowerBound(p, 0).value, exact.cost.makespan * (1 + 1e-12)) << "seed " << seed;
  }
}

}  // namespace
}  // namespace weldcell::allocation
