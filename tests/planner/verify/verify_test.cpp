#include "planner/verify/verify.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string_view>
#include <vector>

#include "planner/collision/collision_world.hpp"
#include "planner/pipeline/plan_cell.hpp"
#include "planner/plan/cell_hash.hpp"
#include "tests/planner/pipeline/pipeline_cells.hpp"

namespace weldcell::verify {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

// A verified plan of the detour cell, broken in one way per test: the verifier must notice.
class VerifyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cell_ = new cell::Cell(testing::DetourCell());
    world_ = new collision::CollisionWorld(MakeVerifierWorld(*cell_));
    const collision::CollisionWorld planner_world(*cell_);
    plan_ = new plan::Plan(pipeline::PlanCell(*cell_, planner_world).plan);
  }
  static void TearDownTestSuite() {
    delete plan_;
    delete world_;
    delete cell_;
  }
  static std::vector<Violation> Of(const VerifyReport& r, ViolationKind kind) {
    std::vector<Violation> out;
    for (const Violation& v : r.violations) {
      if (v.kind == kind) out.push_back(v);
    }
    return out;
  }
  // The longest motion segment (most samples).
  static plan::Segment& LongestMotion(plan::Plan& p) {
    plan::Segment* best = nullptr;
    for (plan::Segment& s : p.robots[0].segments) {
      if (s.kind == plan::SegmentKind::kMotion && (!best || s.q.size() > best->q.size())) best = &s;
    }
    return *best;
  }
  static cell::Cell* cell_;
  static collision::CollisionWorld* world_;  // the verifier's
  static plan::Plan* plan_;
};
cell::Cell* VerifyTest::cell_ = nullptr;
collision::CollisionWorld* VerifyTest::world_ = nullptr;
plan::Plan* VerifyTest::plan_ = nullptr;

TEST_F(VerifyTest, ThePlannedPlanIsClean) {
  const VerifyReport r = Verify(*plan_, *cell_, *world_);
  for (const Violation& v : r.violations) ADD_FAILURE() << ToString(v);
}

// The verdict a summary states: "fits" needs a complete plan within the cycle time that
// verification passes; each failing requirement gives its own verdict.
TEST_F(VerifyTest, TheStationFitsOnlyWhenCompleteWithinTheCycleTimeAndClean) {
  const VerifyReport clean = Verify(*plan_, *cell_, *world_);
  ASSERT_TRUE(clean.ok());
  EXPECT_EQ(Judge(*plan_, clean), StationVerdict::kFits);

  VerifyReport collided = clean;
  collided.violations.push_back(
      {.kind = ViolationKind::kCollision, .time = 1.0, .robot = "R1", .message = "R1/gun – wall"});
  EXPECT_EQ(Judge(*plan_, collided), StationVerdict::kInvalid);

  plan::Plan slow = *plan_;
  slow.within_cycle_time = false;
  EXPECT_EQ(Judge(slow, collided), StationVerdict::kTooLong);
  VerifyReport over = clean;
  over.violations.push_back({.kind = ViolationKind::kCycleTime,
                             .time = 0.0,
                             .robot = "",
                             .message = "the station needs 50 s"});
  EXPECT_EQ(Judge(*plan_, over), StationVerdict::kTooLong);

  plan::Plan incomplete = slow;
  incomplete.unreachable.push_back({.weld_id = "W1", .reason = "out of range"});
  EXPECT_EQ(Judge(incomplete, collided), StationVerdict::kIncomplete);
  EXPECT_EQ(ToString(StationVerdict::kInvalid), "invalid");
}

TEST_F(VerifyTest, ShortcutThroughTheWallIsACollisionNamingIt) {
  // Replace the detour by the straight joint move between its ends, sampled only at the ends:
  // the verifier must check between samples at its own resolution.
  plan::Plan p = *plan_;
  plan::Segment& s = LongestMotion(p);
  s.times = {s.times.front(), s.times.back()};
  s.q = {s.q.front(), s.q.back()};
  const VerifyReport r = Verify(p, *cell_, *world_);
  const std::vector<Violation> hits = Of(r, ViolationKind::kCollision);
  ASSERT_FALSE(hits.empty()) << "the straight move crosses the wall";
  EXPECT_THAT(hits.front().message, HasSubstr("wall"));
  EXPECT_EQ(hits.front().robot, "R1");
  EXPECT_GE(hits.front().time, s.times.front());
  EXPECT_LE(hits.front().time, s.times.back());
}

TEST_F(VerifyTest, TwiceAsFastBreaksVelocityAndAccelerationLimits) {
  plan::Plan p = *plan_;
  for (plan::RobotPlan& r : p.robots) {
    for (plan::Segment& s : r.segments) {
      for (double& t : s.times) t *= 0.5;
    }
    for (plan::WeldVisit& w : r.welds) {
      w.start_time *= 0.5;
      w.end_time *= 0.5;
    }
    r.finish_time *= 0.5;
  }
  p.makespan *= 0.5;
  const VerifyReport r = Verify(p, *cell_, *world_);
  EXPECT_FALSE(Of(r, ViolationKind::kJointVelocity).empty());
  EXPECT_FALSE(Of(r, ViolationKind::kJointAcceleration).empty());
  EXPECT_FALSE(Of(r, ViolationKind::kWeld).empty()) << "dwells became too short";
  EXPECT_THAT(Of(r, ViolationKind::kJointVelocity).front().message, HasSubstr("limit"));
}

TEST_F(VerifyTest, JointBeyondItsLimitIsReported) {
  plan::Plan p = *plan_;
  plan::Segment& s = LongestMotion(p);
  const double upper = world_->chain(0).upper()[3];
  for (Eigen::VectorXd& q : s.q) q[3] = upper + 0.01;
  const VerifyReport r = Verify(p, *cell_, *world_);
  const std::vector<Violation> v = Of(r, ViolationKind::kJointPosition);
  ASSERT_FALSE(v.empty());
  EXPECT_THAT(v.front().message, HasSubstr("joint_4"));
}

std::string Messages(const VerifyReport& r) {
  std::string out;
  for (const Violation& v : r.violations) out += v.message + "\n";
  return out;
}

// A joint value no robot can take (a hand-edited plan.json: 1000 rad, 1e308 rad) is reported,
// and motion through it is not checked densely for collisions: its cost grows with the joints'
// travel (1000 rad took 96 s, 1e6 rad would take a day). Just beyond the limits (0.01 rad, above)
// the collisions are checked as everywhere.
TEST_F(VerifyTest, AJointValueFarBeyondItsLimitsIsReportedWithoutDenseChecksThroughIt) {
  const VerifyReport clean = Verify(*plan_, *cell_, *world_);
  for (const double value : {1000.0, 1e308}) {
    plan::Plan p = *plan_;
    plan::Segment& s = LongestMotion(p);
    s.q[s.q.size() / 2][0] = value;
    const VerifyReport r = Verify(p, *cell_, *world_);
    const std::vector<Violation> v = Of(r, ViolationKind::kJointPosition);
    ASSERT_EQ(v.size(), 2u) << Messages(r);
    EXPECT_THAT(v[0].message, HasSubstr("joint_1 at "));
    EXPECT_THAT(v[1].message, HasSubstr("not checked: joint_1 at "));
    EXPECT_THAT(v[1].message, HasSubstr("more than 0.1 rad beyond its limits"));
    // The value as the file has it, not an overflowed "inf deg"; the speed and acceleration
    // through it as the step, not an overflowed "inf rad/s".
    EXPECT_THAT(Messages(r), Not(HasSubstr("inf"))) << Messages(r);
    EXPECT_FALSE(Of(r, ViolationKind::kJointVelocity).empty()) << Messages(r);
    // Fewer checks than the clean plan's: the robot's own dense checks are not made.
    EXPECT_LT(r.collision_checks, clean.collision_checks);
  }
  // A segment's first sample (Flatten keeps the previous segment's end in its place): named too,
  // not left out of the event checks without a word (a fresh user's second look).
  plan::Plan first = *plan_;
  plan::Segment& later = LongestMotion(first);
  ASSERT_NE(&later, &first.robots[0].segments.front());
  later.q.front()[0] = 1e308;
  const VerifyReport at_start = Verify(first, *cell_, *world_);
  EXPECT_THAT(Messages(at_start), HasSubstr("not checked: joint_1 at 1e+308 rad is more than 0.1 "
                                            "rad beyond its limits"));
  plan::Plan near = *plan_;
  plan::Segment& s = LongestMotion(near);
  s.q[s.q.size() / 2][0] = world_->chain(0).upper()[0] + 0.05;
  const VerifyReport r = Verify(near, *cell_, *world_);
  EXPECT_THAT(Messages(r), Not(HasSubstr("collisions not checked")));
  EXPECT_GE(r.collision_checks, clean.collision_checks);
}

TEST_F(VerifyTest, MissingAndDuplicateWeldsAreReported) {
  plan::Plan p = *plan_;
  const std::string dropped = p.robots[0].welds.front().weld_id;
  p.robots[0].welds.erase(p.robots[0].welds.begin());
  p.robots[0].welds.push_back(p.robots[0].welds.front());
  const VerifyReport r = Verify(p, *cell_, *world_);
  const std::vector<Violation> v = Of(r, ViolationKind::kWeld);
  ASSERT_EQ(v.size(), 2u);
  std::string all = v[0].message + " | " + v[1].message;
  // Its weld segment is still there: said as it is (a fresh user read "is not welded" of a
  // weld whose segment welds it).
  EXPECT_THAT(all, ContainsRegex(dropped + " is not welded by the plan's records: R[0-9]+ "
                                           "segment [0-9]+ welds it, but no robot's welds list "
                                           "has a record of it"));
  EXPECT_THAT(all, HasSubstr("again"));
  // A weld left out makes the plan incomplete; welding one twice makes it unsafe.
  for (const Violation& x : v) EXPECT_EQ(x.omission, x.message.find("again") == std::string::npos);
  EXPECT_EQ(r.unsafe_count(), 2) << Messages(r);  // and within_cycle_time, still true
  plan::Plan left_out = *plan_;
  left_out.robots[0].welds.erase(left_out.robots[0].welds.begin());
  left_out.within_cycle_time = false;  // a plan with a weld left out does not fit
  const VerifyReport incomplete = Verify(left_out, *cell_, *world_);
  EXPECT_FALSE(incomplete.ok());
  EXPECT_EQ(incomplete.unsafe_count(), 0) << Messages(incomplete);
}

TEST_F(VerifyTest, GunOffTheWeldIsReported) {
  plan::Plan p = *plan_;
  p.robots[0].welds[1].q[0] += 0.01;  // ~15 mm at this reach
  const VerifyReport r = Verify(p, *cell_, *world_);
  const std::vector<Violation> v = Of(r, ViolationKind::kWeld);
  ASSERT_FALSE(v.empty());
  EXPECT_THAT(v.front().message, ::testing::AnyOf(HasSubstr("gun not on"),
                                                  HasSubstr("is not where its dwell stands")));
  EXPECT_EQ(r.unsafe_count(), static_cast<int>(v.size()));  // no programs for such a plan
}

TEST_F(VerifyTest, APlanMadeWithAnotherSeedIsOfTheSameCell) {
  // `weldcell plan --seed 7` plans the cell with settings.seed 7 and records the seed.
  cell::Cell seeded = *cell_;
  seeded.settings.seed = 7;
  plan::Plan p = *plan_;
  p.seed = 7;
  p.cell_hash = plan::CellHash(seeded);
  EXPECT_NE(p.cell_hash, plan::CellHash(*cell_));
  EXPECT_EQ(p.cell_hash, plan::CellHash(*cell_, 7));
  EXPECT_TRUE(Of(Verify(p, *cell_, *world_), ViolationKind::kPlanMismatch).empty());
  // The seed is no way around a changed cell.
  cell::Cell moved = *cell_;
  moved.welds[0].p_W.z() += 0.001;
  EXPECT_EQ(Of(Verify(p, moved, *world_), ViolationKind::kPlanMismatch).size(), 1u);
}

TEST_F(VerifyTest, PlanForAnotherCellIsAMismatch) {
  cell::Cell other = *cell_;
  other.welds[0].p_W.z() += 0.001;
  const VerifyReport r = Verify(*plan_, other);
  const std::vector<Violation> v = Of(r, ViolationKind::kPlanMismatch);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_THAT(v.front().message, HasSubstr("was made for cell"));
}

TEST_F(VerifyTest, BrokenTimingIsReported) {
  plan::Plan p = *plan_;
  plan::Segment& s = LongestMotion(p);
  std::swap(s.times[1], s.times[2]);
  const VerifyReport r = Verify(p, *cell_, *world_);
  EXPECT_FALSE(Of(r, ViolationKind::kTiming).empty());
}

TEST_F(VerifyTest, CycleTimeExceeded) {
  cell::Cell tight = *cell_;
  tight.cycle_time = plan_->makespan / 2;
  plan::Plan p = *plan_;
  const VerifyReport r = Verify(p, tight);
  EXPECT_EQ(Of(r, ViolationKind::kCycleTime).size(), 1u);
}

// Two robots: three collision tasks (each robot, the pair), reported in order; cancelled at the
// first report on one thread, the others are not checked.
TEST(VerifyProgressTest, ReportsEveryCollisionTaskAndStopsWhenCancelled) {
  const cell::Cell c = testing::SharedCell();
  const collision::CollisionWorld planner_world(c);
  const plan::Plan p =
      pipeline::PlanCell(c, planner_world, {.threads = 2, .allocation_iterations = 1000}).plan;
  const collision::CollisionWorld world = MakeVerifierWorld(c);
  std::vector<std::int64_t> done, runs, pairs;
  bool full_concurrency_seen = false;
  const Progress all([&](std::string_view stage, std::int64_t d, std::int64_t total) {
    if (stage == kConcurrencyStage) {
      EXPECT_EQ(done.size(), 3u) << "after the collision tasks";
      EXPECT_TRUE(runs.empty()) << "before the runs";
      EXPECT_GT(total, 0);
      pairs.push_back(d);
      if (d == total) full_concurrency_seen = true;
      return;
    }
    if (stage == kRobustnessStage) {
      EXPECT_EQ(total, 5);
      runs.push_back(d);
      return;
    }
    EXPECT_EQ(stage, kVerifyStage);
    EXPECT_EQ(total, 3);
    EXPECT_TRUE(runs.empty()) << "the collision tasks come first";
    done.push_back(d);
  });
  const VerifyReport full =
      Verify(p, c, world, {.robustness_runs = 5, .threads = 2, .progress = all});
  for (const Violation& v : full.violations) ADD_FAILURE() << ToString(v);
  EXPECT_EQ(done, (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(runs, (std::vector<std::int64_t>{1, 2, 3, 4, 5}));
  EXPECT_TRUE(full_concurrency_seen);
  EXPECT_TRUE(std::is_sorted(pairs.begin(), pairs.end()));
  EXPECT_EQ(full.robustness.runs, 5);

  std::atomic<bool> cancel{false};
  int reports = 0;
  const Progress cancelling(
      [&](std::string_view, std::int64_t, std::int64_t) {
        ++reports;
        cancel = true;
      },
      &cancel);
  const VerifyReport cut =
      Verify(p, c, world, {.robustness_runs = 5, .threads = 1, .progress = cancelling});
  EXPECT_EQ(reports, 1);
  EXPECT_LT(cut.collision_checks, full.collision_checks);
  EXPECT_EQ(cut.robustness.runs, 0) << "no run starts once cancelled";
}

// Issue 9: `after:` precedences. The detour plan welds its four welds in some order; a cell that
// demands the reverse order of two of them is broken by that plan.
TEST_F(VerifyTest, AWeldBeforeItsPredecessorIsAPrecedenceViolationNamingBoth) {
  const std::vector<plan::WeldVisit>& visits = plan_->robots[0].welds;
  ASSERT_GE(visits.size(), 2u);
  const std::string first = visits.front().weld_id, last = visits.back().weld_id;
  auto with_after = [&](const std::string& weld, const std::string& before) {
    cell::Cell c = *cell_;
    for (cell::Weld& w : c.welds) {
      if (w.id == weld) w.after = {before};
    }
    return c;
  };
  plan::Plan p = *plan_;
  // Broken: the first weld must come after the last.
  const cell::Cell broken = with_after(first, last);
  p.cell_hash = plan::CellHash(broken);
  const VerifyReport r = Verify(p, broken, *world_);
  const std::vector<Violation> v = Of(r, ViolationKind::kPrecedence);
  ASSERT_EQ(v.size(), 1u) << (r.violations.empty() ? "" : ToString(r.violations.front()));
  EXPECT_EQ(r.violations.size(), 1u);
  EXPECT_EQ(v[0].robot, "R1");
  EXPECT_NEAR(v[0].time, visits.front().start_time, 1e-9);
  EXPECT_THAT(v[0].message, HasSubstr(first + " (R1) starts welding at"));
  EXPECT_THAT(v[0].message, HasSubstr("before " + last + " (R1) has finished"));
  EXPECT_THAT(ToString(v[0]), HasSubstr("precedence:"));
  // Kept: the last weld after the first.
  const cell::Cell kept = with_after(last, first);
  p.cell_hash = plan::CellHash(kept);
  EXPECT_TRUE(Verify(p, kept, *world_).ok());
  // The weld records cannot hide it: the check reads the dwell segments.
  p.cell_hash = plan::CellHash(broken);
  for (plan::WeldVisit& w : p.robots[0].welds) w.start_time = w.end_time = 0.0;
  EXPECT_EQ(Of(Verify(p, broken, *world_), ViolationKind::kPrecedence).size(), 1u);
}

TEST_F(VerifyTest, WeldRecordTimesMustMatchTheDwell) {
  plan::Plan p = *plan_;
  p.robots[0].welds[1].start_time += 0.5;
  const std::vector<Violation> v = Of(Verify(p, *cell_, *world_), ViolationKind::kWeld);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_THAT(v[0].message, HasSubstr("the weld record of " + p.robots[0].welds[1].weld_id));
  // So must its spin and tilt (what reports and programs show), the spin modulo a turn.
  p = *plan_;
  p.robots[0].welds[0].spin += 2.0 * M_PI;
  ASSERT_TRUE(Of(Verify(p, *cell_, *world_), ViolationKind::kWeld).empty());
  p.robots[0].welds[0].tilt = 1.0;
  const std::vector<Violation> tilt = Of(Verify(p, *cell_, *world_), ViolationKind::kWeld);
  ASSERT_EQ(tilt.size(), 1u);
  EXPECT_THAT(tilt[0].message,
              ::testing::ContainsRegex("the weld record of " + p.robots[0].welds[0].weld_id +
                                       " says spin [-0-9.]+°, tilt 57.30°"));
  // A hand-edited ±1e308 is said as the file has it, not as "inf°".
  p.robots[0].welds[0].spin = 1e308;
  p.robots[0].welds[0].tilt = -1e308;
  const std::vector<Violation> far = Of(Verify(p, *cell_, *world_), ViolationKind::kWeld);
  ASSERT_EQ(far.size(), 1u);
  EXPECT_THAT(far[0].message, HasSubstr("says spin 1e+308 rad, tilt -1e+308 rad;"));
  // And its configuration: a record away from where its dwell stands says so, naming the joint
  // (a new user's edit was reported as "the robot moves during the weld dwell", which it does
  // not).
  p = *plan_;
  p.robots[0].welds[0].q[0] += 0.1;
  const std::vector<Violation> q = Of(Verify(p, *cell_, *world_), ViolationKind::kWeld);
  ASSERT_FALSE(q.empty());
  std::string all;
  for (const Violation& x : q) all += x.message + "\n";
  EXPECT_THAT(all, HasSubstr("the weld record of " + p.robots[0].welds[0].weld_id +
                             " is not where its dwell stands: "));
  EXPECT_THAT(all, HasSubstr("in the record,"));
  EXPECT_THAT(all, Not(HasSubstr("moves during the weld dwell")));
}

// The plan's own claims decide its verdict and what export leaves out: a weld listed as not
// planned that a robot welds, a listed weld the cell does not have, and a cycle time other than
// the cell's are mismatches (the station was not planned as the plan says).
TEST_F(VerifyTest, TheUnplannedListAndTheCycleTimeMustBeTheCells) {
  ASSERT_TRUE(Verify(*plan_, *cell_, *world_).ok());
  plan::Plan p = *plan_;
  const std::string welded = p.robots[0].welds[0].weld_id;
  p.unreachable = {{.weld_id = welded, .reason = "R1: out of range"}, {.weld_id = "W99"}};
  std::vector<Violation> v = Of(Verify(p, *cell_, *world_), ViolationKind::kPlanMismatch);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].message, "unreachable: " + welded +
                              " is listed as not planned (R1: out of range), but R1 welds it");
  EXPECT_EQ(v[1].message, "unreachable: W99 is not a weld of the cell");

  p = *plan_;
  p.cycle_time = 10.0;
  v = Of(Verify(p, *cell_, *world_), ViolationKind::kPlanMismatch);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_THAT(v[0].message, HasSubstr("cycle_time: the plan says 10.000000 s, the cell "));
}

// A robot's busy and waiting times feed the report, the summaries and the cycle-time breakdown:
// figures edited in plan.json (or written by another tool) that its segments do not add up to
// verified as they were.
TEST_F(VerifyTest, BusyAndWaitTimesAreWhatTheSegmentsAddUpTo) {
  ASSERT_TRUE(Verify(*plan_, *cell_, *world_).ok());
  plan::Plan p = *plan_;
  const double busy = p.robots[0].busy_time;
  p.robots[0].busy_time -= 1.0;
  p.robots[0].wait_time += 1.0;
  std::vector<Violation> v = Of(Verify(p, *cell_, *world_), ViolationKind::kTiming);
  ASSERT_EQ(v.size(), 2u);
  char expected[160];
  std::snprintf(expected, sizeof expected,
                "busy time %.6f s, but its motion and weld segments take %.6f s", busy - 1.0, busy);
  EXPECT_EQ(v[0].message, expected);
  EXPECT_THAT(v[1].message, HasSubstr("wait time "));
  EXPECT_THAT(v[1].message, HasSubstr(" s, but its wait segments take "));
  EXPECT_EQ(v[0].robot, p.robots[0].robot);
}

// Index of the first segment of robot 0 that starts where a robot stands still (after a
// dwell), so that shifting it and everything after leaves only a gap.
std::size_t SegmentAfterTheFirstDwell(const plan::Plan& p) {
  const std::vector<plan::Segment>& s = p.robots[0].segments;
  for (std::size_t k = 0; k + 1 < s.size(); ++k) {
    if (s[k].kind == plan::SegmentKind::kWeld) return k + 1;
  }
  return 0;
}

TEST_F(VerifyTest, AGapBetweenSegmentsIsATimingViolation) {
  plan::Plan p = *plan_;
  const std::size_t k = SegmentAfterTheFirstDwell(p);
  ASSERT_GT(k, 0u);
  // Everything from segment k on half a second later: consistent totals, but a hole in the
  // timeline where the plan says nothing about the robot.
  const double from = p.robots[0].segments[k].times.front();
  for (std::size_t i = k; i < p.robots[0].segments.size(); ++i) {
    for (double& t : p.robots[0].segments[i].times) t += 0.5;
  }
  for (plan::WeldVisit& w : p.robots[0].welds) {
    if (w.start_time >= from) {
      w.start_time += 0.5;
      w.end_time += 0.5;
    }
  }
  p.robots[0].finish_time += 0.5;
  p.makespan += 0.5;
  const VerifyReport r = Verify(p, *cell_, *world_);
  const std::vector<Violation> v = Of(r, ViolationKind::kTiming);
  // The gap, and the events (none here) that do not produce it.
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(r.violations.size(), 2u) << ToString(r.violations.front());
  EXPECT_THAT(v[0].message, HasSubstr("segment " + std::to_string(k)));
  EXPECT_THAT(v[0].message, HasSubstr("a gap of 0.5 s"));
  EXPECT_NEAR(v[0].time, from, 1e-9);
  EXPECT_THAT(v[1].message, HasSubstr("segment " + std::to_string(k)));
  EXPECT_THAT(v[1].message, HasSubstr("when the zones and weld signals run as events"));
}

TEST_F(VerifyTest, AMotionCutToOneSampleIsATimingViolation) {
  plan::Plan p = *plan_;
  plan::Segment& s = p.robots[0].segments.front();
  ASSERT_EQ(s.kind, plan::SegmentKind::kMotion);
  s.times.resize(1);
  s.q.resize(1);
  std::string all;
  for (const Violation& v : Of(Verify(p, *cell_, *world_), ViolationKind::kTiming)) {
    all += v.message + "\n";
  }
  EXPECT_THAT(all, HasSubstr("motion segment 0 (home → "));
  EXPECT_THAT(all, HasSubstr("a single sample"));
  EXPECT_THAT(all, HasSubstr("segment 1"));
  EXPECT_THAT(all, HasSubstr("a gap of"));
}

TEST_F(VerifyTest, MotionSamplesFurtherApartThanTheFormatAllowsAreReported) {
  // Every fourth sample kept: still within the limits, but 40 ms apart where the format promises
  // at most 10 ms; the controller's motion between them is not the straight line checked.
  plan::Plan p = *plan_;
  plan::Segment& s = LongestMotion(p);
  ASSERT_GT(s.times.size(), 12u);
  plan::Segment thin = s;
  thin.times.clear();
  thin.q.clear();
  for (std::size_t i = 0; i < s.times.size(); i += 4) {
    thin.times.push_back(s.times[i]);
    thin.q.push_back(s.q[i]);
  }
  if (thin.times.back() != s.times.back()) {
    thin.times.push_back(s.times.back());
    thin.q.push_back(s.q.back());
  }
  s = thin;
  const std::vector<Violation> v = Of(Verify(p, *cell_, *world_), ViolationKind::kTiming);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_THAT(v[0].message, HasSubstr("longer than 0.01 s"));
  VerifyOptions loose;
  loose.max_sample_interval = 0.05;
  EXPECT_TRUE(Of(Verify(p, *cell_, *world_, loose), ViolationKind::kTiming).empty());
}

TEST_F(VerifyTest, ZonesWithUnknownRobotsBadSegmentsOrWrongTimesAreReported) {
  plan::Plan p = *plan_;
  const plan::RobotPlan& r1 = p.robots[0];
  int motion = -1;  // the first motion segment of R1
  for (std::size_t k = 0; k < r1.segments.size() && motion < 0; ++k) {
    if (r1.segments[k].kind == plan::SegmentKind::kMotion) motion = static_cast<int>(k);
  }
  ASSERT_GE(motion, 0);
  const double start = r1.segments[motion].times.front();
  const double next = r1.segments[motion].times.back();
  const plan::ZoneUse sound{.robot = r1.robot,
                            .acquire_segment = motion,
                            .release_segment = motion + 1,
                            .acquire_time = start,
                            .release_time = next};
  plan::ZoneUse unknown = sound;
  unknown.robot = "R7";
  p.zones.push_back({.id = "Z9", .uses = {sound, unknown}});
  std::vector<Violation> mismatch = Of(Verify(p, *cell_, *world_), ViolationKind::kPlanMismatch);
  ASSERT_EQ(mismatch.size(), 1u);
  EXPECT_THAT(mismatch[0].message, HasSubstr("zone Z9: R7 is not a robot of the plan"));

  plan::ZoneUse backwards = sound;
  backwards.release_segment = backwards.acquire_segment;
  p.zones.back().uses = {backwards, unknown};
  mismatch = Of(Verify(p, *cell_, *world_), ViolationKind::kPlanMismatch);
  ASSERT_EQ(mismatch.size(), 2u);
  EXPECT_THAT(mismatch[0].message, HasSubstr("needs a motion or weld segment to acquire at"));

  plan::ZoneUse late = sound;
  late.acquire_time += 0.5;
  p.zones.back().uses = {late};
  const VerifyReport r = Verify(p, *cell_, *world_);
  EXPECT_THAT(Of(r, ViolationKind::kPlanMismatch).front().message,
              HasSubstr("shared by at least two robots"));
  const std::vector<Violation> timing = Of(r, ViolationKind::kTiming);
  ASSERT_EQ(timing.size(), 1u);
  EXPECT_THAT(timing[0].message, HasSubstr("but segment 0 starts at 0.000000 s"));
}

// New-user trial: a weld signal at a wait segment was "R1 at segment 16 is not a robot of the
// plan with a motion or weld segment there", though R1 is one. Each way a weld signal misses its
// place says what it is: an unknown robot, a segment past the timeline, a wait segment.
TEST_F(VerifyTest, AWeldSignalAtAWaitPastTheTimelineOrOfAnUnknownRobotSaysWhichItIs) {
  plan::Plan p = *plan_;
  plan::RobotPlan& r1 = p.robots[0];
  int motion = -1;  // a motion segment after the first one: a wait goes before it
  for (std::size_t k = 1; k < r1.segments.size() && motion < 0; ++k) {
    if (r1.segments[k].kind == plan::SegmentKind::kMotion) motion = static_cast<int>(k);
  }
  ASSERT_GT(motion, 0);
  // A 0.5 s wait where that motion starts; everything after it 0.5 s later.
  const double at = r1.segments[motion].times.front();
  const Eigen::VectorXd q = r1.segments[motion].q.front();
  for (int k = motion; k < static_cast<int>(r1.segments.size()); ++k) {
    for (double& t : r1.segments[k].times) t += 0.5;
  }
  for (plan::WeldVisit& w : r1.welds) {
    if (w.start_time >= at) {
      w.start_time += 0.5;
      w.end_time += 0.5;
    }
  }
  r1.finish_time += 0.5;
  r1.wait_time += 0.5;
  p.makespan += 0.5;
  const std::string weld = r1.segments[motion].from;
  r1.segments.insert(r1.segments.begin() + motion, plan::Segment{.kind = plan::SegmentKind::kWait,
                                                                 .from = weld,
                                                                 .to = weld,
                                                                 .times = {at, at + 0.5},
                                                                 .q = {q, q}});
  auto mismatches = [&](const plan::WeldSignal& signal) {
    plan::Plan with = p;
    with.weld_signals = {signal};
    std::vector<std::string> out;
    for (const Violation& v : Of(Verify(with, *cell_, *world_), ViolationKind::kPlanMismatch)) {
      out.push_back(v.message);
    }
    return out;
  };
  // At the motion that starts where the wait ends: in its place.
  EXPECT_THAT(mismatches({.robot = "R1", .segment = motion + 1, .weld = "L2"}),
              ::testing::IsEmpty());
  EXPECT_THAT(mismatches({.robot = "R1", .segment = motion, .weld = "L2"}),
              ::testing::ElementsAre(fmt::format(
                  "weld signal L2 for R1: R1's segment {} is a wait segment; a weld signal is "
                  "taken where a motion or weld segment starts",
                  motion)));
  const int count = static_cast<int>(r1.segments.size());
  EXPECT_THAT(
      mismatches({.robot = "R1", .segment = count, .weld = "L2"}),
      ::testing::ElementsAre(fmt::format("weld signal L2 for R1: segment {} is past R1's timeline "
                                         "(segments 0 to {})",
                                         count, count - 1)));
  EXPECT_THAT(mismatches({.robot = "R7", .segment = motion + 1, .weld = "L2"}),
              ::testing::ElementsAre("weld signal L2 for R7: R7 is not a robot of the plan"));
  // Listed by the plan but not the cell's: said as such, once as a robot and once here.
  p.robots.push_back(p.robots[0]);
  p.robots.back().robot = "R9";
  EXPECT_THAT(mismatches({.robot = "R9", .segment = motion + 1, .weld = "L2"}),
              ::testing::ElementsAre("robot R9 is not in the cell",
                                     "weld signal L2 for R9: R9 is not a robot of the cell"));
}

TEST_F(VerifyTest, ARobotOfTheCellMissingFromThePlanIsAMismatch) {
  // Left out, it would not even be checked against the others standing at home.
  cell::Cell two = *cell_;
  cell::Robot other = two.robots[0];
  other.name = "R2";
  other.X_WB.translation().x() -= 3.0;
  two.robots.push_back(other);
  plan::Plan p = *plan_;
  p.cell_hash = plan::CellHash(two);
  const VerifyReport r = Verify(p, two);
  const std::vector<Violation> v = Of(r, ViolationKind::kPlanMismatch);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].message, "robot R2 of the cell is not in the plan");
}

TEST_F(VerifyTest, EveryViolationIsInTheReportAndTheSummaryCountsTheRest) {
  plan::Plan p = *plan_;
  for (plan::Segment& s : p.robots[0].segments) {
    for (double& t : s.times) t *= 0.25;
  }
  const VerifyReport r = Verify(p, *cell_, *world_);
  const int velocity = static_cast<int>(Of(r, ViolationKind::kJointVelocity).size());
  ASSERT_GT(velocity, 10);
  EXPECT_EQ(r.CountByKind().at(ViolationKind::kJointVelocity), velocity);
  for (const Violation& v : r.violations) EXPECT_THAT(v.message, Not(HasSubstr("more")));
  const std::vector<std::string> lines = SummaryLines(r);
  int shown = 0;
  bool more = false;
  for (const std::string& line : lines) {
    shown += line.find("joint velocity: joint") != std::string::npos;
    more |=
        line.find("… and " + std::to_string(velocity - 10) + " more joint velocity violations (" +
                  std::to_string(velocity) + " in all)") != std::string::npos;
  }
  EXPECT_EQ(shown, 10);
  EXPECT_TRUE(more) << ::testing::PrintToString(lines);
}

TEST_F(VerifyTest, MessagesGiveUnitsAndNoEndlessDigits) {
  plan::Plan p = *plan_;
  for (plan::Segment& s : p.robots[0].segments) {
    for (double& t : s.times) t *= 0.5;
  }
  p.robots[0].segments.back().times.back() = 1e300;
  const VerifyReport r = Verify(p, *cell_, *world_);
  const std::vector<Violation> v = Of(r, ViolationKind::kJointVelocity);
  ASSERT_FALSE(v.empty());
  // Revolute joints in deg/s, as `weldcell check` prints their limits.
  EXPECT_THAT(v[0].message, ::testing::ContainsRegex("at -?[0-9.e+]+ deg/s, limit [0-9.]+ deg/s$"));
  ASSERT_FALSE(Of(r, ViolationKind::kTiming).empty());
  for (const Violation& x : r.violations) EXPECT_LT(ToString(x).size(), 300u) << ToString(x);
}

}  // namespace
}  // namespace weldcell::verify
