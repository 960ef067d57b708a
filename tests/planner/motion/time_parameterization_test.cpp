#include "planner/motion/time_parameterization.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <thread>

#include "planner/motion/internal/topp_random_paths.hpp"
#include "planner/motion/internal/topp_reference.hpp"
#include "tests/planner/motion/timing_test_support.hpp"

namespace weldcell::motion {
namespace {

using internal::DistanceToPolyline;
using internal::RandomPathOptions;
using internal::RandomTimingCase;
using testing::ClosedFormLineTime;
using testing::CountViolations;
using testing::kIterationScale;
using testing::kLimitSlack;
using testing::ProbeTimes;

JointLimits SixAxisLimits() {
  JointLimits limits;
  limits.max_velocity.resize(6);
  limits.max_velocity << 2.0, 1.8, 2.2, 5.0, 5.0, 7.0;
  limits.max_acceleration.resize(6);
  limits.max_acceleration << 3.5, 3.0, 3.5, 6.0, 6.0, 9.0;
  return limits;
}

Eigen::VectorXd Vec(std::initializer_list<double> values) {
  Eigen::VectorXd v(static_cast<Eigen::Index>(values.size()));
  Eigen::Index i = 0;
  for (double x : values) v[i++] = x;
  return v;
}

// A blend tolerance and speed scale drawn from the case's seed (half the cases exact).
TimingOptions RandomOptions(std::uint64_t seed) {
  std::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ULL);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  constexpr double kTolerances[] = {0.0, 0.0, 0.0, 1e-3, 0.02, 0.1, 0.5};
  TimingOptions options;
  options.blend_tolerance = kTolerances[std::uniform_int_distribution<int>(0, 6)(rng)];
  options.speed_scale = unit(rng) < 0.5 ? 1.0 : 0.05 + 0.95 * unit(rng);
  return options;
}

TEST(TimeParameterizeTest, SingleSegmentEqualsClosedFormOptimum) {
  int triangles = 0;
  int trapezoids = 0;
  for (std::uint64_t seed = 0; seed < 2000; ++seed) {
    const auto c =
        RandomTimingCase(seed, {.min_waypoints = 2, .max_waypoints = 2, .awkward_features = false});
    // Short moves as well, so that both profile shapes occur.
    std::mt19937_64 rng(seed);
    const double shrink = std::uniform_real_distribution<double>(1e-3, 1.0)(rng);
    const Eigen::VectorXd a = c.waypoints[0];
    const Eigen::VectorXd b = a + shrink * (c.waypoints[1] - a);
    for (double tolerance : {0.0, 0.1}) {
      const MotionProfile profile =
          TimeParameterize({a, b}, c.limits, {.blend_tolerance = tolerance});
      const double expected = ClosedFormLineTime(a, b, c.limits);
      ASSERT_NEAR(profile.duration(), expected, 1e-9 * expected) << "seed " << seed;
      ASSERT_NEAR(RestToRestTime(a, b, c.limits), expected, 1e-9 * expected) << "seed " << seed;
    }
    const MotionProfile profile = TimeParameterize({a, b}, c.limits);
    const bool coasts = std::any_of(profile.phases().begin(), profile.phases().end(),
                                    [](const ProfilePhase& p) { return p.a == 0.0; });
    (coasts ? trapezoids : triangles) += 1;
  }
  EXPECT_GT(triangles, 100);
  EXPECT_GT(trapezoids, 100);
}

TEST(TimeParameterizeTest, ExactModeTakesTheSumOfSegmentOptimaAndStopsAtEveryWaypoint) {
  for (std::uint64_t seed = 0; seed < 1000; ++seed) {
    const auto c = RandomTimingCase(seed, {.min_waypoints = 3, .awkward_features = false});
    const MotionProfile profile = TimeParameterize(c.waypoints, c.limits);
    double arrival = 0.0;
    for (std::size_t k = 0; k < c.waypoints.size(); ++k) {
      if (k > 0) arrival += ClosedFormLineTime(c.waypoints[k - 1], c.waypoints[k], c.limits);
      const JointState at = profile.Sample(arrival);
      ASSERT_LE((at.q - c.waypoints[k]).cwiseAbs().maxCoeff(), 1e-9)
          << "seed " << seed << " waypoint " << k;
      // The robot is at rest there (up to the speed reached within the rounding of `arrival`).
      ASSERT_LE(at.qd.cwiseAbs().maxCoeff(), 1e-6) << "seed " << seed << " waypoint " << k;
    }
    ASSERT_NEAR(profile.duration(), arrival, 1e-9 * arrival) << "seed " << seed;
  }
}

// The core guarantee: over 10k random seeded paths (awkward ones included, half of them
// blended, half at reduced speed) no limit is ever exceeded, analytically or when sampled;
// motions start and end at rest at the right configurations and stay on the polyline (exact)
// or within the blend tolerance of it.
TEST(TimeParameterizeTest, TenThousandRandomPathsNeverExceedLimits) {
  const int cases = 10000 / kIterationScale;
  int violations = 0;
  int blended = 0;
  std::string first;
  for (std::uint64_t seed = 0; seed < static_cast<std::uint64_t>(cases); ++seed) {
    std::mt19937_64 rng(seed);
    const int dof = std::uniform_int_distribution<int>(1, 7)(rng);
    const auto c = RandomTimingCase(seed, {.dof = dof});
    const TimingOptions options = RandomOptions(seed);
    const MotionProfile profile = TimeParameterize(c.waypoints, c.limits, options);
    ASSERT_EQ(profile.dof(), dof);
    const double v_scale = options.speed_scale;

    // Analytic: the profile's own per-joint maxima.
    const Eigen::VectorXd peak_v = profile.PeakVelocity();
    const Eigen::VectorXd peak_a = profile.PeakAcceleration();
    for (Eigen::Index j = 0; j < dof; ++j) {
      if (!(peak_v[j] <= v_scale * c.limits.max_velocity[j] * (1.0 + kLimitSlack)) ||
          !(peak_a[j] <= c.limits.max_acceleration[j] * (1.0 + kLimitSlack))) {
        ++violations;
        if (first.empty()) first = "analytic peak, seed " + std::to_string(seed);
      }
    }
    // Sampled at every phase and uniformly.
    for (double t : ProbeTimes(profile, 48)) {
      const JointState s = profile.Sample(t);
      std::string what;
      violations += CountViolations(s, t, c.limits, v_scale, what);
      if (first.empty() && !what.empty()) first = what + ", seed " + std::to_string(seed);
      const double deviation = DistanceToPolyline(s.q, c.waypoints);
      ASSERT_LE(deviation, options.blend_tolerance + 2.0 * kCollinearTolerance)
          << "seed " << seed << " t " << t << "\n"
          << profile;
    }
    if (options.blend_tolerance > 0.0) ++blended;

    const JointState start = profile.Sample(0.0);
    const JointState end = profile.Sample(profile.duration());
    ASSERT_LE((start.q - c.waypoints.front()).cwiseAbs().maxCoeff(), 1e-12) << "seed " << seed;
    ASSERT_LE((end.q - c.waypoints.back()).cwiseAbs().maxCoeff(), 1e-9) << "seed " << seed;
    ASSERT_EQ(start.qd.cwiseAbs().maxCoeff(), 0.0) << "seed " << seed;
    ASSERT_LE(end.qd.cwiseAbs().maxCoeff(), 1e-9) << "seed " << seed;
  }
  EXPECT_EQ(violations, 0) << first;
  EXPECT_GT(blended, cases / 4);
}

// Fine-dt sampling (1 ms) of a subset, on top of the probes above.
TEST(TimeParameterizeTest, DenseSamplingNeverExceedsLimits) {
  const int cases = 200 / kIterationScale;
  int violations = 0;
  std::string first;
  for (std::uint64_t seed = 50000; seed < 50000 + static_cast<std::uint64_t>(cases); ++seed) {
    const auto c = RandomTimingCase(seed);
    const TimingOptions options = RandomOptions(seed);
    const MotionProfile profile = TimeParameterize(c.waypoints, c.limits, options);
    for (double t = 0.0; t <= profile.duration(); t += 1e-3) {
      violations += CountViolations(profile.Sample(t), t, c.limits, options.speed_scale, first);
    }
  }
  EXPECT_EQ(violations, 0) << first;
}

// Blended paths: within 2 % of the time-optimal duration along the same blended path, as
// computed by the independent grid reference (TOPP-RA).
TEST(TimeParameterizeTest, BlendedDurationWithinTwoPercentOfReferenceOptimum) {
  const int cases = 80 / kIterationScale;
  double worst = 0.0;
  for (std::uint64_t seed = 0; seed < static_cast<std::uint64_t>(cases); ++seed) {
    const auto c = RandomTimingCase(seed + 7000, {.min_waypoints = 3});
    for (double tolerance : {0.02, 0.2}) {
      const MotionProfile profile =
          TimeParameterize(c.waypoints, c.limits, {.blend_tolerance = tolerance});
      const double reference =
          internal::ToppReferenceDuration(profile.pieces(), c.limits, 1.0, {.step = 2e-3});
      const double ratio = profile.duration() / reference;
      // Ours is feasible, so it cannot beat the optimum by more than the grid's error.
      ASSERT_GE(ratio, 1.0 - 1e-3) << "seed " << seed + 7000 << " tolerance " << tolerance;
      ASSERT_LE(ratio, 1.02) << "seed " << seed + 7000 << " tolerance " << tolerance;
      worst = std::max(worst, ratio);
    }
  }
  RecordProperty("worst_ratio", std::to_string(worst));
}

TEST(TimeParameterizeTest, BlendingNeverSlowsAPathDown) {
  for (std::uint64_t seed = 0; seed < 2000 / kIterationScale; ++seed) {
    const auto c = RandomTimingCase(seed, {.min_waypoints = 3});
    const double exact = TimeParameterize(c.waypoints, c.limits).duration();
    const double blended =
        TimeParameterize(c.waypoints, c.limits, {.blend_tolerance = 0.05}).duration();
    ASSERT_LE(blended, exact * (1.0 + 1e-12)) << "seed " << seed;
  }
}

TEST(TimeParameterizeTest, PositionAndVelocityAreContinuous) {
  for (std::uint64_t seed = 0; seed < 500; ++seed) {
    const auto c = RandomTimingCase(seed + 900);
    const TimingOptions options{.blend_tolerance = seed % 2 == 0 ? 0.0 : 0.1};
    const MotionProfile profile = TimeParameterize(c.waypoints, c.limits, options);
    const double v = c.limits.max_velocity.maxCoeff();
    const double a = c.limits.max_acceleration.maxCoeff();
    constexpr double kStep = 1e-7;
    for (const ProfilePhase& phase : profile.phases()) {
      const double t = phase.start_time;
      if (t < kStep) continue;
      const JointState before = profile.Sample(t - kStep);
      const JointState at = profile.Sample(t);
      ASSERT_LE((at.q - before.q).norm(), std::sqrt(7.0) * v * kStep + 1e-12)
          << "seed " << seed << " t " << t;
      ASSERT_LE((at.qd - before.qd).norm(), std::sqrt(7.0) * a * kStep + 1e-9)
          << "seed " << seed << " t " << t;
    }
  }
}

// Sample()'s velocities and accelerations are the derivatives of its positions (the verifier
// relies on them): central differences inside each phase.
TEST(TimeParameterizeTest, SampledDerivativesMatchFiniteDifferences) {
  int checked = 0;
  for (std::uint64_t seed = 0; seed < 300; ++seed) {
    const auto c = RandomTimingCase(seed + 1300);
    const MotionProfile profile =
        TimeParameterize(c.waypoints, c.limits, {.blend_tolerance = seed % 2 == 0 ? 0.0 : 0.2});
    for (const ProfilePhase& phase : profile.phases()) {
      if (phase.duration < 1e-2) continue;
      const double h = 1e-5;
      const double t = phase.start_time + 0.37 * phase.duration;
      const JointState lo = profile.Sample(t - h);
      const JointState mid = profile.Sample(t);
      const JointState hi = profile.Sample(t + h);
      const Eigen::VectorXd qd = (hi.q - lo.q) / (2 * h);
      const Eigen::VectorXd qdd = (hi.qd - lo.qd) / (2 * h);
      ASSERT_LE((qd - mid.qd).cwiseAbs().maxCoeff(), 1e-6) << "seed " << seed << " t " << t;
      ASSERT_LE((qdd - mid.qdd).cwiseAbs().maxCoeff(), 1e-4 * (1.0 + mid.qdd.norm()))
          << "seed " << seed << " t " << t;
      ++checked;
    }
  }
  EXPECT_GT(checked, 1000);
}

TEST(TimeParameterizeTest, BlendedCornerKeepsMovingAndStaysWithinTolerance) {
  const JointLimits limits = SixAxisLimits();
  const std::vector<Eigen::VectorXd> path = {Vec({0, 0, 0, 0, 0, 0}), Vec({1, 0, 0, 0, 0, 0}),
                                             Vec({1, 1, 0, 0, 0, 0})};
  const double tolerance = 0.05;
  const MotionProfile exact = TimeParameterize(path, limits);
  const MotionProfile blended = TimeParameterize(path, limits, {.blend_tolerance = tolerance});
  EXPECT_LT(blended.duration(), exact.duration());
  ASSERT_EQ(blended.pieces().size(), 3u);
  EXPECT_EQ(blended.pieces()[1].kind, PathPiece::Kind::kArc);
  // Closest approach to the corner: the arc midpoint, at distance ≤ tolerance (= tolerance here,
  // since the lines are long enough for the full blend).
  double closest = 1e9;
  double min_speed = 1e9;
  for (double t = 0.0; t <= blended.duration(); t += 1e-4) {
    const JointState s = blended.Sample(t);
    closest = std::min(closest, (s.q - path[1]).norm());
    if (t > 0.3 && t < blended.duration() - 0.3) min_speed = std::min(min_speed, s.qd.norm());
  }
  EXPECT_NEAR(closest, tolerance, 1e-4);
  EXPECT_GT(min_speed, 0.1);
}

TEST(TimeParameterizeTest, SpeedScaleScalesVelocitiesButNotAccelerations) {
  const JointLimits limits = SixAxisLimits();
  const std::vector<Eigen::VectorXd> path = {Vec({0, 0, 0, 0, 0, 0}), Vec({3, 0, 0, 0, 0, 0})};
  const MotionProfile slow = TimeParameterize(path, limits, {.speed_scale = 0.25});
  // Joint 0 alone: cruise at 0.5 rad/s, accelerate at the full 3.5 rad/s².
  EXPECT_NEAR(slow.duration(), 3.0 / 0.5 + 0.5 / 3.5, 1e-12);
  EXPECT_NEAR(slow.PeakVelocity()[0], 0.5, 1e-12);
  EXPECT_NEAR(slow.PeakAcceleration()[0], 3.5, 1e-12);
  EXPECT_EQ(slow.PeakVelocity().tail(5).norm(), 0.0);
}

TEST(TimeParameterizeTest, DegeneratePathsWork) {
  const JointLimits limits = SixAxisLimits();
  const Eigen::VectorXd a = Vec({0.1, -0.2, 0.3, 0, 0.5, 1});
  const Eigen::VectorXd b = Vec({1.1, 0.2, -0.3, 1, 0.4, -1});

  for (const auto& path :
       {std::vector<Eigen::VectorXd>{a}, std::vector<Eigen::VectorXd>{a, a, a}}) {
    const MotionProfile still = TimeParameterize(path, limits, {.blend_tolerance = 0.1});
    EXPECT_EQ(still.duration(), 0.0);
    EXPECT_EQ(still.Sample(0.0).q, a);
    EXPECT_EQ(still.Sample(3.0).q, a);
    EXPECT_EQ(still.Sample(3.0).qd.norm(), 0.0);
  }
  // Duplicates anywhere cost nothing.
  const double direct = ClosedFormLineTime(a, b, limits);
  EXPECT_NEAR(TimeParameterize({a, a, b, b}, limits).duration(), direct, 1e-12);
  // A collinear waypoint is passed without stopping, exactly on the line.
  const Eigen::VectorXd mid = a + 0.3 * (b - a);
  const MotionProfile through = TimeParameterize({a, mid, b}, limits);
  EXPECT_NEAR(through.duration(), direct, 1e-12);
  EXPECT_EQ(through.end(), b);
  // A reversal cannot be blended: the robot stops at the turning point even in blend mode.
  const MotionProfile back = TimeParameterize({a, b, a}, limits, {.blend_tolerance = 0.1});
  EXPECT_NEAR(back.duration(), 2.0 * direct, 1e-12);
  EXPECT_LE((back.Sample(direct).q - b).norm(), 1e-12);
  // Tiny segments.
  Eigen::VectorXd tiny = a;
  tiny[2] += 1e-11;
  const MotionProfile small = TimeParameterize({a, tiny, b}, limits);
  EXPECT_NEAR(small.duration(),
              ClosedFormLineTime(a, tiny, limits) + ClosedFormLineTime(tiny, b, limits), 1e-12);
  const MotionProfile small_blend =
      TimeParameterize({a, tiny, b}, limits, {.blend_tolerance = 0.1});
  EXPECT_LE(small_blend.duration(), small.duration());
  EXPECT_LE((small_blend.PeakAcceleration() - limits.max_acceleration).maxCoeff(), 1e-9);
  EXPECT_LE((small_blend.PeakVelocity() - limits.max_velocity).maxCoeff(), 1e-9);
}

TEST(TimeParameterizeTest, SameInputSameOutput) {
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    const auto c = RandomTimingCase(seed);
    const TimingOptions options = RandomOptions(seed);
    EXPECT_EQ(TimeParameterize(c.waypoints, c.limits, options),
              TimeParameterize(c.waypoints, c.limits, options));
  }
}

// Pure function: two threads timing the same paths get the same results as one.
TEST(TimeParameterizeTest, ConcurrentCallsAgree) {
  std::vector<internal::TimingCase> cases;
  for (std::uint64_t seed = 0; seed < 40; ++seed) cases.push_back(RandomTimingCase(seed + 5));
  auto run = [&cases](std::vector<MotionProfile>& out) {
    for (std::size_t i = 0; i < cases.size(); ++i) {
      out.push_back(TimeParameterize(cases[i].waypoints, cases[i].limits,
                                     {.blend_tolerance = i % 2 == 0 ? 0.0 : 0.05}));
    }
  };
  std::vector<MotionProfile> serial, first, second;
  run(serial);
  std::thread a([&] { run(first); });
  std::thread b([&] { run(second); });
  a.join();
  b.join();
  EXPECT_EQ(first, serial);
  EXPECT_EQ(second, serial);
}

TEST(TimeParameterizeDeathTest, DegenerateLimitsAreProgrammingErrors) {
  const std::vector<Eigen::VectorXd> path = {Vec({0, 0}), Vec({1, 1})};
  const JointLimits zero_velocity{.max_velocity = Vec({1, 0}), .max_acceleration = Vec({1, 1})};
  const JointLimits negative_accel{.max_velocity = Vec({1, 1}), .max_acceleration = Vec({1, -2})};
  const JointLimits ok{.max_velocity = Vec({1, 1}), .max_acceleration = Vec({1, 1})};
  EXPECT_DEATH(TimeParameterize(path, zero_velocity), "check failed: .*max_velocity");
  EXPECT_DEATH(TimeParameterize(path, negative_accel), "check failed: .*max_acceleration");
  EXPECT_DEATH(TimeParameterize(path, ok, {.speed_scale = 0.0}), "check failed: .*speed_scale");
  EXPECT_DEATH(TimeParameterize({Vec({0, 0}), Vec({1, 1, 1})}, ok), "check failed");
  EXPECT_DEATH(TimeParameterize({}, ok), "check failed: .*waypoints.empty");
}

}  // namespace
}  // namespace weldcell::motion
