#pragma once
// Geometry of links, guns and obstacles: primitives or triangle meshes, in SI units.

#include <Eigen/Geometry>
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace weldcell::cell {

/// A triangle mesh in metres, in the frame of the geometry that holds it.
struct Mesh {
  std::vector<Eigen::Vector3d> vertices;
  std::vector<std::array<std::uint32_t, 3>> triangles;
  std::string source;  ///< The file it was read from (for messages), empty when built in code.
};

enum class ShapeKind { kBox, kCylinder, kSphere, kMesh };

/// One shape. A box is centred on its frame with full edge lengths `box_size`; a cylinder is
/// centred with its axis along z; a sphere is centred.
struct Shape {
  ShapeKind kind = ShapeKind::kBox;
  Eigen::Vector3d box_size = Eigen::Vector3d::Zero();
  double radius = 0.0;               ///< cylinder, sphere
  double length = 0.0;               ///< cylinder
  std::shared_ptr<const Mesh> mesh;  ///< kMesh only; shared because meshes are large and const.

  static Shape Box(const Eigen::Vector3d& size);
  static Shape Cylinder(double radius, double length);
  static Shape Sphere(double radius);
  static Shape FromMesh(std::shared_ptr<const Mesh> mesh);
  /// Number of triangles (0 for primitives).
  std::size_t triangle_count() const;
};

/// True when `mesh` is closed and consistently oriented after welding vertices that coincide
/// (within 1e-9 of the mesh's size): every edge is shared by exactly two triangles that traverse
/// it in opposite directions (triangles that collapse under welding are ignored). Such a mesh
/// bounds a solid, so MeshContainsPoint() is meaningful for it. An empty mesh is not closed. Cost
/// O(n log n) in the number of triangles. Thread-safe (no shared state).
bool IsClosedMesh(const Mesh& mesh);

/// True when `p_M` (in the mesh frame M, m) lies inside the solid bounded by a closed mesh, by
/// the generalised winding number (Jacobson, Kavan, Sorkine-Hornung, "Robust Inside-Outside
/// Segmentation using Generalized Winding Numbers", SIGGRAPH 2013): the solid angles of the
/// triangles seen from the point sum to ±4π inside and 0 outside, for either orientation. A point
/// on the surface may go either way: callers that need a margin use DistanceToMesh().
/// Precondition: IsClosedMesh(mesh) (for an open mesh the result is meaningless); an empty mesh
/// contains nothing. Cost O(triangles). Thread-safe.
bool MeshContainsPoint(const Mesh& mesh, const Eigen::Vector3d& p_M);

/// Distance (m) from `p_M` (mesh frame) to the nearest point of any triangle of `mesh`;
/// +infinity for a mesh without triangles. Cost O(triangles). Thread-safe.
double DistanceToMesh(const Mesh& mesh, const Eigen::Vector3d& p_M);

/// A shape placed in a frame: X_FG is the pose of the geometry in its owner's frame F
/// (a link, the tool flange, or the world).
struct Geometry {
  Shape shape;
  Eigen::Isometry3d X_FG = Eigen::Isometry3d::Identity();
};

}  // namespace weldcell::cell
