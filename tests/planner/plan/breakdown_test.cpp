#include "planner/plan/breakdown.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/planner/plan/sample_plan.hpp"

namespace weldcell::plan {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(BreakdownTest, SplitsEveryRobotsTimeAndTheSplitAddsUpToTheMakespan) {
  const CycleBreakdown b = BreakDown(testing::SamplePlan());
  ASSERT_EQ(b.robots.size(), 2u);
  const RobotBreakdown& r1 = b.robots[0];
  EXPECT_DOUBLE_EQ(r1.moving, 6.0);
  EXPECT_DOUBLE_EQ(r1.welding, 2.0);
  EXPECT_DOUBLE_EQ(r1.waiting, 2.0);
  EXPECT_DOUBLE_EQ(r1.idle, 0.0);
  EXPECT_EQ(r1.welds, 2);
  const RobotBreakdown& r2 = b.robots[1];
  EXPECT_DOUBLE_EQ(r2.moving, 4.0);
  EXPECT_DOUBLE_EQ(r2.welding, 1.0);
  EXPECT_DOUBLE_EQ(r2.waiting, 0.0);
  EXPECT_DOUBLE_EQ(r2.idle, 5.0);
  for (const RobotBreakdown& r : b.robots) {
    EXPECT_NEAR(r.moving + r.welding + r.waiting + r.idle, b.makespan, 1e-12) << r.robot;
  }
  EXPECT_DOUBLE_EQ(b.slack, -1.0);
}

TEST(BreakdownTest, AWaitBelongsToTheZoneAcquiredWhereItEndsAndTheLastReleaserIsBlamed) {
  const CycleBreakdown b = BreakDown(testing::SamplePlan());
  ASSERT_EQ(b.robots[0].waits.size(), 1u);
  const WaitInterval& w = b.robots[0].waits[0];
  EXPECT_EQ(w.segment, 2);
  EXPECT_DOUBLE_EQ(w.duration(), 2.0);
  ASSERT_EQ(w.causes.size(), 2u);
  // The zone binds (released at 5 s); the weld signal was ready at 2.5 s.
  EXPECT_EQ(
      w.causes[0],
      (WaitCause{.kind = WaitCauseKind::kZone, .id = "Z1", .robot = "R2", .ready_time = 5.0}));
  EXPECT_EQ(w.causes[1],
            (WaitCause{
                .kind = WaitCauseKind::kWeldSignal, .id = "W3", .robot = "R2", .ready_time = 2.5}));
  EXPECT_TRUE(b.robots[1].waits.empty());
}

TEST(BreakdownTest, TheCriticalRobotFinishesLastAndItsReasonNamesItsWaits) {
  const CycleBreakdown b = BreakDown(testing::SamplePlan());
  EXPECT_EQ(b.critical, 0);
  ASSERT_EQ(b.critical_waits.size(), 1u);
  EXPECT_EQ(b.critical_waits[0].id, "Z1");
  EXPECT_DOUBLE_EQ(b.critical_waits[0].seconds, 2.0);
  EXPECT_THAT(b.critical_reason, HasSubstr("R1 finishes last at 10.00 s"));
  EXPECT_THAT(b.critical_reason, HasSubstr("busy 8.00 s"));
  EXPECT_THAT(b.critical_reason, HasSubstr("2.00 s for zone Z1 (R2)"));
  const std::vector<std::string> lines = BreakdownLines(b);
  EXPECT_THAT(lines.back(), HasSubstr("critical: R1"));
  EXPECT_THAT(lines[lines.size() - 2], HasSubstr("over by 1.00 s"));
}

// A fresh user (2026-12-07): a long robot name pushed its row's numbers out of their columns.
// The name column is as wide as the longest name, in characters (ü is one).
TEST(BreakdownTest, TheTablesColumnsHoldLongAndNonAsciiNames) {
  const std::string long_name =
      "Roboter_S\xC3\xBC"
      "d_Schwei\xC3\x9F"
      "zange_links";
  const std::vector<std::string> lines =
      BreakdownLines(BreakDown(testing::SamplePlan(long_name, "R2")));
  ASSERT_GE(lines.size(), 3u);
  // Characters, not bytes: bytes that do not continue a UTF-8 character.
  const auto width = [](const std::string& line) {
    return std::count_if(line.begin(), line.end(),
                         [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
  };
  // Header, the long name's row (critical) and R2's row end their last column together.
  const std::string critical = "  critical";
  ASSERT_TRUE(lines[1].ends_with(critical)) << lines[1];
  EXPECT_EQ(width(lines[0]), width(lines[2])) << lines[0] << "\n" << lines[2];
  EXPECT_EQ(width(lines[1]) - static_cast<std::ptrdiff_t>(critical.size()), width(lines[2]))
      << lines[1] << "\n"
      << lines[2];
}

TEST(BreakdownTest, AWaitWithoutZoneOrSignalIsATimeOffset) {
  Plan p = testing::SamplePlan();
  p.zones.clear();
  p.weld_signals.clear();
  // R2 now finishes last: its own work without waits sets the makespan.
  p.robots[1].finish_time = 12;
  p.makespan = 12;
  const CycleBreakdown b = BreakDown(p);
  ASSERT_EQ(b.robots[0].waits.size(), 1u);
  EXPECT_TRUE(b.robots[0].waits[0].causes.empty());
  EXPECT_EQ(b.critical, 1);
  EXPECT_THAT(b.critical_reason, HasSubstr("it never waits"));
  p.makespan = 10;
  p.robots[1].finish_time = 5;
  const CycleBreakdown c = BreakDown(p);
  EXPECT_THAT(c.critical_reason, HasSubstr("2.00 s that no zone or weld signal explains"));
}

// New-user trial: a wait cause read "zone Z8 ready at 0.00 s", without a robot. Z8 was a zone
// the waiting robot uses first: nothing holds it, so it is free, not a cause; and a wait where
// only such a zone is acquired is a time offset.
TEST(BreakdownTest, AZoneTheRobotUsesFirstIsFreeNotACause) {
  Plan p = testing::SamplePlan();
  // Z2: R1 first (at its segment 3, where its wait ends), then R2.
  p.zones.push_back({.id = "Z2",
                     .uses = {{.robot = "R1", .acquire_segment = 3, .release_segment = 4},
                              {.robot = "R2", .acquire_segment = 2, .release_segment = 3}}});
  const CycleBreakdown b = BreakDown(p);
  ASSERT_EQ(b.robots[0].waits.size(), 1u);
  const WaitInterval& w = b.robots[0].waits[0];
  ASSERT_EQ(w.causes.size(), 2u);
  EXPECT_EQ(w.causes[0].id, "Z1");
  EXPECT_EQ(w.causes[1].id, "W3");
  EXPECT_EQ(w.free_zones, std::vector<std::string>{"Z2"});
  EXPECT_THAT(b.critical_reason, HasSubstr("2.00 s for zone Z1 (R2)"));

  // Without Z1 and the signal, nothing holds R1 there.
  p.zones.erase(p.zones.begin());
  p.weld_signals.clear();
  const CycleBreakdown offset = BreakDown(p);
  ASSERT_EQ(offset.robots[0].waits.size(), 1u);
  EXPECT_TRUE(offset.robots[0].waits[0].causes.empty());
  EXPECT_EQ(offset.robots[0].waits[0].free_zones, std::vector<std::string>{"Z2"});
  EXPECT_THAT(offset.critical_reason, HasSubstr("2.00 s that no zone or weld signal explains"));
}

// New-user trial: the Waits table listed "R3 5.83 → 5.83 0.00 zone Z2 (R2)", a 0.7 ms wait.
// Waits that print as 0.00 s are counted, not listed, and their seconds stay in `waiting`; one
// that nothing explains is listed however short (a time offset fails a requirement).
TEST(BreakdownTest, WaitsTooShortToShowAreCountedNotListedUnlessNothingExplainsThem) {
  Plan p = testing::SamplePlan();
  p.robots[0].segments[2].times = {3.0, 3.0007};
  const CycleBreakdown b = BreakDown(p);
  const RobotBreakdown& r1 = b.robots[0];
  EXPECT_TRUE(r1.waits.empty());
  EXPECT_EQ(r1.short_waits, 1);
  EXPECT_NEAR(r1.short_waiting, 0.0007, 1e-12);
  EXPECT_NEAR(r1.waiting, 0.0007, 1e-12);
  EXPECT_TRUE(b.critical_waits.empty());
  EXPECT_THAT(b.critical_reason, HasSubstr("waiting 0.00 s in 1 wait(s) — 1 wait(s) under 0.01 s"));
  EXPECT_THAT(b.critical_reason, Not(HasSubstr("0.00 s for")));

  // Long enough to print as 0.01 s: listed.
  p.robots[0].segments[2].times = {3.0, 3.0051};
  EXPECT_EQ(BreakDown(p).robots[0].waits.size(), 1u);
  EXPECT_EQ(BreakDown(p).robots[0].short_waits, 0);

  // A second, short wait before W2's weld (segment 5): nothing is acquired where it ends, so it
  // is a time offset, listed; with a zone taken there, it is counted after the shares.
  p.robots[0].segments[2].times = {3.0, 5.0};
  p.robots[0].segments.insert(p.robots[0].segments.begin() + 4,
                              testing::Piece(SegmentKind::kWait, "W2", "W2", {7.0, 7.001}));
  p.zones[0].uses[1].release_segment = 6;
  const CycleBreakdown unexplained = BreakDown(p);
  ASSERT_EQ(unexplained.robots[0].waits.size(), 2u);
  EXPECT_TRUE(unexplained.robots[0].waits[1].causes.empty());
  EXPECT_EQ(unexplained.robots[0].short_waits, 0);
  p.zones.push_back({.id = "Z3",
                     .uses = {{.robot = "R2", .acquire_segment = 0, .release_segment = 1},
                              {.robot = "R1", .acquire_segment = 5, .release_segment = 6}}});
  const CycleBreakdown explained = BreakDown(p);
  EXPECT_EQ(explained.robots[0].waits.size(), 1u);
  EXPECT_EQ(explained.robots[0].short_waits, 1);
  EXPECT_THAT(explained.critical_reason,
              HasSubstr("in 2 wait(s) — 2.00 s for zone Z1 (R2), and 1 wait(s) under 0.01 s"));

  // A short wait that nothing explains: listed, a time offset.
  p.zones.clear();
  p.weld_signals.clear();
  p.robots[0].segments[2].times = {3.0, 3.0007};
  const CycleBreakdown offset = BreakDown(p);
  ASSERT_EQ(offset.robots[0].waits.size(), 2u);
  EXPECT_TRUE(offset.robots[0].waits[0].causes.empty());
  EXPECT_EQ(offset.robots[0].short_waits, 0);
}

TEST(BreakdownTest, APlanWithoutRobotsHasNoCriticalRobot) {
  const CycleBreakdown b = BreakDown(Plan{.cycle_time = 5});
  EXPECT_EQ(b.critical, -1);
  EXPECT_TRUE(b.critical_reason.empty());
  EXPECT_DOUBLE_EQ(b.slack, 5.0);
}

TEST(BreakdownTest, TheOverheadSplitsIntoTheCriticalRobotsRouteTravelAndWaits) {
  Plan p = testing::SamplePlan();
  // R1 is critical (busy 8 s, waiting 2 s, makespan 10 s): its travel moves took 1.5 s more than
  // priced. R2's error must not count.
  p.travel = {
      .kind = "analytic",
      .robots = {
          {.robot = "R2", .source = "analytic", .planned_seconds = 9.0, .predicted_seconds = 1.0},
          {.robot = "R1", .source = "analytic", .planned_seconds = 5.0, .predicted_seconds = 3.5}}};
  const OverheadSplit split = SplitOverhead(BreakDown(p), p.travel, 7.0);
  EXPECT_EQ(split.robot, "R1");
  EXPECT_DOUBLE_EQ(split.overhead, 3.0);
  EXPECT_DOUBLE_EQ(split.travel, 1.5);
  EXPECT_DOUBLE_EQ(split.waiting, 2.0);
  EXPECT_DOUBLE_EQ(split.route, -0.5) << "busy 8 s at the prices (6.5 s) against 7 s";
  EXPECT_NEAR(split.route + split.travel + split.waiting, split.overhead, 1e-12);
  EXPECT_EQ(Describe(split),
            "+3.00 s on R1: travel moves +1.50 s against their prices (analytic), waits 2.00 s, "
            "route at those prices -0.50 s against the estimate");

  // Without a travel report the route takes it all; without robots there is nothing to split.
  const OverheadSplit blind = SplitOverhead(BreakDown(p), TravelReport{}, 7.0);
  EXPECT_DOUBLE_EQ(blind.travel, 0.0);
  EXPECT_DOUBLE_EQ(blind.route, 1.0);
  EXPECT_THAT(Describe(blind), HasSubstr("travel moves +0.00 s against their prices, waits"));
  const OverheadSplit none = SplitOverhead(BreakDown(Plan{.cycle_time = 5}), TravelReport{}, 7.0);
  EXPECT_TRUE(none.robot.empty());
  EXPECT_EQ(Describe(none), "");
}

TEST(BreakdownTest, TheOverheadSplitNamesWeldSignalWaitsAndNearCriticalRobots) {
  Plan p = testing::SamplePlan();
  // Without the zone, R1's wait is for the weld signal W3: the estimate may count such a wait.
  p.zones.clear();
  // R2 finishes 0.02 s before R1: near-critical, its split may differ.
  p.robots[1].finish_time = 9.98;
  const OverheadSplit split = SplitOverhead(BreakDown(p), TravelReport{}, 9.0);
  EXPECT_EQ(split.robot, "R1");
  EXPECT_DOUBLE_EQ(split.waiting, 2.0);
  EXPECT_DOUBLE_EQ(split.signal_waiting, 2.0);
  EXPECT_DOUBLE_EQ(split.route, -1.0) << "1 s over the estimate, 2 s of waits";
  EXPECT_EQ(split.near_critical, std::vector<std::string>{"R2"});
  EXPECT_EQ(Describe(split),
            "+1.00 s on R1: travel moves +0.00 s against their prices, waits 2.00 s (of them "
            "2.00 s for weld signals, which the estimate counts in part), route at those prices "
            "-1.00 s against the estimate; R2 finishes within 0.05 s too");
  p.robots[1].finish_time = 9.9;
  EXPECT_TRUE(SplitOverhead(BreakDown(p), TravelReport{}, 9.0).near_critical.empty());
}

}  // namespace
}  // namespace weldcell::plan
