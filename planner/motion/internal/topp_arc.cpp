#include "planner/motion/internal/topp_arc.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace weldcell::motion::internal {

AngleInterval AngleInterval::Of(double theta0, double theta1) {
  return AngleInterval{.cos0 = std::cos(theta0),
                       .sin0 = std::sin(theta0),
                       .cos1 = std::cos(theta1),
                       .sin1 = std::sin(theta1),
                       .width = std::max(0.0, theta1 - theta0)};
}

double MaxAbsHarmonic(double a, double b, const AngleInterval& interval) {
  const double at0 = a * interval.cos0 + b * interval.sin0;
  const double at1 = a * interval.cos1 + b * interval.sin1;
  // Extrema of a cos θ + b sin θ are π apart, so an interval shorter than π holds at most one,
  // and it does iff the derivative -a sin θ + b cos θ changes sign.
  const double slope0 = b * interval.cos0 - a * interval.sin0;
  const double slope1 = b * interval.cos1 - a * interval.sin1;
  if (interval.width >= std::numbers::pi || slope0 * slope1 <= 0.0) {
    return std::sqrt(a * a + b * b);
  }
  return std::max(std::abs(at0), std::abs(at1));
}

void AccumulateArcPhasePeaks(const PathPiece& arc, double s0, double s1, double a, double x0,
                             double x1, Eigen::VectorXd& peak_velocity,
                             Eigen::VectorXd& peak_acceleration) {
  const double r = arc.radius;
  const double theta0 = std::clamp(s0, 0.0, arc.length) / r;
  const double theta1 = std::clamp(s1, 0.0, arc.length) / r;
  const double dtheta = std::max(0.0, theta1 - theta0);
  const double x_max = std::max(x0, x1);
  const AngleInterval angles = AngleInterval::Of(theta0, theta1);
  const double c0 = angles.cos0, n0 = angles.sin0;
  const double c1 = angles.cos1, n1 = angles.sin1;
  for (Eigen::Index j = 0; j < arc.x.size(); ++j) {
    const double xj = arc.x[j];
    const double yj = arc.y[j];
    // q'_j = y cos θ - x sin θ, q''_j = -(x cos θ + y sin θ) / r.
    const double tangent_max = MaxAbsHarmonic(yj, -xj, angles);
    const double curvature_max = MaxAbsHarmonic(xj, yj, angles) / r;
    peak_velocity[j] = std::max(peak_velocity[j], tangent_max * std::sqrt(x_max));
    const double simple = tangent_max * std::abs(a) + curvature_max * x_max;
    const double at0 = (yj * c0 - xj * n0) * a - (xj * c0 + yj * n0) / r * x0;
    const double at1 = (yj * c1 - xj * n1) * a - (xj * c1 + yj * n1) / r * x1;
    const double rho = std::sqrt(xj * xj + yj * yj);
    const double interpolated = std::max(std::abs(at0), std::abs(at1)) +
                                dtheta * dtheta * rho * (5.0 * std::abs(a) + x_max / r) / 8.0;
    peak_acceleration[j] = std::max(peak_acceleration[j], std::min(simple, interpolated));
  }
}

}  // namespace weldcell::motion::internal
