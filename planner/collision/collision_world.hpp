#pragma once
// The collision world of a cell: every robot's links and gun, the fixtures and the body, checked
// with FCL (meshes as OBBRSS bounding-volume hierarchies, primitives as primitives).
//
// Usage:
//   const CollisionWorld world(cell);             // once; then shared const by every thread
//   CollisionContext ctx(world);                  // one per thread (mutable scratch)
//   CollisionResult hit = world.CheckRobot(ctx, 0, q);
//   if (hit.in_collision()) std::cout << ToString(hit);   // e.g. "R1/gun – clamp_1"
//
// Units: m, rad. Frames: W world, B a robot's base link, L a link, F the flange (tip link).
// Bodies: each robot has one body per chain link (model.links order; all of a link's collision
// geometries) plus one body for its gun (the tool's collision geometry, rigidly on the flange),
// named "<robot>/<link>" and "<robot>/gun"; each cell obstacle is one body named as in the cell.
// Meshes are surfaces: a body entirely inside a closed mesh without touching a triangle is not
// in contact.
//
// Self-collision uses an allowed-collision matrix per robot, computed at construction by the
// rule documented at CollisionWorld::allowed_collisions (which shows the matrix with a
// reason per pair). WorldOptions::pairs selects the planner's rule (fewer pairs, found by
// sampling) or the verifier's (every pair but the structurally allowed ones).
//
// Thread safety: a CollisionWorld is immutable after construction; all its const members may be
// called concurrently from several threads, each with its own CollisionContext. A context must not
// be used by two threads at once.

#include <Eigen/Core>
#include <Eigen/Geometry>
#include <cstdint>
#include <limits>
#include <memory>
#include <numbers>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "planner/cell/cell.hpp"
#include "planner/collision/allowed_collision.hpp"
#include "planner/kinematics/chain.hpp"

namespace weldcell::collision {

enum class BodyKind : std::uint8_t { kLink, kGun, kObstacle };

/// Names one collision body. Plain value; `name` points into the CollisionWorld that made it,
/// so a BodyRef must not outlive its world.
struct BodyRef {
  BodyKind kind = BodyKind::kObstacle;
  int robot = -1;  ///< Index into cell.robots for links and guns; -1 for obstacles.
  /// Body index within the robot (link index in model.links; links.size() for the gun), or the
  /// index into cell.obstacles.
  int index = -1;
  std::string_view name;  ///< "R1/link_3", "R1/gun", "clamp_1".
  bool operator==(const BodyRef&) const = default;
};

/// Two bodies in contact. `first` is always a body of the robot being checked (of robot_a for
/// CheckRobotPair); for self-contacts it has the lower body index.
struct Contact {
  BodyRef first;
  BodyRef second;
  bool operator==(const Contact&) const = default;
};

enum class CollisionStatus : std::uint8_t { kFree, kInCollision };

/// What a robot is checked against.
enum class CheckScope : std::uint8_t {
  kEnvironmentAndSelf,  ///< Static obstacles, then the robot's own non-allowed body pairs.
  kEnvironment,         ///< Static obstacles only.
  kSelf,                ///< The robot's own non-allowed body pairs only.
};

enum class ContactReport : std::uint8_t {
  kFirst,  ///< Stop at the first contact (fastest; the usual validity check).
  kAll,    ///< Every body pair in contact, once each.
};

struct CheckRequest {
  CheckScope scope = CheckScope::kEnvironmentAndSelf;
  ContactReport report = ContactReport::kFirst;
  /// m (≥ 0). Robot bodies count as in contact when nearer than this to an obstacle, and self
  /// pairs when nearer than twice this: primitives are grown by it (so slightly more than the
  /// margin may be demanded at edges and corners), mesh parts use FCL's distance. Used by
  /// motion checks to turn sampled checks into guarantees (segment_check.hpp).
  double margin = 0.0;
  /// m per robot body (robot_body() order: links, then the gun), ≥ 0: when set, body b uses
  /// (*body_margins)[b] instead of `margin` (against obstacles; a self pair uses the sum of its
  /// two). For proofs over a region of configurations in which proximal bodies move less than
  /// distal ones (exporters/corners.hpp). Must outlive the check.
  const std::vector<double>* body_margins = nullptr;
  bool operator==(const CheckRequest&) const = default;
};

struct CollisionResult {
  CollisionStatus status = CollisionStatus::kFree;
  /// Empty when free; one entry (the first found) or all of them, as requested. The order is
  /// fixed: obstacles before self pairs; robot bodies from the base link to the tip link, then
  /// the gun; obstacles in cell order; self pairs with the gun first. (Proximal links first: when
  /// one of them reaches an obstacle it is usually deep in it and the contact is found fast,
  /// whereas the gun and wrist at a weld are the expensive near misses.) The answer depends on the
  /// query alone, never on earlier queries, so every thread gets the same one.
  std::vector<Contact> contacts;

  bool in_collision() const { return status == CollisionStatus::kInCollision; }
  bool operator==(const CollisionResult&) const = default;
};

enum class DistanceStatus : std::uint8_t {
  kClear,      ///< Nearest obstacle found at `distance` > 0.
  kInContact,  ///< A robot body touches an obstacle: distance = 0, bodies = that pair,
               ///< points zero.
  kFarther,    ///< No obstacle nearer than the request's max_distance (or no obstacles):
               ///< distance = max_distance, a lower bound; bodies and points unset.
};

struct DistanceRequest {
  /// m. Obstacles farther than this are not measured exactly, which makes "is the clearance at
  /// least c?" cheap: pass max_distance = c.
  double max_distance = std::numeric_limits<double>::infinity();
  bool operator==(const DistanceRequest&) const = default;
};

struct DistanceResult {
  DistanceStatus status = DistanceStatus::kFarther;
  double distance = std::numeric_limits<double>::infinity();  ///< m
  BodyRef robot_body;  ///< The robot body nearest to an obstacle.
  BodyRef obstacle;
  Eigen::Vector3d p_W_robot = Eigen::Vector3d::Zero();     ///< Nearest point on robot_body.
  Eigen::Vector3d p_W_obstacle = Eigen::Vector3d::Zero();  ///< Nearest point on the obstacle.
  bool operator==(const DistanceResult&) const = default;
};

/// A bound that turns joint motion into Cartesian travel, for checking a motion "every 5 mm of
/// link-point travel" without missing anything thicker than that.
///
/// lever_arm[i] (movable joint i, configuration order) bounds, over ALL configurations, the
/// distance from joint i's origin (a point on its axis) of every point of the collision geometry
/// distal to joint i — links, gun — and of the TCP. It is computed without configuration
/// dependence by the triangle inequality along the chain: the fixed offsets between consecutive
/// joint origins plus each link's geometry radius about its own origin (prismatic joints in
/// between add their largest travel). For a prismatic joint i, lever_arm[i] = 1.
///
/// Then any such point moves at speed |v| <= Σ_i lever_arm[i] |q̇_i|, so along the straight
/// joint-space segment q0 → q1 it travels at most MaxTravel(q0, q1) (Schwarzer, Saha, Latombe,
/// "Exact collision checking of robot paths", WAFR 2002).
struct DisplacementBound {
  std::vector<double> lever_arm;  ///< m/rad (revolute) or 1 (prismatic), per movable joint.

  /// m. Σ_i lever_arm[i] · |q1_i − q0_i|. Preconditions: both sizes == lever_arm.size().
  double MaxTravel(const Eigen::Ref<const Eigen::VectorXd>& q0,
                   const Eigen::Ref<const Eigen::VectorXd>& q1) const;
  bool operator==(const DisplacementBound&) const = default;
};

/// Which self pairs a world checks (see CollisionWorld::allowed_collisions).
enum class PairPolicy : std::uint8_t {
  /// Rules 1–6: pairs overlapping at home (two links) and pairs never seen in contact in
  /// acm_samples random configurations are not checked either. Fast; for planning.
  kPlanner,
  /// Rules 1–4 only: every pair is checked except bodies without geometry, rigidly joined or
  /// adjacent bodies and pairs declared in robot.yaml. Independent of the home and of any
  /// sampling; for the verifier.
  kVerifier,
};
std::string_view ToString(PairPolicy policy);

/// m per axis: how far past its geometry's world box (BodyBoxes with margin 0) robot a's body
/// reaches in CheckRobotPair(…, margin): the check grows a's primitives by 2·margin on every
/// side, and a grown box's corner reaches up to 2·√3·margin along an axis. For box pre-filters
/// of that check (BodyBoxes gives each robot half of it).
inline double PairCheckBoxGrowth(double margin) { return 2.0 * std::numbers::sqrt3 * margin; }

struct WorldOptions {
  /// Random configurations per robot used to find body pairs that never collide (allowed).
  /// More samples make a wrongly allowed pair less likely and construction slower. Unused by
  /// PairPolicy::kVerifier.
  int acm_samples = 5000;
  PairPolicy pairs = PairPolicy::kPlanner;
  /// Every other robot, standing at its home configuration, is also a static obstacle of each
  /// robot (CheckRobot, Clearance, segment checks): the rule of real cells that a robot at home
  /// is out of everyone's way. Reach then rejects weld poses that would touch a neighbour at
  /// home and motion plans around it, so coordination never has to order one robot's work
  /// around another's standing at home (no zone is forced by a home, and giving each robot pair
  /// one order for all its zones is always free of deadlock). A robot at home counts as touched
  /// within settings.motion.resolution (plus the check's margin): the clearance coordination
  /// keeps between two robots (Clearance reports the plain distance). Contacts name the other
  /// robot's body ("R2/link_3 at home"; BodyRef kind kLink/kGun with that robot's index). The
  /// verifier turns it off: it checks robot pairs along the timeline instead.
  bool robots_at_home_are_obstacles = true;
  bool operator==(const WorldOptions&) const = default;
};

class CollisionContext;
namespace internal {
struct Access;  // lets the module's other files (segment_check.cpp) reach the private parts
}

class CollisionWorld {
 public:
  /// Converts every geometry of the cell once: meshes become shared OBBRSS hierarchies (one per
  /// distinct Mesh object, shared by robots of the same model), primitives stay primitives.
  /// Computes each robot's allowed-collision matrix with seeded sampling (cell.settings.seed).
  /// Throws InputError naming the robot/link/obstacle for degenerate geometry (non-positive
  /// sizes, empty meshes, triangle indices out of range) or a home configuration of wrong size.
  explicit CollisionWorld(const cell::Cell& cell, const WorldOptions& options = {});
  ~CollisionWorld();
  CollisionWorld(CollisionWorld&&) noexcept;
  CollisionWorld& operator=(CollisionWorld&&) noexcept;
  CollisionWorld(const CollisionWorld&) = delete;
  CollisionWorld& operator=(const CollisionWorld&) = delete;

  const WorldOptions& options() const;
  int robot_count() const;
  /// The cell's obstacles (the robots at home of WorldOptions::robots_at_home_are_obstacles are
  /// not counted).
  int obstacle_count() const;
  /// Bodies of a robot: its links plus the gun (= model.links.size() + 1).
  int body_count(int robot) const;
  BodyRef robot_body(int robot, int body) const;
  BodyRef gun(int robot) const;
  BodyRef obstacle(int index) const;
  const kinematics::Chain& chain(int robot) const;
  /// The robot's allowed-collision matrix (body indices as in robot_body()).
  ///
  /// The rule: a pair of bodies is allowed (never checked) when
  ///  1. either has no collision geometry (kNoGeometry);
  ///  2. no movable joint separates them — fixed joints only, or the gun and the tip link — so
  ///     their relative pose is constant (kRigid);
  ///  3. exactly one movable joint separates them: parent and child, incl. the gun and the link
  ///     before the last movable joint (kAdjacent);
  ///  4. robot.yaml declares the two links allowed (RobotModel::allowed_collisions, kDeclared).
  /// With PairPolicy::kVerifier every other pair is checked. With PairPolicy::kPlanner also when
  ///  5. they are two links of the model (never the gun) that touch at the robot's home
  ///     configuration (zeros clamped to the limits when the cell gives none): coarse meshes
  ///     overlapping at a housing (kCollidingAtHome). A gun pair touching at home stays checked
  ///     (and verify::CheckHomes reports the home as an input error);
  ///  6. they touch in none of WorldOptions::acm_samples configurations drawn uniformly within
  ///     the joint limits with std::mt19937_64 seeded from cell.settings.seed (kNeverColliding).
  /// Rule 6 is statistical (as MoveIt's setup assistant's): a pair that collides only in a tiny
  /// region of joint space may be allowed; raise acm_samples to lower that risk (the verifier
  /// checks such pairs anyway). Robots with the same model, gun geometry and home share one
  /// matrix.
  const AllowedCollisionMatrix& allowed_collisions(int robot) const;
  const DisplacementBound& displacement_bound(int robot) const;

  /// Robot `robot` at configuration q (size chain(robot).dof()) against the static obstacles
  /// and/or itself. weldcell's part allocates nothing unless a contact is reported (FCL's GJK
  /// narrowphase itself allocates small objects per shape–triangle test). Preconditions: ctx was
  /// made from this world; robot in range; q of the right size (checked, aborts).
  CollisionResult CheckRobot(CollisionContext& ctx, int robot,
                             const Eigen::Ref<const Eigen::VectorXd>& q,
                             const CheckRequest& request = {}) const;

  /// As CheckRobot, with the link poses given directly: X_WL[k] is the world pose of
  /// model.links[k] (size == number of links); the gun follows X_WL.back().
  CollisionResult CheckRobotAtPoses(CollisionContext& ctx, int robot,
                                    std::span<const Eigen::Isometry3d> X_WL,
                                    const CheckRequest& request = {}) const;

  /// Robot a at q_a against robot b at q_b (every body pair, no allowed pairs). With a margin
  /// (m, ≥ 0), bodies nearer than twice it count as in contact, as self pairs in CheckRequest
  /// (robot a's primitives grown by 2·margin). Preconditions: a != b, both in range,
  /// configuration sizes match.
  CollisionResult CheckRobotPair(CollisionContext& ctx, int robot_a,
                                 const Eigen::Ref<const Eigen::VectorXd>& q_a, int robot_b,
                                 const Eigen::Ref<const Eigen::VectorXd>& q_b,
                                 ContactReport report = ContactReport::kFirst,
                                 double margin = 0.0) const;

  /// As CheckRobotPair(…, ContactReport::kFirst, margin), over the given body pairs only:
  /// (k_a, k_b) is robot a's k_a-th and robot b's k_b-th body in environment-check order (as
  /// BodyBoxes numbers them). True when some listed pair is in contact. For callers that know
  /// the other pairs apart (boxes of BodyBoxes that do not meet), which then need no check.
  /// Preconditions as CheckRobotPair; every position in range (checked, aborts).
  bool BodyPairsInContact(CollisionContext& ctx, int robot_a,
                          const Eigen::Ref<const Eigen::VectorXd>& q_a, int robot_b,
                          const Eigen::Ref<const Eigen::VectorXd>& q_b,
                          std::span<const std::pair<int, int>> pairs, double margin) const;
  /// As BodyPairsInContact, with each robot's world link poses (LinkPosesInWorld) instead of
  /// its configuration: for callers that check one configuration many times. Preconditions as
  /// BodyPairsInContact; each span holds one pose per link (checked, aborts).
  bool BodyPairsInContactAtPoses(CollisionContext& ctx, int robot_a,
                                 std::span<const Eigen::Isometry3d> X_WLa, int robot_b,
                                 std::span<const Eigen::Isometry3d> X_WLb,
                                 std::span<const std::pair<int, int>> pairs, double margin) const;
  /// As BodyPairsInContactAtPoses, with a distance of its own per body: a's k_a-th and b's
  /// k_b-th body count as in contact when nearer than 2·margin + extra_a[k_a] + extra_b[k_b]
  /// (m, each ≥ 0 and finite, checked, aborts; one per body in environment-check order, or
  /// empty for all 0). For a check that must cover a range of poses of each body (BodyTravel).
  bool BodyPairsInContactAtPoses(CollisionContext& ctx, int robot_a,
                                 std::span<const Eigen::Isometry3d> X_WLa, int robot_b,
                                 std::span<const Eigen::Isometry3d> X_WLb,
                                 std::span<const std::pair<int, int>> pairs, double margin,
                                 std::span<const double> extra_a,
                                 std::span<const double> extra_b) const;

  /// m, per body with geometry in environment-check order (as BodyBoxes; *travel is resized): a
  /// bound on how far any point of the body's geometry grown by `grow` (m, ≥ 0; the checks
  /// grow a primitive by 2·margin, at most √3 times that beyond it) moves between link poses
  /// X_WL0 and X_WL1 of the robot (LinkPosesInWorld): for the body's bounding sphere (centre c,
  /// radius ρ) and the rotation R0ᵀR1 between the two poses of its link, |X_WL1·c − X_WL0·c| +
  /// (ρ + √3·grow)·‖R1 − R0‖₂, where ‖R1 − R0‖₂ = 2 sin(θ/2) (the adaptive segment check's
  /// chord). Far tighter than DisplacementBound, which bounds every point of the robot over any
  /// configuration.
  /// Preconditions: robot in range, each span one pose per link (checked, aborts).
  void BodyTravel(int robot, std::span<const Eigen::Isometry3d> X_WL0,
                  std::span<const Eigen::Isometry3d> X_WL1, double grow,
                  std::vector<double>* travel) const;

  /// World poses of the robot's links at q, one per link in model.links order (the gun rides on
  /// the last link and has no pose of its own), as CheckRobotAtPoses and
  /// BodyPairsInContactAtPoses take them: exactly the poses the checks by configuration compute.
  /// Resizes *X_WL.
  void LinkPosesInWorld(int robot, const Eigen::Ref<const Eigen::VectorXd>& q,
                        std::vector<Eigen::Isometry3d>* X_WL) const;

  /// World-frame axis-aligned boxes (m) around the robot's bodies with geometry at q (each
  /// geometry's own bounding box, rotated into the world), grown by √3·`margin` (m, margin ≥ 0)
  /// along each axis, one per body in environment-check order (links base to tip, then the
  /// gun); `boxes` is resized. Conservative: when no box of robot a meets a box of robot b (each
  /// built with the same margin), CheckRobotPair(…, margin) finds no contact (it grows a's
  /// primitives by 2·margin on every side, whose corners reach up to 2·√3·margin along an
  /// axis). For broad-phase pruning, e.g. of swept motions in coordination.
  void BodyBoxes(CollisionContext& ctx, int robot, const Eigen::Ref<const Eigen::VectorXd>& q,
                 double margin, std::vector<Eigen::AlignedBox3d>* boxes) const;

  /// Minimum distance between robot `robot` at q (links and gun) and the static obstacles, with
  /// the two nearest bodies and points. Pairs are visited in order of a bounding-sphere lower
  /// bound and skipped once the bound exceeds the best distance so far.
  DistanceResult Clearance(CollisionContext& ctx, int robot,
                           const Eigen::Ref<const Eigen::VectorXd>& q,
                           const DistanceRequest& request = {}) const;
  /// As Clearance, with world link poses (see CheckRobotAtPoses).
  DistanceResult ClearanceAtPoses(CollisionContext& ctx, int robot,
                                  std::span<const Eigen::Isometry3d> X_WL,
                                  const DistanceRequest& request = {}) const;

  struct Impl;

 private:
  friend class CollisionContext;
  friend struct internal::Access;
  std::unique_ptr<const Impl> impl_;
};

/// Per-thread scratch for queries on one CollisionWorld: link poses, FCL request/result objects,
/// candidate lists. Sized at construction, so queries do not allocate. Must not outlive the world.
class CollisionContext {
 public:
  explicit CollisionContext(const CollisionWorld& world);
  ~CollisionContext();
  CollisionContext(CollisionContext&&) noexcept;
  CollisionContext& operator=(CollisionContext&&) noexcept;
  CollisionContext(const CollisionContext&) = delete;
  CollisionContext& operator=(const CollisionContext&) = delete;

  struct Impl;

 private:
  friend class CollisionWorld;
  friend struct internal::Access;
  std::unique_ptr<Impl> impl_;
};

std::string ToString(const BodyRef& body);
/// "free", or "in collision: R1/gun – clamp_1; R1/link_6 – body".
std::string ToString(const CollisionResult& result);
std::string ToString(const DistanceResult& result);

}  // namespace weldcell::collision
