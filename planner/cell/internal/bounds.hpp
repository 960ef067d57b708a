#pragma once
// Sanity bounds on finite but absurd magnitudes (docs/formats.md, "Sanity bounds"): one place
// for every loader (cell.yaml, robot.yaml, tool.yaml, URDF). Internal to planner/cell.

#include <string>
#include <string_view>

namespace weldcell::cell::internal {

/// The kinds of quantity that have a sanity bound. Values are compared in SI.
enum class Quantity {
  kLength,                 ///< positions, sizes, offsets: |x| <= 1000 m (1 km)
  kTime,                   ///< cycle, weld and gun times: <= 86400 s (1 day)
  kRevoluteVelocity,       ///< <= 1000 rad/s
  kRevoluteAcceleration,   ///< <= 10000 rad/s^2
  kPrismaticVelocity,      ///< <= 100 m/s
  kPrismaticAcceleration,  ///< <= 1000 m/s^2
  kEffort,                 ///< joint effort limit: |x| <= 1e6 N·m or N
};

/// The largest magnitude of `q` (SI).
double MaxMagnitude(Quantity q);

/// Empty when |value_si| is within the bound of `q`; else the message for the error, e.g.
/// "1e+300 is beyond the sanity bound: expected |x| <= 1000 m (1 km)". `shown` is the value as
/// written in the file (with its unit, if any).
std::string BoundProblem(double value_si, Quantity q, std::string_view shown);

}  // namespace weldcell::cell::internal
