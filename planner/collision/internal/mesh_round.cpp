// Contact between a mesh and a round primitive (cylinder, sphere), with a tighter pruning of the
// mesh's hierarchy than FCL's own traversal.
//
// Why: FCL prunes a mesh's OBBRSS hierarchy against a primitive with the primitive's oriented box
// only. A cylinder's box reaches (√2 − 1)·r beyond its surface along the diagonals (5.4 cm for a
// forearm of r = 13 cm), a sphere's (√3 − 1)·r, so a gun mesh working 2–4 cm from the forearm
// lies inside that box over a large area, and FCL runs its GJK/MPR narrowphase on every small
// triangle there, at every configuration: reach on such a station spent about 90 % of its time in
// those leaf tests (perf; bench/planner/reach BM_ReachCloseGun). Here a node must touch the box AND
// the primitive's capsule (the cylinder's axis segment swept by its radius, or the sphere
// itself), tested on the node's RSS; box ∩ capsule is exactly the cylinder, so only nodes near the
// surface survive. Leaves call the same FCL narrowphase as FCL's traversal with the same
// arguments, so the answer is FCL's (a node is pruned only when it is clearly apart, by more than
// kPruneSlack, far above the narrowphase's tolerance).

#include <fcl/geometry/bvh/BVH_model.h>
#include <fcl/geometry/shape/cylinder.h>
#include <fcl/geometry/shape/sphere.h>
#include <fcl/math/bv/OBBRSS.h>
#include <fcl/narrowphase/detail/gjk_solver_libccd.h>

#include "planner/collision/internal/world_impl.hpp"
#include "planner/common/check.hpp"

namespace weldcell::collision::internal {
namespace {

// m. Nodes nearer than this to the capsule are kept: libccd's MPR may call a triangle within
// its tolerance (1e-6 m by default) of the shape intersecting, and FCL's answer must not change.
constexpr double kPruneSlack = 1e-4;

bool IsRound(const fcl::CollisionGeometryd& g) {
  return g.getNodeType() == fcl::GEOM_CYLINDER || g.getNodeType() == fcl::GEOM_SPHERE;
}

bool IsOBBRSSMesh(const fcl::CollisionGeometryd& g) { return g.getNodeType() == fcl::BV_OBBRSS; }

template <typename Shape>
bool Traverse(CollisionContext::Impl& ctx, const fcl::BVHModel<fcl::OBBRSSd>& mesh,
              const Eigen::Isometry3d& X_WM, const Shape& shape, const Eigen::Isometry3d& X_WS,
              const fcl::OBBd& box_M, const fcl::RSSd& capsule_M) {
  fcl::detail::GJKSolver_libccd<double> solver;
  solver.collision_tolerance = ctx.collision_request.gjk_tolerance;
  std::vector<int>& stack = ctx.bvh_stack;
  stack.clear();
  stack.push_back(0);
  while (!stack.empty()) {
    const int id = stack.back();
    stack.pop_back();
    const fcl::BVNode<fcl::OBBRSSd>& node = mesh.getBV(id);
    if (!node.bv.obb.overlap(box_M)) continue;
    if (node.bv.rss.distance(capsule_M) > kPruneSlack) continue;
    if (node.isLeaf()) {
      const fcl::Triangle& t = mesh.tri_indices[node.primitiveId()];
      // As FCL's meshShapeCollisionOrientedNodeLeafTesting (vertices in the mesh frame).
      if (solver.shapeTriangleIntersect(shape, X_WS, mesh.vertices[t[0]], mesh.vertices[t[1]],
                                        mesh.vertices[t[2]], X_WM, nullptr, nullptr, nullptr)) {
        return true;
      }
      continue;
    }
    stack.push_back(node.rightChild());
    stack.push_back(node.leftChild());
  }
  return false;
}

}  // namespace

bool CanCollideMeshRound(const fcl::CollisionGeometryd& a, const fcl::CollisionGeometryd& b) {
  return (IsOBBRSSMesh(a) && IsRound(b)) || (IsRound(a) && IsOBBRSSMesh(b));
}

bool MeshRoundCollide(CollisionContext::Impl& ctx, const fcl::CollisionGeometryd& a,
                      const Eigen::Isometry3d& X_WGa, const fcl::CollisionGeometryd& b,
                      const Eigen::Isometry3d& X_WGb) {
  WELDCELL_CHECK(CanCollideMeshRound(a, b));
  const bool mesh_first = IsOBBRSSMesh(a);
  const auto& mesh = static_cast<const fcl::BVHModel<fcl::OBBRSSd>&>(mesh_first ? a : b);
  const fcl::CollisionGeometryd& round = mesh_first ? b : a;
  const Eigen::Isometry3d& X_WM = mesh_first ? X_WGa : X_WGb;
  const Eigen::Isometry3d& X_WS = mesh_first ? X_WGb : X_WGa;
  if (mesh.getNumBVs() == 0) return false;
  const Eigen::Isometry3d X_MS = X_WM.inverse() * X_WS;
  const Eigen::Matrix3d R = X_MS.linear();
  const Eigen::Vector3d p = X_MS.translation();
  // The shape's box and capsule in the mesh frame, where the hierarchy's volumes are.
  fcl::OBBd box;
  box.axis = R;
  box.To = p;
  fcl::RSSd capsule;
  // RSS rectangle frame: first column along the longest side, third the rectangle's normal.
  capsule.axis.col(0) = R.col(2);
  capsule.axis.col(1) = R.col(0);
  capsule.axis.col(2) = R.col(1);
  if (round.getNodeType() == fcl::GEOM_CYLINDER) {
    const auto& cylinder = static_cast<const fcl::Cylinderd&>(round);
    box.extent = Eigen::Vector3d(cylinder.radius, cylinder.radius, 0.5 * cylinder.lz);
    capsule.To = p - 0.5 * cylinder.lz * R.col(2);
    capsule.l[0] = cylinder.lz;
    capsule.l[1] = 0.0;
    capsule.r = cylinder.radius;
    return Traverse(ctx, mesh, X_WM, cylinder, X_WS, box, capsule);
  }
  const auto& sphere = static_cast<const fcl::Sphered&>(round);
  box.extent.setConstant(sphere.radius);
  capsule.To = p;
  capsule.l[0] = 0.0;
  capsule.l[1] = 0.0;
  capsule.r = sphere.radius;
  return Traverse(ctx, mesh, X_WM, sphere, X_WS, box, capsule);
}

}  // namespace weldcell::collision::internal
