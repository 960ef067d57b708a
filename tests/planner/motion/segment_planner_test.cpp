#include "planner/motion/segment_planner.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <random>

#include "planner/collision/collision_world.hpp"
#include "planner/collision/segment_check.hpp"
#include "planner/motion/weld_sequence.hpp"
#include "tests/planner/test_cells.hpp"

namespace weldcell::motion {
namespace {

using testing::Box;
using ::testing::HasSubstr;
using testing::MakeObstacle;
using testing::Pose;

Eigen::VectorXd Q(double a, double b, double c, double d, double e, double f) {
  Eigen::VectorXd q(6);
  q << a, b, c, d, e, f;
  return q;
}

// The test arm swings its joint 1 from −0.8 to +0.8 rad with the gun out in front; a wall in
// the plane y = 0 blocks the direct swing, so the path must go over or around it.
cell::Cell WallCell(double wall_thickness = 0.05) {
  cell::Cell c;
  c.name = "wall";
  c.cycle_time = 60;
  c.robots.push_back(testing::MakeTestRobot("R1", Eigen::Isometry3d::Identity()));
  c.obstacles.push_back(MakeObstacle("wall", Box(0.8, wall_thickness, 1.1, Pose(1.55, 0, 0.75))));
  return c;
}

const Eigen::VectorXd kLeft = Q(-0.8, 0.5, 0.3, 0, 0.8, 0);
const Eigen::VectorXd kRight = Q(0.8, 0.5, 0.3, 0, 0.8, 0);

class SegmentPlannerTest : public ::testing::Test {
 protected:
  SegmentPlannerTest() : cell_(WallCell()), world_(cell_), ctx_(world_) {}
  cell::Cell cell_;
  collision::CollisionWorld world_;
  collision::CollisionContext ctx_;
};

TEST_F(SegmentPlannerTest, TheSceneForcesADetour) {
  ASSERT_FALSE(world_.CheckRobot(ctx_, 0, kLeft).in_collision());
  ASSERT_FALSE(world_.CheckRobot(ctx_, 0, kRight).in_collision());
  ASSERT_FALSE(collision::CheckJointSegment(world_, ctx_, 0, kLeft, kRight).free());
}

TEST_F(SegmentPlannerTest, PlansADetourThatIsFreeWhenCheckedFiveTimesFiner) {
  SegmentPlanner planner(world_, 0);
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const SegmentResult r = planner.Plan({.start = kLeft, .goal = kRight, .seed = seed});
    ASSERT_TRUE(r.solved()) << r.message;
    EXPECT_FALSE(r.direct);
    EXPECT_GT(r.path.size(), 2u);
    EXPECT_EQ(r.path.front(), kLeft);
    EXPECT_EQ(r.path.back(), kRight);
    const kinematics::Chain& chain = world_.chain(0);
    for (std::size_t i = 0; i < r.path.size(); ++i) {
      EXPECT_TRUE(chain.WithinLimits(r.path[i])) << "seed " << seed << " waypoint " << i;
      if (i == 0) continue;
      const collision::SegmentCheckResult fine = collision::CheckJointSegment(
          world_, ctx_, 0, r.path[i - 1], r.path[i], {.resolution = 0.001});
      EXPECT_TRUE(fine.free()) << "seed " << seed << " piece " << i << ": "
                               << collision::ToString(fine.collision);
    }
  }
}

TEST_F(SegmentPlannerTest, PathsAroundTheWallKeepEveryJointNearItsEnds) {
  // A way over the wall needs no joint beyond its two ends by more than kNearWindowMargin; drawn
  // from the whole ranges, RRTConnect's paths turned the wrist far beyond them (and pruning and
  // shortcuts cannot take every detour out again).
  SegmentPlanner planner(world_, 0);
  double worst = 0.0;  // rad beyond [min(start, goal), max(start, goal)], any joint, any seed
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    const SegmentResult r = planner.Plan({.start = kLeft, .goal = kRight, .seed = seed});
    ASSERT_TRUE(r.solved()) << r.message;
    for (const Eigen::VectorXd& q : r.path) {
      for (int j = 0; j < 6; ++j) {
        const double lo = std::min(kLeft[j], kRight[j]), hi = std::max(kLeft[j], kRight[j]);
        worst = std::max({worst, lo - q[j], q[j] - hi});
      }
    }
  }
  EXPECT_LE(worst, kNearWindowMargin + 1e-12) << "rad beyond the ends";
}

TEST_F(SegmentPlannerTest, SameSeedSamePathWhateverWasPlannedBefore) {
  SegmentPlanner a(world_, 0), b(world_, 0);
  const SegmentResult first = a.Plan({.start = kLeft, .goal = kRight, .seed = 42});
  // b plans other queries first: its result for seed 42 must not change.
  b.Plan({.start = kRight, .goal = kLeft, .seed = 7});
  b.Plan({.start = kLeft, .goal = kRight, .seed = 8});
  const SegmentResult second = b.Plan({.start = kLeft, .goal = kRight, .seed = 42});
  ASSERT_TRUE(first.solved());
  EXPECT_EQ(first.path, second.path);
  const SegmentResult other = a.Plan({.start = kLeft, .goal = kRight, .seed = 43});
  EXPECT_NE(first.path, other.path);
}

TEST_F(SegmentPlannerTest, DirectMoveWhenNothingIsInTheWay) {
  SegmentPlanner planner(world_, 0);
  const Eigen::VectorXd a = Q(-0.8, 0.2, 0.0, 0, 0.5, 0), b = Q(-1.2, 0.1, 0.2, 0.3, 0.6, 1.0);
  const SegmentResult r = planner.Plan({.start = a, .goal = b});
  ASSERT_TRUE(r.solved()) << r.message;
  EXPECT_TRUE(r.direct);
  EXPECT_EQ(r.path, (std::vector<Eigen::VectorXd>{a, b}));
}

TEST_F(SegmentPlannerTest, GoalInsideAnObstacleIsAFailureValueWithWhatReproducesIt) {
  cell::Cell c = WallCell();
  c.obstacles.push_back(MakeObstacle("block", Box(0.6, 0.6, 0.6, Pose(0.9, 1.0, 0.9))));
  const collision::CollisionWorld world(c);
  SegmentPlanner planner(world, 0);
  const Eigen::VectorXd into_block = Q(0.8, 0.3, 0.3, 0, 0.5, 0);
  SegmentResult r;
  EXPECT_NO_THROW(
      r = planner.Plan(
          {.start = kLeft, .goal = into_block, .seed = 9, .context = "cell wall 0123"}));
  EXPECT_EQ(r.status, SegmentStatus::kGoalInCollision);
  EXPECT_THAT(r.message, HasSubstr("block"));
  EXPECT_THAT(r.message, HasSubstr("seed 9"));
  EXPECT_THAT(r.message, HasSubstr("goal [0.80000000000000004"));
  EXPECT_THAT(r.message, HasSubstr("cell wall 0123"));
}

TEST_F(SegmentPlannerTest, RunningOutOfStatesIsAFailureValue) {
  // Two tree extensions cannot get around the wall.
  SegmentPlanner planner(world_, 0);
  const SegmentResult r =
      planner.Plan({.start = kLeft, .goal = kRight, .seed = 3, .max_planner_states = 2});
  EXPECT_EQ(r.status, SegmentStatus::kNoPathFound);
  EXPECT_THAT(r.message, HasSubstr("no path found"));
  EXPECT_THAT(r.message, HasSubstr("seed 3"));
  EXPECT_TRUE(r.path.empty());
  // All three attempts ran: 2 extensions near the ends, 2 from the whole ranges, then 8 × 2 with
  // another seed (each may overshoot by the one extension RRTConnect finishes after its budget
  // is reached).
  EXPECT_THAT(r.message, HasSubstr(std::to_string(r.planner_states) + " tree extensions tried"));
  EXPECT_GE(r.planner_states, 20);
  EXPECT_LE(r.planner_states, 23);
  // The planner is usable again afterwards.
  EXPECT_TRUE(planner.Plan({.start = kLeft, .goal = kRight, .seed = 3}).solved());
}

TEST_F(SegmentPlannerTest, AStartNearerThanTheSweptMarginIsRefusedWithTheReason) {
  // On the swing towards the wall, the configuration whose clearance is about 1 mm: free, but
  // nearer than the 2.5 mm every motion keeps at the 5 mm resolution.
  double lo = 0.0, hi = 1.0;  // clearance > 1 mm at lo, < 1 mm at hi
  for (int i = 0; i < 50; ++i) {
    const double mid = 0.5 * (lo + hi);
    const Eigen::VectorXd q = kLeft + mid * (kRight - kLeft);
    const bool near = world_.CheckRobot(ctx_, 0, q).in_collision() ||
                      world_.Clearance(ctx_, 0, q).distance < 0.001;
    (near ? hi : lo) = mid;
  }
  const Eigen::VectorXd close = kLeft + lo * (kRight - kLeft);
  ASSERT_FALSE(world_.CheckRobot(ctx_, 0, close).in_collision());
  ASSERT_NEAR(world_.Clearance(ctx_, 0, close).distance, 0.001, 1e-4);
  SegmentPlanner planner(world_, 0);
  const SegmentResult r = planner.Plan({.start = close, .goal = kLeft, .seed = 1});
  EXPECT_EQ(r.status, SegmentStatus::kStartInCollision);
  EXPECT_THAT(r.message, HasSubstr("closer than the 2.501 mm"));
  EXPECT_THAT(r.message, HasSubstr("wall"));
  // With a 1 mm resolution (0.5 mm margin) the same start is fine.
  EXPECT_TRUE(
      planner.Plan({.start = close, .goal = kLeft, .resolution = 0.001, .seed = 1}).solved());
}

TEST_F(SegmentPlannerTest, ASecondAttemptWithALargerBudgetSolvesWhatTheFirstCannot) {
  // Small budgets: for some, the first attempt fails and the second (another seed, eight times
  // the budget) succeeds, which shows in more extensions than the first budget.
  SegmentPlanner planner(world_, 0);
  int solved_by_retry = 0;
  for (int budget = 2; budget <= 100; budget += 4) {
    const SegmentResult r =
        planner.Plan({.start = kLeft, .goal = kRight, .seed = 5, .max_planner_states = budget});
    if (r.solved() && r.planner_states > budget) ++solved_by_retry;
  }
  EXPECT_GT(solved_by_retry, 0);
}

// The wall cell's robot with an axis-6 option of many turns (±`wide` rad), and joint 4 too when
// asked.
cell::Cell WideWallCell(double wide, bool joint_4_too) {
  cell::Cell c = WallCell();
  auto model = std::make_shared<cell::RobotModel>(*c.robots[0].model);
  for (int j : {3, 5}) {
    if (j == 3 && !joint_4_too) continue;
    model->joints[j].lower = -wide;
    model->joints[j].upper = wide;
  }
  c.robots[0].model = model;
  return c;
}

TEST(WideJointPlanningTest, AJointOfManyTurnsPlansAsTheOrdinaryOne) {
  // Start and goal at J6 = 0: the sampling window of a ±1e4 rad joint 6, [−2π, 2π], is the whole
  // range of the ordinary ±2π joint, so the same seed gives the same path. (Sampling all of
  // ±1e4 rad found no path in 62k tree extensions.)
  const cell::Cell narrow = WallCell(), wide = WideWallCell(1e4, false);
  const collision::CollisionWorld narrow_world(narrow), wide_world(wide);
  SegmentPlanner narrow_planner(narrow_world, 0), wide_planner(wide_world, 0);
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    const SegmentResult n = narrow_planner.Plan({.start = kLeft, .goal = kRight, .seed = seed});
    const SegmentResult w = wide_planner.Plan({.start = kLeft, .goal = kRight, .seed = seed});
    ASSERT_TRUE(n.solved()) << n.message;
    ASSERT_TRUE(w.solved()) << w.message;
    EXPECT_FALSE(w.direct);
    EXPECT_EQ(w.path, n.path) << "seed " << seed;
  }
}

TEST(WideJointPlanningTest, WoundStartAndGoalPlanWithinAWindowAroundThem) {
  // Joints 4 and 6 hundreds of turns out (the same geometry as kLeft/kRight), limits up to
  // ±1e300 rad: solved, and no waypoint winds more than a turn beyond start and goal.
  constexpr double kTurn = 2 * testing::kPi;
  Eigen::VectorXd start = kLeft, goal = kRight;
  for (Eigen::VectorXd* q : {&start, &goal}) {
    (*q)[3] -= 400 * kTurn;
    (*q)[5] += 700 * kTurn;
  }
  for (const double wide : {1e4, 1e300}) {
    const cell::Cell c = WideWallCell(wide, true);
    const collision::CollisionWorld world(c);
    collision::CollisionContext ctx(world);
    SegmentPlanner planner(world, 0);
    for (std::uint64_t seed = 1; seed <= 2; ++seed) {
      SCOPED_TRACE("limits ±" + std::to_string(wide) + ", seed " + std::to_string(seed));
      const SegmentResult r = planner.Plan({.start = start, .goal = goal, .seed = seed});
      ASSERT_TRUE(r.solved()) << r.message;
      EXPECT_FALSE(r.direct);
      for (std::size_t i = 0; i < r.path.size(); ++i) {
        EXPECT_TRUE(world.chain(0).WithinLimits(r.path[i]));
        for (int j : {3, 5}) {
          EXPECT_GE(r.path[i][j], std::min(start[j], goal[j]) - kSamplingWindowMargin);
          EXPECT_LE(r.path[i][j], std::max(start[j], goal[j]) + kSamplingWindowMargin);
        }
        if (i == 0) continue;
        EXPECT_TRUE(collision::CheckJointSegment(world, ctx, 0, r.path[i - 1], r.path[i],
                                                 {.resolution = 0.002})
                        .free())
            << "piece " << i;
      }
    }
  }
}

// A 1 mm plate that only the electrode crosses during the swing: checks spaced by joint-space
// fraction (OMPL's default is 1 % of the space's extent) step over it; the Cartesian resolution
// does not.
TEST(SegmentResolutionTest, ThinPlateBetweenTwoCoarseSamplesIsCaught) {
  cell::Cell c = WallCell();
  c.obstacles.clear();
  const collision::CollisionWorld open_world(c);
  const kinematics::Chain& chain = open_world.chain(0);
  // Where the electrode (flange frame (0.25, 0, 0.3275)) is when joint 1 is at 0.05 rad.
  const Eigen::VectorXd q_plate = kLeft + (kRight - kLeft) * (0.85 / 1.6);
  const Eigen::Vector3d electrode = chain.FlangePose(q_plate) * Eigen::Vector3d(0.25, 0, 0.3275);
  // The swing moves the electrode along the tangent of the circle about the base z axis.
  const double yaw = std::atan2(electrode.y(), electrode.x());
  c.obstacles.push_back(MakeObstacle(
      "plate",
      Box(0.06, 0.001, 0.06, Pose(electrode.x(), electrode.y(), electrode.z(), 0, 0, yaw))));
  const collision::CollisionWorld world(c);
  collision::CollisionContext ctx(world);
  const collision::SegmentCheckResult fine =
      collision::CheckJointSegment(world, ctx, 0, kLeft, kRight);
  ASSERT_FALSE(fine.free());
  EXPECT_THAT(collision::ToString(fine.collision), HasSubstr("plate"));
  // The same move sampled as OMPL's DiscreteMotionValidator would (1 % of the extent of the
  // joint space) misses the plate.
  const double extent = (chain.upper() - chain.lower()).norm();
  const int coarse = static_cast<int>(std::ceil((kRight - kLeft).norm() / (0.01 * extent)));
  int hits = 0;
  for (int k = 0; k <= coarse; ++k) {
    const Eigen::VectorXd q = kLeft + (kRight - kLeft) * (static_cast<double>(k) / coarse);
    hits += world.CheckRobot(ctx, 0, q).in_collision() ? 1 : 0;
  }
  EXPECT_EQ(hits, 0) << "the coarse check was expected to miss the 1 mm plate (" << coarse
                     << " samples)";
  EXPECT_GT(collision::SegmentSampleCount(world, 0, kLeft, kRight, 0.005), 10 * coarse);
}

TEST(WeldSequenceTest, TimedTrajectoryVisitsEveryStopAndStaysWithinLimits) {
  const cell::Cell c = WallCell();
  const collision::CollisionWorld world(c);
  SegmentPlanner planner(world, 0);
  const kinematics::Chain& chain = world.chain(0);
  SequenceRequest request{
      .home = Eigen::VectorXd::Zero(6),
      .stops =
          {{.id = "A", .q = kLeft, .q_approach = kLeft + Q(0, -0.05, 0, 0, 0, 0), .dwell = 1.0},
           {.id = "B", .q = kRight, .q_approach = kRight + Q(0, -0.05, 0, 0, 0, 0), .dwell = 0.5}},
      .limits = {.max_velocity = chain.velocity_limits(),
                 .max_acceleration = chain.acceleration_limits()},
      .timing = {.speed_scale = 1.0, .blend_tolerance = 0.1},
      .seed = 5};
  const SequenceResult r = PlanWeldSequence(planner, request);
  ASSERT_TRUE(r.skipped.empty()) << r.skipped.front().reason;
  EXPECT_GE(r.planned_moves, 1);  // A → B goes around the wall
  const RobotTrajectory& t = r.trajectory;
  EXPECT_EQ(t.start(), request.home);
  EXPECT_LT((t.end() - request.home).norm(), 1e-12);
  int dwells = 0;
  collision::CollisionContext ctx(world);
  for (const TrajectorySegment& s : t.segments()) {
    if (s.kind == SegmentKind::kWeldDwell) {
      ++dwells;
      EXPECT_EQ(s.profile.start(), s.from == "A" ? kLeft : kRight);
      EXPECT_DOUBLE_EQ(s.duration(), s.from == "A" ? 1.0 : 0.5);
    }
    EXPECT_TRUE(
        (s.profile.PeakVelocity().array() <= chain.velocity_limits().array() * (1 + 1e-9)).all());
    EXPECT_TRUE(
        (s.profile.PeakAcceleration().array() <= chain.acceleration_limits().array() * (1 + 1e-9))
            .all());
  }
  EXPECT_EQ(dwells, 2);
  // The executed motion, densely sampled, never touches anything.
  for (double time = 0; time <= t.duration(); time += 0.002) {
    ASSERT_FALSE(world.CheckRobot(ctx, 0, t.Sample(time).q).in_collision()) << "t = " << time;
  }
}

// A weld whose chosen pose no motion reaches (here: inside a block) is welded in the first of
// its alternative poses that a motion reaches; without alternatives it is skipped.
TEST(WeldSequenceTest, AStopNoMotionReachesIsWeldedInAnAlternativePose) {
  cell::Cell c = WallCell();
  c.obstacles.push_back(MakeObstacle("block", Box(0.6, 0.6, 0.6, Pose(0.9, 1.0, 0.9))));
  const collision::CollisionWorld world(c);
  collision::CollisionContext ctx(world);
  const Eigen::VectorXd into_block = Q(0.8, 0.3, 0.3, 0, 0.5, 0);
  const Eigen::VectorXd back = Q(0, -0.05, 0, 0, 0, 0);
  ASSERT_TRUE(world.CheckRobot(ctx, 0, into_block).in_collision());
  const Eigen::VectorXd open = Q(-1.2, 0.1, 0.2, 0.3, 0.6, 1.0);
  ASSERT_FALSE(world.CheckRobot(ctx, 0, open).in_collision());
  ASSERT_FALSE(world.CheckRobot(ctx, 0, open + back).in_collision());
  SegmentPlanner planner(world, 0);
  const kinematics::Chain& chain = world.chain(0);
  SequenceRequest request{
      .home = Eigen::VectorXd::Zero(6),
      .stops = {{.id = "A", .q = kLeft, .q_approach = kLeft + back, .dwell = 1.0},
                {.id = "B",
                 .q = into_block,
                 .q_approach = into_block,
                 .dwell = 0.5,
                 .alternatives = {{.q = into_block + back, .q_approach = into_block + back},
                                  {.q = open, .q_approach = open + back}}}},
      .limits = {.max_velocity = chain.velocity_limits(),
                 .max_acceleration = chain.acceleration_limits()},
      .timing = {.speed_scale = 1.0, .blend_tolerance = 0.1},
      .seed = 5};
  ASSERT_TRUE(world.CheckRobot(ctx, 0, into_block + back).in_collision());
  const SequenceResult r = PlanWeldSequence(planner, request);
  ASSERT_TRUE(r.skipped.empty()) << r.skipped.front().reason;
  EXPECT_EQ(r.alternative_used, (std::vector<int>{-1, 1}));
  int dwells = 0;
  for (const TrajectorySegment& s : r.trajectory.segments()) {
    if (s.kind != SegmentKind::kWeldDwell) continue;
    ++dwells;
    EXPECT_EQ(s.profile.start(), s.from == "A" ? kLeft : open) << s.from;
  }
  EXPECT_EQ(dwells, 2);
  for (double time = 0; time <= r.trajectory.duration(); time += 0.002) {
    ASSERT_FALSE(world.CheckRobot(ctx, 0, r.trajectory.Sample(time).q).in_collision())
        << "t = " << time;
  }

  request.stops[1].alternatives.clear();
  const SequenceResult without = PlanWeldSequence(planner, request);
  ASSERT_EQ(without.skipped.size(), 1u);
  EXPECT_EQ(without.skipped[0].index, 1);
  EXPECT_THAT(without.skipped[0].reason, HasSubstr("goal in collision"));
  EXPECT_EQ(without.alternative_used, (std::vector<int>{-1, -1}));
}

// A robot at kLeft whose searches on to kRight fail (a budget of one tree extension cannot get
// round the wall) backs out the way it came — to home, from where kRight is a straight move —
// instead of skipping the stop: one motion from kLeft back through home to kRight, free.
TEST_F(SegmentPlannerTest, ARobotThatCannotSearchItsWayOnBacksOutTheWayItCame) {
  const Eigen::VectorXd home = Q(0, -0.6, 0.2, 0, 0.8, 0);
  ASSERT_FALSE(world_.CheckRobot(ctx_, 0, home).in_collision());
  ASSERT_TRUE(collision::CheckJointSegment(world_, ctx_, 0, home, kLeft).free());
  ASSERT_TRUE(collision::CheckJointSegment(world_, ctx_, 0, home, kRight).free());
  SegmentPlanner planner(world_, 0);
  const SegmentResult on = planner.Plan({.start = kLeft,
                                         .goal = kRight,
                                         .seed = 5,
                                         .max_planner_states = 1,
                                         .search = SegmentSearch::kWhole});
  ASSERT_FALSE(on.solved());
  const kinematics::Chain& chain = world_.chain(0);
  const SequenceRequest request{
      .home = home,
      .stops = {{.id = "A", .q = kLeft, .q_approach = kLeft, .dwell = 0.5},
                {.id = "B", .q = kRight, .q_approach = kRight, .dwell = 0.5}},
      .limits = {.max_velocity = chain.velocity_limits(),
                 .max_acceleration = chain.acceleration_limits()},
      .timing = {.speed_scale = 1.0, .blend_tolerance = 0.1},
      .seed = 5,
      .max_planner_states = 1};
  const SequenceResult r = PlanWeldSequence(planner, request);
  ASSERT_TRUE(r.skipped.empty()) << r.skipped.front().reason;
  EXPECT_EQ(r.retreats, 1);
  const TrajectorySegment* a_to_b = nullptr;
  for (const TrajectorySegment& s : r.trajectory.segments()) {
    if (s.kind == SegmentKind::kMotion && s.from == "A" && s.to == "B") a_to_b = &s;
  }
  ASSERT_NE(a_to_b, nullptr);
  double nearest_home = std::numeric_limits<double>::infinity();
  for (double t = a_to_b->start_time; t <= a_to_b->end_time(); t += 0.002) {
    nearest_home = std::min(nearest_home, (r.trajectory.Sample(t).q - home).norm());
  }
  // Through home, or within the blend tolerance of it where the turn there is blended.
  EXPECT_LE(nearest_home, 1.01 * request.timing.blend_tolerance) << "from A to B by home";
  for (double t = 0; t <= r.trajectory.duration(); t += 0.002) {
    ASSERT_FALSE(world_.CheckRobot(ctx_, 0, r.trajectory.Sample(t).q).in_collision())
        << "t = " << t;
  }
}

// A closed pocket: a 2.4 m square plate across the forearm of kRight with a hole that the forearm
// (r = 0.09 m) passes with 15 mm to spare and the wrist and C gun beyond it cannot (a ship in a
// bottle). kRight is free, but no motion from the plate's other side reaches it: the gun would
// have to be threaded through the hole.
cell::Cell PocketCell() {
  cell::Cell c = WallCell();
  c.obstacles.clear();
  const collision::CollisionWorld open_world(c);
  std::vector<Eigen::Isometry3d> X_BL;
  open_world.chain(0).LinkPoses(kRight, &X_BL);
  const Eigen::Isometry3d X_WP = X_BL[4] * Pose(0.3, 0, 0);  // plate frame: x along the forearm
  constexpr double kHole = 0.105, kHalf = 1.2, kThick = 0.02;
  const double side = kHalf - kHole, middle = 0.5 * (kHalf + kHole);
  c.obstacles.push_back(
      MakeObstacle("plate_top", Box(kThick, 2 * kHalf, side, X_WP * Pose(0, 0, middle))));
  c.obstacles.push_back(
      MakeObstacle("plate_bottom", Box(kThick, 2 * kHalf, side, X_WP * Pose(0, 0, -middle))));
  c.obstacles.push_back(
      MakeObstacle("plate_left", Box(kThick, side, 2 * kHole, X_WP * Pose(0, middle, 0))));
  c.obstacles.push_back(
      MakeObstacle("plate_right", Box(kThick, side, 2 * kHole, X_WP * Pose(0, -middle, 0))));
  return c;
}

// Poses in the pocket: kRight with the gun turned about the flange by `turn` rad.
Eigen::VectorXd InPocket(double turn) { return kRight + Q(0, 0, 0, 0, 0, turn); }

class PocketTest : public ::testing::Test {
 protected:
  PocketTest() : cell_(PocketCell()), world_(cell_), ctx_(world_) {}
  void SetUp() override {
    const double margin = collision::SweptMargin(0.005);
    for (const Eigen::VectorXd& q : {kLeft, kOpen, Eigen::VectorXd(kOpen + kBack), InPocket(0),
                                     InPocket(0.15), InPocket(0.3)}) {
      ASSERT_FALSE(world_.CheckRobot(ctx_, 0, q, {.margin = margin}).in_collision()) << q;
    }
    // Neighbouring pocket poses are joined by free straight moves; the pocket is not entered
    // directly from the start.
    ASSERT_TRUE(collision::CheckJointSegment(world_, ctx_, 0, InPocket(0), InPocket(0.15)).free());
    ASSERT_TRUE(
        collision::CheckJointSegment(world_, ctx_, 0, InPocket(0.15), InPocket(0.3)).free());
    ASSERT_FALSE(collision::CheckJointSegment(world_, ctx_, 0, kLeft, InPocket(0)).free());
  }
  SequenceRequest Request(std::vector<WeldStop> stops) const {
    const kinematics::Chain& chain = world_.chain(0);
    return {.home = kLeft,
            .stops = std::move(stops),
            .limits = {.max_velocity = chain.velocity_limits(),
                       .max_acceleration = chain.acceleration_limits()},
            .timing = {.speed_scale = 1.0, .blend_tolerance = 0.1},
            .seed = 5,
            .max_planner_states = kBudget};
  }
  static constexpr int kBudget = 400;  // per first attempt; the wide searches take 1 + 8 times it
  const Eigen::VectorXd kOpen = Q(-1.2, 0.1, 0.2, 0.3, 0.6, 1.0);
  const Eigen::VectorXd kBack = Q(0, -0.05, 0, 0, 0, 0);
  cell::Cell cell_;
  collision::CollisionWorld world_;
  collision::CollisionContext ctx_;
};

// kFull runs kNear then kWide: split into the two, the same seed gives the same path, and
// kWhole is kWide without its third attempt.
TEST_F(SegmentPlannerTest, TheFullSearchIsTheNearOneThenTheWideOne) {
  SegmentPlanner planner(world_, 0);
  int split = 0;  // budgets whose near search failed and whose wide search solved the move
  for (int budget = 2; budget <= 60; budget += 2) {
    const SegmentRequest full{
        .start = kLeft, .goal = kRight, .seed = 5, .max_planner_states = budget};
    SegmentRequest near = full, wide = full, whole = full;
    near.search = SegmentSearch::kNear;
    wide.search = SegmentSearch::kWide;
    whole.search = SegmentSearch::kWhole;
    const SegmentResult f = planner.Plan(full), n = planner.Plan(near);
    // One attempt each: its budget, twice when the path of its coarse checks fails the full
    // check and it plans again, each may overshoot by one extension.
    EXPECT_LE(n.planner_states, 2 * budget + 2);
    if (n.solved()) {
      EXPECT_FALSE(n.wide);
      EXPECT_EQ(f.path, n.path) << "budget " << budget;
      continue;
    }
    const SegmentResult w = planner.Plan(wide), h = planner.Plan(whole);
    EXPECT_EQ(f.status, w.status) << "budget " << budget;
    EXPECT_EQ(f.path, w.path) << "budget " << budget;
    EXPECT_EQ(f.planner_states, n.planner_states + w.planner_states);
    EXPECT_LE(h.planner_states, 2 * budget + 2);
    if (w.solved()) {
      ++split;
      EXPECT_TRUE(f.wide && w.wide);
    }
    if (h.solved()) {
      EXPECT_EQ(h.path, w.path) << "budget " << budget;
    }
  }
  EXPECT_GT(split, 0);
  SegmentRequest direct{.start = kLeft, .goal = kRight, .search = SegmentSearch::kDirect};
  const SegmentResult d = planner.Plan(direct);
  EXPECT_EQ(d.status, SegmentStatus::kNoPathFound);
  EXPECT_EQ(d.planner_states, 0);
}

TEST_F(PocketTest, NoSearchFindsAWayIntoThePocket) {
  SegmentPlanner planner(world_, 0);
  const SegmentResult r =
      planner.Plan({.start = kLeft, .goal = InPocket(0), .seed = 3, .max_planner_states = kBudget});
  EXPECT_EQ(r.status, SegmentStatus::kNoPathFound);
  EXPECT_GE(r.planner_states, 10 * kBudget);  // all three attempts ran
}

// A stop whose own pose is in the pocket and whose alternative is open: the alternative is
// welded after the own pose's near search alone (before, the wider searches, nine times as many
// tree extensions, ran for it before any alternative was tried).
TEST_F(PocketTest, AnOpenAlternativeIsWeldedAfterTheNearSearchOfThePocketPose) {
  SegmentPlanner planner(world_, 0);
  const SequenceResult r = PlanWeldSequence(
      planner, Request({{.id = "A",
                         .q = InPocket(0),
                         .q_approach = InPocket(0),
                         .dwell = 0.5,
                         .alternatives = {{.q = kOpen, .q_approach = kOpen + kBack}}}}));
  ASSERT_TRUE(r.skipped.empty()) << r.skipped.front().reason;
  EXPECT_EQ(r.alternative_used, (std::vector<int>{0}));
  EXPECT_EQ(r.failed_searches, 1);
  EXPECT_GE(r.failed_planner_states, kBudget);
  EXPECT_LE(r.failed_planner_states, kBudget + 1);  // may overshoot by one extension
}

// Three stops in one pocket, no alternatives: the first is searched near, then from the whole
// ranges, then with the long search (eight budgets), the others, joined to it by free straight
// moves, only directly. All three are skipped, the robot goes home, and the whole sequence
// spends the tree extensions of those three searches (before: three full searches of 10 budgets
// each).
TEST_F(PocketTest, StopsInThePocketOfASkippedStopAreNotSearchedAgain) {
  SegmentPlanner planner(world_, 0);
  std::vector<WeldStop> stops;
  for (const double turn : {0.0, 0.15, 0.3}) {
    stops.push_back({.id = "P" + std::to_string(stops.size()),
                     .q = InPocket(turn),
                     .q_approach = InPocket(turn),
                     .dwell = 0.5});
  }
  const SequenceResult r = PlanWeldSequence(planner, Request(stops));
  ASSERT_EQ(r.skipped.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(r.skipped[static_cast<std::size_t>(i)].index, i);
  EXPECT_THAT(r.skipped[0].reason, HasSubstr("no path found"));
  EXPECT_THAT(r.skipped[0].reason,
              HasSubstr(std::to_string(r.failed_planner_states) +
                        " tree extensions in the near, whole-range and long searches"));
  EXPECT_THAT(r.skipped[1].reason, HasSubstr("pocket"));
  EXPECT_THAT(r.skipped[2].reason, HasSubstr("pocket"));
  EXPECT_EQ(r.failed_searches, 5);  // P0 near, whole-range and long, P1 and P2 directly
  EXPECT_GE(r.failed_planner_states, 10 * kBudget);
  EXPECT_LE(r.failed_planner_states, 10 * kBudget + 3);  // each may overshoot by one
  EXPECT_EQ(r.planner_states, r.failed_planner_states);
  EXPECT_LT((r.trajectory.end() - kLeft).norm(), 1e-12);
}

// A weld another robot reaches is not given the long search (the pipeline re-allocates a
// skipped weld to that robot): on XL the long searches of such welds doubled the motion stage
// and saved none. The same pocket stop costs the near and whole-range searches alone.
TEST_F(PocketTest, AStopAnotherRobotReachesIsNotGivenTheLongSearch) {
  SegmentPlanner planner(world_, 0);
  const std::vector<WeldStop> stops = {
      {.id = "P", .q = InPocket(0), .q_approach = InPocket(0), .dwell = 0.5, .others_reach = true}};
  const SequenceResult r = PlanWeldSequence(planner, Request(stops));
  ASSERT_EQ(r.skipped.size(), 1u);
  EXPECT_THAT(r.skipped[0].reason,
              HasSubstr(std::to_string(r.failed_planner_states) +
                        " tree extensions in the near and whole-range searches (not the long "
                        "one: another robot reaches the weld)"));
  EXPECT_EQ(r.failed_searches, 2);  // near and whole-range
  EXPECT_GE(r.failed_planner_states, 2 * kBudget);
  EXPECT_LE(r.failed_planner_states, 2 * kBudget + 2);  // each may overshoot by one
}

// A budget of skipped stops shared between sequences (SequenceRequest::skipped_total): with
// one skip already counted elsewhere and a maximum of one, the first skipped stop exceeds it and
// the sequence gives up at once, without searching the open stop after it or the way home; with
// room for every skip, the same request plans the open stop.
TEST_F(PocketTest, ASharedSkipBudgetStopsTheSequenceOnceExceeded) {
  SegmentPlanner planner(world_, 0);
  const std::vector<WeldStop> stops = {
      {.id = "P", .q = InPocket(0), .q_approach = InPocket(0), .dwell = 0.5},
      {.id = "O", .q = kOpen, .q_approach = kOpen + kBack, .dwell = 0.5}};
  // One skip counted by another robot already; at most `max` in all.
  auto plan_with_budget = [&](int max, std::atomic<int>* total) {
    SequenceRequest request = Request(stops);
    request.skipped_total = total;
    request.max_skipped_total = max;
    return PlanWeldSequence(planner, request);
  };
  std::atomic<int> total{1};
  const SequenceResult r = plan_with_budget(1, &total);
  EXPECT_TRUE(r.abandoned);
  ASSERT_EQ(r.skipped.size(), 1u);
  EXPECT_EQ(r.skipped[0].index, 0);
  EXPECT_EQ(total.load(), 2);
  EXPECT_EQ(r.planned_moves + r.direct_moves, 0);  // neither O nor the way home

  std::atomic<int> roomy_total{1};
  const SequenceResult all = plan_with_budget(2, &roomy_total);
  EXPECT_FALSE(all.abandoned);
  ASSERT_EQ(all.skipped.size(), 1u);
  EXPECT_EQ(roomy_total.load(), 2);
  EXPECT_EQ(all.alternative_used, (std::vector<int>{-1, -1}));
  EXPECT_LT((all.trajectory.end() - kLeft).norm(), 1e-12);  // home again
}

// Searching near first changes nothing for a stop whose own pose the near search reaches.
TEST_F(PocketTest, AReachableOwnPoseIsWeldedAsBefore) {
  SegmentPlanner planner(world_, 0);
  const Eigen::VectorXd up = Q(-0.2, -0.3, 0.4, 0.5, 0.9, -0.4);
  ASSERT_FALSE(world_.CheckRobot(ctx_, 0, up).in_collision());
  const SequenceResult r = PlanWeldSequence(
      planner, Request({{.id = "A",
                         .q = up,
                         .q_approach = up,
                         .dwell = 0.5,
                         .alternatives = {{.q = kOpen, .q_approach = kOpen + kBack}}}}));
  ASSERT_TRUE(r.skipped.empty()) << r.skipped.front().reason;
  EXPECT_EQ(r.alternative_used, (std::vector<int>{-1}));
  EXPECT_EQ(r.failed_searches, 0);
}

// A planned move is the fastest of up to kTravelPlans plans: never slower than the one plan of
// the request's own seed, and on the wall cell faster for some seeds. After kTravelPlansFirst
// plans it stops exactly when every plan so far is within kTravelPlansAgree of the fastest
// (on the wall cell both happen: some moves stop there, some take all plans).
TEST(TravelMoveTest, APlannedMoveIsTheFastestOfSeveralPlans) {
  const cell::Cell c = WallCell();
  const collision::CollisionWorld world(c);
  SegmentPlanner planner(world, 0);
  const kinematics::Chain& chain = world.chain(0);
  const JointLimits limits{.max_velocity = chain.velocity_limits(),
                           .max_acceleration = chain.acceleration_limits()};
  const TimingOptions timing{.speed_scale = 1.0, .blend_tolerance = 0.1};
  int faster = 0, stopped = 0, all_plans = 0;
  for (std::uint64_t seed = 1; seed <= 16; ++seed) {
    const SegmentRequest request{.start = kLeft, .goal = kRight, .seed = seed};
    // One plan, timed as PlanTravelMove times each of its plans.
    const SegmentResult one = planner.Plan(request);
    ASSERT_TRUE(one.solved()) << one.message;
    ASSERT_FALSE(one.direct);
    MotionProfile single = TimeParameterize(one.path, limits, timing);
    if (!BlendsAreFree(planner, single, request.resolution)) {
      single = TimeParameterize(one.path, limits, {.speed_scale = 1.0, .blend_tolerance = 0.0});
    }
    const TravelMove best = PlanTravelMove(planner, request, limits, timing);
    ASSERT_TRUE(best.path.solved()) << best.path.message;
    EXPECT_LE(best.profile.duration(), single.duration() + 1e-9) << "seed " << seed;
    faster += best.profile.duration() < single.duration() - 1e-6 ? 1 : 0;

    const std::vector<double>& d = best.plan_durations;
    ASSERT_GE(d.size(), static_cast<std::size_t>(kTravelPlansFirst)) << "seed " << seed;
    ASSERT_LE(d.size(), static_cast<std::size_t>(kTravelPlans)) << "seed " << seed;
    EXPECT_EQ(d.front(), single.duration()) << "seed " << seed;
    EXPECT_EQ(*std::min_element(d.begin(), d.end()), best.profile.duration()) << "seed " << seed;
    auto agree = [&](std::size_t n) {  // the first n plans within kTravelPlansAgree
      const auto [lo, hi] = std::minmax_element(d.begin(), d.begin() + static_cast<long>(n));
      return *hi <= (1 + kTravelPlansAgree) * *lo;
    };
    for (std::size_t n = kTravelPlansFirst; n < d.size(); ++n) {
      EXPECT_FALSE(agree(n)) << "seed " << seed << ": planned on after " << n
                             << " plans that agree";
    }
    if (d.size() < static_cast<std::size_t>(kTravelPlans)) {
      EXPECT_TRUE(agree(d.size()))
          << "seed " << seed << ": stopped after " << d.size() << " plans that differ";
      ++stopped;
    } else {
      ++all_plans;
    }
  }
  EXPECT_GE(faster, 1);
  EXPECT_GE(stopped, 1);
  EXPECT_GE(all_plans, 1);
}

}  // namespace
}  // namespace weldcell::motion
