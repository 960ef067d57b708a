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
  double radius = 0.0;  ///< cylinder, sphere
  double length = 0.0;  ///< cylinder
  std::shared_ptr<const Mesh> mesh;  ///< kMesh only; shared because meshes are large and const.

  static Shape Box(const Eigen::Vector3d& size);
  static Shape Cylinder(double radius, double length);
  static Shape Sphere(double radius);
  static Shape FromMesh(std::shared_ptr<const Mesh> mesh);
  /// Number of triangles (0 for primitives).
  std::size_t triangle_count() const;
};

/// A shape placed in a frame: X_FG is the pose of the geometry in its owner's frame F
/// (a link, the tool flange, or the world).
struct Geometry {
  Shape shape;
  Eigen::Isometry3d X_FG = Eigen::Isometry3d::Identity();
};

}  // namespace weldcell::cell
