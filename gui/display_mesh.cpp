#include "gui/display_mesh.hpp"

#include <Eigen/Core>
#include <array>
#include <cmath>
#include <cstring>
#include <unordered_map>

namespace weldcell::gui {
namespace {

constexpr double kCreaseCos = 0.866;  // cos 30°

struct PositionHash {
  std::size_t operator()(const std::array<double, 3>& p) const {
    std::size_t h = 0;
    for (double c : p) {
      std::uint64_t bits = 0;
      c = c == 0.0 ? 0.0 : c;  // -0 and +0 weld
      std::memcpy(&bits, &c, sizeof bits);
      h ^= std::hash<std::uint64_t>()(bits) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    }
    return h;
  }
};

void AddMeshes(const std::vector<cell::Geometry>& geometries, DisplayMeshes* out) {
  for (const cell::Geometry& g : geometries) {
    const cell::Mesh* mesh = g.shape.mesh.get();
    if (g.shape.kind != cell::ShapeKind::kMesh || mesh == nullptr || out->count(mesh) != 0) {
      continue;
    }
    (*out)[mesh] = std::make_shared<const DisplayMesh>(MakeDisplayMesh(*mesh));
  }
}

}  // namespace

DisplayMesh MakeDisplayMesh(const cell::Mesh& mesh) {
  // Weld vertices with identical coordinates (+0 and -0 alike).
  std::unordered_map<std::array<double, 3>, std::uint32_t, PositionHash> welded;
  welded.reserve(mesh.vertices.size());
  std::vector<std::uint32_t> vertex_id(mesh.vertices.size());
  std::vector<Eigen::Vector3d> positions;
  for (std::size_t i = 0; i < mesh.vertices.size(); ++i) {
    const Eigen::Vector3d& v = mesh.vertices[i];
    const std::array<double, 3> key = {v.x() == 0.0 ? 0.0 : v.x(), v.y() == 0.0 ? 0.0 : v.y(),
                                       v.z() == 0.0 ? 0.0 : v.z()};
    const auto [it, added] = welded.emplace(key, static_cast<std::uint32_t>(positions.size()));
    if (added) positions.push_back(v);
    vertex_id[i] = it->second;
  }
  const std::size_t triangle_count = mesh.triangles.size();
  std::vector<Eigen::Vector3d> face_normal(triangle_count);  // area-weighted
  // Faces around each welded vertex, as a compressed adjacency list.
  std::vector<std::uint32_t> first(positions.size() + 1, 0);
  for (std::size_t t = 0; t < triangle_count; ++t) {
    const auto& tri = mesh.triangles[t];
    const Eigen::Vector3d& a = mesh.vertices[tri[0]];
    face_normal[t] = (mesh.vertices[tri[1]] - a).cross(mesh.vertices[tri[2]] - a);
    for (std::uint32_t k : tri) ++first[vertex_id[k] + 1];
  }
  for (std::size_t v = 0; v < positions.size(); ++v) first[v + 1] += first[v];
  std::vector<std::uint32_t> faces(first.back());
  std::vector<std::uint32_t> fill(first.begin(), first.end() - 1);
  for (std::size_t t = 0; t < triangle_count; ++t) {
    for (std::uint32_t k : mesh.triangles[t])
      faces[fill[vertex_id[k]]++] = static_cast<std::uint32_t>(t);
  }
  // Corners of a vertex with the same (rounded) normal share one output vertex.
  struct Corner {
    std::uint32_t vertex;
    std::array<int, 3> normal;
    bool operator==(const Corner&) const = default;
  };
  struct CornerHash {
    std::size_t operator()(const Corner& c) const {
      std::size_t h = std::hash<std::uint32_t>()(c.vertex);
      for (int n : c.normal) h = h * 1000003u ^ std::hash<int>()(n);
      return h;
    }
  };
  std::unordered_map<Corner, std::uint32_t, CornerHash> corners;
  corners.reserve(positions.size() * 2);
  DisplayMesh out;
  out.indices.reserve(triangle_count * 3);
  for (std::size_t t = 0; t < triangle_count; ++t) {
    const double area = face_normal[t].norm();
    const Eigen::Vector3d n_t =
        area > 0 ? Eigen::Vector3d(face_normal[t] / area) : Eigen::Vector3d::UnitZ();
    for (std::uint32_t k : mesh.triangles[t]) {
      const std::uint32_t v = vertex_id[k];
      Eigen::Vector3d n = Eigen::Vector3d::Zero();
      for (std::uint32_t i = first[v]; i < first[v + 1]; ++i) {
        const Eigen::Vector3d& f = face_normal[faces[i]];
        const double fa = f.norm();
        if (fa > 0 && f.dot(n_t) >= kCreaseCos * fa) n += f;
      }
      n = n.norm() > 0 ? Eigen::Vector3d(n.normalized()) : n_t;
      const Corner key{
          v,
          {static_cast<int>(std::lround(n.x() * 1000)), static_cast<int>(std::lround(n.y() * 1000)),
           static_cast<int>(std::lround(n.z() * 1000))}};
      const auto [it, added] = corners.emplace(key, static_cast<std::uint32_t>(out.vertex_count()));
      if (added) {
        for (int c = 0; c < 3; ++c) out.vertex_data.push_back(static_cast<float>(positions[v][c]));
        for (int c = 0; c < 3; ++c) out.vertex_data.push_back(static_cast<float>(n[c]));
      }
      out.indices.push_back(it->second);
    }
  }
  return out;
}

DisplayMeshes MakeDisplayMeshes(const cell::Cell& cell) {
  DisplayMeshes out;
  for (const cell::Robot& robot : cell.robots) {
    for (const cell::Link& link : robot.model->links) {
      AddMeshes(link.visual, &out);
      AddMeshes(link.collision, &out);
    }
    AddMeshes(robot.tool.visual, &out);
    AddMeshes(robot.tool.collision, &out);
  }
  for (const cell::Obstacle& obstacle : cell.obstacles) {
    AddMeshes(obstacle.visual, &out);
    AddMeshes({obstacle.geometry}, &out);
  }
  return out;
}

}  // namespace weldcell::gui
