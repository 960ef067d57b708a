// Exact reference for tiny instances (tests and benchmarks use it to know the true optimum).

#include <algorithm>
#include <cmath>
#include <limits>

#include "allocation/internal/graph.hpp"
#include "allocation/internal/solver_common.hpp"
#include "allocation/solver.hpp"
#include "planner/common/check.hpp"

namespace weldcell::allocation {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int kMaxDpTasks = 14;
constexpr double kMaxAssignments = 5e6;
constexpr int kMaxBranchTasks = 8;
constexpr double kMaxBranchLeaves = 2e8;

// Held-Karp over the subsets of tasks a robot can do; options are separate nodes of one layer.
struct RobotTable {
  std::vector<double> route;  // [mask]: shortest closed route doing exactly `mask`, kInf if none
  std::vector<double> dp;   // [mask * n + node]: best path from home covering mask, ending at node
  std::vector<int> parent;  // previous node (0 = home)
  std::vector<int> node_global;  // local node -> Graph node (local 0 = home)
  std::vector<int> node_task;    // local node -> task (-1 = home)
  int n = 0;
};

RobotTable SolveRobot(const internal::Graph& g, int r, int nt) {
  RobotTable tab;
  std::vector<int>& node_task = tab.node_task;
  std::vector<int>& node_global = tab.node_global;
  node_task.push_back(-1);
  node_global.push_back(0);
  for (int t = 0; t < nt; ++t) {
    for (int o = 0; o < g.NumOptions(r, t); ++o) {
      node_task.push_back(t);
      node_global.push_back(g.First(r, t) + o);
    }
  }
  const int n = static_cast<int>(node_task.size());
  tab.n = n;
  const std::size_t masks = std::size_t{1} << nt;
  tab.dp.assign(masks * static_cast<std::size_t>(n), kInf);
  tab.parent.assign(masks * static_cast<std::size_t>(n), -1);
  tab.route.assign(masks, kInf);
  tab.route[0] = 0.0;
  auto at = [n](std::size_t mask, int node) {
    return mask * static_cast<std::size_t>(n) + static_cast<std::size_t>(node);
  };
  for (int v = 1; v < n; ++v) {
    const std::size_t m = std::size_t{1} << node_task[static_cast<std::size_t>(v)];
    const int gv = node_global[static_cast<std::size_t>(v)];
    tab.dp[at(m, v)] = g.T(r, 0, gv) + g.Dur(r, gv);
    tab.parent[at(m, v)] = 0;
  }
  for (std::size_t mask = 1; mask < masks; ++mask) {
    for (int u = 1; u < n; ++u) {
      const double base = tab.dp[at(mask, u)];
      if (base == kInf) continue;
      const int gu = node_global[static_cast<std::size_t>(u)];
      tab.route[mask] = std::min(tab.route[mask], base + g.T(r, gu, 0));
      for (int v = 1; v < n; ++v) {
        const int tv = node_task[static_cast<std::size_t>(v)];
        if (mask & (std::size_t{1} << tv)) continue;
        const int gv = node_global[static_cast<std::size_t>(v)];
        const std::size_t next = mask | (std::size_t{1} << tv);
        const double c = base + g.T(r, gu, gv) + g.Dur(r, gv);
        if (c < tab.dp[at(next, v)]) {
          tab.dp[at(next, v)] = c;
          tab.parent[at(next, v)] = u;
        }
      }
    }
  }
  return tab;
}

std::vector<Visit> Reconstruct(const internal::Graph& g, int r, const RobotTable& tab,
                               std::size_t mask) {
  const int n = tab.n;
  auto global = [&tab](int v) { return tab.node_global[static_cast<std::size_t>(v)]; };
  auto task = [&tab](int v) { return tab.node_task[static_cast<std::size_t>(v)]; };
  std::vector<Visit> route;
  if (mask == 0) return route;
  int best = -1;
  double best_cost = kInf;
  for (int u = 1; u < n; ++u) {
    const double c = tab.dp[mask * static_cast<std::size_t>(n) + static_cast<std::size_t>(u)];
    if (c == kInf) continue;
    const double total = c + g.T(r, global(u), 0);
    if (total < best_cost) {
      best_cost = total;
      best = u;
    }
  }
  int u = best;
  while (u > 0) {
    const int t = task(u);
    route.push_back(Visit{.task = TaskId{t}, .option = global(u) - g.First(r, t)});
    const int p = tab.parent[mask * static_cast<std::size_t>(n) + static_cast<std::size_t>(u)];
    mask &= ~(std::size_t{1} << t);
    u = p;
  }
  std::reverse(route.begin(), route.end());
  return route;
}

class ExactSolver final : public Solver {
 public:
  std::string_view name() const override { return "exact"; }

  SolveResult Solve(const Problem& problem, const SolveOptions& options) const override {
    internal::StopWatch watch;
    CheckProblem(problem);
    const internal::Graph g(problem, options.max_cached_entries);
    return g.has_precedences() || g.has_exclusions() ? BranchAndBound(problem, options, g, watch)
                                                     : HeldKarp(problem, options, g, watch);
  }

 private:
  static SolveResult HeldKarp(const Problem& problem, const SolveOptions& options,
                              const internal::Graph& g, const internal::StopWatch& watch) {
    const int nt = g.num_tasks();
    const int nr = g.num_robots();
    double assignments = 1.0;
    for (int t = 0; t < nt; ++t) assignments *= static_cast<double>(g.Eligible(t).size());
    if (nt > kMaxDpTasks || assignments > kMaxAssignments) {
      return internal::FinishResult(problem, options, Solution{}, SolveStatus::kTooLarge, 0, watch,
                                    "exact solver: " + std::to_string(nt) + " tasks, " +
                                        std::to_string(assignments) + " assignments exceed " +
                                        "the limits (14 tasks, 5e6 assignments)");
    }
    std::vector<RobotTable> tables;
    for (int r = 0; r < nr; ++r) tables.push_back(SolveRobot(g, r, nt));
    // Enumerate every assignment of tasks to eligible robots; each robot's route is optimal for
    // its subset, so (max, sum) of the route tables is the best cost of that assignment.
    std::vector<std::size_t> mask(static_cast<std::size_t>(nr), 0);
    std::vector<std::size_t> best_mask(static_cast<std::size_t>(nr), 0);
    Cost best{.makespan = kInf, .total = kInf};
    auto recurse = [&](auto&& self, int t) -> void {
      if (t == nt) {
        Cost c;
        for (int r = 0; r < nr; ++r) {
          const double len =
              tables[static_cast<std::size_t>(r)].route[mask[static_cast<std::size_t>(r)]];
          c.makespan = std::max(c.makespan, len);
          c.total += len;
        }
        if (Better(c, best)) {
          best = c;
          best_mask = mask;
        }
        return;
      }
      for (int r : g.Eligible(t)) {
        mask[static_cast<std::size_t>(r)] |= std::size_t{1} << t;
        self(self, t + 1);
        mask[static_cast<std::size_t>(r)] &= ~(std::size_t{1} << t);
      }
    };
    // No pruning on partial subsets: without the triangle inequality a larger subset can have a
    // shorter route. The full enumeration stays within kMaxAssignments.
    recurse(recurse, 0);
    Solution s;
    s.routes.resize(static_cast<std::size_t>(nr));
    for (int r = 0; r < nr; ++r) {
      s.routes[static_cast<std::size_t>(r)] = Reconstruct(g, r, tables[static_cast<std::size_t>(r)],
                                                          best_mask[static_cast<std::size_t>(r)]);
    }
    return internal::FinishResult(problem, options, std::move(s), SolveStatus::kOptimal, 0, watch);
  }

  static SolveResult BranchAndBound(const Problem& problem, const SolveOptions& options,
                                    const internal::Graph& g, const internal::StopWatch& watch);
};

SolveResult ExactSolver::BranchAndBound(const Problem& problem, const SolveOptions& options,
                                        const internal::Graph& g,
                                        const internal::StopWatch& watch) {
  const int nt = g.num_tasks();
  const int nr = g.num_robots();
  // Leaves of the unpruned tree: orders x splits into robots x options.
  double leaves = 1.0;
  int max_options = 1;
  for (int t = 0; t < nt; ++t) {
    leaves *= t + 1;
    for (int r : g.Eligible(t)) max_options = std::max(max_options, g.NumOptions(r, t));
  }
  for (int k = 1; k < nr; ++k) leaves *= static_cast<double>(nt + k) / k;
  leaves *= std::pow(static_cast<double>(max_options), nt);
  if (nt > kMaxBranchTasks || leaves > kMaxBranchLeaves) {
    return internal::FinishResult(
        problem, options, Solution{}, SolveStatus::kTooLarge, 0, watch,
        "exact solver with precedences or exclusions: " + std::to_string(nt) + " tasks, about " +
            std::to_string(leaves) + " leaves exceed the limits (8 tasks, 2e8 leaves)");
  }
  std::vector<double> min_dur(static_cast<std::size_t>(nt), kInf);
  double remaining_work = 0.0;
  for (int t = 0; t < nt; ++t) {
    for (int r : g.Eligible(t)) {
      for (int o = 0; o < g.NumOptions(r, t); ++o) {
        min_dur[static_cast<std::size_t>(t)] =
            std::min(min_dur[static_cast<std::size_t>(t)], g.Dur(r, g.First(r, t) + o));
      }
    }
    remaining_work += min_dur[static_cast<std::size_t>(t)];
  }
  std::vector<std::vector<int>> routes(static_cast<std::size_t>(nr));
  std::vector<int> option(static_cast<std::size_t>(nt), 0);
  std::vector<char> used(static_cast<std::size_t>(nt), 0);
  Cost best{.makespan = kInf, .total = kInf};
  std::vector<std::vector<int>> best_routes;
  std::vector<int> best_option;
  std::int64_t nodes = 0;

  // Lengths are busy times (travel + work, no waits), so they bound both the end time and the
  // robot's share of the total from below.
  auto hopeless = [&best](double lb_makespan, double lb_total) {
    const double tol = 1e-9 * std::max(1.0, best.makespan);
    return lb_makespan > best.makespan + tol ||
           (lb_makespan >= best.makespan - tol && lb_total > best.total + tol);
  };
  auto dfs = [&](auto&& self, int r, double len, int last, int placed, double closed_total,
                 double closed_max) -> void {
    ++nodes;
    const auto rs = static_cast<std::size_t>(r);
    if (placed == nt) {
      const Evaluation e = g.Simulate(routes, option);
      if (e.feasible && Better(e.cost, best)) {
        best = e.cost;
        best_routes = routes;
        best_option = option;
      }
      return;
    }
    for (int t = 0; t < nt; ++t) {
      const auto ts = static_cast<std::size_t>(t);
      if (used[ts] || !g.CanDo(r, t)) continue;
      for (int o = 0; o < g.NumOptions(r, t); ++o) {
        const int node = g.First(r, t) + o;
        const double next_len = len + g.T(r, last, node) + g.Dur(r, node);
        const double rest = remaining_work - min_dur[ts];
        if (hopeless(std::max(closed_max, next_len), closed_total + next_len + rest)) continue;
        used[ts] = 1;
        option[ts] = o;
        routes[rs].push_back(t);
        remaining_work -= min_dur[ts];
        self(self, r, next_len, node, placed + 1, closed_total, closed_max);
        remaining_work += min_dur[ts];
        routes[rs].pop_back();
        used[ts] = 0;
      }
    }
    if (r + 1 < nr) {
      const double closed = routes[rs].empty() ? 0.0 : len + g.T(r, last, 0);
      if (hopeless(std::max(closed_max, closed), closed_total + closed + remaining_work)) return;
      self(self, r + 1, 0.0, 0, placed, closed_total + closed, std::max(closed_max, closed));
    }
  };
  dfs(dfs, 0, 0.0, 0, 0, 0.0, 0.0);
  // Acyclic precedences always admit a feasible solution (all tasks on one robot is not always
  // allowed, but a topological order split by eligibility is), so the search finds one.
  WELDCELL_CHECK(!best_routes.empty() || nt == 0);
  if (nt == 0) best_routes.assign(static_cast<std::size_t>(nr), {});
  return internal::FinishResult(problem, options,
                                internal::Graph::ToSolution(best_routes, best_option),
                                SolveStatus::kOptimal, nodes, watch);
}

}  // namespace

std::unique_ptr<Solver> MakeExactSolver() { return std::make_unique<ExactSolver>(); }

}  // namespace weldcell::allocation
