#include "allocation/solution.hpp"

#include <cmath>
#include <sstream>

#include "allocation/internal/schedule.hpp"

namespace weldcell::allocation {

namespace internal {
std::vector<std::vector<int>> Predecessors(const Problem& problem) {
  if (problem.precedences.empty()) return {};
  std::vector<std::vector<int>> preds(static_cast<std::size_t>(problem.num_tasks()));
  for (const Precedence& p : problem.precedences) {
    preds[static_cast<std::size_t>(p.after.value)].push_back(p.before.value);
  }
  return preds;
}
}  // namespace internal

bool Better(const Cost& a, const Cost& b) {
  // Tolerances from finite values only, so that anything finite beats an infinite cost.
  auto tol = [](double x) { return 1e-9 * (std::isfinite(x) ? std::max(1.0, std::abs(x)) : 1.0); };
  if (a.makespan < b.makespan - tol(b.makespan)) return true;
  if (a.makespan > b.makespan + tol(b.makespan)) return false;
  return a.total < b.total - tol(b.total);
}

std::string ToString(const Cost& cost) {
  std::ostringstream s;
  s.precision(9);
  s << "{makespan " << cost.makespan << " s, total " << cost.total << " s}";
  return s.str();
}

std::string ToString(const Solution& solution) {
  std::ostringstream s;
  for (std::size_t r = 0; r < solution.routes.size(); ++r) {
    s << "robot " << r << ":";
    for (const Visit& v : solution.routes[r]) s << ' ' << v.task.value << '/' << v.option;
    s << '\n';
  }
  return s.str();
}

Evaluation Evaluate(const Problem& problem, const Solution& solution) {
  const TravelTime& travel = *problem.travel;
  auto seconds = [&travel](RobotId r, const Stop& a, const Stop& b) {
    return travel.Seconds(r, a, b);
  };
  auto duration = [&problem](RobotId r, const Visit& v) {
    return problem.FindCapability(v.task, r)->options[static_cast<std::size_t>(v.option)].duration;
  };
  if (!problem.exclusions) {
    return internal::SimulateSchedule(problem.num_tasks(), solution.routes,
                                      internal::Predecessors(problem), seconds, duration);
  }
  const Exclusions& exclusions = *problem.exclusions;
  return internal::SimulateWithExclusions(
      problem.num_tasks(), solution.routes, internal::Predecessors(problem), seconds, duration,
      [&exclusions](RobotId a, const Stop& sa, RobotId b, const Stop& sb) {
        return exclusions.Exclusive(a, sa, b, sb);
      });
}

Validation Validate(const Problem& problem, const Solution& solution) {
  Validation result;
  auto error = [&result](const std::string& text) { result.errors.push_back(text); };
  const int nt = problem.num_tasks();
  if (static_cast<int>(solution.routes.size()) != problem.num_robots()) {
    error("solution has " + std::to_string(solution.routes.size()) + " routes, problem has " +
          std::to_string(problem.num_robots()) + " robots");
    return result;
  }
  std::vector<int> count(static_cast<std::size_t>(nt), 0);
  for (std::size_t r = 0; r < solution.routes.size(); ++r) {
    const RobotId robot{static_cast<int>(r)};
    for (std::size_t i = 0; i < solution.routes[r].size(); ++i) {
      const Visit& v = solution.routes[r][i];
      const std::string where = "routes[" + std::to_string(r) + "][" + std::to_string(i) +
                                "]: task " + std::to_string(v.task.value);
      if (v.task.value < 0 || v.task.value >= nt) {
        error(where + ": no such task");
        continue;
      }
      ++count[static_cast<std::size_t>(v.task.value)];
      const Capability* c = problem.FindCapability(v.task, robot);
      if (c == nullptr) {
        error(where + ": robot " + std::to_string(r) + " cannot do it");
      } else if (v.option < 0 || v.option >= static_cast<int>(c->options.size())) {
        error(where + ": option " + std::to_string(v.option) + " out of range [0, " +
              std::to_string(c->options.size()) + ")");
      }
    }
  }
  for (int t = 0; t < nt; ++t) {
    const int n = count[static_cast<std::size_t>(t)];
    if (n != 1) {
      error("task " + std::to_string(t) + " '" + problem.tasks[static_cast<std::size_t>(t)].name +
            "' is visited " + std::to_string(n) + " times, expected once");
    }
  }
  if (!result.errors.empty()) return result;
  result.evaluation = Evaluate(problem, solution);
  if (!result.evaluation.feasible) {
    error(
        "precedences and route orders form a cycle: the robots would wait for each other forever");
  }
  return result;
}

}  // namespace weldcell::allocation
