#include "planner/verify/verify.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <string_view>
#include <vector>

#include "planner/collision/collision_world.hpp"
#include "planner/pipeline/plan_cell.hpp"
#include "tests/planner/pipeline/pipeline_cells.hpp"

namespace weldcell::verify {
namespace {

using ::testing::HasSubstr;

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

TEST_F(VerifyTest, MissingAndDuplicateWeldsAreReported) {
  plan::Plan p = *plan_;
  const std::string dropped = p.robots[0].welds.front().weld_id;
  p.robots[0].welds.erase(p.robots[0].welds.begin());
  p.robots[0].welds.push_back(p.robots[0].welds.front());
  const VerifyReport r = Verify(p, *cell_, *world_);
  const std::vector<Violation> v = Of(r, ViolationKind::kWeld);
  ASSERT_EQ(v.size(), 2u);
  std::string all = v[0].message + " | " + v[1].message;
  EXPECT_THAT(all, HasSubstr(dropped + " is not welded"));
  EXPECT_THAT(all, HasSubstr("again"));
}

TEST_F(VerifyTest, GunOffTheWeldIsReported) {
  plan::Plan p = *plan_;
  p.robots[0].welds[1].q[0] += 0.01;  // ~15 mm at this reach
  const VerifyReport r = Verify(p, *cell_, *world_);
  const std::vector<Violation> v = Of(r, ViolationKind::kWeld);
  ASSERT_FALSE(v.empty());
  EXPECT_THAT(v.front().message, ::testing::AnyOf(HasSubstr("gun not on"), HasSubstr("moves")));
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
  std::vector<std::int64_t> done;
  const Progress all([&](std::string_view stage, std::int64_t d, std::int64_t total) {
    EXPECT_EQ(stage, kVerifyStage);
    EXPECT_EQ(total, 3);
    done.push_back(d);
  });
  const VerifyReport full = Verify(p, c, world, {.threads = 2, .progress = all});
  EXPECT_TRUE(full.ok());
  EXPECT_EQ(done, (std::vector<std::int64_t>{1, 2, 3}));

  std::atomic<bool> cancel{false};
  int reports = 0;
  const Progress cancelling(
      [&](std::string_view, std::int64_t, std::int64_t) {
        ++reports;
        cancel = true;
      },
      &cancel);
  const VerifyReport cut = Verify(p, c, world, {.threads = 1, .progress = cancelling});
  EXPECT_EQ(reports, 1);
  EXPECT_LT(cut.collision_checks, full.collision_checks);
}

}  // namespace
}  // namespace weldcell::verify
