// The programs' motion as the verifier sees it (exporters/exported_motion.hpp): a robot whose
// program cuts across the planned path where its neighbour stands is refused, what the default
// corridor exports passes, and the motion follows the program's chords.

#include "exporters/exported_motion.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <numbers>

#include "exporters/export.hpp"
#include "planner/cell/load.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/common/diagnostics.hpp"
#include "planner/generate/generate_station.hpp"
#include "planner/pipeline/plan_cell.hpp"
#include "planner/verify/verify.hpp"
#include "tests/scratch.hpp"

namespace weldcell::exporters {
namespace {

using ::testing::HasSubstr;
constexpr double kDeg = std::numbers::pi / 180.0;

// A generated station of two neighbours (`weldcell generate --robots 2 --welds 8 --seed 3`),
// planned without re-allocation rounds: with a 5° corridor, R1's program cuts across the path
// that R2's gun takes while R1 stands (found by a new user's trial on another station).
class ExportedMotionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::filesystem::path dir = testing::FreshDirectory("exported_motion");
    generate::WriteStation(
        generate::GenerateStation({.robots = 2,
                                   .welds = 8,
                                   .seed = 3,
                                   .name = "neighbours",
                                   .robots_ref = std::filesystem::absolute("robots").string()}),
        dir);
    cell_ = new cell::Cell(cell::LoadCell((dir / "cell.yaml").string()).value);
    const collision::CollisionWorld planner_world(*cell_);
    plan_ = new plan::Plan(
        pipeline::PlanCell(*cell_, planner_world, {.threads = 2, .rebalance_rounds = 0}).plan);
    world_ = new collision::CollisionWorld(verify::MakeVerifierWorld(*cell_));
  }
  static void TearDownTestSuite() {
    delete world_;
    delete plan_;
    delete cell_;
  }

  static cell::Cell* cell_;
  static plan::Plan* plan_;
  static collision::CollisionWorld* world_;
};
cell::Cell* ExportedMotionTest::cell_ = nullptr;
plan::Plan* ExportedMotionTest::plan_ = nullptr;
collision::CollisionWorld* ExportedMotionTest::world_ = nullptr;

TEST_F(ExportedMotionTest, TheStationsPlanVerifiesWithoutContact) {
  ASSERT_EQ(plan_->robots.size(), 2u);
  ASSERT_FALSE(plan_->zones.empty()) << "the neighbours must share space";
  EXPECT_EQ(verify::Verify(*plan_, *cell_, *world_, {.threads = 2}).unsafe_count(), 0);
}

TEST_F(ExportedMotionTest, ProgramsThatCutIntoANeighbourAreRefusedAtTheTolerance) {
  Site wide;
  wide.corridor_tolerance = 5.0 * kDeg;
  wide.merge_tolerance = 5.0 * kDeg;
  wide.source_file = "wide.yaml";
  wide.where["corridor_tolerance"] = {.file = "wide.yaml", .line = 3, .column = 21};
  try {
    (void)ExportPlan(*plan_, *cell_, wide, {.world = world_, .threads = 2});
    FAIL() << "the programs of a 5° corridor touch the neighbour";
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_THAT(message, HasSubstr("wide.yaml:3:21"));
    EXPECT_THAT(message, HasSubstr("corridor_tolerance"));
    EXPECT_THAT(message, HasSubstr("the programs as exported make contact that the plan does not"));
    EXPECT_THAT(message, HasSubstr("R1/gun – R2/gun"));
    EXPECT_THAT(message, HasSubstr("leave the planned path by up to R1 "));
  }
}

TEST_F(ExportedMotionTest, TheDefaultCorridorExportsAndItsMotionFollowsTheProgramsChords) {
  const ExportResult result = ExportPlan(*plan_, *cell_, {}, {.world = world_, .threads = 2});
  ASSERT_EQ(result.robots.size(), 2u);
  const plan::Plan moved = ExportedMotion(*plan_, result);
  int chords = 0;
  for (const RobotExport& e : result.robots) {
    SCOPED_TRACE(e.robot);
    const plan::RobotPlan& planned = plan_->robots[PlanRobotIndex(*plan_, e.robot)];
    const plan::RobotPlan& as_run = moved.robots[PlanRobotIndex(moved, e.robot)];
    ASSERT_EQ(e.figures.waypoints.size(), planned.segments.size());
    for (std::size_t k = 0; k < planned.segments.size(); ++k) {
      const plan::Segment& s = planned.segments[k];
      const plan::Segment& m = as_run.segments[k];
      ASSERT_EQ(m.times, s.times);
      const std::vector<int>& w = e.figures.waypoints[k];
      if (w.empty()) {
        EXPECT_EQ(m.q, s.q) << "segment " << k << " is not a move the program makes";
        continue;
      }
      EXPECT_EQ(w.front(), 0);
      EXPECT_EQ(w.back(), static_cast<int>(s.q.size()) - 1);
      for (std::size_t i = 1; i < w.size(); ++i) {
        const auto a = static_cast<std::size_t>(w[i - 1]);
        const auto b = static_cast<std::size_t>(w[i]);
        EXPECT_EQ(m.q[a], s.q[a]);  // the program goes through its waypoints
        for (std::size_t j = a + 1; j < b; ++j, ++chords) {
          const double share = (s.times[j] - s.times[a]) / (s.times[b] - s.times[a]);
          EXPECT_LT((m.q[j] - (s.q[a] + share * (s.q[b] - s.q[a]))).cwiseAbs().maxCoeff(), 1e-12);
        }
      }
    }
  }
  EXPECT_GT(chords, 0) << "the programs must thin the planned samples";
}

}  // namespace
}  // namespace weldcell::exporters
