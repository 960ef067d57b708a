#pragma once
// Collision-free joint-space paths for one robot between two configurations: first the direct
// move; when that collides, OMPL's RRTConnect; then deterministic shortcutting that keeps the
// path collision-free. Every motion is checked at a resolution stated as Cartesian travel of
// any robot point (collision::CheckJointSegment), never as a fraction of joint space.
//
// Determinism: the same world, robot, request and seed give the same path, on any thread and
// whatever was planned before (our own seeded sampler, a linear nearest-neighbour structure, no
// use of OMPL's global random numbers). A query that times out may succeed on a faster machine:
// the time limit is a safety net, the iteration limits are what make results reproducible.
//
// Thread safety: a SegmentPlanner is used by one thread at a time; make one per thread and
// robot. The CollisionWorld is shared const.

#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <numbers>
#include <string>
#include <vector>

namespace weldcell::collision {
class CollisionWorld;
class CollisionContext;
}  // namespace weldcell::collision

namespace weldcell::motion {

/// Which of the sampling-based attempts (SegmentRequest) a query runs. The straight move is
/// always tried first. kFull is kNear followed by kWide, with the same results as the two run
/// one after the other on the same request: a caller can try several goals cheaply first and
/// search wider only when none was found (PlanWeldSequence).
enum class SegmentSearch {
  kFull,    ///< All three attempts.
  kNear,    ///< Only the first attempt (joints near their ends).
  kWide,    ///< Only the second and third attempts (whole ranges, then eight times the budget).
  kWhole,   ///< Only the second attempt (whole ranges, the first budget).
  kLong,    ///< Only the third attempt (whole ranges, another seed, eight times the budget).
  kDirect,  ///< Only the straight move (kNoPathFound when it collides).
};
std::string_view ToString(SegmentSearch search);

struct SegmentRequest {
  Eigen::VectorXd start;
  Eigen::VectorXd goal;
  double resolution = 0.005;  ///< m of travel of any robot point between collision checks.
  std::uint64_t seed = 1;
  /// Sampling-based planning runs at most three times: with these limits, every joint drawn near
  /// its ends (kNearWindowMargin); with these limits from the whole ranges; then with another
  /// seed and eight times both. The extension budget is what makes results reproducible; the
  /// time is a safety net that should not bind.
  double max_planning_time = 10.0;  ///< s per first attempt.
  int max_planner_states = 5000;    ///< Tree extensions per first attempt.
  /// Random shortcut attempts after planning and greedy pruning. Each adds two corners, which
  /// the time parameterization must slow down for: 8 gave shorter motions than 60 (1.86 s vs
  /// 1.98 s mean on the demo station) in a fifth of the time.
  int shortcut_iterations = 8;
  SegmentSearch search = SegmentSearch::kFull;  ///< Which of the attempts above run.
  /// Text added to failure messages so that a failure can be reproduced (e.g. the cell hash).
  std::string context;
};

/// Sampling window of the sampling-based planner (see SamplingBounds in the .cpp and
/// docs/motion.md): a revolute joint whose range spans more than kWideJointRange (rad; three
/// turns — the widest shipped range, FANUC J6 ±450°, spans 2.5) is sampled only within
/// [min(start, goal) − kSamplingWindowMargin, max(start, goal) + kSamplingWindowMargin] ∩ limits.
/// A path never needs to wind a joint more than a turn beyond both of its ends: the arm passes
/// through every wrist angle on the way. Narrower ranges are sampled whole, as before.
inline constexpr double kWideJointRange = 6.0 * std::numbers::pi;
inline constexpr double kSamplingWindowMargin = 2.0 * std::numbers::pi;
/// The first attempt draws every revolute joint from
/// [min(start, goal) − kNearWindowMargin, max(start, goal) + kNearWindowMargin] ∩ limits; only the
/// later attempts draw from the ranges above. Drawn from whole ranges, wrist joints wander: on
/// station M, moves whose ends differ by 30° in J4 and 60° in J6 turned them 320° and 530° on
/// the way, sweeping the C gun through every neighbour's work (every piece of the other robots
/// then conflicted with such a move, and coordination had to run the robots one after another).
inline constexpr double kNearWindowMargin = std::numbers::pi / 2;

enum class SegmentStatus {
  kSolved,
  kStartInCollision,  ///< In contact, or nearer than the swept margin (segment_check.hpp).
  kGoalInCollision,   ///< As kStartInCollision.
  kNoPathFound,       ///< The planner ran out of time or states.
};
std::string_view ToString(SegmentStatus status);

struct SegmentResult {
  SegmentStatus status = SegmentStatus::kNoPathFound;
  /// Waypoints from start to goal (both included); consecutive waypoints are joined by straight
  /// joint-space lines, each verified collision-free at the request's resolution.
  std::vector<Eigen::VectorXd> path;
  bool direct = false;     ///< The straight move was free (no sampling-based planning).
  int planner_states = 0;  ///< Tree extensions RRTConnect tried (0 when direct).
  /// Solved by the second or third attempt (the wider searches), not by the first.
  bool wide = false;
  /// Failures: what went wrong and how to reproduce it (seed, start, goal, context).
  std::string message;
  bool solved() const { return status == SegmentStatus::kSolved; }
};

class SegmentPlanner {
 public:
  /// Prepares the OMPL space for `robot` of `world` (joint limits as bounds, windowed per query
  /// for joints of many turns: kWideJointRange).
  SegmentPlanner(const collision::CollisionWorld& world, int robot);
  ~SegmentPlanner();
  SegmentPlanner(const SegmentPlanner&) = delete;
  SegmentPlanner& operator=(const SegmentPlanner&) = delete;
  SegmentPlanner(SegmentPlanner&&) noexcept;
  SegmentPlanner& operator=(SegmentPlanner&&) noexcept;

  /// Plans start → goal. Never throws for unreachable goals: the status says why.
  SegmentResult Plan(const SegmentRequest& request);

  /// Checks a path's straight pieces at `resolution`; true when all are free (used after
  /// shortcutting and by callers that modify paths).
  bool PathIsFree(const std::vector<Eigen::VectorXd>& path, double resolution);

  int robot() const;
  collision::CollisionContext& context();

  struct Impl;  // OMPL and FCL stay out of this header

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace weldcell::motion
