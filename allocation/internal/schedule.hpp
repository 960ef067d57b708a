#pragma once
// The one schedule simulation behind Evaluate() and every solver's cost: robots leave home at
// t = 0, a visit starts at max(arrival, latest finish of its predecessors), robots return home.
// With exclusions, a robot also waits where it stands until no exclusive visit of another
// robot overlaps its next visit (first come first served, robots taken in the order of their
// clocks). Templated on the lookups so that the solvers can use their caches.

#include <algorithm>
#include <utility>
#include <vector>

#include "allocation/solution.hpp"

namespace weldcell::allocation::internal {

/// The result of a schedule that cannot finish (a cycle of precedences and route orders).
inline Evaluation Infeasible(Evaluation e) {
  e.feasible = false;
  e.cost = Cost{};
  return e;
}

/// Every robot with visits travels home from `at[r]` after `clock[r]`; fills the robots' end
/// times and the cost.
template <class TravelFn>
void ReturnHome(const std::vector<std::vector<Visit>>& routes, const std::vector<Stop>& at,
                const std::vector<double>& clock, TravelFn&& travel, Evaluation* e) {
  for (std::size_t r = 0; r < routes.size(); ++r) {
    RobotTimes& rt = e->robots[r];
    if (!routes[r].empty()) {
      const double back = travel(RobotId{static_cast<int>(r)}, at[r], Stop::Home());
      rt.travel += back;
      rt.end = clock[r] + back;
    }
    e->cost.makespan = std::max(e->cost.makespan, rt.end);
    e->cost.total += rt.travel + rt.work;
  }
}

/// Ready time of task `t`: the latest finish of its predecessors; false while one is unfinished.
inline bool PredecessorsDone(const std::vector<std::vector<int>>& preds,
                             const std::vector<double>& finish, std::size_t t, double* ready) {
  *ready = 0.0;
  if (preds.empty()) return true;
  for (int p : preds[t]) {
    const double f = finish[static_cast<std::size_t>(p)];
    if (f < 0.0) return false;
    *ready = std::max(*ready, f);
  }
  return true;
}

/// The schedule with exclusions. A visit occupies its robot over [departure, finish]: from
/// leaving the previous stop to the end of the task. Repeatedly, the robot with the earliest
/// clock among those whose next task's predecessors are done commits its next visit, departing
/// at the earliest time at which that interval overlaps no committed exclusive visit of another
/// robot (the wait is spent standing at the previous stop). A robot only waits for committed
/// visits, so the schedule is free of deadlock unless precedences and route orders form a
/// cycle. `exclusive(r, Stop a, s, Stop b)` is symmetric.
template <class TravelFn, class DurationFn, class ExclusiveFn>
Evaluation SimulateWithExclusions(int num_tasks, const std::vector<std::vector<Visit>>& routes,
                                  const std::vector<std::vector<int>>& preds, TravelFn&& travel,
                                  DurationFn&& duration, ExclusiveFn&& exclusive) {
  struct Busy {
    double from = 0.0, to = 0.0;
    Stop stop;
  };
  Evaluation e;
  const std::size_t nr = routes.size();
  e.robots.assign(nr, RobotTimes{});
  e.start.assign(static_cast<std::size_t>(num_tasks), -1.0);
  std::vector<double> finish(static_cast<std::size_t>(num_tasks), -1.0);
  std::vector<std::size_t> next(nr, 0);
  std::vector<double> clock(nr, 0.0);
  std::vector<Stop> at(nr, Stop::Home());
  std::vector<std::vector<Busy>> busy(nr);
  // cursor[r * nr + s]: busy[s] before it ended before robot r's clock (clocks only grow).
  std::vector<std::size_t> cursor(nr * nr, 0);
  std::size_t remaining = 0;
  for (const auto& route : routes) remaining += route.size();
  for (; remaining > 0; --remaining) {
    std::size_t r = nr;
    double ready = 0.0;
    for (std::size_t k = 0; k < nr; ++k) {
      double k_ready = 0.0;
      if (next[k] >= routes[k].size() ||
          !PredecessorsDone(preds, finish, static_cast<std::size_t>(routes[k][next[k]].task.value),
                            &k_ready)) {
        continue;
      }
      if (r == nr || clock[k] < clock[r]) {
        r = k;
        ready = k_ready;
      }
    }
    if (r == nr) break;  // every robot left waits for an unfinished predecessor: a cycle
    const Visit& v = routes[r][next[r]];
    const Stop to{.task = v.task, .option = v.option};
    const RobotId robot{static_cast<int>(r)};
    const double move = travel(robot, at[r], to);
    const double work = duration(robot, v);
    double depart = clock[r];
    for (bool pushed = true; pushed;) {
      pushed = false;
      const double end = std::max(depart + move, ready) + work;
      for (std::size_t s = 0; s < nr; ++s) {
        if (s == r) continue;
        std::size_t& c = cursor[r * nr + s];
        while (c < busy[s].size() && busy[s][c].to <= clock[r]) ++c;
        for (std::size_t i = c; i < busy[s].size() && busy[s][i].from < end; ++i) {
          const Busy& b = busy[s][i];
          if (b.to > depart && exclusive(robot, to, RobotId{static_cast<int>(s)}, b.stop)) {
            depart = b.to;
            pushed = true;
          }
        }
      }
    }
    const double start = std::max(depart + move, ready);
    RobotTimes& rt = e.robots[r];
    rt.travel += move;
    rt.wait += start - move - clock[r];
    rt.work += work;
    const auto t = static_cast<std::size_t>(v.task.value);
    e.start[t] = start;
    finish[t] = start + work;
    busy[r].push_back({.from = depart, .to = finish[t], .stop = to});
    clock[r] = finish[t];
    at[r] = to;
    ++next[r];
  }
  if (remaining > 0) return Infeasible(std::move(e));
  ReturnHome(routes, at, clock, travel, &e);
  return e;
}

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
        if (!PredecessorsDone(preds, finish, t, &ready)) break;
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
  if (remaining > 0) return Infeasible(std::move(e));
  ReturnHome(routes, at, clock, travel, &e);
  return e;
}

/// preds[t] built from the problem's precedences (empty when there are none).
std::vector<std::vector<int>> Predecessors(const Problem& problem);

}  // namespace weldcell::allocation::internal
