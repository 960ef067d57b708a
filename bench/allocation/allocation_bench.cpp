// Allocation benchmarks: quality (gap to the lower bound, to the exact optimum on tiny instances,
// to the robotsp TSP optima; improvement over the engineer's baseline) and time, on random
// station-like instances of 2-12 robots x 20-600 tasks with 1-16 options per task.
// Quality figures are counters (makespan_*, gap_*_pct, improvement_pct); one solve per run.

#include <benchmark/benchmark.h>

#include <fstream>
#include <random>
#include <string>

#include "allocation/generate.hpp"
#include "allocation/solver.hpp"
#include "allocation/travel_time.hpp"
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

// Public min-max multiple-TSP instances (one depot, m salesmen, objective = the longest tour;
// Euclidean, not rounded): coordinates and best-known values in bench/allocation/mtsp (see its
// README for the sources). Args: instance index, salesmen, budget multiplier. Per instance:
// best, mean and worst gap to the best-known value over 5 seeds at the pipeline's default
// iteration budget (planner/pipeline/stages.cpp: clamp(2e6 / tasks, 2000, 20000)) times the
// multiplier, and the mean time per solve.
struct MtspInstance {
  const char* name;
  std::vector<std::pair<int, double>> best_known;  // salesmen -> value
};
const std::vector<MtspInstance>& MtspInstances() {
  static const std::vector<MtspInstance> instances{
      {"mtsp51", {{3, 159.57}, {5, 118.13}, {10, 112.07}}},
      {"mtsp100", {{3, 8509.16}, {5, 6765.73}, {10, 6358.49}, {20, 6358.49}}},
      {"mtsp150", {{3, 13131.64}, {5, 8466.0}, {10, 5557.0}, {20, 5246.49}}},
      {"kroa200", {{3, 10740.82}, {5, 7415.54}, {10, 6223.22}, {20, 6223.22}}},
      {"lin318", {{3, 15963.82}, {5, 11458.2}, {10, 9731.17}, {20, 9731.17}}},
      {"rat783", {{3, 3198.28}, {5, 2066.38}, {10, 1358.06}, {20, 1231.69}}},
  };
  return instances;
}

// The depot is the first point; m identical robots (declared so: one shared travel matrix).
Problem MtspProblem(const std::string& name, int salesmen) {
  std::ifstream in("bench/allocation/mtsp/" + name + ".txt");
  std::vector<Eigen::VectorXd> points;
  double x = 0.0;
  double y = 0.0;
  while (in >> x >> y) points.push_back(Eigen::Vector2d(x, y));
  Problem p;
  if (points.empty()) return p;
  EuclideanRobot robot;
  robot.home = points[0];
  for (std::size_t i = 1; i < points.size(); ++i) robot.points.push_back({points[i]});
  for (std::size_t i = 1; i < points.size(); ++i) {
    Task task{.name = "c" + std::to_string(i), .capabilities = {}};
    for (int r = 0; r < salesmen; ++r) {
      task.capabilities.push_back(
          Capability{.robot = RobotId{r}, .options = {Option{.duration = 0.0}}});
    }
    p.tasks.push_back(std::move(task));
  }
  for (int r = 0; r < salesmen; ++r) {
    p.robots.push_back(
        Robot{.name = "s" + std::to_string(r), .same_travel_as = RobotId{r == 0 ? -1 : 0}});
  }
  p.travel = std::make_shared<EuclideanTravelTime>(
      std::vector<EuclideanRobot>(static_cast<std::size_t>(salesmen), robot));
  return p;
}

void BM_MinMaxMtsp(benchmark::State& state) {
  const MtspInstance& instance = MtspInstances()[static_cast<std::size_t>(state.range(0))];
  const int m = static_cast<int>(state.range(1));
  double best_known = 0.0;
  for (const auto& [salesmen, value] : instance.best_known) {
    if (salesmen == m) best_known = value;
  }
  const Problem p = MtspProblem(instance.name, m);
  if (p.tasks.empty() || best_known <= 0.0) {
    state.SkipWithError("instance file or best-known value missing (run from the project root)");
    return;
  }
  const std::int64_t budget =
      state.range(2) * std::clamp<std::int64_t>(2'000'000 / p.num_tasks(), 2'000, 20'000);
  constexpr int kSeeds = 5;
  double best = 0.0;
  double mean = 0.0;
  double worst = 0.0;
  double seconds = 0.0;
  for (auto _ : state) {
    best = std::numeric_limits<double>::infinity();
    mean = 0.0;
    worst = -std::numeric_limits<double>::infinity();
    seconds = 0.0;
    for (int seed = 1; seed <= kSeeds; ++seed) {
      const SolveResult r = MakeStrongSolver()->Solve(
          p, {.seed = static_cast<std::uint64_t>(seed), .max_iterations = budget});
      const double gap = 100.0 * (r.cost.makespan / best_known - 1.0);
      best = std::min(best, gap);
      worst = std::max(worst, gap);
      mean += gap / kSeeds;
      seconds += r.seconds / kSeeds;
    }
  }
  state.SetLabel(std::string(instance.name) + "-m" + std::to_string(m));
  state.counters["best_known"] = best_known;
  state.counters["iterations"] = static_cast<double>(budget);
  state.counters["gap_best_pct"] = best;
  state.counters["gap_mean_pct"] = mean;
  state.counters["gap_worst_pct"] = worst;
  state.counters["seconds_per_solve"] = seconds;
}
void MtspArgs(benchmark::internal::Benchmark* b) {
  for (std::int64_t multiplier : {1, 10}) {
    for (std::size_t i = 0; i < MtspInstances().size(); ++i) {
      for (const auto& [m, value] : MtspInstances()[i].best_known) {
        b->Args({static_cast<std::int64_t>(i), m, multiplier});
      }
    }
  }
}
BENCHMARK(BM_MinMaxMtsp)->Apply(MtspArgs)->Unit(benchmark::kSecond)->Iterations(1);

// Construction speed on large shared-home instances (args: tasks, robots; no iterations) and
// 2000-task precedence chains (third arg: chain length).
void BM_LargeConstruction(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const int m = static_cast<int>(state.range(1));
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  EuclideanRobot robot;
  robot.home = Eigen::Vector2d(0.5, 0.5);
  Problem p;
  for (int t = 0; t < n; ++t) {
    robot.points.push_back({Eigen::Vector2d(unit(rng), unit(rng))});
    Task task{.name = "t" + std::to_string(t), .capabilities = {}};
    for (int r = 0; r < m; ++r) {
      task.capabilities.push_back(
          Capability{.robot = RobotId{r}, .options = {Option{.duration = 0.1}}});
    }
    p.tasks.push_back(std::move(task));
  }
  for (int r = 0; r < m; ++r) {
    p.robots.push_back(
        Robot{.name = "r" + std::to_string(r), .same_travel_as = RobotId{r == 0 ? -1 : 0}});
  }
  const int chain = static_cast<int>(state.range(2));
  for (int t = 0; chain > 1 && t + 1 < n; ++t) {
    if ((t + 1) % chain != 0)
      p.precedences.push_back({.before = TaskId{t}, .after = TaskId{t + 1}});
  }
  p.travel = std::make_shared<EuclideanTravelTime>(
      std::vector<EuclideanRobot>(static_cast<std::size_t>(m), robot));
  SolveResult r;
  for (auto _ : state) {
    r = MakeStrongSolver()->Solve(p, {.seed = 1, .max_iterations = state.range(3)});
  }
  state.counters["makespan"] = r.cost.makespan;
  state.counters["baseline"] = MakeBaselineSolver()->Solve(p, {}).cost.makespan;
  state.counters["lower_bound"] = r.lower_bound.value;
  state.counters["seconds"] = r.seconds;
}
BENCHMARK(BM_LargeConstruction)
    ->Args({3000, 3, 0, 0})
    ->Args({3000, 20, 0, 0})
    ->Args({2000, 4, 10, 0})
    ->Args({2000, 4, 10, 100})
    ->Args({300, 4, 10, 0})
    ->Args({300, 4, 10, 2000})
    ->Unit(benchmark::kSecond)
    ->Iterations(1);

}  // namespace
}  // namespace weldcell::allocation

BENCHMARK_MAIN();
