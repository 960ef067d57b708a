#pragma once
// The cycle-time breakdown of a plan: per robot the time it moves, welds, waits (and for what)
// and stands idle after finishing; the station's makespan against its cycle time; the critical
// robot (the one that finishes last) and why. Derived from the plan alone (its segments, zones
// and weld signals), so the command line, the HTML report and the viewer show the same figures.
//
// Units: s on the station clock. Thread safety: pure functions of their arguments.

#include <string>
#include <vector>

#include "planner/plan/plan.hpp"

namespace weldcell::plan {

enum class WaitCauseKind {
  kZone,        ///< Waiting for an interlock zone to be released.
  kWeldSignal,  ///< Waiting for a weld (of an `after:` list) to be welded.
};

/// s: the resolution the breakdown is shown at (0.01 s: summary, report.html) halved: a wait
/// shorter than this prints as 0.00 s. Such waits are counted, not listed
/// (RobotBreakdown::short_waits), unless nothing explains them.
inline constexpr double kShortestListedWait = 0.005;

/// One event a robot waits for at the standstill where a wait ends.
struct WaitCause {
  WaitCauseKind kind = WaitCauseKind::kZone;
  std::string id;           ///< Zone id ("Z1") or weld id.
  std::string robot;        ///< The robot waited for: the zone's last releasing user before this
                            ///< one, or the robot that welds the weld; empty when no robot welds
                            ///< it (a zone's first user does not wait for it: free_zones).
  double ready_time = 0.0;  ///< s: when that event lets the robot go (release, weld end).
  bool operator==(const WaitCause&) const = default;
};

/// A wait segment of a robot and the events that explain it.
struct WaitInterval {
  int segment = 0;  ///< Index into RobotPlan::segments.
  double start_time = 0.0;
  double end_time = 0.0;
  /// The zones whose use is acquired, and the weld signals waited for, at the standstill where
  /// the wait ends (the next motion or weld segment starts), latest ready_time first: the first
  /// one is the event the robot waited for last (the binding one). Empty when the plan names
  /// none there (a time offset).
  std::vector<WaitCause> causes;
  /// Zones acquired there too of which the robot is the first user: no robot holds them before
  /// it, so they are free from the cycle's start and hold nothing up (not causes).
  std::vector<std::string> free_zones;
  double duration() const { return end_time - start_time; }
  bool operator==(const WaitInterval&) const = default;
};

/// A robot's time, split. moving + welding + waiting = finish_time (its segments are contiguous
/// from 0) and finish_time + idle = the plan's makespan.
struct RobotBreakdown {
  std::string robot;
  double moving = 0.0;       ///< s in motion segments.
  double welding = 0.0;      ///< s in weld segments (gun close + weld + open).
  double waiting = 0.0;      ///< s in wait segments (interlock zones and weld signals).
  double idle = 0.0;         ///< s: makespan − finish_time (done, waiting for the station).
  double finish_time = 0.0;  ///< s: back home (RobotPlan::finish_time).
  int welds = 0;
  /// Wait segments of at least kShortestListedWait, and shorter ones that no zone or weld signal
  /// explains (a time offset, however short, fails a requirement), in time order.
  std::vector<WaitInterval> waits;
  int short_waits = 0;         ///< The other wait segments longer than 0 (shorter than 5 ms).
  double short_waiting = 0.0;  ///< s: their sum (part of `waiting`).
  double busy() const { return moving + welding; }
  bool operator==(const RobotBreakdown&) const = default;
};

/// Seconds one robot waited for one cause (summed over its listed waits, each wait counted for
/// its binding cause only, or as unexplained).
struct WaitShare {
  WaitCauseKind kind = WaitCauseKind::kZone;
  std::string id;     ///< Zone or weld id; empty: waits the plan's events do not explain.
  std::string robot;  ///< The robot waited for (may be empty).
  double seconds = 0.0;
  bool operator==(const WaitShare&) const = default;
};

struct CycleBreakdown {
  double makespan = 0.0;
  double cycle_time = 0.0;
  double slack = 0.0;                  ///< cycle_time − makespan (negative: over the cycle time).
  std::vector<RobotBreakdown> robots;  ///< In plan order.
  int critical = -1;  ///< Index into `robots` of the robot that finishes last (first on ties);
                      ///< −1 when the plan has no robot or none moves.
  /// The critical robot's waits by cause, largest first.
  std::vector<WaitShare> critical_waits;
  /// Why that robot is critical, for people: "R1 finishes last at 33.72 s: busy 22.98 s
  /// (moving 15.31 s, welding 7.67 s) and waiting 10.74 s — 10.74 s for zone Z1 (R2)", its
  /// short waits counted after the shares ("and 1 wait under 0.01 s").
  std::string critical_reason;
  bool operator==(const CycleBreakdown&) const = default;
};

/// The makespan's excess over the allocation's estimate, split on the critical robot (whose
/// finish time is the makespan): overhead = travel + waiting + route. Travel is what a better
/// travel model would remove; the interlock waits are what coordination adds (waits for weld
/// signals, the cell's `after:`, the estimate already counts where the allocator foresaw them).
struct OverheadSplit {
  std::string robot;      ///< The critical robot; empty when the plan has none.
  double estimate = 0.0;  ///< s: the allocation's makespan estimate.
  double overhead = 0.0;  ///< s: makespan − estimate.
  /// s: its travel moves (home and weld to weld) as planned − as priced
  /// (TravelRobotError::planned_seconds − predicted_seconds); 0 when the plan has no travel
  /// report for the robot.
  double travel = 0.0;
  double waiting = 0.0;         ///< s: all its waits (interlock zones and weld signals).
  double signal_waiting = 0.0;  ///< s: the part of `waiting` whose binding cause is a weld signal.
  /// s: overhead − travel − waiting: its busy time at the allocator's travel prices against the
  /// estimate — the route the kept allocation gave it (conflict-aware re-allocation may
  /// lengthen it on purpose), its approaches, retracts and welds against their estimates, and
  /// minus the signal waits the estimate foresaw.
  double route = 0.0;
  std::string travel_source;  ///< TravelRobotError::source ("analytic", "learned …"); may be empty.
  /// Other robots that finish within kNearCritical of the makespan: their split may tell
  /// another story.
  std::vector<std::string> near_critical;
};

/// s: how close to the makespan another robot's finish counts as near-critical.
inline constexpr double kNearCritical = 0.05;

/// Splits makespan − `estimate` (s) on `breakdown`'s critical robot with the travel report of
/// the same plan. Without a critical robot or an estimate (≤ 0: nothing planned), every part is
/// 0 and `robot` empty: there is nothing to split.
OverheadSplit SplitOverhead(const CycleBreakdown& breakdown, const TravelReport& travel,
                            double estimate);

/// "+6.59 s on R3: travel moves +4.27 s against their prices (analytic), waits 0.78 s, route
/// at those prices +1.54 s against the estimate", with "(of them 2.00 s for weld signals, which
/// the estimate counts in part)" after the waits when there are such, and "; R2 finishes within
/// 0.05 s too" for near-critical robots; empty without a critical robot.
std::string Describe(const OverheadSplit& split);

/// Breaks `plan` down. Never throws; indices of zones and signals that point outside a robot's
/// segments (a malformed plan, which verify reports) are ignored.
CycleBreakdown BreakDown(const Plan& plan);

/// "zone Z1 (R2)", "weld W07 (welded by R2)" or, for an empty id, "no zone or weld signal (a
/// time offset)".
std::string Describe(const WaitShare& share);

/// The breakdown for people: a table header and one line per robot, then the makespan against
/// the cycle time and the critical robot's reason.
std::vector<std::string> BreakdownLines(const CycleBreakdown& breakdown);

}  // namespace weldcell::plan
