#include "planner/generate/stl.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "planner/cell/load.hpp"
#include "tests/scratch.hpp"

namespace weldcell::generate {
namespace {

std::uint32_t U32At(const std::string& bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

float FloatAt(const std::string& bytes, std::size_t at) {
  return std::bit_cast<float>(U32At(bytes, at));
}

TriangleMesh UnitSquare() {
  TriangleMesh mesh;
  const auto a = mesh.Add({0, 0, 0});
  const auto b = mesh.Add({10, 0, 0});
  const auto c = mesh.Add({10, 20, 0});
  const auto d = mesh.Add({0, 20, 0});
  mesh.Quad(a, b, c, d);
  return mesh;
}

TEST(BinaryStlTest, LayoutIsHeaderCountAndFiftyBytesPerTriangle) {
  const std::string stl = BinaryStl(UnitSquare(), "test square");
  ASSERT_EQ(stl.size(), 84u + 2 * 50u);
  EXPECT_EQ(stl.substr(0, 11), "test square");
  EXPECT_EQ(stl.substr(11, 69), std::string(69, ' '));
  EXPECT_EQ(U32At(stl, 80), 2u);
  // First triangle: normal +z (counter-clockwise seen from +z), then a, b, c.
  EXPECT_FLOAT_EQ(FloatAt(stl, 84 + 8), 1.0f);
  EXPECT_FLOAT_EQ(FloatAt(stl, 84 + 12 + 12), 10.0f);      // b.x
  EXPECT_FLOAT_EQ(FloatAt(stl, 84 + 12 + 24 + 4), 20.0f);  // c.y
  EXPECT_EQ(stl[84 + 48], '\0');
  EXPECT_EQ(stl[84 + 49], '\0');
}

TEST(BinaryStlTest, AppendShiftsVerticesAndIndices) {
  TriangleMesh mesh = UnitSquare();
  mesh.Append(UnitSquare(), Eigen::Vector3d(0, 0, 5));
  ASSERT_EQ(mesh.vertices.size(), 8u);
  ASSERT_EQ(mesh.triangles.size(), 4u);
  EXPECT_EQ(mesh.triangles[2][0], 4u);
  EXPECT_DOUBLE_EQ(mesh.vertices[6].z(), 5.0);
}

TEST(BinaryStlTest, TheLoaderReadsItBack) {
  const std::filesystem::path file = weldcell::testing::ScratchPath("square.stl");
  {
    std::ofstream out(file, std::ios::binary);
    const std::string stl = BinaryStl(UnitSquare(), "weldcell test");
    out.write(stl.data(), static_cast<std::streamsize>(stl.size()));
  }
  const std::shared_ptr<const cell::Mesh> mesh = cell::LoadMesh(file, 0.001);
  std::filesystem::remove(file);
  ASSERT_EQ(mesh->triangles.size(), 2u);
  double max_y = 0;
  for (const Eigen::Vector3d& v : mesh->vertices) max_y = std::max(max_y, v.y());
  EXPECT_NEAR(max_y, 0.020, 1e-9);
}

}  // namespace
}  // namespace weldcell::generate
