// gui/playback: where each robot is at a time of a plan (Qt-free, so it also runs without a
// display and under the sanitizers).

#include "gui/playback.hpp"

#include <gtest/gtest.h>

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
  // R2 waits 0-1 s for Z1 (taken with its segment 1), then moves; R1 moves 0-1 s, waits 1-2 s.
  plan::Plan p = TwoRobots();
  p.robots[1].segments = {Sampled(plan::SegmentKind::kWait, {0, 1}, {Q(0, 0), Q(0, 0)}),
                          Sampled(plan::SegmentKind::kMotion, {1, 4}, {Q(0, 0), Q(-4, 4)})};
  p.zones[0].uses[0] = {.robot = "R2", .acquire_segment = 1, .release_segment = 2};
  const StationMoment start = MomentAt(p, 0.0);
  EXPECT_EQ(start.robots[1].segment, 0);
  EXPECT_EQ(start.robots[1].activity, plan::SegmentKind::kWait);
  EXPECT_EQ(start.robots[1].waiting_for, std::vector<std::string>{"Z1"});
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
