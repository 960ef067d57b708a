// One contract suite run against every solver (baseline, strong, exact).

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <ostream>
#include <random>
#include <thread>

#include "allocation/generate.hpp"
#include "allocation/solver.hpp"
#include "tests/allocation/test_support.hpp"

namespace weldcell::allocation {
namespace {

struct SolverCase {
  std::string name;
  std::function<std::unique_ptr<Solver>()> make;
  int max_tasks;  // instance sizes the solver is meant for
};

// gtest prints the parameter in test names and failures: the solver's name, not its bytes.
void PrintTo(const SolverCase& c, std::ostream* os) { *os << c.name; }

class SolverContract : public ::testing::TestWithParam<SolverCase> {
 protected:
  // Random instances: some tasks out of reach of some robots, some precedences, 1..4 options.
  static GenerateConfig RandomConfig(std::uint64_t seed, int max_tasks) {
    std::mt19937_64 rng(seed);
    const int n = 1 + static_cast<int>(rng() % static_cast<std::uint64_t>(max_tasks));
    return GenerateConfig{
        .num_robots = 1 + static_cast<int>(rng() % 4),
        .num_tasks = n,
        .max_options = 1 + static_cast<int>(rng() % (max_tasks > 8 ? 4 : 2)),
        .reach_fraction = 0.35 + 0.3 * static_cast<double>(rng() % 100) / 100.0,
        .num_precedences = static_cast<int>(rng() % static_cast<std::uint64_t>(n / 2 + 1)),
        .seed = seed};
  }
  static SolveOptions Options(std::uint64_t seed) {
    return SolveOptions{.seed = seed, .max_iterations = 300 / testing::kScale};
  }
};

TEST_P(SolverContract, SolutionsAreFeasibleAndTheValidatorAgreesWithTheCost) {
  const auto solver = GetParam().make();
  for (std::uint64_t seed = 1; seed <= static_cast<std::uint64_t>(24 / testing::kScale); ++seed) {
    const Problem p = GenerateProblem(RandomConfig(seed, GetParam().max_tasks));
    const SolveResult r = solver->Solve(p, Options(seed));
    ASSERT_NE(r.status, SolveStatus::kTooLarge) << "seed " << seed << ": " << r.message;
    const Validation v = Validate(p, r.solution);
    ASSERT_TRUE(v.ok()) << "seed " << seed << ": " << ::testing::PrintToString(v.errors)
                        << ToString(r.solution);
    EXPECT_EQ(v.evaluation.cost, r.cost) << "seed " << seed;
    EXPECT_LE(r.lower_bound.value, r.cost.makespan * (1 + 1e-9)) << "seed " << seed;
    EXPECT_EQ(r.lower_bound, ComputeLowerBound(p)) << "seed " << seed;
  }
}

TEST_P(SolverContract, SameSeedAndBudgetGiveTheSameSolution) {
  const auto solver = GetParam().make();
  const Problem p = GenerateProblem(RandomConfig(77, GetParam().max_tasks));
  const SolveResult a = solver->Solve(p, Options(3));
  const SolveResult b = solver->Solve(p, Options(3));
  EXPECT_EQ(a.solution, b.solution);
  EXPECT_EQ(a.cost, b.cost);
}

TEST_P(SolverContract, RunsFromTwoThreadsAtOnce) {
  const auto solver = GetParam().make();
  const Problem p = GenerateProblem(RandomConfig(78, GetParam().max_tasks));
  SolveResult a;
  std::thread other([&] { a = solver->Solve(p, Options(4)); });
  const SolveResult b = solver->Solve(p, Options(4));
  other.join();
  EXPECT_EQ(a.solution, b.solution);
}

TEST_P(SolverContract, EmptyProblemGivesEmptyRoutes) {
  Problem p = GenerateProblem({.num_robots = 2, .num_tasks = 0, .seed = 1});
  const SolveResult r = GetParam().make()->Solve(p, {});
  EXPECT_EQ(r.solution.routes.size(), 2u);
  EXPECT_TRUE(r.solution.routes[0].empty() && r.solution.routes[1].empty());
  EXPECT_EQ(r.cost, Cost{});
}

TEST_P(SolverContract, MalformedProblemThrows) {
  Problem p = GenerateProblem({.num_robots = 2, .num_tasks = 3, .seed = 1});
  p.tasks[1].capabilities.clear();
  EXPECT_THROW(GetParam().make()->Solve(p, {}), ProblemError);
}

TEST_P(SolverContract, CancelledBeforeStartStillReturnsAValidSolution) {
  const Problem p = GenerateProblem(RandomConfig(5, GetParam().max_tasks));
  const std::atomic<bool> cancel{true};
  SolveOptions options = Options(1);
  options.progress = Progress({}, &cancel);
  const SolveResult r = GetParam().make()->Solve(p, options);
  EXPECT_TRUE(Validate(p, r.solution).ok());
}

INSTANTIATE_TEST_SUITE_P(AllSolvers, SolverContract,
                         ::testing::Values(SolverCase{"baseline", MakeBaselineSolver, 60},
                                           SolverCase{"strong", MakeStrongSolver, 60},
                                           SolverCase{"exact", MakeExactSolver, 6}),
                         [](const ::testing::TestParamInfo<SolverCase>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace weldcell::allocation
