#include "allocation/problem.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace weldcell::allocation {
namespace {

bool FiniteSite(const Site& p) {
  return std::isfinite(p[0]) && std::isfinite(p[1]) && std::isfinite(p[2]);
}

}  // namespace

const Capability* Problem::FindCapability(TaskId task, RobotId robot) const {
  if (task.value < 0 || task.value >= num_tasks()) return nullptr;
  for (const Capability& c : tasks[static_cast<std::size_t>(task.value)].capabilities) {
    if (c.robot == robot) return &c;
  }
  return nullptr;
}

double SpatialExcess(const Problem& problem, TaskId task, RobotId robot) {
  if (task.value < 0 || task.value >= problem.num_tasks()) return 0.0;
  const Task& t = problem.tasks[static_cast<std::size_t>(task.value)];
  if (!t.site) return 0.0;
  auto distance = [&](RobotId r) {
    const std::optional<Site>& p = problem.robots[static_cast<std::size_t>(r.value)].site;
    if (!p) return -1.0;
    return std::hypot((*p)[0] - (*t.site)[0], (*p)[1] - (*t.site)[1], (*p)[2] - (*t.site)[2]);
  };
  double nearest = std::numeric_limits<double>::infinity();
  double own = -1.0;
  for (const Capability& c : t.capabilities) {
    if (c.robot.value < 0 || c.robot.value >= problem.num_robots()) return 0.0;
    const double d = distance(c.robot);
    if (d < 0.0) return 0.0;
    nearest = std::min(nearest, d);
    if (c.robot == robot) own = d;
  }
  return own < 0.0 ? 0.0 : own - nearest;
}

void CheckProblem(const Problem& problem) {
  std::ostringstream errors;
  const int nr = problem.num_robots();
  const int nt = problem.num_tasks();
  if (nr == 0 && nt > 0) errors << "problem: tasks given but no robots\n";
  if (!problem.travel) errors << "problem: no travel-time oracle\n";
  for (int t = 0; t < nt; ++t) {
    const Task& task = problem.tasks[static_cast<std::size_t>(t)];
    const std::string where = "tasks[" + std::to_string(t) + "] '" + task.name + "'";
    if (task.capabilities.empty()) errors << where << ": no robot can do it\n";
    if (task.site && !FiniteSite(*task.site)) errors << where << ": site is not finite\n";
    std::vector<bool> seen(static_cast<std::size_t>(nr), false);
    for (const Capability& c : task.capabilities) {
      if (c.robot.value < 0 || c.robot.value >= nr) {
        errors << where << ": robot id " << c.robot.value << " out of range [0, " << nr << ")\n";
        continue;
      }
      if (seen[static_cast<std::size_t>(c.robot.value)]) {
        errors << where << ": robot " << c.robot.value << " listed twice\n";
      }
      seen[static_cast<std::size_t>(c.robot.value)] = true;
      if (c.options.empty()) errors << where << ": robot " << c.robot.value << " has no option\n";
      for (std::size_t o = 0; o < c.options.size(); ++o) {
        const double d = c.options[o].duration;
        if (!std::isfinite(d) || d < 0.0) {
          errors << where << ": robot " << c.robot.value << " option " << o << ": duration " << d
                 << " is not a finite value >= 0\n";
        }
      }
    }
  }
  for (int r = 0; r < nr; ++r) {
    const std::optional<Site>& site = problem.robots[static_cast<std::size_t>(r)].site;
    if (site && !FiniteSite(*site)) errors << "robots[" << r << "]: site is not finite\n";
  }
  // Identical robots: a lower index with its own travel, and the same option layout.
  for (int r = 0; r < nr; ++r) {
    const int same = problem.robots[static_cast<std::size_t>(r)].same_travel_as.value;
    if (same < 0) continue;
    const std::string where =
        "robots[" + std::to_string(r) + "]: same_travel_as " + std::to_string(same);
    if (same >= r) {
      errors << where << ": must name a robot of lower index\n";
      continue;
    }
    if (problem.robots[static_cast<std::size_t>(same)].same_travel_as.value >= 0) {
      errors << where << ": that robot declares same_travel_as itself\n";
      continue;
    }
    for (int t = 0; t < nt; ++t) {
      const Capability* a = problem.FindCapability(TaskId{t}, RobotId{r});
      const Capability* b = problem.FindCapability(TaskId{t}, RobotId{same});
      const std::size_t na = a != nullptr ? a->options.size() : 0;
      const std::size_t nb = b != nullptr ? b->options.size() : 0;
      if ((a == nullptr) != (b == nullptr) || na != nb) {
        errors << where << ": tasks[" << t << "] has " << na << " options for robot " << r
               << " but " << nb << " for robot " << same << "\n";
        break;
      }
    }
  }
  // Precedences: ids in range, no self loops, acyclic (Kahn).
  std::vector<std::vector<int>> succ(static_cast<std::size_t>(nt));
  std::vector<int> indegree(static_cast<std::size_t>(nt), 0);
  bool ids_ok = true;
  for (std::size_t i = 0; i < problem.precedences.size(); ++i) {
    const Precedence& p = problem.precedences[i];
    if (p.before.value < 0 || p.before.value >= nt || p.after.value < 0 || p.after.value >= nt) {
      errors << "precedences[" << i << "]: task id out of range (" << p.before.value << " -> "
             << p.after.value << ")\n";
      ids_ok = false;
      continue;
    }
    if (p.before == p.after) {
      errors << "precedences[" << i << "]: task " << p.before.value << " precedes itself\n";
      ids_ok = false;
      continue;
    }
    succ[static_cast<std::size_t>(p.before.value)].push_back(p.after.value);
    ++indegree[static_cast<std::size_t>(p.after.value)];
  }
  if (ids_ok) {
    std::vector<int> queue;
    for (int t = 0; t < nt; ++t) {
      if (indegree[static_cast<std::size_t>(t)] == 0) queue.push_back(t);
    }
    for (std::size_t head = 0; head < queue.size(); ++head) {
      for (int s : succ[static_cast<std::size_t>(queue[head])]) {
        if (--indegree[static_cast<std::size_t>(s)] == 0) queue.push_back(s);
      }
    }
    if (static_cast<int>(queue.size()) != nt) {
      errors << "precedences: cycle among " << nt - static_cast<int>(queue.size()) << " tasks\n";
    }
  }
  const std::string text = errors.str();
  if (!text.empty()) throw ProblemError(text.substr(0, text.size() - 1));
}

}  // namespace weldcell::allocation
