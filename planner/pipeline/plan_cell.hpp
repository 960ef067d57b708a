#pragma once
// The whole-station planning pipeline: reach → allocation → motion per robot → coordination
// → Plan, as the named stages of planner/pipeline/stages.hpp run one after another.
//
// Coordination puts all robots on one clock and inserts interlock waits where their motions
// would touch, and waits that keep the welds' `after:` precedences on that clock
// (planner/coordination).

#include <string>
#include <vector>

#include "planner/cell/cell.hpp"
#include "planner/pipeline/stages.hpp"
#include "planner/plan/plan.hpp"
#include "planner/reach/reach.hpp"

namespace weldcell::collision {
class CollisionWorld;
}

namespace weldcell::pipeline {

struct PlanStatistics {
  /// s of wall time the pipeline spent in each stage, summed over the rounds. Allocations
  /// computed ahead on a background thread (the spatial and the exclusion rounds', which depend
  /// on no earlier round) count in allocation_seconds only with the time the pipeline waited
  /// for them, so that the stages add up to the pipeline's wall time.
  double reach_seconds = 0, allocation_seconds = 0, motion_seconds = 0, coordination_seconds = 0;
  /// s the background thread spent on the allocations computed ahead, overlapping the other
  /// stages (0 when none were).
  double ahead_allocation_seconds = 0;
  std::string coordination_message;  ///< Empty when the robots were made conflict-free.
  double lower_bound = 0;            ///< s: allocation lower bound on the makespan.
  /// s: the allocator's makespan (analytic travel times) of the first, unconstrained
  /// allocation: the coordination overhead is measured against it.
  double estimated_makespan = 0;
  double baseline_makespan = 0;  ///< s: nearest-robot / nearest-neighbour baseline.
  /// s: the coordinated makespan of the first allocation, before conflict-aware re-allocation.
  double first_makespan = 0;
  int rebalance_rounds = 0;  ///< Re-allocations tried (PlanOptions::rebalance_rounds).
  int rebalance_kept = 0;    ///< Of those, kept because the coordinated plan got better.
  /// The round allocating with the spatial term (PlanOptions::spatial_weight) was kept.
  bool spatial_kept = false;
  /// s and welds: the coordinated makespan and unplanned welds of that round (after its
  /// repair rounds); 0 when not tried.
  double spatial_makespan = 0;
  int spatial_unplanned = 0;
  /// The round allocating with the spatial term and the arms' exclusions
  /// (PlanOptions::exclusion_clearance) was kept.
  bool exclusion_kept = false;
  /// s, s and welds: that round's coordinated makespan, its allocation's estimate (waits for
  /// exclusions included) and its unplanned welds; 0 when not tried (or, for the makespan, when
  /// it stopped early because it planned fewer welds).
  double exclusion_makespan = 0;
  double exclusion_estimate = 0;
  int exclusion_unplanned = 0;
  /// The baseline round (not counted in rebalance_rounds): the baseline allocation's own plan
  /// and its withhold rounds, tried only when the best plan so far (`baseline_round_before`, s)
  /// is longer than 1.5 × the baseline allocation's estimate (baseline_makespan), was kept; its
  /// first coordinated makespan (s), its withhold rounds tried and kept, and the makespan (s)
  /// and unplanned welds after them; 0 when not tried.
  double baseline_round_before = 0;
  bool baseline_kept = false;
  double baseline_round_first = 0;
  int baseline_round_rounds = 0;
  int baseline_round_kept = 0;
  double baseline_round_makespan = 0;
  int baseline_round_unplanned = 0;
  /// A plan the weld-transfer or the route-start round tried.
  struct RoundTry {
    /// What changed: "W0011 R3 -> R4" (a weld given to another robot); "R2 backwards" (a
    /// route run backwards), "R3 from W0031" (started there), "R4 backwards from W0092",
    /// joined by " + ".
    std::string change;
    /// s: the round's estimate of the makespan before and with the change: the latest finish
    /// with the plan's own durations (weld transfers, transfers.hpp) or the largest
    /// coordination-diagram bound over the robot pairs (route starts, route_starts.hpp).
    double estimate_before = 0, estimate_after = 0;
    double makespan = 0;  ///< s: its coordinated makespan.
    bool kept = false;    ///< It became the plan (until a later kept try).
  };
  /// The weld-transfer round (PlanOptions::weld_transfers) and the route-start round
  /// (PlanOptions::reverse_routes): each plan they tried, in order; empty when not run (option
  /// off, rebalance_rounds 0, precedences, no conflict-free plan) or when nothing promised a
  /// shorter plan.
  std::vector<RoundTry> weld_transfer_tries, route_start_tries;
  int direct_moves = 0, planned_moves = 0;
  /// s spent on the travel-time matrices (learned predictions or exact planning; 0 analytic).
  double travel_seconds = 0;
  /// Refused travel models (reason and fallback) and drift warnings, for the user.
  std::vector<std::string> travel_warnings;
};

enum class PlanStatus {
  kComplete,   ///< Every stage ran; the plan is the result (it may still list unplanned welds).
  kCancelled,  ///< options.progress was cancelled: the pipeline stopped early and `plan` is
               ///< empty; `reach` and `statistics` hold what was done. Write nothing.
};

struct PlanOutput {
  PlanStatus status = PlanStatus::kComplete;
  plan::Plan plan;
  reach::ReachMap reach;
  PlanStatistics statistics;
};

/// The travel model's error on the moves of the plan: for every robot, each travel move of its
/// motion (home → first weld, weld → weld, last weld → home) against what `travel` (or the
/// analytic estimate where it has no matrix) predicted for it. Drift is flagged when a learned
/// model's error exceeds its stored threshold. Each robot's source and fallback are its
/// matrix's; `requested` is options.travel_time, `kind` that where some robot's moves were
/// priced by it, else "analytic".
plan::TravelReport MeasureTravelError(const cell::Cell& cell,
                                      const collision::CollisionWorld& world,
                                      const reach::ReachMap& reach, const PlanOptions& options,
                                      const TravelMatrices& travel, const Allocation& allocation,
                                      const std::vector<motion::SequenceResult>& motions);

/// How many plans the weld-transfer and the route-start rounds may try together (`tries`), and
/// after how many route-start plans in a row not kept that round stops (`misses`). A try costs
/// about one motion-and-coordination step, whose work grows with the station (2026-12-04: S
/// 0.1-0.3 s, M 0.3-1.3 s, L 0.8-3 s), so a station of w welds gets 2400 / w tries, at least 6
/// and at most 40, and half of them (at least 3) as misses: S 40 / 20, M 30 / 15, L 16 / 8, XL
/// 6 / 3 (docs/allocation.md#route-starts: 960 / w before 2026-12-05).
struct RearrangeBudget {
  int tries = 0;
  int misses = 0;
};
RearrangeBudget RearrangeBudgetFor(std::size_t welds);

/// Plans the station. `world` must be built from `cell`. Never throws for unreachable welds or
/// failed motions: they are listed in plan.unreachable with the reason. Cancellation (through
/// options.progress, from any thread) is polled within every long stage; the pipeline then
/// returns kCancelled within about one unit of work (a weld's reach, an allocator iteration, a
/// robot's travel move, a coordination conflict search).
PlanOutput PlanCell(const cell::Cell& cell, const collision::CollisionWorld& world,
                    const PlanOptions& options = {});

}  // namespace weldcell::pipeline
