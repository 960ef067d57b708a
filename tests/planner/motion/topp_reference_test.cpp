#include "planner/motion/internal/topp_reference.hpp"

#include <gtest/gtest.h>

#include "planner/motion/internal/topp_random_paths.hpp"
#include "tests/planner/motion/timing_test_support.hpp"

namespace weldcell::motion::internal {
namespace {

// The reference must agree with the closed-form optimum where one exists (polylines with
// stops), so that comparing against it on blended paths means something.
TEST(ToppReferenceTest, MatchesClosedFormOnPolylines) {
  for (std::uint64_t seed = 0; seed < 20 / testing::kIterationScale; ++seed) {
    const auto c = RandomTimingCase(seed + 300, {.awkward_features = false});
    const MotionProfile profile = TimeParameterize(c.waypoints, c.limits);
    double closed_form = 0.0;
    for (std::size_t k = 1; k < c.waypoints.size(); ++k) {
      closed_form += testing::ClosedFormLineTime(c.waypoints[k - 1], c.waypoints[k], c.limits);
    }
    const double reference = ToppReferenceDuration(profile.pieces(), c.limits);
    EXPECT_NEAR(reference, closed_form, 1e-4 * closed_form) << "seed " << seed + 300;
  }
}

TEST(ToppReferenceTest, ConvergesAsTheGridIsRefined) {
  for (std::uint64_t seed = 0; seed < 10 / testing::kIterationScale; ++seed) {
    const auto c = RandomTimingCase(seed + 400, {.min_waypoints = 4});
    const MotionProfile profile = TimeParameterize(c.waypoints, c.limits, {.blend_tolerance = 0.2});
    const double coarse = ToppReferenceDuration(profile.pieces(), c.limits, 1.0, {.step = 4e-3});
    const double fine = ToppReferenceDuration(profile.pieces(), c.limits, 1.0, {.step = 1e-3});
    EXPECT_NEAR(coarse, fine, 2e-3 * fine) << "seed " << seed + 400;
    // A feasible timing can never beat the optimum (beyond the grid's error).
    EXPECT_GE(profile.duration(), fine * (1 - 1e-3)) << "seed " << seed + 400;
  }
}

// Halving the velocity limits slows a blended path down, but by less than 2x (the
// acceleration-bound parts do not scale).
TEST(ToppReferenceTest, SpeedScaleSlowsVelocityBoundPaths) {
  const auto c = RandomTimingCase(77, {.min_waypoints = 5, .awkward_features = false});
  const MotionProfile profile = TimeParameterize(c.waypoints, c.limits, {.blend_tolerance = 0.1});
  const double full = ToppReferenceDuration(profile.pieces(), c.limits, 1.0);
  const double half = ToppReferenceDuration(profile.pieces(), c.limits, 0.5);
  EXPECT_GT(half, full * 1.2);
  EXPECT_LT(half, full * 2.0);
}

}  // namespace
}  // namespace weldcell::motion::internal
