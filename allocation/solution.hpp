#pragma once
// A solution (per robot an ordered list of (task, option)), its schedule and cost, and the
// validator. Evaluate() is the single definition of the cost, including waits caused by
// precedences; the solvers use the same code (internal/schedule.hpp). Units: seconds.
// Definitions: docs/allocation.md.

#include <string>
#include <vector>

#include "allocation/problem.hpp"

namespace weldcell::allocation {

struct Visit {
  TaskId task;
  int option = 0;  ///< Index into the options of (task, the robot of the route).
  bool operator==(const Visit&) const = default;
};

struct Solution {
  std::vector<std::vector<Visit>> routes;  ///< routes[r]: robot r's visits in order.
  bool operator==(const Solution&) const = default;
};

/// Objective, compared lexicographically: makespan first, then total.
struct Cost {
  double makespan = 0.0;  ///< s: latest return home over all robots (waits included).
  double total = 0.0;     ///< s: sum over robots of travel + work (waits excluded).
  bool operator==(const Cost&) const = default;
};

/// True when `a` is better than `b` by more than a relative tolerance of 1e-9.
bool Better(const Cost& a, const Cost& b);
std::string ToString(const Cost& cost);

struct RobotTimes {
  double travel = 0.0;  ///< s moving (including the way out from and back to home).
  double work = 0.0;    ///< s of option durations.
  double wait = 0.0;    ///< s waiting for precedences on other robots.
  double end = 0.0;     ///< s: back home (0 for a robot without visits).
  bool operator==(const RobotTimes&) const = default;
};

struct Evaluation {
  /// False when precedences and route orders form a cycle (the robots would wait forever).
  bool feasible = true;
  Cost cost;  ///< Meaningful only when feasible.
  std::vector<RobotTimes> robots;
  std::vector<double> start;  ///< Per task: start time of its visit (-1 if not visited).
};

/// Simulates the routes: every robot leaves home at t = 0; a visit starts at
/// max(arrival, finish of all its predecessors); the robot returns home after its last visit.
/// Precondition: the routes only name existing tasks, each at most once, with valid options for
/// the route's robot (Validate() checks this first). Thread-safe if the oracle is.
Evaluation Evaluate(const Problem& problem, const Solution& solution);

struct Validation {
  std::vector<std::string> errors;  ///< Empty when the solution is valid.
  Evaluation evaluation;            ///< Recomputed cost (only when the structure is valid).
  bool ok() const { return errors.empty(); }
};

/// Checks: one route per robot, every task exactly once, by an eligible robot with an existing
/// option, precedences keepable (no cycle); then recomputes the cost with Evaluate().
Validation Validate(const Problem& problem, const Solution& solution);

std::string ToString(const Solution& solution);

}  // namespace weldcell::allocation
