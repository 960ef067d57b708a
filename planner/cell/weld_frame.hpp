#pragma once
// Where the gun must be to weld a spot: the TCP frame at a weld for a given gun spin about the
// normal and tilt of the gun axis away from it.
//
// Convention (docs/formats.md): the TCP's z axis is the gun axis and points into the sheet, so
// at zero tilt z_T = −n. Spin 0 puts the TCP's x axis along the weld's reference direction u:
// the world x axis projected onto the weld plane (the world y axis when the normal is within
// ~25° of x). Spin rotates the gun about the normal by the right-hand rule about n.
// Tilt rotates the gun axis away from −n by `tilt` about the axis in the weld plane at angle
// `tilt_direction` from u (also measured about n).

#include <Eigen/Geometry>

#include "planner/cell/cell.hpp"

namespace weldcell::cell {

/// Unit reference direction u in the plane of the weld (u ⟂ n). Precondition: |n| = 1.
Eigen::Vector3d WeldReferenceDirection(const Eigen::Vector3d& n_W);

/// The TCP pose X_WT that welds `weld` with the given spin, tilt and tilt direction (rad).
Eigen::Isometry3d WeldTcpPose(const cell::Weld& weld, double spin, double tilt = 0.0,
                              double tilt_direction = 0.0);

/// How a TCP pose sits on a weld: the inverse of WeldTcpPose.
struct WeldPoseError {
  double position = 0.0;  ///< m between the TCP and the weld point.
  double tilt = 0.0;      ///< rad between the gun axis and −n.
  double spin = 0.0;      ///< rad in (−π, π]: rotation of the TCP x axis about n from u.
};
WeldPoseError MeasureWeldPose(const cell::Weld& weld, const Eigen::Isometry3d& X_WT);

/// How many gun poses reach samples at a weld: spins over the allowed range at spin_step (both
/// ends when the range is not a full turn; one when spin_step is ≤ 0 or NaN), times the normal
/// itself plus rings of tilt_step up to the weld's tilt tolerance, 4 directions each (none when
/// tilt_step is ≤ 0 or NaN). Counts saturate at kCountLimit instead of overflowing, whatever the
/// steps.
struct PoseSampleCount {
  static constexpr std::int64_t kCountLimit = 1'000'000'000;
  std::int64_t spins = 1;       ///< In [1, kCountLimit].
  std::int64_t tilt_rings = 0;  ///< In [0, kCountLimit].
  bool full_turn = true;        ///< Spins cover 2π (n spins) rather than a range (n + 1 ends).
  std::int64_t total() const { return spins * (1 + 4 * tilt_rings); }
};
PoseSampleCount CountPoseSamples(const cell::Weld& weld, const cell::ReachSettings& settings);

/// True when `spin` lies in the weld's allowed range [spin_min, spin_max], modulo 2π.
bool SpinAllowed(const cell::Weld& weld, double spin);

}  // namespace weldcell::cell
