#include "planner/cell/geometry.hpp"

namespace weldcell::cell {

Shape Shape::Box(const Eigen::Vector3d& size) {
  Shape s;
  s.kind = ShapeKind::kBox;
  s.box_size = size;
  return s;
}

Shape Shape::Cylinder(double radius, double length) {
  Shape s;
  s.kind = ShapeKind::kCylinder;
  s.radius = radius;
  s.length = length;
  return s;
}

Shape Shape::Sphere(double radius) {
  Shape s;
  s.kind = ShapeKind::kSphere;
  s.radius = radius;
  return s;
}

Shape Shape::FromMesh(std::shared_ptr<const Mesh> mesh) {
  Shape s;
  s.kind = ShapeKind::kMesh;
  s.mesh = std::move(mesh);
  return s;
}

std::size_t Shape::triangle_count() const {
  return kind == ShapeKind::kMesh && mesh ? mesh->triangles.size() : 0;
}

}  // namespace weldcell::cell
