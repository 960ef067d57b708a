// gui/display_mesh: welding, crease-aware normals, flat regions simplified for drawing (Qt-free,
// no display).

#include "gui/display_mesh.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "planner/cell/load.hpp"

namespace weldcell::gui {
namespace {

// A triangle soup as STL gives it: three fresh vertices per triangle.
void AddTriangle(cell::Mesh* mesh, const Eigen::Vector3d& a, const Eigen::Vector3d& b,
                 const Eigen::Vector3d& c) {
  const auto i = static_cast<std::uint32_t>(mesh->vertices.size());
  mesh->vertices.insert(mesh->vertices.end(), {a, b, c});
  mesh->triangles.push_back({i, i + 1, i + 2});
}

void AddQuad(cell::Mesh* mesh, const Eigen::Vector3d& a, const Eigen::Vector3d& b,
             const Eigen::Vector3d& c, const Eigen::Vector3d& d) {
  AddTriangle(mesh, a, b, c);
  AddTriangle(mesh, a, c, d);
}

Eigen::Vector3d Position(const DisplayMesh& m, std::uint32_t v) {
  return {m.vertex_data[6 * v], m.vertex_data[6 * v + 1], m.vertex_data[6 * v + 2]};
}

Eigen::Vector3d Normal(const DisplayMesh& m, std::uint32_t v) {
  return {m.vertex_data[6 * v + 3], m.vertex_data[6 * v + 4], m.vertex_data[6 * v + 5]};
}

cell::Mesh UnitCube() {
  cell::Mesh mesh;
  const auto p = [](int x, int y, int z) { return Eigen::Vector3d(x, y, z); };
  AddQuad(&mesh, p(0, 0, 0), p(0, 1, 0), p(1, 1, 0), p(1, 0, 0));  // -z
  AddQuad(&mesh, p(0, 0, 1), p(1, 0, 1), p(1, 1, 1), p(0, 1, 1));  // +z
  AddQuad(&mesh, p(0, 0, 0), p(1, 0, 0), p(1, 0, 1), p(0, 0, 1));  // -y
  AddQuad(&mesh, p(0, 1, 0), p(0, 1, 1), p(1, 1, 1), p(1, 1, 0));  // +y
  AddQuad(&mesh, p(0, 0, 0), p(0, 0, 1), p(0, 1, 1), p(0, 1, 0));  // -x
  AddQuad(&mesh, p(1, 0, 0), p(1, 1, 0), p(1, 1, 1), p(1, 0, 1));  // +x
  return mesh;
}

TEST(DisplayMeshTest, ACubeKeepsItsCreasesEachCornerOneVertexPerFace) {
  const cell::Mesh cube = UnitCube();
  const DisplayMesh m = MakeDisplayMesh(cube);
  ASSERT_EQ(m.indices.size(), 36u);
  // 8 corners, each seen by 3 faces at 90°: 24 vertices, not 8 (smooth) nor 36 (unwelded).
  EXPECT_EQ(m.vertex_count(), 24u);
  for (std::size_t t = 0; t < cube.triangles.size(); ++t) {
    const auto& tri = cube.triangles[t];
    const Eigen::Vector3d face = (cube.vertices[tri[1]] - cube.vertices[tri[0]])
                                     .cross(cube.vertices[tri[2]] - cube.vertices[tri[0]])
                                     .normalized();
    for (int k = 0; k < 3; ++k) {
      const std::uint32_t v = m.indices[3 * t + static_cast<std::size_t>(k)];
      // Same corner, in order, with the face's own normal.
      EXPECT_LT((Position(m, v) - cube.vertices[tri[static_cast<std::size_t>(k)]]).norm(), 1e-6);
      EXPECT_LT((Normal(m, v) - face).norm(), 1e-6) << "triangle " << t;
    }
  }
}

TEST(DisplayMeshTest, AGentleFoldIsSmoothAndASharpOneIsNot) {
  // Two strips meeting at a ridge along y: at 10° the ridge vertices are shared with a normal
  // between the faces'; at 60° (past the 30° crease angle) each face keeps its own.
  for (const double fold_deg : {10.0, 60.0}) {
    const double a = fold_deg * std::acos(-1.0) / 180;
    cell::Mesh mesh;
    const Eigen::Vector3d r0(0, 0, 0), r1(0, 1, 0);
    const Eigen::Vector3d l0(-1, 0, 0), l1(-1, 1, 0);
    const Eigen::Vector3d e0(std::cos(a), 0, std::sin(a)), e1(std::cos(a), 1, std::sin(a));
    AddQuad(&mesh, l0, r0, r1, l1);
    AddQuad(&mesh, r0, e0, e1, r1);
    const DisplayMesh m = MakeDisplayMesh(mesh);
    ASSERT_EQ(m.indices.size(), 12u);
    std::set<std::uint32_t> ridge;
    for (std::uint32_t v : m.indices) {
      if (std::abs(Position(m, v).x()) < 1e-9) ridge.insert(v);
    }
    if (fold_deg < 30) {
      EXPECT_EQ(m.vertex_count(), 6u);
      ASSERT_EQ(ridge.size(), 2u);
      for (std::uint32_t v : ridge) {
        const Eigen::Vector3d n = Normal(m, v);
        EXPECT_NEAR(n.norm(), 1.0, 1e-6);
        EXPECT_GT(n.z(), std::cos(a));  // between +z and the tilted face's normal
        EXPECT_LT(n.x(), 0.0);
      }
    } else {
      EXPECT_EQ(m.vertex_count(), 8u);
      EXPECT_EQ(ridge.size(), 4u);
    }
  }
}

double Area(const cell::Mesh& mesh) {
  double area = 0;
  for (const auto& t : mesh.triangles) {
    area += 0.5 * (mesh.vertices[t[1]] - mesh.vertices[t[0]])
                      .cross(mesh.vertices[t[2]] - mesh.vertices[t[0]])
                      .norm();
  }
  return area;
}

// An n x n grid of unit squares in z = 0 (a triangle soup), its centre raised by `bump`.
cell::Mesh Grid(int n, double bump) {
  cell::Mesh mesh;
  auto p = [&](int x, int y) {
    return Eigen::Vector3d(x, y, x == n / 2 && y == n / 2 ? bump : 0.0);
  };
  for (int x = 0; x < n; ++x) {
    for (int y = 0; y < n; ++y) AddQuad(&mesh, p(x, y), p(x + 1, y), p(x + 1, y + 1), p(x, y + 1));
  }
  return mesh;
}

TEST(DisplayMeshTest, AFlatPatchKeepsItsOutlineWithFewerTriangles) {
  const cell::Mesh grid = Grid(10, 0.0);
  const cell::Mesh simple = SimplifyFlatRegions(grid);
  ASSERT_EQ(grid.triangles.size(), 200u);
  // The 40 outline vertices stay (a polygon of 40 vertices needs at least 38 triangles); the
  // 81 inner ones go.
  EXPECT_GE(simple.triangles.size(), 38u);
  EXPECT_LE(simple.triangles.size(), 60u);
  EXPECT_NEAR(Area(simple), 100.0, 1e-9);
  int outline = 0;
  for (const Eigen::Vector3d& v : simple.vertices) {
    EXPECT_EQ(v.z(), 0.0);
    const bool on_outline = v.x() == 0 || v.y() == 0 || v.x() == 10 || v.y() == 10;
    outline += on_outline;
    EXPECT_TRUE(on_outline) << v.transpose();
  }
  EXPECT_EQ(outline, 40);
  for (const auto& t : simple.triangles) {
    const Eigen::Vector3d n = (simple.vertices[t[1]] - simple.vertices[t[0]])
                                  .cross(simple.vertices[t[2]] - simple.vertices[t[0]]);
    EXPECT_GT(n.z(), 0.0);  // none flipped
  }
}

TEST(DisplayMeshTest, CurvedAndClosedShapesKeepTheirVertices) {
  // A bump of 5 cm over unit squares bends the faces at the peak by ~6°: it stays.
  const cell::Mesh bumped = SimplifyFlatRegions(Grid(10, 0.05));
  EXPECT_EQ(std::count_if(bumped.vertices.begin(), bumped.vertices.end(),
                          [](const Eigen::Vector3d& v) { return v.z() > 0.04; }),
            1);
  EXPECT_NEAR(Area(bumped), Area(Grid(10, 0.05)), 1e-9);
  // A cube has no vertex inside a flat patch.
  const cell::Mesh cube = SimplifyFlatRegions(UnitCube());
  EXPECT_EQ(cube.triangles.size(), 12u);
  EXPECT_EQ(cube.vertices.size(), 8u);
}

// Primitives (weld markers are drawn as one batch of them): closed, every face and vertex
// normal pointing out, vertices on the surface; AppendMesh poses them.
TEST(DisplayMeshTest, PrimitivesAreClosedWithOutwardNormalsAndPosedWhenAppended) {
  const std::vector<cell::Shape> shapes = {cell::Shape::Box(Eigen::Vector3d(0.2, 0.4, 0.6)),
                                           cell::Shape::Cylinder(0.05, 0.3),
                                           cell::Shape::Sphere(0.1)};
  for (const cell::Shape& shape : shapes) {
    const DisplayMesh m = PrimitiveMesh(shape, 10);
    ASSERT_FALSE(m.indices.empty());
    double volume = 0;  // divergence theorem: positive and right only if closed and outward
    for (std::size_t t = 0; t < m.indices.size(); t += 3) {
      const Eigen::Vector3d a = Position(m, m.indices[t]), b = Position(m, m.indices[t + 1]),
                            c = Position(m, m.indices[t + 2]);
      volume += a.dot(b.cross(c)) / 6;
      const Eigen::Vector3d n = (b - a).cross(c - a);
      if (n.norm() > 1e-12) {
        EXPECT_GT(n.dot(a + b + c), 0.0);
      }
    }
    for (std::size_t v = 0; v < m.vertex_count(); ++v) {
      EXPECT_NEAR(Normal(m, v).norm(), 1.0, 1e-6);
      EXPECT_GE(Normal(m, v).dot(Position(m, v)), 0.0);
    }
    const double pi = std::acos(-1.0);
    const double expected = shape.kind == cell::ShapeKind::kBox ? 0.2 * 0.4 * 0.6
                            : shape.kind == cell::ShapeKind::kCylinder
                                ? 10 * 0.5 * 0.05 * 0.05 * std::sin(2 * pi / 10) * 0.3  // 10-gon
                                : 4.0 / 3 * pi * 0.001;
    EXPECT_NEAR(volume, expected, shape.kind == cell::ShapeKind::kSphere ? 0.2 * expected : 1e-6);
  }
  const DisplayMesh sphere = PrimitiveMesh(cell::Shape::Sphere(0.1), 8);
  DisplayMesh out = PrimitiveMesh(cell::Shape::Box(Eigen::Vector3d::Ones()), 8);
  const std::size_t before = out.vertex_count();
  const Eigen::Isometry3d X(Eigen::Translation3d(1, 2, 3));
  AppendMesh(sphere, X, &out);
  ASSERT_EQ(out.vertex_count(), before + sphere.vertex_count());
  EXPECT_EQ(out.indices.back(), sphere.indices.back() + before);
  EXPECT_LT((Position(out, static_cast<std::uint32_t>(before)) -
             (Position(sphere, 0) + Eigen::Vector3d(1, 2, 3)))
                .norm(),
            1e-6);
}

TEST(DisplayMeshTest, EveryMeshOfACellIsPreparedOnceAndItsFlatPanelsSimplified) {
  const cell::Cell c = cell::LoadCell("cells/S/cell.yaml", {}).value;
  const DisplayMeshes meshes = MakeDisplayMeshes(c);
  const cell::Obstacle* body = nullptr;
  for (const cell::Obstacle& o : c.obstacles) {
    if (o.geometry.shape.kind == cell::ShapeKind::kMesh) body = &o;
  }
  ASSERT_NE(body, nullptr);
  const auto it = meshes.find(body->geometry.shape.mesh.get());
  ASSERT_NE(it, meshes.end());
  // The generated body is meshed uniformly: its flat panels need fewer triangles (S's and L's
  // bodies lose more than a third of theirs), and the surface drawn has the same area.
  const cell::Mesh& original = *body->geometry.shape.mesh;
  const cell::Mesh simple = SimplifyFlatRegions(original);
  EXPECT_LT(simple.triangles.size(), original.triangles.size() * 2 / 3);
  EXPECT_NEAR(Area(simple), Area(original), 1e-9 * Area(original));
  EXPECT_EQ(*it->second, MakeDisplayMesh(simple));
  for (const auto& [mesh, display] : meshes) {
    EXPECT_EQ(*display, MakeDisplayMesh(SimplifyFlatRegions(*mesh)));
  }
}

}  // namespace
}  // namespace weldcell::gui
