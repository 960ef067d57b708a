#pragma once
// The exact concurrency check: robot–robot contact for EVERY timing, not for sampled ones.
//
// From the plan's events (program order, interlock zones, weld signals: SegmentOrder of
// robustness.hpp) it takes every pair of pieces of two robots' timelines that no event orders —
// motion and weld segments, and standstills where a robot may wait for another robot (before a
// gated segment, at home before its first segment, at home after its last) — and requires their
// swept volumes not to touch: every configuration of one (its samples, subdivided so that no
// robot point travels more than half the collision resolution between two) against every
// configuration of the other, with CollisionWorld::CheckRobotPair after a per-body box prefilter.
// Two pieces no event orders overlap in time for some choice of durations; two ordered pieces
// never do (they may meet at an instant, where the standstill or neighbouring segment holding
// that configuration is checked instead).

#include <vector>

#include "planner/cell/cell.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/plan/plan.hpp"
#include "planner/verify/robustness.hpp"
#include "planner/verify/verify.hpp"

namespace weldcell::verify::internal {

struct ConcurrencyResult {
  /// kUnorderedContact, one per touching pair of pieces, ordered by robot pair, then by the
  /// first robot's timeline, then the second's.
  std::vector<Violation> violations;
  ConcurrencyFigures figures;
};

/// Checks every unordered pair of pieces of `plan` (see above). `order` is OrderSegments(plan);
/// `robot_of_plan[p]` the cell robot of plan.robots[p] (all valid); segments well formed (as for
/// CheckEvents). `resolution` (m) as Verify's. Parallel over (robot pair, piece) tasks on
/// options.threads, merged in a fixed order; cancellation (options.progress) stops new tasks.
ConcurrencyResult CheckConcurrency(const plan::Plan& plan, const collision::CollisionWorld& world,
                                   const std::vector<int>& robot_of_plan, const SegmentOrder& order,
                                   double resolution, const VerifyOptions& options);

}  // namespace weldcell::verify::internal
