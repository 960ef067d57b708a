// The programs' motion as the verifier sees it (exporters/exported_motion.hpp): a robot whose
// program cuts across the planned path where its neighbour stands is refused, what the default
// corridor exports passes, and the motion follows the program's chords.

#include "exporters/exported_motion.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <numbers>

#include "exporters/corners.hpp"
#include "exporters/dialect.hpp"
#include "exporters/export.hpp"
#include "planner/cell/load.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/common/diagnostics.hpp"
#include "planner/generate/generate_station.hpp"
#include "planner/pipeline/plan_cell.hpp"
#include "planner/plan/cell_hash.hpp"
#include "planner/verify/verify.hpp"
#include "tests/exporters/gunzip.hpp"
#include "tests/scratch.hpp"

namespace weldcell::exporters {
namespace {

using ::testing::HasSubstr;
constexpr double kDeg = std::numbers::pi / 180.0;

// The station `weldcell generate` makes with `options` (the shipped robots), written to a scratch
// folder named after it and loaded.
cell::Cell GeneratedCell(generate::GenerateOptions options) {
  const std::filesystem::path dir =
      weldcell::testing::FreshDirectory("exported_motion_" + options.name);
  options.robots_ref = std::filesystem::absolute("robots").string();
  generate::WriteStation(generate::GenerateStation(options), dir);
  return cell::LoadCell((dir / "cell.yaml").string()).value;
}

// A generated station of two neighbours (`weldcell generate --robots 2 --welds 8 --seed 3`),
// planned without re-allocation rounds: with a 5° corridor, R1's program cuts across the path
// that R2's gun takes while R1 stands (found by a new user's trial on another station).
class ExportedMotionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cell_ =
        new cell::Cell(GeneratedCell({.robots = 2, .welds = 8, .seed = 3, .name = "neighbours"}));
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
  const plan::Plan moved = ExportedMotion(*plan_, result, Blends::kNone);
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

// Through a blended waypoint the motion leaves the chord into it at the share 1 − f_in of that
// move's time and joins the chord out of it at the share f_out, on the parabolic blend between
// (corners.hpp BlendPoint); everywhere else it is on the chords.
TEST_F(ExportedMotionTest, BlendedWaypointsAreCutAlongTheBlendInTheirTimeWindow) {
  const ExportResult result = ExportPlan(*plan_, *cell_, {}, {.world = world_, .threads = 2});
  const plan::Plan chords = ExportedMotion(*plan_, result, Blends::kNone);
  const plan::Plan blended = ExportedMotion(*plan_, result, Blends::kAlong);
  int corners = 0, in_window = 0, on_chords = 0;
  for (const RobotExport& e : result.robots) {
    SCOPED_TRACE(e.robot);
    const std::size_t r = static_cast<std::size_t>(PlanRobotIndex(*plan_, e.robot));
    ASSERT_EQ(e.figures.blended.size(), e.figures.waypoints.size());
    EXPECT_EQ(e.figures.blend, MakeDialect(e.dialect)->limits().blend);
    for (std::size_t k = 0; k < plan_->robots[r].segments.size(); ++k) {
      const plan::Segment& s = plan_->robots[r].segments[k];
      const plan::Segment& c = chords.robots[r].segments[k];
      const plan::Segment& b = blended.robots[r].segments[k];
      ASSERT_EQ(b.times, s.times);
      // Samples outside every blend window are on the chords.
      std::vector<bool> windowed(s.q.size(), false);
      const std::vector<int>& w = e.figures.waypoints[k];
      for (std::size_t i = 1; i + 1 < w.size(); ++i) {
        const std::vector<int>& bl = e.figures.blended[k];
        if (std::find(bl.begin(), bl.end(), w[i]) == bl.end()) continue;
        ++corners;
        const auto i0 = static_cast<std::size_t>(w[i - 1]), i1 = static_cast<std::size_t>(w[i]),
                   i2 = static_cast<std::size_t>(w[i + 1]);
        const BlendRegion region = BlendRegionOf(s.q[i0], s.q[i1], s.q[i2], e.figures.blend);
        EXPECT_GT(region.previous_share, 0.0);
        EXPECT_LE(region.previous_share, e.figures.blend.fraction);
        const double start = s.times[i1] - region.previous_share * (s.times[i1] - s.times[i0]);
        const double end = s.times[i1] + region.next_share * (s.times[i2] - s.times[i1]);
        // The blend starts on the chord into the waypoint and ends on the chord out of it.
        EXPECT_LT((BlendPoint(region, 0.0) - (s.q[i1] + region.toward_previous)).norm(), 1e-12);
        EXPECT_LT((BlendPoint(region, 1.0) - (s.q[i1] + region.toward_next)).norm(), 1e-12);
        for (std::size_t j = i0 + 1; j < i2; ++j) {
          if (s.times[j] < start || s.times[j] > end) continue;
          // Two windows share at most their boundary (each at most half of the move between),
          // where both blends are at the move's midpoint: the check below holds for each.
          windowed[j] = true;
          ++in_window;
          const Eigen::VectorXd want = BlendPoint(region, (s.times[j] - start) / (end - start));
          EXPECT_LT((b.q[j] - want).cwiseAbs().maxCoeff(), 1e-12) << "sample " << j;
        }
      }
      for (std::size_t j = 0; j < s.q.size(); ++j) {
        if (windowed[j]) continue;
        ++on_chords;
        EXPECT_EQ(b.q[j], c.q[j]) << "sample " << j << " of segment " << k << " outside blends";
      }
    }
  }
  EXPECT_GT(corners, 0) << "the default site blends where the regions are proved free";
  EXPECT_GT(in_window, corners) << "blend windows hold planned samples";
  EXPECT_GT(on_chords, 0);
}

// A generated station of three robots (`weldcell generate --robots 3 --welds 20 --seed 2 --name
// blends`) with the plan of tests/exporters/plans/blends.plan.json.gz, exported with controllers
// that blend as far as a whole move (a wider reach than any dialect assumes): the blend regions
// are proved free of obstacles and self contact, but some blends cut into a neighbour's way.
class BlendContactTest : public ::testing::Test {
 protected:
  static constexpr const char* kFixture = "tests/exporters/plans/blends.plan.json.gz";
  static void SetUpTestSuite() {
    cell_ = new cell::Cell(GeneratedCell({.robots = 3, .welds = 20, .seed = 2, .name = "blends"}));
    plan_ = new plan::Plan(plan::PlanFromJson(testing::Gunzip(kFixture), kFixture));
    world_ = new collision::CollisionWorld(verify::MakeVerifierWorld(*cell_));
  }
  static void TearDownTestSuite() {
    delete world_;
    delete plan_;
    delete cell_;
  }
  static Site WideCorridor() {
    Site site;
    site.corridor_tolerance = 1.0 * kDeg;
    return site;
  }
  static constexpr BlendModel kWholeMove{.fraction = 1.0, .max_joint = 0.0};

  static cell::Cell* cell_;
  static plan::Plan* plan_;
  static collision::CollisionWorld* world_;
};
cell::Cell* BlendContactTest::cell_ = nullptr;
plan::Plan* BlendContactTest::plan_ = nullptr;
collision::CollisionWorld* BlendContactTest::world_ = nullptr;

// The contact kinds of the verifier's report on `moved`, as "kind robot–other".
std::vector<std::string> RobotContacts(const plan::Plan& moved, const cell::Cell& cell,
                                       const collision::CollisionWorld& world) {
  std::vector<std::string> out;
  for (const verify::Violation& v : verify::Verify(moved, cell, world, {.threads = 2}).violations) {
    if (!v.other_robot.empty()) out.push_back(v.robot + "–" + v.other_robot + ": " + v.message);
  }
  return out;
}

TEST_F(BlendContactTest, TheWideBlendsMeetANeighbourWhereTheChordsDoNot) {
  ASSERT_EQ(plan_->cell_hash, plan::CellHash(*cell_, plan_->seed))
      << kFixture << " no longer fits the generated station: write it again "
      << "(tests/exporters/plans/README.md)";
  ASSERT_EQ(verify::Verify(*plan_, *cell_, *world_, {.threads = 2}).unsafe_count(), 0);
  // The programs as BuildProgram makes them with the wide reach, every proved blend kept.
  ExportResult built;
  for (std::size_t r = 0; r < cell_->robots.size(); ++r) {
    CornerCheck corners(*world_, *cell_, static_cast<int>(r));
    RobotExport e{.robot = cell_->robots[r].name};
    (void)BuildProgram(*plan_, *cell_, static_cast<int>(r), "p",
                       WithDefaults(WideCorridor(), *MakeDialect("abb_rapid")), &e.figures,
                       {.corners = &corners, .blend = kWholeMove});
    built.robots.push_back(std::move(e));
  }
  EXPECT_THAT(RobotContacts(ExportedMotion(*plan_, built, Blends::kNone), *cell_, *world_),
              ::testing::IsEmpty());
  const std::vector<std::string> contacts =
      RobotContacts(ExportedMotion(*plan_, built, Blends::kAlong), *cell_, *world_);
  EXPECT_THAT(contacts, ::testing::Not(::testing::IsEmpty()))
      << "the check must see a blend that meets another robot";
}

TEST_F(BlendContactTest, BlendsThatMeetANeighbourBecomeExactStops) {
  const ExportResult result = ExportPlan(*plan_, *cell_, WideCorridor(),
                                         {.world = world_, .blend = kWholeMove, .threads = 2});
  int stopped = 0, blended = 0;
  for (const RobotExport& e : result.robots) {
    SCOPED_TRACE(e.robot);
    stopped += e.figures.stopped_for_robots;
    blended += e.figures.blended_corners;
    EXPECT_GE(e.figures.stopped_corners, e.figures.stopped_for_robots);
    // A stopped corner is an exact stop in the program as read back.
    int exact_inside = 0;
    for (std::size_t i = 0; i + 1 < e.program.instructions.size(); ++i) {
      const Instruction& in = e.program.instructions[i];
      const Instruction& next = e.program.instructions[i + 1];
      if (in.kind == InstructionKind::kMove && next.kind == InstructionKind::kMove &&
          in.exact_stop) {
        ++exact_inside;
      }
    }
    EXPECT_GE(exact_inside, e.figures.stopped_for_robots);
  }
  EXPECT_GT(stopped, 0) << "some blend met a neighbour";
  EXPECT_GT(blended, stopped) << "the blends that met nobody stay";
  EXPECT_THAT(RobotContacts(ExportedMotion(*plan_, result, Blends::kAlong), *cell_, *world_),
              ::testing::IsEmpty());
}

}  // namespace
}  // namespace weldcell::exporters
