#pragma once
// A gun that works close to the robot's forearm (issue 10, item 9), built in code for the reach
// tests and bench/planner/reach: the shipped C gun plus a "backpack" (transformer and cable pack)
// given as a finely tessellated mesh, hanging back from the flange beside the forearm. At J5 = 0
// its inner face is `gap` from a forearm of radius 0.14 m (ABB, KUKA; 1 cm more on the FANUC,
// r = 0.13 m), and every configuration with a small J5 keeps it a few centimetres from the
// forearm: the close-range self checks that made reach slow.

#include <Eigen/Geometry>
#include <array>
#include <cstdint>
#include <memory>

#include "planner/cell/cell.hpp"

namespace weldcell::testing {

/// An axis-aligned box of full edge lengths `size` (m) centred at the origin, each face split into
/// n × n squares of two triangles (12 n² triangles), outward-facing.
inline std::shared_ptr<const cell::Mesh> TessellatedBox(const Eigen::Vector3d& size, int n) {
  auto mesh = std::make_shared<cell::Mesh>();
  for (int axis = 0; axis < 3; ++axis) {
    for (int side = -1; side <= 1; side += 2) {
      const int u = side > 0 ? (axis + 1) % 3 : (axis + 2) % 3;
      const int v = side > 0 ? (axis + 2) % 3 : (axis + 1) % 3;
      const auto base = static_cast<std::uint32_t>(mesh->vertices.size());
      for (int i = 0; i <= n; ++i) {
        for (int j = 0; j <= n; ++j) {
          Eigen::Vector3d p;
          p[axis] = 0.5 * side * size[axis];
          p[u] = (static_cast<double>(i) / n - 0.5) * size[u];
          p[v] = (static_cast<double>(j) / n - 0.5) * size[v];
          mesh->vertices.push_back(p);
        }
      }
      const auto row = static_cast<std::uint32_t>(n + 1);
      for (std::uint32_t i = 0; i < static_cast<std::uint32_t>(n); ++i) {
        for (std::uint32_t j = 0; j < static_cast<std::uint32_t>(n); ++j) {
          const std::uint32_t a = base + i * row + j;
          mesh->triangles.push_back({a, a + row, a + row + 1});
          mesh->triangles.push_back({a, a + row + 1, a + 1});
        }
      }
    }
  }
  return mesh;
}

/// Adds the backpack (0.15 × 0.24 × 0.5 m, `n` squares per face edge) to `tool`'s collision
/// geometry: on the −x side of the flange (the C gun's back), from 0.5 m behind the flange to the
/// flange face, its inner face `gap` (m) beyond a radius of 0.14 m from the flange axis.
inline void AddBackpack(cell::Tool& tool, int n, double gap) {
  cell::Geometry backpack{.shape = cell::Shape::FromMesh(TessellatedBox({0.15, 0.24, 0.5}, n)),
                          .X_FG = Eigen::Isometry3d::Identity()};
  backpack.X_FG.translation() = Eigen::Vector3d(-(0.14 + gap + 0.075), 0.0, -0.25);
  tool.collision.push_back(backpack);
}

}  // namespace weldcell::testing
