#include "planner/cell/weld_frame.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

#include "tests/planner/test_cells.hpp"

namespace weldcell::cell {
namespace {

TEST(WeldFrameTest, GunAxisAlongMinusNormalAndSpinAboutIt) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-1, 1);
  for (int i = 0; i < 1000; ++i) {
    const cell::Weld w =
        testing::MakeWeld("W", {u(rng), u(rng), u(rng)}, Eigen::Vector3d(u(rng), u(rng), u(rng)));
    const double spin = 3.1 * u(rng);
    const Eigen::Isometry3d X = WeldTcpPose(w, spin);
    EXPECT_TRUE(X.linear().isUnitary(1e-12));
    EXPECT_NEAR(X.linear().determinant(), 1.0, 1e-12);
    EXPECT_NEAR((X.linear().col(2) + w.n_W).norm(), 0.0, 1e-12) << "seed 7, i " << i;
    const WeldPoseError e = MeasureWeldPose(w, X);
    EXPECT_NEAR(e.position, 0.0, 1e-12);
    EXPECT_NEAR(e.tilt, 0.0, 1e-6);
    EXPECT_NEAR(e.spin, spin, 1e-9);
  }
}

TEST(WeldFrameTest, TiltIsMeasuredBack) {
  const cell::Weld w = testing::MakeWeld("W", {1, 2, 3}, {0, 0.6, 0.8});
  for (double tilt : {0.05, 0.1, 0.2}) {
    for (double dir : {0.0, 1.0, 2.5}) {
      const WeldPoseError e = MeasureWeldPose(w, WeldTcpPose(w, 0.3, tilt, dir));
      EXPECT_NEAR(e.tilt, tilt, 1e-9);
    }
  }
}

TEST(WeldFrameTest, SpinRangeWrapsAround) {
  cell::Weld w = testing::MakeWeld("W", {0, 0, 0});
  w.spin_min = 2.5;
  w.spin_max = 3.5;  // crosses π
  EXPECT_TRUE(SpinAllowed(w, 3.0));
  EXPECT_TRUE(SpinAllowed(w, -3.0));  // = 3.28 modulo 2π
  EXPECT_FALSE(SpinAllowed(w, 0.0));
  EXPECT_FALSE(SpinAllowed(w, -2.5));
}

TEST(PoseSampleCountTest, CountsSpinsAndTiltRingsAsReachSamplesThem) {
  constexpr double kDeg = std::numbers::pi / 180.0;
  cell::Weld w = testing::MakeWeld("W", {0, 0, 0});
  w.tilt_tolerance = 10 * kDeg;
  const PoseSampleCount full = CountPoseSamples(w, {.spin_step = 15 * kDeg, .tilt_step = 2 * kDeg});
  EXPECT_TRUE(full.full_turn);
  EXPECT_EQ(full.spins, 24);
  EXPECT_EQ(full.tilt_rings, 5);  // 2, 4, ..., 10 degrees: the tolerance itself is included
  EXPECT_EQ(full.total(), 24 * 21);
  w.spin_min = 0;
  w.spin_max = 90 * kDeg;
  const PoseSampleCount range = CountPoseSamples(w, {.spin_step = 15 * kDeg});
  EXPECT_FALSE(range.full_turn);
  EXPECT_EQ(range.spins, 7);  // both ends
  EXPECT_EQ(range.tilt_rings, 0);
}

// spin_step 1e-7 deg overflowed an int count (issue 9) and left a single sample.
TEST(PoseSampleCountTest, AbsurdStepsSaturateInsteadOfOverflowing) {
  cell::Weld w = testing::MakeWeld("W", {0, 0, 0});
  w.tilt_tolerance = 100.0;
  for (double step : {1e-7 * std::numbers::pi / 180.0, 1e-300, 5e-324}) {
    const PoseSampleCount c = CountPoseSamples(w, {.spin_step = step, .tilt_step = step});
    EXPECT_EQ(c.spins, PoseSampleCount::kCountLimit) << step;
    EXPECT_EQ(c.tilt_rings, PoseSampleCount::kCountLimit) << step;
    EXPECT_GT(c.total(), kMaxPoseSamplesPerWeld) << step;
  }
  // No usable step (0, negative, NaN): one spin, no tilt ring.
  const PoseSampleCount nan =
      CountPoseSamples(w, {.spin_step = std::nan(""), .tilt_step = std::nan("")});
  EXPECT_EQ(nan.total(), 1);
}

}  // namespace
}  // namespace weldcell::cell
