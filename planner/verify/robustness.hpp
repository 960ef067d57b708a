#pragma once
// Event-driven re-simulation of a plan's interlock zones and weld signals (docs/plan-format.md):
// what a controller running the plan's events does when its segments take other durations than
// planned. The plan's wait segments are what the events produced at the planned durations; the
// simulation drops them and derives every wait from the events again.
//
// Used by Verify() for three checks: the events reproduce the planned clock (nominal check), they
// never deadlock, and under random duration factors no two robots touch and every `after:` holds
// (robustness check, VerifyOptions::robustness_*).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "planner/cell/cell.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/plan/plan.hpp"
#include "planner/verify/verify.hpp"

namespace weldcell::verify {

/// A duration factor per robot of the plan and per segment of that robot (same shape as
/// plan.robots[p].segments; the factors of wait segments are not used). 1 = planned duration.
using DurationFactors = std::vector<std::vector<double>>;

/// One motion or weld segment on the re-timed clock: its samples keep their configurations, their
/// times become start + (t − t_planned_start) · factor.
struct RetimedSegment {
  int segment = 0;     ///< Index into RobotPlan::segments.
  double start = 0.0;  ///< s on the re-timed station clock.
  double end = 0.0;    ///< s.
  double factor = 1.0;
  bool operator==(const RetimedSegment&) const = default;
};

/// What a robot waits for at a standstill it cannot leave (see EventRun::blocked).
struct BlockedRobot {
  int robot = 0;       ///< Index into plan.robots.
  int segment = 0;     ///< The segment it waits to start (segments.size(): to finish).
  double since = 0.0;  ///< s: when it arrived there.
  /// "zone Z2 (not yet released by R2)", "weld signal W07 (not yet welded by R1)".
  std::vector<std::string> waits_for;
  bool operator==(const BlockedRobot&) const = default;
};

/// The result of one event-driven execution.
struct EventRun {
  /// Per robot of the plan: its motion and weld segments in order, as far as it got.
  std::vector<std::vector<RetimedSegment>> segments;
  std::vector<double> finish;  ///< s per robot: back home (meaningless when it is blocked).
  /// Robots that cannot proceed while others are unfinished: a deadlock when non-empty. A zone
  /// order inconsistent with the robots' programs and the weld signals (a cycle in the graph of
  /// program order, zone order and signal edges) shows up here: the simulation detects it.
  std::vector<BlockedRobot> blocked;
  bool deadlocked() const { return !blocked.empty(); }
  bool operator==(const EventRun&) const = default;
};

/// Simulates the events of `plan` with the segments' durations scaled by `factors` (empty: all
/// 1). Each robot executes its motion and weld segments in order. At the standstill where segment
/// k starts it (1) takes every zone whose use by it has acquire_segment == k, waiting until every
/// robot before it in the zone's `uses` has released it, and waits for every weld signal at k
/// until the weld's weld segment has ended; (2) moves along segment k; when it ends, releases
/// every zone whose release_segment == k + 1. Zone uses and signals that
/// are malformed (unknown robot, index not at a motion or weld segment, acquire not before
/// release) are left out; Verify reports them. Preconditions: every segment has samples,
/// factors (when given) has the plan's shape with positive entries. Thread-safe (pure).
EventRun SimulateEvents(const plan::Plan& plan, const DurationFactors& factors = {});

/// The factors of robustness run `run`: for each segment of each robot uniformly in
/// [1 − spread, 1 + spread], from SplitMix64 of (seed, run, robot, segment), so that any run can
/// be reproduced alone.
DurationFactors DrawFactors(const plan::Plan& plan, std::uint64_t seed, int run, double spread);

namespace internal {

/// rad (revolute) or m (prismatic): a configuration with a joint further than this beyond its
/// limits is not one the robot can take; the verifier reports the joint (kJointPosition) and does
/// not check collisions along motion through it (their cost grows with the joints' travel: a
/// hand-edited joint value of 1000 rad took 96 s of dense checks, 1e6 rad would take a day).
inline constexpr double kCheckableBeyondLimits = 0.1;

/// The first joint of `q` further than kCheckableBeyondLimits beyond its limits, or nullopt.
std::optional<int> JointBeyondCheckable(const kinematics::Chain& chain, const Eigen::VectorXd& q);

/// The happens-before order of a plan's events (docs/plan-format.md) that holds for EVERY choice
/// of segment durations: each robot's motion and weld segments in program order, plus an edge
/// from a zone's release by a robot to its acquisition by every later robot in the zone's order
/// and from the end of every weld segment at a weld to each start that waits for its signal,
/// closed transitively. Events of robot p: 2j = start of its j-th motion or weld segment
/// (`active[p][j]`), 2j + 1 = its end. Built from the same event model as SimulateEvents
/// (malformed zone uses and signals left out, as there).
struct SegmentOrder {
  std::vector<std::vector<int>> active;  ///< Per robot: its motion and weld segment indices.
  /// Per robot and active index j: starting segment j may wait for another robot (a zone taken
  /// after another robot's use, or a weld signal), so the robot may stand still before it for
  /// any time.
  std::vector<std::vector<bool>> gated;
  /// first[p][e][b]: the smallest active index l of robot b whose start event 2l follows event e
  /// of robot p for every timing (active[b].size() when none does).
  std::vector<std::vector<std::vector<int>>> first;
  /// Event e of robot p precedes event f of robot b (b != p) for every timing.
  bool Precedes(int p, int e, int b, int f) const { return f / 2 >= first[p][e][b]; }
};

/// The order of `plan`'s events, or nullopt when program order, zones and signals form a cycle
/// (a deadlock, which CheckEvents reports). Preconditions: as SimulateEvents. Thread-safe.
std::optional<SegmentOrder> OrderSegments(const plan::Plan& plan);

struct EventCheckResult {
  std::vector<Violation> violations;  ///< Deadlock, nominal timing, robustness, precedence.
  RobustnessFigures figures;
  ConcurrencyFigures concurrency;
};

/// Verify()'s event checks: deadlock and the nominal check on the planned durations, then
/// options.robustness_runs random runs checked for robot–robot contact (at `resolution`, with
/// CheckRobotPair on `world`, the verifier's; pairs of 0.1 s pieces that cannot touch at all,
/// decided once for all runs, are not checked: VerifyOptions::robustness_reuse) and `after:`
/// precedences of `cell`; and, without a deadlock, the exact concurrency check (concurrency.hpp,
/// VerifyOptions::concurrency_check).
/// `robot_of_plan[p]` is the cell robot of plan.robots[p]; runs only when every entry is valid and
/// the segments are well formed (otherwise Verify reports why and figures.runs stays 0).
/// Progress: kRobustnessStage, one unit per run; cancellation stops new runs.
EventCheckResult CheckEvents(const plan::Plan& plan, const cell::Cell& cell,
                             const collision::CollisionWorld& world,
                             const std::vector<int>& robot_of_plan, double resolution,
                             const VerifyOptions& options);

}  // namespace internal
}  // namespace weldcell::verify
