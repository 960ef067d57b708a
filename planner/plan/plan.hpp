#pragma once
// The Plan: what weldcell decided for a station (assignment, order, chosen configurations,
// timed trajectories, interlocks, timings, verdict). A plain value type, written to and read
// from plan.json (docs/plan-format.md). It holds sampled trajectories rather than the
// planner's internal representation, so that the verifier re-checks exactly what a controller
// would be given, sharing no shortcut with the planner.

#include <Eigen/Core>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "planner/cell/cell.hpp"

namespace weldcell::plan {

/// A chosen weld configuration.
struct WeldVisit {
  std::string weld_id;
  Eigen::VectorXd q;        ///< Joint values at the weld (rad / m).
  double spin = 0.0;        ///< rad: gun rotation about the weld normal.
  double tilt = 0.0;        ///< rad: gun axis deviation from the normal.
  double start_time = 0.0;  ///< s: the gun reaches the weld (dwell starts).
  double end_time = 0.0;    ///< s: the gun leaves the weld (dwell ends).
  bool operator==(const WeldVisit&) const = default;
};

enum class SegmentKind { kMotion, kWeld, kWait };

/// A piece of a robot's timeline, sampled: times[k] (s, absolute on the station clock) and the
/// configuration q[k] there. Consecutive samples are close enough that linear interpolation in
/// joint space deviates from the executed motion by far less than the collision resolution.
struct Segment {
  SegmentKind kind = SegmentKind::kMotion;
  std::string from;  ///< Weld id or "home".
  std::string to;    ///< Weld id or "home".
  std::vector<double> times;
  std::vector<Eigen::VectorXd> q;
  bool operator==(const Segment&) const = default;
};

/// One robot's use of an interlock zone. Both indices point into RobotPlan::segments, at motion
/// or weld segments (never at wait segments), acquire_segment < release_segment.
/// Event semantics (what a controller runs, docs/plan-format.md): at the standstill where segment
/// `acquire_segment` starts, the robot waits until every robot before it in the zone's order has
/// released the zone, then takes it; it releases the zone when it starts segment
/// `release_segment` (it has left the last configuration that conflicts), or, when
/// release_segment == segments.size(), when it is back home at the end of its timeline.
struct ZoneUse {
  std::string robot;
  int acquire_segment = 0;
  int release_segment = 0;
  /// Released when the robot moves on from the standstill after segment release_segment − 1
  /// (starts its next motion or weld segment, or finishes), not as it arrives there.
  bool release_on_departure = false;
  double acquire_time = 0.0;  ///< s on the planned clock: starts segment acquire_segment.
  double release_time = 0.0;  ///< s on the planned clock: starts release_segment (or finishes).
  bool operator==(const ZoneUse&) const = default;
};

/// An interlock zone: a mutex over motions of different robots that sweep intersecting space.
/// `uses` lists the robots in the order they take the zone (at least two, one use per robot);
/// each waits for the release of the one before it. Whatever the segments' durations, no two
/// robots are inside the zone at once.
struct Zone {
  std::string id;  ///< "Z1", "Z2", …
  std::vector<ZoneUse> uses;
  bool operator==(const Zone&) const = default;
};

/// A weld's `after:` as an event: at the standstill where segment `segment` of `robot` starts
/// (a motion or weld segment), the robot waits until weld `weld` has been welded (the end of
/// its weld segment, whichever robot welds it).
struct WeldSignal {
  std::string robot;
  int segment = 0;
  std::string weld;
  bool operator==(const WeldSignal&) const = default;
};

struct RobotPlan {
  std::string robot;
  std::vector<WeldVisit> welds;   ///< In execution order.
  std::vector<Segment> segments;  ///< Contiguous in time, from home back to home.
  double busy_time = 0.0;         ///< s moving or welding.
  double wait_time = 0.0;         ///< s waiting (interlock zones and weld signals).
  double finish_time = 0.0;       ///< s: back home.
  bool operator==(const RobotPlan&) const = default;
};

struct UnreachableWeld {
  std::string weld_id;
  std::string reason;
  bool operator==(const UnreachableWeld&) const = default;
};

/// How well the allocator's travel times foretold the travel moves the plan then made, per
/// robot (monitoring of the learned model, docs/learned.md), and what priced them. Optional in
/// the file.
struct TravelRobotError {
  std::string robot;
  std::string source;  ///< What priced its moves: "analytic", "learned <model name>" or "exact".
  /// Why `source` is not what was requested (TravelReport::requested), in the words of the
  /// warning weldcell printed (no model applies, the model was refused on this station), naming
  /// the fallback; empty when the request was met.
  std::string fallback;
  int moves = 0;                  ///< Travel moves compared (home and weld to weld).
  double planned_seconds = 0;     ///< s: Σ of their planned durations.
  double predicted_seconds = 0;   ///< s: Σ of what `source` predicted for them.
  double error_pct = 0;           ///< Σ|predicted − planned| / Σ planned × 100.
  double analytic_error_pct = 0;  ///< The same for the analytic estimate.
  /// The threshold of the model that priced the moves; none without a model.
  std::optional<double> drift_threshold_pct;
  bool drifted = false;  ///< error_pct > *drift_threshold_pct.
  bool operator==(const TravelRobotError&) const = default;
};

struct TravelReport {
  /// How the allocator priced travel moves: "learned" or "exact" when that priced some robot's
  /// moves (each robot's `source` says which), "analytic" when the analytic estimate priced
  /// every robot's; empty = not reported.
  std::string kind;
  /// What was asked for (`--travel-time`): "analytic", "learned" or "exact"; empty in plans
  /// written before it was recorded (2026-12-06).
  std::string requested;
  std::vector<TravelRobotError> robots;
  bool operator==(const TravelReport&) const = default;
};

struct Plan {
  std::string format = "weldcell-plan/2";
  std::string cell_name;
  std::string cell_hash;  ///< CellHash() of the cell it was planned for.
  std::uint64_t seed = 0;
  double cycle_time = 0.0;
  double makespan = 0.0;
  /// True when every weld of the cell is planned (`unreachable` empty) and makespan <=
  /// cycle_time: the station's whole work fits the cycle.
  bool within_cycle_time = false;
  std::vector<RobotPlan> robots;
  /// The waits of the planned clock (wait segments) are what these events produce with the
  /// planned durations; a controller runs the events, not the waits.
  std::vector<Zone> zones;
  std::vector<WeldSignal> weld_signals;
  std::vector<UnreachableWeld> unreachable;
  TravelReport travel;  ///< Written as "travel_time" when travel.kind is set.
  bool operator==(const Plan&) const = default;
};

/// Serialises a plan as JSON with a stable key order: same plan ⇒ same bytes.
std::string ToJson(const Plan& plan);

/// Parses plan JSON. Throws weldcell::InputError naming `file` (and the JSON line/column or key
/// path) when it is malformed or of another format version, lists a robot twice, or has a zone
/// use or weld signal of a robot it does not list. With `cell` (the cell the caller will use it
/// with) and a plan made for it (its cell hash, plan::CellHash with the plan's seed; another
/// cell's plan is left to the caller's hash check, e.g. exporters::CheckPlanOfCell), also where
/// the plan does not fit the cell: a robot the cell does not have, a joint vector whose size is
/// not the robot's dof, a weld id the cell does not have. So `verify`, `export` and the viewer
/// refuse a hand-broken plan at its file:line:col instead of reporting violations.
Plan PlanFromJson(const std::string& text, const std::string& file,
                  const cell::Cell* cell = nullptr);

}  // namespace weldcell::plan
