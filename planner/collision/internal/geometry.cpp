// Conversion of cell shapes to FCL geometry, bounding spheres and boxes, pairwise narrowphase.

#include <fcl/geometry/bvh/BVH_model.h>
#include <fcl/geometry/shape/box.h>
#include <fcl/geometry/shape/cylinder.h>
#include <fcl/geometry/shape/sphere.h>
#include <fcl/math/bv/OBB.h>
#include <fcl/math/bv/OBBRSS.h>
#include <fcl/narrowphase/collision.h>
#include <fcl/narrowphase/distance.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "planner/collision/internal/world_impl.hpp"
#include "planner/common/check.hpp"

namespace weldcell::collision::internal {

namespace {

bool Finite(double v) { return std::isfinite(v); }

std::shared_ptr<const fcl::CollisionGeometryd> MakeMesh(const cell::Mesh& mesh) {
  std::vector<fcl::Vector3d> vertices(mesh.vertices.begin(), mesh.vertices.end());
  std::vector<fcl::Triangle> triangles;
  triangles.reserve(mesh.triangles.size());
  for (const auto& t : mesh.triangles) triangles.emplace_back(t[0], t[1], t[2]);
  auto model = std::make_shared<fcl::BVHModel<fcl::OBBRSSd>>();
  WELDCELL_CHECK(model->beginModel(static_cast<int>(triangles.size()),
                                   static_cast<int>(vertices.size())) == fcl::BVH_OK);
  WELDCELL_CHECK(model->addSubModel(vertices, triangles) == fcl::BVH_OK);
  WELDCELL_CHECK(model->endModel() == fcl::BVH_OK);
  model->computeLocalAABB();
  return model;
}

}  // namespace

std::string ValidateShape(const cell::Shape& shape) {
  std::ostringstream why;
  switch (shape.kind) {
    case cell::ShapeKind::kBox:
      if (!(shape.box_size.array() > 0.0).all() || !shape.box_size.allFinite()) {
        why << "box size must be three positive numbers, got (" << shape.box_size.transpose()
            << ")";
      }
      break;
    case cell::ShapeKind::kCylinder:
      if (!(shape.radius > 0.0) || !(shape.length > 0.0) || !Finite(shape.radius) ||
          !Finite(shape.length)) {
        why << "cylinder radius and length must be positive, got radius " << shape.radius
            << ", length " << shape.length;
      }
      break;
    case cell::ShapeKind::kSphere:
      if (!(shape.radius > 0.0) || !Finite(shape.radius)) {
        why << "sphere radius must be positive, got " << shape.radius;
      }
      break;
    case cell::ShapeKind::kMesh: {
      if (!shape.mesh || shape.mesh->triangles.empty()) {
        why << "mesh has no triangles";
        break;
      }
      const auto n = shape.mesh->vertices.size();
      for (std::size_t t = 0; t < shape.mesh->triangles.size(); ++t) {
        const auto& tri = shape.mesh->triangles[t];
        if (tri[0] >= n || tri[1] >= n || tri[2] >= n) {
          why << "mesh triangle " << t << " refers to vertex " << std::max({tri[0], tri[1], tri[2]})
              << " but there are " << n << " vertices";
          break;
        }
      }
      for (const auto& v : shape.mesh->vertices) {
        if (!v.allFinite()) {
          why << "mesh has a vertex that is not finite";
          break;
        }
      }
      break;
    }
  }
  return why.str();
}

std::shared_ptr<const fcl::CollisionGeometryd> MakeFclGeometry(const cell::Shape& shape) {
  std::shared_ptr<fcl::CollisionGeometryd> geometry;
  switch (shape.kind) {
    case cell::ShapeKind::kBox:
      geometry = std::make_shared<fcl::Boxd>(shape.box_size);
      break;
    case cell::ShapeKind::kCylinder:
      geometry = std::make_shared<fcl::Cylinderd>(shape.radius, shape.length);
      break;
    case cell::ShapeKind::kSphere:
      geometry = std::make_shared<fcl::Sphered>(shape.radius);
      break;
    case cell::ShapeKind::kMesh:
      return MakeMesh(*shape.mesh);
  }
  geometry->computeLocalAABB();
  return geometry;
}

Sphere ShapeBoundingSphere(const cell::Shape& shape) {
  switch (shape.kind) {
    case cell::ShapeKind::kBox:
      return {.center = Eigen::Vector3d::Zero(), .radius = 0.5 * shape.box_size.norm()};
    case cell::ShapeKind::kCylinder:
      return {.center = Eigen::Vector3d::Zero(),
              .radius = std::hypot(shape.radius, 0.5 * shape.length)};
    case cell::ShapeKind::kSphere:
      return {.center = Eigen::Vector3d::Zero(), .radius = shape.radius};
    case cell::ShapeKind::kMesh: {
      Eigen::AlignedBox3d box;
      for (const auto& v : shape.mesh->vertices) box.extend(v);
      Sphere sphere{.center = box.center(), .radius = 0.0};
      for (const auto& v : shape.mesh->vertices) {
        sphere.radius = std::max(sphere.radius, (v - sphere.center).norm());
      }
      return sphere;
    }
  }
  return {};
}

Eigen::AlignedBox3d ShapeBox(const cell::Shape& shape, const Eigen::Isometry3d& X_WG) {
  const Eigen::Vector3d p = X_WG.translation();
  const Eigen::Matrix3d R = X_WG.linear();
  Eigen::Vector3d half;
  switch (shape.kind) {
    case cell::ShapeKind::kBox:
      half = R.cwiseAbs() * (0.5 * shape.box_size);
      break;
    case cell::ShapeKind::kCylinder: {
      const Eigen::Vector3d axis = R.col(2);
      for (int i = 0; i < 3; ++i) {
        const double a = std::abs(axis[i]);
        half[i] = shape.radius * std::sqrt(std::max(0.0, 1.0 - a * a)) + 0.5 * shape.length * a;
      }
      break;
    }
    case cell::ShapeKind::kSphere:
      half.setConstant(shape.radius);
      break;
    case cell::ShapeKind::kMesh: {
      Eigen::AlignedBox3d box;
      for (const auto& v : shape.mesh->vertices) box.extend(X_WG * v);
      return box;
    }
  }
  return {p - half, p + half};
}

Sphere EnclosingSphere(const std::vector<Sphere>& spheres) {
  if (spheres.empty()) return {};
  Eigen::AlignedBox3d box;
  for (const auto& s : spheres) {
    box.extend(s.center - Eigen::Vector3d::Constant(s.radius));
    box.extend(s.center + Eigen::Vector3d::Constant(s.radius));
  }
  Sphere result{.center = box.center(), .radius = 0.0};
  for (const auto& s : spheres) {
    result.radius = std::max(result.radius, (s.center - result.center).norm() + s.radius);
  }
  return result;
}

namespace {
// A context without a world (the allowed-collision sampling while the world is built) never takes
// the reference path.
bool UsesPlainFcl(const CollisionContext::Impl& ctx) {
  return ctx.world != nullptr && ctx.world->plain_fcl_narrowphase;
}
}  // namespace

bool GeometriesCollide(CollisionContext::Impl& ctx, const fcl::CollisionGeometryd& a,
                       const Eigen::Isometry3d& X_WGa, const fcl::CollisionGeometryd& b,
                       const Eigen::Isometry3d& X_WGb) {
  if (!UsesPlainFcl(ctx) && CanUseMeshShapeTraversal(a, b)) {
    return MeshShapeCollide(ctx, a, X_WGa, b, X_WGb);
  }
  ctx.collision_result.clear();
  fcl::collide(&a, X_WGa, &b, X_WGb, ctx.collision_request, ctx.collision_result);
  return ctx.collision_result.isCollision();
}

double GeometryDistance(CollisionContext::Impl& ctx, const fcl::CollisionGeometryd& a,
                        const Eigen::Isometry3d& X_WGa, const fcl::CollisionGeometryd& b,
                        const Eigen::Isometry3d& X_WGb, double upper_bound, Eigen::Vector3d* p_Wa,
                        Eigen::Vector3d* p_Wb) {
  // FCL 0.7 quirks (checked by the contract tests): for a shape and a mesh it always puts the
  // mesh first in its result, whatever the argument order; for a sphere and a mesh the mesh's
  // point is in the mesh frame and the sphere's point is not usable.
  const bool a_mesh = a.getObjectType() == fcl::OT_BVH;
  const bool b_mesh = b.getObjectType() == fcl::OT_BVH;
  const bool swap = !a_mesh && b_mesh;
  const fcl::CollisionGeometryd& first = swap ? b : a;
  const fcl::CollisionGeometryd& second = swap ? a : b;
  const Eigen::Isometry3d& X_W1 = swap ? X_WGb : X_WGa;
  const Eigen::Isometry3d& X_W2 = swap ? X_WGa : X_WGb;
  ctx.distance_result.clear();
  // FCL keeps a result only when it beats min_distance, and prunes every subtree whose bound
  // cannot: starting from the best distance so far skips most of a large mesh.
  ctx.distance_result.min_distance = upper_bound;
  fcl::distance(&first, X_W1, &second, X_W2, ctx.distance_request, ctx.distance_result);
  if (!(ctx.distance_result.min_distance < upper_bound)) return upper_bound;
  Eigen::Vector3d p_W1 = ctx.distance_result.nearest_points[0];
  Eigen::Vector3d p_W2 = ctx.distance_result.nearest_points[1];
  if (first.getObjectType() == fcl::OT_BVH && second.getNodeType() == fcl::GEOM_SPHERE) {
    p_W1 = X_W1 * p_W1;
    const double radius = static_cast<const fcl::Sphered&>(second).radius;
    const Eigen::Vector3d center = X_W2.translation();
    p_W2 = center + radius * (p_W1 - center).normalized();
  }
  *p_Wa = swap ? p_W2 : p_W1;
  *p_Wb = swap ? p_W1 : p_W2;
  return ctx.distance_result.min_distance;
}

namespace {
bool SpheresOverlap(const Eigen::Vector3d& ca, double ra, const Eigen::Vector3d& cb, double rb) {
  const double r = ra + rb;
  return (ca - cb).squaredNorm() <= r * r;
}
}  // namespace

bool IsPrimitive(const fcl::CollisionGeometryd& g) {
  const fcl::NODE_TYPE t = g.getNodeType();
  return t == fcl::GEOM_BOX || t == fcl::GEOM_CYLINDER || t == fcl::GEOM_SPHERE;
}

namespace {

// m: how much farther apart than the margin two primitives' boxes must be to skip the exact
// test: far more than the narrowphase's tolerances (1e-6), so that its answer is never changed.
constexpr double kBoxSlack = 1e-4;

// True when the local boxes of two primitives (each contains its shape), the first grown by
// `grow`, are disjoint (FCL's separating-axis test of two oriented boxes): then so are the
// shapes grown by less.
bool PrimitiveBoxesApart(const fcl::CollisionGeometryd& a, const Eigen::Isometry3d& X_WA,
                         const fcl::CollisionGeometryd& b, const Eigen::Isometry3d& X_WB,
                         double grow) {
  const fcl::AABBd& box_a = a.aabb_local;
  const fcl::AABBd& box_b = b.aabb_local;
  const Eigen::Isometry3d X_AB = X_WA.inverse() * X_WB;
  const Eigen::Vector3d center_a = 0.5 * (box_a.min_ + box_a.max_);
  const Eigen::Vector3d center_b = X_AB * (0.5 * (box_b.min_ + box_b.max_));
  const Eigen::Vector3d half_a =
      0.5 * (box_a.max_ - box_a.min_) + Eigen::Vector3d::Constant(grow + kBoxSlack);
  const Eigen::Vector3d half_b = 0.5 * (box_b.max_ - box_b.min_);
  return fcl::obbDisjoint<double>(X_AB.linear(), center_b - center_a, half_a, half_b);
}

}  // namespace

bool PartCollides(CollisionContext::Impl& ctx, const Part& part, const Eigen::Isometry3d& X_WG,
                  const fcl::CollisionGeometryd& other, const Eigen::Isometry3d& X_WO,
                  double margin) {
  // Two primitives whose boxes are apart need no exact test (cheaper than GJK by far).
  if (!UsesPlainFcl(ctx) && IsPrimitive(*part.geometry) && IsPrimitive(other) &&
      PrimitiveBoxesApart(*part.geometry, X_WG, other, X_WO, std::max(margin, 0.0))) {
    return false;
  }
  if (margin <= 0.0) return GeometriesCollide(ctx, *part.geometry, X_WG, other, X_WO);
  // Primitives grown by the margin on every side contain the part's margin neighbourhood.
  switch (part.geometry->getNodeType()) {
    case fcl::GEOM_BOX: {
      fcl::Boxd& grown = ctx.grown_box;
      grown.side = static_cast<const fcl::Boxd&>(*part.geometry).side.array() + 2.0 * margin;
      grown.computeLocalAABB();
      return GeometriesCollide(ctx, grown, X_WG, other, X_WO);
    }
    case fcl::GEOM_CYLINDER: {
      const auto& cylinder = static_cast<const fcl::Cylinderd&>(*part.geometry);
      fcl::Cylinderd& grown = ctx.grown_cylinder;
      grown.radius = cylinder.radius + margin;
      grown.lz = cylinder.lz + 2.0 * margin;
      grown.computeLocalAABB();
      return GeometriesCollide(ctx, grown, X_WG, other, X_WO);
    }
    case fcl::GEOM_SPHERE: {
      fcl::Sphered& grown = ctx.grown_sphere;
      grown.radius = static_cast<const fcl::Sphered&>(*part.geometry).radius + margin;
      grown.computeLocalAABB();
      return GeometriesCollide(ctx, grown, X_WG, other, X_WO);
    }
    default: {  // a mesh: in contact, or nearer than the margin
      if (!UsesPlainFcl(ctx) && CanUseMeshShapeTraversal(*part.geometry, other)) {
        return MeshShapeWithin(ctx, *part.geometry, X_WG, other, X_WO, margin);
      }
      if (GeometriesCollide(ctx, *part.geometry, X_WG, other, X_WO)) return true;
      Eigen::Vector3d p_a;
      Eigen::Vector3d p_b;
      return GeometryDistance(ctx, *part.geometry, X_WG, other, X_WO, margin, &p_a, &p_b) < margin;
    }
  }
}

bool BodiesCollide(CollisionContext::Impl& ctx, const Body& a, const Eigen::Isometry3d& X_WA,
                   const Body& b, const Eigen::Isometry3d& X_WB, double margin) {
  if (a.empty() || b.empty()) return false;
  if (!SpheresOverlap(X_WA * a.sphere_B.center, a.sphere_B.radius + margin,
                      X_WB * b.sphere_B.center, b.sphere_B.radius)) {
    return false;
  }
  for (const Part& pa : a.parts) {
    const Eigen::Vector3d ca = X_WA * pa.sphere_B.center;
    for (const Part& pb : b.parts) {
      if (!SpheresOverlap(ca, pa.sphere_B.radius + margin, X_WB * pb.sphere_B.center,
                          pb.sphere_B.radius)) {
        continue;
      }
      if (PartCollides(ctx, pa, X_WA * pa.X_BG, *pb.geometry, X_WB * pb.X_BG, margin)) {
        return true;
      }
    }
  }
  return false;
}

double RigidChord(const Eigen::Isometry3d& X_a, const Eigen::Isometry3d& X_b,
                  const Eigen::Vector3d& center, double radius) {
  const double rotation = (X_b.linear() - X_a.linear()).norm() * std::sqrt(0.5);
  return (X_b * center - X_a * center).norm() + rotation * radius;
}

void BodyPosesFromBase(const RobotData& robot, RobotScratch& scratch) {
  const std::size_t links = scratch.X_BL.size();
  for (std::size_t k = 0; k < links; ++k) scratch.X_WBody[k] = robot.X_WB * scratch.X_BL[k];
  scratch.X_WBody[links] = scratch.X_WBody[links - 1];
}

}  // namespace weldcell::collision::internal
