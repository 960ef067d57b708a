#pragma once
// Independent checks shared by the timing tests: closed-form optima and limit checks that do not
// use TimeParameterize()'s own formulas.

#include <Eigen/Core>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "planner/motion/time_parameterization.hpp"
#include "planner/motion/trajectory.hpp"

namespace weldcell::motion::testing {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr int kIterationScale = 10;  // ASan + UBSan are ~10x slower.
#else
inline constexpr int kIterationScale = 1;
#endif

inline constexpr double kLimitSlack = 1e-9;  // Relative.

/// Time-optimal rest-to-rest duration along the straight line a→b, derived on the normalized
/// parameter σ ∈ [0, 1] (q = a + σ (b - a)): σ̇ ≤ min_j v_j/|Δ_j|, |σ̈| ≤ min_j a_j/|Δ_j|.
inline double ClosedFormLineTime(const Eigen::VectorXd& a, const Eigen::VectorXd& b,
                                 const JointLimits& limits, double speed_scale = 1.0) {
  double sigma_v = std::numeric_limits<double>::infinity();
  double sigma_a = std::numeric_limits<double>::infinity();
  for (Eigen::Index j = 0; j < a.size(); ++j) {
    const double delta = std::abs(b[j] - a[j]);
    if (delta == 0.0) continue;
    sigma_v = std::min(sigma_v, speed_scale * limits.max_velocity[j] / delta);
    sigma_a = std::min(sigma_a, limits.max_acceleration[j] / delta);
  }
  if (std::isinf(sigma_v)) return 0.0;
  // Distance 1 covered while accelerating to σ̇max and braking back: σ̇max²/σ̈max.
  if (sigma_v * sigma_v / sigma_a <= 1.0) return 1.0 / sigma_v + sigma_v / sigma_a;
  return 2.0 / std::sqrt(sigma_a);
}

/// Counts limit violations of one state; describes the first in `first`.
inline int CountViolations(const JointState& state, double t, const JointLimits& limits,
                           double speed_scale, std::string& first) {
  int count = 0;
  for (Eigen::Index j = 0; j < state.q.size(); ++j) {
    const double v = speed_scale * limits.max_velocity[j];
    const double a = limits.max_acceleration[j];
    const bool bad_v = !(std::abs(state.qd[j]) <= v * (1.0 + kLimitSlack));
    const bool bad_a = !(std::abs(state.qdd[j]) <= a * (1.0 + kLimitSlack));
    if (bad_v || bad_a) {
      if (count == 0 && first.empty()) {
        std::ostringstream out;
        out.precision(17);
        out << "t=" << t << " joint " << j << ": qd=" << state.qd[j] << " (limit " << v
            << "), qdd=" << state.qdd[j] << " (limit " << a << ")";
        first = out.str();
      }
      ++count;
    }
  }
  return count;
}

/// Sample times that hit every phase at its start, middle and just before its end, plus
/// `uniform` equally spaced times.
inline std::vector<double> ProbeTimes(const MotionProfile& profile, int uniform) {
  std::vector<double> times;
  for (const ProfilePhase& phase : profile.phases()) {
    times.push_back(phase.start_time);
    times.push_back(phase.start_time + 0.5 * phase.duration);
    times.push_back(std::nextafter(phase.start_time + phase.duration, phase.start_time));
  }
  for (int i = 0; i <= uniform; ++i) times.push_back(profile.duration() * i / uniform);
  return times;
}

}  // namespace weldcell::motion::testing
