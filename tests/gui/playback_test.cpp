// gui/playback: where each robot is at a time of a plan (Qt-free, so it also runs without a
// display and under the sanitizers).

#include "gui/playback.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <utility>

namespace weldcell::gui {
namespace {

plan::Segment Sampled(plan::SegmentKind kind, std::vector<double> times,
                      std::vector<Eigen::VectorXd> q) {
  return {.kind = kind, .from = "a", .to = "b", .times = std::move(times), .q = std::move(q)};
}

Eigen::VectorXd Q(double a, double b) { return (Eigen::VectorXd(2) << a, b).finished(); }

// R1: moves 0-1 s, waits 1-2 s for zone Z1 (which it takes with segment 2), moves 2-3 s,
// welds W1 3-3.5 s. R2: moves 0-4 s.
plan::Plan TwoRobots() {
  plan::Plan p;
  plan::RobotPlan r1{.robot = "R1"};
  r1.segments.push_back(
      Sampled(plan::SegmentKind::kMotion, {0, 0.5, 1}, {Q(0, 0), Q(1, 2), Q(2, 2)}));
  r1.segments.push_back(Sampled(plan::SegmentKind::kWait, {1, 2}, {Q(2, 2), Q(2, 2)}));
  r1.segments.push_back(Sampled(plan::SegmentKind::kMotion, {2, 3}, {Q(2, 2), Q(4, 0)}));
  r1.segments.push_back(Sampled(plan::SegmentKind::kWeld, {3, 3.5}, {Q(4, 0), Q(4, 0)}));
  r1.welds.push_back({.weld_id = "W1", .q = Q(4, 0), .start_time = 3, .end_time = 3.5});
  plan::RobotPlan r2{.robot = "R2"};
  r2.segments.push_back(Sampled(plan::SegmentKind::kMotion, {0, 4}, {Q(0, 0), Q(-4, 4)}));
  p.robots = {r1, r2};
  p.zones.push_back({.id = "Z1",
                     .uses = {{.robot = "R2", .acquire_segment = 0, .release_segment = 1},
                              {.robot = "R1", .acquire_segment = 2, .release_segment = 3}}});
  p.weld_signals.push_back({.robot = "R1", .segment = 2, .weld = "W0"});
  return p;
}

TEST(PlaybackTest, InterpolatesLinearlyBetweenSamplesAndClampsOutside) {
  const plan::Plan p = TwoRobots();
  int segment = 99;
  EXPECT_TRUE(ConfigurationAt(p.robots[0], 0.25, &segment).isApprox(Q(0.5, 1)));
  EXPECT_EQ(segment, 0);
  EXPECT_TRUE(ConfigurationAt(p.robots[0], 0.75).isApprox(Q(1.5, 2)));
  EXPECT_TRUE(ConfigurationAt(p.robots[0], 2.5, &segment).isApprox(Q(3, 1)));
  EXPECT_EQ(segment, 2);
  EXPECT_TRUE(ConfigurationAt(p.robots[0], -1, &segment).isApprox(Q(0, 0)));
  EXPECT_EQ(segment, -1);
  EXPECT_TRUE(ConfigurationAt(p.robots[0], 10, &segment).isApprox(Q(4, 0)));
  EXPECT_EQ(segment, -1);
  EXPECT_TRUE(ConfigurationAt(p.robots[1], 1).isApprox(Q(-1, 1)));
  EXPECT_EQ(ConfigurationAt(plan::RobotPlan{}, 1).size(), 0);
}

TEST(PlaybackTest, AWaitingRobotSaysWhichZoneAndWeldItWaitsFor) {
  const plan::Plan p = TwoRobots();
  const StationMoment waiting = MomentAt(p, 1.5);
  ASSERT_EQ(waiting.robots.size(), 2u);
  EXPECT_EQ(waiting.robots[0].activity, plan::SegmentKind::kWait);
  EXPECT_EQ(waiting.robots[0].waiting_for, (std::vector<std::string>{"Z1", "after W0"}));
  EXPECT_EQ(waiting.robots[1].activity, plan::SegmentKind::kMotion);
  EXPECT_TRUE(waiting.robots[1].waiting_for.empty());
  EXPECT_TRUE(waiting.welds_done.empty());
  const StationMoment moving = MomentAt(p, 2.5);
  EXPECT_EQ(moving.robots[0].activity, plan::SegmentKind::kMotion);
  EXPECT_TRUE(moving.robots[0].waiting_for.empty());
}

TEST(PlaybackTest, AWaitStartingAtTIsUnderWayAtT) {
  // R2 waits 0-1 s for Z1 (taken with its segment 1, after R1's use), then moves; R1 moves
  // 0-1 s, waits 1-2 s.
  plan::Plan p = TwoRobots();
  p.robots[1].segments = {Sampled(plan::SegmentKind::kWait, {0, 1}, {Q(0, 0), Q(0, 0)}),
                          Sampled(plan::SegmentKind::kMotion, {1, 4}, {Q(0, 0), Q(-4, 4)})};
  p.zones[0].uses = {{.robot = "R1", .acquire_segment = 2, .release_segment = 3},
                     {.robot = "R2", .acquire_segment = 1, .release_segment = 2}};
  const StationMoment start = MomentAt(p, 0.0);
  EXPECT_EQ(start.robots[1].segment, 0);
  EXPECT_EQ(start.robots[1].activity, plan::SegmentKind::kWait);
  EXPECT_EQ(start.robots[1].waiting_for, std::vector<std::string>{"Z1"});
  // As Z1's first user R2 finds it free: it waits for nothing there.
  std::swap(p.zones[0].uses[0], p.zones[0].uses[1]);
  EXPECT_TRUE(MomentAt(p, 0.0).robots[1].waiting_for.empty());
  // At t = 1 s R1's wait starts (its motion ends) and R2's wait is over.
  const StationMoment one = MomentAt(p, 1.0);
  EXPECT_EQ(one.robots[0].activity, plan::SegmentKind::kWait);
  EXPECT_EQ(one.robots[1].activity, plan::SegmentKind::kMotion);
  int segment = 99;
  EXPECT_TRUE(ConfigurationAt(p.robots[0], 1.0, &segment).isApprox(Q(2, 2)));
  EXPECT_EQ(segment, 1);
}

TEST(PlaybackTest, WeldsAreDoneWhenTheirDwellEnds) {
  const plan::Plan p = TwoRobots();
  EXPECT_TRUE(MomentAt(p, 3.4).welds_done.empty());
  EXPECT_EQ(MomentAt(p, 3.5).welds_done, std::vector<std::string>{"W1"});
  EXPECT_TRUE(MomentAt(p, 3.6).robots[0].finished);
  EXPECT_FALSE(MomentAt(p, 3.6).robots[1].finished);
  EXPECT_DOUBLE_EQ(PlanDuration(p), 4.0);
  EXPECT_DOUBLE_EQ(PlanDuration(plan::Plan{}), 0.0);
}

}  // namespace
}  // namespace weldcell::gui

namespace weldcell::gui {
namespace {

// A time axis gets at most max_labels + 1 ticks at a 1-2-5 × 10^k step whatever its span: a
// fixed 20 s step drew 5e7 labels for a 1e9 s plan and never ended for 1e300 s (t += 20 no
// longer changed t).
TEST(PlaybackAxis, TicksAreFewAndNiceForAnySpan) {
  for (const double span : {0.3, 1.03, 20.0, 21.99, 46.35, 3708.0, 1.03e6, 1.03e9, 1.03e300,
                            std::numeric_limits<double>::max()}) {
    for (const int labels : {1, 4, 10}) {
      const std::vector<double> ticks = AxisTicks(span, labels);
      ASSERT_FALSE(ticks.empty()) << span;
      EXPECT_LE(ticks.size(), static_cast<std::size_t>(labels + 1)) << span << " " << labels;
      EXPECT_EQ(ticks.front(), 0.0);
      EXPECT_LE(ticks.back(), span * (1 + 1e-9));
      const double step = NiceTickStep(span, labels);
      EXPECT_LE(span / step, labels * (1 + 1e-9)) << span;
      if (std::isfinite(10 * step)) {
        const double mantissa = step / std::pow(10.0, std::floor(std::log10(step)));
        EXPECT_TRUE(std::abs(mantissa - 1) < 1e-9 || std::abs(mantissa - 2) < 1e-9 ||
                    std::abs(mantissa - 5) < 1e-9)
            << step;
        // The smallest such step: the next smaller nice step would need more labels.
        EXPECT_GT(span / (step / (std::abs(mantissa - 5) < 1e-9 ? 2.5 : 2)), labels) << span;
      }
    }
  }
  EXPECT_EQ(NiceTickStep(21.99, 10), 5.0);
  EXPECT_EQ(NiceTickStep(3708, 10), 500.0);
  EXPECT_EQ(AxisTicks(3708, 10).size(), 8u);  // 0, 500, ..., 3500
  EXPECT_EQ(AxisTicks(-1, 10), std::vector<double>{0.0});
  EXPECT_EQ(AxisTicks(std::numeric_limits<double>::infinity(), 10), std::vector<double>{0.0});
}

// Times are written with two decimals, and in scientific notation from 1e6 s: never hundreds
// of digits in a label; a time within the rounding of the written end is the end.
TEST(PlaybackAxis, SecondsAreWrittenShortAndTheirResolutionIsKnown) {
  EXPECT_EQ(FormatSeconds(21.3476), "21.35");
  EXPECT_EQ(FormatSeconds(0), "0.00");
  EXPECT_EQ(FormatSeconds(1e9), "1.000e+09");
  EXPECT_LE(FormatSeconds(1e300).size(), 10u);
  EXPECT_LE(FormatSeconds(std::numeric_limits<double>::max()).size(), 10u);
  EXPECT_DOUBLE_EQ(DisplayedResolution(21.3476), 0.005);
  EXPECT_DOUBLE_EQ(DisplayedResolution(1.5e9), 5e5);
  EXPECT_LE(21.35 - 21.3476, DisplayedResolution(21.3476));
  EXPECT_GT(21.36 - 21.3476, DisplayedResolution(21.3476));
}

}  // namespace
}  // namespace weldcell::gui
