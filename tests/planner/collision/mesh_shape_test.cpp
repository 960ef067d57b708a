// MeshShapeCollide and MeshShapeWithin (the collision module's mesh-against-primitive traversal)
// must give exactly FCL's answers: they only prune more of the mesh's hierarchy.

#include <fcl/geometry/shape/box.h>
#include <fcl/geometry/shape/cylinder.h>
#include <fcl/geometry/shape/sphere.h>
#include <fcl/narrowphase/collision.h>
#include <fcl/narrowphase/distance.h>
#include <gtest/gtest.h>

#include <Eigen/Geometry>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "planner/collision/internal/world_impl.hpp"
#include "tests/planner/close_gun.hpp"

namespace weldcell::collision::internal {
namespace {

constexpr double kPi = 3.141592653589793;

bool FclCollide(const fcl::CollisionGeometryd& a, const Eigen::Isometry3d& X_a,
                const fcl::CollisionGeometryd& b, const Eigen::Isometry3d& X_b) {
  fcl::CollisionRequestd request;
  request.num_max_contacts = 1;
  fcl::CollisionResultd result;
  fcl::collide(&a, X_a, &b, X_b, request, result);
  return result.isCollision();
}

double FclDistance(const fcl::CollisionGeometryd& a, const Eigen::Isometry3d& X_a,
                   const fcl::CollisionGeometryd& b, const Eigen::Isometry3d& X_b) {
  fcl::DistanceRequestd request;
  fcl::DistanceResultd result;
  fcl::distance(&a, X_a, &b, X_b, request, result);
  return result.min_distance;
}

// Random triangles in a 0.4 m cube: an unstructured mesh with triangles of every size and slant.
std::shared_ptr<const cell::Mesh> TriangleSoup(std::mt19937_64& rng, int triangles) {
  std::uniform_real_distribution<double> coordinate(-0.2, 0.2);
  std::uniform_real_distribution<double> edge(-0.08, 0.08);
  auto mesh = std::make_shared<cell::Mesh>();
  for (int t = 0; t < triangles; ++t) {
    const Eigen::Vector3d a(coordinate(rng), coordinate(rng), coordinate(rng));
    const auto base = static_cast<std::uint32_t>(mesh->vertices.size());
    mesh->vertices.push_back(a);
    mesh->vertices.push_back(a + Eigen::Vector3d(edge(rng), edge(rng), edge(rng)));
    mesh->vertices.push_back(a + Eigen::Vector3d(edge(rng), edge(rng), edge(rng)));
    mesh->triangles.push_back({base, base + 1, base + 2});
  }
  return mesh;
}

Eigen::Isometry3d RandomPose(std::mt19937_64& rng, double spread) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  Eigen::Isometry3d X = Eigen::Isometry3d::Identity();
  X.linear() = Eigen::Quaterniond(Eigen::Vector4d(u(rng), u(rng), u(rng), u(rng)).normalized())
                   .toRotationMatrix();
  X.translation() = spread * Eigen::Vector3d(u(rng), u(rng), u(rng));
  return X;
}

struct Tally {
  int contact = 0;
  int near_miss = 0;  // free, closer than 3 cm: where FCL's box-only pruning tests triangles
};

// Random spheres, cylinders of 2–30 cm radius and boxes of 4–60 cm sides around `mesh_shape`, in
// both argument orders, against fcl::collide.
Tally CompareWithFcl(const cell::Shape& mesh_shape, std::uint64_t seed, int poses) {
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const std::shared_ptr<const fcl::CollisionGeometryd> mesh = MakeFclGeometry(mesh_shape);
  CollisionContext::Impl ctx;
  ctx.collision_request.num_max_contacts = 1;
  std::uniform_real_distribution<double> radius(0.02, 0.3);
  std::uniform_real_distribution<double> length(0.05, 1.0);
  Tally tally;
  for (int i = 0; i < poses; ++i) {
    const Eigen::Isometry3d X_WM = RandomPose(rng, 0.5);
    std::shared_ptr<fcl::CollisionGeometryd> shape;
    if (i % 3 == 0) {
      shape = std::make_shared<fcl::Sphered>(radius(rng));
    } else if (i % 3 == 1) {
      shape = std::make_shared<fcl::Cylinderd>(radius(rng), length(rng));
    } else {
      shape = std::make_shared<fcl::Boxd>(2.0 * radius(rng), 2.0 * radius(rng), length(rng));
    }
    shape->computeLocalAABB();
    const Eigen::Isometry3d X_WS = X_WM * RandomPose(rng, 0.45);
    const bool expected = FclCollide(*mesh, X_WM, *shape, X_WS);
    EXPECT_EQ(MeshShapeCollide(ctx, *mesh, X_WM, *shape, X_WS), expected) << "pose " << i;
    EXPECT_EQ(MeshShapeCollide(ctx, *shape, X_WS, *mesh, X_WM), expected) << "pose " << i;
    if (::testing::Test::HasFailure()) return tally;  // the first disagreement says enough
    if (expected) {
      ++tally.contact;
    } else if (FclDistance(*mesh, X_WM, *shape, X_WS) < 0.03) {
      ++tally.near_miss;
    }
  }
  return tally;
}

TEST(MeshShapeCollideTest, SameAnswerAsFclForATessellatedBox) {
  const Tally tally = CompareWithFcl(
      cell::Shape::FromMesh(testing::TessellatedBox({0.15, 0.24, 0.5}, 8)), 20261129, 600);
  // The comparison covers both outcomes and the close calls the pruning is for.
  EXPECT_GT(tally.contact, 60);
  EXPECT_GT(tally.near_miss, 20);
}

TEST(MeshShapeCollideTest, SameAnswerAsFclForATriangleSoup) {
  std::mt19937_64 rng(7);
  const Tally tally = CompareWithFcl(cell::Shape::FromMesh(TriangleSoup(rng, 400)), 11, 600);
  EXPECT_GT(tally.contact, 60);
  EXPECT_GT(tally.near_miss, 20);
}

// `shape` turned by `R` and moved along x through contact with the +x face of a tessellated
// 0.2 m box in 0.1 mm steps (`reach`: how far the shape reaches along −x from its origin): the
// pruning slack and the narrowphase must not disagree at the boundary. Returns the steps in
// contact.
int ContactsThroughAFace(const fcl::CollisionGeometryd& shape, const Eigen::Matrix3d& R,
                         double reach) {
  const std::shared_ptr<const fcl::CollisionGeometryd> mesh =
      MakeFclGeometry(cell::Shape::FromMesh(testing::TessellatedBox({0.2, 0.2, 0.2}, 10)));
  CollisionContext::Impl ctx;
  ctx.collision_request.num_max_contacts = 1;
  int contacts = 0;
  for (int step = -20; step <= 20; ++step) {
    Eigen::Isometry3d X_WS = Eigen::Isometry3d::Identity();
    X_WS.linear() = R;
    X_WS.translation() = Eigen::Vector3d(0.1 + reach + 1e-4 * step, 0.0, 0.0);
    const bool expected = FclCollide(*mesh, Eigen::Isometry3d::Identity(), shape, X_WS);
    EXPECT_EQ(MeshShapeCollide(ctx, *mesh, Eigen::Isometry3d::Identity(), shape, X_WS), expected)
        << "step " << step;
    contacts += expected ? 1 : 0;
  }
  return contacts;
}

TEST(MeshShapeCollideTest, ShapesJustApartOrJustTouchingAgreeWithFcl) {
  // A cylinder lying along a face of the box (axis along y, longer than the box).
  fcl::Cylinderd cylinder(0.13, 0.8);
  cylinder.computeLocalAABB();
  const int contacts = ContactsThroughAFace(
      cylinder, Eigen::AngleAxisd(0.5 * kPi, Eigen::Vector3d::UnitX()).toRotationMatrix(), 0.13);
  EXPECT_GT(contacts, 0);
  EXPECT_LT(contacts, 41);
}

TEST(MeshShapeCollideTest, ABoxJustApartOrJustTouchingAgreesWithFcl) {
  // A tilted box (a gun's jaw) against the face.
  fcl::Boxd box(0.06, 0.3, 0.12);
  box.computeLocalAABB();
  const int contacts = ContactsThroughAFace(
      box, Eigen::AngleAxisd(0.3, Eigen::Vector3d::UnitX()).toRotationMatrix(), 0.03);
  EXPECT_GT(contacts, 0);
  EXPECT_LT(contacts, 41);
}

// PartCollides' test for a mesh part with a margin, by plain FCL: contact, or nearer than it.
bool FclWithin(const fcl::CollisionGeometryd& a, const Eigen::Isometry3d& X_a,
               const fcl::CollisionGeometryd& b, const Eigen::Isometry3d& X_b, double margin) {
  if (FclCollide(a, X_a, b, X_b)) return true;
  if (margin <= 0.0) return false;
  fcl::DistanceRequestd request;
  fcl::DistanceResultd result;
  result.min_distance = margin;
  fcl::distance(&a, X_a, &b, X_b, request, result);
  return result.min_distance < margin;
}

// Random boxes, cylinders and spheres around a mesh, margins 0 to 2 cm, both argument orders.
TEST(MeshShapeWithinTest, SameAnswerAsFclContactOrDistanceBelowTheMargin) {
  constexpr std::uint64_t kSeed = 424242;
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  std::mt19937_64 rng(kSeed);
  const std::shared_ptr<const fcl::CollisionGeometryd> box_mesh =
      MakeFclGeometry(cell::Shape::FromMesh(testing::TessellatedBox({0.15, 0.24, 0.5}, 8)));
  const std::shared_ptr<const fcl::CollisionGeometryd> soup =
      MakeFclGeometry(cell::Shape::FromMesh(TriangleSoup(rng, 300)));
  CollisionContext::Impl ctx;
  ctx.collision_request.num_max_contacts = 1;
  std::uniform_real_distribution<double> size(0.02, 0.3);
  const double margins[] = {0.0, 0.0025, 0.005, 0.02};
  int within = 0;
  int close_but_not_within = 0;
  for (int i = 0; i < 900; ++i) {
    const fcl::CollisionGeometryd& mesh = i % 2 == 0 ? *box_mesh : *soup;
    std::shared_ptr<fcl::CollisionGeometryd> shape;
    switch (i % 3) {
      case 0:
        shape = std::make_shared<fcl::Boxd>(size(rng), size(rng), 2.0 * size(rng));
        break;
      case 1:
        shape = std::make_shared<fcl::Cylinderd>(size(rng), 3.0 * size(rng));
        break;
      default:
        shape = std::make_shared<fcl::Sphered>(size(rng));
        break;
    }
    shape->computeLocalAABB();
    const double margin = margins[(i / 3) % 4];
    const Eigen::Isometry3d X_WM = RandomPose(rng, 0.5);
    const Eigen::Isometry3d X_WS = X_WM * RandomPose(rng, 0.45);
    const bool expected = FclWithin(mesh, X_WM, *shape, X_WS, margin);
    EXPECT_EQ(MeshShapeWithin(ctx, mesh, X_WM, *shape, X_WS, margin), expected)
        << "pose " << i << ", margin " << margin;
    EXPECT_EQ(MeshShapeWithin(ctx, *shape, X_WS, mesh, X_WM, margin), expected)
        << "pose " << i << ", margin " << margin;
    if (HasFailure()) return;
    if (expected) {
      ++within;
    } else if (FclDistance(mesh, X_WM, *shape, X_WS) < margin + 0.03) {
      ++close_but_not_within;
    }
  }
  EXPECT_GT(within, 100);
  EXPECT_GT(close_but_not_within, 30);
}

TEST(MeshShapeWithinTest, ABoxSlidTowardsAMeshBecomesWithinAtTheMargin) {
  // A box parallel to a face of the mesh box, 0.1 mm steps across the 5 mm margin.
  const std::shared_ptr<const fcl::CollisionGeometryd> mesh =
      MakeFclGeometry(cell::Shape::FromMesh(testing::TessellatedBox({0.2, 0.2, 0.2}, 10)));
  fcl::Boxd box(0.1, 0.4, 0.4);
  box.computeLocalAABB();
  CollisionContext::Impl ctx;
  ctx.collision_request.num_max_contacts = 1;
  int within = 0;
  for (int step = -20; step <= 20; ++step) {
    Eigen::Isometry3d X_WS = Eigen::Isometry3d::Identity();
    X_WS.translation() = Eigen::Vector3d(0.1 + 0.05 + 0.005 + 1e-4 * step, 0.0, 0.0);
    const bool expected = FclWithin(*mesh, Eigen::Isometry3d::Identity(), box, X_WS, 0.005);
    EXPECT_EQ(MeshShapeWithin(ctx, *mesh, Eigen::Isometry3d::Identity(), box, X_WS, 0.005),
              expected)
        << "step " << step;
    within += expected ? 1 : 0;
  }
  EXPECT_GT(within, 0);
  EXPECT_LT(within, 41);
}

}  // namespace
}  // namespace weldcell::collision::internal
