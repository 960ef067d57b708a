#pragma once
// Checks a straight joint-space motion of one robot at a resolution stated as Cartesian travel:
// consecutive checked samples are close enough that no point of the robot's collision geometry
// (links, gun) gets farther than resolution / 2 from where it is at the nearer of the two. Sheet
// metal and clamps thicker than the resolution are therefore never stepped over, whatever the
// joint-space distance.

#include <Eigen/Core>
#include <cstdint>

#include "planner/collision/collision_world.hpp"

namespace weldcell::collision {

/// How the samples are placed. Both keep the resolution guarantee above.
enum class SegmentSampling : std::uint8_t {
  /// Bisection until, over each interval, every body's points stay close to the straight line
  /// between their positions at the interval's ends: chord (measured from the two poses: centre
  /// displacement + ‖R_b − R_a‖ · radius of the body's bounding sphere) + 2 × bow (the path's
  /// largest departure from that line, |p''| Δs² / 8, where |∂²p/∂q_i∂q_j| is at most the
  /// distance of p from the distal joint i or j, bounded by ComputeBodyLevers) ≤ resolution.
  /// Measures the real motion, so it needs far fewer samples than kUniform (3.3× on the demo
  /// station's free weld-to-weld moves).
  kAdaptive,
  /// Equally spaced samples, spaced by the configuration-independent bound DisplacementBound
  /// (Σ lever_i |Δq_i| per interval ≤ resolution). Simple and independent of kAdaptive's
  /// reasoning: the verifier uses it.
  kUniform,
};

struct SegmentCheckRequest {
  double resolution = 0.005;  ///< m (> 0); see the file comment.
  CheckScope scope = CheckScope::kEnvironmentAndSelf;
  SegmentSampling sampling = SegmentSampling::kAdaptive;
  /// m; CheckRequest::margin at every sample. With SweptMargin(resolution) a free result holds
  /// for the whole motion, not only at the samples (every point stays within resolution / 2 of
  /// a checked position); with 0, contacts shallower than about resolution / 2 can slip between
  /// samples, and which ones depends on where the samples fall.
  double margin = 0.0;
  bool operator==(const SegmentCheckRequest&) const = default;
};

struct SegmentCheckResult {
  CollisionResult collision;  ///< Free, or the first contact found.
  double fraction = 1.0;      ///< In [0, 1] along the segment where the contact was found.
  int samples = 0;            ///< Configurations checked.
  bool free() const { return !collision.in_collision(); }
};

/// The margin that makes a segment check conservative for the whole motion: resolution / 2, plus
/// 1 µm for the floating-point and FCL (GJK) tolerances the exact bound leaves no room for.
constexpr double SweptMargin(double resolution) { return 0.5 * resolution + 1e-6; }

/// Number of samples (≥ 2, ends included) that kUniform sampling uses for q0 → q1.
int SegmentSampleCount(const CollisionWorld& world, int robot,
                       const Eigen::Ref<const Eigen::VectorXd>& q0,
                       const Eigen::Ref<const Eigen::VectorXd>& q1, double resolution);

/// Checks q0 → q1 (linear in joint space), ends included. Samples are visited in bisection
/// order (ends, middle, quarters, …) so that a collision is usually found after few checks; the
/// result is the first contact in that order, deterministic. Allocation-free once the context
/// has seen a segment as long. Thread safety: as CheckRobot (one context per thread).
SegmentCheckResult CheckJointSegment(const CollisionWorld& world, CollisionContext& ctx, int robot,
                                     const Eigen::Ref<const Eigen::VectorXd>& q0,
                                     const Eigen::Ref<const Eigen::VectorXd>& q1,
                                     const SegmentCheckRequest& request = {});

}  // namespace weldcell::collision
