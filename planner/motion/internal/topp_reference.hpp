#pragma once
// Reference time-optimal duration along a given geometric path, for tests and benchmarks only:
// time-optimal path parameterization by reachability analysis (Pham & Pham 2018, "A new
// approach to time-optimal path parameterization based on reachability analysis", IEEE T-RO
// 34(3)) on a fine grid of the path parameter, with the collocation discretization: the
// constraints hold at the grid points, the path acceleration is constant between them. With
// only joint velocity and acceleration limits the controllable sets are intervals [0, K_i] whose
// upper ends are minima of linear bounds, so no LP solver is needed.
//
// It is independent of TimeParameterize()'s construction (it knows nothing of trapezoids,
// junctions or constant-speed arcs) and converges to the true optimum as the step shrinks.
// Pure function; thread-safe.

#include <vector>

#include "planner/motion/time_parameterization.hpp"
#include "planner/motion/trajectory.hpp"

namespace weldcell::motion::internal {

struct ToppReferenceOptions {
  double step = 1e-3;                ///< Max grid step in path length (rad).
  int min_intervals_per_piece = 32;  ///< So that short blends are resolved too.
};

/// Time-optimal duration (s) of a rest-to-rest motion along the concatenated `pieces` (as in
/// MotionProfile::pieces()) under the limits (velocities × speed_scale). Where the tangent jumps
/// between pieces (a corner) the path speed is forced to 0.
double ToppReferenceDuration(const std::vector<PathPiece>& pieces, const JointLimits& limits,
                             double speed_scale = 1.0, const ToppReferenceOptions& options = {});

}  // namespace weldcell::motion::internal
