#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
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

// With exclusions (random task pairs whose visits may not overlap in time) the strong solver's
// search sees the waits: it matches the optimum (branch and bound over Evaluate()) of small
// instances, and on each instance the exclusions make a difference to the optimum.
TEST(StrongSolver, EqualsTheExactOptimumWithExclusions) {
  const auto strong = MakeStrongSolver();
  const auto exact = MakeExactSolver();
  int differs = 0;
  for (std::uint64_t seed = 1; seed <= static_cast<std::uint64_t>(20 / testing::kScale); ++seed) {
    std::mt19937_64 rng(seed);
    const GenerateConfig config{.num_robots = 2 + static_cast<int>(rng() % 2),
                                .num_tasks = 4 + static_cast<int>(rng() % 2),
                                .max_options = 1 + static_cast<int>(rng() % 2),
                                .reach_fraction = 0.7,
                                .seed = seed};
    Problem p = GenerateProblem(config);
    const SolveResult blind = exact->Solve(p, {});
    std::vector<std::pair<int, int>> pairs;
    for (int a = 0; a < p.num_tasks(); ++a) {
      for (int b = a + 1; b < p.num_tasks(); ++b) {
        if (rng() % 2 == 0) pairs.emplace_back(a, b);
      }
    }
    p.exclusions = std::make_shared<testing::TaskExclusions>(pairs);
    const SolveResult best = exact->Solve(p, {});
    ASSERT_EQ(best.status, SolveStatus::kOptimal) << "seed " << seed;
    EXPECT_TRUE(testing::NearlyEqual(best.cost, testing::BruteForceOptimum(p), 1e-9));
    differs += !testing::NearlyEqual(best.cost, blind.cost, 1e-9);
    const SolveResult r = strong->Solve(p, {.seed = seed, .max_iterations = 1000});
    EXPECT_TRUE(testing::NearlyEqual(r.cost, best.cost, 1e-9))
        << "seed " << seed << ": strong " << ToString(r.cost) << ", optimum " << ToString(best.cost)
        << "\n"
        << ToString(r.solution) << "optimal:\n"
        << ToString(best.solution);
  }
  EXPECT_GT(differs, 0);
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

// A start (SolveOptions::start) is where the search begins: the result is never worse than
// the start, holds every task once, and is the same for the same start and seed.
TEST(StrongSolver, AStartIsNeverWorsenedAndTheResultHoldsEveryTask) {
  const Problem p =
      GenerateProblem({.num_robots = 4, .num_tasks = 60, .max_options = 3, .seed = 5});
  const SolveResult cold =
      MakeStrongSolver()->Solve(p, {.seed = 1, .max_iterations = 600 / testing::kScale});
  const SolveOptions from{
      .seed = 2, .max_iterations = 150 / testing::kScale, .start = &cold.solution};
  const SolveResult warm = MakeStrongSolver()->Solve(p, from);
  ASSERT_TRUE(Validate(p, warm.solution).ok())
      << ::testing::PrintToString(Validate(p, warm.solution).errors);
  EXPECT_FALSE(Better(cold.cost, warm.cost))
      << "start " << ToString(cold.cost) << ", result " << ToString(warm.cost);
  EXPECT_EQ(MakeStrongSolver()->Solve(p, from).solution, warm.solution);
}

// A start that is a local optimum of the search's moves comes back unchanged without
// iterations (its visits are kept in order). Invalid visits are dropped and their tasks
// inserted: a task left out, a task visited a second time, a visit with an option that does not
// exist, a visit by a robot that cannot do the task — each on a task of its own.
TEST(StrongSolver, AStartsValidVisitsAreKeptAndTheRestRepaired) {
  const Problem p = GenerateProblem(
      {.num_robots = 3, .num_tasks = 30, .max_options = 3, .reach_fraction = 0.6, .seed = 7});
  const SolveResult cold =
      MakeStrongSolver()->Solve(p, {.seed = 1, .max_iterations = 300 / testing::kScale});
  const SolveResult same =
      MakeStrongSolver()->Solve(p, {.seed = 3, .max_iterations = 0, .start = &cold.solution});
  EXPECT_TRUE(same.from_start);
  EXPECT_EQ(same.solution, cold.solution) << "start:\n"
                                          << ToString(cold.solution) << "result:\n"
                                          << ToString(same.solution);

  // Four different tasks of robot-0 or robot-1 routes, and a robot that cannot do the last.
  auto can = [&](int robot, TaskId t) { return p.FindCapability(t, RobotId{robot}) != nullptr; };
  std::vector<std::pair<int, Visit>> visits;  // (robot, visit) of the cold solution
  for (int r = 0; r < 3; ++r) {
    for (const Visit& v : cold.solution.routes[r]) visits.emplace_back(r, v);
  }
  int unable = -1, unable_robot = -1;  // a visited task and a robot that cannot do it
  for (std::size_t k = 3; k < visits.size() && unable < 0; ++k) {
    for (int r = 0; r < 3 && unable < 0; ++r) {
      if (!can(r, visits[k].second.task)) {
        unable = static_cast<int>(k);
        unable_robot = r;
      }
    }
  }
  ASSERT_GE(unable, 0) << "at reach 0.6 some task is out of some robot's reach";
  Solution broken;
  broken.routes.resize(3);
  for (std::size_t k = 0; k < visits.size(); ++k) {
    const auto& [r, v] = visits[k];
    if (k == 0) continue;  // left out
    if (k == 1) {          // visited twice: here and again on another robot's route, later
      broken.routes[r].push_back(v);
      broken.routes[(r + 1) % 3].push_back(v);
      continue;
    }
    if (k == 2) {  // an option that does not exist
      broken.routes[r].push_back({.task = v.task, .option = 99});
      continue;
    }
    if (static_cast<int>(k) == unable) {  // a robot that cannot do it
      broken.routes[unable_robot].push_back(v);
      continue;
    }
    broken.routes[r].push_back(v);
  }
  const SolveResult repaired =
      MakeStrongSolver()->Solve(p, {.seed = 3, .max_iterations = 0, .start = &broken});
  EXPECT_TRUE(repaired.from_start);
  EXPECT_TRUE(Validate(p, repaired.solution).ok())
      << ::testing::PrintToString(Validate(p, repaired.solution).errors);
}

// With precedences: a start without a task that others must follow keeps what it can (the
// followers are re-inserted after it), and a complete start comes back no worse, although the
// local search judges reorderings by busy time.
TEST(StrongSolver, AStartWithPrecedencesIsUsedAndNeverWorsened) {
  const Problem p = GenerateProblem(
      {.num_robots = 3, .num_tasks = 30, .max_options = 2, .num_precedences = 12, .seed = 3});
  // On this instance the local search alone (without the check) turns 21.78 s into 24.55 s.
  const SolveResult cold = MakeStrongSolver()->Solve(p, {.seed = 1, .max_iterations = 100});
  ASSERT_TRUE(Validate(p, cold.solution).ok());
  const SolveResult same =
      MakeStrongSolver()->Solve(p, {.seed = 2, .max_iterations = 0, .start = &cold.solution});
  EXPECT_TRUE(same.from_start);
  EXPECT_FALSE(Better(cold.cost, same.cost))
      << "start " << ToString(cold.cost) << ", result " << ToString(same.cost);

  int leader = -1;  // a task some other task must follow
  for (const Precedence& e : p.precedences) leader = leader < 0 ? e.before.value : leader;
  ASSERT_GE(leader, 0);
  Solution without = cold.solution;
  for (std::vector<Visit>& route : without.routes) {
    std::erase_if(route, [&](const Visit& v) { return v.task.value == leader; });
  }
  const SolveResult r = MakeStrongSolver()->Solve(
      p, {.seed = 2, .max_iterations = 50 / testing::kScale, .start = &without});
  EXPECT_TRUE(r.from_start);
  EXPECT_TRUE(Validate(p, r.solution).ok())
      << ::testing::PrintToString(Validate(p, r.solution).errors);
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

// Two robots sharing a home can each do four tasks, two in cluster A (x = -1 m) and two in
// cluster B (x = +1 m). In travel time (a joint coordinate 1.00, 1.01, 1.02, 1.03 for A0, B0,
// A1, B1) every 2/2 split has the same makespan and the lowest total pairs A0 with B0: blind to
// space, each robot works in both clusters. With the spatial term (robot 0 at A, robot 1 at B)
// each robot gets its own cluster, at the same makespan; the reported cost is the true one.
TEST(StrongSolver, SpatialTermGivesEachRobotOneClusterAtTheSameMakespan) {
  Problem p = testing::LineProblem(
      {0.0, 0.0}, {{{1.00}, {1.01}, {1.02}, {1.03}}, {{1.00}, {1.01}, {1.02}, {1.03}}},
      {1.0, 1.0, 1.0, 1.0});
  p.robots[0].site = Site{-1.0, 0.0, 0.0};
  p.robots[1].site = Site{1.0, 0.0, 0.0};
  for (int t = 0; t < 4; ++t) p.tasks[t].site = Site{t % 2 == 0 ? -1.0 : 1.0, 0.0, 0.0};
  auto cluster_of = [](const std::vector<Visit>& route) {
    std::vector<int> sides;
    for (const Visit& v : route) sides.push_back(v.task.value % 2);
    return sides;
  };
  const SolveResult blind = MakeStrongSolver()->Solve(p, {.seed = 3, .max_iterations = 2000});
  const SolveResult spatial =
      MakeStrongSolver()->Solve(p, {.seed = 3, .max_iterations = 2000, .spatial_weight = 1.0});
  ASSERT_EQ(blind.solution.routes.size(), 2u);
  for (const std::vector<Visit>& route : blind.solution.routes) {
    EXPECT_THAT(cluster_of(route), ::testing::UnorderedElementsAre(0, 1));  // interleaved
  }
  EXPECT_THAT(cluster_of(spatial.solution.routes[0]), ::testing::ElementsAre(0, 0));
  EXPECT_THAT(cluster_of(spatial.solution.routes[1]), ::testing::ElementsAre(1, 1));
  EXPECT_NEAR(blind.cost.makespan, 4.06, 1e-9);
  EXPECT_NEAR(spatial.cost.makespan, blind.cost.makespan, 1e-9);
  EXPECT_EQ(spatial.cost, Evaluate(p, spatial.solution).cost);  // no penalty in the cost
}

// One robot, four tasks at x = 2, 0, 3, 1 m (task order), priced in a joint coordinate that
// grows with the task index: the shortest tour visits them in index order or its reverse, back
// and forth in x. With the sweep term along +x the route goes once along x, at a small price in
// travel; the reported cost is the true one. Two robots declared identical in travel but
// sweeping opposite ways each follow their own direction.
TEST(StrongSolver, SweepTermMakesRoutesProgressOneWay) {
  Problem p = testing::LineProblem({0.0}, {{{0.00}, {0.01}, {0.02}, {0.03}}}, {1.0, 1.0, 1.0, 1.0});
  const double x[] = {2.0, 0.0, 3.0, 1.0};
  for (int t = 0; t < 4; ++t) p.tasks[t].site = Site{x[t], 0.0, 0.0};
  p.robots[0].site = Site{0.0, 0.0, 0.0};
  p.robots[0].sweep = Site{2.0, 0.0, 0.0};  // any length
  auto xs = [&](const std::vector<Visit>& route) {
    std::vector<double> out;
    for (const Visit& v : route) out.push_back(x[v.task.value % 4]);
    return out;
  };
  const SolveResult blind = MakeStrongSolver()->Solve(p, {.seed = 2, .max_iterations = 2000});
  const SolveResult swept =
      MakeStrongSolver()->Solve(p, {.seed = 2, .max_iterations = 2000, .sweep_weight = 1.0});
  const std::vector<double> blind_x = xs(blind.solution.routes[0]);
  EXPECT_FALSE(std::is_sorted(blind_x.begin(), blind_x.end()) ||
               std::is_sorted(blind_x.rbegin(), blind_x.rend()));
  EXPECT_THAT(xs(swept.solution.routes[0]), ::testing::ElementsAre(0.0, 1.0, 2.0, 3.0));
  EXPECT_EQ(swept.cost, Evaluate(p, swept.solution).cost);
  EXPECT_LE(swept.cost.makespan, blind.cost.makespan + 0.05);

  // Two robots declared identical in travel (one shared matrix without the term), robot 1
  // sweeping -x; the spatial term gives tasks 0..3 (y = -1) to robot 0, 4..7 (y = +1) to 1.
  const std::vector<std::vector<double>> all = {{0.00}, {0.01}, {0.02}, {0.03},
                                                {0.00}, {0.01}, {0.02}, {0.03}};
  Problem two = testing::LineProblem({0.0, 0.0}, {all, all}, std::vector<double>(8, 1.0));
  two.robots[1].same_travel_as = RobotId{0};
  for (int t = 0; t < 8; ++t) two.tasks[t].site = Site{x[t % 4], t < 4 ? -1.0 : 1.0, 0.0};
  two.robots[0].site = Site{1.5, -1.0, 0.0};
  two.robots[1].site = Site{1.5, 1.0, 0.0};
  two.robots[0].sweep = Site{1.0, 0.0, 0.0};
  two.robots[1].sweep = Site{-1.0, 0.0, 0.0};
  const SolveResult both = MakeStrongSolver()->Solve(
      two, {.seed = 2, .max_iterations = 2000, .spatial_weight = 5.0, .sweep_weight = 1.0});
  for (const Visit& v : both.solution.routes[0]) EXPECT_LT(v.task.value, 4);
  EXPECT_THAT(xs(both.solution.routes[0]), ::testing::ElementsAre(0.0, 1.0, 2.0, 3.0));
  EXPECT_THAT(xs(both.solution.routes[1]), ::testing::ElementsAre(3.0, 2.0, 1.0, 0.0));
}

// Weight 0 searches exactly as without sites (same solution for the same seed); a positive
// weight changes the search on a station where sites disagree with travel, yet reports the
// true cost of its routes.
TEST(StrongSolver, SpatialWeightZeroReproducesTheSolutionWithoutSites) {
  const Problem plain =
      GenerateProblem({.num_robots = 3, .num_tasks = 40, .max_options = 2, .seed = 21});
  Problem sited = plain;
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> coordinate(-2.0, 2.0);
  for (Robot& r : sited.robots) r.site = Site{coordinate(rng), coordinate(rng), 0.0};
  for (Task& t : sited.tasks) t.site = Site{coordinate(rng), coordinate(rng), 0.0};
  const SolveResult without = MakeStrongSolver()->Solve(plain, {.seed = 9, .max_iterations = 400});
  const SolveResult zero = MakeStrongSolver()->Solve(sited, {.seed = 9, .max_iterations = 400});
  EXPECT_EQ(zero.solution, without.solution);
  EXPECT_EQ(zero.cost, without.cost);
  const SolveResult weighted =
      MakeStrongSolver()->Solve(sited, {.seed = 9, .max_iterations = 400, .spatial_weight = 5.0});
  EXPECT_NE(weighted.solution, without.solution);
  EXPECT_EQ(weighted.cost, Evaluate(sited, weighted.solution).cost);
  // The term pulls tasks towards their nearest robot: less excess distance in total.
  auto excess = [&](const Solution& s) {
    double sum = 0.0;
    for (std::size_t r = 0; r < s.routes.size(); ++r) {
      for (const Visit& v : s.routes[r]) {
        sum += SpatialExcess(sited, v.task, RobotId{static_cast<int>(r)});
      }
    }
    return sum;
  };
  EXPECT_LT(excess(weighted.solution), excess(without.solution));
}

}  // namespace
}  // namespace weldcell::allocation
