#include "allocation/internal/graph.hpp"

#include <algorithm>
#include <cmath>

#include "allocation/internal/schedule.hpp"

namespace weldcell::allocation::internal {

Graph::Graph(const Problem& problem, std::int64_t max_cached_entries, double spatial_weight,
             double sweep_weight)
    : oracle_(problem.travel.get()), num_tasks_(problem.num_tasks()) {
  const int nr = problem.num_robots();
  robots_.resize(static_cast<std::size_t>(nr));
  eligible_.resize(static_cast<std::size_t>(num_tasks_));
  std::int64_t budget = max_cached_entries;
  for (int r = 0; r < nr; ++r) {
    RobotNodes& g = robots_[static_cast<std::size_t>(r)];
    g.travel_as = r;
    g.layout = NodeLayout(problem.tasks, RobotId{r});
    g.n = g.layout.num_nodes();
    g.stops.resize(static_cast<std::size_t>(g.n));
    g.duration.assign(static_cast<std::size_t>(g.n), 0.0);
    for (int a = 0; a < g.n; ++a) g.stops[static_cast<std::size_t>(a)] = g.layout.StopOf(a);
    for (int t = 0; t < num_tasks_; ++t) {
      const Capability* c = problem.FindCapability(TaskId{t}, RobotId{r});
      if (c == nullptr) continue;
      eligible_[static_cast<std::size_t>(t)].push_back(r);
      const int first = g.layout.FirstNode(TaskId{t});
      const double penalty = spatial_weight > 0.0
                                 ? spatial_weight * SpatialExcess(problem, TaskId{t}, RobotId{r})
                                 : 0.0;
      for (std::size_t o = 0; o < c->options.size(); ++o) {
        g.duration[static_cast<std::size_t>(first) + o] = c->options[o].duration + penalty;
      }
    }
    const std::optional<Site>& sweep = problem.robots[static_cast<std::size_t>(r)].sweep;
    const double sweep_norm = sweep ? std::hypot((*sweep)[0], (*sweep)[1], (*sweep)[2]) : 0.0;
    if (sweep_weight > 0.0 && sweep_norm > 0.0) {
      g.sweep_weight = sweep_weight;
      g.along.assign(static_cast<std::size_t>(g.n), 0.0);
      for (int a = 1; a < g.n; ++a) {
        const std::optional<Site>& p =
            problem.tasks[static_cast<std::size_t>(g.stops[static_cast<std::size_t>(a)].task.value)]
                .site;
        if (!p) continue;
        g.along[static_cast<std::size_t>(a)] =
            ((*p)[0] * (*sweep)[0] + (*p)[1] * (*sweep)[1] + (*p)[2] * (*sweep)[2]) / sweep_norm;
      }
    }
    const int same = problem.robots[static_cast<std::size_t>(r)].same_travel_as.value;
    // A robot with its own sweep term keeps its own matrix (the penalty is folded into it).
    const bool own_sweep =
        !g.along.empty() || (same >= 0 && !robots_[static_cast<std::size_t>(same)].along.empty());
    if (same >= 0 && own_sweep) g.travel_as = same;
    if (same >= 0 && !own_sweep) {
      // Identical travel (checked by CheckProblem): share the other robot's matrix and ask the
      // oracle as that robot.
      g.travel_as = same;
      g.shared = robots_[static_cast<std::size_t>(same)].shared;
      g.matrix = g.shared ? g.shared->data() : nullptr;
      continue;
    }
    const std::int64_t entries = static_cast<std::int64_t>(g.n) * g.n;
    if (entries <= budget) {
      budget -= entries;
      auto matrix = std::make_shared<std::vector<double>>(static_cast<std::size_t>(entries));
      for (int a = 0; a < g.n; ++a) {
        for (int b = 0; b < g.n; ++b) {
          (*matrix)[static_cast<std::size_t>(a) * static_cast<std::size_t>(g.n) +
                    static_cast<std::size_t>(b)] =
              a == b ? 0.0
                     : oracle_->Seconds(RobotId{g.travel_as}, g.stops[static_cast<std::size_t>(a)],
                                        g.stops[static_cast<std::size_t>(b)]) +
                           SweepPenalty(g, a, b);
        }
      }
      g.shared = std::move(matrix);
      g.matrix = g.shared->data();
    }
  }
  if (problem.exclusions) BuildExclusions(*problem.exclusions);
  preds_ = Predecessors(problem);
  if (!preds_.empty()) {
    succs_.resize(static_cast<std::size_t>(num_tasks_));
    for (int t = 0; t < num_tasks_; ++t) {
      for (int p : preds_[static_cast<std::size_t>(t)]) {
        succs_[static_cast<std::size_t>(p)].push_back(t);
      }
    }
  }
}

void Graph::BuildExclusions(const Exclusions& exclusions) {
  const std::size_t nr = robots_.size();
  exclusive_.assign(nr * nr, {});
  for (std::size_t r = 0; r < nr; ++r) {
    for (std::size_t s = r + 1; s < nr; ++s) {
      const RobotNodes& gr = robots_[r];
      const RobotNodes& gs = robots_[s];
      std::vector<std::uint64_t>& bits = exclusive_[r * nr + s];
      const std::size_t n = static_cast<std::size_t>(gr.n) * static_cast<std::size_t>(gs.n);
      bits.assign((n + 63) / 64, 0);
      for (int a = 1; a < gr.n; ++a) {
        for (int b = 1; b < gs.n; ++b) {
          if (!exclusions.Exclusive(
                  RobotId{static_cast<int>(r)}, gr.stops[static_cast<std::size_t>(a)],
                  RobotId{static_cast<int>(s)}, gs.stops[static_cast<std::size_t>(b)])) {
            continue;
          }
          const std::size_t bit = static_cast<std::size_t>(a) * static_cast<std::size_t>(gs.n) +
                                  static_cast<std::size_t>(b);
          bits[bit / 64] |= std::uint64_t{1} << (bit % 64);
        }
      }
    }
  }
}

Solution Graph::ToSolution(const std::vector<std::vector<int>>& routes,
                           const std::vector<int>& option) {
  Solution s;
  s.routes.resize(routes.size());
  for (std::size_t r = 0; r < routes.size(); ++r) {
    for (int t : routes[r]) {
      s.routes[r].push_back(
          Visit{.task = TaskId{t}, .option = option[static_cast<std::size_t>(t)]});
    }
  }
  return s;
}

double Graph::FromOracle(const RobotNodes& g, int a, int b) const {
  return oracle_->Seconds(RobotId{g.travel_as}, g.stops[static_cast<std::size_t>(a)],
                          g.stops[static_cast<std::size_t>(b)]) +
         SweepPenalty(g, a, b);
}

Evaluation Graph::Simulate(const std::vector<std::vector<int>>& routes,
                           const std::vector<int>& option) const {
  const Solution s = ToSolution(routes, option);
  auto travel = [this](RobotId r, const Stop& a, const Stop& b) {
    const RobotNodes& g = robots_[static_cast<std::size_t>(r.value)];
    return T(r.value, g.layout.Node(a), g.layout.Node(b));
  };
  auto duration = [this](RobotId r, const Visit& v) {
    return Dur(r.value, First(r.value, v.task.value) + v.option);
  };
  if (!has_exclusions()) return SimulateSchedule(num_tasks_, s.routes, preds_, travel, duration);
  return SimulateWithExclusions(num_tasks_, s.routes, preds_, travel, duration,
                                [this](RobotId r, const Stop& a, RobotId q, const Stop& b) {
                                  return Exclusive(r.value, First(r.value, a.task.value) + a.option,
                                                   q.value,
                                                   First(q.value, b.task.value) + b.option);
                                });
}

}  // namespace weldcell::allocation::internal
