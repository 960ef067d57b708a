#include "planner/cell/weld_frame.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace weldcell::cell {

Eigen::Vector3d WeldReferenceDirection(const Eigen::Vector3d& n) {
  // cos 25° ≈ 0.9: beyond that the projection of x gets short and numerically poor.
  const Eigen::Vector3d seed =
      std::abs(n.x()) < 0.9 ? Eigen::Vector3d::UnitX() : Eigen::Vector3d::UnitY();
  return (seed - seed.dot(n) * n).normalized();
}

Eigen::Isometry3d WeldTcpPose(const cell::Weld& weld, double spin, double tilt,
                              double tilt_direction) {
  const Eigen::Vector3d n = weld.n_W.normalized();
  const Eigen::Vector3d u = WeldReferenceDirection(n);
  // Frame at spin 0, no tilt: x = u, z = −n, y = z × x.
  Eigen::Matrix3d R0;
  R0.col(0) = u;
  R0.col(2) = -n;
  R0.col(1) = R0.col(2).cross(R0.col(0));
  const Eigen::AngleAxisd spin_about_n(spin, n);
  Eigen::Matrix3d R = spin_about_n.toRotationMatrix() * R0;
  if (tilt != 0.0) {
    const Eigen::Vector3d tilt_axis = Eigen::AngleAxisd(tilt_direction, n) * u.cross(n);
    R = Eigen::AngleAxisd(tilt, tilt_axis).toRotationMatrix() * R;
  }
  Eigen::Isometry3d X = Eigen::Isometry3d::Identity();
  X.linear() = R;
  X.translation() = weld.p_W;
  return X;
}

WeldPoseError MeasureWeldPose(const cell::Weld& weld, const Eigen::Isometry3d& X_WT) {
  const Eigen::Vector3d n = weld.n_W.normalized();
  const Eigen::Vector3d u = WeldReferenceDirection(n);
  const Eigen::Vector3d v = n.cross(u);
  const Eigen::Vector3d z = X_WT.linear().col(2);
  const Eigen::Vector3d x = X_WT.linear().col(0);
  WeldPoseError e;
  e.position = (X_WT.translation() - weld.p_W).norm();
  e.tilt = std::acos(std::clamp(-z.dot(n), -1.0, 1.0));
  e.spin = std::atan2(x.dot(v), x.dot(u));
  return e;
}

bool SpinAllowed(const cell::Weld& weld, double spin) {
  constexpr double kTwoPi = 2.0 * std::numbers::pi;
  if (weld.spin_max - weld.spin_min >= kTwoPi - 1e-12) return true;
  // Shift spin into [spin_min, spin_min + 2π) and compare.
  const double shifted =
      weld.spin_min + std::fmod(std::fmod(spin - weld.spin_min, kTwoPi) + kTwoPi, kTwoPi);
  return shifted <= weld.spin_max + 1e-12;
}

namespace {

// A count from a floating-point quotient, without the undefined behaviour of converting a value
// beyond the integer's range (or NaN): saturates at kCountLimit.
std::int64_t SaturatedCount(double x, std::int64_t at_least) {
  constexpr std::int64_t kLimit = PoseSampleCount::kCountLimit;
  if (std::isnan(x) || x >= static_cast<double>(kLimit)) return kLimit;
  return std::max(at_least, static_cast<std::int64_t>(x));
}

}  // namespace

PoseSampleCount CountPoseSamples(const cell::Weld& weld, const cell::ReachSettings& settings) {
  constexpr double kTwoPi = 2.0 * std::numbers::pi;
  PoseSampleCount count;
  const double range = weld.spin_max - weld.spin_min;
  const double step = settings.spin_step > 0 ? settings.spin_step : kTwoPi;
  count.full_turn = range >= kTwoPi - 1e-9;
  if (count.full_turn) {
    count.spins = SaturatedCount(std::round(kTwoPi / step), 1);
  } else {
    // n intervals, n + 1 spins (both ends of the range).
    const std::int64_t intervals = SaturatedCount(std::ceil(range / step - 1e-9), 1);
    count.spins = std::min(intervals + 1, PoseSampleCount::kCountLimit);
  }
  if (settings.tilt_step > 0) {
    const double limit = weld.tilt_tolerance + 1e-12;
    std::int64_t rings = SaturatedCount(std::floor(limit / settings.tilt_step), 0);
    // The ring k lies at k · tilt_step: keep exactly those within the tolerance.
    if (rings < PoseSampleCount::kCountLimit) {
      while (static_cast<double>(rings + 1) * settings.tilt_step <= limit) ++rings;
      while (rings > 0 && static_cast<double>(rings) * settings.tilt_step > limit) --rings;
    }
    count.tilt_rings = rings;
  }
  return count;
}

}  // namespace weldcell::cell
