#include "planner/generate/stl.hpp"

#include <Eigen/Geometry>
#include <bit>
#include <cstring>
#include <limits>

#include "planner/common/check.hpp"

namespace weldcell::generate {
namespace {

static_assert(std::numeric_limits<float>::is_iec559, "binary STL stores IEEE floats");

void PutU32(std::uint32_t v, std::string* out) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void PutFloat(double v, std::string* out) {
  PutU32(std::bit_cast<std::uint32_t>(static_cast<float>(v)), out);
}

void PutVector(const Eigen::Vector3d& v, std::string* out) {
  for (int i = 0; i < 3; ++i) PutFloat(v[i], out);
}

}  // namespace

std::uint32_t TriangleMesh::Add(const Eigen::Vector3d& p) {
  vertices.push_back(p);
  return static_cast<std::uint32_t>(vertices.size() - 1);
}

void TriangleMesh::Quad(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d) {
  triangles.push_back({a, b, c});
  triangles.push_back({a, c, d});
}

void TriangleMesh::Append(const TriangleMesh& other, const Eigen::Vector3d& offset) {
  const auto base = static_cast<std::uint32_t>(vertices.size());
  for (const Eigen::Vector3d& v : other.vertices) vertices.push_back(v + offset);
  for (const auto& t : other.triangles)
    triangles.push_back({t[0] + base, t[1] + base, t[2] + base});
}

std::string BinaryStl(const TriangleMesh& mesh, std::string_view header) {
  WELDCELL_CHECK(header.substr(0, 5) != "solid");
  std::string out(header.substr(0, 80));
  out.resize(80, ' ');
  out.reserve(84 + 50 * mesh.triangles.size());
  PutU32(static_cast<std::uint32_t>(mesh.triangles.size()), &out);
  for (const auto& t : mesh.triangles) {
    for (const std::uint32_t i : t) WELDCELL_CHECK(i < mesh.vertices.size());
    const Eigen::Vector3d& a = mesh.vertices[t[0]];
    const Eigen::Vector3d& b = mesh.vertices[t[1]];
    const Eigen::Vector3d& c = mesh.vertices[t[2]];
    Eigen::Vector3d n = (b - a).cross(c - a);
    const double length = n.norm();
    n = length > 0 ? Eigen::Vector3d(n / length) : Eigen::Vector3d::Zero();
    PutVector(n, &out);
    PutVector(a, &out);
    PutVector(b, &out);
    PutVector(c, &out);
    out.push_back('\0');
    out.push_back('\0');
  }
  return out;
}

}  // namespace weldcell::generate
