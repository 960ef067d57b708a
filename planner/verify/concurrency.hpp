#pragma once
// The exact concurrency check: robot–robot contact for EVERY timing, not for sampled ones.
//
// From the plan's events (program order, interlock zones, weld signals: SegmentOrder of
// robustness.hpp) it takes every pair of pieces of two robots' timelines that no event orders —
// motion and weld segments, and standstills where a robot may wait for another robot (before a
// gated segment, at home before its first segment, at home after its last) — and requires their
// swept volumes not to touch: no configuration of one (its samples, subdivided so that no robot
// point travels more than half the collision resolution between two) may touch any configuration
// of the other (CollisionWorld::CheckRobotPair). Two pieces no event orders overlap in time for
// some choice of durations; two ordered pieces never do (they may meet at an instant, where the
// standstill or neighbouring segment holding that configuration is checked instead).
//
// The verdict is that of checking every configuration pair (the dense check), found without
// checking them all: each piece carries a bounding-volume hierarchy over its configurations
// (a binary tree of index ranges, each node with the union of its configurations' per-body
// boxes, CollisionWorld::BodyBoxes), and a pair of pieces is searched by descending both trees
// together. A node pair whose boxes do not meet holds no contact; nor does one whose middle
// configurations are further apart than the largest travel from them within the two ranges
// (CollisionWorld::displacement_bound, Schwarzer, Saha, Latombe, WAFR 2002), which
// CheckRobotPair with that margin proves. Only pairs of single configurations are checked
// without a margin. The verifier's own code: nothing is shared with the planner's coordination.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "planner/cell/cell.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/plan/plan.hpp"
#include "planner/verify/robustness.hpp"
#include "planner/verify/verify.hpp"

namespace weldcell::verify::internal {

/// The configurations a piece of a robot's timeline sweeps, with their bounding-volume
/// hierarchy. Immutable after construction; queries are const (thread-safe).
class SweptPiece {
 public:
  /// `q` (rad/m, size ≥ 1, each of the robot's dof) are samples along a joint-space polyline at
  /// times `t` (s, same size); consecutive samples are joined by enough interpolated
  /// configurations that no point of the robot travels more than `step` (m, > 0; by the world's
  /// displacement bound) between two. `ctx` is scratch of `world`. Aborts on size mismatches.
  SweptPiece(const collision::CollisionWorld& world, collision::CollisionContext& ctx, int robot,
             std::span<const Eigen::VectorXd> q, std::span<const double> t, double step);

  int robot() const { return robot_; }
  /// The configurations checked, in order, and their times (s; interpolated ones in between).
  const std::vector<Eigen::VectorXd>& configurations() const { return q_; }
  const std::vector<double>& times() const { return t_; }

 private:
  friend class PairSearch;
  struct Node {
    int lo = 0, hi = 0;         // configurations [lo, hi)
    int center = 0;             // the middle configuration
    double radius = 0.0;        // m: largest travel of a robot point from `center` within [lo, hi)
    int left = -1, right = -1;  // children; -1: a leaf (one configuration)
    Eigen::AlignedBox3d total;  // union of the node's body boxes
  };
  int Build(int lo, int hi, const std::vector<double>& travel);
  const Eigen::AlignedBox3d* boxes(int node) const { return &boxes_[node * bodies_]; }

  int robot_ = 0;
  int bodies_ = 0;
  std::vector<Eigen::VectorXd> q_;
  std::vector<double> t_;
  std::vector<Node> nodes_;                 // nodes_[0]: the root
  std::vector<Eigen::AlignedBox3d> boxes_;  // per node, per body (world, m)
  std::vector<Eigen::AlignedBox3d> leaf_;   // per configuration, per body (scratch of Build)
};

/// A configuration pair in contact: indices into the pieces' configurations() and the bodies
/// ("R1/gun – R2/link_5").
struct PieceContact {
  int index_a = 0, index_b = 0;
  std::string bodies;
  bool operator==(const PieceContact&) const = default;
};

/// A configuration of `a` touching one of `b` (CheckRobotPair with `margin`, m ≥ 0: bodies
/// nearer than 2·margin count as touching), or nullopt when no pair of a.configurations() ×
/// b.configurations() touches: the verdict of checking every pair with that margin. Which
/// contact is returned when there are several is fixed (the first the descent meets, lower
/// halves first), not necessarily the first in index order. `checks` (not null) is increased by
/// the CheckRobotPair calls made (at the leaves, and with a larger margin for a node pair).
/// Preconditions: a and b of two different robots of `world`, ctx made from it.
std::optional<PieceContact> FindContact(const collision::CollisionWorld& world,
                                        collision::CollisionContext& ctx, const SweptPiece& a,
                                        const SweptPiece& b, long long* checks,
                                        double margin = 0.0);

struct ConcurrencyResult {
  /// kUnorderedContact, one per touching pair of pieces, ordered by robot pair, then by the
  /// first robot's timeline, then the second's; at most options.max_unordered_contacts.
  std::vector<Violation> violations;
  ConcurrencyFigures figures;
};

/// Checks every unordered pair of pieces of `plan` (see above). `order` is OrderSegments(plan);
/// `robot_of_plan[p]` the cell robot of plan.robots[p] (all valid); segments well formed (as for
/// CheckEvents). `resolution` (m) as Verify's. Pairs are checked in blocks, in order, each block
/// in parallel on options.threads and merged in a fixed order; the check stops after the block
/// in which the options.max_unordered_contacts-th contact is found (reporting the first ones in
/// order: the same whatever the thread count). Reports kConcurrencyStage (pairs checked of the
/// unordered pairs) per block; cancellation (options.progress) stops new pairs.
ConcurrencyResult CheckConcurrency(const plan::Plan& plan, const collision::CollisionWorld& world,
                                   const std::vector<int>& robot_of_plan, const SegmentOrder& order,
                                   double resolution, const VerifyOptions& options);

}  // namespace weldcell::verify::internal
