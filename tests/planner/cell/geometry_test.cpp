// Closed-mesh tests and point containment (planner/cell/geometry.hpp).

#include "planner/cell/geometry.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

namespace weldcell::cell {
namespace {

/// Axis-aligned cube [-h, h]³ with outward-facing triangles and shared corners.
Mesh Cube(double h = 0.5) {
  Mesh m;
  for (int i = 0; i < 8; ++i) {
    m.vertices.emplace_back(i & 1 ? h : -h, i & 2 ? h : -h, i & 4 ? h : -h);
  }
  // Two counter-clockwise (seen from outside) triangles per face.
  m.triangles = {{0, 2, 1}, {1, 2, 3}, {4, 5, 6}, {5, 7, 6}, {0, 1, 4}, {1, 5, 4},
                 {2, 6, 3}, {3, 6, 7}, {0, 4, 2}, {2, 4, 6}, {1, 3, 5}, {3, 7, 5}};
  return m;
}

/// The same cube as an STL file stores it: three own corners per triangle.
Mesh Unshared(const Mesh& in) {
  Mesh m;
  for (const auto& t : in.triangles) {
    const auto n = static_cast<std::uint32_t>(m.vertices.size());
    for (int k = 0; k < 3; ++k) m.vertices.push_back(in.vertices[t[k]]);
    m.triangles.push_back({n, n + 1, n + 2});
  }
  return m;
}

/// A UV sphere of radius r: closed, 2·n·(n-1) triangles.
Mesh Sphere(double r, int n) {
  Mesh m;
  m.vertices.emplace_back(0, 0, r);
  for (int i = 1; i < n; ++i) {
    const double theta = std::numbers::pi * i / n;
    for (int j = 0; j < 2 * n; ++j) {
      const double phi = std::numbers::pi * j / n;
      m.vertices.emplace_back(r * std::sin(theta) * std::cos(phi),
                              r * std::sin(theta) * std::sin(phi), r * std::cos(theta));
    }
  }
  m.vertices.emplace_back(0, 0, -r);
  const auto ring = [n](int i, int j) {
    return static_cast<std::uint32_t>(1 + (i - 1) * 2 * n + (j % (2 * n)));
  };
  const auto bottom = static_cast<std::uint32_t>(m.vertices.size() - 1);
  for (int j = 0; j < 2 * n; ++j) {
    m.triangles.push_back({0, ring(1, j), ring(1, j + 1)});
    m.triangles.push_back({bottom, ring(n - 1, j + 1), ring(n - 1, j)});
    for (int i = 1; i + 1 < n; ++i) {
      m.triangles.push_back({ring(i, j), ring(i + 1, j), ring(i + 1, j + 1)});
      m.triangles.push_back({ring(i, j), ring(i + 1, j + 1), ring(i, j + 1)});
    }
  }
  return m;
}

TEST(IsClosedMeshTest, CubeAndSphereAreClosed) {
  EXPECT_TRUE(IsClosedMesh(Cube()));
  EXPECT_TRUE(IsClosedMesh(Sphere(0.3, 12)));
}

TEST(IsClosedMeshTest, CornersRepeatedPerTriangleAreWelded) {
  const Mesh m = Unshared(Cube());
  ASSERT_EQ(m.vertices.size(), 36u);
  EXPECT_TRUE(IsClosedMesh(m));
  // Corners that differ by far less than the mesh size still weld (STL rounding).
  Mesh jittered = m;
  jittered.vertices[5] += Eigen::Vector3d(1e-12, -1e-12, 0);
  EXPECT_TRUE(IsClosedMesh(jittered));
  // A corner moved by a visible amount opens a crack.
  Mesh cracked = m;
  cracked.vertices[5] += Eigen::Vector3d(1e-4, 0, 0);
  EXPECT_FALSE(IsClosedMesh(cracked));
}

TEST(IsClosedMeshTest, OpenInconsistentAndNonManifoldMeshesAreNot) {
  EXPECT_FALSE(IsClosedMesh(Mesh{}));
  Mesh open = Cube();
  open.triangles.pop_back();
  open.triangles.pop_back();  // one face missing
  EXPECT_FALSE(IsClosedMesh(open));
  Mesh flipped = Cube();
  std::swap(flipped.triangles[3][1], flipped.triangles[3][2]);
  EXPECT_FALSE(IsClosedMesh(flipped));
  // Two cubes sharing one edge: four triangles on that edge.
  Mesh two = Cube();
  const Mesh other = Cube();
  const auto n = static_cast<std::uint32_t>(two.vertices.size());
  for (const Eigen::Vector3d& v : other.vertices)
    two.vertices.push_back(v + Eigen::Vector3d(1, 1, 0));
  for (const auto& t : other.triangles) two.triangles.push_back({t[0] + n, t[1] + n, t[2] + n});
  EXPECT_FALSE(IsClosedMesh(two));
  // A single triangle, and two triangles back to back (closed edges, no volume, but valid).
  Mesh one;
  one.vertices = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}};
  one.triangles = {{0, 1, 2}};
  EXPECT_FALSE(IsClosedMesh(one));
  Mesh bad_index = Cube();
  bad_index.triangles[0][0] = 99;
  EXPECT_FALSE(IsClosedMesh(bad_index));
}

TEST(MeshContainsPointTest, CubeInsideOutsideAndNearTheSurface) {
  const Mesh cube = Cube(0.5);
  EXPECT_TRUE(MeshContainsPoint(cube, Eigen::Vector3d::Zero()));
  EXPECT_TRUE(MeshContainsPoint(cube, Eigen::Vector3d(0.49, -0.49, 0.3)));
  EXPECT_FALSE(MeshContainsPoint(cube, Eigen::Vector3d(0.51, 0, 0)));
  EXPECT_FALSE(MeshContainsPoint(cube, Eigen::Vector3d(3, 4, 5)));
  // Just inside / outside a face, along a triangle's diagonal edge, an edge and a corner:
  // the rays of a parity test would hit these exactly.
  for (const Eigen::Vector3d& s :
       {Eigen::Vector3d(0.5, 0, 0), Eigen::Vector3d(0.5, 0.1, 0.1), Eigen::Vector3d(0.5, 0.5, 0),
        Eigen::Vector3d(0.5, 0.5, 0.5), Eigen::Vector3d(0, 0, -0.5)}) {
    const Eigen::Vector3d inward = -s.normalized();
    EXPECT_TRUE(MeshContainsPoint(cube, s + 1e-7 * inward)) << s.transpose();
    EXPECT_FALSE(MeshContainsPoint(cube, s - 1e-7 * inward)) << s.transpose();
  }
  // The orientation does not matter (an inside-out mesh still bounds the same solid).
  Mesh inverted = cube;
  for (auto& t : inverted.triangles) std::swap(t[1], t[2]);
  EXPECT_TRUE(MeshContainsPoint(inverted, Eigen::Vector3d(0.1, 0.2, 0.3)));
  EXPECT_FALSE(MeshContainsPoint(inverted, Eigen::Vector3d(1.1, 0.2, 0.3)));
  EXPECT_FALSE(MeshContainsPoint(Mesh{}, Eigen::Vector3d::Zero()));
}

TEST(MeshContainsPointTest, SphereAgreesWithTheRadiusOnRandomPoints) {
  const double r = 0.3;
  const Mesh sphere = Sphere(r, 24);
  // The facets lie inside the true sphere by at most r·(1 - cos(π/24)) ≈ 2.6 mm.
  const double sag = r * (1.0 - std::cos(std::numbers::pi / 24));
  const unsigned seed = 20240611;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-0.5, 0.5);
  int tested = 0;
  for (int i = 0; i < 400; ++i) {
    const Eigen::Vector3d p(u(rng), u(rng), u(rng));
    const double d = p.norm();
    if (d > r - sag - 1e-3 && d < r + 1e-3) continue;  // between the facets and the sphere
    EXPECT_EQ(MeshContainsPoint(sphere, p), d < r) << "seed " << seed << " p " << p.transpose();
    ++tested;
  }
  EXPECT_GT(tested, 300);
}

TEST(DistanceToMeshTest, FacesEdgesAndCorners) {
  const Mesh cube = Cube(0.5);
  EXPECT_NEAR(DistanceToMesh(cube, Eigen::Vector3d::Zero()), 0.5, 1e-12);
  EXPECT_NEAR(DistanceToMesh(cube, Eigen::Vector3d(0.2, 0.1, 0.45)), 0.05, 1e-12);
  EXPECT_NEAR(DistanceToMesh(cube, Eigen::Vector3d(1.5, 0, 0)), 1.0, 1e-12);
  EXPECT_NEAR(DistanceToMesh(cube, Eigen::Vector3d(1.5, 1.5, 0)), std::sqrt(2.0), 1e-12);
  EXPECT_NEAR(DistanceToMesh(cube, Eigen::Vector3d(1.5, 1.5, 1.5)), std::sqrt(3.0), 1e-12);
  EXPECT_TRUE(std::isinf(DistanceToMesh(Mesh{}, Eigen::Vector3d::Zero())));
  // A degenerate (collinear) triangle is its segment.
  Mesh sliver;
  sliver.vertices = {{0, 0, 0}, {1, 0, 0}, {2, 0, 0}};
  sliver.triangles = {{0, 1, 2}};
  EXPECT_NEAR(DistanceToMesh(sliver, Eigen::Vector3d(1.5, 1, 0)), 1.0, 1e-12);
}

}  // namespace
}  // namespace weldcell::cell
