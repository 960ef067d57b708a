#include "report/requirements.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/report/sample_station.hpp"

namespace weldcell::report {
namespace {

using ::testing::HasSubstr;

TEST(RequirementsTest, FiveCasesInOrderWithTheirNumbers) {
  const testing::SampleStation s = testing::MakeSampleStation();
  const std::vector<RequirementResult> r =
      CheckRequirements(s.cell, s.output.plan, s.output.reach, s.verification);
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[0].name, kEveryWeldReachable);
  EXPECT_FALSE(r[0].passed);
  EXPECT_EQ(r[0].message, "1 of 4 welds reachable by no robot: W4");
  EXPECT_EQ(r[1].name, kEveryReachableWeldPlanned);
  EXPECT_TRUE(r[1].passed);
  EXPECT_EQ(r[1].message, "all 3 reachable welds are planned");
  EXPECT_EQ(r[2].name, kCycleTimeMet);
  EXPECT_FALSE(r[2].passed);
  EXPECT_THAT(r[2].message, HasSubstr("makespan 10.00 s exceeds the cycle time 9.00 s by 1.00 s"));
  EXPECT_THAT(r[2].details, HasSubstr("critical: R1 finishes last"));
  // The cycle time and the unplanned weld are counted above, not again here.
  EXPECT_EQ(r[3].name, kVerificationClean);
  EXPECT_TRUE(r[3].passed) << r[3].message;
  EXPECT_THAT(r[3].message, HasSubstr("besides 2 counted by the requirements above"));
  EXPECT_EQ(r[4].name, kTimingRobust);
  EXPECT_TRUE(r[4].passed) << r[4].message;
}

// One weld is "the 1 weld", not "all 1 welds" (a fresh user's one-weld station).
TEST(RequirementsTest, OneWeldIsSaidInTheSingular) {
  testing::SampleStation s = testing::MakeSampleStation();
  s.cell.welds.resize(1);             // W1, which R1 reaches and the plan welds
  s.output.plan.unreachable.clear();  // W4, no longer of the cell
  const std::vector<RequirementResult> r =
      CheckRequirements(s.cell, s.output.plan, s.output.reach, s.verification);
  EXPECT_EQ(r[0].message, "the 1 weld is reachable by at least one robot");
  EXPECT_EQ(r[1].message, "the 1 reachable weld is planned");
}

TEST(RequirementsTest, AReachableWeldWithoutMotionFailsPlannedAndACollisionFailsVerification) {
  testing::SampleStation s = testing::MakeSampleStation();
  s.output.plan.unreachable.push_back({.weld_id = "W2", .reason = "R1: no collision-free motion"});
  s.verification.violations.push_back({.kind = verify::ViolationKind::kCollision,
                                       .time = 6.0,
                                       .robot = "R1",
                                       .message = "R1/gun – pillar"});
  const std::vector<RequirementResult> r =
      CheckRequirements(s.cell, s.output.plan, s.output.reach, s.verification);
  EXPECT_FALSE(r[1].passed);
  EXPECT_EQ(r[1].message, "1 of 3 reachable welds not planned: W2");
  EXPECT_THAT(r[1].details, HasSubstr("W2: R1: no collision-free motion"));
  EXPECT_FALSE(r[3].passed);
  EXPECT_THAT(r[3].message, HasSubstr("1 violation(s): 1 collision"));
  EXPECT_THAT(r[3].details, HasSubstr("R1/gun – pillar"));
}

TEST(RequirementsTest, TimingRobustFailsOnContactTimeOffsetsOrContactUnderRandomTiming) {
  testing::SampleStation s = testing::MakeSampleStation();
  s.verification.violations.push_back(
      {.kind = verify::ViolationKind::kRobotCollision, .robot = "R1", .message = "R1 – R2"});
  RequirementResult r = TimingRobust(s.output.plan, s.verification);
  EXPECT_FALSE(r.passed);
  EXPECT_THAT(r.message, HasSubstr("1 robot collision violation(s)"));

  s = testing::MakeSampleStation();
  s.output.plan.zones.clear();
  s.output.plan.weld_signals.clear();
  r = TimingRobust(s.output.plan, s.verification);
  EXPECT_FALSE(r.passed);
  EXPECT_THAT(r.message, HasSubstr("1 wait(s) of 2.00 s in all that no interlock zone"));
  EXPECT_THAT(r.details, HasSubstr("R1 waits 2.00 s from 3.00 s"));

  // Contact in some of the random-timing runs, or no runs at all.
  s = testing::MakeSampleStation();
  s.verification.robustness.runs_with_contact = 7;
  r = TimingRobust(s.output.plan, s.verification);
  EXPECT_FALSE(r.passed);
  EXPECT_THAT(r.message, HasSubstr("of 100 runs with every duration varied: 7 with robot-robot"));
  s.verification.robustness = {};
  EXPECT_THAT(TimingRobust(s.output.plan, s.verification).message,
              HasSubstr("re-simulation did not run"));
}

// A cycle time of 0.001 s (a unit slip) read "0.00 s" on stdout, in junit.xml and report.html.
TEST(RequirementsTest, ACycleTimeIsNeverShownAsZero) {
  EXPECT_EQ(CycleTimeText(45.0), "45.00");
  EXPECT_EQ(CycleTimeText(9.5), "9.50");
  EXPECT_EQ(CycleTimeText(0.1), "0.10");
  EXPECT_EQ(CycleTimeText(0.001), "0.001");
  EXPECT_EQ(CycleTimeText(0.0456), "0.0456");
  EXPECT_EQ(CycleTimeText(0.0), "0.00");
}

// A plan whose only problem is an unplanned weld read "1 verification violation(s)" on stdout
// and in the report's banner, beside "verification clean: pass".
TEST(RequirementsTest, ViolationCountsSayHowManyAreUnsafe) {
  verify::VerifyReport report;
  EXPECT_EQ(ViolationCountText(report), "0 violation(s)");
  report.violations.push_back(
      {.kind = verify::ViolationKind::kWeld, .message = "W1 is not welded", .omission = true});
  EXPECT_EQ(ViolationCountText(report), "1 violation(s) (none of them unsafe)");
  report.violations.push_back({.kind = verify::ViolationKind::kRobotCollision, .message = "x"});
  EXPECT_EQ(ViolationCountText(report), "2 violation(s) (1 of them unsafe)");
  report.violations.erase(report.violations.begin());
  EXPECT_EQ(ViolationCountText(report), "1 violation(s)");
}

}  // namespace
}  // namespace weldcell::report
