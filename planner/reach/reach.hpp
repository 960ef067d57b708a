#pragma once
// Reachability: for every weld and every robot, the configurations that put the gun on the weld
// (IK branch × gun spin about the normal × tilt), each within the joint limits, collision-free
// for robot + gun against everything, with a clear approach along the normal — or the reason
// none does.
//
// Thread safety: ReachAll runs on several threads internally; its result does not depend on the
// thread count (per-weld work, merged by index).

#include <Eigen/Core>
#include <functional>
#include <string>
#include <vector>

#include "planner/cell/cell.hpp"
#include "planner/common/progress.hpp"

namespace weldcell::collision {
class CollisionWorld;
}
namespace weldcell::kinematics {
class Chain;
}

namespace weldcell::reach {

/// One way for a robot to weld a spot.
struct Candidate {
  Eigen::VectorXd q;           ///< At the weld (TCP on the weld point).
  Eigen::VectorXd q_approach;  ///< TCP backed off along the normal by the approach distance
                               ///< (equal to q when the tool has none).
  double spin = 0.0;           ///< rad about the normal (see weld_frame.hpp).
  double tilt = 0.0;           ///< rad of the gun axis from −n.
  int branch = -1;             ///< IK branch (shoulder/elbow/wrist) the solver reported.
  double clearance = 0.0;      ///< m from robot + gun to the nearest obstacle at q.
  /// s: how far q is from the robot's working posture for this weld, Σ_j |q_j − r_j| / v_j over
  /// the joints (v = velocity limits), where r is the home with joint 1 turned so that the arm
  /// faces the weld (see WorkingPosture). Low = near home and facing the weld; reaching over the
  /// robot's head, a wrist flip or an extra turn of a joint costs seconds.
  double posture = 0.0;
  /// The run of consecutive sampled spins (at settings.reach.spin_step, wrapping on a full
  /// turn) with a candidate that this candidate's spin belongs to, numbered from 0 per weld
  /// and robot: the gun turns from one spin of a run to another through free poses, while
  /// between runs it would pass through blocked spins (e.g. a C gun wrapped around a flange
  /// must leave it).
  int spin_window = 0;
  bool operator==(const Candidate&) const = default;
};

/// Why a robot cannot weld a spot, from the farthest stage any pose got to.
enum class ReachStatus {
  kReachable,
  kOutOfRange,  ///< No IK solution at all, at any spin/tilt.
  /// IK solutions exist but none within the joint limits; the detail names the joint and value
  /// the nearest pose beyond them that is clear of the obstacles needs (its own links are not
  /// checked there: the planner's self pairs assume poses within the limits).
  kJointLimits,
  /// Every pose within the limits collides, or, where no pose is within them, every pose
  /// beyond them too (the detail names the objects, most poses first).
  kCollision,
  kApproachBlocked,  ///< Poses are free at the weld but the approach along the normal is not.
  kTooClose,         ///< Free, but closer to an obstacle than settings.reach.min_clearance.
};

std::string_view ToString(ReachStatus status);

struct WeldReach {
  ReachStatus status = ReachStatus::kOutOfRange;
  std::string detail;  ///< e.g. "R1/gun – clamp_1 (17 poses), R1/link_3 – body (3)".
  /// In pose order (spin, then tilt), then IK order: each branch with its revolute joints at
  /// the turn nearest the robot's home, then the next nearest turns (a bounded few, see
  /// kinematics::IkRequest::include_2pi_equivalents), however wide the limits.
  std::vector<Candidate> candidates;
  bool operator==(const WeldReach&) const = default;
};

/// weld × robot table.
class ReachMap {
 public:
  ReachMap() = default;
  ReachMap(int weld_count, int robot_count)
      : weld_count_(weld_count),
        robot_count_(robot_count),
        entries_(static_cast<std::size_t>(weld_count * robot_count)) {}
  int weld_count() const { return weld_count_; }
  int robot_count() const { return robot_count_; }
  const WeldReach& at(int weld, int robot) const { return entries_[Index(weld, robot)]; }
  WeldReach& at(int weld, int robot) { return entries_[Index(weld, robot)]; }
  /// True when at least one robot reaches the weld.
  bool reachable(int weld) const;
  bool operator==(const ReachMap&) const = default;

 private:
  std::size_t Index(int weld, int robot) const {
    return static_cast<std::size_t>(weld * robot_count_ + robot);
  }
  int weld_count_ = 0;
  int robot_count_ = 0;
  std::vector<WeldReach> entries_;
};

struct ReachOptions {
  int threads = 0;  ///< 0 = one per hardware thread.
  /// Reports kReachStage (welds done, welds in total) after each weld. Polled between welds:
  /// once cancelled, no new weld starts and ReachAll returns the incomplete map (welds not
  /// done keep a default entry: kOutOfRange, no candidates), which the caller must discard.
  Progress progress;
  /// When set, only the (weld, robot) pairs it returns true for are computed; the others keep a
  /// default entry (kOutOfRange, no candidates, detail "not computed"). For callers that need a
  /// few robots' reach of a few welds each (the station generator's placement search). Called
  /// from the worker threads: it must be safe to call concurrently.
  std::function<bool(int weld, int robot)> pairs;
  /// When false, a pose's clearance is measured only up to settings.reach.min_clearance
  /// (collision::DistanceRequest::max_distance): statuses, details and which candidates there
  /// are stay the same, but a candidate farther than min_clearance from every obstacle gets
  /// Candidate::clearance = min_clearance (a lower bound) instead of its distance. Much cheaper
  /// (no distance query at all when min_clearance is 0), for callers that only use which poses
  /// reach (the station generator); the allocator's ranking needs the exact clearance.
  bool exact_clearance = true;
  /// 0: every candidate. n > 0: a weld and robot's search stops at its first n candidates (in
  /// pose order), for callers that only need the status (n = 1: whether a robot reaches a
  /// weld); statuses and details are the same.
  int max_candidates = 0;
};

/// Reach of every weld by every robot. Uses cell.settings.reach (spin step, tilt step,
/// min_clearance) and settings.motion.resolution (approach checks). `world` must be built from
/// the same cell.
ReachMap ReachAll(const cell::Cell& cell, const collision::CollisionWorld& world,
                  const ReachOptions& options = {});

/// The working posture of the arm `chain` with home `home` (rad) for a weld at p_B (m, in the
/// chain's base frame): the home with joint 1 turned (by at most half a turn, the nearest way) so
/// that the shoulder — the origin of the link after joint 2, or the flange when that lies on the
/// axis of joint 1 — points at the weld seen from above. The home itself when joint 1 is not
/// revolute about an axis near the base's z or the arm has no horizontal offset. Candidate::posture
/// is measured from it.
Eigen::VectorXd WorkingPosture(const kinematics::Chain& chain, const Eigen::VectorXd& home,
                               const Eigen::Vector3d& p_B);

/// The candidates offered to the allocator for one weld and robot: up to `k` indices into
/// `candidates` (a WeldReach's), in the order chosen:
///  1. only the spin window (Candidate::spin_window) of the candidate nearest the working
///     posture (lowest Candidate::posture, then the clearest, then the first), so that no two
///     offered spins are separated by blocked spins: changing between them is a turn through
///     free poses, which the allocator's joint-time estimate prices; a C gun wrapped around a
///     flange would have to leave it to cross blocked spins, which the estimate cannot price;
///  2. the best (by posture, then clearance) of every IK branch in that window, branches by
///     their best's posture;
///  3. the remaining slots shared out over the branches in that order, halving (the first gets
///     half, the next half of the rest, …), each branch taking the candidate whose spin is
///     farthest from the spins it offers already (spread over the free range; ties by posture).
/// Every candidate taken is at least 0.3 rad (max-norm over the joints) from every one taken
/// before. Used by the pipeline and by the learned model's training data, which must see the
/// same choices.
std::vector<int> DiverseCandidates(const std::vector<Candidate>& candidates, int k);

}  // namespace weldcell::reach
