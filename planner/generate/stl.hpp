#pragma once
// A triangle soup and its binary STL form (what the generator writes; LoadCell reads STL through
// assimp).
//
// Binary STL: an 80-byte header (ours never starts with "solid", which readers take for ASCII
// STL), a little-endian uint32 triangle count, then per triangle the unit normal and the three
// vertices as 12 little-endian IEEE floats and a zero uint16: 50 bytes per triangle.
// Units: STL has none; the generator writes millimetres (a cell names the file with scale 0.001).

#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace weldcell::generate {

/// Triangles as vertex indices into `vertices`, counter-clockwise seen from the side the normal
/// points to.
struct TriangleMesh {
  std::vector<Eigen::Vector3d> vertices;
  std::vector<std::array<std::uint32_t, 3>> triangles;

  /// Adds a vertex and returns its index.
  std::uint32_t Add(const Eigen::Vector3d& p);
  /// Adds the quad a b c d (in this order around it) as two triangles.
  void Quad(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d);
  /// Appends another mesh with every vertex moved by `offset`.
  void Append(const TriangleMesh& other, const Eigen::Vector3d& offset = Eigen::Vector3d::Zero());
  bool operator==(const TriangleMesh&) const = default;
};

/// The binary STL bytes of `mesh`; `header` (at most 80 bytes used) is padded with spaces.
/// A degenerate triangle gets the normal (0, 0, 0). Precondition (checked): every index is a
/// vertex, and `header` does not start with "solid".
std::string BinaryStl(const TriangleMesh& mesh, std::string_view header);

}  // namespace weldcell::generate
