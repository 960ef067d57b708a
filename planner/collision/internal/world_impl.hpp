#pragma once
// Private representation of CollisionWorld and CollisionContext (FCL lives only here and in the
// .cpp files, so that including collision_world.hpp stays cheap).

#include <fcl/geometry/collision_geometry.h>
#include <fcl/geometry/shape/box.h>
#include <fcl/geometry/shape/cylinder.h>
#include <fcl/geometry/shape/sphere.h>
#include <fcl/narrowphase/collision_request.h>
#include <fcl/narrowphase/collision_result.h>
#include <fcl/narrowphase/distance_request.h>
#include <fcl/narrowphase/distance_result.h>

#include <Eigen/Geometry>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "planner/collision/allowed_collision.hpp"
#include "planner/collision/collision_world.hpp"
#include "planner/kinematics/chain.hpp"

namespace weldcell::collision {

namespace internal {

struct Sphere {
  Eigen::Vector3d center = Eigen::Vector3d::Zero();
  double radius = 0.0;
};

/// One collision geometry of a body, in the body's frame.
struct Part {
  std::shared_ptr<const fcl::CollisionGeometryd> geometry;
  Eigen::Isometry3d X_BG = Eigen::Isometry3d::Identity();
  Sphere sphere_B;  ///< Bounding sphere of the geometry, in the body frame.
};

struct Body {
  std::string name;
  BodyRef ref;  ///< ref.name views `name` (set once the world is complete).
  std::vector<Part> parts;
  Sphere sphere_B;  ///< Bounding sphere of all parts, in the body frame.
  bool empty() const { return parts.empty(); }
};

/// A static obstacle: one body whose frame is the world.
struct StaticBody {
  Body body;
  Eigen::Isometry3d X_WG = Eigen::Isometry3d::Identity();  ///< = body.parts[0].X_BG
  Eigen::AlignedBox3d box_W;                               ///< Tight world AABB of the geometry.
  /// For a part of a robot standing at its home (WorldOptions::robots_at_home_are_obstacles):
  /// that robot's index; it is no obstacle of itself. -1 for the cell's obstacles.
  int home_of = -1;
  /// m: added to every check's margin against this obstacle (for robots at home: the clearance
  /// coordination keeps between two robots, so that no motion is in a home's way).
  double margin = 0.0;
};

struct RobotData {
  int index = 0;  ///< In cell.robots.
  std::string name;
  std::unique_ptr<kinematics::Chain> chain;
  Eigen::Isometry3d X_WB = Eigen::Isometry3d::Identity();
  std::vector<Body> bodies;  ///< links..., gun (last)
  int gun = 0;               ///< body index of the gun = number of links
  AllowedCollisionMatrix acm;
  /// Checked self pairs (a < b), both with geometry; pairs with the gun first.
  std::vector<std::pair<int, int>> self_pairs;
  /// Bodies with geometry, in environment-check order: base link to tip link, then the gun.
  std::vector<int> env_order;
  DisplacementBound displacement;
  /// body_lever[b][i]: bound on the distance from joint i's origin of every point of body b,
  /// over all configurations within the limits (0 when joint i does not move body b; 1 for a
  /// prismatic joint, bounding |ω_j × axis_i| rather than a distance); see ComputeBodyLevers.
  std::vector<std::vector<double>> body_lever;
  /// Where body b can be (ComputeBodyReach): its origin within origin_reach[b] of the base
  /// link's origin (X_WB.translation()) in every configuration within the limits, and then
  /// every point of it within origin_reach[b] + its radius about its origin = body_reach[b].
  std::vector<double> origin_reach, body_reach;
  /// near_obstacles[b]: the obstacles (indices into CollisionWorld::Impl::obstacles, ascending,
  /// never this robot's own parts at home) that body b, grown by a margin of up to
  /// kNearObstacleMargin, can touch while its origin is within origin_reach[b] of the base
  /// (NearObstacles). Such checks look at these only; the others cannot be touched. (Checks of
  /// other poses, CheckRobotAtPoses allows any, look at every obstacle.)
  std::vector<std::vector<int>> near_obstacles;
};

/// m: the largest check margin for which RobotData::near_obstacles holds every obstacle a body
/// can touch (larger margins check every obstacle).
inline constexpr double kNearObstacleMargin = 0.25;
/// m: slack of RobotData::origin_reach (so that rounding in the kinematics of a stretched arm
/// never takes a body off its near obstacles).
inline constexpr double kReachSlack = 1e-6;

}  // namespace internal

struct CollisionWorld::Impl {
  WorldOptions options;
  std::vector<internal::RobotData> robots;
  /// The cell's obstacles (cell.obstacles order), then the other robots' parts at home.
  std::vector<internal::StaticBody> obstacles;
  int cell_obstacles = 0;  ///< How many of `obstacles` are the cell's.
  /// obstacles[i].box_W, packed for the broad phase of every check, and their union.
  std::vector<Eigen::AlignedBox3d> obstacle_boxes;
  Eigen::AlignedBox3d all_obstacles;
  /// Contact tests by plain fcl::collide and fcl::distance only, without MeshShapeWithin: the
  /// reference path that tests and benchmarks compare against (internal::UsePlainFclNarrowphase).
  /// Never set otherwise.
  bool plain_fcl_narrowphase = false;
};

namespace internal {

/// A (robot part, obstacle) pair with a lower bound on their distance, for Clearance.
struct DistanceCandidate {
  double lower_bound = 0.0;
  int body = 0;
  int part = 0;
  int obstacle = 0;
};

/// Reused storage of CheckJointSegment (segment_check.cpp): the samples along the segment and
/// their link poses, and the FIFO of intervals still to decide.
struct SegmentScratch {
  std::vector<double> s;                       ///< Segment parameter of each sample.
  std::vector<Eigen::Isometry3d> X_WL;         ///< Sample-major world link poses.
  std::vector<std::pair<int, int>> intervals;  ///< Sample index pairs.
  std::vector<int> pieces;                     ///< Sample indices of one interval's cuts.
  std::vector<double> curvature;               ///< Per body: bound on |p''| along the segment.
  std::vector<Eigen::Isometry3d> X_BL;         ///< Forward-kinematics output.
  Eigen::VectorXd q;
};

struct RobotScratch {
  std::vector<Eigen::Isometry3d> X_BL;     ///< link poses in the base frame
  std::vector<Eigen::Isometry3d> X_WBody;  ///< body frame poses in the world (links..., gun)
  /// The configuration X_WBody was computed for, while `placed` (queries at the same q, as a
  /// pair check sweeping one robot against another standing still, skip the kinematics).
  Eigen::VectorXd placed_q;
  bool placed = false;
};

}  // namespace internal

struct CollisionContext::Impl {
  const CollisionWorld::Impl* world = nullptr;
  std::vector<internal::RobotScratch> robots;
  fcl::CollisionRequestd collision_request;
  fcl::CollisionResultd collision_result;
  fcl::DistanceRequestd distance_request;
  fcl::DistanceResultd distance_result;
  std::vector<internal::DistanceCandidate> candidates;
  internal::SegmentScratch segment;
  // Grown copies of a robot part for checks with a margin (sizes set per query).
  fcl::Boxd grown_box{1.0, 1.0, 1.0};
  fcl::Cylinderd grown_cylinder{1.0, 1.0};
  fcl::Sphered grown_sphere{1.0};
  std::vector<int> bvh_stack;  ///< Nodes still to visit in MeshShapeWithin.
};

namespace internal {

struct Access {
  static const CollisionWorld::Impl& world(const CollisionWorld& w) { return *w.impl_; }
  static CollisionContext::Impl& context(CollisionContext& c) { return *c.impl_; }
  /// The world's Impl was made non-const (make_unique<Impl>) and is only const behind the
  /// pointer: changing it before the world is shared is defined.
  static CollisionWorld::Impl& mutable_world(CollisionWorld& w) {
    return const_cast<CollisionWorld::Impl&>(*w.impl_);
  }
};

/// Makes `world` answer every contact test by plain fcl::collide (the reference path for tests
/// and benchmarks). Call before the world is shared with other threads.
inline void UsePlainFclNarrowphase(CollisionWorld& world) {
  Access::mutable_world(world).plain_fcl_narrowphase = true;
}

/// Converts a cell shape to an FCL geometry. Meshes become OBBRSS hierarchies.
/// Preconditions: the shape is valid (ValidateShape returned no message).
std::shared_ptr<const fcl::CollisionGeometryd> MakeFclGeometry(const cell::Shape& shape);
/// Empty when valid; otherwise what is wrong with it.
std::string ValidateShape(const cell::Shape& shape);
/// Bounding sphere of a shape in its own frame.
Sphere ShapeBoundingSphere(const cell::Shape& shape);
/// World AABB of a shape placed at X_WG.
Eigen::AlignedBox3d ShapeBox(const cell::Shape& shape, const Eigen::Isometry3d& X_WG);
/// Smallest sphere of a simple construction enclosing all spheres (centre = middle of their
/// AABB). Returns radius 0 at the origin for an empty list.
Sphere EnclosingSphere(const std::vector<Sphere>& spheres);

/// True when geometry a at X_WGa and geometry b at X_WGb overlap (FCL narrowphase, stopping at
/// the first contact). A mesh against a box, cylinder or sphere goes through MeshShapeCollide
/// (same answer, fewer narrowphase calls, no per-call volume fitting) unless the context's
/// world uses the plain FCL path.
bool GeometriesCollide(CollisionContext::Impl& ctx, const fcl::CollisionGeometryd& a,
                       const Eigen::Isometry3d& X_WGa, const fcl::CollisionGeometryd& b,
                       const Eigen::Isometry3d& X_WGb);

/// True for FCL's box, cylinder and sphere.
bool IsPrimitive(const fcl::CollisionGeometryd& g);

/// True when one of a, b is an OBBRSS mesh and the other a box, cylinder or sphere.
bool CanUseMeshShapeTraversal(const fcl::CollisionGeometryd& a, const fcl::CollisionGeometryd& b);

/// As fcl::collide(a, X_WGa, b, X_WGb) for a mesh and a box, cylinder or sphere (either order),
/// with the same narrowphase call on each triangle it tests, but pruning the mesh's hierarchy by
/// the shape's box AND, for a cylinder or sphere, its capsule (the axis segment swept by its
/// radius; a sphere itself) instead of the box alone, and without fitting the shape's bounding
/// volume anew on every call as FCL does (mesh_shape.cpp says why). = MeshShapeWithin(…, 0).
bool MeshShapeCollide(CollisionContext::Impl& ctx, const fcl::CollisionGeometryd& a,
                      const Eigen::Isometry3d& X_WGa, const fcl::CollisionGeometryd& b,
                      const Eigen::Isometry3d& X_WGb);

/// For a mesh and a box, cylinder or sphere (either order; precondition
/// CanUseMeshShapeTraversal) and a margin (m, ≥ 0): as fcl::collide(a, b) || (margin > 0 &&
/// fcl::distance(a, b) < margin), in one traversal of the mesh's hierarchy pruned by the shape's
/// box grown by the margin and (cylinder, sphere) its capsule grown by it, with FCL's own
/// narrowphase calls on the triangles it keeps. Uses ctx.bvh_stack and the tolerances of
/// ctx.collision_request and ctx.distance_request.
bool MeshShapeWithin(CollisionContext::Impl& ctx, const fcl::CollisionGeometryd& a,
                     const Eigen::Isometry3d& X_WGa, const fcl::CollisionGeometryd& b,
                     const Eigen::Isometry3d& X_WGb, double margin);

/// Distance between geometry a at X_WGa and geometry b at X_WGb (FCL), with the nearest points
/// on each in the world frame, when it is below upper_bound; otherwise returns upper_bound and
/// leaves the points alone. Meaningful only when they do not overlap (then <= 0 or a tiny
/// positive number, depending on the shapes).
double GeometryDistance(CollisionContext::Impl& ctx, const fcl::CollisionGeometryd& a,
                        const Eigen::Isometry3d& X_WGa, const fcl::CollisionGeometryd& b,
                        const Eigen::Isometry3d& X_WGb, double upper_bound, Eigen::Vector3d* p_Wa,
                        Eigen::Vector3d* p_Wb);

/// True when `part` at X_WG, grown by `margin` (m, ≥ 0), overlaps geometry `other` at X_WO.
/// Primitives are grown (a box by the margin on each side, a cylinder in radius and at both ends,
/// a sphere in radius: each contains the part's margin neighbourhood); a mesh part counts as
/// overlapping when FCL finds it nearer than the margin. Two primitives whose local boxes
/// (the part's grown by the margin and 0.1 mm) are apart are not in contact without an exact
/// test: the same answer, far cheaper than GJK.
bool PartCollides(CollisionContext::Impl& ctx, const Part& part, const Eigen::Isometry3d& X_WG,
                  const fcl::CollisionGeometryd& other, const Eigen::Isometry3d& X_WO,
                  double margin);

/// Body-level check of body a (grown by margin, see PartCollides) against body b.
bool BodiesCollide(CollisionContext::Impl& ctx, const Body& a, const Eigen::Isometry3d& X_WA,
                   const Body& b, const Eigen::Isometry3d& X_WB, double margin = 0.0);

/// Largest straight-line displacement between two poses of a point within `radius` of `center`
/// (body frame): |Δc| + ‖R_b − R_a‖₂ radius, where ‖R_b − R_a‖₂ = 2 sin(θ/2) = ‖R_b − R_a‖_F / √2
/// (the Frobenius form has no cancellation at small angles, unlike √(3 − tr(R_aᵀR_b))).
double RigidChord(const Eigen::Isometry3d& X_a, const Eigen::Isometry3d& X_b,
                  const Eigen::Vector3d& center, double radius);

/// Sets scratch.X_WBody from chain link poses in the base frame.
void BodyPosesFromBase(const RobotData& robot, RobotScratch& scratch);

/// Computes the allowed-collision matrix of a robot (rule: CollisionWorld::allowed_collisions).
/// Precondition: home.size() == chain dof; model.allowed_collisions indices in range.
AllowedCollisionMatrix ComputeAllowedCollisions(const RobotData& robot,
                                                const cell::RobotModel& model,
                                                const Eigen::VectorXd& home, std::uint64_t seed,
                                                int samples, PairPolicy policy);

/// Per-body lever arms (RobotData::body_lever), by the triangle inequality along the chain as
/// for DisplacementBound, but for each body separately: a joint's lever over body b sums the
/// origin offsets from that joint to b's link plus b's radius about its own origin.
std::vector<std::vector<double>> ComputeBodyLevers(const cell::RobotModel& model,
                                                   const std::vector<Body>& bodies);

/// Sets robot.origin_reach (the origin offsets from the base link to b's link, a prismatic
/// joint's travel included, + kReachSlack; the gun rides on the tip link) and robot.body_reach
/// (+ b's radius about its own origin).
void ComputeBodyReach(const cell::RobotModel& model, RobotData& robot);

/// RobotData::near_obstacles of `robot` (its X_WB and body_reach set) among `obstacles`: body
/// b keeps obstacle o when o is not the robot's own part at home and o's world box is within
/// body_reach[b] + 2 (kNearObstacleMargin + o.margin) of the base origin. (A primitive grown
/// by a margin m reaches at most √3 m beyond the part, so a contact within the margin is at
/// most twice the margins away.)
std::vector<std::vector<int>> NearObstacles(const RobotData& robot,
                                            const std::vector<StaticBody>& obstacles);

/// Computes the displacement bound of a robot (see DisplacementBound).
DisplacementBound ComputeDisplacementBound(const cell::RobotModel& model,
                                           const std::vector<Body>& bodies,
                                           const Eigen::Vector3d& p_FT);

}  // namespace internal
}  // namespace weldcell::collision
