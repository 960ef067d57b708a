#include <gtest/gtest.h>

#include <random>

#include "allocation/generate.hpp"
#include "allocation/solver.hpp"
#include "tests/allocation/test_support.hpp"

namespace weldcell::allocation {
namespace {

// Both exact methods (Held-Karp without precedences, branch and bound with them) against an
// independent enumeration of every assignment, order and option.
TEST(ExactSolver, MatchesBruteForceEnumeration) {
  for (std::uint64_t seed = 1; seed <= static_cast<std::uint64_t>(30 / testing::kScale); ++seed) {
    std::mt19937_64 rng(seed);
    const GenerateConfig config{.num_robots = 1 + static_cast<int>(rng() % 3),
                                .num_tasks = 1 + static_cast<int>(rng() % 4),
                                .max_options = 1 + static_cast<int>(rng() % 2),
                                .reach_fraction = 0.4 + 0.3 * static_cast<double>(rng() % 2),
                                .num_precedences = static_cast<int>(rng() % 3),
                                .seed = seed};
    const Problem p = GenerateProblem(config);
    const SolveResult r = MakeExactSolver()->Solve(p, {});
    ASSERT_EQ(r.status, SolveStatus::kOptimal) << "seed " << seed;
    const Cost brute = testing::BruteForceOptimum(p);
    EXPECT_TRUE(testing::NearlyEqual(r.cost, brute))
        << "seed " << seed << ": exact " << ToString(r.cost) << " brute force " << ToString(brute);
  }
}

TEST(ExactSolver, RefusesLargeInstances) {
  const Problem p = GenerateProblem({.num_robots = 3, .num_tasks = 20, .seed = 1});
  const SolveResult r = MakeExactSolver()->Solve(p, {});
  EXPECT_EQ(r.status, SolveStatus::kTooLarge);
  EXPECT_TRUE(r.solution.routes.empty());
  EXPECT_FALSE(r.message.empty());
}

}  // namespace
}  // namespace weldcell::allocation
