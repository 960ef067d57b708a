#pragma once
// The one schedule simulation behind Evaluate() and every solver's cost: robots leave home at
// t = 0, a visit starts at max(arrival, latest finish of its predecessors), robots return home.
// Templated on the travel and duration lookups so that the solvers can use their caches.

#include <algorithm>
#include <vector>

#include "allocation/solution.hpp"

namespace weldcell::allocation::internal {

/// `preds[t]`: tasks that must finish before t starts (empty vector = no precedences at all).
/// `travel(r, Stop from, Stop to)`, `duration(r, Visit v)`.
template <class TravelFn, class DurationFn>
Evaluation SimulateSchedule(int num_tasks, const std::vector<std::vector<Visit>>& routes,
                            const std::vector<std::vector<int>>& preds, TravelFn&& travel,
                            DurationFn&& duration) {
  Evaluation e;
  const std::size_t nr = routes.size();
  e.robots.assign(nr, RobotTimes{});
  e.start.assign(static_cast<std::size_t>(num_tasks), -1.0);
  std::vector<double> finish(static_cast<std::size_t>(num_tasks), -1.0);
  std::vector<std::size_t> next(nr, 0);
  std::vector<double> clock(nr, 0.0);
  std::vector<Stop> at(nr, Stop::Home());
  const bool has_preds = !preds.empty();
  bool progress = true;
  std::size_t remaining = 0;
  for (const auto& route : routes) remaining += route.size();
  while (progress && remaining > 0) {
    progress = false;
    for (std::size_t r = 0; r < nr; ++r) {
      const RobotId robot{static_cast<int>(r)};
      RobotTimes& rt = e.robots[r];
      const auto& route = routes[r];
      while (next[r] < route.size()) {
        const Visit& v = route[next[r]];
        const auto t = static_cast<std::size_t>(v.task.value);
        double ready = 0.0;
        bool blocked = false;
        if (has_preds) {
          for (int p : preds[t]) {
            const double f = finish[static_cast<std::size_t>(p)];
            if (f < 0.0) {
              blocked = true;
              break;
            }
            ready = std::max(ready, f);
          }
        }
        if (blocked) break;
        const Stop to{.task = v.task, .option = v.option};
        const double move = travel(robot, at[r], to);
        const double arrival = clock[r] + move;
        const double start = std::max(arrival, ready);
        const double work = duration(robot, v);
        rt.travel += move;
        rt.wait += start - arrival;
        rt.work += work;
        e.start[t] = start;
        finish[t] = start + work;
        clock[r] = finish[t];
        at[r] = to;
        ++next[r];
        --remaining;
        progress = true;
      }
    }
  }
  if (remaining > 0) {
    e.feasible = false;
    e.cost = Cost{};
    return e;
  }
  for (std::size_t r = 0; r < nr; ++r) {
    RobotTimes& rt = e.robots[r];
    if (!routes[r].empty()) {
      const double back = travel(RobotId{static_cast<int>(r)}, at[r], Stop::Home());
      rt.travel += back;
      rt.end = clock[r] + back;
    }
    e.cost.makespan = std::max(e.cost.makespan, rt.end);
    e.cost.total += rt.travel + rt.work;
  }
  return e;
}

/// preds[t] built from the problem's precedences (empty when there are none).
std::vector<std::vector<int>> Predecessors(const Problem& problem);

}  // namespace weldcell::allocation::internal
