#pragma once
// The whole-station planning pipeline: reach → allocation → motion per robot → coordination
// → Plan.
//
// Stages: ReachAll (every weld × robot: candidate configurations); an allocation problem with
// the reachable welds as tasks, a few diverse candidates per robot as options and the analytic
// rest-to-rest joint time between approach configurations as travel time; the strong solver;
// then, per robot and in parallel, the collision-free timed motion through its welds
// (PlanWeldSequence); the trajectories sampled into a Plan.
//
// Then coordination puts all robots on one clock and inserts interlock waits where their
// motions would touch, and waits that keep the welds' `after:` precedences on that clock
// (planner/coordination).

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "planner/cell/cell.hpp"
#include "planner/plan/plan.hpp"
#include "planner/reach/reach.hpp"

namespace weldcell::collision {
class CollisionWorld;
}

namespace weldcell::pipeline {

struct PlanOptions {
  int threads = 0;                ///< 0 = one per hardware thread. Results do not depend on it.
  int max_options_per_robot = 8;  ///< Candidates per weld and robot offered to the allocator.
  /// Improvement iterations of the allocator; 0 = by problem size: 20,000 up to 100 welds, then
  /// fewer (each iteration costs more on larger stations), at least 2,000.
  std::int64_t allocation_iterations = 0;
  double blend_tolerance = 0.1;  ///< rad of joint-space deviation allowed at travel corners.
  double sample_period = 0.01;   ///< s between trajectory samples in the plan.
  /// Progress: (stage name, done, total); called from worker threads, serialised.
  std::function<void(std::string_view stage, int done, int total)> progress;
};

struct PlanStatistics {
  double reach_seconds = 0, allocation_seconds = 0, motion_seconds = 0, coordination_seconds = 0;
  std::string coordination_message;  ///< Empty when the robots were made conflict-free.
  double lower_bound = 0;            ///< s: allocation lower bound on the makespan.
  double estimated_makespan = 0;     ///< s: the allocator's makespan (analytic travel times).
  double baseline_makespan = 0;      ///< s: nearest-robot / nearest-neighbour baseline.
  int direct_moves = 0, planned_moves = 0;
};

struct PlanOutput {
  plan::Plan plan;
  reach::ReachMap reach;
  PlanStatistics statistics;
};

/// Plans the station. `world` must be built from `cell`. Never throws for unreachable welds or
/// failed motions: they are listed in plan.unreachable with the reason.
PlanOutput PlanCell(const cell::Cell& cell, const collision::CollisionWorld& world,
                    const PlanOptions& options = {});

}  // namespace weldcell::pipeline
