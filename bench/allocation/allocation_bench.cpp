// Allocation benchmarks: quality (gap to the lower bound, to the exact optimum on tiny instances,
// to the robotsp TSP optima; improvement over the engineer's baseline) and time, on random
// station-like instances of 2-12 robots x 20-600 tasks with 1-16 options per task.
// Quality figures are counters (makespan_*, gap_*_pct, improvement_pct); one solve per run.

#include <benchmark/benchmark.h>

#include <random>

#include "allocation/generate.hpp"
#include "allocation/solver.hpp"
#include "tests/allocation/robotsp_test.hpp"

namespace weldcell::allocation {
namespace {

// The report wants the strong form of the bound (arrival travel) even on 12 x 600 x 16.
constexpr std::int64_t kLowerBoundPairCalls = 400'000'000;

Problem Station(benchmark::State& state) {
  return GenerateProblem({.num_robots = static_cast<int>(state.range(0)),
                          .num_tasks = static_cast<int>(state.range(1)),
                          .max_options = static_cast<int>(state.range(2)),
                          .seed = 1});
}

void ReportQuality(benchmark::State& state, const SolveResult& r, const SolveResult& baseline) {
  state.counters["makespan_s"] = r.cost.makespan;
  state.counters["baseline_s"] = baseline.cost.makespan;
  state.counters["lower_bound_s"] = r.lower_bound.value;
  state.counters["gap_lb_pct"] = 100.0 * (r.cost.makespan / r.lower_bound.value - 1.0);
  state.counters["improvement_pct"] = 100.0 * (1.0 - r.cost.makespan / baseline.cost.makespan);
  state.counters["iterations"] = static_cast<double>(r.iterations);
}

// Strong solver with an iteration budget (args: robots, tasks, max options, iterations).
void BM_Strong(benchmark::State& state) {
  const Problem p = Station(state);
  const SolveResult baseline = MakeBaselineSolver()->Solve(p, {});
  const auto solver = MakeStrongSolver();
  SolveResult r;
  for (auto _ : state) {
    r = solver->Solve(p, {.seed = 1,
                          .max_iterations = state.range(3),
                          .lower_bound_pair_calls = kLowerBoundPairCalls});
    benchmark::DoNotOptimize(r.cost);
  }
  ReportQuality(state, r, baseline);
}
BENCHMARK(BM_Strong)
    ->Args({2, 20, 1, 2000})
    ->Args({2, 20, 16, 2000})
    ->Args({4, 80, 4, 2000})
    ->Args({4, 80, 4, 20000})
    ->Args({4, 150, 8, 2000})
    ->Args({6, 100, 16, 2000})
    ->Args({6, 150, 8, 2000})
    ->Args({6, 150, 8, 20000})
    ->Args({8, 300, 8, 2000})
    ->Args({12, 600, 1, 1000})
    ->Args({12, 600, 16, 1000})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

void BM_Baseline(benchmark::State& state) {
  const Problem p = Station(state);
  const auto solver = MakeBaselineSolver();
  SolveResult r;
  for (auto _ : state) {
    r = solver->Solve(p, {.lower_bound_pair_calls = kLowerBoundPairCalls});
    benchmark::DoNotOptimize(r.cost);
  }
  ReportQuality(state, r, r);
}
BENCHMARK(BM_Baseline)
    ->Args({2, 20, 1})
    ->Args({4, 80, 4})
    ->Args({6, 150, 8})
    ->Args({12, 600, 16})
    ->Unit(benchmark::kMillisecond);

// Gap to the exact optimum on tiny instances (args: robots, tasks, max options), averaged over
// 20 seeded instances; also the exact solver's time per instance.
void BM_TinyGapToExact(benchmark::State& state) {
  const auto strong = MakeStrongSolver();
  const auto exact = MakeExactSolver();
  double gap_sum = 0.0;
  double gap_max = 0.0;
  double base_gap_sum = 0.0;
  int matched = 0;
  constexpr int kInstances = 20;
  for (auto _ : state) {
    gap_sum = 0.0;
    gap_max = 0.0;
    base_gap_sum = 0.0;
    matched = 0;
    for (int seed = 1; seed <= kInstances; ++seed) {
      const Problem p = GenerateProblem({.num_robots = static_cast<int>(state.range(0)),
                                         .num_tasks = static_cast<int>(state.range(1)),
                                         .max_options = static_cast<int>(state.range(2)),
                                         .seed = static_cast<std::uint64_t>(seed)});
      const SolveResult best = exact->Solve(p, {});
      const SolveResult r = strong->Solve(p, {.seed = 1, .max_iterations = 400});
      const SolveResult b = MakeBaselineSolver()->Solve(p, {});
      const double gap = 100.0 * (r.cost.makespan / best.cost.makespan - 1.0);
      gap_sum += gap;
      gap_max = std::max(gap_max, gap);
      base_gap_sum += 100.0 * (b.cost.makespan / best.cost.makespan - 1.0);
      matched += !Better(best.cost, r.cost) ? 1 : 0;
    }
  }
  state.counters["gap_exact_mean_pct"] = gap_sum / kInstances;
  state.counters["gap_exact_max_pct"] = gap_max;
  state.counters["baseline_gap_exact_mean_pct"] = base_gap_sum / kInstances;
  state.counters["optimal_share"] = static_cast<double>(matched) / kInstances;
}
BENCHMARK(BM_TinyGapToExact)
    ->Args({2, 8, 4})
    ->Args({3, 8, 4})
    ->Args({3, 10, 2})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

void BM_Exact(benchmark::State& state) {
  const Problem p = Station(state);
  const auto exact = MakeExactSolver();
  SolveResult r;
  for (auto _ : state) {
    r = exact->Solve(p, {});
    benchmark::DoNotOptimize(r.cost);
  }
  state.counters["makespan_s"] = r.cost.makespan;
}
BENCHMARK(BM_Exact)->Args({3, 8, 4})->Args({3, 12, 2})->Unit(benchmark::kMillisecond);

// The robotsp single-robot tours (arg: first n targets; iterations 300) against the exact optima.
void BM_Robotsp(benchmark::State& state) {
  const testing::RobotspData data = testing::ReadRobotsp();
  if (data.targets.empty()) {
    state.SkipWithError("../shared/data/robotsp is absent (run from the project root)");
    return;
  }
  const int n = static_cast<int>(state.range(0));
  double optimum = 0.0;
  for (const auto& [first_n, length] : data.optima) {
    if (first_n == n) optimum = length;
  }
  const Problem p = testing::RobotspProblem(data, n);
  const auto solver = MakeStrongSolver();
  SolveResult r;
  for (auto _ : state) {
    r = solver->Solve(p, {.seed = 1, .max_iterations = 300});
    benchmark::DoNotOptimize(r.cost);
  }
  const SolveResult nn = MakeBaselineSolver()->Solve(p, {});
  state.counters["tour_m"] = r.cost.makespan;
  state.counters["optimum_m"] = optimum;
  state.counters["gap_opt_pct"] = 100.0 * (r.cost.makespan / optimum - 1.0);
  state.counters["nearest_neighbour_gap_pct"] = 100.0 * (nn.cost.makespan / optimum - 1.0);
}
BENCHMARK(BM_Robotsp)
    ->Arg(25)
    ->Arg(50)
    ->Arg(100)
    ->Arg(150)
    ->Arg(200)
    ->Arg(245)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace weldcell::allocation

BENCHMARK_MAIN();
