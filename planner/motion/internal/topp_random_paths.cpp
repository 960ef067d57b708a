#include "planner/motion/internal/topp_random_paths.hpp"

#include <algorithm>
#include <limits>
#include <numbers>
#include <random>

#include "planner/common/check.hpp"

namespace weldcell::motion::internal {

TimingCase RandomTimingCase(std::uint64_t seed, const RandomPathOptions& options) {
  WELDCELL_CHECK(options.dof > 0 && options.min_waypoints >= 1 &&
                 options.max_waypoints >= options.min_waypoints);
  std::mt19937_64 rng(seed);
  const Eigen::Index n = options.dof;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  auto uniform = [&](double lo, double hi) { return lo + (hi - lo) * unit(rng); };
  auto random_config = [&] {
    Eigen::VectorXd q(n);
    for (Eigen::Index j = 0; j < n; ++j) q[j] = uniform(-std::numbers::pi, std::numbers::pi);
    return q;
  };

  TimingCase out;
  out.limits.max_velocity.resize(n);
  out.limits.max_acceleration.resize(n);
  for (Eigen::Index j = 0; j < n; ++j) {
    out.limits.max_velocity[j] = uniform(0.5, 6.0);
    out.limits.max_acceleration[j] = uniform(1.0, 30.0);
  }
  const int count =
      std::uniform_int_distribution<int>(options.min_waypoints, options.max_waypoints)(rng);
  out.waypoints.push_back(random_config());
  while (static_cast<int>(out.waypoints.size()) < count) {
    const Eigen::VectorXd& last = out.waypoints.back();
    const double pick = options.awkward_features ? unit(rng) : 1.0;
    if (pick < 0.06) {
      out.waypoints.push_back(last);  // Duplicate.
    } else if (pick < 0.14 && out.waypoints.size() >= 2) {
      // Continue straight on: a collinear waypoint.
      const Eigen::VectorXd& before = out.waypoints[out.waypoints.size() - 2];
      out.waypoints.push_back(last + uniform(0.2, 1.0) * (last - before));
    } else if (pick < 0.20 && out.waypoints.size() >= 2) {
      out.waypoints.push_back(out.waypoints[out.waypoints.size() - 2]);  // Reversal.
    } else if (pick < 0.26) {
      Eigen::VectorXd step = Eigen::VectorXd::Zero(n);
      step[std::uniform_int_distribution<Eigen::Index>(0, n - 1)(rng)] = uniform(-1e-6, 1e-6);
      out.waypoints.push_back(last + step);  // Tiny step.
    } else if (pick < 0.32) {
      Eigen::VectorXd next = last;  // One joint only.
      next[std::uniform_int_distribution<Eigen::Index>(0, n - 1)(rng)] =
          uniform(-std::numbers::pi, std::numbers::pi);
      out.waypoints.push_back(next);
    } else {
      out.waypoints.push_back(random_config());
    }
  }
  return out;
}

double DistanceToPolyline(const Eigen::VectorXd& q, const std::vector<Eigen::VectorXd>& waypoints) {
  WELDCELL_CHECK(!waypoints.empty());
  double best = (q - waypoints.front()).norm();
  for (std::size_t k = 0; k + 1 < waypoints.size(); ++k) {
    const Eigen::VectorXd d = waypoints[k + 1] - waypoints[k];
    const double length_sq = d.squaredNorm();
    const double u =
        length_sq > 0.0 ? std::clamp((q - waypoints[k]).dot(d) / length_sq, 0.0, 1.0) : 0.0;
    best = std::min(best, (q - waypoints[k] - u * d).norm());
  }
  return best;
}

}  // namespace weldcell::motion::internal
