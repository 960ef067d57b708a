#pragma once
// The timed motion of one robot through an ordered list of welds: from home, for each weld
// retract from the previous weld along its normal, travel (direct or planned, blended where the
// blend stays collision-free), approach along the normal, dwell for close + weld + open; then
// back home. Every motion is collision-checked at the Cartesian resolution.

#include <Eigen/Core>
#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "planner/common/progress.hpp"
#include "planner/motion/segment_planner.hpp"
#include "planner/motion/time_parameterization.hpp"
#include "planner/motion/trajectory.hpp"

namespace weldcell::motion {

/// A way to weld: the configuration at the weld and the one backed off along its normal.
struct WeldPose {
  Eigen::VectorXd q;           ///< At the weld.
  Eigen::VectorXd q_approach;  ///< Backed off along the normal (== q when there is none).
};

/// One weld as the motion planner sees it: where to stand, where to approach from, how long.
struct WeldStop {
  std::string id;
  Eigen::VectorXd q;           ///< At the weld.
  Eigen::VectorXd q_approach;  ///< Backed off along the normal (== q when there is none).
  double dwell = 0.0;          ///< s: gun close + weld + open.
  /// Other ways to weld it (other IK branches or gun spins), tried in order when no motion
  /// reaches q_approach: a C gun's approach pose can sit in a pocket of the part that the
  /// planner cannot enter from where the robot stands, while another spin is open. Each must
  /// satisfy the same precondition as q/q_approach (see PlanWeldSequence).
  std::vector<WeldPose> alternatives;
  /// Another robot can weld it too: when no pose is reached, the long search (SegmentSearch::
  /// kLong, eight budgets per pose) is not spent on it, since the caller re-allocates a skipped
  /// weld to a robot that reaches it (on XL the long searches of such welds doubled the motion
  /// stage, 75 → 142 s, and saved none). False: the weld's last chance, every pose searched long.
  bool others_reach = false;
};

struct SequenceRequest {
  Eigen::VectorXd home;
  std::vector<WeldStop> stops;
  JointLimits limits;
  TimingOptions timing;             ///< speed scale; blend_tolerance for the travel moves.
  double resolution = 0.005;        ///< m (see SegmentRequest).
  std::uint64_t seed = 1;           ///< Each travel move gets a seed derived from it and its index.
  double max_planning_time = 10.0;  ///< s (see SegmentRequest).
  int max_planner_states = 5000;    ///< Tree extensions per first attempt (see SegmentRequest).
  std::string context;              ///< Added to failure messages (e.g. cell hash).
  /// Polled before each stop (nothing is reported): once cancelled, PlanWeldSequence returns
  /// the trajectory so far, without the rest of the stops and without the way home; the caller
  /// must discard it.
  Progress progress;
  /// Optional, shared by the sequences of several robots planned at once: every skipped stop
  /// (the way home included) adds one, and once it exceeds `max_skipped_total` each sequence
  /// gives up as if cancelled (`SequenceResult::abandoned`; discard the result). A caller that
  /// only wants plans with at most that many skipped stops saves the searches of the rest.
  std::atomic<int>* skipped_total = nullptr;
  int max_skipped_total = std::numeric_limits<int>::max();
  /// Optional: a free path (waypoints, rad; from start to goal, checked) for the travel move
  /// start → goal that was already planned as this sequence plans its travel moves
  /// (PlanTravelMove at this request's resolution, limits and timing, in the same world), or
  /// null. Such a move is not planned again and is tried before any search: the path is timed
  /// as PlanTravelMove times it, so it takes exactly the time it was priced at (the `exact`
  /// travel model's paths, which may come from the whole-range searches). Not used for moves
  /// from the retreat pose. It counts among planned_moves (direct_moves when it is the straight
  /// move) with no planner states.
  std::function<const std::vector<Eigen::VectorXd>*(const Eigen::VectorXd& start,
                                                    const Eigen::VectorXd& goal)>
      known_path;
};

struct SkippedStop {
  int index = 0;  ///< Into request.stops.
  std::string reason;
};

/// A travel move as it was run: its free path (waypoints, rad) from start to goal.
struct TravelPath {
  Eigen::VectorXd start, goal;
  std::vector<Eigen::VectorXd> waypoints;  ///< ≥ 2; front() == start, back() == goal.
};

struct SequenceResult {
  RobotTrajectory trajectory;
  /// Every travel move that was run, in order (the way home included; one through the
  /// retreat pose from where the robot stood): what a later sequence with the same moves may
  /// run again without planning (SequenceRequest::known_path).
  std::vector<TravelPath> travel_paths;
  /// Stops that could not be reached by a collision-free motion (their travel failed with the
  /// stop's own pose and with every alternative); the trajectory skips them and carries on
  /// from where it stood.
  std::vector<SkippedStop> skipped;
  /// [stop] → −1 when welded in the stop's own pose (or skipped), else the index into its
  /// alternatives of the pose it is welded in.
  std::vector<int> alternative_used;
  int direct_moves = 0;     ///< Travel moves that were the straight joint-space line.
  int planned_moves = 0;    ///< Travel moves that needed the sampling-based planner.
  int unblended_moves = 0;  ///< Planned moves whose blends collided and were timed exactly.
  /// Tree extensions of every sampling-based search run (SegmentResult::planner_states), and
  /// of those that found no path: the deterministic measure of the planning effort.
  std::int64_t planner_states = 0;
  std::int64_t failed_planner_states = 0;
  int failed_searches = 0;  ///< Searches (one pose, near or wide) that found no path.
  /// Travel moves that went back the way the robot came (to where it stood before its last
  /// planned move) and on from there, because no search from where it stood reached the
  /// stop (or home). Counted among planned_moves.
  int retreats = 0;
  /// Stopped early because SequenceRequest::skipped_total exceeded its maximum: the trajectory
  /// and `skipped` are partial.
  bool abandoned = false;
};

/// A move whose straight line collides is planned up to kTravelPlans times (the request's seed,
/// then seeds derived from it) and the fastest timed path is kept; after kTravelPlansFirst
/// attempts (an attempt that finds no path counts), no more when every plan that found a path
/// is within kTravelPlansAgree of the fastest.
/// Sampling-based paths of one move differ: on the demo station two seeds' durations differ by
/// 12 % on average, the best of three of two seed sets by 3.6 %, and the best of three is 7 %
/// faster than one plan (bench/planner/motion BM_SeedSpread). Repeatable durations are what the
/// allocator's travel times and the learned model (docs/learned.md) can predict. Up to six
/// rather than three (2026-12-01): on S, M and L at four, four and three seeds 10 of 11 plans
/// came out shorter (mean makespan −3.4 %), with about the CPU time of three for a whole
/// station (L; docs/motion.md). A data file's or model's `travel_plans` records kTravelPlans,
/// not the stop rule.
inline constexpr int kTravelPlans = 6;
inline constexpr int kTravelPlansFirst = 3;
inline constexpr double kTravelPlansAgree = 0.05;  ///< Of the fastest plan's duration.

/// PlanWeldSequence joins a stop's pose to the pocket of a skipped stop's pose when the
/// straight move between their approach configurations is free and no joint differs by more
/// than this (rad; nearer poses only, so that the check stays cheap).
inline constexpr double kPocketLink = 0.5;

/// One travel move as PlanWeldSequence makes it: the segment path (direct, or the fastest of
/// up to kTravelPlans plans when the first plan was found within the request's first budget), timed
/// with blends where the blends are collision-free, else exactly along the path.
struct TravelMove {
  SegmentResult path;      ///< The planner's answer; profile is empty unless path.solved().
  MotionProfile profile;   ///< The timed motion (duration() = the travel time, s).
  bool unblended = false;  ///< Blends were tried, collided, and the path was timed exactly.
  int planner_states = 0;  ///< Tree extensions of all its plans (path's are those of one).
  /// s: the timed duration of every plan that found a path, in the order made (one for a
  /// direct move, one only the wider searches solved, one whose first plan exceeded the
  /// request's budget, or one run from SequenceRequest::known_path; empty when the first plan
  /// found no path).
  std::vector<double> plan_durations;
};

/// Plans and times start → goal (segment.start, segment.goal) the way PlanWeldSequence times
/// its travel moves: the planner's path, blended with `timing` when it has corners and the arcs
/// are free, else exact. Used by PlanWeldSequence and by whatever must predict its durations
/// (planner/learned). Same thread-safety as SegmentPlanner::Plan.
TravelMove PlanTravelMove(SegmentPlanner& planner, const SegmentRequest& segment,
                          const JointLimits& limits, const TimingOptions& timing);

/// Plans the whole sequence. Precondition: planner was made for this robot; every stop's q and
/// q_approach, and those of its alternatives, are collision-free and the line between them too
/// (reach guarantees it). A stop no travel reaches in any of its poses is skipped.
///
/// Searches, cheapest first (SegmentSearch): every pose of a stop (its own, then the
/// alternatives) with the near search; when none is reached, the same from the retreat pose —
/// where the robot stood before its last planned (not straight) travel move, or home — the
/// motion then going back the way the robot came and on from there (SequenceResult::retreats);
/// only when none is reached, every pose again (the own one first) with the whole-range search
/// from where the robot stands (not the third attempt of eight times the budget): the own pose
/// may lie in a pocket while an alternative is open but hard to find (on a generated station the
/// near search found the open poses two times in three, the whole-range one seven in eight).
/// A pose whose approach
/// configuration is joined by a free straight move (no joint differing by more than kPocketLink)
/// to that of a pose of a skipped stop is only tried directly: every start of the sequence is
/// connected to home, so it could only be reached if that pose could. The return home gets
/// all three attempts; with a retreat pose, the near search first, then all three from the
/// retreat pose, then the wider two from where the robot stands. A move that
/// `request.known_path` knows is run as known, before any search. Deterministic: the same
/// request gives the same result.
SequenceResult PlanWeldSequence(SegmentPlanner& planner, const SequenceRequest& request);

/// The sequence run backwards: the motion of the request with its stops in reverse order,
/// without planning (RobotTrajectory::Reversed: the same configurations, so as free of
/// collisions, and the same joint speeds and accelerations, so within the limits). Approaches
/// and retracts trade places: both run along the weld's normal. Precondition (WELDCELL_CHECK):
/// nothing skipped, not abandoned.
SequenceResult Reversed(const SequenceResult& sequence);

/// True when every blend arc of `profile` is collision-free at `resolution` (lines are the
/// planner's already-checked pieces and are skipped).
bool BlendsAreFree(SegmentPlanner& planner, const MotionProfile& profile, double resolution);

}  // namespace weldcell::motion
