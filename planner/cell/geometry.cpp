#include "planner/cell/geometry.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <numbers>
#include <tuple>
#include <unordered_map>

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

namespace {

struct CellKey {
  std::int64_t x, y, z;
  bool operator==(const CellKey&) const = default;
};
struct CellKeyHash {
  std::size_t operator()(const CellKey& k) const {
    std::size_t h = std::hash<std::int64_t>{}(k.x);
    h = h * 1000003u ^ std::hash<std::int64_t>{}(k.y);
    return h * 1000003u ^ std::hash<std::int64_t>{}(k.z);
  }
};

/// Index of the first earlier vertex within `eps` of each vertex (itself when none): vertices
/// on a grid of cell size eps, each looked up in its 27 neighbouring cells.
std::vector<std::uint32_t> WeldVertices(const std::vector<Eigen::Vector3d>& vertices) {
  Eigen::AlignedBox3d box;
  for (const Eigen::Vector3d& v : vertices) box.extend(v);
  const double size = vertices.empty() ? 0.0 : box.diagonal().norm();
  const double eps = 1e-9 * std::max(size, 1e-3);
  std::unordered_map<CellKey, std::vector<std::uint32_t>, CellKeyHash> grid;
  std::vector<std::uint32_t> rep(vertices.size());
  for (std::size_t i = 0; i < vertices.size(); ++i) {
    const Eigen::Vector3d& v = vertices[i];
    const CellKey key{static_cast<std::int64_t>(std::floor(v.x() / eps)),
                      static_cast<std::int64_t>(std::floor(v.y() / eps)),
                      static_cast<std::int64_t>(std::floor(v.z() / eps))};
    rep[i] = static_cast<std::uint32_t>(i);
    bool found = false;
    for (int dx = -1; dx <= 1 && !found; ++dx) {
      for (int dy = -1; dy <= 1 && !found; ++dy) {
        for (int dz = -1; dz <= 1 && !found; ++dz) {
          auto it = grid.find({key.x + dx, key.y + dy, key.z + dz});
          if (it == grid.end()) continue;
          for (const std::uint32_t j : it->second) {
            if ((vertices[j] - v).norm() <= eps) {
              rep[i] = rep[j];
              found = true;
              break;
            }
          }
        }
      }
    }
    if (!found) grid[key].push_back(static_cast<std::uint32_t>(i));
  }
  return rep;
}

/// Closest point to p on triangle abc (Ericson, Real-Time Collision Detection, 5.1.5).
Eigen::Vector3d ClosestPointOnTriangle(const Eigen::Vector3d& p, const Eigen::Vector3d& a,
                                       const Eigen::Vector3d& b, const Eigen::Vector3d& c) {
  const Eigen::Vector3d ab = b - a, ac = c - a, ap = p - a;
  const double d1 = ab.dot(ap), d2 = ac.dot(ap);
  if (d1 <= 0.0 && d2 <= 0.0) return a;
  const Eigen::Vector3d bp = p - b;
  const double d3 = ab.dot(bp), d4 = ac.dot(bp);
  if (d3 >= 0.0 && d4 <= d3) return b;
  const double vc = d1 * d4 - d3 * d2;
  if (vc <= 0.0 && d1 >= 0.0 && d3 <= 0.0) return a + d1 / (d1 - d3) * ab;
  const Eigen::Vector3d cp = p - c;
  const double d5 = ab.dot(cp), d6 = ac.dot(cp);
  if (d6 >= 0.0 && d5 <= d6) return c;
  const double vb = d5 * d2 - d1 * d6;
  if (vb <= 0.0 && d2 >= 0.0 && d6 <= 0.0) return a + d2 / (d2 - d6) * ac;
  const double va = d3 * d6 - d5 * d4;
  if (va <= 0.0 && (d4 - d3) >= 0.0 && (d5 - d6) >= 0.0) {
    return b + (d4 - d3) / ((d4 - d3) + (d5 - d6)) * (c - b);
  }
  const double denom = va + vb + vc;
  if (!(std::abs(denom) > 0.0)) {
    // A zero-area triangle is the union of its edges.
    auto on_segment = [&p](const Eigen::Vector3d& s, const Eigen::Vector3d& e) {
      const Eigen::Vector3d d = e - s;
      const double len2 = d.squaredNorm();
      const double t = len2 > 0.0 ? std::clamp((p - s).dot(d) / len2, 0.0, 1.0) : 0.0;
      return Eigen::Vector3d(s + t * d);
    };
    Eigen::Vector3d best = on_segment(a, b);
    for (const Eigen::Vector3d& q : {on_segment(b, c), on_segment(c, a)}) {
      if ((q - p).squaredNorm() < (best - p).squaredNorm()) best = q;
    }
    return best;
  }
  const double v = vb / denom, w = vc / denom;
  return a + ab * v + ac * w;
}

}  // namespace

bool IsClosedMesh(const Mesh& mesh) {
  if (mesh.triangles.empty()) return false;
  for (const auto& t : mesh.triangles) {
    for (const std::uint32_t i : t) {
      if (i >= mesh.vertices.size()) return false;
    }
  }
  const std::vector<std::uint32_t> rep = WeldVertices(mesh.vertices);
  // (low, high, forward) per directed edge; a closed, consistently oriented mesh has each
  // undirected edge exactly twice, once in each direction.
  std::vector<std::tuple<std::uint32_t, std::uint32_t, bool>> edges;
  edges.reserve(3 * mesh.triangles.size());
  for (const auto& t : mesh.triangles) {
    const std::array<std::uint32_t, 3> v{rep[t[0]], rep[t[1]], rep[t[2]]};
    if (v[0] == v[1] || v[1] == v[2] || v[0] == v[2]) continue;  // collapsed by welding
    for (int k = 0; k < 3; ++k) {
      const std::uint32_t a = v[k], b = v[(k + 1) % 3];
      edges.emplace_back(std::min(a, b), std::max(a, b), a < b);
    }
  }
  if (edges.empty()) return false;
  std::sort(edges.begin(), edges.end());
  for (std::size_t i = 0; i < edges.size(); i += 2) {
    if (i + 1 >= edges.size()) return false;
    const auto& [a0, b0, f0] = edges[i];
    const auto& [a1, b1, f1] = edges[i + 1];
    if (a0 != a1 || b0 != b1 || f0 == f1) return false;
    if (i + 2 < edges.size() && std::get<0>(edges[i + 2]) == a0 &&
        std::get<1>(edges[i + 2]) == b0) {
      return false;  // more than two triangles on one edge
    }
  }
  return true;
}

bool MeshContainsPoint(const Mesh& mesh, const Eigen::Vector3d& p_M) {
  double total = 0.0;
  for (const auto& t : mesh.triangles) {
    const Eigen::Vector3d a = mesh.vertices[t[0]] - p_M;
    const Eigen::Vector3d b = mesh.vertices[t[1]] - p_M;
    const Eigen::Vector3d c = mesh.vertices[t[2]] - p_M;
    const double la = a.norm(), lb = b.norm(), lc = c.norm();
    // Van Oosterom and Strackee: tan(Ω/2) = a·(b×c) / (|a||b||c| + (a·b)|c| + (b·c)|a| + (c·a)|b|).
    const double numerator = a.dot(b.cross(c));
    const double denominator = la * lb * lc + a.dot(b) * lc + b.dot(c) * la + c.dot(a) * lb;
    total += 2.0 * std::atan2(numerator, denominator);
  }
  const double winding = total / (4.0 * std::numbers::pi);
  return std::abs(winding) > 0.5;
}

double DistanceToMesh(const Mesh& mesh, const Eigen::Vector3d& p_M) {
  double best = std::numeric_limits<double>::infinity();
  for (const auto& t : mesh.triangles) {
    const Eigen::Vector3d& a = mesh.vertices[t[0]];
    const Eigen::Vector3d& b = mesh.vertices[t[1]];
    const Eigen::Vector3d& c = mesh.vertices[t[2]];
    best = std::min(best, (ClosestPointOnTriangle(p_M, a, b, c) - p_M).squaredNorm());
  }
  return std::sqrt(best);
}

}  // namespace weldcell::cell
