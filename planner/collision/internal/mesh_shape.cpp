// Contact between a mesh and a primitive (box, cylinder, sphere), with or without a margin, with a
// tighter pruning of the mesh's hierarchy than FCL's own traversals.
//
// Why: FCL prunes a mesh's OBBRSS hierarchy against a primitive with one bounding volume of the
// primitive: its oriented box for contact, its RSS for distance. A cylinder's box reaches
// (√2 − 1)·r beyond its surface along the diagonals (5.4 cm for a forearm of r = 13 cm), a
// sphere's (√3 − 1)·r, and a box's RSS rounds the box out by half its smallest side; so a gun mesh
// working 2–4 cm from a forearm lies inside that volume over a large area, and FCL runs its
// GJK/MPR narrowphase on every small triangle there, at every configuration: reach on such a
// station spent 92 % of its time in FCL's mesh–cylinder collide, 61 % in its triangle tests
// (perf; bench/planner/reach BM_ReachCloseGun: 27× faster with this traversal). Here a node must
// touch the primitive's box (grown by the margin) AND, for a cylinder or sphere, its capsule (the
// axis segment swept by radius + margin; a sphere is its own capsule), tested on the node's OBB and
// RSS; box ∩ capsule is exactly the cylinder, so only nodes near the surface survive. Leaves call
// the same FCL narrowphase functions as FCL's traversals with the same arguments, so the answer is
// FCL's: a node is pruned only when its OBB is apart from the shape's exact box (which contains
// the shape; FCL's own volume for it is no smaller), or its RSS from the capsule by more than
// kPruneSlack, far above the narrowphase's tolerances. A box gets no tighter pruning than FCL's,
// but fcl::collide fits the shape's OBBRSS anew on every call (an eigen-decomposition and a
// rectangle fit): on station L those fits were 7 % of all the planner's time (perf, 2026-12-01);
// here the box is the shape's own. (Only a triangle within rounding, ~1e-15 m, of a box corner
// could be pruned where FCL's looser volume keeps it; there libccd's answer is arbitrary anyway.)

#include <fcl/geometry/bvh/BVH_model.h>
#include <fcl/geometry/shape/box.h>
#include <fcl/geometry/shape/cylinder.h>
#include <fcl/geometry/shape/sphere.h>
#include <fcl/math/bv/OBBRSS.h>
#include <fcl/narrowphase/detail/gjk_solver_libccd.h>

#include <cmath>
#include <limits>
#include <optional>

#include "planner/collision/internal/world_impl.hpp"
#include "planner/common/check.hpp"

namespace weldcell::collision::internal {
namespace {

// m. Nodes nearer than this (beyond the margin) are kept: libccd's MPR may call a triangle within
// its tolerance (1e-6 m by default) of the shape intersecting, and FCL's answer must not change.
constexpr double kPruneSlack = 1e-4;

bool IsOBBRSSMesh(const fcl::CollisionGeometryd& g) { return g.getNodeType() == fcl::BV_OBBRSS; }

// True when a triangle of `mesh` intersects `shape` (FCL's MPR, as fcl::collide) or, with a
// margin > 0, is nearer than `margin` to it (FCL's GJK distance, as fcl::distance: a distance
// traversal started at upper bound `margin` returns less than it exactly when some triangle is).
template <typename Shape>
bool Traverse(CollisionContext::Impl& ctx, const fcl::BVHModel<fcl::OBBRSSd>& mesh,
              const Eigen::Isometry3d& X_WM, const Shape& shape, const Eigen::Isometry3d& X_WS,
              double margin, const fcl::OBBd& box_M, const std::optional<fcl::RSSd>& capsule_M) {
  fcl::detail::GJKSolver_libccd<double> solver;
  solver.collision_tolerance = ctx.collision_request.gjk_tolerance;
  solver.distance_tolerance = ctx.distance_request.distance_tolerance;
  std::vector<int>& stack = ctx.bvh_stack;
  stack.clear();
  stack.push_back(0);
  while (!stack.empty()) {
    const int id = stack.back();
    stack.pop_back();
    const fcl::BVNode<fcl::OBBRSSd>& node = mesh.getBV(id);
    if (!node.bv.obb.overlap(box_M)) continue;
    if (capsule_M && node.bv.rss.distance(*capsule_M) > kPruneSlack) continue;
    if (!node.isLeaf()) {
      stack.push_back(node.rightChild());
      stack.push_back(node.leftChild());
      continue;
    }
    // The vertices in the mesh frame and both transforms, as FCL's leaf tests pass them.
    const fcl::Triangle& t = mesh.tri_indices[node.primitiveId()];
    const Eigen::Vector3d& p1 = mesh.vertices[t[0]];
    const Eigen::Vector3d& p2 = mesh.vertices[t[1]];
    const Eigen::Vector3d& p3 = mesh.vertices[t[2]];
    if (margin > 0.0) {
      // Not separated: GJK's −1 (below any margin) or, for a sphere, the distance left unset;
      // the contact test below then decides.
      double distance = std::numeric_limits<double>::infinity();
      const bool separated =
          solver.shapeTriangleDistance(shape, X_WS, p1, p2, p3, X_WM, &distance, nullptr, nullptr);
      if (distance < margin) return true;
      if (separated && distance >= kPruneSlack) continue;  // clearly apart: no contact either
    }
    if (solver.shapeTriangleIntersect(shape, X_WS, p1, p2, p3, X_WM, nullptr, nullptr, nullptr)) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool CanUseMeshShapeTraversal(const fcl::CollisionGeometryd& a, const fcl::CollisionGeometryd& b) {
  return (IsOBBRSSMesh(a) && IsPrimitive(b)) || (IsPrimitive(a) && IsOBBRSSMesh(b));
}

bool MeshShapeCollide(CollisionContext::Impl& ctx, const fcl::CollisionGeometryd& a,
                      const Eigen::Isometry3d& X_WGa, const fcl::CollisionGeometryd& b,
                      const Eigen::Isometry3d& X_WGb) {
  return MeshShapeWithin(ctx, a, X_WGa, b, X_WGb, 0.0);
}

bool MeshShapeWithin(CollisionContext::Impl& ctx, const fcl::CollisionGeometryd& a,
                     const Eigen::Isometry3d& X_WGa, const fcl::CollisionGeometryd& b,
                     const Eigen::Isometry3d& X_WGb, double margin) {
  WELDCELL_CHECK(CanUseMeshShapeTraversal(a, b));
  WELDCELL_CHECK(margin >= 0.0 && std::isfinite(margin));
  const bool mesh_first = IsOBBRSSMesh(a);
  const auto& mesh = static_cast<const fcl::BVHModel<fcl::OBBRSSd>&>(mesh_first ? a : b);
  const fcl::CollisionGeometryd& shape = mesh_first ? b : a;
  const Eigen::Isometry3d& X_WM = mesh_first ? X_WGa : X_WGb;
  const Eigen::Isometry3d& X_WS = mesh_first ? X_WGb : X_WGa;
  if (mesh.getNumBVs() == 0) return false;
  const Eigen::Isometry3d X_MS = X_WM.inverse() * X_WS;
  const Eigen::Matrix3d R = X_MS.linear();
  const Eigen::Vector3d p = X_MS.translation();
  // The shape's box and capsule grown by the margin, in the mesh frame where the hierarchy's
  // volumes are. A box grown by the margin on each side contains the margin neighbourhood.
  fcl::OBBd box;
  box.axis = R;
  box.To = p;
  fcl::RSSd capsule;
  // RSS rectangle frame: first column along the longest side, third the rectangle's normal.
  capsule.axis.col(0) = R.col(2);
  capsule.axis.col(1) = R.col(0);
  capsule.axis.col(2) = R.col(1);
  switch (shape.getNodeType()) {
    case fcl::GEOM_BOX: {
      const auto& s = static_cast<const fcl::Boxd&>(shape);
      box.extent = 0.5 * s.side + Eigen::Vector3d::Constant(margin);
      return Traverse(ctx, mesh, X_WM, s, X_WS, margin, box, std::nullopt);
    }
    case fcl::GEOM_CYLINDER: {
      const auto& s = static_cast<const fcl::Cylinderd&>(shape);
      box.extent =
          Eigen::Vector3d(s.radius, s.radius, 0.5 * s.lz) + Eigen::Vector3d::Constant(margin);
      capsule.To = p - 0.5 * s.lz * R.col(2);
      capsule.l[0] = s.lz;
      capsule.l[1] = 0.0;
      capsule.r = s.radius + margin;
      return Traverse(ctx, mesh, X_WM, s, X_WS, margin, box, capsule);
    }
    default: {
      const auto& s = static_cast<const fcl::Sphered&>(shape);
      box.extent.setConstant(s.radius + margin);
      capsule.To = p;
      capsule.l[0] = 0.0;
      capsule.l[1] = 0.0;
      capsule.r = s.radius + margin;
      return Traverse(ctx, mesh, X_WM, s, X_WS, margin, box, capsule);
    }
  }
}

}  // namespace weldcell::collision::internal
