#pragma once
// Checks a straight joint-space motion of one robot at a resolution stated as Cartesian travel:
// consecutive samples are close enough that no point of the robot (links, gun, TCP) moves more
// than `resolution` metres between them (DisplacementBound). Thin sheet metal and clamps thicker
// than the resolution are therefore never skipped, whatever the joint-space distance.

#include <Eigen/Core>

#include "planner/collision/collision_world.hpp"

namespace weldcell::collision {

struct SegmentCheckRequest {
  double resolution = 0.005;  ///< m of travel of any robot point between samples (> 0).
  CheckScope scope = CheckScope::kEnvironmentAndSelf;
  bool operator==(const SegmentCheckRequest&) const = default;
};

struct SegmentCheckResult {
  CollisionResult collision;  ///< Free, or the first contact found.
  double fraction = 1.0;      ///< In [0, 1] along the segment where the contact was found.
  int samples = 0;            ///< Configurations checked.
  bool free() const { return !collision.in_collision(); }
};

/// Number of samples (≥ 2, ends included) that CheckJointSegment uses for q0 → q1.
int SegmentSampleCount(const CollisionWorld& world, int robot,
                       const Eigen::Ref<const Eigen::VectorXd>& q0,
                       const Eigen::Ref<const Eigen::VectorXd>& q1, double resolution);

/// Checks q0 → q1 (linear in joint space), ends included. Samples are visited in bisection
/// order (ends, middle, quarters, …) so that a collision is usually found after few checks; the
/// result is the first contact in that order, deterministic. Thread safety: as CheckRobot (one
/// context per thread).
SegmentCheckResult CheckJointSegment(const CollisionWorld& world, CollisionContext& ctx,
                                     int robot, const Eigen::Ref<const Eigen::VectorXd>& q0,
                                     const Eigen::Ref<const Eigen::VectorXd>& q1,
                                     const SegmentCheckRequest& request = {});

}  // namespace weldcell::collision
