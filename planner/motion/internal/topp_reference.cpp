#include "planner/motion/internal/topp_reference.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "planner/common/check.hpp"

namespace weldcell::motion::internal {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// |dq_j/ds| below this: the joint does not bound the path acceleration, only x through q''.
constexpr double kTinyTangent = 1e-12;

struct GridPoint {
  double ds = 0.0;  // Length of the interval that starts here (0 at the last point).
  bool rest = false;
  Eigen::VectorXd dq;   // dq/ds (right-sided at piece boundaries).
  Eigen::VectorXd ddq;  // d²q/ds².
};

void Derivatives(const PathPiece& piece, double s, Eigen::VectorXd& dq, Eigen::VectorXd& ddq) {
  if (piece.kind == PathPiece::Kind::kLine) {
    dq = piece.direction;
    ddq = Eigen::VectorXd::Zero(piece.direction.size());
    return;
  }
  const double theta = s / piece.radius;
  dq = piece.y * std::cos(theta) - piece.x * std::sin(theta);
  ddq = -(piece.x * std::cos(theta) + piece.y * std::sin(theta)) / piece.radius;
}

}  // namespace

double ToppReferenceDuration(const std::vector<PathPiece>& pieces, const JointLimits& limits,
                             double speed_scale, const ToppReferenceOptions& options) {
  WELDCELL_CHECK(options.step > 0.0 && options.min_intervals_per_piece >= 1);
  const Eigen::VectorXd v_max = limits.max_velocity * speed_scale;
  const Eigen::VectorXd& a_max = limits.max_acceleration;
  const Eigen::Index n = v_max.size();

  std::vector<GridPoint> grid;
  Eigen::VectorXd previous_tangent;
  for (const PathPiece& piece : pieces) {
    if (!(piece.length > 0.0)) continue;
    const int intervals = std::max(options.min_intervals_per_piece,
                                   static_cast<int>(std::ceil(piece.length / options.step)));
    Eigen::VectorXd dq;
    Eigen::VectorXd ddq;
    for (int i = 0; i < intervals; ++i) {
      const double s0 = piece.length * i / intervals;
      const double s1 = piece.length * (i + 1) / intervals;
      Derivatives(piece, s0, dq, ddq);
      GridPoint point{.ds = s1 - s0, .dq = dq, .ddq = ddq};
      if (i == 0) {
        point.rest = previous_tangent.size() == 0 || (previous_tangent - dq).norm() > 1e-6;
      }
      grid.push_back(std::move(point));
    }
    Derivatives(piece, piece.length, dq, ddq);
    previous_tangent = dq;
  }
  if (grid.empty()) return 0.0;
  grid.push_back(
      GridPoint{.ds = 0.0, .rest = true, .dq = previous_tangent, .ddq = Eigen::VectorXd::Zero(n)});

  // Per grid point, the path-acceleration bounds of joint j are u ∈ [-h_j - k_j x, h_j - k_j x]
  // with x = ṡ², h_j = a_j / |q'_j| and k_j = q''_j / q'_j (from |q'_j u + q''_j x| ≤ a_j).
  const std::size_t count = grid.size();
  std::vector<double> controllable(count, 0.0);  // K_i: the largest x from which rest at the
                                                 // end is still reachable.
  Eigen::VectorXd h(n);
  Eigen::VectorXd k(n);
  auto bounds = [&](const GridPoint& p, double& x_max, std::vector<Eigen::Index>& active) {
    active.clear();
    x_max = kInf;
    for (Eigen::Index j = 0; j < n; ++j) {
      const double d = std::abs(p.dq[j]);
      if (d > 0.0) x_max = std::min(x_max, (v_max[j] / d) * (v_max[j] / d));
      if (d < kTinyTangent) {
        if (p.ddq[j] != 0.0) x_max = std::min(x_max, a_max[j] / std::abs(p.ddq[j]));
        continue;
      }
      h[j] = a_max[j] / d;
      k[j] = p.ddq[j] / p.dq[j];
      active.push_back(j);
    }
    // Some u must satisfy every joint: lower bound of j ≤ upper bound of l for all pairs.
    for (Eigen::Index j : active) {
      for (Eigen::Index l : active) {
        const double slope = k[l] - k[j];
        if (slope > 0.0) x_max = std::min(x_max, (h[l] + h[j]) / slope);
      }
    }
  };

  std::vector<Eigen::Index> active;
  for (std::size_t i = count - 1; i-- > 0;) {
    const GridPoint& p = grid[i];
    double x_max = 0.0;
    bounds(p, x_max, active);
    const double ds2 = 2.0 * p.ds;
    const double next = controllable[i + 1];
    for (Eigen::Index j : active) {
      const double coefficient = 1.0 - ds2 * k[j];
      // x + 2 ds u_min(x) ≤ K_{i+1}: we can still brake into the next controllable set.
      if (coefficient > 0.0) x_max = std::min(x_max, (next + ds2 * h[j]) / coefficient);
      // x + 2 ds u_max(x) ≥ 0: we do not have to brake below rest.
      if (coefficient < 0.0) x_max = std::min(x_max, ds2 * h[j] / -coefficient);
    }
    controllable[i] = p.rest ? 0.0 : std::max(0.0, x_max);
  }

  // Forward greedy pass: the largest reachable x that stays controllable.
  double duration = 0.0;
  double x = 0.0;
  for (std::size_t i = 0; i + 1 < count; ++i) {
    const GridPoint& p = grid[i];
    double u_max = kInf;
    for (Eigen::Index j = 0; j < n; ++j) {
      const double d = std::abs(p.dq[j]);
      if (d < kTinyTangent) continue;
      u_max = std::min(u_max, a_max[j] / d - p.ddq[j] / p.dq[j] * x);
    }
    const double x_next = std::max(0.0, std::min(controllable[i + 1], x + 2.0 * p.ds * u_max));
    const double speed_sum = std::sqrt(x) + std::sqrt(x_next);
    if (!(speed_sum > 0.0)) return kInf;
    duration += 2.0 * p.ds / speed_sum;
    x = x_next;
  }
  return duration;
}

}  // namespace weldcell::motion::internal
