// Homes are checked where the user wrote them (issue 9): fixtures in
// tests/planner/verify/cells/, copies of the cases in ../shared/cases adapted to the shipped
// robots.

#include "planner/verify/station_check.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <numbers>
#include <string>

#include "planner/cell/geometry.hpp"
#include "planner/cell/load.hpp"
#include "planner/collision/segment_check.hpp"
#include "planner/plan/cell_hash.hpp"
#include "planner/verify/verify.hpp"
#include "tests/scratch.hpp"

namespace weldcell::verify {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

const fs::path kCells = "tests/planner/verify/cells";
constexpr double kDeg = std::numbers::pi / 180.0;

cell::Cell Load(const std::string& name) {
  return cell::LoadCell(kCells / name / "cell.yaml").value;
}

std::string All(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics) out += d.ToString() + "\n";
  return out;
}

TEST(CheckHomesTest, TheDemoStationsHomesAreFree) {
  const cell::Cell c = cell::LoadCell("cells/demo/cell.yaml").value;
  const collision::CollisionWorld world = MakeVerifierWorld(c);
  const std::vector<Diagnostic> d = CheckHomes(c, world);
  EXPECT_TRUE(d.empty()) << All(d);
}

TEST(CheckHomesTest, GunAgainstTheArmAtHomeIsAnInputErrorNamingRobotBodiesAndHome) {
  const cell::Cell c = Load("home_gun_contact");
  const std::vector<Diagnostic> d = CheckHomes(c, MakeVerifierWorld(c));
  ASSERT_EQ(d.size(), 2u) << All(d);
  const std::string file = (kCells / "home_gun_contact" / "cell.yaml").string();
  EXPECT_EQ(d[0].severity, Severity::kError);
  EXPECT_EQ(d[0].where.file, file);
  EXPECT_EQ(d[0].where.line, 15);  // R1's `home:`
  EXPECT_EQ(d[0].key_path, "robots[0].home");
  EXPECT_THAT(d[0].ToString(),
              ContainsRegex("cell\\.yaml:15:11: error: robots\\[0\\]\\.home: R1's home \\[0, -30, "
                            "-35, 0, -125, 0\\] deg is in collision: R1/link_4 – R1/gun \\(in "
                            "contact\\); a gun touching its own arm at home is never excused"));
  // Two links overlapping at home: the message says how to declare them, if structural.
  EXPECT_THAT(d[1].message, HasSubstr("R1/link_4 – R1/link_6 (in contact)"));
  EXPECT_THAT(d[1].message, HasSubstr("declare [link_4, link_6] in allowed_collisions of"));
  EXPECT_THAT(d[1].message, HasSubstr("fanuc_r2000ic165f/robot.yaml"));
}

TEST(CheckHomesTest, GunWithinTheMotionMarginOfTheArmAtHomeIsAnInputError) {
  const cell::Cell c = Load("home_gun_near");
  const collision::CollisionWorld world = MakeVerifierWorld(c);
  // Premise: nothing touches at this home.
  collision::CollisionContext ctx(world);
  ASSERT_FALSE(world.CheckRobot(ctx, 0, c.robots[0].home).in_collision());
  const std::vector<Diagnostic> d = CheckHomes(c, world);
  ASSERT_FALSE(d.empty());
  EXPECT_THAT(All(d), HasSubstr("R1's home [0, -30, -35, 0, -109, 0] deg is in collision: "
                                "R1/link_4 – R1/gun (nearer than the 5 mm that motions keep "
                                "between two robot bodies)"));
  // A margin of zero (contact only) accepts it.
  EXPECT_TRUE(CheckHomes(c, world, {.margin = 0.0}).empty());
}

TEST(CheckHomesTest, ObstacleOnTheUpperArmAtHome) {
  const cell::Cell c = Load("home_in_collision");
  const std::vector<Diagnostic> d = CheckHomes(c, MakeVerifierWorld(c));
  ASSERT_EQ(d.size(), 1u) << All(d);
  EXPECT_THAT(d[0].ToString(),
              ContainsRegex("home_in_collision/cell\\.yaml:13:11: error: robots\\[0\\]\\.home: "
                            "R1's home \\[0, -30, -35, 0, 100, 0\\] deg is in collision: "
                            "R1/link_2 – pillar \\(in contact\\)$"));
}

// A robot standing on a floor (a fresh user's riser touching the base) got the message of a
// home in collision, whose remedy (change the home) cannot help: the base link moves with no
// joint. The message says so and what helps.
TEST(CheckHomesTest, ABaseStandingOnAnObstacleSaysNoHomeFreesIt) {
  cell::Cell c = cell::LoadCell("cells/demo/cell.yaml").value;
  ASSERT_NEAR(c.robots[0].X_WB.translation().z(), 0.0, 1e-12);
  // A floor under R1 whose top lies 0.5 mm above R1's base frame.
  Eigen::Isometry3d pose = Eigen::Isometry3d::Identity();
  pose.translation() = c.robots[0].X_WB.translation() - Eigen::Vector3d(0, 0, 0.0995);
  c.obstacles.push_back(
      {.name = "floor", .geometry = {.shape = cell::Shape::Box({1.0, 1.0, 0.2}), .X_FG = pose}});
  const std::vector<Diagnostic> d = CheckHomes(c, MakeVerifierWorld(c));
  ASSERT_EQ(d.size(), 1u) << All(d);
  EXPECT_THAT(d[0].ToString(),
              HasSubstr("R1's home [0, -30, -35, 0, 100, 0] deg is in collision: "
                        "R1/base_link – floor (in contact); base_link moves with no joint, so no "
                        "home frees it: a robot standing on a riser or the floor needs a gap of a "
                        "few mm"));
}

// Two robots whose bases touch: no home frees them either (a fresh user got no hint).
TEST(CheckHomesTest, TwoBasesInContactSayNoHomeFreesThem) {
  cell::Cell c = cell::LoadCell("cells/demo/cell.yaml").value;
  c.robots[1].X_WB = c.robots[0].X_WB;
  c.robots[1].X_WB.translation().x() += 0.3;  // beside R1, the two bases overlapping
  const std::vector<Diagnostic> d = CheckHomes(c, MakeVerifierWorld(c));
  ASSERT_FALSE(d.empty());
  EXPECT_THAT(All(d), HasSubstr("links that move with no joint meet, so no home frees them: move "
                                "a robot's base"));
}

TEST(CheckHomesTest, ObstacleWithinTheMotionMarginButNotTouching) {
  const cell::Cell c = Load("home_near_pillar");
  const collision::CollisionWorld world = MakeVerifierWorld(c);
  collision::CollisionContext ctx(world);
  const collision::DistanceResult clearance = world.Clearance(ctx, 0, c.robots[0].home);
  const double margin = collision::SweptMargin(c.settings.motion.resolution);
  ASSERT_EQ(clearance.status, collision::DistanceStatus::kClear) << ToString(clearance);
  ASSERT_LT(clearance.distance, margin) << ToString(clearance);
  const std::vector<Diagnostic> d = CheckHomes(c, world);
  ASSERT_EQ(d.size(), 1u) << All(d);
  EXPECT_THAT(d[0].ToString(),
              HasSubstr("robots[0].home: R1's home [0, -30, -35, 0, 100, 0] deg is in collision: "
                        "R1/link_2 – pillar (nearer than the 2.5 mm that motions keep)"));
  // Just below the clearance, the same home passes.
  EXPECT_TRUE(CheckHomes(c, world, {.margin = 0.9 * clearance.distance}).empty());
}

TEST(CheckHomesTest, HomesOfTwoRobotsInEachOther) {
  const cell::Cell c = Load("homes_touch");
  const collision::CollisionWorld world = MakeVerifierWorld(c);
  const std::vector<Diagnostic> d = CheckHomes(c, world);
  // Each home alone is free: one line for the pair of robots, naming up to four body pairs.
  ASSERT_EQ(d.size(), 1u) << All(d);
  EXPECT_THAT(d[0].ToString(),
              HasSubstr("robots[0].home: R1's home [0, 30, -35, 0, -60, 0] deg and R2's home "
                        "[0, -25, -35, 0, 100, 0] deg are in collision: R1/gun – R2/link_5 (in "
                        "contact), "));
  EXPECT_THAT(d[0].message, HasSubstr("R1/gun – R2/gun (in contact)"));
  EXPECT_THAT(d[0].message, HasSubstr("(nearer than the 5 mm that motions keep between two robot "
                                      "bodies) and 1 more"));
}

// A closed cube mesh (outward triangles) of edge `size` centred on `centre`, as a cell obstacle.
cell::Obstacle CubeMesh(const std::string& name, const Eigen::Vector3d& centre, double size) {
  auto mesh = std::make_shared<cell::Mesh>();
  for (int i = 0; i < 8; ++i) {
    mesh->vertices.emplace_back((i & 1 ? 0.5 : -0.5) * size, (i & 2 ? 0.5 : -0.5) * size,
                                (i & 4 ? 0.5 : -0.5) * size);
  }
  mesh->triangles = {{0, 2, 1}, {1, 2, 3}, {4, 5, 6}, {5, 7, 6}, {0, 1, 4}, {1, 5, 4},
                     {2, 6, 3}, {3, 6, 7}, {0, 4, 2}, {2, 4, 6}, {1, 3, 5}, {3, 7, 5}};
  cell::Obstacle o{.name = name, .geometry = {.shape = cell::Shape::FromMesh(mesh)}};
  o.geometry.X_FG.translation() = centre;
  o.closed_mesh = cell::IsClosedMesh(*mesh);
  return o;
}

TEST(CheckHomesTest, ABodyInsideAClosedMeshAtHomeIsAnInputErrorButNotInsideAnOpenOne) {
  // A closed 1.2 m cage around R1's wrist at home: the forearm crosses its surface (a contact),
  // the wrist links inside touch no triangle, which only the containment test sees.
  cell::Cell c = cell::LoadCell("cells/demo/cell.yaml").value;
  const cell::Robot& r1 = c.robots[0];
  const Eigen::Vector3d p_WF =
      r1.X_WB * MakeVerifierWorld(c).chain(0).FlangePose(r1.home).translation();
  c.obstacles.push_back(CubeMesh("cage", p_WF, 1.2));
  ASSERT_TRUE(c.obstacles.back().closed_mesh);
  {
    const collision::CollisionWorld world = MakeVerifierWorld(c);
    const std::string d = All(CheckHomes(c, world));
    EXPECT_THAT(
        d, ContainsRegex("robots\\[0\\]\\.home: R1's home \\[[^]]*\\] deg: R1/link_6 is inside "
                         "the closed mesh cage"));
    EXPECT_THAT(d, HasSubstr("– cage (in contact)"));  // the surface crossing, as before
  }
  // The same triangles as an open surface: only the crossing is reported.
  c.obstacles.back().closed_mesh = false;
  const collision::CollisionWorld world = MakeVerifierWorld(c);
  const std::string d = All(CheckHomes(c, world));
  EXPECT_THAT(d, Not(HasSubstr("inside the closed mesh")));
  EXPECT_THAT(d, HasSubstr("– cage (in contact)"));
}

TEST(CheckHomesTest, ARobotYamlCanDeclareTwoLinksAllowedButNeverTheGun) {
  // The FANUC model with [link_4, link_6] declared allowed, in a temporary folder.
  const fs::path dir = weldcell::testing::FreshDirectory("station_check_declared");
  const fs::path urdf = fs::absolute("robots/fanuc_r2000ic165f/fanuc_r2000ic165f.urdf");
  std::ifstream in("robots/fanuc_r2000ic165f/robot.yaml");
  std::string yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string from = "urdf: fanuc_r2000ic165f.urdf";
  ASSERT_NE(yaml.find(from), std::string::npos);
  yaml.replace(yaml.find(from), from.size(), "urdf: " + urdf.string());
  std::ofstream(dir / "robot.yaml") << yaml << "allowed_collisions: [[link_4, link_6]]\n";

  cell::Cell c = Load("home_gun_contact");
  c.robots[0].model = cell::LoadRobotModel(dir / "robot.yaml").value;
  const collision::CollisionWorld world = MakeVerifierWorld(c);
  const int link_4 = 4, link_6 = 6;
  ASSERT_EQ(world.robot_body(0, link_4).name, "R1/link_4");
  ASSERT_EQ(world.robot_body(0, link_6).name, "R1/link_6");
  EXPECT_EQ(world.allowed_collisions(0).reason(link_4, link_6),
            collision::AllowedReason::kDeclared);
  const std::vector<Diagnostic> d = CheckHomes(c, world);
  ASSERT_EQ(d.size(), 1u) << All(d);
  EXPECT_THAT(d[0].message, HasSubstr("R1/link_4 – R1/gun (in contact)"));
}

// The verify side of issue 9: a trajectory that puts the gun into link_4 is a self-collision for
// the verifier, although the planner's matrix excuses (or, before issue 9, excused) the pair.

// A plan for `c` in which every robot stands at its home for a second, except R1, which moves
// from home to `via` and back.
plan::Plan HandMadePlan(const cell::Cell& c, const Eigen::VectorXd& via) {
  plan::Plan p;
  p.cell_name = c.name;
  p.cell_hash = plan::CellHash(c);
  p.seed = c.settings.seed;
  p.cycle_time = c.cycle_time;
  p.makespan = 2.0;
  for (std::size_t r = 0; r < c.robots.size(); ++r) {
    plan::RobotPlan rp;
    rp.robot = c.robots[r].name;
    const Eigen::VectorXd& home = c.robots[r].home;
    if (r == 0) {
      rp.segments.push_back({.kind = plan::SegmentKind::kMotion,
                             .from = "home",
                             .to = "home",
                             .times = {0.0, 1.0, 2.0},
                             .q = {home, via, home}});
    } else {
      rp.segments.push_back({.kind = plan::SegmentKind::kWait,
                             .from = "home",
                             .to = "home",
                             .times = {0.0, 2.0},
                             .q = {home, home}});
    }
    rp.finish_time = 2.0;
    p.robots.push_back(std::move(rp));
  }
  return p;
}

std::vector<Violation> SelfCollisions(const VerifyReport& report) {
  std::vector<Violation> out;
  for (const Violation& v : report.violations) {
    if (v.kind == ViolationKind::kSelfCollision) out.push_back(v);
  }
  return out;
}

TEST(VerifySelfCollisionTest, GunThroughTheForearmIsReportedWhateverThePlannersMatrixSays) {
  // The demo station (free homes); R1 swings its wrist to J5 = -125 deg, the home of the
  // home_gun_contact case, and back.
  const cell::Cell c = cell::LoadCell("cells/demo/cell.yaml").value;
  Eigen::VectorXd via = c.robots[0].home;
  via[4] = -125 * kDeg;
  const VerifyReport report = Verify(HandMadePlan(c, via), c);
  const std::vector<Violation> self = SelfCollisions(report);
  ASSERT_FALSE(self.empty());
  std::string all;
  for (const Violation& v : self) all += ToString(v) + "\n";
  EXPECT_THAT(all, HasSubstr("R1/link_4 – R1/gun")) << all;
  for (const Violation& v : self) {
    EXPECT_EQ(v.robot, "R1");
    EXPECT_GT(v.time, 0.0);
    EXPECT_LT(v.time, 2.0);
  }

  // The same motion for the cell whose home is that pose: the planner's matrix excuses
  // link_4 – link_6 (two links overlapping at home) and, before issue 9, also excused the gun
  // pair (in contact at home); the verifier reports both, at home already.
  const cell::Cell bad = Load("home_gun_contact");
  const collision::CollisionWorld planner_world(bad);
  const collision::AllowedCollisionMatrix& acm = planner_world.allowed_collisions(0);
  const int link_4 = 4, link_6 = 6, gun = planner_world.gun(0).index;
  EXPECT_EQ(acm.reason(link_4, link_6), collision::AllowedReason::kCollidingAtHome);
  EXPECT_EQ(acm.reason(link_4, gun), collision::AllowedReason::kChecked);
  collision::CollisionContext ctx(planner_world);
  const collision::CollisionResult at_home = planner_world.CheckRobot(
      ctx, 0, bad.robots[0].home,
      {.scope = collision::CheckScope::kSelf, .report = collision::ContactReport::kAll});
  EXPECT_THAT(ToString(at_home), HasSubstr("R1/link_4 – R1/gun"))
      << "the gun pair is in contact at home: the old rule excused it";

  const VerifyReport forced = Verify(HandMadePlan(bad, c.robots[0].home), bad);
  std::string forced_all;
  for (const Violation& v : SelfCollisions(forced)) forced_all += ToString(v) + "\n";
  EXPECT_THAT(forced_all, HasSubstr("R1/link_4 – R1/gun")) << forced_all;
  // (The verifier reports the first contact of each check, the gun's; link_4 – link_6 is checked
  // too.)
  const collision::CollisionWorld verifier_world = MakeVerifierWorld(bad);
  EXPECT_EQ(verifier_world.allowed_collisions(0).reason(link_4, link_6),
            collision::AllowedReason::kChecked);
}

TEST(VerifySelfCollisionTest, VerifierRejectsAWorldWithThePlannersPairRule) {
  const cell::Cell c = Load("home_in_collision");
  const collision::CollisionWorld planner_world(c, {.acm_samples = 10});
  EXPECT_DEATH(Verify(HandMadePlan(c, c.robots[0].home), c, planner_world), "kVerifier");
}

}  // namespace
}  // namespace weldcell::verify
