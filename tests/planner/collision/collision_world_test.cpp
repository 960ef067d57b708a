#include "planner/collision/collision_world.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <numbers>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include "planner/collision/internal/world_impl.hpp"
#include "planner/common/diagnostics.hpp"
#include "tests/planner/collision/test_cells.hpp"

namespace weldcell::collision {

// Readable gtest output for contacts.
void PrintTo(const BodyRef& body, std::ostream* os) { *os << ToString(body); }
void PrintTo(const Contact& contact, std::ostream* os) {
  *os << ToString(contact.first) << " – " << ToString(contact.second);
}

namespace {

using testing::At;
using testing::BoxMesh;
using testing::BoxObstacle;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using testing::Pose;
using testing::SphereProbe;
using testing::TinyRobot;
using testing::TumblingBox;

constexpr double kBall = 0.1;

#if defined(__SANITIZE_ADDRESS__)
constexpr int kScale = 4;  // sanitizer builds are ~10× slower: fewer random cases
#else
constexpr int kScale = 1;
#endif

Eigen::Vector3d RandomUnit(std::mt19937_64& rng) {
  std::normal_distribution<double> n(0.0, 1.0);
  Eigen::Vector3d v(n(rng), n(rng), n(rng));
  return v.normalized();
}

Eigen::Matrix3d RandomRotation(std::mt19937_64& rng) {
  std::normal_distribution<double> n(0.0, 1.0);
  return Eigen::Quaterniond(n(rng), n(rng), n(rng), n(rng)).normalized().toRotationMatrix();
}

/// A world with a probe ball (robot 0, "P") and one obstacle.
cell::Cell ProbeCell(cell::Obstacle obstacle) {
  cell::Cell c;
  c.name = "probe";
  c.robots.push_back(SphereProbe("P", kBall));
  c.obstacles.push_back(std::move(obstacle));
  return c;
}

std::vector<Eigen::Isometry3d> BallAt(const Eigen::Vector3d& p_W) {
  return {Eigen::Isometry3d::Identity(), Pose(p_W)};
}

/// Closest point of a box (full sizes `size`, pose X_WG) to p_W.
Eigen::Vector3d ClosestOnBox(const Eigen::Vector3d& size, const Eigen::Isometry3d& X_WG,
                             const Eigen::Vector3d& p_W) {
  const Eigen::Vector3d p_G = X_WG.inverse() * p_W;
  const Eigen::Vector3d c_G = p_G.cwiseMax(-0.5 * size).cwiseMin(0.5 * size);
  return X_WG * c_G;
}

// Points just outside a box: on a face, near an edge and near a corner (box frame), with the
// outward direction of the nearest feature.
struct Probe {
  Eigen::Vector3d surface_G;
  Eigen::Vector3d normal_G;
};
std::vector<Probe> SurfaceProbes(const Eigen::Vector3d& size) {
  const Eigen::Vector3d h = 0.5 * size;
  return {
      {{h.x(), 0.1 * h.y(), -0.2 * h.z()}, Eigen::Vector3d::UnitX()},
      {{-0.3 * h.x(), -h.y(), 0.4 * h.z()}, -Eigen::Vector3d::UnitY()},
      {{0.1 * h.x(), 0.2 * h.y(), h.z()}, Eigen::Vector3d::UnitZ()},
      {{h.x(), h.y(), 0.0}, Eigen::Vector3d(1, 1, 0).normalized()},
      {{-h.x(), h.y(), -h.z()}, Eigen::Vector3d(-1, 1, -1).normalized()},
  };
}

// --- contract: touching is a collision, 1 mm apart is not ----------------------------------

void ExpectTouchingAndSeparated(const cell::Obstacle& obstacle, const Eigen::Vector3d& size) {
  const CollisionWorld world(ProbeCell(obstacle));
  CollisionContext ctx(world);
  const Eigen::Isometry3d& X_WG = obstacle.geometry.X_FG;
  for (const Probe& probe : SurfaceProbes(size)) {
    const Eigen::Vector3d s_W = X_WG * probe.surface_G;
    const Eigen::Vector3d n_W = X_WG.linear() * probe.normal_G;
    SCOPED_TRACE("surface point " + ::testing::PrintToString(probe.surface_G.transpose()));
    const auto touching = world.CheckRobotAtPoses(ctx, 0, BallAt(s_W + (kBall - 1e-6) * n_W));
    ASSERT_TRUE(touching.in_collision());
    ASSERT_EQ(touching.contacts.size(), 1u);
    EXPECT_EQ(touching.contacts[0].first.name, "P/ball");
    EXPECT_EQ(touching.contacts[0].first.kind, BodyKind::kLink);
    EXPECT_EQ(touching.contacts[0].second.name, obstacle.name);
    EXPECT_EQ(touching.contacts[0].second.kind, BodyKind::kObstacle);
    const auto apart = world.CheckRobotAtPoses(ctx, 0, BallAt(s_W + (kBall + 1e-3) * n_W));
    EXPECT_FALSE(apart.in_collision()) << ToString(apart);
    EXPECT_TRUE(apart.contacts.empty());
  }
}

TEST(CollisionContract, BoxTouchingIsCollisionOneMillimetreApartIsNot) {
  std::mt19937_64 rng(11);
  const Eigen::Vector3d size(0.8, 0.5, 0.3);
  ExpectTouchingAndSeparated(
      BoxObstacle("clamp_1", size, Pose({0.3, -0.2, 1.0}, RandomRotation(rng))), size);
}

TEST(CollisionContract, MeshTouchingIsCollisionOneMillimetreApartIsNot) {
  std::mt19937_64 rng(12);
  const Eigen::Vector3d size(0.8, 0.5, 0.3);
  const cell::Obstacle mesh{.name = "body",
                            .geometry = {.shape = cell::Shape::FromMesh(BoxMesh(size)),
                                         .X_FG = Pose({-0.4, 0.7, 0.2}, RandomRotation(rng))},
                            .visual = {}};
  ExpectTouchingAndSeparated(mesh, size);
}

// --- contract: distance ---------------------------------------------------------------------

void ExpectAnalyticDistances(const cell::Obstacle& obstacle, const Eigen::Vector3d& size,
                             std::uint64_t seed) {
  const CollisionWorld world(ProbeCell(obstacle));
  CollisionContext ctx(world);
  const Eigen::Isometry3d& X_WG = obstacle.geometry.X_FG;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> gap(0.001, 0.5);
  for (int i = 0; i < 200 / kScale; ++i) {
    // A point at a known distance outside the box: a random surface point pushed out along the
    // outward normal of its face.
    std::uniform_real_distribution<double> u(-0.5, 0.5);
    Eigen::Vector3d s_G(u(rng) * size.x(), u(rng) * size.y(), u(rng) * size.z());
    const int axis = static_cast<int>(rng() % 3);
    const double sign = (rng() % 2) ? 1.0 : -1.0;
    s_G[axis] = sign * 0.5 * size[axis];
    const Eigen::Vector3d direction_G = RandomUnit(rng);
    const Eigen::Vector3d c_W =
        X_WG * (s_G + gap(rng) * (direction_G[axis] * sign > 0 ? direction_G : -direction_G));
    const Eigen::Vector3d closest_W = ClosestOnBox(size, X_WG, c_W);
    const double expected = (c_W - closest_W).norm() - kBall;
    SCOPED_TRACE("seed " + std::to_string(seed) + " case " + std::to_string(i));
    const DistanceResult d = world.ClearanceAtPoses(ctx, 0, BallAt(c_W));
    if (expected <= 0.0) {
      EXPECT_EQ(d.status, DistanceStatus::kInContact);
      continue;
    }
    ASSERT_EQ(d.status, DistanceStatus::kClear) << ToString(d);
    EXPECT_NEAR(d.distance, expected, 1e-6);
    EXPECT_EQ(d.robot_body.name, "P/ball");
    EXPECT_EQ(d.obstacle.name, obstacle.name);
    EXPECT_NEAR((d.p_W_obstacle - closest_W).norm(), 0.0, 1e-6);
    EXPECT_NEAR((d.p_W_robot - (c_W + kBall * (closest_W - c_W).normalized())).norm(), 0.0, 1e-6);
  }
}

TEST(CollisionContract, SphereBoxDistanceEqualsAnalyticValue) {
  std::mt19937_64 rng(21);
  const Eigen::Vector3d size(0.6, 0.4, 0.9);
  ExpectAnalyticDistances(BoxObstacle("riser", size, Pose({1, 2, 0.5}, RandomRotation(rng))), size,
                          22);
}

TEST(CollisionContract, SphereMeshDistanceEqualsAnalyticValue) {
  std::mt19937_64 rng(31);
  const Eigen::Vector3d size(0.6, 0.4, 0.9);
  const cell::Obstacle mesh{.name = "body",
                            .geometry = {.shape = cell::Shape::FromMesh(BoxMesh(size)),
                                         .X_FG = Pose({-1, 0.5, 0.3}, RandomRotation(rng))},
                            .visual = {}};
  ExpectAnalyticDistances(mesh, size, 32);
}

TEST(CollisionContract, ClearanceReportsNearestOfSeveralObstaclesAndHonoursMaxDistance) {
  cell::Cell c = ProbeCell(BoxObstacle("far", {1, 1, 1}, Pose({3, 0, 0})));
  c.obstacles.push_back(BoxObstacle("near", {1, 1, 1}, Pose({0, 2, 0})));
  c.obstacles.push_back(BoxObstacle("farther", {1, 1, 1}, Pose({-5, 0, 0})));
  const CollisionWorld world(c);
  CollisionContext ctx(world);
  // Ball at the origin: near's face at y = 1.5 → 1.4; far's face at x = 2.5 → 2.4.
  const DistanceResult d = world.ClearanceAtPoses(ctx, 0, BallAt(Eigen::Vector3d::Zero()));
  ASSERT_EQ(d.status, DistanceStatus::kClear);
  EXPECT_NEAR(d.distance, 1.4, 1e-9);
  EXPECT_EQ(d.obstacle.name, "near");
  EXPECT_EQ(d.obstacle.index, 1);

  const DistanceResult capped =
      world.ClearanceAtPoses(ctx, 0, BallAt(Eigen::Vector3d::Zero()), {.max_distance = 1.0});
  EXPECT_EQ(capped.status, DistanceStatus::kFarther);
  EXPECT_EQ(capped.distance, 1.0);

  const DistanceResult inside = world.ClearanceAtPoses(ctx, 0, BallAt(Eigen::Vector3d(0, 1.45, 0)));
  EXPECT_EQ(inside.status, DistanceStatus::kInContact);
  EXPECT_EQ(inside.distance, 0.0);
  EXPECT_EQ(inside.obstacle.name, "near");
}

// --- the tiny arm: self collision, allowed pairs, mesh obstacles ------------------------------

cell::Cell ArmCell() {
  cell::Cell c;
  c.name = "arm";
  c.settings.seed = 7;
  c.robots.push_back(TinyRobot("R1", Eigen::Isometry3d::Identity()));
  return c;
}

const Eigen::Vector4d kFolded(0.0, 0.0, 3.05, 0.0);

TEST(CollisionWorld, NamesBodies) {
  const CollisionWorld world(ArmCell());
  ASSERT_EQ(world.robot_count(), 1);
  ASSERT_EQ(world.body_count(0), 6);
  EXPECT_EQ(world.robot_body(0, 3).name, "R1/link_3");
  EXPECT_EQ(world.robot_body(0, 3).kind, BodyKind::kLink);
  EXPECT_EQ(world.gun(0).name, "R1/gun");
  EXPECT_EQ(world.gun(0).kind, BodyKind::kGun);
  EXPECT_EQ(world.gun(0).index, 5);
  EXPECT_EQ(world.obstacle_count(), 0);
}

TEST(CollisionWorld, FindsSelfCollisionOfFoldedArm) {
  const CollisionWorld world(ArmCell());
  CollisionContext ctx(world);
  // Forearm folded back 0.09 rad short of straight down along the vertical upper arm: the gun
  // (0.56–0.76 m from the elbow at z = 1.1) comes down to x ≈ 0.04–0.10, z ≈ 0.34: inside link_1's
  // cylinder (r 0.08, z 0.2–0.5) and against the upper arm (|x| ≤ 0.05 down to z 0.45).
  const CollisionResult all = world.CheckRobot(
      ctx, 0, kFolded, {.scope = CheckScope::kSelf, .report = ContactReport::kAll});
  ASSERT_TRUE(all.in_collision());
  const Contact gun_link_1{.first = world.robot_body(0, 1), .second = world.gun(0)};
  const Contact gun_link_2{.first = world.robot_body(0, 2), .second = world.gun(0)};
  EXPECT_THAT(all.contacts, Contains(gun_link_1)) << ToString(all);
  EXPECT_THAT(all.contacts, Contains(gun_link_2)) << ToString(all);
  // Forearm and upper arm overlap too, but they are adjacent: never reported.
  const auto& acm = world.allowed_collisions(0);
  for (const Contact& contact : all.contacts) {
    EXPECT_FALSE(acm.allowed(contact.first.index, contact.second.index)) << ToString(all);
  }
  EXPECT_EQ(acm.reason(2, 3), AllowedReason::kAdjacent);

  const CollisionResult first = world.CheckRobot(ctx, 0, kFolded);
  ASSERT_TRUE(first.in_collision());
  EXPECT_EQ(first.contacts.size(), 1u);
  EXPECT_THAT(all.contacts, Contains(first.contacts[0]));
  EXPECT_THAT(ToString(first), MatchesRegex("in collision: R1/link_[12] – R1/gun"));

  EXPECT_FALSE(
      world.CheckRobot(ctx, 0, kFolded, {.scope = CheckScope::kEnvironment}).in_collision());
  EXPECT_FALSE(world.CheckRobot(ctx, 0, Eigen::Vector4d::Zero()).in_collision());
}

TEST(CollisionWorld, AllowedPairIsInContactButNotReported) {
  // Premise: at home link_2's box reaches 5 cm below joint_2 into link_1's cylinder. Shown with
  // a second world in which a copy of link_2's box, at its home pose, is an obstacle.
  const CollisionWorld world(ArmCell());
  CollisionContext ctx(world);
  const Eigen::Vector4d home = Eigen::Vector4d::Zero();
  std::vector<Eigen::Isometry3d> X_BL;
  world.chain(0).LinkPoses(home, &X_BL);
  cell::Cell copy = ArmCell();
  const cell::Geometry& upper_arm = copy.robots[0].model->links[2].collision[0];
  copy.obstacles.push_back(
      {.name = "upper_arm_copy",
       .geometry = {.shape = upper_arm.shape, .X_FG = X_BL[2] * upper_arm.X_FG},
       .visual = {}});
  const CollisionWorld copy_world(copy);
  CollisionContext copy_ctx(copy_world);
  const CollisionResult premise = copy_world.CheckRobot(
      copy_ctx, 0, home, {.scope = CheckScope::kEnvironment, .report = ContactReport::kAll});
  const Contact link_1_in_copy{.first = copy_world.robot_body(0, 1),
                               .second = copy_world.obstacle(0)};
  ASSERT_THAT(premise.contacts, Contains(link_1_in_copy)) << ToString(premise);

  EXPECT_EQ(world.allowed_collisions(0).reason(1, 2), AllowedReason::kAdjacent);
  const CollisionResult result = world.CheckRobot(ctx, 0, home, {.report = ContactReport::kAll});
  EXPECT_FALSE(result.in_collision()) << ToString(result);
}

TEST(CollisionWorld, AllowedCollisionMatrixOfTinyArm) {
  const CollisionWorld world(ArmCell());
  const AllowedCollisionMatrix& acm = world.allowed_collisions(0);
  ASSERT_EQ(acm.body_count(), 6);
  // Parent and child: adjacent; the gun rides on link_4 and is one joint from link_3.
  EXPECT_EQ(acm.reason(0, 1), AllowedReason::kAdjacent);
  EXPECT_EQ(acm.reason(1, 2), AllowedReason::kAdjacent);
  EXPECT_EQ(acm.reason(2, 3), AllowedReason::kAdjacent);
  EXPECT_EQ(acm.reason(3, 4), AllowedReason::kAdjacent);
  EXPECT_EQ(acm.reason(3, 5), AllowedReason::kAdjacent);
  EXPECT_EQ(acm.reason(4, 5), AllowedReason::kRigid);
  EXPECT_EQ(acm.reason(5, 4), AllowedReason::kRigid);
  // Pairs that can collide (shown by the folded arm) are checked.
  EXPECT_EQ(acm.reason(1, 5), AllowedReason::kChecked);
  EXPECT_EQ(acm.reason(2, 5), AllowedReason::kChecked);
  // The upper arm stays above z = 0.3 within ±1.8 rad: it can never reach the base (top 0.2).
  EXPECT_EQ(acm.reason(0, 2), AllowedReason::kNeverColliding);
  // Every checked pair is one that the samples saw in contact, so it is not "never": check
  // consistency with a sweep of configurations: no allowed (sampled) pair collides in it.
  CollisionContext ctx(world);
  std::mt19937_64 rng(99);
  const auto& chain = world.chain(0);
  int self_hits = 0;
  for (int i = 0; i < 2000 / kScale; ++i) {
    Eigen::VectorXd q(4);
    for (int j = 0; j < 4; ++j) {
      q[j] = std::uniform_real_distribution<double>(chain.lower()[j], chain.upper()[j])(rng);
    }
    const CollisionResult r =
        world.CheckRobot(ctx, 0, q, {.scope = CheckScope::kSelf, .report = ContactReport::kAll});
    self_hits += r.in_collision() ? 1 : 0;
    for (const Contact& contact : r.contacts) {
      EXPECT_EQ(acm.reason(contact.first.index, contact.second.index), AllowedReason::kChecked);
    }
  }
  EXPECT_GT(self_hits, 0);
}

TEST(CollisionWorld, AllowedCollisionMatrixIsDeterministicForASeed) {
  const CollisionWorld a(ArmCell(), {.acm_samples = 300});
  const CollisionWorld b(ArmCell(), {.acm_samples = 300});
  EXPECT_EQ(a.allowed_collisions(0), b.allowed_collisions(0));
  // Two robots of one model (the same RobotModel object) and gun share one matrix.
  cell::Cell two = ArmCell();
  two.robots.push_back(TinyRobot("R2", Pose({2, 0, 0})));
  two.robots[1].model = two.robots[0].model;
  const CollisionWorld w(two, {.acm_samples = 300});
  EXPECT_EQ(w.allowed_collisions(0), w.allowed_collisions(1));
  EXPECT_EQ(w.allowed_collisions(0), a.allowed_collisions(0));
}

TEST(CollisionWorld, OtherRobotsStandingAtHomeAreObstaclesOfThePlanner) {
  // R2 stands upright at x = 1 (its home, q = 0); R1 stretched forward (J2 = 1.5 rad) reaches
  // x ≈ 1.42 at about the height of R2's first links.
  cell::Cell c = ArmCell();
  c.robots.push_back(TinyRobot("R2", Pose({1.0, 0, 0})));
  c.robots[1].home = Eigen::Vector4d::Zero();
  const Eigen::Vector4d forward(0.0, 1.5, 0.0, 0.0);
  const CheckRequest all{.scope = CheckScope::kEnvironment, .report = ContactReport::kAll};

  const CollisionWorld planner(c, {.acm_samples = 50});
  CollisionContext ctx(planner);
  EXPECT_EQ(planner.obstacle_count(), 0);  // the cell's obstacles only
  const CollisionResult hit = planner.CheckRobot(ctx, 0, forward, all);
  ASSERT_TRUE(hit.in_collision());
  for (const Contact& contact : hit.contacts) {
    EXPECT_EQ(contact.first.robot, 0);
    EXPECT_EQ(contact.second.robot, 1) << ToString(contact.second);
    EXPECT_THAT(std::string(contact.second.name), MatchesRegex("R2/.* at home"));
  }
  // Neither robot is an obstacle of itself: both homes and R1 folded are clear.
  EXPECT_FALSE(planner.CheckRobot(ctx, 0, Eigen::Vector4d::Zero(), all).in_collision());
  EXPECT_FALSE(planner.CheckRobot(ctx, 1, Eigen::Vector4d::Zero(), all).in_collision());
  // Clearance sees R2 too: R1 at home is about 1 m − the links' half widths from it.
  const DistanceResult d = planner.Clearance(ctx, 0, Eigen::Vector4d::Zero());
  EXPECT_EQ(d.obstacle.robot, 1) << ToString(d.obstacle);
  EXPECT_GT(d.distance, 0.5);
  EXPECT_LT(d.distance, 1.0);

  // The verifier's world checks robot pairs along the timeline instead: no static R2.
  const CollisionWorld verifier(
      c, {.pairs = PairPolicy::kVerifier, .robots_at_home_are_obstacles = false});
  CollisionContext vctx(verifier);
  EXPECT_FALSE(verifier.CheckRobot(vctx, 0, forward, all).in_collision());
  EXPECT_EQ(verifier.Clearance(vctx, 0, Eigen::Vector4d::Zero()).status, DistanceStatus::kFarther);
}

TEST(CollisionWorld, MeshWallAgainstPrimitiveLinks) {
  // The arm stretched forward (J2 = 1.5 rad) reaches x ≈ 0.6·sin 1.5 + (0.5 + 0.06 + 0.26)·sin 1.5
  // ≈ 1.417 at the gun tip. A mesh wall (box surface 0.1 thick) at x = 1.3 is hit by the gun,
  // one at x = 1.5 is not.
  const Eigen::Vector4d reach(0.0, 1.5, 0.0, 0.0);
  for (const double wall_x : {1.3, 1.5}) {
    cell::Cell c = ArmCell();
    c.obstacles.push_back({.name = "wall",
                           .geometry = {.shape = cell::Shape::FromMesh(BoxMesh({0.1, 2.0, 2.0})),
                                        .X_FG = Pose({wall_x + 0.05, 0, 1.0})},
                           .visual = {}});
    const CollisionWorld world(c);
    CollisionContext ctx(world);
    const CollisionResult r = world.CheckRobot(ctx, 0, reach, {.report = ContactReport::kAll});
    if (wall_x < 1.4) {
      ASSERT_TRUE(r.in_collision());
      EXPECT_THAT(r.contacts,
                  Contains(Contact{.first = world.gun(0), .second = world.obstacle(0)}));
      EXPECT_EQ(world.Clearance(ctx, 0, reach).status, DistanceStatus::kInContact);
    } else {
      EXPECT_FALSE(r.in_collision()) << ToString(r);
      const DistanceResult d = world.Clearance(ctx, 0, reach);
      ASSERT_EQ(d.status, DistanceStatus::kClear);
      EXPECT_EQ(d.robot_body.name, "R1/gun");
      // The gun's far corner: along the arm 1.1 + 0.26 + ... computed from FK below.
      std::vector<Eigen::Isometry3d> X_BL;
      world.chain(0).LinkPoses(reach, &X_BL);
      double max_x = -1.0;
      for (int corner = 0; corner < 8; ++corner) {
        const Eigen::Vector3d p_F((corner & 1) ? 0.03 : -0.03, (corner & 2) ? 0.03 : -0.03,
                                  (corner & 4) ? 0.26 : 0.06);
        max_x = std::max(max_x, (X_BL.back() * p_F).x());
      }
      EXPECT_NEAR(d.distance, wall_x - max_x, 1e-6);
      EXPECT_NEAR(d.p_W_obstacle.x(), wall_x, 1e-6);
      EXPECT_NEAR(d.p_W_robot.x(), max_x, 1e-6);
    }
  }
}

TEST(CollisionWorld, MeshLinkAgainstBoxAndMeshObstacles) {
  // A link that is a mesh (a 0.2 m cube surface) placed 1 mm / 0.1 mm-into from obstacles that
  // are a box and a mesh, faces parallel: contact and face-to-face distance are exact.
  auto model = std::make_shared<cell::RobotModel>(*SphereProbe("M", 0.1).model);
  model->links[1].collision = {At(cell::Shape::FromMesh(BoxMesh({0.2, 0.2, 0.2})), {0, 0, 0})};
  for (const bool mesh_obstacle : {false, true}) {
    SCOPED_TRACE(mesh_obstacle ? "mesh obstacle" : "box obstacle");
    cell::Cell c;
    c.robots.push_back(SphereProbe("M", 0.1));
    c.robots[0].model = model;
    const Eigen::Isometry3d X_WO = Pose({1.0, 0.0, 0.0});
    if (mesh_obstacle) {
      c.obstacles.push_back(
          {.name = "o",
           .geometry = {.shape = cell::Shape::FromMesh(BoxMesh({1, 1, 1})), .X_FG = X_WO},
           .visual = {}});
    } else {
      c.obstacles.push_back(BoxObstacle("o", {1, 1, 1}, X_WO));
    }
    const CollisionWorld world(c);
    CollisionContext ctx(world);
    // Obstacle face at x = 0.5; the link cube's face at centre + 0.1.
    EXPECT_TRUE(world.CheckRobotAtPoses(ctx, 0, BallAt({0.4 + 1e-4, 0.05, 0.1})).in_collision());
    EXPECT_FALSE(world.CheckRobotAtPoses(ctx, 0, BallAt({0.4 - 1e-3, 0.05, 0.1})).in_collision());
    const DistanceResult d = world.ClearanceAtPoses(ctx, 0, BallAt({0.3, 0.05, 0.1}));
    ASSERT_EQ(d.status, DistanceStatus::kClear);
    EXPECT_NEAR(d.distance, 0.1, 1e-6);
    EXPECT_NEAR(d.p_W_robot.x(), 0.4, 1e-6);
    EXPECT_NEAR(d.p_W_obstacle.x(), 0.5, 1e-6);
    EXPECT_EQ(world.ClearanceAtPoses(ctx, 0, BallAt({0.45, 0.05, 0.1})).status,
              DistanceStatus::kInContact);
  }
}

TEST(CollisionWorld, PosesAndConfigurationGiveTheSameAnswer) {
  cell::Cell c = ArmCell();
  c.obstacles.push_back(BoxObstacle("table", {1.0, 1.0, 0.1}, Pose({0.8, 0, 0.5})));
  const CollisionWorld world(c);
  CollisionContext ctx(world);
  std::mt19937_64 rng(5);
  const auto& chain = world.chain(0);
  std::vector<Eigen::Isometry3d> X_BL;
  int hits = 0;
  for (int i = 0; i < 300 / kScale; ++i) {
    Eigen::VectorXd q(4);
    for (int j = 0; j < 4; ++j) {
      q[j] = std::uniform_real_distribution<double>(chain.lower()[j], chain.upper()[j])(rng);
    }
    chain.LinkPoses(q, &X_BL);
    const CheckRequest all{.report = ContactReport::kAll};
    const CollisionResult by_q = world.CheckRobot(ctx, 0, q, all);
    EXPECT_EQ(world.CheckRobotAtPoses(ctx, 0, X_BL, all), by_q);  // base at the origin
    EXPECT_EQ(world.ClearanceAtPoses(ctx, 0, X_BL), world.Clearance(ctx, 0, q));
    hits += by_q.in_collision() ? 1 : 0;
  }
  EXPECT_GT(hits, 0);
}

TEST(CollisionWorld, RobotAgainstRobot) {
  cell::Cell c = ArmCell();
  // R2 1.6 m away along x, facing R1 (turned half a revolution about z).
  c.robots.push_back(TinyRobot(
      "R2", Pose({1.6, 0, 0},
                 Eigen::Matrix3d(Eigen::AngleAxisd(std::numbers::pi, Eigen::Vector3d::UnitZ())))));
  const CollisionWorld world(c);
  CollisionContext ctx(world);
  const Eigen::Vector4d upright = Eigen::Vector4d::Zero();
  // J2 = 1.5 rad: the arm points almost horizontally at the other robot; the gun spans
  // x ≈ 1.16–1.36 (half-width 0.03) at z ≈ 0.58, the upper arm x ≈ 0–0.6 at z ≈ 0.5–0.54.
  const Eigen::Vector4d forward(0.0, 1.5, 0.0, 0.0);
  EXPECT_FALSE(world.CheckRobotPair(ctx, 0, upright, 1, upright).in_collision());
  EXPECT_FALSE(world.CheckRobotPair(ctx, 0, forward, 1, upright).in_collision())
      << "R1's gun ends at x ≈ 1.39, R2's link_1 starts at x = 1.52";
  const CollisionResult both =
      world.CheckRobotPair(ctx, 0, forward, 1, forward, ContactReport::kAll);
  ASSERT_TRUE(both.in_collision());
  for (const Contact& contact : both.contacts) {
    EXPECT_EQ(contact.first.robot, 0);
    EXPECT_EQ(contact.second.robot, 1);
  }
  // Each gun enters the other's upper arm (x 1.0–1.6 for R2).
  EXPECT_THAT(both.contacts,
              Contains(Contact{.first = world.gun(0), .second = world.robot_body(1, 2)}))
      << ToString(both);
  EXPECT_THAT(both.contacts,
              Contains(Contact{.first = world.robot_body(0, 2), .second = world.gun(1)}))
      << ToString(both);
  const CollisionResult swapped =
      world.CheckRobotPair(ctx, 1, forward, 0, forward, ContactReport::kAll);
  EXPECT_EQ(swapped.contacts.size(), both.contacts.size());
  const CollisionResult first = world.CheckRobotPair(ctx, 0, forward, 1, forward);
  ASSERT_EQ(first.contacts.size(), 1u);
  EXPECT_THAT(both.contacts, Contains(first.contacts[0]));
  // Robot–robot contacts do not show up in a robot's own environment check.
  EXPECT_FALSE(world.CheckRobot(ctx, 0, forward).in_collision());
}

TEST(CollisionWorld, TwoThreadsWithTheirOwnContextsAgreeWithOneThread) {
  cell::Cell c = ArmCell();
  c.obstacles.push_back(BoxObstacle("table", {1.0, 1.0, 0.1}, Pose({0.8, 0, 0.5})));
  c.obstacles.push_back({.name = "body",
                         .geometry = {.shape = cell::Shape::FromMesh(BoxMesh({0.4, 0.4, 0.4})),
                                      .X_FG = Pose({-0.6, 0.3, 0.9})},
                         .visual = {}});
  const CollisionWorld world(c);
  const std::uint64_t seed = 2024;
  std::mt19937_64 rng(seed);
  const auto& chain = world.chain(0);
  std::vector<Eigen::VectorXd> configurations;
  for (int i = 0; i < 800 / kScale; ++i) {
    Eigen::VectorXd q(4);
    for (int j = 0; j < 4; ++j) {
      q[j] = std::uniform_real_distribution<double>(chain.lower()[j], chain.upper()[j])(rng);
    }
    configurations.push_back(q);
  }
  struct Answer {
    CollisionResult collision;
    DistanceResult distance;
    bool operator==(const Answer&) const = default;
  };
  auto run = [&](CollisionContext& ctx, std::vector<Answer>& out) {
    for (const auto& q : configurations) {
      out.push_back({world.CheckRobot(ctx, 0, q, {.report = ContactReport::kAll}),
                     world.Clearance(ctx, 0, q)});
    }
  };
  std::vector<Answer> serial;
  {
    CollisionContext ctx(world);
    run(ctx, serial);
  }
  std::vector<Answer> first, second;
  std::thread t1([&] {
    CollisionContext ctx(world);
    run(ctx, first);
  });
  std::thread t2([&] {
    CollisionContext ctx(world);
    run(ctx, second);
  });
  t1.join();
  t2.join();
  EXPECT_TRUE(first == serial) << "seed " << seed;
  EXPECT_TRUE(second == serial) << "seed " << seed;
  const auto hits = std::count_if(serial.begin(), serial.end(),
                                  [](const Answer& a) { return a.collision.in_collision(); });
  EXPECT_GT(hits, 0);
  EXPECT_LT(hits, static_cast<long>(serial.size()));
}

TEST(CollisionWorld, ObstaclesOutOfABodysReachAreSkippedWithoutChangingAnyAnswer) {
  // R1 at the origin (reach about 1.7 m), R2 standing 1.2 m away (in reach), R3 and a box 6 m
  // away (out of reach), a box in reach.
  cell::Cell c = ArmCell();
  c.robots.push_back(TinyRobot("R2", Pose({1.2, 0, 0})));
  c.robots.push_back(TinyRobot("R3", Pose({6.0, 0, 0})));
  c.obstacles.push_back(BoxObstacle("near", {0.3, 0.3, 0.3}, Pose({0.2, 0.9, 0.6})));
  c.obstacles.push_back(BoxObstacle("far", {0.3, 0.3, 0.3}, Pose({0.0, -6.0, 0.6})));
  const CollisionWorld world(c, {.acm_samples = 50});
  // The reference checks every obstacle but the robot's own parts at home.
  CollisionWorld reference(c, {.acm_samples = 50});
  const auto& robots = internal::Access::world(world).robots;
  const auto& obstacles = internal::Access::world(world).obstacles;
  for (auto& robot : internal::Access::mutable_world(reference).robots) {
    for (auto& near : robot.near_obstacles) {
      near.clear();
      for (std::size_t o = 0; o < obstacles.size(); ++o) {
        if (obstacles[o].home_of != robot.index) near.push_back(static_cast<int>(o));
      }
    }
  }
  const internal::RobotData& r1 = robots[0];
  auto names = [&](int b) {
    std::vector<std::string> out;
    for (const int o : r1.near_obstacles[static_cast<std::size_t>(b)]) {
      out.push_back(obstacles[static_cast<std::size_t>(o)].body.name);
    }
    return out;
  };
  const std::vector<std::string> gun = names(r1.gun);
  EXPECT_THAT(gun, Contains("near"));
  EXPECT_THAT(gun, Contains(MatchesRegex("R2/.* at home")));
  EXPECT_THAT(gun, Not(Contains("far")));
  EXPECT_THAT(gun, Not(Contains(MatchesRegex("R[13]/.* at home"))));
  EXPECT_LT(names(1).size(), gun.size()) << "link_1 reaches less far than the gun";

  CollisionContext ctx(world);
  CollisionContext reference_ctx(reference);
  const auto& chain = world.chain(0);
  std::mt19937_64 rng(91);
  std::vector<Eigen::Isometry3d> X_BL;
  int hits_near = 0, hits_r2 = 0;
  for (int trial = 0; trial < 3000 / kScale; ++trial) {
    Eigen::VectorXd q(4);
    for (int j = 0; j < 4; ++j) {
      q[j] = std::uniform_real_distribution<double>(chain.lower()[j], chain.upper()[j])(rng);
    }
    // Every point of every body within its reach of the base.
    chain.LinkPoses(q, &X_BL);
    for (std::size_t b = 0; b < r1.bodies.size(); ++b) {
      const Eigen::Isometry3d& X_BBody = X_BL[std::min(b, X_BL.size() - 1)];
      EXPECT_LE(X_BBody.translation().norm(), r1.origin_reach[b]) << "body " << b;
      for (const internal::Part& part : r1.bodies[b].parts) {
        const double far_point = (X_BBody * part.sphere_B.center).norm() + part.sphere_B.radius;
        EXPECT_LE(far_point, r1.body_reach[b]) << "body " << b;
      }
    }
    for (const double margin : {0.0, 0.03, internal::kNearObstacleMargin}) {
      const CheckRequest all{.report = ContactReport::kAll, .margin = margin};
      const CollisionResult got = world.CheckRobot(ctx, 0, q, all);
      ASSERT_EQ(got, reference.CheckRobot(reference_ctx, 0, q, all))
          << "q " << q.transpose() << " margin " << margin << ": " << ToString(got);
      for (const Contact& contact : got.contacts) {
        hits_near += contact.second.name == "near";
        hits_r2 += contact.second.robot == 1;
      }
    }
  }
  // The comparison saw contacts with both kinds of obstacles in reach.
  EXPECT_GT(hits_near, 0);
  EXPECT_GT(hits_r2, 0);
}

TEST(CollisionWorld, PrimitivePairsGetTheAnswerOfPlainFcl) {
  // Boxes and cylinders of two arms and of box obstacles, at random configurations: the boxes'
  // separating-axis test skips exact tests without changing an answer.
  cell::Cell c = ArmCell();
  c.robots.push_back(TinyRobot("R2", Pose({0.9, 0.2, 0})));
  c.obstacles.push_back(BoxObstacle("table", {0.5, 0.4, 0.1}, Pose({0.5, -0.5, 0.6})));
  std::mt19937_64 rng(5);
  c.obstacles.push_back(
      BoxObstacle("tilted", {0.2, 0.6, 0.3}, Pose({-0.4, 0.5, 0.8}, RandomRotation(rng))));
  const CollisionWorld world(c, {.acm_samples = 50});
  CollisionWorld plain(c, {.acm_samples = 50});
  internal::UsePlainFclNarrowphase(plain);
  CollisionContext ctx(world);
  CollisionContext plain_ctx(plain);
  const auto& chain = world.chain(0);
  auto random_q = [&] {
    Eigen::VectorXd q(4);
    for (int j = 0; j < 4; ++j) {
      q[j] = std::uniform_real_distribution<double>(chain.lower()[j], chain.upper()[j])(rng);
    }
    return q;
  };
  int robot_hits = 0, pair_hits = 0;
  for (int trial = 0; trial < 2000 / kScale; ++trial) {
    const Eigen::VectorXd q1 = random_q();
    const Eigen::VectorXd q2 = random_q();
    for (const double margin : {0.0, 0.02, 0.1}) {
      const CheckRequest all{.report = ContactReport::kAll, .margin = margin};
      const CollisionResult got = world.CheckRobot(ctx, 0, q1, all);
      ASSERT_EQ(got, plain.CheckRobot(plain_ctx, 0, q1, all))
          << "q " << q1.transpose() << " margin " << margin << ": " << ToString(got);
      const CollisionResult pair =
          world.CheckRobotPair(ctx, 0, q1, 1, q2, ContactReport::kAll, margin);
      ASSERT_EQ(pair, plain.CheckRobotPair(plain_ctx, 0, q1, 1, q2, ContactReport::kAll, margin))
          << "q1 " << q1.transpose() << " q2 " << q2.transpose() << " margin " << margin << ": "
          << ToString(pair);
      robot_hits += got.in_collision();
      pair_hits += pair.in_collision();
    }
  }
  // Both kinds of check found contacts and missed them.
  EXPECT_GT(robot_hits, 0);
  EXPECT_LT(robot_hits, 3 * 2000 / kScale);
  EXPECT_GT(pair_hits, 0);
  EXPECT_LT(pair_hits, 3 * 2000 / kScale);
}

TEST(CollisionWorld, DisplacementBoundCoversEveryPointOfLinksGunAndTcp) {
  const CollisionWorld world(ArmCell());
  const DisplacementBound& bound = world.displacement_bound(0);
  ASSERT_EQ(bound.lever_arm.size(), 4u);
  // Joint 1's lever: everything beyond it, the stretched arm: 0.3 + 0.6 + 0.5 + 0.3 (TCP) at
  // least.
  EXPECT_GE(bound.lever_arm[0], 1.7);
  const auto& chain = world.chain(0);
  const auto model_ptr = testing::TinyArm();
  const cell::RobotModel& model = *model_ptr;
  // Points: the corners of every box/cylinder bounding box of links and gun, and the TCP.
  std::vector<std::pair<int, Eigen::Vector3d>> points;  // (link, p_L)
  auto add_geometry = [&](int link, const cell::Geometry& g) {
    Eigen::Vector3d h = g.shape.kind == cell::ShapeKind::kBox
                            ? Eigen::Vector3d(0.5 * g.shape.box_size)
                            : Eigen::Vector3d(g.shape.radius, g.shape.radius, 0.5 * g.shape.length);
    for (int corner = 0; corner < 8; ++corner) {
      const Eigen::Vector3d p((corner & 1) ? h.x() : -h.x(), (corner & 2) ? h.y() : -h.y(),
                              (corner & 4) ? h.z() : -h.z());
      points.emplace_back(link, g.X_FG * p);
    }
  };
  for (int k = 0; k < 5; ++k) {
    for (const auto& g : model.links[k].collision) add_geometry(k, g);
  }
  for (const auto& g : testing::TinyGun().collision) add_geometry(4, g);
  points.emplace_back(4, testing::TinyGun().X_FT.translation());

  std::mt19937_64 rng(77);
  std::vector<Eigen::Isometry3d> X0, X;
  for (int trial = 0; trial < 100 / kScale; ++trial) {
    Eigen::VectorXd q0(4), q1(4);
    for (int j = 0; j < 4; ++j) {
      std::uniform_real_distribution<double> u(chain.lower()[j], chain.upper()[j]);
      q0[j] = u(rng);
      q1[j] = u(rng);
    }
    const double bound_m = bound.MaxTravel(q0, q1);
    chain.LinkPoses(q0, &X0);
    // Path length of each point along the segment, by fine sampling (a lower estimate of the
    // true length, which the bound must exceed).
    std::vector<double> length(points.size(), 0.0);
    std::vector<Eigen::Vector3d> previous;
    for (const auto& [link, p] : points) previous.push_back(X0[link] * p);
    constexpr int kSteps = 200;
    for (int s = 1; s <= kSteps; ++s) {
      chain.LinkPoses(q0 + (q1 - q0) * (static_cast<double>(s) / kSteps), &X);
      for (std::size_t i = 0; i < points.size(); ++i) {
        const Eigen::Vector3d now = X[points[i].first] * points[i].second;
        length[i] += (now - previous[i]).norm();
        previous[i] = now;
      }
    }
    const double longest = *std::max_element(length.begin(), length.end());
    EXPECT_LE(longest, bound_m) << "trial " << trial;
  }
  // Tight where it should be: turning J1 with the arm stretched out horizontally moves the TCP
  // 1.4 m from the axis; the bound's lever is 0.3 + 0.6 + 0.5 + 0.3 (link_1's geometry radius
  // stands in for its 0.3 offset below joint_2).
  const Eigen::Vector4d stretched0(0.0, std::numbers::pi / 2, 0.0, 0.0);
  const Eigen::Vector4d stretched1(1.0, std::numbers::pi / 2, 0.0, 0.0);
  chain.LinkPoses(stretched0, &X0);
  chain.LinkPoses(stretched1, &X);
  const Eigen::Vector3d tcp = testing::TinyGun().X_FT.translation();
  const double chord = (X.back() * tcp - X0.back() * tcp).norm();
  const double arc = chord / (2.0 * std::sin(0.5)) * 1.0;  // radius · angle
  EXPECT_NEAR(arc, 1.4, 1e-9);
  EXPECT_LE(arc, bound.MaxTravel(stretched0, stretched1));
  EXPECT_GE(arc, 0.8 * bound.MaxTravel(stretched0, stretched1));
}

TEST(CollisionWorld, RejectsDegenerateGeometryNamingThePlace) {
  cell::Cell c = ArmCell();
  c.source_file = "cells/x/cell.yaml";
  c.obstacles.push_back(BoxObstacle("flat", {1.0, 0.0, 1.0}, Pose({0, 0, 0})));
  auto empty_mesh = std::make_shared<cell::Mesh>();
  c.obstacles.push_back({.name = "nothing",
                         .geometry = {.shape = cell::Shape::FromMesh(empty_mesh),
                                      .X_FG = Eigen::Isometry3d::Identity()},
                         .visual = {}});
  c.robots[0].home = Eigen::VectorXd::Zero(3);
  try {
    const CollisionWorld world(c);
    FAIL() << "expected InputError";
  } catch (const InputError& error) {
    ASSERT_EQ(error.diagnostics().size(), 3u) << error.what();
    EXPECT_THAT(error.what(), HasSubstr("cells/x/cell.yaml"));
    EXPECT_THAT(error.diagnostics()[0].ToString(),
                MatchesRegex(".*robots\\[0\\]\\.home: expected 4 joint values, got 3.*"));
    EXPECT_THAT(error.diagnostics()[1].ToString(),
                MatchesRegex(".*obstacles\\[0\\] \\(flat\\): box size must be three positive.*"));
    EXPECT_THAT(error.diagnostics()[2].ToString(),
                MatchesRegex(".*obstacles\\[1\\] \\(nothing\\): mesh has no triangles.*"));
  }
}

}  // namespace
}  // namespace weldcell::collision

namespace weldcell::collision {
namespace {

// A margin makes a robot part count as touching when it is nearer than the margin, whatever the
// part's shape (primitives are grown, meshes measured), and not when it is farther.
TEST(CollisionMargin, PartsOfEveryShapeTouchWithinTheMarginOnly) {
  const double margin = 0.004;
  const std::vector<std::pair<std::string, cell::Shape>> parts = {
      {"box", cell::Shape::Box({0.2, 0.2, 0.2})},
      {"cylinder", cell::Shape::Cylinder(0.1, 0.2)},  // axis z; its side faces the obstacle
      {"sphere", cell::Shape::Sphere(0.1)},
      {"mesh", cell::Shape::FromMesh(testing::BoxMesh({0.2, 0.2, 0.2}))},
  };
  for (const auto& [name, shape] : parts) {
    SCOPED_TRACE(name);
    auto model = std::make_shared<cell::RobotModel>(*SphereProbe("M", 0.1).model);
    model->links[1].collision = {At(shape, {0, 0, 0})};
    cell::Cell c;
    c.robots.push_back(SphereProbe("M", 0.1));
    c.robots[0].model = model;
    // Obstacle face at x = 0.5; the part's extent along x is 0.1 from its centre.
    c.obstacles.push_back(BoxObstacle("o", {0.2, 1, 1}, Pose({0.6, 0.0, 0.0})));
    const CollisionWorld world(c);
    CollisionContext ctx(world);
    const CheckRequest with_margin{.margin = margin};
    for (const double gap : {0.001, 0.003}) {
      const auto X = BallAt({0.4 - gap, 0.0, 0.0});
      EXPECT_FALSE(world.CheckRobotAtPoses(ctx, 0, X).in_collision()) << "gap " << gap;
      EXPECT_TRUE(world.CheckRobotAtPoses(ctx, 0, X, with_margin).in_collision()) << "gap " << gap;
    }
    EXPECT_FALSE(world.CheckRobotAtPoses(ctx, 0, BallAt({0.4 - 0.005, 0.0, 0.0}), with_margin)
                     .in_collision());
  }
}

TEST(CollisionMargin, SelfPairsAreKeptTwiceTheMarginApart) {
  // The tiny arm folded so that its forearm lies along its upper arm: find the fold angle where
  // the pair first touches, then check the margin moves that point by about 2 × margin.
  cell::Cell c;
  c.robots.push_back(TinyRobot("R", Eigen::Isometry3d::Identity()));
  const CollisionWorld world(c);
  CollisionContext ctx(world);
  const CheckRequest self{.scope = CheckScope::kSelf};
  const double margin = 0.005;
  const CheckRequest self_margin{.scope = CheckScope::kSelf, .margin = margin};
  auto first_touch = [&](const CheckRequest& request) {
    Eigen::VectorXd q = Eigen::VectorXd::Zero(4);
    double lo = 0.0, hi = 3.1;  // J3: free straight, folded into the upper arm at the limit
    q[2] = hi;
    EXPECT_TRUE(world.CheckRobot(ctx, 0, q, request).in_collision());
    for (int i = 0; i < 60; ++i) {
      q[2] = 0.5 * (lo + hi);
      (world.CheckRobot(ctx, 0, q, request).in_collision() ? hi : lo) = q[2];
    }
    return hi;
  };
  const double without = first_touch(self);
  const double with = first_touch(self_margin);
  // Near the fold the forearm's tip, 0.5 m from J3, closes in on the upper arm at ~0.5 m/rad:
  // a 2 × margin gap is reached ~0.02 rad earlier (a single margin would give ~0.01).
  const double expected = 2.0 * margin / 0.5;
  EXPECT_NEAR(without - with, expected, 0.25 * expected) << without << " vs " << with;
}

// CheckRequest::body_margins: each body its own margin against obstacles, a self pair the sum
// of its two (exporters/corners.hpp proves regions with them).
TEST(CollisionMargin, BodyMarginsApplyPerBody) {
  cell::Cell c;
  c.robots.push_back(SphereProbe("M", 0.1));
  c.obstacles.push_back(BoxObstacle("o", {0.2, 1, 1}, Pose({0.6, 0.0, 0.0})));
  const CollisionWorld world(c);
  CollisionContext ctx(world);
  const auto X = BallAt({0.4 - 0.003, 0.0, 0.0});  // the ball 3 mm from the obstacle
  const std::size_t n = static_cast<std::size_t>(world.body_count(0));
  std::vector<double> ball_only(n, 0.0), others_only(n, 0.004);
  ball_only[1] = 0.004;
  others_only[1] = 0.0;
  EXPECT_TRUE(world.CheckRobotAtPoses(ctx, 0, X, {.body_margins = &ball_only}).in_collision());
  EXPECT_FALSE(world.CheckRobotAtPoses(ctx, 0, X, {.body_margins = &others_only}).in_collision());

  // Self pairs: every body at margin m is the uniform margin m (pairs 2m apart).
  cell::Cell t;
  t.robots.push_back(TinyRobot("R", Eigen::Isometry3d::Identity()));
  const CollisionWorld tiny(t);
  CollisionContext tiny_ctx(tiny);
  const std::vector<double> all(static_cast<std::size_t>(tiny.body_count(0)), 0.005);
  const std::vector<double> none(all.size(), 0.0);
  int differ = 0, touching = 0;
  for (double fold = 2.0; fold < 3.1; fold += 0.01) {
    Eigen::VectorXd q = Eigen::VectorXd::Zero(4);
    q[2] = fold;
    const bool uniform =
        tiny.CheckRobot(tiny_ctx, 0, q, {.scope = CheckScope::kSelf, .margin = 0.005})
            .in_collision();
    const bool per_body =
        tiny.CheckRobot(tiny_ctx, 0, q, {.scope = CheckScope::kSelf, .body_margins = &all})
            .in_collision();
    const bool plain =
        tiny.CheckRobot(tiny_ctx, 0, q, {.scope = CheckScope::kSelf, .body_margins = &none})
            .in_collision();
    differ += uniform != per_body ? 1 : 0;
    touching += per_body && !plain ? 1 : 0;  // found by the margins only
  }
  EXPECT_EQ(differ, 0);
  EXPECT_GT(touching, 0);
}

// ---------------------------------------------------------------------------------------------
// Pair rules: the home may excuse two links, never the gun; the verifier's rule ignores the home
// and sampling.

// A configuration (seeded search) at which two links of the tiny arm that are neither adjacent
// nor rigid touch, with the pair; fails the test if there is none.
std::pair<Eigen::VectorXd, Contact> LinkLinkContact(const CollisionWorld& verifier) {
  CollisionContext ctx(verifier);
  std::mt19937_64 rng(5);
  const auto& chain = verifier.chain(0);
  for (int i = 0; i < 20000; ++i) {
    Eigen::VectorXd q(4);
    for (int j = 0; j < 4; ++j) {
      q[j] = std::uniform_real_distribution<double>(chain.lower()[j], chain.upper()[j])(rng);
    }
    const CollisionResult r =
        verifier.CheckRobot(ctx, 0, q, {.scope = CheckScope::kSelf, .report = ContactReport::kAll});
    for (const Contact& c : r.contacts) {
      if (c.first.kind == BodyKind::kLink && c.second.kind == BodyKind::kLink) return {q, c};
    }
  }
  ADD_FAILURE() << "no link-link contact found (seed 5)";
  return {Eigen::VectorXd::Zero(4), Contact{}};
}

TEST(CollisionWorld, GunTouchingTheArmAtHomeIsNeverExcusedButTwoLinksAre) {
  cell::Cell c = ArmCell();
  c.robots[0].home = kFolded;  // the gun inside link_1 and against link_2
  const CollisionWorld planner(c);
  const AllowedCollisionMatrix& acm = planner.allowed_collisions(0);
  // Before issue 9 both were kCollidingAtHome: switched off for the whole plan.
  EXPECT_EQ(acm.reason(1, 5), AllowedReason::kChecked);
  EXPECT_EQ(acm.reason(2, 5), AllowedReason::kChecked);
  CollisionContext ctx(planner);
  const CollisionResult at_home = planner.CheckRobot(
      ctx, 0, kFolded, {.scope = CheckScope::kSelf, .report = ContactReport::kAll});
  EXPECT_THAT(at_home.contacts,
              Contains(Contact{.first = planner.robot_body(0, 1), .second = planner.gun(0)}))
      << ToString(at_home);

  // Two links in contact at home: excused for planning (coarse meshes at a housing), with that
  // reason, but still checked by the verifier's rule.
  const CollisionWorld verifier(ArmCell(), {.pairs = PairPolicy::kVerifier});
  const auto [q, link_pair] = LinkLinkContact(verifier);
  cell::Cell d = ArmCell();
  d.robots[0].home = q;
  const CollisionWorld planner_d(d);
  EXPECT_EQ(planner_d.allowed_collisions(0).reason(link_pair.first.index, link_pair.second.index),
            AllowedReason::kCollidingAtHome)
      << ToString(link_pair.first) << " – " << ToString(link_pair.second);
  const CollisionWorld verifier_d(d, {.pairs = PairPolicy::kVerifier});
  EXPECT_EQ(verifier_d.allowed_collisions(0).reason(link_pair.first.index, link_pair.second.index),
            AllowedReason::kChecked);
}

TEST(CollisionWorld, VerifierRuleChecksEveryPairButStructuralOnesWhateverTheHome) {
  cell::Cell folded = ArmCell();
  folded.robots[0].home = kFolded;
  cell::Cell other_seed = ArmCell();
  other_seed.settings.seed = 12345;
  const CollisionWorld v1(ArmCell(), {.pairs = PairPolicy::kVerifier});
  const CollisionWorld v2(folded, {.acm_samples = 50, .pairs = PairPolicy::kVerifier});
  const CollisionWorld v3(other_seed, {.pairs = PairPolicy::kVerifier});
  EXPECT_EQ(v1.options().pairs, PairPolicy::kVerifier);
  EXPECT_EQ(v1.allowed_collisions(0), v2.allowed_collisions(0));
  EXPECT_EQ(v1.allowed_collisions(0), v3.allowed_collisions(0));
  const AllowedCollisionMatrix& strict = v1.allowed_collisions(0);
  const CollisionWorld planner(ArmCell());
  const AllowedCollisionMatrix& loose = planner.allowed_collisions(0);
  for (int a = 0; a < strict.body_count(); ++a) {
    for (int b = 0; b < strict.body_count(); ++b) {
      const AllowedReason r = strict.reason(a, b);
      EXPECT_TRUE(r == AllowedReason::kChecked || IsStructural(r)) << a << " " << b;
      // Whatever the planner checks, the verifier checks.
      if (!loose.allowed(a, b)) {
        EXPECT_FALSE(strict.allowed(a, b)) << a << " " << b;
      }
    }
  }
  // The upper arm can never reach the base: the planner's samples excuse it, the verifier not.
  EXPECT_EQ(loose.reason(0, 2), AllowedReason::kNeverColliding);
  EXPECT_EQ(strict.reason(0, 2), AllowedReason::kChecked);
  EXPECT_GT(strict.checked_pair_count(), loose.checked_pair_count());
}

TEST(CollisionWorld, PairsDeclaredInTheRobotModelAreAllowedByBothRules) {
  auto model = std::make_shared<cell::RobotModel>(*testing::TinyArm());
  model->allowed_collisions = {{0, 2}, {1, 2}};  // (1, 2) is adjacent anyway
  cell::Cell c = ArmCell();
  c.robots[0].model = model;
  for (const PairPolicy policy : {PairPolicy::kPlanner, PairPolicy::kVerifier}) {
    const CollisionWorld world(c, {.pairs = policy});
    EXPECT_EQ(world.allowed_collisions(0).reason(0, 2), AllowedReason::kDeclared)
        << ToString(policy);
    EXPECT_EQ(world.allowed_collisions(0).reason(1, 2), AllowedReason::kAdjacent)
        << ToString(policy);
    EXPECT_EQ(world.allowed_collisions(0).reason(1, 5), AllowedReason::kChecked)
        << ToString(policy);
  }
  model->allowed_collisions = {{0, 9}};
  try {
    const CollisionWorld bad(c);
    FAIL() << "expected InputError";
  } catch (const InputError& error) {
    EXPECT_THAT(error.what(), HasSubstr("allowed_collisions: link pair (0, 9)"));
  }
}

// ArmCell with a second tiny arm 0.9 m away, facing the first.
cell::Cell FacingArmsCell() {
  cell::Cell c = ArmCell();
  c.robots.push_back(TinyRobot(
      "R2", Pose({0.9, 0, 0},
                 Eigen::Matrix3d(Eigen::AngleAxisd(std::numbers::pi, Eigen::Vector3d::UnitZ())))));
  return c;
}

// BodyPairsInContact over every body pair is CheckRobotPair; over none it finds nothing; over
// the pairs whose BodyBoxes meet it answers as over all of them (the boxes are conservative).
TEST(CollisionWorld, BodyPairsInContactChecksExactlyTheListedPairs) {
  const CollisionWorld world(FacingArmsCell());
  CollisionContext ctx(world);
  std::mt19937_64 rng(8);
  std::uniform_real_distribution<double> u(-1.6, 1.6);
  int contacts = 0, apart_with_meeting_boxes = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const Eigen::Vector4d qa(0.5 * u(rng), u(rng), u(rng), u(rng));
    const Eigen::Vector4d qb(0.5 * u(rng), u(rng), u(rng), u(rng));
    const double margin = trial % 2 == 0 ? 0.0 : 0.02;
    std::vector<Eigen::AlignedBox3d> boxes_a, boxes_b;
    world.BodyBoxes(ctx, 0, qa, margin, &boxes_a);
    world.BodyBoxes(ctx, 1, qb, margin, &boxes_b);
    std::vector<std::pair<int, int>> all, meeting;
    for (int i = 0; i < static_cast<int>(boxes_a.size()); ++i) {
      for (int j = 0; j < static_cast<int>(boxes_b.size()); ++j) {
        all.emplace_back(i, j);
        if (boxes_a[i].intersects(boxes_b[j])) meeting.emplace_back(i, j);
      }
    }
    const bool full =
        world.CheckRobotPair(ctx, 0, qa, 1, qb, ContactReport::kFirst, margin).in_collision();
    EXPECT_EQ(world.BodyPairsInContact(ctx, 0, qa, 1, qb, all, margin), full) << trial;
    EXPECT_FALSE(world.BodyPairsInContact(ctx, 0, qa, 1, qb, {}, margin)) << trial;
    // The same with the link poses given: the poses are the ones the check computes.
    std::vector<Eigen::Isometry3d> X_WLa, X_WLb;
    world.LinkPosesInWorld(0, qa, &X_WLa);
    world.LinkPosesInWorld(1, qb, &X_WLb);
    EXPECT_EQ(world.CheckRobotAtPoses(ctx, 0, X_WLa), world.CheckRobot(ctx, 0, qa)) << trial;
    EXPECT_EQ(world.BodyPairsInContactAtPoses(ctx, 0, X_WLa, 1, X_WLb, all, margin), full) << trial;
    EXPECT_EQ(world.BodyPairsInContactAtPoses(ctx, 0, X_WLa, 1, X_WLb, meeting, margin), full)
        << trial;
    EXPECT_EQ(world.BodyPairsInContact(ctx, 0, qa, 1, qb, meeting, margin), full) << trial;
    contacts += full;
    apart_with_meeting_boxes += !full && !meeting.empty();
  }
  // Both answers, and boxes that meet where the bodies do not, must occur.
  EXPECT_GT(contacts, 20) << apart_with_meeting_boxes;
  EXPECT_GT(apart_with_meeting_boxes, 20) << contacts;
}

// With a margin, the checks grow a box by it on every side, and a corner of the grown box
// reaches past the box's own world box grown by the margin: two boxes turned every way (a
// three-axis wrist each) must still be found in contact only where their BodyBoxes meet.
// Boxes grown by the margin alone along each axis miss some of these contacts (so the test can
// fail).
TEST(CollisionWorld, BodyBoxesHoldTheCornersOfGrownPrimitives) {
  cell::Cell c;
  c.name = "tumbling boxes";
  c.robots = {TumblingBox("A", Pose({0, 0, 1})), TumblingBox("B", Pose({0.42, 0.05, 1.02}))};
  const CollisionWorld world(c);
  CollisionContext ctx(world);
  std::mt19937_64 rng(12);
  std::uniform_real_distribution<double> u(-std::numbers::pi, std::numbers::pi);
  const double margin = 0.05;
  auto meeting_pairs = [&](const Eigen::Vector3d& qa, const Eigen::Vector3d& qb, double grow) {
    std::vector<Eigen::AlignedBox3d> boxes_a, boxes_b;
    world.BodyBoxes(ctx, 0, qa, grow, &boxes_a);
    world.BodyBoxes(ctx, 1, qb, grow, &boxes_b);
    std::vector<std::pair<int, int>> pairs;
    for (int i = 0; i < static_cast<int>(boxes_a.size()); ++i) {
      for (int j = 0; j < static_cast<int>(boxes_b.size()); ++j) {
        if (boxes_a[i].intersects(boxes_b[j])) pairs.emplace_back(i, j);
      }
    }
    return pairs;
  };
  int contacts = 0, missed_by_margin_boxes = 0;
  for (int trial = 0; trial < 4000; ++trial) {
    const Eigen::Vector3d qa(u(rng), u(rng), u(rng));
    const Eigen::Vector3d qb(u(rng), u(rng), u(rng));
    if (!world.CheckRobotPair(ctx, 0, qa, 1, qb, ContactReport::kFirst, margin).in_collision()) {
      continue;
    }
    ++contacts;
    EXPECT_TRUE(world.BodyPairsInContact(ctx, 0, qa, 1, qb, meeting_pairs(qa, qb, margin), margin))
        << "trial " << trial;
    missed_by_margin_boxes += !world.BodyPairsInContact(
        ctx, 0, qa, 1, qb, meeting_pairs(qa, qb, margin / std::numbers::sqrt3), margin);
  }
  EXPECT_GT(contacts, 100) << missed_by_margin_boxes;  // 362 of 4000 trials, 49 missed
  EXPECT_GT(missed_by_margin_boxes, 0) << contacts;
}

// BodyTravel bounds how far each body moves between two configurations: robot a's contact at
// qa1 is found at qa0 when each body's margin grows by its travel (with half of it, some are
// missed: the bound is needed, and the test can fail); bodies a joint does not move stay put.
TEST(CollisionWorld, BodyTravelCoversTheMotionBetweenTwoConfigurations) {
  const CollisionWorld world(FacingArmsCell());
  CollisionContext ctx(world);
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<double> u(-1.6, 1.6), step(-0.3, 0.3);
  const double margin = 0.01;
  int found_only_by_travel = 0, missed_with_half = 0;
  for (int trial = 0; trial < 4000; ++trial) {
    const Eigen::Vector4d qa0(0.5 * u(rng), u(rng), u(rng), u(rng));
    const Eigen::Vector4d qa1 = qa0 + Eigen::Vector4d(step(rng), step(rng), step(rng), step(rng));
    const Eigen::Vector4d qb(0.5 * u(rng), u(rng), u(rng), u(rng));
    std::vector<Eigen::Isometry3d> X_WL0, X_WL1, X_WLb;
    world.LinkPosesInWorld(0, qa0, &X_WL0);
    world.LinkPosesInWorld(0, qa1, &X_WL1);
    world.LinkPosesInWorld(1, qb, &X_WLb);
    std::vector<double> travel;
    world.BodyTravel(0, X_WL0, X_WL1, 2.0 * margin, &travel);
    std::vector<Eigen::AlignedBox3d> boxes_b;
    world.BodyBoxes(ctx, 1, qb, 0.0, &boxes_b);
    std::vector<std::pair<int, int>> all, all_b_first;  // every body pair, in both orders
    for (int i = 0; i < static_cast<int>(travel.size()); ++i) {
      for (int j = 0; j < static_cast<int>(boxes_b.size()); ++j) {
        all.emplace_back(i, j);
        all_b_first.emplace_back(j, i);
      }
    }
    if (!world.CheckRobotPair(ctx, 0, qa1, 1, qb, ContactReport::kFirst, margin).in_collision()) {
      continue;
    }
    EXPECT_TRUE(world.BodyPairsInContactAtPoses(ctx, 0, X_WL0, 1, X_WLb, all, margin, travel, {}))
        << trial;
    // The same bound serves robot b's side of the check.
    EXPECT_TRUE(
        world.BodyPairsInContactAtPoses(ctx, 1, X_WLb, 0, X_WL0, all_b_first, margin, {}, travel))
        << trial;
    found_only_by_travel += !world.BodyPairsInContactAtPoses(ctx, 0, X_WL0, 1, X_WLb, all, margin);
    std::vector<double> half = travel;
    for (double& t : half) t *= 0.5;
    missed_with_half +=
        !world.BodyPairsInContactAtPoses(ctx, 0, X_WL0, 1, X_WLb, all, margin, half, {});
  }
  EXPECT_GT(found_only_by_travel, 20);
  EXPECT_GT(missed_with_half, 0) << found_only_by_travel;

  // Turning the last joint only: the bodies before it do not move, the last link and gun do.
  const Eigen::Vector4d q0(0.2, 0.4, -0.6, 0.3);
  Eigen::Vector4d q1 = q0;
  q1[3] += 0.5;
  std::vector<Eigen::Isometry3d> X_WL0, X_WL1;
  world.LinkPosesInWorld(0, q0, &X_WL0);
  world.LinkPosesInWorld(0, q1, &X_WL1);
  std::vector<double> travel;
  world.BodyTravel(0, X_WL0, X_WL1, 0.0, &travel);
  ASSERT_GE(travel.size(), 2U);
  for (std::size_t k = 0; k + 2 < travel.size(); ++k) EXPECT_LT(travel[k], 1e-6) << k;
  EXPECT_GT(travel[travel.size() - 2], 0.01);
  EXPECT_GT(travel.back(), 0.01);
}

// The bound itself, point by point: no corner of a box grown by `grow` moves farther than
// BodyTravel between two configurations, for a box turned every way, including turns about its
// own centre (the centre stays, the corners move: the rotation term is needed) and large growth
// (a grown box's corners reach past its bounding sphere grown by `grow`: the √3 is needed; with
// the sphere grown by `grow` alone, some corners move farther).
TEST(CollisionWorld, BodyTravelBoundsEveryCornerOfTheGrownBox) {
  cell::Cell c;
  c.name = "tumbling box";
  c.robots = {TumblingBox("A", Pose({0, 0, 1}))};
  const CollisionWorld world(c);
  const cell::Geometry& box = c.robots[0].model->links.back().collision.front();
  std::mt19937_64 rng(13);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  int beyond_sphere_grown_by_grow = 0, turns_in_place = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    const Eigen::Vector3d q0(3.0 * u(rng), 3.0 * u(rng), 3.0 * u(rng));
    // Every third trial turns about the box's own long axis only (joint_x: the centre stays).
    const Eigen::Vector3d step = trial % 3 == 0
                                     ? Eigen::Vector3d(0, 0, 0.5 * u(rng))
                                     : Eigen::Vector3d(0.3 * u(rng), 0.3 * u(rng), 0.3 * u(rng));
    const Eigen::Vector3d q1 = q0 + step;
    const double grow = 0.1 * std::abs(u(rng));
    std::vector<Eigen::Isometry3d> X_WL0, X_WL1;
    world.LinkPosesInWorld(0, q0, &X_WL0);
    world.LinkPosesInWorld(0, q1, &X_WL1);
    std::vector<double> travel, travel_sphere_grown;
    world.BodyTravel(0, X_WL0, X_WL1, grow, &travel);
    world.BodyTravel(0, X_WL0, X_WL1, grow / std::numbers::sqrt3, &travel_sphere_grown);
    ASSERT_EQ(travel.size(), 1U);  // the box is the robot's only body with geometry
    const Eigen::Vector3d h = 0.5 * box.shape.box_size + Eigen::Vector3d::Constant(grow);
    double moved = 0.0;
    for (int corner = 0; corner < 8; ++corner) {
      const Eigen::Vector3d p_G((corner & 1) != 0 ? h.x() : -h.x(),
                                (corner & 2) != 0 ? h.y() : -h.y(),
                                (corner & 4) != 0 ? h.z() : -h.z());
      const Eigen::Vector3d p_L = box.X_FG * p_G;
      moved = std::max(moved, (X_WL1.back() * p_L - X_WL0.back() * p_L).norm());
    }
    EXPECT_LE(moved, travel[0] + 1e-12) << "trial " << trial << " grow " << grow;
    beyond_sphere_grown_by_grow += moved > travel_sphere_grown[0];
    turns_in_place += trial % 3 == 0 && moved > 0.01;
  }
  EXPECT_GT(beyond_sphere_grown_by_grow, 0);
  EXPECT_GT(turns_in_place, 100);
}

TEST(CollisionWorld, RobotPairMarginKeepsTwiceItBetweenBodies) {
  // Two balls of 0.1 m, centres 0.25 m apart: a 0.05 m gap.
  cell::Cell c;
  c.name = "balls";
  c.robots = {SphereProbe("A", 0.1), SphereProbe("B", 0.1)};
  c.robots[1].X_WB = Pose({0.25, 0, 0});
  const CollisionWorld world(c);
  CollisionContext ctx(world);
  const Eigen::VectorXd q = Eigen::VectorXd::Zero(1);
  EXPECT_FALSE(world.CheckRobotPair(ctx, 0, q, 1, q).in_collision());
  EXPECT_FALSE(world.CheckRobotPair(ctx, 0, q, 1, q, ContactReport::kFirst, 0.024).in_collision());
  EXPECT_TRUE(world.CheckRobotPair(ctx, 0, q, 1, q, ContactReport::kFirst, 0.026).in_collision());
}

TEST(CollisionWorld, AChainLongerThanTheKinematicsHandleIsAnInputErrorNotAnAbort) {
  auto model = std::make_shared<cell::RobotModel>();
  model->name = "snake";
  model->links.push_back({.name = "link_0", .collision = {}, .visual = {}});
  for (int i = 1; i <= 17; ++i) {
    model->joints.push_back(testing::Revolute("joint_" + std::to_string(i), {0, 0, 0.1},
                                              Eigen::Vector3d::UnitY(), -1, 1));
    model->links.push_back({.name = "link_" + std::to_string(i), .collision = {}, .visual = {}});
  }
  cell::Cell c;
  c.source_file = "snake.yaml";
  c.robots.push_back({.name = "S",
                      .model = model,
                      .X_WB = Eigen::Isometry3d::Identity(),
                      .tool = {},
                      .home = Eigen::VectorXd::Zero(17),
                      .controller = {}});
  try {
    const CollisionWorld world(c);
    FAIL() << "expected InputError";
  } catch (const InputError& error) {
    EXPECT_THAT(error.what(), HasSubstr("robots[0].model: robot 'S' has 17 movable joints; "
                                        "weldcell handles at most 16"));
  }
}

}  // namespace
}  // namespace weldcell::collision
