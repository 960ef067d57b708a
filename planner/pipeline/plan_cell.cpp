#include "planner/pipeline/plan_cell.hpp"

#include <algorithm>
#include <chrono>

#include "planner/collision/collision_world.hpp"
#include "planner/pipeline/rebalance.hpp"

namespace weldcell::pipeline {
namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// One planning of the station from an allocation problem on: what the stages give and how good
// the coordinated result is.
struct Attempt {
  AllocationProblem problem;
  Allocation allocation;
  std::vector<motion::SequenceResult> motions;
  coordination::CoordinationResult coordinated;

  int Unplanned() const {
    std::size_t n = problem.unreachable.size();
    for (const motion::SequenceResult& m : motions) n += m.skipped.size();
    return static_cast<int>(n);
  }
  double Makespan() const {
    double m = 0.0;
    for (const motion::RobotTrajectory& t : coordinated.trajectories) m = std::max(m, t.duration());
    return m;
  }
  // More welds planned, then conflict-free, then a shorter makespan.
  bool BetterThan(const Attempt& other) const {
    if (Unplanned() != other.Unplanned()) return Unplanned() < other.Unplanned();
    if (coordinated.conflict_free != other.coordinated.conflict_free) {
      return coordinated.conflict_free;
    }
    return Makespan() < other.Makespan() - 1e-6;
  }
};

// Allocation → motion → coordination for `withheld`, reusing the motions of unchanged routes.
Attempt PlanFrom(const cell::Cell& cell, const collision::CollisionWorld& world,
                 const reach::ReachMap& reach, const PlanOptions& options, const Withheld& withheld,
                 const Attempt* previous, PlanStatistics& stats) {
  Attempt a;
  auto t0 = Clock::now();
  a.problem = BuildAllocationProblem(cell, world, reach, options, withheld);
  a.allocation = Allocate(cell, reach, a.problem, options);
  stats.allocation_seconds += Since(t0);
  if (options.progress.cancelled()) return a;
  t0 = Clock::now();
  const PlannedRoutes planned =
      previous ? PlannedRoutes{previous->allocation.routes, previous->motions} : PlannedRoutes{};
  a.motions = PlanMotions(cell, world, a.allocation, options, previous ? &planned : nullptr);
  stats.motion_seconds += Since(t0);
  if (options.progress.cancelled()) return a;
  t0 = Clock::now();
  a.coordinated = CoordinateMotions(cell, world, a.motions, options);
  stats.coordination_seconds += Since(t0);
  return a;
}

}  // namespace

PlanOutput PlanCell(const cell::Cell& cell, const collision::CollisionWorld& world,
                    const PlanOptions& options) {
  PlanOutput out;
  PlanStatistics& stats = out.statistics;
  auto cancelled = [&] {
    if (!options.progress.cancelled()) return false;
    out.status = PlanStatus::kCancelled;
    return true;
  };

  auto t0 = Clock::now();
  out.reach =
      reach::ReachAll(cell, world, {.threads = options.threads, .progress = options.progress});
  stats.reach_seconds = Since(t0);
  if (cancelled()) return out;

  Attempt best = PlanFrom(cell, world, out.reach, options, {}, nullptr, stats);
  if (cancelled()) return out;
  stats.estimated_makespan = best.allocation.estimated_makespan;
  stats.lower_bound = best.allocation.lower_bound;
  stats.baseline_makespan = best.allocation.baseline_makespan;
  stats.first_makespan = best.Makespan();

  // Conflict-aware re-allocation: withhold where a robot waits for a zone, keep what helps.
  Withheld withheld, tried;
  for (int round = 0; round < options.rebalance_rounds; ++round) {
    Withheld skip = withheld;
    skip.insert(tried.begin(), tried.end());
    const Withheld add =
        NextWithheld(cell, out.reach, best.allocation, best.motions, best.coordinated, skip);
    if (add.empty()) break;
    Withheld trial = withheld;
    trial.insert(add.begin(), add.end());
    Attempt attempt = PlanFrom(cell, world, out.reach, options, trial, &best, stats);
    if (cancelled()) return out;
    ++stats.rebalance_rounds;
    if (attempt.BetterThan(best)) {
      best = std::move(attempt);
      withheld = std::move(trial);
      ++stats.rebalance_kept;
    } else {
      tried.insert(add.begin(), add.end());
    }
  }
  for (const motion::SequenceResult& m : best.motions) {
    stats.direct_moves += m.direct_moves;
    stats.planned_moves += m.planned_moves;
  }
  stats.coordination_message = best.coordinated.message;
  out.plan = AssemblePlan(cell, best.problem.unreachable, best.allocation, best.motions,
                          best.coordinated, options);
  return out;
}

}  // namespace weldcell::pipeline
