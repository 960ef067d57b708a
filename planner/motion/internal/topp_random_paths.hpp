#pragma once
// Seeded random timing problems for the time-parameterization tests and benchmark: joint-space
// polylines with realistic and awkward features (duplicates, collinear points, reversals, tiny
// steps, single-joint moves) and random per-joint limits. Same seed ⇒ same case.

#include <cstdint>
#include <vector>

#include "planner/motion/time_parameterization.hpp"

namespace weldcell::motion::internal {

struct RandomPathOptions {
  int dof = 6;
  int min_waypoints = 2;
  int max_waypoints = 10;
  /// When false, only generic waypoints (no duplicates, collinear points, reversals or tiny
  /// steps): every waypoint is a real corner.
  bool awkward_features = true;
};

struct TimingCase {
  std::vector<Eigen::VectorXd> waypoints;
  JointLimits limits;
};

/// Waypoints uniform in [-π, π] per joint (with the awkward features mixed in on request);
/// velocity limits in [0.5, 6] rad/s, acceleration limits in [1, 30] rad/s².
TimingCase RandomTimingCase(std::uint64_t seed, const RandomPathOptions& options = {});

/// Euclidean distance from q to the polyline through `waypoints`.
double DistanceToPolyline(const Eigen::VectorXd& q, const std::vector<Eigen::VectorXd>& waypoints);

}  // namespace weldcell::motion::internal
