// Every dialect on the plan of station M (cells/M: 4 robots of three makes, 80 welds of which 3
// are not in the plan, 11 interlock zones). Planning M takes minutes, so its plan is a fixture:
// tests/exporters/plans/M.plan.json.gz, a plan.json that `weldcell plan` wrote (gzip -9n). The
// fixture is checked against the cell first: when the plan format or cells/M (or a robot it
// uses) changes, the tests fail and say how to write the fixture again; they never skip.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <numbers>
#include <set>
#include <string>
#include <vector>

#include "exporters/dialect.hpp"
#include "exporters/export.hpp"
#include "exporters/program.hpp"
#include "planner/cell/load.hpp"
#include "planner/common/diagnostics.hpp"
#include "planner/kinematics/chain.hpp"
#include "planner/plan/cell_hash.hpp"
#include "planner/plan/plan.hpp"
#include "planner/verify/verify.hpp"
#include "tests/exporters/corner_recheck.hpp"
#include "tests/exporters/gunzip.hpp"
#include "tests/exporters/test_support.hpp"

namespace weldcell::exporters {
namespace {

constexpr double kDeg = std::numbers::pi / 180.0;
constexpr const char* kCell = "cells/M/cell.yaml";
constexpr const char* kFixture = "tests/exporters/plans/M.plan.json.gz";
constexpr const char* kRegenerate =
    "write the fixture again: weldcell plan cells/M/cell.yaml -o /tmp/m --rebalance-rounds 0; "
    "gzip -9n < /tmp/m/plan.json > tests/exporters/plans/M.plan.json.gz";

using testing::CheckWeldPoses;
using testing::Gunzip;
using testing::WithPulses;

class ExportMTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    cell_ = new cell::Cell(cell::LoadCell(kCell).value);
    pulsed_ = new cell::Cell(WithPulses(*cell_));
    const std::string text = Gunzip(kFixture);
    try {
      if (text.empty()) throw std::runtime_error(std::string("cannot read ") + kFixture);
      plan_ = new plan::Plan(plan::PlanFromJson(text, kFixture));
      CheckPlanOfCell(*plan_, *cell_);
    } catch (const std::exception& e) {
      error_ = new std::string(e.what());
    }
  }
  static void TearDownTestSuite() {
    delete error_;
    delete plan_;
    delete pulsed_;
    delete cell_;
    error_ = nullptr;
    plan_ = nullptr;
  }
  void SetUp() override {
    // A stale fixture is a failure, never a skip.
    ASSERT_EQ(error_, nullptr) << "the M plan fixture no longer fits: " << (error_ ? *error_ : "")
                               << "\n"
                               << kRegenerate;
  }

  static cell::Cell* cell_;
  static cell::Cell* pulsed_;
  static plan::Plan* plan_;
  static std::string* error_;
};
cell::Cell* ExportMTest::cell_ = nullptr;
cell::Cell* ExportMTest::pulsed_ = nullptr;
plan::Plan* ExportMTest::plan_ = nullptr;
std::string* ExportMTest::error_ = nullptr;

TEST_P(ExportMTest, EveryRobotReadsBackWithThePlannedWeldPosesAndAFreePolyline) {
  const std::string d = GetParam();
  // The pulsed cell differs from M only in the controller conventions; the plan is M's.
  plan::Plan p = *plan_;
  p.cell_hash = plan::CellHash(*pulsed_);
  const ExportResult result = ExportPlan(p, *pulsed_, {}, {.dialect = d});
  ASSERT_EQ(result.robots.size(), 4u);

  plan::Plan polyline = p;
  polyline.zones.clear();
  polyline.weld_signals.clear();
  for (const RobotExport& r : result.robots) {
    SCOPED_TRACE(r.robot);
    const int index = [&] {
      for (std::size_t i = 0; i < pulsed_->robots.size(); ++i) {
        if (pulsed_->robots[i].name == r.robot) return static_cast<int>(i);
      }
      return -1;
    }();
    ASSERT_GE(index, 0);
    const cell::Robot& robot = pulsed_->robots[static_cast<std::size_t>(index)];
    const plan::RobotPlan& rp = p.robots[static_cast<std::size_t>(PlanRobotIndex(p, robot.name))];
    const auto [welds, worst_mm, worst_deg] = CheckWeldPoses(r.program, robot, rp);
    EXPECT_EQ(welds, static_cast<int>(rp.welds.size()));
    EXPECT_GT(welds, 0);
    EXPECT_GT(r.estimated_motion_time, 0.5 * r.figures.planned_motion_time);
    EXPECT_LT(r.estimated_motion_time, 2.0 * r.figures.planned_motion_time);
    std::printf(
        "M %s %s (%s): %d welds, TCP error <= %.4f mm %.5f deg; %d moves for %d samples, "
        "corridor %.4f deg (max dev %.5f deg), %d of %d corners blended; motion %.2f s "
        "estimated vs %.2f s planned\n",
        d.c_str(), r.robot.c_str(), r.program.name.c_str(), welds, worst_mm, worst_deg,
        r.figures.moves, r.figures.planned_samples, r.figures.corridor_tolerance / kDeg,
        r.figures.max_deviation / kDeg, r.figures.blended_corners,
        r.figures.blended_corners + r.figures.stopped_corners, r.estimated_motion_time,
        r.figures.planned_motion_time);
    // The exported joint polyline as one motion for the verifier's collision checks.
    plan::Segment s{.kind = plan::SegmentKind::kMotion, .from = "home", .to = "home"};
    double t = 0;
    for (const Instruction& i : r.program.instructions) {
      if (i.kind != InstructionKind::kMove) continue;
      s.times.push_back(t);
      s.q.push_back(i.q);
      t += 1.0;
    }
    polyline.robots[static_cast<std::size_t>(PlanRobotIndex(polyline, robot.name))].segments = {s};
  }
  // Robots against obstacles and themselves along the exported polylines (robot–robot contact
  // is what the interlocks order).
  const verify::VerifyReport report = verify::Verify(
      polyline, *cell_, {.robustness_runs = 0, .threads = 2, .concurrency_check = false});
  EXPECT_GT(report.collision_checks, 10000);
  for (const verify::Violation& v : report.violations) {
    EXPECT_NE(v.kind, verify::ViolationKind::kCollision) << verify::ToString(v);
    EXPECT_NE(v.kind, verify::ViolationKind::kSelfCollision) << verify::ToString(v);
  }
}

// The corners each dialect blends, re-checked along the cut-corner paths of their blend regions
// (corner_recheck.hpp): no contact. KRL bounds its blend at 0.9 deg of the leading axis, the
// others at half of each neighbouring move.
TEST_P(ExportMTest, BlendedCornersStayCollisionFree) {
  const std::string d = GetParam();
  plan::Plan p = *plan_;
  p.cell_hash = plan::CellHash(*pulsed_);
  const collision::CollisionWorld world = verify::MakeVerifierWorld(*cell_);
  const ExportResult result = ExportPlan(p, *pulsed_, {}, {.dialect = d, .world = &world});
  const BlendModel blend = MakeDialect(d)->limits().blend;
  int corners = 0;
  for (std::size_t r = 0; r < result.robots.size(); ++r) {
    const testing::CornerRecheck c =
        testing::RecheckBlendedCorners(result.robots[r].program, world, static_cast<int>(r),
                                       cell_->settings.motion.resolution, blend);
    EXPECT_TRUE(c.contacts.empty()) << result.robots[r].robot << ": " << c.contacts.size()
                                    << " blended corners touch, first " << c.contacts.front();
    EXPECT_EQ(c.corners, result.robots[r].figures.blended_corners);
    corners += c.corners;
    std::printf("M %s %s: %d blended corners re-checked (%lld samples), %d stopped\n", d.c_str(),
                result.robots[r].robot.c_str(), c.corners, c.samples,
                result.robots[r].figures.stopped_corners);
  }
  EXPECT_GT(corners, 100);
}

INSTANTIATE_TEST_SUITE_P(Dialects, ExportMTest, ::testing::ValuesIn(DialectNames()),
                         [](const auto& info) { return info.param; });

// Obstacle and self collisions the verifier finds along the joint polylines of `programs`
// (one per robot of `cell`, in cell order), each polyline as one motion.
int PolylineCollisions(const plan::Plan& p, const cell::Cell& cell,
                       const std::vector<Program>& programs) {
  plan::Plan polyline = p;
  polyline.zones.clear();
  polyline.weld_signals.clear();
  for (const Program& program : programs) {
    plan::Segment s{.kind = plan::SegmentKind::kMotion, .from = "home", .to = "home"};
    double t = 0;
    for (const Instruction& i : program.instructions) {
      if (i.kind != InstructionKind::kMove) continue;
      s.times.push_back(t);
      s.q.push_back(i.q);
      t += 1.0;
    }
    polyline.robots[static_cast<std::size_t>(PlanRobotIndex(polyline, program.robot))].segments = {
        s};
  }
  const verify::VerifyReport report = verify::Verify(
      polyline, cell, {.robustness_runs = 0, .threads = 2, .concurrency_check = false});
  int collisions = 0;
  for (const verify::Violation& v : report.violations) {
    if (v.kind == verify::ViolationKind::kCollision ||
        v.kind == verify::ViolationKind::kSelfCollision) {
      ++collisions;
    }
  }
  return collisions;
}

// The widest corridor a site may set (5 deg): Douglas–Peucker alone gives chords that cut
// through the part (the new-user trial: 22 collisions on the demo); the exporter re-checks
// every chord with the verifier's segment check and keeps planned samples where one collides,
// so the exported polyline verifies free.
TEST_F(ExportMTest, AFiveDegreeCorridorStillGivesACollisionFreePolyline) {
  Site site;
  site.corridor_tolerance = 5.0 * kDeg;
  site.merge_tolerance = 5.0 * kDeg;
  const collision::CollisionWorld world = verify::MakeVerifierWorld(*cell_);
  const ExportResult result = ExportPlan(*plan_, *cell_, site, {.world = &world});
  ASSERT_EQ(result.robots.size(), 4u);
  std::vector<Program> exported, unchecked;
  int kept = 0;
  for (std::size_t r = 0; r < result.robots.size(); ++r) {
    exported.push_back(result.robots[r].program);
    kept += result.robots[r].figures.rechecked_waypoints;
    // The same corridor without the chord re-check (no CornerCheck: no merges, no blends).
    unchecked.push_back(
        BuildProgram(*plan_, *cell_, static_cast<int>(r), "unchecked", result.robots[r].site));
    std::printf("M corridor 5 deg %s: %d moves, %d samples kept where the chord collided\n",
                result.robots[r].robot.c_str(), result.robots[r].figures.moves,
                result.robots[r].figures.rechecked_waypoints);
  }
  EXPECT_GT(kept, 0);
  EXPECT_GT(PolylineCollisions(*plan_, *cell_, unchecked), 0)
      << "the 5 deg corridor no longer cuts through anything on M: the test proves nothing";
  EXPECT_EQ(PolylineCollisions(*plan_, *cell_, exported), 0);
}

// M's plan leaves welds unplanned (3 unreachable, others that no motion reached): the plan is
// still safe (VerifyReport::unsafe_count is 0) and its programs are written, as `weldcell plan`
// and `weldcell export` do; the welds that are not in the plan are not in the programs.
TEST_F(ExportMTest, UnplannedWeldsDoNotBlockThePrograms) {
  ASSERT_FALSE(plan_->unreachable.empty());
  // Without the exact concurrency check (tests/planner/verify/concurrency_test.cpp): on M it
  // costs 25 s of CPU in Release and many minutes under the sanitizers.
  const verify::VerifyReport report = verify::Verify(
      *plan_, *cell_, {.robustness_runs = 0, .threads = 2, .concurrency_check = false});
  EXPECT_EQ(report.unsafe_count(), 0);
  EXPECT_GT(report.CountByKind()[verify::ViolationKind::kWeld], 0);
  const ExportResult result = ExportPlan(*plan_, *cell_, {});
  ASSERT_EQ(result.robots.size(), 4u);
  std::set<std::string> exported;
  for (const RobotExport& r : result.robots) {
    for (const Instruction& i : r.program.instructions) {
      if (i.kind == InstructionKind::kWeld) {
        EXPECT_TRUE(exported.insert(i.weld_id).second);
      }
    }
  }
  for (const plan::UnreachableWeld& u : plan_->unreachable) {
    EXPECT_EQ(exported.count(u.weld_id), 0u);
  }
  EXPECT_EQ(exported.size() + plan_->unreachable.size(), cell_->welds.size());
}

}  // namespace
}  // namespace weldcell::exporters
