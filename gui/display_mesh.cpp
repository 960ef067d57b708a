#include "gui/display_mesh.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <cstdint>
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

// Vertex decimation of a mesh's flat regions (SimplifyFlatRegions): the mesh with identical
// vertices welded, its faces (some dead after merges) and the faces at each vertex.
class FlatRegionSimplifier {
 public:
  // `mesh` → its vertices welded (+0 and -0 alike) and its faces, those that collapse dropped.
  explicit FlatRegionSimplifier(const cell::Mesh& mesh) {
    std::unordered_map<std::array<double, 3>, std::uint32_t, PositionHash> welded;
    for (const auto& tri : mesh.triangles) {
      std::array<std::uint32_t, 3> f{};
      for (int k = 0; k < 3; ++k) {
        const Eigen::Vector3d& v = mesh.vertices[tri[static_cast<std::size_t>(k)]];
        const std::array<double, 3> key = {v.x() == 0.0 ? 0.0 : v.x(), v.y() == 0.0 ? 0.0 : v.y(),
                                           v.z() == 0.0 ? 0.0 : v.z()};
        const auto [it, added] = welded.emplace(key, static_cast<std::uint32_t>(p_.size()));
        if (added) p_.push_back(v);
        f[static_cast<std::size_t>(k)] = it->second;
      }
      if (f[0] != f[1] && f[1] != f[2] && f[0] != f[2]) faces_.push_back(f);
    }
    around_.resize(p_.size());
    alive_.assign(faces_.size(), true);
    for (std::size_t f = 0; f < faces_.size(); ++f) {
      for (std::uint32_t v : faces_[f]) around_[v].push_back(static_cast<std::uint32_t>(f));
    }
  }

  // Up to `passes` passes over the vertices, each vertex inside a flat region (within
  // `cos_flat` of one normal) merged into a neighbour; stops after a pass that merges none.
  void Simplify(double cos_flat, int passes) {
    for (int pass = 0; pass < passes; ++pass) {
      bool changed = false;
      for (std::uint32_t u = 0; u < p_.size(); ++u) changed |= TryRemoveVertex(u, cos_flat);
      if (!changed) break;
    }
  }

  // The live faces → a mesh of the vertices they use (in order of first use), named `source`.
  cell::Mesh Compact(const std::string& source) const {
    cell::Mesh out;
    out.source = source;
    std::vector<std::uint32_t> index(p_.size(), UINT32_MAX);
    for (std::size_t f = 0; f < faces_.size(); ++f) {
      if (!alive_[f]) continue;
      std::array<std::uint32_t, 3> t{};
      for (int k = 0; k < 3; ++k) {
        std::uint32_t& i = index[faces_[f][static_cast<std::size_t>(k)]];
        if (i == UINT32_MAX) {
          i = static_cast<std::uint32_t>(out.vertices.size());
          out.vertices.push_back(p_[faces_[f][static_cast<std::size_t>(k)]]);
        }
        t[static_cast<std::size_t>(k)] = i;
      }
      out.triangles.push_back(t);
    }
    return out;
  }

 private:
  // A face → its normal scaled by twice its area.
  Eigen::Vector3d Normal(const std::array<std::uint32_t, 3>& f) const {
    return Eigen::Vector3d((p_[f[1]] - p_[f[0]]).cross(p_[f[2]] - p_[f[0]]));
  }

  // Vertex `u` → merged into a neighbour when its live faces (at least 3) are flat and close a
  // fan around it; whether it was.
  bool TryRemoveVertex(std::uint32_t u, double cos_flat) {
    fan_.clear();
    for (std::uint32_t f : around_[u]) {
      if (alive_[f]) fan_.push_back(f);
    }
    around_[u] = fan_;
    if (fan_.size() < 3) return false;
    const Eigen::Vector3d n0 = Normal(faces_[fan_[0]]);
    const double a0 = n0.norm();
    if (a0 <= 0) return false;
    if (!FanIsFlat(n0, a0, cos_flat) || !FanIsClosed(u)) return false;
    // Merge u into the first neighbour v for which no remaining face flips or degenerates
    // and whose other neighbours are not u's (else the merge would fold faces onto others).
    for (const auto& [v, count] : neighbours_) {
      if (SharedNeighbours(u, v) > 4 || !MergeKeepsOrientation(u, v, n0, a0)) continue;
      Merge(u, v);
      return true;
    }
    return false;
  }

  // The fan's faces → whether every one is within flat_deg (`cos_flat`) of the first one's
  // normal `n0` (of length `a0`).
  bool FanIsFlat(const Eigen::Vector3d& n0, double a0, double cos_flat) const {
    for (std::uint32_t f : fan_) {
      const Eigen::Vector3d n = Normal(faces_[f]);
      const double a = n.norm();
      if (a <= 0 || n.dot(n0) < cos_flat * a * a0) return false;
    }
    return true;
  }

  // The fan at `u` → its neighbours (with the number of faces at each edge) into neighbours_;
  // whether `u` is inside the surface: every edge at u shared by exactly two faces.
  bool FanIsClosed(std::uint32_t u) {
    neighbours_.clear();
    for (std::uint32_t f : fan_) {
      for (std::uint32_t w : faces_[f]) {
        if (w == u) continue;
        auto it = std::find_if(neighbours_.begin(), neighbours_.end(),
                               [w](const auto& e) { return e.first == w; });
        if (it == neighbours_.end()) {
          neighbours_.emplace_back(w, 1);
        } else {
          ++it->second;
        }
      }
    }
    return std::none_of(neighbours_.begin(), neighbours_.end(),
                        [](const auto& e) { return e.second != 2; });
  }

  // Neighbour `v` of `u` → how often u's neighbours appear in the live faces at v (other than
  // u and v). The two faces at edge u-v give its two opposite vertices, each seen twice from v
  // (once in the face at u-v, once in the next face around v): more is a fold.
  int SharedNeighbours(std::uint32_t u, std::uint32_t v) const {
    int shared = 0;
    for (std::uint32_t f : around_[v]) {
      if (!alive_[f]) continue;
      for (std::uint32_t w : faces_[f]) {
        if (w == v || w == u) continue;
        shared += std::any_of(neighbours_.begin(), neighbours_.end(),
                              [w](const auto& e) { return e.first == w; });
      }
    }
    return shared;
  }

  // Merging `u` into `v` → whether every fan face that remains keeps its side of `n0` (of
  // length `a0`) without degenerating.
  bool MergeKeepsOrientation(std::uint32_t u, std::uint32_t v, const Eigen::Vector3d& n0,
                             double a0) const {
    for (std::uint32_t f : fan_) {
      std::array<std::uint32_t, 3> g = faces_[f];
      if (g[0] == v || g[1] == v || g[2] == v) continue;  // removed by the merge
      for (std::uint32_t& w : g) w = w == u ? v : w;
      if (Normal(g).dot(n0) <= 1e-6 * a0 * a0) return false;
    }
    return true;
  }

  // `u` merged into `v`: the fan's faces at edge u-v die, the others move from u to v.
  void Merge(std::uint32_t u, std::uint32_t v) {
    for (std::uint32_t f : fan_) {
      std::array<std::uint32_t, 3>& g = faces_[f];
      if (g[0] == v || g[1] == v || g[2] == v) {
        alive_[f] = false;
        continue;
      }
      for (std::uint32_t& w : g) w = w == u ? v : w;
      around_[v].push_back(f);
    }
    around_[u].clear();
  }

  std::vector<Eigen::Vector3d> p_;
  std::vector<std::array<std::uint32_t, 3>> faces_;
  std::vector<std::vector<std::uint32_t>> around_;  // faces at each vertex (some dead)
  std::vector<bool> alive_;
  // Scratch of TryRemoveVertex: the live faces at the vertex, and its neighbours with the number
  // of faces at each edge.
  std::vector<std::uint32_t> fan_;
  std::vector<std::pair<std::uint32_t, int>> neighbours_;
};

void AddMeshes(const std::vector<cell::Geometry>& geometries, DisplayMeshes* out) {
  for (const cell::Geometry& g : geometries) {
    const cell::Mesh* mesh = g.shape.mesh.get();
    if (g.shape.kind != cell::ShapeKind::kMesh || mesh == nullptr || out->count(mesh) != 0) {
      continue;
    }
    (*out)[mesh] = std::make_shared<const DisplayMesh>(MakeDisplayMesh(SimplifyFlatRegions(*mesh)));
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

cell::Mesh SimplifyFlatRegions(const cell::Mesh& mesh, double flat_deg) {
  const double cos_flat = std::cos(flat_deg * std::acos(-1.0) / 180);
  FlatRegionSimplifier simplifier(mesh);
  simplifier.Simplify(cos_flat, 8);
  return simplifier.Compact(mesh.source);
}

DisplayMesh PrimitiveMesh(const cell::Shape& shape, int slices) {
  DisplayMesh m;
  auto vertex = [&m](const Eigen::Vector3d& p, const Eigen::Vector3d& n) {
    for (int c = 0; c < 3; ++c) m.vertex_data.push_back(static_cast<float>(p[c]));
    for (int c = 0; c < 3; ++c) m.vertex_data.push_back(static_cast<float>(n[c]));
    return static_cast<std::uint32_t>(m.vertex_count() - 1);
  };
  auto quad = [&m](std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d) {
    m.indices.insert(m.indices.end(), {a, b, c, a, c, d});
  };
  const double two_pi = 2 * std::acos(-1.0);
  switch (shape.kind) {
    case cell::ShapeKind::kBox: {
      const Eigen::Vector3d h = 0.5 * shape.box_size;
      for (int axis = 0; axis < 3; ++axis) {
        for (const double side : {-1.0, 1.0}) {
          Eigen::Vector3d n = Eigen::Vector3d::Zero();
          n[axis] = side;
          const Eigen::Vector3d u = Eigen::Vector3d::Unit((axis + 1) % 3);
          const Eigen::Vector3d v = n.cross(u);
          const Eigen::Vector3d c = n.cwiseProduct(h);
          const double hu = h.dot(u.cwiseAbs()), hv = h.dot(v.cwiseAbs());
          quad(vertex(c - hu * u - hv * v, n), vertex(c + hu * u - hv * v, n),
               vertex(c + hu * u + hv * v, n), vertex(c - hu * u + hv * v, n));
        }
      }
      break;
    }
    case cell::ShapeKind::kCylinder: {
      const double r = shape.radius, z = 0.5 * shape.length;
      for (const double side : {-1.0, 1.0}) {  // caps
        const Eigen::Vector3d n(0, 0, side);
        const std::uint32_t centre = vertex({0, 0, side * z}, n);
        std::vector<std::uint32_t> rim;
        for (int i = 0; i < slices; ++i) {
          const double a = two_pi * i / slices;
          rim.push_back(vertex({r * std::cos(a), r * std::sin(a), side * z}, n));
        }
        for (int i = 0; i < slices; ++i) {
          const std::uint32_t a = rim[static_cast<std::size_t>(i)];
          const std::uint32_t b = rim[static_cast<std::size_t>((i + 1) % slices)];
          if (side > 0) {
            m.indices.insert(m.indices.end(), {centre, a, b});
          } else {
            m.indices.insert(m.indices.end(), {centre, b, a});
          }
        }
      }
      const auto first = static_cast<std::uint32_t>(m.vertex_count());
      for (int i = 0; i < slices; ++i) {
        const double a = two_pi * i / slices;
        const Eigen::Vector3d n(std::cos(a), std::sin(a), 0);
        vertex({r * n.x(), r * n.y(), -z}, n);
        vertex({r * n.x(), r * n.y(), z}, n);
      }
      for (int i = 0; i < slices; ++i) {
        const std::uint32_t a = first + 2 * static_cast<std::uint32_t>(i);
        const std::uint32_t b = first + 2 * static_cast<std::uint32_t>((i + 1) % slices);
        quad(a, b, b + 1, a + 1);
      }
      break;
    }
    case cell::ShapeKind::kSphere: {
      const int rings = slices / 2 + 1;
      for (int j = 0; j <= rings; ++j) {
        const double polar = std::acos(-1.0) * j / rings;
        for (int i = 0; i <= slices; ++i) {
          const double a = two_pi * i / slices;
          const Eigen::Vector3d n(std::sin(polar) * std::cos(a), std::sin(polar) * std::sin(a),
                                  std::cos(polar));
          vertex(shape.radius * n, n);
        }
      }
      const auto row = static_cast<std::uint32_t>(slices + 1);
      for (int j = 0; j < rings; ++j) {
        for (int i = 0; i < slices; ++i) {
          const std::uint32_t a =
              static_cast<std::uint32_t>(j) * row + static_cast<std::uint32_t>(i);
          quad(a, a + row, a + row + 1, a + 1);
        }
      }
      break;
    }
    case cell::ShapeKind::kMesh:
      break;
  }
  return m;
}

void AppendMesh(const DisplayMesh& mesh, const Eigen::Isometry3d& X_PG, DisplayMesh* out) {
  const auto base = static_cast<std::uint32_t>(out->vertex_count());
  const Eigen::Matrix3d R = X_PG.linear();
  for (std::size_t v = 0; v < mesh.vertex_count(); ++v) {
    const float* d = &mesh.vertex_data[6 * v];
    const Eigen::Vector3d p = X_PG * Eigen::Vector3d(d[0], d[1], d[2]);
    const Eigen::Vector3d n = R * Eigen::Vector3d(d[3], d[4], d[5]);
    for (int c = 0; c < 3; ++c) out->vertex_data.push_back(static_cast<float>(p[c]));
    for (int c = 0; c < 3; ++c) out->vertex_data.push_back(static_cast<float>(n[c]));
  }
  for (std::uint32_t i : mesh.indices) out->indices.push_back(base + i);
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
