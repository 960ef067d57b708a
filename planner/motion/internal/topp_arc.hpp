#pragma once
// Exact and rigorous per-joint bounds on circular blend arcs, shared by the time
// parameterization (which must never exceed a limit) and MotionProfile's analytic peaks (which
// report what was guaranteed). Pure functions.

#include <Eigen/Core>

#include "planner/motion/trajectory.hpp"

namespace weldcell::motion::internal {

/// Cosines and sines of the ends of an angle interval [theta0, theta1], shared by every joint.
struct AngleInterval {
  double cos0 = 1.0;
  double sin0 = 0.0;
  double cos1 = 1.0;
  double sin1 = 0.0;
  double width = 0.0;  ///< theta1 - theta0 (≥ 0).
  static AngleInterval Of(double theta0, double theta1);
};

/// max over θ ∈ [theta0, theta1] of |a cos θ + b sin θ| = R |cos(θ - φ)|: R when the
/// derivative changes sign inside (or the interval spans ≥ π), else the larger end value. A
/// rounding error that misplaces an extremum lying at an end changes the result only to second
/// order (|cos δ| ≈ 1 - δ²/2 with δ ~ 1e-16).
double MaxAbsHarmonic(double a, double b, const AngleInterval& interval);
inline double MaxAbsHarmonic(double a, double b, double theta0, double theta1) {
  return MaxAbsHarmonic(a, b, AngleInterval::Of(theta0, theta1));
}

/// For a phase of constant path acceleration `a` on arc piece `arc`, from arc length s0 to s1
/// with squared path speeds x0 and x1 there, raises peak_velocity[j] / peak_acceleration[j] to
/// at least an upper bound of |qd_j| / |qdd_j| over the phase. The velocity bound is exact; the
/// acceleration bound is the smaller of
///   max_θ |q'_j| |a| + max_θ |q''_j| x_max                       (exact when a = 0), and
///   max(|qdd_j(s0)|, |qdd_j(s1)|) + Δθ² ρ_j (5 |a| + x_max / r) / 8,
/// the second from linear interpolation of qdd_j(s) = q'_j a + q''_j x(s) with the remainder
/// bound Δs²/8 · max |d²qdd_j/ds²| and |q'''_j| ≤ ρ_j / r², |q''''_j| ≤ ρ_j / r³, where
/// ρ_j = hypot(x_j, y_j) of the arc's basis and Δθ = (s1 - s0) / r.
void AccumulateArcPhasePeaks(const PathPiece& arc, double s0, double s1, double a, double x0,
                             double x1, Eigen::VectorXd& peak_velocity,
                             Eigen::VectorXd& peak_acceleration);

}  // namespace weldcell::motion::internal
