#pragma once
// Proofs that the exported motions stay collision-free where they leave the planned path: the
// region a controller's blend (approximation) through a waypoint may use, and a chord that
// replaces several short moves (docs/export.md "Corners").
//
// Blend model (conservative, joint space): a controller blends a joint move a → b into the next
// one b → c by superposing the end of the first and the start of the second. The blended path
// then lies in the parallelogram
//   R = { b + s·u + t·w : s, t ∈ [0, 1] },  u = f_in (a − b),  w = f_out (c − b),
// where f_in, f_out ∈ (0, 1] say how far from b the blend may start and end: at most
// `fraction` of the neighbouring move, and at most `max_joint` rad of the leading axis where the
// dialect bounds the approximation distance in joint space (KRL $APO.CPTP).
//
// Proof of a region (ball covering, the bound of collision::DisplacementBound): with q0 the
// centre of R, no point of body k (a link or the gun) moves farther than
// T_k = Σ_{joints i before k} lever_i (|u_i| + |w_i|) / 2 between q0 and any q in R. A check at
// q0 with margin T_k per body (an obstacle nearer than T_k, or a self pair nearer than
// T_k + T_l, counts as contact) that finds nothing proves all of R free. Otherwise R is split into
// four and each part proved the same way, down to kMaxDepth levels; a region not proved then is
// reported not free (the exporter stops there).
//
// Thread safety: a CornerCheck holds a CollisionContext; one per thread.

#include <Eigen/Core>
#include <vector>

#include "planner/cell/cell.hpp"
#include "planner/collision/collision_world.hpp"

namespace weldcell::exporters {

/// How far a dialect's blend may reach from its waypoint (see the file comment).
struct BlendModel {
  double fraction = 0.5;   ///< Share (0, 1] of each neighbouring move.
  double max_joint = 0.0;  ///< rad on the leading axis; 0 = no bound beyond `fraction`.
  bool operator==(const BlendModel&) const = default;
};

/// The blend region's spanning vectors at corner b (file comment): u toward a, w toward c.
struct BlendRegion {
  Eigen::VectorXd corner, toward_previous, toward_next;
  /// f_in, f_out of the file comment: the blend leaves the move a → b at the share
  /// 1 − previous_share of it and joins b → c at next_share of it.
  double previous_share = 0.0, next_share = 0.0;
};
BlendRegion BlendRegionOf(const Eigen::VectorXd& a, const Eigen::VectorXd& b,
                          const Eigen::VectorXd& c, const BlendModel& model);

/// The point at `tau` ∈ [0, 1] of the blended path through the region: the quadratic Bézier
/// curve from b + u (tau = 0) to b + w (tau = 1) with control point b,
///   b + (1 − tau)² u + tau² w,
/// the path of a constant-acceleration (parabolic) blend, tangent to both moves and inside the
/// region. The model of the blend that the exported-motion check moves the robot along
/// (exported_motion.hpp); the proof of the region (CornerCheck::BlendIsFree) covers every path
/// inside it.
Eigen::VectorXd BlendPoint(const BlendRegion& region, double tau);

class CornerCheck {
 public:
  static constexpr int kMaxDepth = 6;

  /// `world` (the verifier's world of `cell`: verify::MakeVerifierWorld) must outlive this;
  /// `robot` indexes cell.robots. Segment checks use cell.settings.motion.resolution.
  CornerCheck(const collision::CollisionWorld& world, const cell::Cell& cell, int robot);

  /// True when the blend region of b between a and c is proved free of obstacle and self
  /// contact.
  bool BlendIsFree(const Eigen::VectorXd& a, const Eigen::VectorXd& b, const Eigen::VectorXd& c,
                   const BlendModel& model);
  /// True when the straight joint move a → b is free for the whole motion (uniform samples at
  /// `resolution` with the swept margin, collision::SweptMargin).
  bool SegmentIsFree(const Eigen::VectorXd& a, const Eigen::VectorXd& b);
  /// True when the straight joint move a → b passes the verifier's own segment check (uniform
  /// samples at `resolution`, no margin: what verify::Verify checks between two samples) against
  /// the static world and the robot itself.
  bool ChordIsFree(const Eigen::VectorXd& a, const Eigen::VectorXd& b);

  int checks() const { return checks_; }

 private:
  bool RegionIsFree(const Eigen::VectorXd& centre, const Eigen::VectorXd& half_u,
                    const Eigen::VectorXd& half_w, int depth);

  const collision::CollisionWorld* world_;
  int robot_;
  double resolution_;
  collision::CollisionContext ctx_;
  std::vector<int> movable_;     ///< Indices into model.joints of the movable joints.
  std::vector<double> margins_;  ///< Scratch: per-body margin of the region being proved.
  int checks_ = 0;
};

}  // namespace weldcell::exporters
