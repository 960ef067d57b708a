#pragma once
// Helpers shared by the allocation tests: small hand-made problems and an independent
// brute-force optimum (enumerates every assignment, order and option through Evaluate()).

#include <Eigen/Core>
#include <algorithm>
#include <functional>
#include <limits>
#include <memory>
#include <vector>

#include "allocation/problem.hpp"
#include "allocation/solution.hpp"
#include "allocation/travel_time.hpp"

namespace weldcell::allocation::testing {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr int kScale = 4;  // sanitizer builds run fewer iterations and instances
#else
inline constexpr int kScale = 1;
#endif

/// Points on a line: per robot a home coordinate and, per task, option coordinates (empty =
/// robot cannot do the task). Durations per task, equal for all options.
inline Problem LineProblem(const std::vector<double>& homes,
                           const std::vector<std::vector<std::vector<double>>>& options,
                           const std::vector<double>& durations,
                           std::vector<Precedence> precedences = {}) {
  Problem p;
  std::vector<EuclideanRobot> robots(homes.size());
  for (std::size_t r = 0; r < homes.size(); ++r) {
    p.robots.push_back(Robot{.name = "R" + std::to_string(r)});
    robots[r].home = Eigen::VectorXd::Constant(1, homes[r]);
    robots[r].points.resize(durations.size());
  }
  for (std::size_t t = 0; t < durations.size(); ++t) {
    Task task{.name = "t" + std::to_string(t), .capabilities = {}};
    for (std::size_t r = 0; r < homes.size(); ++r) {
      if (options[r][t].empty()) continue;
      Capability c{.robot = RobotId{static_cast<int>(r)}, .options = {}};
      for (double x : options[r][t]) {
        robots[r].points[t].push_back(Eigen::VectorXd::Constant(1, x));
        c.options.push_back(Option{.duration = durations[t]});
      }
      task.capabilities.push_back(c);
    }
    p.tasks.push_back(task);
  }
  p.precedences = std::move(precedences);
  p.travel = std::make_shared<EuclideanTravelTime>(std::move(robots));
  return p;
}

/// The optimum by enumerating every (robot, option) for every task in every order. Exponential:
/// for <= 5 tasks only.
inline Cost BruteForceOptimum(const Problem& problem) {
  const int nt = problem.num_tasks();
  Solution s;
  s.routes.assign(static_cast<std::size_t>(problem.num_robots()), {});
  std::vector<char> used(static_cast<std::size_t>(nt), 0);
  Cost best{.makespan = std::numeric_limits<double>::infinity(),
            .total = std::numeric_limits<double>::infinity()};
  std::function<void(int)> rec = [&](int placed) {
    if (placed == nt) {
      const Evaluation e = Evaluate(problem, s);
      if (e.feasible && Better(e.cost, best)) best = e.cost;
      return;
    }
    for (int t = 0; t < nt; ++t) {
      if (used[static_cast<std::size_t>(t)]) continue;
      used[static_cast<std::size_t>(t)] = 1;
      for (const Capability& c : problem.tasks[static_cast<std::size_t>(t)].capabilities) {
        for (int o = 0; o < static_cast<int>(c.options.size()); ++o) {
          auto& route = s.routes[static_cast<std::size_t>(c.robot.value)];
          route.push_back(Visit{.task = TaskId{t}, .option = o});
          rec(placed + 1);
          route.pop_back();
        }
      }
      used[static_cast<std::size_t>(t)] = 0;
    }
  };
  rec(0);
  return best;
}

/// Exclusions by task: the visits of two listed tasks exclude each other, whichever robots and
/// options do them.
class TaskExclusions final : public Exclusions {
 public:
  explicit TaskExclusions(std::vector<std::pair<int, int>> pairs) : pairs_(std::move(pairs)) {}
  bool Exclusive(RobotId, const Stop& sa, RobotId, const Stop& sb) const override {
    for (const auto& [x, y] : pairs_) {
      if ((x == sa.task.value && y == sb.task.value) ||
          (y == sa.task.value && x == sb.task.value)) {
        return true;
      }
    }
    return false;
  }

 private:
  std::vector<std::pair<int, int>> pairs_;
};

inline bool NearlyEqual(const Cost& a, const Cost& b, double rel = 1e-7) {
  auto eq = [rel](double x, double y) {
    return std::abs(x - y) <= rel * std::max(1.0, std::max(std::abs(x), std::abs(y)));
  };
  return eq(a.makespan, b.makespan) && eq(a.total, b.total);
}

}  // namespace weldcell::allocation::testing
