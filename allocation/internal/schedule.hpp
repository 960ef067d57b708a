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

/// What both simulations keep while they run: per task its finish (-1 before), per robot its
/// next visit, clock and stop, and the visits left.
struct ScheduleState {
  Evaluation e;
  std::vector<double> finish;
  std::vector<std::size_t> next;
  std::vector<double> clock;
  std::vector<Stop> at;
  std::size_t remaining = 0;

  ScheduleState(int num_tasks, const std::vector<std::vector<Visit>>& routes)
      : finish(static_cast<std::size_t>(num_tasks), -1.0),
        next(routes.size(), 0),
        clock(routes.size(), 0.0),
        at(routes.size(), Stop::Home()) {
    e.robots.assign(routes.size(), RobotTimes{});
    e.start.assign(static_cast<std::size_t>(num_tasks), -1.0);
    for (const auto& route : routes) remaining += route.size();
  }

  /// Robot r travels `move` s to visit v and works on it from `start` for `work` s.
  void Commit(std::size_t r, const Visit& v, double move, double start, double work) {
    RobotTimes& rt = e.robots[r];
    rt.travel += move;
    rt.wait += start - (clock[r] + move);
    rt.work += work;
    const auto t = static_cast<std::size_t>(v.task.value);
    e.start[t] = start;
    finish[t] = start + work;
    clock[r] = finish[t];
    at[r] = Stop{.task = v.task, .option = v.option};
    ++next[r];
    --remaining;
  }

  /// Infeasible when visits are left (a cycle of precedences and route orders); else every
  /// robot with visits travels home, and the robots' end times and the cost are filled.
  template <class TravelFn>
  Evaluation Finish(const std::vector<std::vector<Visit>>& routes, TravelFn&& travel) && {
    if (remaining > 0) {
      e.feasible = false;
      e.cost = Cost{};
      return std::move(e);
    }
    for (std::size_t r = 0; r < routes.size(); ++r) {
      RobotTimes& rt = e.robots[r];
      if (!routes[r].empty()) {
        const double back = travel(RobotId{static_cast<int>(r)}, at[r], Stop::Home());
        rt.travel += back;
        rt.end = clock[r] + back;
      }
      e.cost.makespan = std::max(e.cost.makespan, rt.end);
      e.cost.total += rt.travel + rt.work;
    }
    return std::move(e);
  }
};

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
  const std::size_t nr = routes.size();
  ScheduleState state(num_tasks, routes);
  std::vector<std::vector<Busy>> busy(nr);
  // cursor[r * nr + s]: busy[s] before it ended before robot r's clock (clocks only grow).
  std::vector<std::size_t> cursor(nr * nr, 0);
  while (state.remaining > 0) {
    std::size_t r = nr;
    double ready = 0.0;
    for (std::size_t k = 0; k < nr; ++k) {
      double k_ready = 0.0;
      if (state.next[k] >= routes[k].size() ||
          !PredecessorsDone(preds, state.finish,
                            static_cast<std::size_t>(routes[k][state.next[k]].task.value),
                            &k_ready)) {
        continue;
      }
      if (r == nr || state.clock[k] < state.clock[r]) {
        r = k;
        ready = k_ready;
      }
    }
    if (r == nr) break;  // every robot left waits for an unfinished predecessor: a cycle
    const Visit& v = routes[r][state.next[r]];
    const Stop to{.task = v.task, .option = v.option};
    const RobotId robot{static_cast<int>(r)};
    const double move = travel(robot, state.at[r], to);
    const double work = duration(robot, v);
    double depart = state.clock[r];
    for (bool pushed = true; pushed;) {
      pushed = false;
      const double end = std::max(depart + move, ready) + work;
      for (std::size_t s = 0; s < nr; ++s) {
        if (s == r) continue;
        std::size_t& c = cursor[r * nr + s];
        while (c < busy[s].size() && busy[s][c].to <= state.clock[r]) ++c;
        for (std::size_t i = c; i < busy[s].size() && busy[s][i].from < end; ++i) {
          const Busy& b = busy[s][i];
          if (b.to > depart && exclusive(robot, to, RobotId{static_cast<int>(s)}, b.stop)) {
            depart = b.to;
            pushed = true;
          }
        }
      }
    }
    state.Commit(r, v, move, std::max(depart + move, ready), work);
    busy[r].push_back({.from = depart, .to = state.clock[r], .stop = to});
  }
  return std::move(state).Finish(routes, travel);
}

/// `preds[t]`: tasks that must finish before t starts (empty vector = no precedences at all).
/// `travel(r, Stop from, Stop to)`, `duration(r, Visit v)`.
template <class TravelFn, class DurationFn>
Evaluation SimulateSchedule(int num_tasks, const std::vector<std::vector<Visit>>& routes,
                            const std::vector<std::vector<int>>& preds, TravelFn&& travel,
                            DurationFn&& duration) {
  ScheduleState state(num_tasks, routes);
  for (bool progress = true; progress && state.remaining > 0;) {
    progress = false;
    for (std::size_t r = 0; r < routes.size(); ++r) {
      const RobotId robot{static_cast<int>(r)};
      while (state.next[r] < routes[r].size()) {
        const Visit& v = routes[r][state.next[r]];
        double ready = 0.0;
        if (!PredecessorsDone(preds, state.finish, static_cast<std::size_t>(v.task.value),
                              &ready)) {
          break;
        }
        const double move = travel(robot, state.at[r], Stop{.task = v.task, .option = v.option});
        state.Commit(r, v, move, std::max(state.clock[r] + move, ready), duration(robot, v));
        progress = true;
      }
    }
  }
  return std::move(state).Finish(routes, travel);
}

/// preds[t] built from the problem's precedences (empty when there are none).
std::vector<std::vector<int>> Predecessors(const Problem& problem);

}  // namespace weldcell::allocation::internal
