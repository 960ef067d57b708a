#include "planner/cell/internal/bounds.hpp"

#include <cmath>

namespace weldcell::cell::internal {

namespace {

struct Bound {
  double max;
  std::string_view text;  // the allowed range, for messages
  double min = 0.0;       // smallest non-zero magnitude (0: none)
  std::string_view min_text = {};
};

Bound BoundOf(Quantity q) {
  switch (q) {
    case Quantity::kLength:
      return {1000.0, "|x| <= 1000 m (1 km)"};
    case Quantity::kTime:
      return {86400.0, "<= 86400 s (1 day)"};
    case Quantity::kRevoluteVelocity:
      return {1e3, "<= 1000 rad/s", 0.01,
              ">= 0.01 rad/s (0.57 deg/s: slower than any real robot's joint)"};
    case Quantity::kRevoluteAcceleration:
      return {1e4, "<= 10000 rad/s^2", 0.01,
              ">= 0.01 rad/s^2 (slower than any real robot's joint)"};
    case Quantity::kPrismaticVelocity:
      return {100.0, "<= 100 m/s", 1e-3,
              ">= 0.001 m/s (1 mm/s: slower than any real robot's axis)"};
    case Quantity::kPrismaticAcceleration:
      return {1e3, "<= 1000 m/s^2", 1e-3, ">= 0.001 m/s^2 (slower than any real robot's axis)"};
    case Quantity::kEffort:
      return {1e6, "|x| <= 1e6 (N·m or N)"};
  }
  return {0.0, ""};
}

}  // namespace

double MaxMagnitude(Quantity q) { return BoundOf(q).max; }

std::string BoundProblem(double value_si, Quantity q, std::string_view shown) {
  const Bound bound = BoundOf(q);
  // NaN is not "within": callers check finiteness first, this keeps the rule total.
  const double magnitude = std::abs(value_si);
  if (magnitude != 0.0 && magnitude < bound.min) {
    return std::string(shown) + " is below the sanity bound: expected " +
           std::string(bound.min_text);
  }
  if (magnitude <= bound.max) return {};
  return std::string(shown) + " is beyond the sanity bound: expected " + std::string(bound.text);
}

}  // namespace weldcell::cell::internal
