#pragma once
// Triangle meshes prepared for drawing: vertices welded, normals smooth across flat edges and
// split at creases, interleaved for the GPU. Qt-free and thread-safe, so that a cell's meshes are
// prepared in a worker thread while the window stays responsive (gui/main_window.cpp), and the
// UI thread only hands the buffers to the 3D engine.
//
// Units and frames: those of the mesh (m, its own frame).

#include <Eigen/Geometry>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "planner/cell/cell.hpp"
#include "planner/cell/geometry.hpp"

namespace weldcell::gui {

struct DisplayMesh {
  /// Per vertex: x, y, z, nx, ny, nz (float).
  std::vector<float> vertex_data;
  /// Three vertex indices per triangle.
  std::vector<std::uint32_t> indices;
  std::size_t vertex_count() const { return vertex_data.size() / 6; }
  bool operator==(const DisplayMesh&) const = default;
};

/// The display mesh of `mesh`: vertices with identical coordinates welded (STL repeats every
/// vertex per triangle), each corner's normal the area-weighted mean of the faces around the
/// vertex within 30° of its own face (creases stay crisp), corners with equal normals shared.
/// Every triangle of `mesh` is kept, in order. Cost O(n) expected in the triangle count.
DisplayMesh MakeDisplayMesh(const cell::Mesh& mesh);

/// `mesh` with fewer triangles where it is flat, for drawing only (collision keeps the original):
/// a vertex inside a flat patch (every face around it within `flat_deg` of one normal, each of
/// its edges shared by exactly two faces) is merged into a neighbour when no face around it
/// flips or degenerates, until none is left. The surface is unchanged up to `flat_deg` of
/// curvature: a flat patch keeps its outline, open edges and creases keep every vertex.
/// Generated bodies are meshed uniformly (L's body.stl: 108,358 triangles of about 21 mm), and
/// a software rasterizer processes vertices on the UI thread. Vertices are welded by identical
/// coordinates first. Cost about O(n) per pass, at most 8 passes.
cell::Mesh SimplifyFlatRegions(const cell::Mesh& mesh, double flat_deg = 0.5);

/// A primitive shape (box, cylinder along z, sphere; centred on its frame) tessellated with
/// `slices` around its axis (spheres: slices / 2 + 1 rings), flat faces with their own normals
/// and round surfaces smooth. Precondition: not a mesh shape; slices >= 3.
DisplayMesh PrimitiveMesh(const cell::Shape& shape, int slices);

/// Appends `mesh` posed at X_PG (vertices and normals) to `out`.
void AppendMesh(const DisplayMesh& mesh, const Eigen::Isometry3d& X_PG, DisplayMesh* out);

/// Display meshes of a cell, keyed by the mesh they were made from (the cell's meshes are
/// shared and immutable, so the key stays valid while the cell lives).
using DisplayMeshes = std::map<const cell::Mesh*, std::shared_ptr<const DisplayMesh>>;

/// The display meshes of every mesh of `cell`: robot links and tools (visual and collision) and
/// obstacles (visual and collision), each mesh once, flat regions simplified
/// (SimplifyFlatRegions).
DisplayMeshes MakeDisplayMeshes(const cell::Cell& cell);

}  // namespace weldcell::gui
