#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <string_view>
#include <vector>

#include "allocation/generate.hpp"
#include "allocation/solver.hpp"
#include "allocation/travel_time.hpp"
#include "tests/allocation/test_support.hpp"

namespace weldcell::allocation {
namespace {

// The strong solver finds the exact optimum of random tiny instances (<= 3 robots x 8 tasks,
// 1..3 options per task and robot, some tasks out of reach of some robots).
TEST(StrongSolver, EqualsTheExactOptimumOnTinyInstances) {
  const auto strong = MakeStrongSolver();
  const auto exact = MakeExactSolver();
  int checked = 0;
  for (std::uint64_t seed = 1; seed <= static_cast<std::uint64_t>(40 / testing::kScale); ++seed) {
    std::mt19937_64 rng(seed);
    const GenerateConfig config{.num_robots = 1 + static_cast<int>(rng() % 3),
                                .num_tasks = 3 + static_cast<int>(rng() % 6),
                                .max_options = 1 + static_cast<int>(rng() % 3),
                                .reach_fraction = 0.4 + 0.2 * static_cast<double>(rng() % 3),
                                .seed = seed};
    const Problem p = GenerateProblem(config);
    const SolveResult best = exact->Solve(p, {});
    ASSERT_EQ(best.status, SolveStatus::kOptimal) << "seed " << seed;
    const SolveResult r = strong->Solve(p, {.seed = seed, .max_iterations = 400});
    EXPECT_TRUE(testing::NearlyEqual(r.cost, best.cost, 1e-9))
        << "seed " << seed << ": strong " << ToString(r.cost) << ", optimum " << ToString(best.cost)
        << "\n"
        << ToString(r.solution) << "optimal:\n"
        << ToString(best.solution);
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

// With precedences the optimum (branch and bound) is matched as well on small instances.
TEST(StrongSolver, EqualsTheExactOptimumWithPrecedences) {
  const auto strong = MakeStrongSolver();
  const auto exact = MakeExactSolver();
  for (std::uint64_t seed = 1; seed <= static_cast<std::uint64_t>(20 / testing::kScale); ++seed) {
    std::mt19937_64 rng(seed);
    const GenerateConfig config{.num_robots = 1 + static_cast<int>(rng() % 3),
                                .num_tasks = 3 + static_cast<int>(rng() % 3),
                                .max_options = 1 + static_cast<int>(rng() % 2),
                                .reach_fraction = 0.5,
                                .num_precedences = 1 + static_cast<int>(rng() % 3),
                                .seed = seed};
    const Problem p = GenerateProblem(config);
    const SolveResult best = exact->Solve(p, {});
    ASSERT_EQ(best.status, SolveStatus::kOptimal) << "seed " << seed;
    const SolveResult r = strong->Solve(p, {.seed = seed, .max_iterations = 400});
    EXPECT_TRUE(testing::NearlyEqual(r.cost, best.cost, 1e-9))
        << "seed " << seed << ": strong " << ToString(r.cost) << ", optimum "
        << ToString(best.cost);
  }
}

TEST(StrongSolver, BeatsTheBaselineOnStations) {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    const Problem p =
        GenerateProblem({.num_robots = 4, .num_tasks = 80, .max_options = 4, .seed = seed});
    const SolveResult base = MakeBaselineSolver()->Solve(p, {});
    const SolveResult r =
        MakeStrongSolver()->Solve(p, {.seed = seed, .max_iterations = 300 / testing::kScale});
    EXPECT_LT(r.cost.makespan, base.cost.makespan) << "seed " << seed;
    EXPECT_GE(r.cost.makespan, r.lower_bound.value);
  }
}

TEST(StrongSolver, ReportsMonotoneProgressEndingAtTheBudget) {
  const Problem p =
      GenerateProblem({.num_robots = 3, .num_tasks = 40, .max_options = 3, .seed = 9});
  std::vector<std::int64_t> seen;
  const Progress progress([&seen](std::string_view stage, std::int64_t done, std::int64_t total) {
    EXPECT_EQ(stage, kAllocateStage);
    EXPECT_EQ(total, 200);
    seen.push_back(done);
  });
  const SolveResult r = MakeStrongSolver()->Solve(
      p, {.seed = 2, .max_iterations = 200, .progress = progress, .progress_every = 25});
  ASSERT_EQ(seen.size(), 200u / 25u + 1u);  // every 25 iterations, plus the final report
  for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_GE(seen[i], seen[i - 1]);
  EXPECT_EQ(seen.back(), 200);
  EXPECT_EQ(r.iterations, 200);
  EXPECT_EQ(r.status, SolveStatus::kFeasible);
}

TEST(StrongSolver, CancelledFromTheFirstReportStopsAtOnceWithAValidSolution) {
  const Problem p =
      GenerateProblem({.num_robots = 3, .num_tasks = 40, .max_options = 3, .seed = 9});
  std::atomic<bool> cancel{false};
  std::vector<std::int64_t> seen;
  const Progress progress(
      [&](std::string_view, std::int64_t done, std::int64_t) {
        seen.push_back(done);
        cancel = true;
      },
      &cancel);
  const SolveResult r = MakeStrongSolver()->Solve(
      p, {.seed = 2, .max_iterations = 100'000, .progress = progress, .progress_every = 10});
  EXPECT_EQ(r.status, SolveStatus::kCancelled);
  // Stopped in the iteration after the first report (at 10), not at the budget.
  EXPECT_EQ(r.iterations, 10);
  ASSERT_EQ(seen.size(), 2u);  // the first report and the final one
  EXPECT_EQ(seen.back(), 10);
  EXPECT_TRUE(Validate(p, r.solution).ok());
}

TEST(StrongSolver, MoreIterationsNeverHurtForTheSameSeedPrefix) {
  // Not a law in general (annealing schedule depends on the budget), but the solver keeps the
  // best seen, so its result must at least match the regret construction + local search it
  // starts from (budget 0).
  const Problem p =
      GenerateProblem({.num_robots = 5, .num_tasks = 120, .max_options = 6, .seed = 4});
  const SolveResult start = MakeStrongSolver()->Solve(p, {.seed = 1, .max_iterations = 0});
  const SolveResult more =
      MakeStrongSolver()->Solve(p, {.seed = 1, .max_iterations = 200 / testing::kScale});
  EXPECT_FALSE(Better(start.cost, more.cost));
}

}  // namespace
}  // namespace weldcell::allocation

namespace weldcell::allocation {
namespace {

// The travel cache is an implementation detail: calling the oracle directly, or a dense matrix
// precomputed from it, must give the very same solution.
TEST(StrongSolver, SameSolutionWithCacheWithoutCacheAndFromADenseMatrix) {
  const Problem p = GenerateProblem(
      {.num_robots = 3, .num_tasks = 30, .max_options = 3, .num_precedences = 3, .seed = 12});
  const SolveResult cached = MakeStrongSolver()->Solve(p, {.seed = 5, .max_iterations = 150});
  const SolveResult direct =
      MakeStrongSolver()->Solve(p, {.seed = 5, .max_iterations = 150, .max_cached_entries = 0});
  EXPECT_EQ(cached.solution, direct.solution);
  Problem dense = p;
  dense.travel = std::make_shared<DenseTravelTime>(DenseTravelTime::FromOracle(p));
  const SolveResult from_dense =
      MakeStrongSolver()->Solve(dense, {.seed = 5, .max_iterations = 150});
  EXPECT_EQ(cached.solution, from_dense.solution);
  EXPECT_EQ(cached.cost, Evaluate(dense, from_dense.solution).cost);
}

}  // namespace
}  // namespace weldcell::allocation
