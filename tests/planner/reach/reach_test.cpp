#include "planner/reach/reach.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string_view>

#include "planner/cell/load.hpp"
#include "planner/cell/weld_frame.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/collision/segment_check.hpp"
#include "planner/kinematics/chain.hpp"
#include "planner/kinematics/ik.hpp"
#include "tests/planner/test_cells.hpp"

namespace weldcell::reach {
namespace {

using testing::Box;
using testing::Cylinder;
using ::testing::HasSubstr;
using testing::kPi;
using testing::MakeObstacle;
using testing::MakeWeld;
using testing::Pose;

// One robot at the origin. Each weld is built so that its outcome is known:
//  ok      on top of a table: reachable (touching the sheet is not a collision)
//  lip     a small disc 0.1 m above the weld: free at the weld, but the gun's arm passes through
//          it while backing off along the normal → approach blocked
//  clamp   a wide plate 0.2 m above the weld cuts through the gun body at every spin → collision
//  far     4 m away → out of range
//  very_far  1e27 m away (a weld written as 1e30 in mm) → out of range, at that distance
//  behind  behind the robot: only reachable with joint 1 at ±π, beyond its ±1 rad → joint limits
//  walled  behind the robot too, under a plate like `clamp`'s: beyond the limits every pose hits
//          the plate, so wider limits would not help → collision
cell::Cell ReachCell() {
  cell::Cell c;
  c.name = "reach_test";
  c.cycle_time = 60;
  c.robots.push_back(testing::MakeTestRobot("R1", Eigen::Isometry3d::Identity(),
                                            {.j1 = 1.0, .j2_lower = -0.3, .j2_upper = 1.4}));
  c.welds = {MakeWeld("ok", {1.5, 0.0, 0.6}),        MakeWeld("lip", {1.4, 0.8, 0.6}),
             MakeWeld("clamp", {1.4, -0.8, 0.6}),    MakeWeld("far", {4.0, 0.0, 0.6}),
             MakeWeld("very_far", {1e27, 0.0, 0.6}), MakeWeld("behind", {-1.5, 0.0, 0.8}),
             MakeWeld("walled", {-1.4, -0.8, 0.6})};
  c.obstacles = {
      MakeObstacle("table", Box(0.4, 0.4, 0.6, Pose(1.5, 0, 0.3))),
      MakeObstacle("lip", Cylinder(0.08, 0.01, Pose(1.4, 0.8, 0.6 + 0.105))),
      MakeObstacle("clamp", Box(0.6, 0.6, 0.05, Pose(1.4, -0.8, 0.6 + 0.2))),
      MakeObstacle("wall", Box(0.6, 0.6, 0.05, Pose(-1.4, -0.8, 0.6 + 0.2))),
  };
  c.settings.reach.spin_step = 30.0 * testing::kPi / 180.0;
  return c;
}

class ReachTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cell_ = new cell::Cell(ReachCell());
    world_ = new collision::CollisionWorld(*cell_);
    map_ = new ReachMap(ReachAll(*cell_, *world_, {.threads = 2}));
  }
  static void TearDownTestSuite() {
    delete map_;
    delete world_;
    delete cell_;
  }
  static const WeldReach& At(const std::string& id) {
    for (std::size_t w = 0; w < cell_->welds.size(); ++w) {
      if (cell_->welds[w].id == id) return map_->at(static_cast<int>(w), 0);
    }
    throw std::runtime_error("no weld " + id);
  }
  static cell::Cell* cell_;
  static collision::CollisionWorld* world_;
  static ReachMap* map_;
};
cell::Cell* ReachTest::cell_ = nullptr;
collision::CollisionWorld* ReachTest::world_ = nullptr;
ReachMap* ReachTest::map_ = nullptr;

TEST_F(ReachTest, WeldOnATableIsReachableAndEveryCandidatePutsTheGunOnIt) {
  const WeldReach& r = At("ok");
  ASSERT_EQ(r.status, ReachStatus::kReachable) << r.detail;
  ASSERT_FALSE(r.candidates.empty());
  const kinematics::Chain& chain = world_->chain(0);
  const cell::Robot& robot = cell_->robots[0];
  collision::CollisionContext ctx(*world_);
  std::set<long> spins;
  for (const Candidate& c : r.candidates) {
    EXPECT_TRUE(chain.WithinLimits(c.q));
    const Eigen::Isometry3d X_WT = robot.X_WB * chain.FlangePose(c.q) * robot.tool.X_FT;
    const cell::WeldPoseError e = MeasureWeldPose(cell_->welds[0], X_WT);
    EXPECT_LT(e.position, 1e-6);
    EXPECT_LT(e.tilt, 1e-6);
    EXPECT_NEAR(std::remainder(e.spin - c.spin, 2 * testing::kPi), 0.0, 1e-6);
    // The approach configuration backs the TCP off along the normal by the approach distance.
    const Eigen::Isometry3d X_WA = robot.X_WB * chain.FlangePose(c.q_approach) * robot.tool.X_FT;
    EXPECT_LT((X_WA.translation() - (cell_->welds[0].p_W + 0.1 * Eigen::Vector3d::UnitZ())).norm(),
              1e-6);
    EXPECT_FALSE(world_->CheckRobot(ctx, 0, c.q).in_collision());
    EXPECT_GT(c.clearance, 0.0);
    spins.insert(std::lround(c.spin * 1000));
  }
  // The table is small and the gun is a C: many spins work.
  EXPECT_GE(spins.size(), 6u);
}

TEST_F(ReachTest, LipAboveTheWeldBlocksTheApproach) {
  const WeldReach& r = At("lip");
  EXPECT_EQ(r.status, ReachStatus::kApproachBlocked) << r.detail;
  EXPECT_THAT(r.detail, HasSubstr("R1/gun – lip"));
  EXPECT_TRUE(r.candidates.empty());
}

TEST_F(ReachTest, PlateThroughTheGunIsACollisionNamingBothBodies) {
  const WeldReach& r = At("clamp");
  EXPECT_EQ(r.status, ReachStatus::kCollision) << r.detail;
  EXPECT_THAT(r.detail, HasSubstr("clamp"));
  EXPECT_THAT(r.detail, HasSubstr("R1/"));
}

TEST_F(ReachTest, FarWeldIsOutOfRange) {
  const WeldReach& r = At("far");
  EXPECT_EQ(r.status, ReachStatus::kOutOfRange) << r.detail;
  EXPECT_THAT(r.detail, HasSubstr("(weld 4.045 m from the base)"));
  // The distance used to be cut to 5 characters: "10000 m" for a weld at 1e27 m.
  const WeldReach& very_far = At("very_far");
  EXPECT_EQ(very_far.status, ReachStatus::kOutOfRange) << very_far.detail;
  EXPECT_THAT(very_far.detail, HasSubstr("(weld 1e+27 m from the base)"));
}

TEST_F(ReachTest, WeldBehindTheRobotNeedsJointsBeyondTheirLimits) {
  const WeldReach& r = At("behind");
  EXPECT_EQ(r.status, ReachStatus::kJointLimits) << r.detail;
  // Which joint, and how far: here the flip over the top (joint 2 at -56.2°, 39° past its
  // limit) needs less than turning joint 1 to face the weld (123° past its ±57.3°).
  std::smatch m;
  const std::regex said(
      R"(the nearest pose clear of the obstacles needs joint ([1-6]) \(joint_[1-6]\) at (-?[0-9.]+) deg, its limits )"
      R"((-?[0-9.]+) to (-?[0-9.]+) deg$)");
  ASSERT_TRUE(std::regex_search(r.detail, m, said)) << r.detail;
  const double value = std::stod(m[2].str());
  EXPECT_TRUE(value < std::stod(m[3].str()) || value > std::stod(m[4].str())) << r.detail;
  EXPECT_EQ(m[1].str(), "2") << r.detail;
}

TEST_F(ReachTest, WeldBeyondTheLimitsAndBlockedThereIsACollisionNamingTheObject) {
  // It said "joint limits" for a weld no limits would open: the plate blocks every pose there.
  const WeldReach& r = At("walled");
  EXPECT_EQ(r.status, ReachStatus::kCollision) << r.detail;
  EXPECT_THAT(r.detail, HasSubstr("R1/gun – wall"));
  EXPECT_THAT(r.detail, HasSubstr("; and no pose is within the joint limits"));
}

TEST_F(ReachTest, SameResultOnOneThread) {
  EXPECT_EQ(ReachAll(*cell_, *world_, {.threads = 1}), *map_);
}

TEST_F(ReachTest, OnlyTheChosenPairsAreComputedAndTheyMatchTheFullMap) {
  // ReachOptions::pairs: the station generator checks each candidate base against its own
  // stretch only. Chosen pairs give exactly the full map's entries, the others a default
  // entry that says it was not computed.
  const ReachMap some =
      ReachAll(*cell_, *world_, {.threads = 2, .pairs = [](int w, int) { return w % 2 == 0; }});
  ASSERT_EQ(some.weld_count(), map_->weld_count());
  int computed = 0;
  for (int w = 0; w < some.weld_count(); ++w) {
    if (w % 2 == 0) {
      EXPECT_EQ(some.at(w, 0), map_->at(w, 0)) << cell_->welds[static_cast<std::size_t>(w)].id;
      ++computed;
    } else {
      EXPECT_EQ(some.at(w, 0).status, ReachStatus::kOutOfRange);
      EXPECT_EQ(some.at(w, 0).detail, "not computed");
      EXPECT_TRUE(some.at(w, 0).candidates.empty());
    }
  }
  EXPECT_GE(computed, 3);
  // The map has a reachable weld among the computed ones (else the comparison proves little).
  EXPECT_EQ(some.at(0, 0).status, ReachStatus::kReachable) << "weld 0 is 'ok'";
}

TEST_F(ReachTest, ClearanceMeasuredOnlyUpToTheMinimumGivesTheSameStatusesAndCandidates) {
  // ReachOptions::exact_clearance = false (the station generator): the same outcome, but each
  // candidate's clearance is only the bound min_clearance; with a minimum that rejects poses,
  // the same ones are rejected and the closest distance reported is the same.
  for (const double min_clearance : {0.0, 0.05}) {
    cell::Cell c = *cell_;
    c.settings.reach.min_clearance = min_clearance;
    const collision::CollisionWorld world(c);
    const ReachMap exact = ReachAll(c, world, {.threads = 2});
    const ReachMap bounded = ReachAll(c, world, {.threads = 2, .exact_clearance = false});
    int candidates = 0, too_close = 0;
    for (int w = 0; w < exact.weld_count(); ++w) {
      too_close += exact.at(w, 0).status == ReachStatus::kTooClose ? 1 : 0;
      const WeldReach& e = exact.at(w, 0);
      const WeldReach& b = bounded.at(w, 0);
      const std::string& id = c.welds[static_cast<std::size_t>(w)].id;
      EXPECT_EQ(b.status, e.status) << id << " at " << min_clearance;
      EXPECT_EQ(b.detail, e.detail) << id << " at " << min_clearance;
      ASSERT_EQ(b.candidates.size(), e.candidates.size()) << id << " at " << min_clearance;
      for (std::size_t k = 0; k < e.candidates.size(); ++k) {
        EXPECT_EQ(b.candidates[k].q, e.candidates[k].q) << id;
        EXPECT_EQ(b.candidates[k].spin, e.candidates[k].spin) << id;
        EXPECT_EQ(b.candidates[k].clearance, min_clearance) << id;
        EXPECT_GE(e.candidates[k].clearance, min_clearance) << id;
        ++candidates;
      }
    }
    // The comparisons cover both outcomes: candidates at 0, poses too close at 5 cm (the gun
    // touches the table at the weld).
    EXPECT_GE(min_clearance == 0 ? candidates : too_close, 1) << "at " << min_clearance;
  }
}

TEST_F(ReachTest, MaxCandidatesStopsAtTheFirstWithTheSameStatuses) {
  // ReachOptions::max_candidates = 1 (the station generator's reached_by): whether a robot
  // reaches a weld, at the cost of finding one pose.
  const ReachMap first = ReachAll(*cell_, *world_, {.threads = 2, .max_candidates = 1});
  for (int w = 0; w < map_->weld_count(); ++w) {
    const WeldReach& full = map_->at(w, 0);
    const WeldReach& one = first.at(w, 0);
    const std::string& id = cell_->welds[static_cast<std::size_t>(w)].id;
    EXPECT_EQ(one.status, full.status) << id;
    EXPECT_EQ(one.detail, full.detail) << id;
    if (full.status != ReachStatus::kReachable) continue;
    ASSERT_EQ(one.candidates.size(), 1u) << id;
    EXPECT_EQ(one.candidates[0].q, full.candidates[0].q) << id;
    EXPECT_EQ(one.candidates[0].spin, full.candidates[0].spin) << id;
  }
  EXPECT_GT(map_->at(0, 0).candidates.size(), 1u) << "'ok' has more than one candidate";
}

TEST_F(ReachTest, ProgressIsReportedForEveryWeld) {
  std::int64_t last = 0;
  int calls = 0;
  const Progress progress([&](std::string_view stage, std::int64_t done, std::int64_t total) {
    EXPECT_EQ(stage, kReachStage);
    EXPECT_EQ(total, static_cast<std::int64_t>(cell_->welds.size()));
    EXPECT_EQ(done, last + 1);
    last = done;
    ++calls;
  });
  ReachAll(*cell_, *world_, {.threads = 2, .progress = progress});
  EXPECT_EQ(calls, static_cast<int>(cell_->welds.size()));
}

TEST_F(ReachTest, CancelledFromTheFirstReportStartsNoFurtherWeld) {
  for (int threads : {1, 2}) {
    std::atomic<bool> cancel{false};
    int calls = 0;
    const Progress progress(
        [&](std::string_view, std::int64_t, std::int64_t) {
          ++calls;
          cancel = true;
        },
        &cancel);
    const ReachMap map = ReachAll(*cell_, *world_, {.threads = threads, .progress = progress});
    // Only the welds already under way when the flag was set finish: one per worker.
    EXPECT_GE(calls, 1);
    EXPECT_LE(calls, threads) << threads << " thread(s)";
    EXPECT_NE(map, *map_) << "the map of a cancelled run is incomplete";
  }
}

TEST_F(ReachTest, RestrictedSpinRangeOnlyYieldsAllowedSpins) {
  cell::Cell c = *cell_;
  c.welds = {c.welds[0]};
  c.welds[0].spin_min = -0.5;
  c.welds[0].spin_max = 0.5;
  const collision::CollisionWorld world(c);
  const ReachMap map = ReachAll(c, world);
  ASSERT_EQ(map.at(0, 0).status, ReachStatus::kReachable);
  for (const Candidate& cand : map.at(0, 0).candidates) {
    EXPECT_TRUE(SpinAllowed(c.welds[0], cand.spin)) << cand.spin;
  }
}

// The "ok" weld for a robot whose joint 6 turns ±`j6` rad (an axis-6 option of many turns),
// standing at home with joint 6 three turns out.
cell::Cell WideWristCell(double j6) {
  cell::Cell c = ReachCell();
  c.welds = {c.welds[0]};
  cell::Robot& robot = c.robots[0];
  auto model = std::make_shared<cell::RobotModel>(*robot.model);
  model->joints[5].lower = -j6;
  model->joints[5].upper = j6;
  robot.model = model;
  robot.home[5] = 6 * testing::kPi;
  return c;
}

TEST(ReachWideJointTest, CandidatesUseTheTurnsNearestHome) {
  const cell::Cell c = WideWristCell(100.0);
  const collision::CollisionWorld world(c);
  const ReachMap map = ReachAll(c, world, {.threads = 2});
  const WeldReach& r = map.at(0, 0);
  ASSERT_EQ(r.status, ReachStatus::kReachable) << r.detail;
  const double home6 = c.robots[0].home[5];
  const kinematics::Chain& chain = world.chain(0);
  int other_turns = 0;
  for (const Candidate& cand : r.candidates) {
    EXPECT_TRUE(chain.WithinLimits(cand.q));
    // At most the three turns nearest home (IkRequest::include_2pi_equivalents) ...
    EXPECT_LE(std::abs(cand.q[5] - home6), 3 * testing::kPi + 1e-9) << cand.q.transpose();
    EXPECT_LE(std::abs(cand.q_approach[5] - cand.q[5]), 0.5);
    // ... and a candidate a turn or more from home always has its nearer twin.
    if (std::abs(cand.q[5] - home6) > testing::kPi + 1e-9) {
      ++other_turns;
      const double nearer = cand.q[5] - std::copysign(2 * testing::kPi, cand.q[5] - home6);
      const bool twin =
          std::any_of(r.candidates.begin(), r.candidates.end(), [&](const Candidate& o) {
            return std::abs(o.q[5] - nearer) < 1e-9 &&
                   (o.q.head<5>() - cand.q.head<5>()).cwiseAbs().maxCoeff() < 1e-9;
          });
      EXPECT_TRUE(twin) << "no nearer turn for " << cand.q.transpose();
    }
  }
  // The neighbouring turns stay available to the allocator (as with an ordinary ±2π joint 6).
  EXPECT_GT(other_turns, 0);
  // The first candidate of every pose and branch is within half a turn of home.
  for (std::size_t i = 0; i < r.candidates.size(); ++i) {
    const Candidate& cand = r.candidates[i];
    const bool first =
        std::none_of(r.candidates.begin(), r.candidates.begin() + i, [&](const Candidate& o) {
          return o.spin == cand.spin && o.tilt == cand.tilt && o.branch == cand.branch;
        });
    if (first) {
      EXPECT_LE(std::abs(cand.q[5] - home6), testing::kPi + 1e-9) << cand.q.transpose();
    }
  }
}

TEST(ReachWideJointTest, HugeRangeGivesTheSameCandidatesAndTerminates) {
  // Only the turns nearest home are listed, so the width of the range beyond them changes
  // nothing (the old enumeration from the lower limit listed wound-up turns at ±100 rad).
  const cell::Cell c100 = WideWristCell(100.0), c1e6 = WideWristCell(1e6);
  const collision::CollisionWorld w100(c100), w1e6(c1e6);
  const ReachMap m100 = ReachAll(c100, w100, {.threads = 2});
  const ReachMap m1e6 = ReachAll(c1e6, w1e6, {.threads = 2});
  ASSERT_EQ(m100.at(0, 0).status, ReachStatus::kReachable);
  EXPECT_EQ(m100, m1e6);
}

// DiverseCandidates on hand-made candidates: q is (j1, 0, 0, 0, 0, j6) so that distances are
// known; every clearance ties, as on a sheet where only the electrode gap is free.
Candidate Made(double j1, double j6, double spin, int branch, double posture, int window = 0) {
  Eigen::VectorXd q = Eigen::VectorXd::Zero(6);
  q[0] = j1;
  q[5] = j6;
  return {.q = q,
          .q_approach = q,
          .spin = spin,
          .branch = branch,
          .clearance = 0.005,
          .posture = posture,
          .spin_window = window};
}

TEST(DiverseCandidatesTest, NearestTheWorkingPostureFirstWhenClearancesTie) {
  // Reach order puts the over-head poses (joint 1 at ±3 rad, branch 1) first.
  std::vector<Candidate> c;
  for (int s = 0; s < 6; ++s) c.push_back(Made(3.0, 0.5 * s, 0.5 * s, 1, 3.0 + 0.01 * s));
  c.push_back(Made(0.1, 0.0, 0.0, 0, 0.2));
  c.push_back(Made(0.1, 1.0, 1.0, 0, 0.6));
  const std::vector<int> chosen = DiverseCandidates(c, 4);
  ASSERT_EQ(chosen.size(), 4u);
  EXPECT_EQ(chosen[0], 6) << "the forward pose nearest home comes first";
  EXPECT_EQ(chosen[1], 0) << "then the other branch's best";
  // Both forward poses are offered, not four over-head ones.
  EXPECT_NE(std::find(chosen.begin(), chosen.end(), 7), chosen.end());
}

TEST(DiverseCandidatesTest, EveryBranchIsOfferedAndSpinsSpreadOverTheWindow) {
  std::vector<Candidate> c;
  // Branch 0: spins -60..60 deg every 15 deg, posture lowest at spin 0.
  for (int s = -4; s <= 4; ++s) {
    const double spin = s * 15.0 * kPi / 180.0;
    c.push_back(Made(0.0, spin, spin, 0, 1.0 + std::abs(spin)));
  }
  // Branches 2 and 5 (wrist flips, over-head): one pose each.
  c.push_back(Made(0.0, 3.0, 0.0, 2, 2.5));
  c.push_back(Made(3.0, 0.0, 0.0, 5, 4.0));
  const std::vector<int> chosen = DiverseCandidates(c, 5);
  ASSERT_EQ(chosen.size(), 5u);
  std::set<int> branches;
  for (int i : chosen) branches.insert(c[i].branch);
  EXPECT_EQ(branches, (std::set<int>{0, 2, 5}));
  EXPECT_EQ(chosen[0], 4) << "spin 0, the working posture";
  // The two spare slots go to branch 0, at the ends of its free range.
  std::set<int> spread(chosen.begin() + 3, chosen.end());
  EXPECT_EQ(spread, (std::set<int>{0, 8}));
}

TEST(DiverseCandidatesTest, OnlyTheBestCandidatesSpinWindowIsOffered) {
  // Two runs of free spins (a C gun whose throat fits the flange on either side): changing
  // between them means leaving the flange, which the travel estimate cannot price.
  std::vector<Candidate> c = {Made(0.0, 0.0, 0.0, 0, 1.0, 0), Made(0.0, 0.5, 0.5, 0, 1.2, 0),
                              Made(0.0, 3.0, 3.0, 0, 1.1, 1), Made(1.0, 3.0, 3.0, 1, 1.5, 1)};
  const std::vector<int> chosen = DiverseCandidates(c, 8);
  EXPECT_EQ(chosen, (std::vector<int>{0, 1}));
}

TEST(DiverseCandidatesTest, NoTwoOfferedCandidatesAreNearlyTheSame) {
  std::vector<Candidate> c;
  for (int i = 0; i < 20; ++i) c.push_back(Made(0.01 * i, 0.0, 0.01 * i, 0, 1.0 + 0.01 * i));
  c.push_back(Made(1.0, 0.0, 1.0, 0, 2.0));
  EXPECT_EQ(DiverseCandidates(c, 8), (std::vector<int>{0, 20}));
  EXPECT_TRUE(DiverseCandidates({}, 8).empty());
  EXPECT_TRUE(DiverseCandidates(c, 0).empty());
}

TEST(WorkingPostureTest, TurnsJointOneSoThatTheArmFacesTheWeld) {
  const cell::Robot robot = testing::MakeTestRobot("R", Eigen::Isometry3d::Identity());
  const kinematics::Chain chain(*robot.model);
  Eigen::VectorXd home = Eigen::VectorXd::Zero(6);
  home[1] = -0.3;
  home[0] = 0.2;
  const Eigen::VectorXd ahead = WorkingPosture(chain, home, {2.0, 0.0, 0.5});
  EXPECT_NEAR(ahead[0], 0.0, 1e-6);
  EXPECT_EQ(ahead.tail(5), home.tail(5));
  EXPECT_NEAR(WorkingPosture(chain, home, {0.0, 1.5, 0.5})[0], kPi / 2, 1e-6);
  // Behind the robot, a little to the right: the nearest way round from home (0.2 rad) is
  // π + 0.005, not -π + 0.005.
  EXPECT_NEAR(WorkingPosture(chain, home, {-2.0, -0.01, 0.5})[0], kPi + 0.005, 1e-4);
  // On the axis of joint 1: no direction, the home itself.
  EXPECT_EQ(WorkingPosture(chain, home, {0.0, 0.0, 2.0}), home);
}

TEST(WorkingPostureTest, CandidatesFacingTheWeldCostLessThanOverTheHead) {
  // The KUKA long-reach arm (joint 1 ±185°) reaches a weld in front of it both ways.
  const cell::Cell c = cell::LoadCell("tests/planner/pipeline/cells/long_reach/cell.yaml").value;
  const collision::CollisionWorld world(c);
  const ReachMap map = ReachAll(c, world, {.threads = 2});
  const WeldReach& e = map.at(0, 0);
  ASSERT_EQ(e.status, ReachStatus::kReachable);
  double forward = 1e9;
  double over_head = 1e9;
  for (const Candidate& cand : e.candidates) {
    double& best = std::abs(cand.q[0]) < kPi / 2 ? forward : over_head;
    best = std::min(best, cand.posture);
  }
  ASSERT_LT(over_head, 1e9) << "the cell must offer over-head poses to tell them apart";
  EXPECT_LT(forward + 1.0, over_head);
  for (const int i : DiverseCandidates(e.candidates, 1))
    EXPECT_LT(std::abs(e.candidates[i].q[0]), 0.5);
}

TEST(ReachSpinWindowTest, PostsOnEitherSideSplitTheFreeSpinsIntoTwoWindows) {
  // The weld on a table between two posts 0.25 m to its left and right: the gun's body (0.25 m
  // back from the TCP) fits between them only pointing along x, towards or away from the robot.
  cell::Cell c;
  c.name = "spin_windows";
  c.cycle_time = 60;
  c.robots.push_back(testing::MakeTestRobot("R1", Eigen::Isometry3d::Identity()));
  c.welds = {MakeWeld("w", {1.5, 0.0, 0.6})};
  c.obstacles = {MakeObstacle("table", Box(0.4, 0.4, 0.6, Pose(1.5, 0, 0.3))),
                 MakeObstacle("post_left", Box(0.1, 0.05, 1.0, Pose(1.5, 0.25, 1.1))),
                 MakeObstacle("post_right", Box(0.1, 0.05, 1.0, Pose(1.5, -0.25, 1.1)))};
  c.settings.reach.spin_step = 30.0 * kPi / 180.0;
  const collision::CollisionWorld world(c);
  const WeldReach e = ReachAll(c, world, {.threads = 1}).at(0, 0);
  ASSERT_EQ(e.status, ReachStatus::kReachable) << e.detail;
  std::map<int, std::set<int>> spins_of_window;  // spin in degrees
  for (const Candidate& cand : e.candidates) {
    spins_of_window[cand.spin_window].insert(static_cast<int>(std::lround(cand.spin / kPi * 180)));
  }
  std::string windows;
  for (const auto& [w, spins] : spins_of_window) {
    windows += " window " + std::to_string(w) + ":";
    for (int s : spins) windows += " " + std::to_string(s);
  }
  // -30 .. 30 and 150 .. -150: the run through 150 continues through -180 (a full turn).
  ASSERT_EQ(spins_of_window.size(), 2u) << windows;
  // Each window is a run of 30 degree steps (spins -180 .. 150, 150 next to -180).
  auto wrap = [](int deg) { return (deg + 540) % 360 - 180; };
  for (const auto& [w, spins] : spins_of_window) {
    for (int s : spins) {
      EXPECT_TRUE(spins.count(wrap(s + 30)) || spins.count(wrap(s - 30)) || spins.size() == 1)
          << s << windows;
    }
  }
  // Only one window is offered.
  std::set<int> offered;
  for (int i : DiverseCandidates(e.candidates, 8)) offered.insert(e.candidates[i].spin_window);
  EXPECT_EQ(offered.size(), 1u);
}

// Whatever the robot's joint-1 convention (the shipped robots turn about +z, ROS-Industrial's
// KUKA models about -z), the shoulder of the working posture points at the weld.
void ExpectShoulderFacesTheWeld(const cell::RobotModel& model) {
  const kinematics::Chain chain(model);
  SCOPED_TRACE(model.name);
  const Eigen::VectorXd home = Eigen::VectorXd::Zero(chain.dof());
  std::vector<Eigen::Isometry3d> X_BL;
  for (const double direction : {0.0, 0.7, 2.0, -1.2, -2.9}) {
    const Eigen::Vector3d p_B(1.8 * std::cos(direction), 1.8 * std::sin(direction), 0.6);
    const Eigen::VectorXd q = WorkingPosture(chain, home, p_B);
    EXPECT_EQ(q.tail(chain.dof() - 1), home.tail(chain.dof() - 1));
    EXPECT_LE(std::abs(q[0] - home[0]), kPi + 1e-9);
    chain.LinkPoses(q, &X_BL);
    const Eigen::Vector3d shoulder = X_BL[chain.joint_child_link(1)].translation();
    EXPECT_NEAR(kinematics::internal::WrapToPi(std::atan2(shoulder.y(), shoulder.x()) - direction),
                0.0, 1e-6)
        << "direction " << direction << ", q1 " << q[0];
  }
}

TEST(WorkingPostureTest, TheShoulderFacesTheWeldOnEveryShippedRobot) {
  for (const char* robot :
       {"robots/fanuc_r2000ic165f/robot.yaml", "robots/kuka_kr210r2700extra/robot.yaml",
        "robots/abb_irb6700_200_260/robot.yaml"}) {
    ExpectShoulderFacesTheWeld(*cell::LoadRobotModel(robot).value);
  }
}

TEST(WorkingPostureTest, TheShoulderFacesTheWeldOnTheSharedRosIndustrialRobots) {
  const std::filesystem::path shared = "../shared/robots";
  if (!std::filesystem::is_directory(shared)) {
    GTEST_SKIP() << "../shared/robots is absent (external test data, not shipped)";
  }
  int checked = 0;
  for (const auto& package : std::filesystem::directory_iterator(shared)) {
    if (!std::filesystem::is_directory(package.path() / "urdf")) continue;
    for (const auto& urdf : std::filesystem::directory_iterator(package.path() / "urdf")) {
      if (urdf.path().extension() != ".urdf") continue;
      ExpectShoulderFacesTheWeld(*cell::LoadUrdfChain(urdf.path(), "base_link", "tool0").value);
      ++checked;
    }
  }
  EXPECT_GE(checked, 1);
}

}  // namespace
}  // namespace weldcell::reach
