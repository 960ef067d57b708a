// The engineer's everyday method, kept as the yardstick: every task goes to the robot that is
// nearest to it from home; each robot then always moves to its nearest remaining task.

#include <algorithm>
#include <cmath>
#include <limits>

#include "allocation/internal/graph.hpp"
#include "allocation/internal/solver_common.hpp"
#include "allocation/solver.hpp"

namespace weldcell::allocation {
namespace {

class BaselineSolver final : public Solver {
 public:
  std::string_view name() const override { return "baseline"; }

  SolveResult Solve(const Problem& problem, const SolveOptions& options) const override {
    internal::StopWatch watch;
    CheckProblem(problem);
    const internal::Graph g(problem, options.max_cached_entries);
    const int nt = g.num_tasks();
    const int nr = g.num_robots();
    constexpr double kInf = std::numeric_limits<double>::infinity();

    // Nearest robot: smallest home -> option travel. Ties (robots sharing a home, or equally
    // near) go to the robot with the least work so far (out, weld, back), as an engineer
    // would share them; then the lower robot id.
    std::vector<std::vector<int>> assigned(static_cast<std::size_t>(nr));
    std::vector<double> load(static_cast<std::size_t>(nr), 0.0);
    for (int t = 0; t < nt; ++t) {
      int best_robot = -1;
      double best = kInf;
      double best_work = 0.0;
      for (int r : g.Eligible(t)) {
        for (int o = 0; o < g.NumOptions(r, t); ++o) {
          const int node = g.First(r, t) + o;
          const double d = g.T(r, 0, node);
          const double tol = 1e-9 * std::max(1.0, std::abs(best));
          const bool tie = best_robot >= 0 && std::abs(d - best) <= tol;
          if ((!tie && d < best) || (tie && load[static_cast<std::size_t>(r)] <
                                                load[static_cast<std::size_t>(best_robot)] - tol)) {
            best = d;
            best_robot = r;
            best_work = d + g.Dur(r, node) + g.T(r, node, 0);
          }
        }
      }
      assigned[static_cast<std::size_t>(best_robot)].push_back(t);
      load[static_cast<std::size_t>(best_robot)] += best_work;
    }

    // Nearest neighbour, all robots advancing together so that a task is only taken once its
    // predecessors are placed (keeps cross-robot precedences free of deadlock).
    std::vector<std::vector<int>> routes(static_cast<std::size_t>(nr));
    std::vector<int> option(static_cast<std::size_t>(nt), 0);
    std::vector<int> at(static_cast<std::size_t>(nr), 0);
    std::vector<char> placed(static_cast<std::size_t>(nt), 0);
    std::vector<int> missing(static_cast<std::size_t>(nt), 0);
    if (g.has_precedences()) {
      for (int t = 0; t < nt; ++t) {
        missing[static_cast<std::size_t>(t)] =
            static_cast<int>(g.preds()[static_cast<std::size_t>(t)].size());
      }
    }
    int remaining = nt;
    while (remaining > 0) {
      bool moved = false;
      for (int r = 0; r < nr; ++r) {
        int best_task = -1;
        int best_option = 0;
        double best = kInf;
        for (int t : assigned[static_cast<std::size_t>(r)]) {
          if (placed[static_cast<std::size_t>(t)] || missing[static_cast<std::size_t>(t)] > 0) {
            continue;
          }
          for (int o = 0; o < g.NumOptions(r, t); ++o) {
            const double d = g.T(r, at[static_cast<std::size_t>(r)], g.First(r, t) + o);
            if (d < best) {
              best = d;
              best_task = t;
              best_option = o;
            }
          }
        }
        if (best_task < 0) continue;
        routes[static_cast<std::size_t>(r)].push_back(best_task);
        option[static_cast<std::size_t>(best_task)] = best_option;
        placed[static_cast<std::size_t>(best_task)] = 1;
        at[static_cast<std::size_t>(r)] = g.First(r, best_task) + best_option;
        if (g.has_precedences()) {
          for (int s : g.succs()[static_cast<std::size_t>(best_task)]) {
            --missing[static_cast<std::size_t>(s)];
          }
        }
        --remaining;
        moved = true;
      }
      if (!moved) break;  // Impossible for an acyclic precedence graph (CheckProblem).
    }
    return internal::FinishResult(problem, options, internal::Graph::ToSolution(routes, option),
                                  SolveStatus::kFeasible, 0, watch);
  }
};

}  // namespace

std::unique_ptr<Solver> MakeBaselineSolver() { return std::make_unique<BaselineSolver>(); }

}  // namespace weldcell::allocation
