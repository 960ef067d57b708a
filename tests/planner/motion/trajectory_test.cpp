#include "planner/motion/trajectory.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "planner/motion/internal/topp_random_paths.hpp"
#include "planner/motion/time_parameterization.hpp"
#include "planner/motion/weld_sequence.hpp"

namespace weldcell::motion {
namespace {

Eigen::VectorXd Vec(std::initializer_list<double> values) {
  Eigen::VectorXd v(static_cast<Eigen::Index>(values.size()));
  Eigen::Index i = 0;
  for (double x : values) v[i++] = x;
  return v;
}

JointLimits Limits3() {
  return {.max_velocity = Vec({2.0, 1.5, 3.0}), .max_acceleration = Vec({4.0, 3.0, 8.0})};
}

// home → W1 (dwell 0.9 s) → W2 (wait 0.5 s, dwell 1.2 s) → home.
RobotTrajectory MakeCycle() {
  const JointLimits limits = Limits3();
  const Eigen::VectorXd home = Vec({0, 0, 0});
  const Eigen::VectorXd w1 = Vec({1, -0.5, 0.3});
  const Eigen::VectorXd w2 = Vec({0.2, 0.8, -1.0});
  RobotTrajectory trajectory(home);
  trajectory.AppendMotion(
      TimeParameterize({home, Vec({0.5, 0.5, 0.5}), w1}, limits, {.blend_tolerance = 0.05}), "home",
      "W1");
  trajectory.AppendWeldDwell("W1", 0.9);
  trajectory.AppendMotion(TimeParameterize({w1, w2}, limits), "W1", "W2");
  trajectory.AppendWait("W2", 0.5);
  trajectory.AppendWeldDwell("W2", 1.2);
  trajectory.AppendMotion(TimeParameterize({w2, home}, limits), "W2", "home");
  return trajectory;
}

TEST(RobotTrajectoryTest, EmptyTrajectoryStandsAtItsStart) {
  const RobotTrajectory empty(Vec({1, 2}));
  EXPECT_EQ(empty.dof(), 2);
  EXPECT_EQ(empty.duration(), 0.0);
  EXPECT_EQ(empty.end(), Vec({1, 2}));
  EXPECT_EQ(empty.SegmentIndexAt(1.0), -1);
  EXPECT_EQ(empty.Sample(4.0).q, Vec({1, 2}));
  EXPECT_EQ(empty.Sample(4.0).qd, Vec({0, 0}));
  ASSERT_EQ(empty.Waypoints(0.1).size(), 1u);
}

TEST(RobotTrajectoryTest, SegmentsAreContiguousWithMetadataAndDwells) {
  const RobotTrajectory trajectory = MakeCycle();
  const auto& segments = trajectory.segments();
  ASSERT_EQ(segments.size(), 6u);
  EXPECT_EQ(segments[0].kind, SegmentKind::kMotion);
  EXPECT_EQ(segments[0].from, "home");
  EXPECT_EQ(segments[0].to, "W1");
  EXPECT_EQ(segments[1].kind, SegmentKind::kWeldDwell);
  EXPECT_EQ(segments[1].from, "W1");
  EXPECT_EQ(segments[1].duration(), 0.9);
  EXPECT_EQ(segments[3].kind, SegmentKind::kWait);
  EXPECT_EQ(segments[4].kind, SegmentKind::kWeldDwell);
  double t = 0.0;
  for (const TrajectorySegment& s : segments) {
    EXPECT_EQ(s.start_time, t);
    t += s.duration();
  }
  EXPECT_EQ(trajectory.duration(), t);
  EXPECT_EQ(trajectory.end(), trajectory.start());

  // During a dwell the robot stands at the weld configuration.
  const Eigen::VectorXd w1 = Vec({1, -0.5, 0.3});
  for (double f : {0.0, 0.3, 0.999}) {
    const double at = segments[1].start_time + f * segments[1].duration();
    EXPECT_EQ(trajectory.SegmentIndexAt(at), f == 0.0 ? 1 : 1);
    const JointState s = trajectory.Sample(at);
    EXPECT_LE((s.q - w1).norm(), 1e-12);
    EXPECT_EQ(s.qd.norm(), 0.0);
    EXPECT_EQ(s.qdd.norm(), 0.0);
  }
  // Before the start and after the end: clamped.
  EXPECT_EQ(trajectory.Sample(-1.0).q, trajectory.start());
  EXPECT_LE((trajectory.Sample(1e9).q - trajectory.start()).norm(), 1e-12);
}

TEST(RobotTrajectoryTest, SampleIsContinuousAcrossSegments) {
  const RobotTrajectory trajectory = MakeCycle();
  for (const TrajectorySegment& s : trajectory.segments()) {
    if (s.start_time == 0.0) continue;
    const JointState before = trajectory.Sample(s.start_time - 1e-9);
    const JointState at = trajectory.Sample(s.start_time);
    EXPECT_LE((at.q - before.q).norm(), 1e-8);
    EXPECT_LE((at.qd - before.qd).norm(), 1e-7);  // Motions start and end at rest.
  }
}

TEST(RobotTrajectoryTest, WaypointsCoverEverySegmentWithinTheStep) {
  const RobotTrajectory trajectory = MakeCycle();
  const double max_dt = 0.05;
  const std::vector<TimedWaypoint> points = trajectory.Waypoints(max_dt);
  ASSERT_GE(points.size(), 2u);
  EXPECT_EQ(points.front().t, 0.0);
  EXPECT_EQ(points.front().state.q, trajectory.start());
  EXPECT_EQ(points.back().t, trajectory.duration());
  for (std::size_t i = 1; i < points.size(); ++i) {
    ASSERT_GT(points[i].t, points[i - 1].t);
    const TrajectorySegment& segment = trajectory.segments()[points[i].segment];
    if (segment.kind == SegmentKind::kMotion) {
      ASSERT_LE(points[i].t - points[i - 1].t, max_dt * (1 + 1e-12));
    } else {
      // A stationary segment is one step from its start to its end.
      EXPECT_EQ(points[i].t, segment.end_time());
      EXPECT_EQ(points[i - 1].t, segment.start_time);
    }
    const JointState s = trajectory.Sample(points[i].t);
    EXPECT_LE((s.q - points[i].state.q).norm(), 1e-12);
  }
  // Every segment end is a waypoint.
  for (const TrajectorySegment& s : trajectory.segments()) {
    const bool found = std::any_of(points.begin(), points.end(),
                                   [&](const TimedWaypoint& p) { return p.t == s.end_time(); });
    EXPECT_TRUE(found) << s.end_time();
  }
}

TEST(RobotTrajectoryTest, EqualityAndPrinting) {
  const RobotTrajectory a = MakeCycle();
  RobotTrajectory b = MakeCycle();
  EXPECT_EQ(a, b);
  b.AppendWait("home", 0.1);
  EXPECT_NE(a, b);
  EXPECT_NE(a, RobotTrajectory(Vec({0, 0})));
  const std::string text = ToString(a);
  EXPECT_THAT(text, ::testing::HasSubstr("weld W1 -> W1 at"));
  EXPECT_THAT(text, ::testing::HasSubstr("motion home -> W1 at 0 s"));
  EXPECT_THAT(text, ::testing::HasSubstr("wait W2 -> W2"));
}

TEST(RobotTrajectoryDeathTest, MotionMustStartWhereTheTrajectoryEnds) {
  RobotTrajectory trajectory(Vec({0, 0, 0}));
  const MotionProfile elsewhere = TimeParameterize({Vec({1, 0, 0}), Vec({1, 1, 0})}, Limits3());
  EXPECT_DEATH(trajectory.AppendMotion(elsewhere, "a", "b"), "check failed: .*end\\(\\)");
}

TEST(MotionProfileTest, StationaryProfile) {
  const MotionProfile still = MotionProfile::Stationary(Vec({1, 2, 3}), 2.5);
  EXPECT_EQ(still.duration(), 2.5);
  EXPECT_EQ(still.start(), Vec({1, 2, 3}));
  EXPECT_EQ(still.end(), Vec({1, 2, 3}));
  EXPECT_EQ(still.Sample(1.0).q, Vec({1, 2, 3}));
  EXPECT_EQ(still.PeakVelocity().norm(), 0.0);
  EXPECT_EQ(still.PeakAcceleration().norm(), 0.0);
}

// Arc geometry: tangent and curvature are the derivatives of the position, the stored end is
// where the formula ends, and the stored per-joint maxima bound the sampled values.
TEST(PathPieceTest, ArcDerivativesAndMaximaAreConsistent) {
  int arcs = 0;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    const auto c = internal::RandomTimingCase(seed, {.min_waypoints = 3});
    const MotionProfile profile = TimeParameterize(c.waypoints, c.limits, {.blend_tolerance = 0.3});
    for (const PathPiece& piece : profile.pieces()) {
      if (piece.kind != PathPiece::Kind::kArc) continue;
      EXPECT_LE((piece.Position(piece.length * (1 - 1e-15)) - piece.end).norm(), 1e-12);
      if (piece.length < 1e-3) continue;  // Too short for accurate finite differences.
      ++arcs;
      const double h = 1e-4 * std::min(piece.radius, piece.length);
      for (int i = 1; i < 20; ++i) {
        const double s = piece.length * i / 20.0;
        const Eigen::VectorXd fd_tangent =
            (piece.Position(s + h) - piece.Position(s - h)) / (2 * h);
        const Eigen::VectorXd fd_curvature =
            (piece.Tangent(s + h) - piece.Tangent(s - h)) / (2 * h);
        ASSERT_LE((fd_tangent - piece.Tangent(s)).norm(), 1e-6) << "seed " << seed;
        ASSERT_LE((fd_curvature - piece.Curvature(s)).norm(), 1e-6 / piece.radius)
            << "seed " << seed;
        ASSERT_NEAR(piece.Tangent(s).norm(), 1.0, 1e-12);
        ASSERT_TRUE(
            (piece.Tangent(s).cwiseAbs().array() <= piece.max_abs_tangent.array() * (1 + 1e-12))
                .all());
        ASSERT_TRUE(
            (piece.Curvature(s).cwiseAbs().array() <= piece.max_abs_curvature.array() * (1 + 1e-12))
                .all());
      }
    }
  }
  EXPECT_GT(arcs, 300);
}

// Run backwards, a profile passes the same configurations at mirrored times, with mirrored
// velocities and the same accelerations, on blended random paths (lines and arcs).
TEST(MotionProfileTest, ReversedPassesTheSameConfigurationsBackwards) {
  int arcs = 0;
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    const auto c = internal::RandomTimingCase(seed, {.min_waypoints = 3});
    const MotionProfile forward = TimeParameterize(c.waypoints, c.limits, {.blend_tolerance = 0.3});
    const MotionProfile backward = forward.Reversed();
    for (const PathPiece& piece : forward.pieces()) arcs += piece.kind == PathPiece::Kind::kArc;
    const double t_end = forward.duration();
    ASSERT_NEAR(backward.duration(), t_end, 1e-12) << "seed " << seed;
    ASSERT_EQ(backward.start(), forward.end());
    ASSERT_EQ(backward.end(), forward.start());
    ASSERT_TRUE(backward.PeakVelocity().isApprox(forward.PeakVelocity(), 1e-12));
    ASSERT_TRUE(backward.PeakAcceleration().isApprox(forward.PeakAcceleration(), 1e-9));
    // Off the phase boundaries (a rest-to-rest profile switches at half its duration), where
    // the acceleration jumps and each side samples the later phase.
    for (int i = 0; i < 200; ++i) {
      const double t = t_end * (i + 0.37) / 200.0;
      const JointState b = backward.Sample(t);
      const JointState f = forward.Sample(t_end - t);
      ASSERT_LE((b.q - f.q).cwiseAbs().maxCoeff(), 1e-9) << "seed " << seed << " t " << t;
      ASSERT_LE((b.qd + f.qd).cwiseAbs().maxCoeff(), 1e-9) << "seed " << seed << " t " << t;
      ASSERT_LE((b.qdd - f.qdd).cwiseAbs().maxCoeff(), 1e-6 * (1.0 + f.qdd.cwiseAbs().maxCoeff()))
          << "seed " << seed << " t " << t;
    }
  }
  EXPECT_GT(arcs, 50) << "the paths must have blends";
}

// A welded sequence run backwards: its trajectory reversed and the poses its stops were welded
// in (own or alternative) in the reversed stop order.
TEST(SequenceResultTest, ReversedReversesTheTrajectoryAndThePosesUsed) {
  SequenceResult forward{.trajectory = MakeCycle(), .alternative_used = {-1, 2}};
  forward.direct_moves = 2;
  forward.planned_moves = 1;
  const SequenceResult backward = Reversed(forward);
  EXPECT_EQ(backward.trajectory, forward.trajectory.Reversed());
  EXPECT_EQ(backward.alternative_used, (std::vector<int>{2, -1}));
  EXPECT_EQ(backward.direct_moves, 2);
  EXPECT_EQ(backward.planned_moves, 1);
  EXPECT_TRUE(backward.skipped.empty());
}

TEST(RobotTrajectoryTest, ReversedRunsTheSegmentsBackwardsFromTheEnd) {
  const RobotTrajectory forward = MakeCycle();
  const RobotTrajectory backward = forward.Reversed();
  ASSERT_EQ(backward.segments().size(), forward.segments().size());
  EXPECT_NEAR(backward.duration(), forward.duration(), 1e-12);
  EXPECT_EQ(backward.start(), forward.end());
  EXPECT_EQ(backward.end(), forward.start());
  const std::size_t n = forward.segments().size();
  for (std::size_t k = 0; k < n; ++k) {
    const TrajectorySegment& f = forward.segments()[n - 1 - k];
    const TrajectorySegment& b = backward.segments()[k];
    EXPECT_EQ(b.kind, f.kind) << "segment " << k;
    EXPECT_EQ(b.from, f.to) << "segment " << k;
    EXPECT_EQ(b.to, f.from) << "segment " << k;
    EXPECT_NEAR(b.duration(), f.duration(), 1e-12) << "segment " << k;
  }
  for (int i = 0; i <= 500; ++i) {
    const double t = forward.duration() * i / 500.0;
    EXPECT_LE(
        (backward.Sample(t).q - forward.Sample(forward.duration() - t).q).cwiseAbs().maxCoeff(),
        1e-9)
        << "t " << t;
  }
  EXPECT_EQ(backward.Reversed().segments().size(), n);
}

}  // namespace
}  // namespace weldcell::motion
