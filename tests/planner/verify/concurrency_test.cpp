#include "planner/verify/concurrency.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "planner/cell/load.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/pipeline/plan_cell.hpp"
#include "planner/verify/robustness.hpp"
#include "planner/verify/verify.hpp"

namespace weldcell::verify {
namespace {

using ::testing::HasSubstr;

std::vector<Violation> Of(const VerifyReport& r, ViolationKind kind) {
  std::vector<Violation> out;
  for (const Violation& v : r.violations) {
    if (v.kind == kind) out.push_back(v);
  }
  return out;
}

std::string Messages(const VerifyReport& r) {
  std::string out;
  for (const Violation& v : r.violations) out += ToString(v) + "\n";
  return out;
}

// The demo station as `weldcell plan` plans it (two robots, interlock zones between them), then
// edited by hand the way a user might: the exact check must catch what random timings do not.
class ConcurrencyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cell_ = new cell::Cell(cell::LoadCell("cells/demo/cell.yaml").value);
    world_ = new collision::CollisionWorld(MakeVerifierWorld(*cell_));
    const collision::CollisionWorld planner_world(*cell_);
    // Without re-allocation rounds: the first coordinated plan has its zones too, at a fraction
    // of the time (the suite also runs under AddressSanitizer).
    plan_ = new plan::Plan(
        pipeline::PlanCell(*cell_, planner_world, {.threads = 2, .rebalance_rounds = 0}).plan);
  }
  static void TearDownTestSuite() {
    delete plan_;
    delete world_;
    delete cell_;
  }
  // The broken variants need no random runs: the exact check is what is tested.
  static VerifyReport Check(const plan::Plan& p) {
    return Verify(p, *cell_, *world_, {.robustness_runs = 0, .threads = 2});
  }
  static std::vector<plan::Zone>::iterator ZoneWithTwoRobots(plan::Plan& p) {
    return std::find_if(p.zones.begin(), p.zones.end(), [](const plan::Zone& z) {
      return z.uses.size() == 2 && z.uses[0].robot != z.uses[1].robot;
    });
  }
  static cell::Cell* cell_;
  static collision::CollisionWorld* world_;
  static plan::Plan* plan_;
};
cell::Cell* ConcurrencyTest::cell_ = nullptr;
collision::CollisionWorld* ConcurrencyTest::world_ = nullptr;
plan::Plan* ConcurrencyTest::plan_ = nullptr;

TEST_F(ConcurrencyTest, ThePlannedDemoIsSafeForEveryTiming) {
  ASSERT_EQ(plan_->robots.size(), 2u);
  ASSERT_FALSE(plan_->zones.empty()) << "the demo's robots share space: the fixture needs zones";
  const VerifyReport r = Verify(*plan_, *cell_, *world_, {.threads = 2});
  EXPECT_TRUE(r.ok()) << Messages(r);
  EXPECT_TRUE(r.concurrency.run);
  EXPECT_GT(r.concurrency.unordered_pairs, 0);
  EXPECT_GT(r.concurrency.checks, 0) << "unordered pieces near each other are checked exactly";
}

TEST_F(ConcurrencyTest, ARemovedZoneIsAnUnorderedContactNamingBothRobotsAndSegments) {
  plan::Plan p = *plan_;
  const auto zone = ZoneWithTwoRobots(p);
  ASSERT_NE(zone, p.zones.end());
  const std::string a = zone->uses[0].robot, b = zone->uses[1].robot;
  p.zones.erase(zone);
  const VerifyReport r = Check(p);
  const std::vector<Violation> v = Of(r, ViolationKind::kUnorderedContact);
  ASSERT_FALSE(v.empty()) << Messages(r);
  EXPECT_GT(r.unsafe_count(), 0) << "blocks export";
  for (const Violation& x : v) {
    EXPECT_FALSE(x.omission);
    EXPECT_EQ(x.robot, "R1");
    // "R1 W03→W04 (segment 33, 19.6–19.9 s) and R2 W05 dwell (segment 18, …) may overlap for
    // some timing … and touch: R1/gun – R2/link_5 (…)"
    EXPECT_THAT(x.message,
                ::testing::ContainsRegex("^R1 (standstill at )?[A-Za-z0-9→ ]+.*\\(segment [0-9]+, "
                                         "[0-9.]+–[0-9.]+ s\\) and R2 .*\\(segment [0-9]+, "
                                         "[0-9.]+–[0-9.]+ s\\) may overlap for some timing .* and "
                                         "touch: R[12]/[a-z_0-9]+ – R[12]/[a-z_0-9]+ "));
  }
  EXPECT_TRUE(a == "R1" || b == "R1");
  // The planned clock itself stays free of contact: only the exact check sees the danger.
  const VerifyReport rest =
      Verify(p, *cell_, *world_, {.robustness_runs = 0, .concurrency_check = false});
  EXPECT_TRUE(Of(rest, ViolationKind::kRobotCollision).empty()) << Messages(rest);
  EXPECT_TRUE(Of(rest, ViolationKind::kUnorderedContact).empty());
}

// The zone's first robot releases it when its first zone segment ends instead of after its last
// one: the waits of the planned clock stay what the events produce, yet the rest of its pieces in
// the zone are unordered with the other robot's.
TEST_F(ConcurrencyTest, AReleaseMovedToTheStartIsAnUnorderedContact) {
  plan::Plan p = *plan_;
  const auto zone = ZoneWithTwoRobots(p);
  ASSERT_NE(zone, p.zones.end());
  plan::ZoneUse& first = zone->uses[0];
  ASSERT_GT(first.release_segment, first.acquire_segment + 1) << "a zone of one segment";
  const std::string robot = first.robot, other = zone->uses[1].robot;
  const auto r_plan = std::find_if(p.robots.begin(), p.robots.end(),
                                   [&](const plan::RobotPlan& r) { return r.robot == robot; });
  first.release_segment = first.acquire_segment + 1;
  first.release_on_departure = false;
  first.release_time = r_plan->segments[first.acquire_segment].times.back();
  const VerifyReport r = Check(p);
  const std::vector<Violation> v = Of(r, ViolationKind::kUnorderedContact);
  ASSERT_FALSE(v.empty()) << Messages(r);
  EXPECT_GT(r.unsafe_count(), 0);
  bool names_both = false;
  for (const Violation& x : v) {
    names_both |= x.message.find(robot + " ") != std::string::npos &&
                  x.message.find(" " + other + " ") != std::string::npos;
  }
  EXPECT_TRUE(names_both) << Messages(r);
}

TEST_F(ConcurrencyTest, AnUnknownWeldIdOrOneThePoseDoesNotWeldIsAWeldViolation) {
  // R1's first weld segment.
  auto weld_segment = [](plan::Plan& p) -> plan::Segment& {
    for (plan::Segment& s : p.robots[0].segments) {
      if (s.kind == plan::SegmentKind::kWeld) return s;
    }
    ADD_FAILURE() << "no weld segment";
    return p.robots[0].segments.front();
  };
  plan::Plan unknown = *plan_;
  weld_segment(unknown).to = "W99";
  const VerifyReport r = Check(unknown);
  const std::vector<Violation> v = Of(r, ViolationKind::kWeld);
  ASSERT_EQ(v.size(), 1u) << Messages(r);
  EXPECT_THAT(v[0].message, HasSubstr("names weld W99, which is not in the cell"));
  EXPECT_FALSE(v[0].omission);
  EXPECT_EQ(r.unsafe_count(), 1);

  // Both ids renamed to another weld of the cell, one R1 welds elsewhere: the pose is not there.
  plan::Plan renamed = *plan_;
  plan::Segment& s = weld_segment(renamed);
  const std::string welded = s.from;
  const std::string other = renamed.robots[0].welds.back().weld_id;
  ASSERT_NE(other, welded);
  s.from = s.to = other;
  const VerifyReport moved = Check(renamed);
  bool pose = false;
  for (const Violation& x : Of(moved, ViolationKind::kWeld)) {
    EXPECT_FALSE(x.omission);
    pose |= x.message.find("names " + other + ", but its configuration does not weld " + other) !=
            std::string::npos;
  }
  EXPECT_TRUE(pose) << Messages(moved);
  EXPECT_GT(moved.unsafe_count(), 0);

  plan::Plan split = *plan_;
  weld_segment(split).to = other;  // from one weld to another: not a weld segment
  const VerifyReport two = Check(split);
  ASSERT_EQ(Of(two, ViolationKind::kWeld).size(), 1u) << Messages(two);
  EXPECT_THAT(Of(two, ViolationKind::kWeld)[0].message, HasSubstr("a weld segment welds one weld"));
}

// The order itself: program order within a robot, zone hand-overs between robots, transitively.
TEST_F(ConcurrencyTest, TheOrderFollowsProgramOrderAndZoneHandOvers) {
  const std::optional<internal::SegmentOrder> order = internal::OrderSegments(*plan_);
  ASSERT_TRUE(order.has_value());
  const plan::Zone& zone = plan_->zones.front();
  auto robot_index = [&](const std::string& name) {
    for (std::size_t p = 0; p < plan_->robots.size(); ++p) {
      if (plan_->robots[p].robot == name) return static_cast<int>(p);
    }
    return -1;
  };
  auto active_index = [&](int p, int segment) {
    const std::vector<int>& a = order->active[p];
    return static_cast<int>(std::find(a.begin(), a.end(), segment) - a.begin());
  };
  const plan::ZoneUse& u0 = zone.uses[0];
  const plan::ZoneUse& u1 = zone.uses[1];
  const int p0 = robot_index(u0.robot), p1 = robot_index(u1.robot);
  ASSERT_GE(p0, 0);
  ASSERT_GE(p1, 0);
  ASSERT_FALSE(u0.release_on_departure);
  const int last0 = active_index(p0, u0.release_segment - 1);
  const int acquire1 = active_index(p1, u1.acquire_segment);
  // The end of the first robot's last zone segment precedes the second robot's zone, and
  // (transitively) everything after it; nothing of the second robot's zone precedes it.
  EXPECT_TRUE(order->Precedes(p0, 2 * last0 + 1, p1, 2 * acquire1));
  EXPECT_TRUE(order->Precedes(p0, 2 * last0 + 1, p1, 2 * acquire1 + 1));
  EXPECT_TRUE(order->Precedes(p0, 0, p1, 2 * acquire1));
  EXPECT_FALSE(order->Precedes(p1, 2 * acquire1, p0, 2 * last0 + 1));
  EXPECT_TRUE(order->gated[p1][acquire1]);
  // Without zones or signals the robots are unordered.
  plan::Plan free = *plan_;
  free.zones.clear();
  free.weld_signals.clear();
  const std::optional<internal::SegmentOrder> none = internal::OrderSegments(free);
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->Precedes(p0, 1, p1, 2 * static_cast<int>(none->active[p1].size()) - 1));
}

}  // namespace
}  // namespace weldcell::verify
