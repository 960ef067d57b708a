#pragma once
// Sanity bounds on finite but absurd magnitudes (docs/formats.md, "Sanity bounds"): one place
// for every loader (cell.yaml, robot.yaml, tool.yaml, URDF). Internal to planner/cell.

#include <string>
#include <string_view>

namespace weldcell::cell::internal {

/// The kinds of quantity that have a sanity bound. Values are compared in SI. The lower bounds of
/// joint speeds and accelerations are far below any real robot's (the slowest joint of the
/// robots in robots/ and ../shared/robots: 1.57 rad/s; the lowest shipped acceleration
/// 3.2 rad/s²): slower joints would stretch a plan's timeline, and everything sampled along it,
/// by orders of magnitude.
enum class Quantity {
  kLength,                 ///< positions, sizes, offsets: |x| <= 1000 m (1 km)
  kTime,                   ///< cycle, weld and gun times: <= 86400 s (1 day)
  kRevoluteVelocity,       ///< 0.01 to 1000 rad/s
  kRevoluteAcceleration,   ///< 0.01 to 10000 rad/s^2
  kPrismaticVelocity,      ///< 0.001 to 100 m/s
  kPrismaticAcceleration,  ///< 0.001 to 1000 m/s^2
  kEffort,                 ///< joint effort limit: |x| <= 1e6 N·m or N
};

/// The largest magnitude of `q` (SI).
double MaxMagnitude(Quantity q);

/// Empty when |value_si| is within the bounds of `q`; else the message for the error, e.g.
/// "1e+300 is beyond the sanity bound: expected |x| <= 1000 m (1 km)" or "1e-07 rad/s is below
/// the sanity bound: expected >= 0.01 rad/s (...)". `shown` is the value as written in the file
/// (with its unit, if any). Callers check the sign (> 0 where required) first: 0 is not below.
std::string BoundProblem(double value_si, Quantity q, std::string_view shown);

}  // namespace weldcell::cell::internal
