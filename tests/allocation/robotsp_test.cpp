// Single-robot sequencing against the exact TSP optima of the public robotsp targets.

#include "tests/allocation/robotsp_test.hpp"

#include <gtest/gtest.h>

#include "allocation/solver.hpp"
#include "tests/allocation/test_support.hpp"

namespace weldcell::allocation {
namespace {

TEST(Robotsp, ToursWithinOnePercentOfTheExactOptima) {
  const testing::RobotspData data = testing::ReadRobotsp();
  if (data.targets.empty() || data.optima.empty()) {
    GTEST_SKIP() << "../shared/data/robotsp is absent";
  }
  const auto solver = MakeStrongSolver();
  for (const auto& [n, optimum] : data.optima) {
    ASSERT_LE(n, static_cast<int>(data.targets.size()));
    const Problem p = testing::RobotspProblem(data, n);
    const SolveResult r = solver->Solve(p, {.seed = 1, .max_iterations = 300 / testing::kScale});
    ASSERT_TRUE(Validate(p, r.solution).ok());
    // The file's optimum is exact: a shorter tour would mean our tour is not the one it
    // defines (the listed lengths are rounded to 1e-6 m).
    EXPECT_GE(r.cost.makespan, optimum - 2e-6) << n << " targets";
    EXPECT_LE(r.cost.makespan, 1.01 * optimum)
        << n << " targets: tour " << r.cost.makespan << " m, optimum " << optimum << " m";
    std::printf("robotsp %3d targets: tour %.6f m, optimum %.6f m, gap %+.3f %%\n", n,
                r.cost.makespan, optimum, 100.0 * (r.cost.makespan / optimum - 1.0));
  }
}

}  // namespace
}  // namespace weldcell::allocation
