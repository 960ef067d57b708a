#include "planner/pipeline/plan_cell.hpp"

#include <chrono>

#include "planner/collision/collision_world.hpp"

namespace weldcell::pipeline {
namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
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

  t0 = Clock::now();
  const AllocationProblem problem = BuildAllocationProblem(cell, world, out.reach, options);
  const Allocation allocation = Allocate(cell, out.reach, problem, options);
  stats.allocation_seconds = Since(t0);
  stats.estimated_makespan = allocation.estimated_makespan;
  stats.lower_bound = allocation.lower_bound;
  stats.baseline_makespan = allocation.baseline_makespan;
  if (cancelled()) return out;

  t0 = Clock::now();
  const std::vector<motion::SequenceResult> motions = PlanMotions(cell, world, allocation, options);
  stats.motion_seconds = Since(t0);
  for (const motion::SequenceResult& m : motions) {
    stats.direct_moves += m.direct_moves;
    stats.planned_moves += m.planned_moves;
  }
  if (cancelled()) return out;

  t0 = Clock::now();
  const coordination::CoordinationResult coordinated =
      CoordinateMotions(cell, world, motions, options);
  stats.coordination_seconds = Since(t0);
  stats.coordination_message = coordinated.message;
  if (cancelled()) return out;

  out.plan = AssemblePlan(cell, problem.unreachable, allocation, motions, coordinated, options);
  return out;
}

}  // namespace weldcell::pipeline
